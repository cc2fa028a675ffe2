package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/relancehq/relance/gen/db"
	"github.com/relancehq/relance/internal/calendar"
	"github.com/relancehq/relance/internal/message"
	"github.com/relancehq/relance/internal/relance"
)

// storedRung is a rung as kept in reminder_policies.rungs.
type storedRung struct {
	DelaySeconds int64               `json:"delay_seconds"`
	Recipients   []relance.Recipient `json:"recipients"`
	Channels     []relance.Channel   `json:"channels"`
}

// ReminderPolicy returns the ladder of site siteID and whether it is the default one. It returns
// not-found for a site p may not see.
func (d *DB) ReminderPolicy(ctx context.Context, p relance.Principal, siteID uuid.UUID) ([]relance.Rung, bool, error) {
	if !p.CanSeeSite(siteID) {
		return nil, false, relance.NotFound("site")
	}
	var rungs []relance.Rung
	var isDefault bool
	err := d.inOrg(ctx, p.OrgID, func(t *tx) error {
		if _, err := t.q.SiteGet(ctx, siteID); err != nil {
			return found(err, "site")
		}
		var err error
		rungs, isDefault, err = t.policy(ctx, siteID)
		return err
	})
	return rungs, isDefault, err
}

// SetReminderPolicy replaces the ladder of site siteID (admins, managers of the site). It returns
// invalid-input for a ladder that breaks relance.ValidateLadder.
func (d *DB) SetReminderPolicy(ctx context.Context, p relance.Principal, siteID uuid.UUID, rungs []relance.Rung) error {
	if err := p.CheckManageReminders(siteID); err != nil {
		return err
	}
	if err := relance.ValidateLadder(rungs); err != nil {
		return err
	}
	stored := make([]storedRung, len(rungs))
	for i, r := range rungs {
		stored[i] = storedRung{DelaySeconds: int64(r.Delay / time.Second), Recipients: r.Recipients, Channels: r.Channels}
	}
	raw, err := json.Marshal(stored)
	if err != nil {
		return err
	}
	return d.inOrg(ctx, p.OrgID, func(t *tx) error {
		if _, err := t.q.SiteGet(ctx, siteID); err != nil {
			return found(err, "site")
		}
		if err := t.q.ReminderPolicySet(ctx, db.ReminderPolicySetParams{SiteID: siteID, OrgID: t.org, Rungs: raw, UpdatedAt: t.now}); err != nil {
			return err
		}
		return t.audit(ctx, p, "reminders.set", "site", siteID, map[string]any{"rungs": len(rungs)})
	})
}

// LateCounts returns, per advisor p may see, their open and late leads (optionally of one site).
func (d *DB) LateCounts(ctx context.Context, p relance.Principal, siteID uuid.UUID) ([]relance.LateCount, error) {
	sites, assignee, ok := p.LeadVisibility()
	if !ok {
		return nil, relance.Errorf(relance.CodePermissionDenied, "this key may not read leads")
	}
	var out []relance.LateCount
	err := d.inOrg(ctx, p.OrgID, func(t *tx) error {
		rows, err := t.q.LeadLateCounts(ctx, db.LeadLateCountsParams{
			SiteID: optUUID(siteID), VisibleSiteIds: sites, VisibleAssigneeID: optUUID(assignee),
		})
		for _, r := range rows {
			out = append(out, relance.LateCount{AdvisorID: r.AssigneeID, Late: int(r.Late), Open: int(r.Open)})
		}
		return err
	})
	return out, err
}

// ladder returns a site's rungs, or the default ladder when it set none.
func (t *tx) ladder(ctx context.Context, siteID uuid.UUID) ([]relance.Rung, error) {
	return remember(t.memo.ladders, siteID, func() ([]relance.Rung, error) {
		rungs, _, err := t.policy(ctx, siteID)
		return rungs, err
	})
}

// policy is ladder, read every time, and whether the ladder is the default one.
func (t *tx) policy(ctx context.Context, siteID uuid.UUID) ([]relance.Rung, bool, error) {
	row, err := t.q.ReminderPolicyGet(ctx, siteID)
	return policyOf(siteID, row, err)
}

