package postgres

import (
	"time"

	"context"

	"github.com/google/uuid"

	"github.com/relancehq/relance/gen/db"
	"github.com/relancehq/relance/internal/calendar"
	"github.com/relancehq/relance/internal/relance"
)

// calendar builds the business-time calendar of a site from its rows, narrowed by the absences
// of userID when it is set. It is the one place database rows become a calendar; it returns
// calendar.ErrNeverOpen for a site without opening hours.
func (t *tx) calendar(ctx context.Context, siteID, userID uuid.UUID) (*calendar.Calendar, error) {
	_, cal, err := t.siteCalendar(ctx, siteID, userID)
	return cal, err
}

// siteCalendar is calendar, with the site it was built from.
func (t *tx) siteCalendar(ctx context.Context, siteID, userID uuid.UUID) (relance.Site, *calendar.Calendar, error) {
	site, err := t.site(ctx, siteID)
	if err != nil {
		return site, nil, err
	}
	cal, err := remember(t.memo.calendars, [2]uuid.UUID{siteID, userID}, func() (*calendar.Calendar, error) {
		cal, err := calendar.ForSite(site)
		if err != nil || userID == uuid.Nil {
			return cal, err
		}
		absences, err := t.absences(ctx, userID)
		if err != nil {
			return nil, err
		}
		return cal.WithAbsences(absences), nil
	})
	return site, cal, err
}

// absencesFrom and absencesTo bound the absences that matter to a calendar at now: from a year
// back (reports) to the end of the calendar's horizon.
func absencesFrom(now time.Time) time.Time { return now.AddDate(-1, 0, 0) }
func absencesTo(now time.Time) time.Time   { return now.AddDate(5, 0, 0) }

// absences returns userID's absences that matter to a calendar: from a year back (reports) to
// the end of the calendar's horizon.
func (t *tx) absences(ctx context.Context, userID uuid.UUID) ([]relance.Absence, error) {
	return remember(t.memo.absences, userID, func() ([]relance.Absence, error) {
		return toAbsences(t.q.AbsenceListBetween(ctx, t.absencesOf(userID)))
	})
}

// absencesOf asks for userID's absences that matter to a calendar (absences).
func (t *tx) absencesOf(userID uuid.UUID) db.AbsenceListBetweenParams {
	return db.AbsenceListBetweenParams{UserID: userID, FromTime: absencesFrom(t.now), ToTime: absencesTo(t.now)}
}

// toAbsences converts what AbsenceListBetween answered.
func toAbsences(rows []db.Absence, err error) ([]relance.Absence, error) {
	if err != nil {
		return nil, err
	}
	absences := make([]relance.Absence, len(rows))
	for i, r := range rows {
		absences[i] = toAbsence(r)
	}
	return absences, nil
}
