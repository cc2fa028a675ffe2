package postgres_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/relancehq/relance/internal/relance"
)

func (s *sim) status(name string, days int, terminal relance.Stage, scope relance.StatusFor) relance.Status {
	s.t.Helper()
	st, err := s.db.CreateStatus(ctx, s.w.As(s.w.Manager), relance.Status{
		Name: name, For: scope, SchedulesCall: days > 0, CallAfterDays: days, Terminal: terminal,
	})
	if err != nil {
		s.t.Fatalf("create status %s: %v", name, err)
	}
	return st
}

func (s *sim) setLeadStatus(as relance.User, lead uuid.UUID, status uuid.UUID) relance.Lead {
	s.t.Helper()
	l, err := s.db.UpdateLead(ctx, s.w.As(as), lead, relance.LeadChange{StatusID: &status})
	if err != nil {
		s.t.Fatalf("set status: %v", err)
	}
	return l
}

// pendingCalls lists the due instants (Paris time) of the pending status calls p may see.
func (s *sim) pendingCalls(p relance.Principal, f relance.ScheduledCallFilter) []string {
	s.t.Helper()
	calls, _, _, err := s.db.ListScheduledCalls(ctx, p, f)
	if err != nil {
		s.t.Fatal(err)
	}
	var out []string
	for _, c := range calls {
		if c.State == relance.ActionScheduled {
			out = append(out, c.SubjectName+" "+c.DueAt.In(parisZone).Format("Mon 01-02 15:04"))
		}
	}
	return out
}

func TestStatusCallsFollowTheAdvisorsWorkingDays(t *testing.T) {
	t.Parallel()
	s := newSim(t, paris(t, "2026-12-18 15:00")) // a Friday
	admin := s.w.As(s.w.Admin)
	if _, err := s.db.AddSiteClosures(ctx, admin, s.w.Lyon.ID, []relance.Closure{
		{Start: relance.Date{Year: 2026, Month: 12, Day: 25}, End: relance.Date{Year: 2026, Month: 12, Day: 25}, Reason: "Noël"},
	}, false); err != nil {
		t.Fatal(err)
	}
	warm := s.status("Tiède", 2, "", relance.StatusForBoth)
	hot := s.status("Chaud", 1, "", relance.StatusForLeads)
	lead := s.w.Lead(t, "Jean", s.w.Alice.ID)
	all := relance.ScheduledCallFilter{}

	// Friday 15:00 + 2 working days at the send time (10:00): the weekend is skipped.
	s.setLeadStatus(s.w.Alice, lead.ID, warm.ID)
	wantList(t, "after warm", s.pendingCalls(admin, all), []string{"Jean Tue 12-22 10:00"})

	// Changed again the same day: the call is recalculated, never doubled.
	s.set(paris(t, "2026-12-18 16:00"))
	s.setLeadStatus(s.w.Alice, lead.ID, hot.ID)
	wantList(t, "after hot", s.pendingCalls(admin, all), []string{"Jean Mon 12-21 10:00"})

	// From Wednesday the 23rd, 2 working days skip Christmas (a closure): Thursday, then Monday.
	s.set(paris(t, "2026-12-23 11:00"))
	s.setLeadStatus(s.w.Alice, lead.ID, warm.ID)
	wantList(t, "over the holiday", s.pendingCalls(admin, all), []string{"Jean Mon 12-28 10:00"})

	// The advisor's absence days are not working days either.
	if _, err := s.db.AddAbsence(ctx, admin, relance.Absence{
		UserID: s.w.Alice.ID, StartsAt: paris(t, "2026-12-28 00:00"), EndsAt: paris(t, "2026-12-29 00:00"),
	}); err != nil {
		t.Fatal(err)
	}
	s.setLeadStatus(s.w.Alice, lead.ID, hot.ID)
	s.setLeadStatus(s.w.Alice, lead.ID, warm.ID)
	wantList(t, "around the absence", s.pendingCalls(admin, all), []string{"Jean Tue 12-29 10:00"})
}

