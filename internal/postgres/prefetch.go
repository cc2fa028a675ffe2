package postgres

import (
	"context"
	"slices"
	"time"

	"github.com/google/uuid"

	"github.com/relancehq/relance/gen/db"
	"github.com/relancehq/relance/internal/relance"
)

// prefetch reads at once, into t's memo, what timers fired together would otherwise each read
// on their own: the leads of the reminders and assignment alerts, the people they tell or
// digests go to, with their absences, push settings and devices, and what advisors' digests
// list. A 09:00 batch of 32 reminders then reads in five statements what took about a hundred.
//
// People are kept for the whole transaction, as the memo does: firing writes none. Leads are,
// and a lead is read once by whichever timer it is about (lead), so that no timer reads a lead as
// it was before another timer of the batch wrote it: a lead that two timers of the batch are
// about is not prefetched.
func (t *tx) prefetch(ctx context.Context, rows []db.Timer) error {
	if t.memo.users == nil {
		return nil // the zero memo keeps nothing
	}
	var leads, people, digests []uuid.UUID
	about := map[uuid.UUID]int{}
	for _, r := range rows {
		switch relance.TimerKind(r.Kind) {
		case relance.TimerLeadReminder:
			about[r.SubjectID]++
			if assignee, _, ok := parseReminderRef(r.Ref); ok {
				people = append(people, assignee)
			}
		case relance.TimerLeadAssigned:
			about[r.SubjectID]++
			if assignee, err := uuid.Parse(r.Ref); err == nil {
				people = append(people, assignee)
			}
		case relance.TimerDigest:
			people, digests = append(people, r.SubjectID), append(digests, r.SubjectID)
		}
	}
	for id, n := range about {
		if n == 1 {
			leads = append(leads, id)
		}
	}
	if len(leads) > 1 {
		found, err := t.q.LeadGetMany(ctx, leads)
		if err != nil {
			return err
		}
		t.memo.leads = make(map[uuid.UUID]db.Lead, len(found))
		for _, l := range found {
			t.memo.leads[l.ID] = l
		}
	}
	if err := t.prefetchPeople(ctx, people); err != nil {
		return err
	}
	return t.prefetchDigests(ctx, digests)
}

// prefetchPeople reads the people of ids the memo does not hold yet, with their absences, push
// settings and devices, in four statements. Someone not found is left for user to report.
func (t *tx) prefetchPeople(ctx context.Context, ids []uuid.UUID) error {
	slices.SortFunc(ids, func(a, b uuid.UUID) int { return slices.Compare(a[:], b[:]) })
	ids = slices.Compact(slices.DeleteFunc(ids, func(id uuid.UUID) bool { _, ok := t.memo.users[id]; return ok }))
	if len(ids) < 2 {
		return nil // one person costs the same read either way
	}
	users, err := t.q.UserGetMany(ctx, ids)
	if err != nil {
		return err
	}
	for _, u := range users {
		t.memo.users[u.User.ID] = userWithSites(u.User, u.SiteIds, u.UnitIds)
	}
	absences, err := t.q.AbsenceListForUsers(ctx, db.AbsenceListForUsersParams{UserIds: ids, FromTime: absencesFrom(t.now), ToTime: absencesTo(t.now)})
	if err != nil {
		return err
	}
	prefs, err := t.q.PushPreferencesGetMany(ctx, ids)
	if err != nil {
		return err
	}
	devices, err := t.q.DeviceListByUsers(ctx, ids)
	if err != nil {
		return err
	}
	for _, id := range ids {
		t.memo.absences[id], t.memo.pushPreferences[id], t.memo.devices[id] = []relance.Absence{}, relance.DefaultPushPreferences, []db.Device{}
	}
	for _, a := range absences {
		t.memo.absences[a.UserID] = append(t.memo.absences[a.UserID], toAbsence(a))
	}
	for _, p := range prefs {
		t.memo.pushPreferences[p.UserID] = toPushPreferences(p)
	}
	for _, d := range devices {
		t.memo.devices[d.UserID] = append(t.memo.devices[d.UserID], d)
	}
	return nil
}

// prefetchDigests reads what the digests of advisors among people list, in one statement per
// end of day (one per time zone of the organisation's sites). A manager's digest, which lists
// their team, reads its own (digestItems).
func (t *tx) prefetchDigests(ctx context.Context, people []uuid.UUID) error {
	if len(people) < 2 {
		return nil
	}
	byDayEnd := map[time.Time][]uuid.UUID{}
	for _, id := range people {
		u, ok := t.memo.users[id]
		if !ok || u.Role == relance.RoleManager {
			continue
		}
		cal, _, err := t.digestCalendar(ctx, &u)
		if err != nil {
			continue // their digest meets the error on its own (fireDigest), not the whole batch
		}
		end := cal.DayEnd(t.now).UTC() // one key per instant, whatever the zone
		byDayEnd[end] = append(byDayEnd[end], id)
	}
	for end, ids := range byDayEnd {
		items, err := t.q.DigestItems(ctx, db.DigestItemsParams{Assignees: ids, DayEnd: end})
		if err != nil {
			return err
		}
		if t.memo.digestItems == nil {
			t.memo.digestItems = map[digestOf][]db.DigestItemsRow{}
		}
		for _, id := range ids {
			t.memo.digestItems[digestOf{id, end}] = []db.DigestItemsRow{}
		}
		for _, it := range items {
			k := digestOf{it.AssigneeID, end}
			t.memo.digestItems[k] = append(t.memo.digestItems[k], it)
		}
	}
	return nil
}

// digestOf names the items of one advisor's digest: theirs, until the end of their day.
type digestOf struct {
	advisor uuid.UUID
	dayEnd  time.Time
}

// digestItems reads what a digest of the people ids lists until dayEnd, or takes what
// prefetchDigests read for an advisor's own.
func (t *tx) digestItems(ctx context.Context, ids []uuid.UUID, dayEnd time.Time) ([]db.DigestItemsRow, error) {
	if len(ids) == 1 {
		k := digestOf{ids[0], dayEnd.UTC()}
		if items, ok := t.memo.digestItems[k]; ok {
			delete(t.memo.digestItems, k)
			return items, nil
		}
	}
	return t.q.DigestItems(ctx, db.DigestItemsParams{Assignees: ids, DayEnd: dayEnd})
}

// lead reads a lead, or takes it from what prefetch read: once, as the timer it is about may
// write it.
func (t *tx) lead(ctx context.Context, id uuid.UUID) (db.Lead, error) {
	if l, ok := t.memo.leads[id]; ok {
		delete(t.memo.leads, id)
		return l, nil
	}
	return t.q.LeadGet(ctx, id)
}