// policyOf makes site siteID's ladder of what ReminderPolicyGet answered, and tells whether it
// is the default one (the site has no policy).
func policyOf(siteID uuid.UUID, row db.ReminderPolicy, err error) ([]relance.Rung, bool, error) {
	if errors.Is(err, pgx.ErrNoRows) {
		return relance.DefaultLadder(), true, nil
	}
	if err != nil {
		return nil, false, err
	}
	var stored []storedRung
	if err := json.Unmarshal(row.Rungs, &stored); err != nil {
		return nil, false, fmt.Errorf("reminder policy of site %s: %w", siteID, err)
	}
	rungs := make([]relance.Rung, len(stored))
	for i, s := range stored {
		rungs[i] = relance.Rung{Delay: time.Duration(s.DelaySeconds) * time.Second, Recipients: s.Recipients, Channels: s.Channels}
	}
	return rungs, false, nil
}

// reminderRef is what a reminder timer was written for: an assignee and a rung.
func reminderRef(assignee uuid.UUID, rung int) string {
	return assignee.String() + "|" + strconv.Itoa(rung)
}

func parseReminderRef(ref string) (uuid.UUID, int, bool) {
	a, r, ok := strings.Cut(ref, "|")
	id, err1 := uuid.Parse(a)
	rung, err2 := strconv.Atoi(r)
	return id, rung, ok && err1 == nil && err2 == nil
}

// startLadder cancels a lead's pending reminders and schedules the first rung for its assignee,
// the rung's delay of the advisor's business time after from. A site without opening hours or
// without rungs reminds no one.
func (t *tx) startLadder(ctx context.Context, lead *relance.Lead, from time.Time) error {
	if err := t.stopLadder(ctx, lead.ID); err != nil {
		return err
	}
	if lead.AssigneeID == uuid.Nil || lead.Stage != relance.StageOpen {
		return nil
	}
	return t.scheduleRung(ctx, lead, 0, from)
}

// stopLadder cancels a lead's pending reminders.
func (t *tx) stopLadder(ctx context.Context, leadID uuid.UUID) error {
	return t.q.TimerCancelBySubject(ctx, db.TimerCancelBySubjectParams{
		SubjectID: leadID, Kind: string(relance.TimerLeadReminder), UpdatedAt: t.now,
	})
}

// scheduleRung writes the timer of rung index of lead's ladder, its delay after from.
func (t *tx) scheduleRung(ctx context.Context, lead *relance.Lead, index int, from time.Time) error {
	due, ok, err := t.rungDue(ctx, lead, index, from)
	if err != nil || !ok {
		return err
	}
	return t.schedule(ctx, relance.TimerLeadReminder, lead.ID, reminderRef(lead.AssigneeID, index), due)
}

// rungDue returns when rung index of the lead's site ladder fires: its delay of the advisor's
// business time after from. ok is false when there is no such rung, no advisor, or no working
// time ahead to remind into.
func (t *tx) rungDue(ctx context.Context, lead *relance.Lead, index int, from time.Time) (time.Time, bool, error) {
	if lead.AssigneeID == uuid.Nil {
		return time.Time{}, false, nil
	}
	rungs, err := t.ladder(ctx, lead.SiteID)
	if err != nil {
		return time.Time{}, false, err
	}
	cal, err := t.calendar(ctx, lead.SiteID, lead.AssigneeID)
	if errors.Is(err, calendar.ErrNeverOpen) {
		return time.Time{}, false, nil
	}
	if err != nil {
		return time.Time{}, false, err
	}
	return rungAfter(rungs, cal, index, from)
}

// rungAfter is rungDue with the ladder and the advisor's calendar already at hand.
func rungAfter(rungs []relance.Rung, cal *calendar.Calendar, index int, from time.Time) (time.Time, bool, error) {
	if index >= len(rungs) {
		return time.Time{}, false, nil
	}
	due, err := cal.Add(from, rungs[index].Delay)
	if errors.Is(err, calendar.ErrNoOpenTime) {
		return time.Time{}, false, nil
	}
	return due, err == nil, err
}