func TestStatusCallRotation(t *testing.T) {
	t.Parallel()
	s := newSim(t, paris(t, "2026-12-14 09:00")) // a Monday
	warm := s.status("Tiède", 2, "", relance.StatusForBoth)
	quiet := s.status("Sans suite", 0, "", relance.StatusForLeads)
	won := s.status("Gagné", 0, relance.StageWon, relance.StatusForLeads)
	lead := s.w.Lead(t, "Jean", s.w.Alice.ID)
	alice := s.w.As(s.w.Alice)
	s.setLeadStatus(s.w.Alice, lead.ID, warm.ID)

	// At its time the call reaches Alice's inbox and she gets an alert; it was in her 09:00 digest.
	s.runUntil(paris(t, "2026-12-16 10:00"))
	if _, digests := s.digests(parisZone); !slices.ContainsFunc(digests, func(m relance.Message) bool {
		return strings.HasPrefix(m.To, "alice@") && strings.Contains(m.Text, "Jean")
	}) {
		t.Fatalf("alice's digests %+v do not list the call", digests)
	}
	inbox, err := s.db.ListMyActions(ctx, alice, relance.TimingOverdue)
	if err != nil || len(inbox) != 0 {
		t.Fatalf("overdue at its instant = %+v, %v", inbox, err)
	}
	inbox, err = s.db.ListMyActions(ctx, alice, relance.TimingToday)
	if err != nil || len(inbox) != 1 || inbox[0].Action.Kind != relance.KindCall || inbox[0].Action.Subject != "Tiède" {
		t.Fatalf("today = %+v, %v", inbox, err)
	}
	call := inbox[0].Action
	alerts, err := s.db.ListAlerts(ctx, alice, true, 50)
	if err != nil || !hasAlert(alerts, "action.due") {
		t.Fatalf("alerts = %+v, %v", alerts, err)
	}

	// Left undone, it climbs the reminder ladder (2 business hours: 12:00).
	s.runUntil(paris(t, "2026-12-16 14:00"))
	if got := s.overdueReminders(); !slices.Contains(got, "alice Wed 12-16 12:00") {
		t.Fatalf("reminders = %q", got)
	}

	// Done at 14:00: a human call on the lead's timeline, and the next call two working days on.
	done, err := s.db.CompleteAction(ctx, alice, call.ID, relance.ActionOutcome{Outcome: "rappeler après les fêtes"})
	if err != nil || done.State != relance.ActionDone || done.ActivityID == uuid.Nil {
		t.Fatalf("complete = %+v, %v", done, err)
	}
	got, err := s.db.GetLead(ctx, alice, lead.ID)
	if err != nil || got.FirstResponseAt == nil || !got.FirstResponseAt.Equal(paris(t, "2026-12-16 14:00")) {
		t.Fatalf("lead after the call = %+v, %v", got, err)
	}
	wantList(t, "next call", s.pendingCalls(alice, relance.ScheduledCallFilter{}), []string{"Jean Fri 12-18 10:00"})
	if _, err := s.db.CompleteAction(ctx, alice, call.ID, relance.ActionOutcome{}); relance.ErrorCode(err) != relance.CodeFailedPrecondition {
		t.Fatalf("completing twice = %v", err)
	}

	// A status that asks for no call cancels the pending one; a terminal one closes the lead.
	s.setLeadStatus(s.w.Alice, lead.ID, quiet.ID)
	wantList(t, "after a status without calls", s.pendingCalls(alice, relance.ScheduledCallFilter{}), nil)
	s.setLeadStatus(s.w.Alice, lead.ID, warm.ID)
	closed := s.setLeadStatus(s.w.Alice, lead.ID, won.ID)
	if closed.Stage != relance.StageWon {
		t.Fatalf("stage after a won status = %s", closed.Stage)
	}
	wantList(t, "after won", s.pendingCalls(alice, relance.ScheduledCallFilter{}), nil)
}

