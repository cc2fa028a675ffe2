package postgres

import (
	"context"
	"errors"
	"slices"
	"time"

	"github.com/google/uuid"

	"github.com/relancehq/relance/gen/db"
	"github.com/relancehq/relance/internal/calendar"
	"github.com/relancehq/relance/internal/relance"
)

// Compliance reports, per advisor p may see and per day, how their open leads stand against
// the cadence rules: leads in their cadence that day, those without an attempt, attempts
// against the quota, successful touches, leads behind. Days are each lead's site day, and
// cadence days its advisor's working days.
func (d *DB) Compliance(ctx context.Context, p relance.Principal, f relance.ComplianceFilter) ([]relance.ComplianceRow, error) {
	if err := p.CheckReports(); err != nil {
		return nil, err
	}
	days := int(f.To.Time().Sub(f.From.Time()).Hours()/24) + 1
	switch {
	case f.To.Before(f.From):
		return nil, relance.Invalid("to", "must not be before from")
	case days > relance.MaxReportDays:
		return nil, relance.Invalid("to", "a report covers at most 31 days")
	}
	var out []relance.ComplianceRow
	err := d.inOrg(ctx, p.OrgID, func(t *tx) error {
		advisors, err := t.reportAdvisors(ctx, p, f.SiteID, f.AdvisorID)
		if err != nil || len(advisors) == 0 {
			return err
		}
		rules, err := t.cadenceRules(ctx)
		if err != nil {
			return err
		}
		longest := relance.DefaultCadence().Days
		for _, r := range rules {
			longest = max(longest, r.Days)
		}
		ids := make([]uuid.UUID, len(advisors))
		for i, a := range advisors {
			ids[i] = a.ID
		}
		// Leads received early enough to be in their cadence on the first day: its working days
		// fit in twice as many calendar days, plus three weeks of closures.
		since := f.From.Time().AddDate(0, 0, -(2*longest + 21))
		until := f.To.Time().AddDate(0, 0, 2)
		leads, err := t.q.ComplianceLeads(ctx, db.ComplianceLeadsParams{AdvisorIds: ids, Since: since, Until: until})
		if err != nil {
			return err
		}
		calls, err := t.q.ComplianceCalls(ctx, db.ComplianceCallsParams{AdvisorIds: ids, Since: since, Until: until})
		if err != nil {
			return err
		}
		byLead := map[uuid.UUID][]db.ComplianceCallsRow{}
		for _, c := range calls {
			byLead[c.LeadID] = append(byLead[c.LeadID], c)
		}
		rows := map[uuid.UUID][]relance.ComplianceRow{}
		for _, a := range advisors {
			for i := range days {
				rows[a.ID] = append(rows[a.ID], relance.ComplianceRow{
					AdvisorID: a.ID, AdvisorName: a.DisplayName, Day: relance.DateOf(f.From.Time().AddDate(0, 0, i)),
				})
			}
		}
		cals := calendars{t: t}
		for _, l := range leads {
			if f.SiteID != uuid.Nil && l.SiteID != f.SiteID {
				continue
			}
			cal, err := cals.of(ctx, l.SiteID, l.AssigneeID)
			if errors.Is(err, calendar.ErrNeverOpen) {
				continue
			}
			if err != nil {
				return err
			}
			rule := relance.PickCadence(rules, l.SiteID, l.Source)
			cadence := cal.WorkingDays(l.ReceivedAt, rule.Days)
			for i := range rows[l.AssigneeID] {
				row := &rows[l.AssigneeID][i]
				dt := row.Day.Time()
				day := cal.Day(time.Date(dt.Year(), dt.Month(), dt.Day(), 12, 0, 0, 0, cal.Location()))
				if !slices.ContainsFunc(cadence, func(c relance.Day) bool { return c.Start.Equal(day.Start) }) {
					continue
				}
				var before []time.Time
				touchedBefore, today, touches := 0, 0, 0
				for _, c := range byLead[l.ID] {
					switch {
					case c.StartedAt.Before(day.Start):
						before = append(before, c.StartedAt)
						if c.Successful {
							touchedBefore++
						}
					case day.Contains(c.StartedAt):
						today++
						if c.Successful {
							touches++
						}
					}
				}
				if touchedBefore > 0 {
					continue // reached already: out of its cadence
				}
				row.InCadence++
				row.Attempts += today
				row.Quota += rule.AttemptsPerDay
				row.Touches += touches
				if today == 0 {
					row.NoAttempt++
				}
				if relance.CadenceOf(&rule, cadence, day, before, 0).Behind {
					row.Behind++
				}
			}
		}
		for _, a := range advisors {
			out = append(out, rows[a.ID]...)
		}
		return nil
	})
	return out, err
}

// reportAdvisors returns the active advisors p may report on: one, or those of a site, or all.
func (t *tx) reportAdvisors(ctx context.Context, p relance.Principal, siteID, advisorID uuid.UUID) ([]relance.User, error) {
	if siteID != uuid.Nil && !p.CanSeeSite(siteID) {
		return nil, relance.NotFound("site")
	}
	role := string(relance.RoleAdvisor)
	rows, err := t.q.UserList(ctx, db.UserListParams{Role: &role, SiteID: optUUID(siteID)})
	if err != nil {
		return nil, err
	}
	users, err := t.withSites(ctx, rows)
	if err != nil {
		return nil, err
	}
	var out []relance.User
	for _, u := range users {
		if u.Active && p.CanSeeUser(&u) && (advisorID == uuid.Nil || u.ID == advisorID) {
			out = append(out, u)
		}
	}
	if advisorID != uuid.Nil && len(out) == 0 {
		return nil, relance.NotFound("advisor")
	}
	return out, nil
}
