package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/relancehq/relance/gen/db"
	"github.com/relancehq/relance/internal/calendar"
	"github.com/relancehq/relance/internal/message"
	"github.com/relancehq/relance/internal/relance"
)

// planPage is how many people one planning round looks at.
const planPage = 500

// PlanTimers writes the periodic obligations nobody has planned yet: every active advisor and
// manager without a pending digest gets their next one. Several workers may plan at once and a
// worker may restart at any time: a digest's key (person and local day) makes it exist once.
// It returns how many timers it wrote.
func (d *DB) PlanTimers(ctx context.Context) (int, error) {
	planned := 0
	var after db.DigestUsersMissingRow
	for {
		rows, err := db.New(d.pool).DigestUsersMissing(ctx, db.DigestUsersMissingParams{
			AfterOrg: after.OrgID, AfterUser: after.UserID, RowLimit: planPage,
		})
		if err != nil {
			return planned, fmt.Errorf("plan digests: %w", err)
		}
		for start := 0; start < len(rows); {
			// One transaction per organisation.
			end := start
			for end < len(rows) && rows[end].OrgID == rows[start].OrgID {
				end++
			}
			err := d.inOrg(ctx, rows[start].OrgID, func(t *tx) error {
				for _, r := range rows[start:end] {
					ok, err := t.planDigest(ctx, r.UserID)
					if err != nil {
						return err
					}
					if ok {
						planned++
					}
				}
				return nil
			})
			if err != nil {
				return planned, err
			}
			start = end
		}
		if len(rows) < planPage {
			return planned, nil
		}
		after = rows[len(rows)-1]
	}
}

// digestCalendar is the calendar a person's digest follows: their first site's, with their
// absences, on the weekdays that site opens.
func (t *tx) digestCalendar(ctx context.Context, u *relance.User) (*calendar.Calendar, calendar.Weekdays, error) {
	if len(u.SiteIDs) == 0 {
		return nil, 0, calendar.ErrNeverOpen
	}
	cal, err := t.calendar(ctx, u.SiteIDs[0], u.ID)
	if err != nil {
		return nil, 0, err
	}
	return cal, cal.OpenWeekdays(), nil
}

// planDigest writes the next digest timer of a person: at the organisation's digest time on the
// next working day of their calendar whose digest is not written yet. It returns false when the
// person has no calendar to follow.
func (t *tx) planDigest(ctx context.Context, userID uuid.UUID) (bool, error) {
	u, err := t.user(ctx, userID)
	if err != nil {
		return false, err
	}
	org, err := t.q.OrganizationGet(ctx, t.org)
	if err != nil {
		return false, err
	}
	cal, days, err := t.digestCalendar(ctx, &u)
	if errors.Is(err, calendar.ErrNeverOpen) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	for n := 0; n < 3; n++ { // n=1 may name the same day as n=0 when today is not a working day
		due, err := cal.WorkingDayAt(t.now, n, int(org.DigestMinute), days)
		if errors.Is(err, calendar.ErrNoOpenTime) {
			return false, nil
		}
		if err != nil {
			return false, err
		}
		day := due.Format(time.DateOnly)
		id := uuid.Must(uuid.NewV7())
		written, err := t.q.TimerCreateKeyed(ctx, db.TimerCreateKeyedParams{
			ID: id, OrgID: t.org, Kind: string(relance.TimerDigest), SubjectID: u.ID, Ref: day, DueAt: due,
			Key: optString("digest:" + u.ID.String() + ":" + day), CreatedAt: t.now,
		})
		if err != nil {
			return false, err
		}
		if written == 1 {
			t.timers = append(t.timers, relance.TimerRef{ID: id, OrgID: t.org, Version: 1, DueAt: due})
			return true, nil
		}
	}
	return false, nil
}

// fireDigest sends a person's digest for the day, unless the organisation turned digests off,
// they are absent or it is no longer a working day; a digest with nothing to report is not sent.
// The planner writes the next one either way, so a digest turned on again goes out on the next
// working day.
func (t *tx) fireDigest(ctx context.Context, timer db.Timer) error {
	u, err := t.user(ctx, timer.SubjectID)
	if errors.Is(err, pgx.ErrNoRows) || relance.ErrorCode(err) == relance.CodeNotFound || (err == nil && !u.Active) {
		return nil
	}
	if err != nil {
		return err
	}
	org, err := t.organization(ctx)
	if err != nil {
		return err
	}
	if !org.DigestEnabled {
		return nil
	}
	cal, days, err := t.digestCalendar(ctx, &u)
	if errors.Is(err, calendar.ErrNeverOpen) {
		return nil
	}
	if err != nil {
		return err
	}
	if !cal.IsWorkingAt(t.now, days) || !u.Notifications.Email {
		return nil
	}
	team := []relance.User{u}
	if u.Role == relance.RoleManager {
		rows, err := t.q.UserListByManager(ctx, &u.ID)
		if err != nil {
			return err
		}
		for _, r := range rows {
			team = append(team, toUser(r, nil))
		}
	}
	ids := make([]uuid.UUID, len(team))
	for i, m := range team {
		ids[i] = m.ID
	}
	items, err := t.digestItems(ctx, ids, cal.DayEnd(t.now))
	if err != nil {
		return err
	}
	data := message.Digest{RecipientName: u.DisplayName, Date: timer.Ref, Team: u.Role == relance.RoleManager}
	for _, m := range team {
		g := message.DigestGroup{AdvisorName: m.DisplayName}
		for _, it := range items {
			if it.AssigneeID != m.ID {
				continue
			}
			item := message.DigestItem{ContactName: it.ContactName, ContactPhone: it.ContactPhone, Source: it.Source, Action: it.Action}
			if it.DueAt != nil {
				at := it.DueAt.In(cal.Location())
				item.At = at.Format("2006-01-02 15:04")
				if at.Format(time.DateOnly) == timer.Ref {
					item.At = at.Format("15:04")
				}
			}
			if it.Reason == "late" {
				g.Late = append(g.Late, item)
			} else {
				g.Planned = append(g.Planned, item)
			}
		}
		if len(g.Planned)+len(g.Late) > 0 {
			data.Groups = append(data.Groups, g)
		}
	}
	if len(data.Groups) == 0 {
		return nil
	}
	data.AppURL = t.links.App()
	msg, err := message.Render("digest", u.Locale, data)
	if err != nil {
		return err
	}
	return t.deliver(ctx, "digest:"+u.ID.String()+":"+timer.Ref+":email",
		relance.Message{Channel: relance.ChannelEmail, To: u.AlertEmail(), Subject: msg.Subject, Text: msg.Text, HTML: msg.HTML},
		u.ID, uuid.Nil)
}