// overdueReminders lists "who local-time" for each reminder of an undone action.
func (s *sim) overdueReminders() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for _, m := range s.sent {
		if strings.Contains(m.msg.Subject, "Overdue") || strings.Contains(m.msg.Subject, "retard") {
			out = append(out, strings.Split(m.msg.To, "@")[0]+" "+m.at.In(parisZone).Format("Mon 01-02 15:04"))
		}
	}
	return out
}

func hasAlert(alerts []relance.Alert, kind relance.AlertKind) bool {
	for _, a := range alerts {
		if a.Kind == kind {
			return true
		}
	}
	return false
}

func TestActionsArePrivateToTheirAssignee(t *testing.T) {
	t.Parallel()
	s := newSim(t, paris(t, "2026-12-14 09:00"))
	warm := s.status("Tiède", 1, "", relance.StatusForLeads)
	lead := s.w.Lead(t, "Jean", s.w.Alice.ID)
	s.setLeadStatus(s.w.Manager, lead.ID, warm.ID)
	inbox, err := s.db.ListMyActions(ctx, s.w.As(s.w.Alice), "")
	if err != nil || len(inbox) != 1 || inbox[0].Timing != relance.TimingUpcoming {
		t.Fatalf("alice's inbox = %+v, %v", inbox, err)
	}
	id := inbox[0].Action.ID
	for _, u := range []relance.User{s.w.Admin, s.w.Manager, s.w.Bob} {
		p := s.w.As(u)
		if _, err := s.db.GetAction(ctx, p, id); relance.ErrorCode(err) != relance.CodeNotFound {
			t.Errorf("%s get = %v", u.DisplayName, err)
		}
		if _, err := s.db.CompleteAction(ctx, p, id, relance.ActionOutcome{}); relance.ErrorCode(err) != relance.CodeNotFound {
			t.Errorf("%s complete = %v", u.DisplayName, err)
		}
		if _, err := s.db.SkipAction(ctx, p, id, "no"); relance.ErrorCode(err) != relance.CodeNotFound {
			t.Errorf("%s skip = %v", u.DisplayName, err)
		}
		kind := relance.KindTask
		if _, err := s.db.UpdateAction(ctx, p, id, relance.ActionChange{Kind: &kind}); relance.ErrorCode(err) != relance.CodeNotFound {
			t.Errorf("%s update = %v", u.DisplayName, err)
		}
		if mine, err := s.db.ListMyActions(ctx, p, ""); err != nil || len(mine) != 0 {
			t.Errorf("%s inbox = %+v, %v", u.DisplayName, mine, err)
		}
	}
	partner := relance.Principal{OrgID: s.w.Org.ID, Role: relance.RolePartner, Scopes: []relance.Scope{relance.ScopeLeadsRead}}
	if _, err := s.db.GetAction(ctx, partner, id); relance.ErrorCode(err) != relance.CodeNotFound {
		t.Errorf("partner get = %v", err)
	}
	// Alice reworks it, then skips it; the manager still follows it in the scheduled calls.
	email := relance.KindEmail
	a, err := s.db.UpdateAction(ctx, s.w.As(s.w.Alice), id, relance.ActionChange{Kind: &email, Recipients: &[]string{"jean@example.com"}})
	if err != nil || a.Kind != relance.KindEmail || len(a.Recipients) != 1 {
		t.Fatalf("update = %+v, %v", a, err)
	}
	meeting := relance.KindMeeting
	if _, err := s.db.UpdateAction(ctx, s.w.As(s.w.Alice), id, relance.ActionChange{Kind: &meeting}); relance.ErrorCode(err) != relance.CodeInvalid {
		t.Fatalf("a meeting action = %v", err)
	}
	if _, err := s.db.SkipAction(ctx, s.w.As(s.w.Alice), id, "en vacances"); err != nil {
		t.Fatal(err)
	}
	// The manager sees the skip and its reason, and the next call: a skipped call keeps the rotation.
	calls, _, _, err := s.db.ListScheduledCalls(ctx, s.w.As(s.w.Manager), relance.ScheduledCallFilter{})
	if err != nil || len(calls) != 2 || calls[0].ID != id || calls[0].State != relance.ActionSkipped ||
		calls[0].Outcome != "en vacances" || calls[1].State != relance.ActionScheduled {
		t.Fatalf("manager's calls after the skip = %+v, %v", calls, err)
	}
}