// fireReminder sends one rung of a lead's ladder, unless the lead was answered, closed or given to
// someone else since; it marks the lead late at the first rung and schedules the next one. When
// the advisor's calendar is closed now (a task delivered late, or the hours changed), the timer
// moves to the next open instant instead and done is false.
func (t *tx) fireReminder(ctx context.Context, timer db.Timer) (done bool, err error) {
	if assignee, rule, moves, ok := parseMoveRef(timer.Ref); ok {
		return t.fireMove(ctx, timer, assignee, rule, moves)
	}
	assignee, index, ok := parseReminderRef(timer.Ref)
	if !ok {
		return true, fmt.Errorf("reminder timer %s: bad ref %q", timer.ID, timer.Ref)
	}
	row, err := t.lead(ctx, timer.SubjectID)
	if errors.Is(err, pgx.ErrNoRows) {
		return true, nil
	}
	if err != nil {
		return false, err
	}
	lead := toLead(row)
	if lead.AssigneeID != assignee || lead.Stage != relance.StageOpen || lead.FirstResponseAt != nil {
		return true, nil // stale: answered, closed or reassigned since
	}
	site, cal, err := t.siteCalendar(ctx, lead.SiteID, assignee)
	if errors.Is(err, calendar.ErrNeverOpen) {
		return true, nil
	}
	if err != nil {
		return false, err
	}
	if open, err := t.openNowOrLater(ctx, timer, cal); !open || err != nil {
		return false, err
	}
	rungs, err := t.ladder(ctx, lead.SiteID)
	if err != nil || index >= len(rungs) {
		return true, err
	}
	data := message.Reminder{
		Rung: index + 1, ContactName: lead.Contact.Name,
		ContactPhone: lead.Contact.Phone, Source: lead.Source, SiteName: site.Name,
		ReceivedAt: lead.ReceivedAt.In(cal.Location()), Waiting: cal.Between(*lead.AssignedAt, t.now),
		LeadURL: t.links.Lead(lead.ID),
	}
	err = t.tellRung(ctx, rungs[index], assignee, "reminder:"+timer.ID.String(), relance.AlertLeadReminder, lead.ID,
		func(recipient, advisor *relance.User, escalation bool) (message.Rendered, error) {
			data.RecipientName, data.AdvisorName, data.Escalation = recipient.DisplayName, advisor.DisplayName, escalation
			return message.Render("reminder", recipient.Locale, data)
		})
	if err != nil {
		return false, err
	}
	if index == 0 {
		t.late = append(t.late, lead.ID) // marked late with the others, before commit
	}
	due, ok, err := rungAfter(rungs, cal, index+1, t.now)
	if err != nil || !ok {
		return true, err
	}
	next := reminderRef(assignee, index+1)
	if !t.deferWrites {
		return true, t.schedule(ctx, relance.TimerLeadReminder, lead.ID, next, due)
	}
	// A timer of the batch that stops this lead's ladder (a move) cannot cancel the rung yet;
	// the rung then finds the lead given to someone else, and sends nothing.
	t.scheduleLater(relance.TimerLeadReminder, lead.ID, next, due)
	return true, nil
}

// openNowOrLater reports whether the calendar is open now; when it is not, it moves the timer to
// the next open instant (or, with none ahead, reports closed and leaves it) so that nothing is
// sent while the site is closed or the advisor away.
func (t *tx) openNowOrLater(ctx context.Context, timer db.Timer, cal *calendar.Calendar) (bool, error) {
	if cal.IsOpen(t.now) {
		return true, nil
	}
	next, err := cal.NextOpen(t.now)
	if err != nil {
		return false, t.q.TimerFinish(ctx, db.TimerFinishParams{ID: timer.ID, State: "cancelled", FiredAt: &t.now})
	}
	_, err = t.reschedule(ctx, timer.ID, next)
	return false, err
}

// tellRung sends one rung of a ladder about a lead: to the advisor and/or their manager, each in
// their language (render), on the rung's channels they accept, with an in-app alert of kind. Keys
// derive from key and the recipient, so that firing twice tells them once.
func (t *tx) tellRung(ctx context.Context, rung relance.Rung, advisorID uuid.UUID, key string, kind relance.AlertKind, leadID uuid.UUID,
	render func(recipient, advisor *relance.User, escalation bool) (message.Rendered, error)) error {
	advisor, err := t.user(ctx, advisorID)
	if err != nil {
		return err
	}
	for _, r := range rung.Recipients {
		recipient := advisor
		if r == relance.RecipientManager {
			if advisor.ManagerID == uuid.Nil {
				continue
			}
			if recipient, err = t.user(ctx, advisor.ManagerID); err != nil {
				return err
			}
			if !recipient.Active {
				continue
			}
		}
		msg, err := render(&recipient, &advisor, r == relance.RecipientManager)
		if err != nil {
			return err
		}
		if err := t.alertAndDeliver(ctx, key+":"+recipient.ID.String(), kind, &recipient, leadID, msg,
			relance.ReminderChannels(rung, &recipient)); err != nil {
			return err
		}
		escalation := r == relance.RecipientManager
		t.observe(func(o Observer) { o.ReminderSent(kind, escalation) })
	}
	return nil
}