// UpdateOrganization changes the organisation's name, digest time, whether digests are sent,
// send time and message caps (admins only); a cap out of its bounds answers invalid-argument.
// A new digest time applies from the next planning round: pending digests are cancelled and
// planned again. A new send time applies to calls and steps scheduled from then on.
func (d *DB) UpdateOrganization(ctx context.Context, p relance.Principal, ch relance.OrganizationChange) (relance.Organization, error) {
	if err := p.CheckManageSites(); err != nil {
		return relance.Organization{}, err
	}
	for field, m := range map[string]*int{"digest_time": ch.DigestMinute, "send_time": ch.SendMinute} {
		if m != nil && (*m < 0 || *m >= 1440) {
			return relance.Organization{}, relance.Invalid(field, "must be between 00:00 and 23:59")
		}
	}
	var org relance.Organization
	err := d.inOrg(ctx, p.OrgID, func(t *tx) error {
		row, err := t.q.OrganizationGet(ctx, t.org)
		if err != nil {
			return err
		}
		org = toOrganization(row)
		before := org
		if ch.Name != nil {
			org.Name = *ch.Name
		}
		if ch.SendMinute != nil {
			org.SendMinute = *ch.SendMinute
		}
		if ch.DigestOn != nil {
			org.DigestOn = *ch.DigestOn
		}
		if ch.SenderMode != nil {
			if err := relance.CheckSenderMode("sender_mode", *ch.SenderMode); err != nil {
				return err
			}
			org.SenderMode = *ch.SenderMode
		}
		for _, c := range []struct{ to, from *int }{
			{&org.Caps.SMSPerDay, ch.SMSPerDay}, {&org.Caps.EmailsPerDay, ch.EmailsPerDay},
			{&org.Caps.PerRecipientPerDay, ch.PerRecipientPerDay}, {&org.RepeatDays, ch.RepeatDays},
		} {
			if c.from != nil {
				*c.to = *c.from
			}
		}
		if err := org.Caps.Validate(); err != nil {
			return err
		}
		if err := relance.CheckRepeatDays("repeat_days", org.RepeatDays); err != nil {
			return err
		}
		if ch.DigestMinute != nil && *ch.DigestMinute != org.DigestMinute {
			org.DigestMinute = *ch.DigestMinute
			if err := t.q.TimerCancelByKind(ctx, db.TimerCancelByKindParams{Kind: string(relance.TimerDigest), UpdatedAt: t.now}); err != nil {
				return err
			}
		}
		if err := t.q.OrganizationUpdate(ctx, db.OrganizationUpdateParams{
			ID: t.org, Name: org.Name, DigestMinute: int16(org.DigestMinute), SendMinute: int16(org.SendMinute),
			SmsDailyCap: int32(org.Caps.SMSPerDay), EmailDailyCap: int32(org.Caps.EmailsPerDay),
			RecipientDailyCap: int32(org.Caps.PerRecipientPerDay), RepeatDays: int32(org.RepeatDays), DigestEnabled: org.DigestOn,
			SenderMode: string(org.SenderMode),
		}); err != nil {
			return err
		}
		return t.audit(ctx, p, "organization.update", "organization", t.org, relance.OrganizationChanges(&before, &org))
	})
	return org, err
}

func toOrganization(o db.Organization) relance.Organization {
	return relance.Organization{
		ID: o.ID, Name: o.Name, DigestMinute: int(o.DigestMinute), DigestOn: o.DigestEnabled, SendMinute: int(o.SendMinute), CreatedAt: o.CreatedAt,
		RepeatDays: int(o.RepeatDays), SenderMode: relance.SenderMode(o.SenderMode),
		Caps: relance.MessageCaps{
			SMSPerDay: int(o.SmsDailyCap), EmailsPerDay: int(o.EmailDailyCap), PerRecipientPerDay: int(o.RecipientDailyCap),
		},
	}
}