func TestCounterpartiesAndTheScheduledCallListing(t *testing.T) {
	t.Parallel()
	s := newSim(t, paris(t, "2026-12-14 09:00"))
	warm := s.status("Tiède", 2, "", relance.StatusForBoth)
	cold := s.status("Froid", 10, "", relance.StatusForCounterparties)
	admin, manager := s.w.As(s.w.Admin), s.w.As(s.w.Manager)

	garage, err := s.db.CreateCounterparty(ctx, manager, relance.Counterparty{
		SiteID: s.w.Lyon.ID, Kind: "company", Name: "Garage Martin", Category: "B", ResponsibleID: s.w.Bob.ID, StatusID: cold.ID,
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.db.CreateCounterparty(ctx, admin, relance.Counterparty{
		SiteID: s.w.Paris.ID, Kind: "person", Name: "Zoé", Category: "A", ResponsibleID: s.w.Pauline.ID, StatusID: warm.ID,
	}); err != nil {
		t.Fatal(err)
	}
	lead := s.w.Lead(t, "Jean", s.w.Alice.ID)
	s.setLeadStatus(s.w.Alice, lead.ID, warm.ID)

	// A counterparty-only status is refused on a lead; nothing changes.
	if _, err := s.db.UpdateLead(ctx, admin, lead.ID, relance.LeadChange{StatusID: &cold.ID}); relance.ErrorCode(err) != relance.CodeInvalid {
		t.Fatalf("counterparty status on a lead = %v", err)
	}

	wantList(t, "manager of Lyon", s.pendingCalls(manager, relance.ScheduledCallFilter{}),
		[]string{"Jean Wed 12-16 10:00", "Garage Martin Mon 12-28 10:00"})
	wantList(t, "admin, by the manager's team", s.pendingCalls(admin, relance.ScheduledCallFilter{ManagerID: s.w.Manager.ID}),
		[]string{"Jean Wed 12-16 10:00", "Garage Martin Mon 12-28 10:00"})
	wantList(t, "admin, category A", s.pendingCalls(admin, relance.ScheduledCallFilter{Category: "A"}),
		[]string{"Zoé Wed 12-16 10:00"})
	wantList(t, "admin, counterparties of one status", s.pendingCalls(admin, relance.ScheduledCallFilter{StatusID: warm.ID, Subject: "counterparty"}),
		[]string{"Zoé Wed 12-16 10:00"})
	wantList(t, "Bob", s.pendingCalls(s.w.As(s.w.Bob), relance.ScheduledCallFilter{}), []string{"Garage Martin Mon 12-28 10:00"})

	_, _, counts, err := s.db.ListScheduledCalls(ctx, admin, relance.ScheduledCallFilter{})
	if err != nil {
		t.Fatal(err)
	}
	want := map[uuid.UUID]int{warm.ID: 2, cold.ID: 1}
	for _, c := range counts {
		if want[c.StatusID] != c.Pending {
			t.Errorf("count of %s = %d, want %d", c.StatusID, c.Pending, want[c.StatusID])
		}
		delete(want, c.StatusID)
	}
	if len(want) != 0 {
		t.Errorf("missing counts %v", want)
	}

	// Once overdue, the state filter tells them apart.
	s.set(paris(t, "2026-12-17 09:00"))
	wantList(t, "overdue", s.pendingCalls(admin, relance.ScheduledCallFilter{State: relance.CallOverdue}),
		[]string{"Zoé Wed 12-16 10:00", "Jean Wed 12-16 10:00"}) // same instant: in creation order

	// Handing the customer to Alice hands her the call too; advisors cannot do it.
	if _, err := s.db.UpdateCounterparty(ctx, s.w.As(s.w.Bob), garage.ID, relance.CounterpartyChange{ResponsibleID: &s.w.Alice.ID}, nil); relance.ErrorCode(err) != relance.CodePermissionDenied {
		t.Fatalf("advisor hand-over = %v", err)
	}
	if _, err := s.db.UpdateCounterparty(ctx, manager, garage.ID, relance.CounterpartyChange{ResponsibleID: &s.w.Alice.ID}, nil); err != nil {
		t.Fatal(err)
	}
	wantList(t, "Alice after the hand-over", s.pendingCalls(s.w.As(s.w.Alice), relance.ScheduledCallFilter{Subject: "counterparty"}),
		[]string{"Garage Martin Mon 12-28 10:00"})
	if _, err := s.db.GetCounterparty(ctx, s.w.As(s.w.Bob), garage.ID); relance.ErrorCode(err) != relance.CodeNotFound {
		t.Fatalf("Bob reading a customer no longer his = %v", err)
	}
	list, _, err := s.db.ListCounterparties(ctx, manager, relance.CounterpartyFilter{Category: "B"})
	if err != nil || len(list) != 1 || list[0].Name != "Garage Martin" {
		t.Fatalf("manager's B customers = %+v, %v", list, err)
	}

	// On its day the customer's call is in Alice's 09:00 digest.
	s.runUntil(paris(t, "2026-12-28 09:30"))
	if _, digests := s.digests(parisZone); !slices.ContainsFunc(digests, func(m relance.Message) bool {
		return strings.HasPrefix(m.To, "alice@") && strings.Contains(m.Subject, "12-28") && strings.Contains(m.Text, "Garage Martin")
	}) {
		t.Fatalf("alice's digests %+v do not list the customer's call", digests)
	}

	// Skipped with a reason, it is the customer's history; the next call is planned.
	calls, _, _, err := s.db.ListScheduledCalls(ctx, s.w.As(s.w.Alice), relance.ScheduledCallFilter{CounterpartyID: garage.ID})
	if err != nil || len(calls) != 1 {
		t.Fatalf("garage's calls = %+v, %v", calls, err)
	}
	if _, err := s.db.SkipAction(ctx, s.w.As(s.w.Alice), calls[0].Action.ID, "fermé pour inventaire"); err != nil {
		t.Fatal(err)
	}
	history, _, _, err := s.db.ListScheduledCalls(ctx, manager, relance.ScheduledCallFilter{CounterpartyID: garage.ID, State: relance.CallDone})
	if err != nil || len(history) != 1 || history[0].Action.State != relance.ActionSkipped || history[0].Action.Outcome != "fermé pour inventaire" {
		t.Fatalf("garage's history = %+v, %v", history, err)
	}
	wantList(t, "garage's next call", s.pendingCalls(manager, relance.ScheduledCallFilter{CounterpartyID: garage.ID}),
		[]string{"Garage Martin Mon 01-11 10:00"}) // 10 working days after Monday 28th
}

func TestStatusReferenceBook(t *testing.T) {
	t.Parallel()
	s := newSim(t, paris(t, "2026-12-14 09:00"))
	manager := s.w.As(s.w.Manager)
	for name, bad := range map[string]relance.Status{
		"calls without days":          {Name: "x", For: relance.StatusForLeads, SchedulesCall: true},
		"days without calls":          {Name: "x", For: relance.StatusForLeads, CallAfterDays: 3},
		"too many days":               {Name: "x", For: relance.StatusForLeads, SchedulesCall: true, CallAfterDays: 366},
		"terminal for counterparties": {Name: "x", For: relance.StatusForCounterparties, Terminal: relance.StageWon},
		"no scope":                    {Name: "x"},
	} {
		if _, err := s.db.CreateStatus(ctx, manager, bad); relance.ErrorCode(err) != relance.CodeInvalid {
			t.Errorf("%s: %v", name, err)
		}
	}
	if _, err := s.db.CreateStatus(ctx, s.w.As(s.w.Alice), relance.Status{Name: "x", For: relance.StatusForLeads}); relance.ErrorCode(err) != relance.CodePermissionDenied {
		t.Errorf("advisor creates a status: %v", err)
	}
	if list, err := s.db.ListStatuses(ctx, manager, true); err != nil || len(list) != 0 {
		t.Fatalf("after refusals: %+v, %v", list, err)
	}
	used := s.status("Tiède", 2, "", relance.StatusForLeads)
	unused := s.status("Froid", 0, "", relance.StatusForLeads)
	if _, err := s.db.CreateStatus(ctx, manager, relance.Status{Name: "tiède", For: relance.StatusForLeads}); relance.ErrorCode(err) != relance.CodeConflict {
		t.Errorf("a second status of the same name: %v", err)
	}
	lead := s.w.Lead(t, "Jean", s.w.Alice.ID)
	s.setLeadStatus(s.w.Alice, lead.ID, used.ID)

	if archived, err := s.db.DeleteStatus(ctx, manager, unused.ID); err != nil || archived {
		t.Fatalf("delete unused = %v, %v", archived, err)
	}
	if archived, err := s.db.DeleteStatus(ctx, manager, used.ID); err != nil || !archived {
		t.Fatalf("delete used = %v, %v", archived, err)
	}
	if list, err := s.db.ListStatuses(ctx, s.w.As(s.w.Alice), false); err != nil || len(list) != 0 {
		t.Fatalf("active statuses = %+v, %v", list, err)
	}
	if list, err := s.db.ListStatuses(ctx, manager, true); err != nil || len(list) != 1 || list[0].ArchivedAt == nil {
		t.Fatalf("with archived = %+v, %v", list, err)
	}
	other := s.w.Lead(t, "Paul", s.w.Alice.ID)
	if _, err := s.db.UpdateLead(ctx, manager, other.ID, relance.LeadChange{StatusID: &used.ID}); relance.ErrorCode(err) != relance.CodeInvalid {
		t.Fatalf("setting an archived status = %v", err)
	}
	if got, err := s.db.GetLead(ctx, manager, lead.ID); err != nil || got.StatusID != used.ID {
		t.Fatalf("the lead keeps its archived status: %+v, %v", got, err)
	}
}

func TestADueActionHandedOverStartsOverForItsNewAssignee(t *testing.T) {
	t.Parallel()
	s := newSim(t, paris(t, "2026-12-14 09:00"))
	warm := s.status("Tiède", 1, "", relance.StatusForLeads)
	lead := s.w.Lead(t, "Jean", s.w.Alice.ID)
	s.setLeadStatus(s.w.Alice, lead.ID, warm.ID)
	s.runUntil(paris(t, "2026-12-15 10:30"))
	if _, err := s.db.AssignLead(ctx, s.w.As(s.w.Manager), lead.ID, s.w.Bob.ID); err != nil {
		t.Fatal(err)
	}
	s.runUntil(paris(t, "2026-12-15 13:00"))
	if n := len(s.inbox(s.w.Alice)); n != 0 {
		t.Fatalf("alice keeps %d actions", n)
	}
	inbox := s.inbox(s.w.Bob)
	if len(inbox) != 1 || inbox[0].Kind != relance.KindCall {
		t.Fatalf("bob's inbox = %+v", inbox)
	}
	alerts, err := s.db.ListAlerts(ctx, s.w.As(s.w.Bob), true, 50)
	if err != nil || !hasAlert(alerts, "action.due") {
		t.Fatalf("bob's alerts = %+v, %v", alerts, err)
	}
	// Its ladder restarts from the hand-over (10:30 + 2 business hours), for Bob only.
	wantList(t, "overdue reminders", s.overdueReminders(), []string{"bob Tue 12-15 12:30"})
}
