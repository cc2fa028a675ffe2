package postgres_test

import (
	"testing"

	"github.com/google/uuid"

	"github.com/relancehq/relance/internal/relance"
)

func TestAlertsArePushedPerPreferences(t *testing.T) {
	t.Parallel()
	workers, db, world := capWorld(t, "2026-12-14 08:00") // a Monday; Lyon opens at 9:00
	alice, bob := world.As(world.Alice), world.As(world.Bob)
	for _, p := range []relance.Principal{alice, bob} {
		if _, err := db.RegisterDevice(ctx, p, relance.Device{Kind: relance.DeviceFCM, Token: "token-of-" + p.UserID.String()}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := db.SetPushPreferences(ctx, bob, relance.PushPreferences{Assignments: true, DueActions: true}); err != nil {
		t.Fatal(err)
	}
	world.Lead(t, "Jeanne", world.Alice.ID)
	world.Lead(t, "Jules", world.Bob.ID)
	workers.FireDue(t, db, 3)
	// Twice over, as several workers and a sweeper may fire the same timers: still once each.
	workers.FireDue(t, db, 3)
	pushes := func() map[string]int {
		out := map[string]int{}
		for _, m := range workers.Sent(relance.ChannelPush) {
			if m.Device == nil || m.Device.Token != "token-of-"+m.Device.UserID.String() || m.LeadID == uuid.Nil {
				t.Fatalf("push %+v: not to its device, or about no lead", m)
			}
			out[m.Device.UserID.String()]++
		}
		return out
	}
	if got := pushes(); got[world.Alice.ID.String()] != 1 || got[world.Bob.ID.String()] != 1 {
		t.Fatalf("assignment pushes per person %v, want one each", got)
	}
	// The first reminder, two business hours after opening: Bob wants none as push.
	workers.Set(paris(t, "2026-12-14 11:30"))
	workers.FireDue(t, db, 3)
	if got := pushes(); got[world.Alice.ID.String()] != 2 || got[world.Bob.ID.String()] != 1 {
		t.Fatalf("pushes per person after the first reminder %v, want Alice 2 and Bob 1", got)
	}
	if n := sentTo(workers, relance.ChannelEmail, world.Bob.Email); n != 2 {
		t.Fatalf("bob got %d emails, want the assignment and the reminder", n)
	}
}

func TestDueActionIsPushed(t *testing.T) {
	t.Parallel()
	s := newSim(t, paris(t, "2026-12-14 09:00")) // a Monday
	warm := s.status("Tiède", 2, "", relance.StatusForBoth)
	alice := s.w.As(s.w.Alice)
	if _, err := s.db.RegisterDevice(ctx, alice, relance.Device{Kind: relance.DeviceFCM, Token: "alice-phone-token"}); err != nil {
		t.Fatal(err)
	}
	// Due actions only: the assignment and the ladder's reminders stay off her phone.
	if _, err := s.db.SetPushPreferences(ctx, alice, relance.PushPreferences{DueActions: true}); err != nil {
		t.Fatal(err)
	}
	lead := s.w.Lead(t, "Jean", s.w.Alice.ID)
	s.setLeadStatus(s.w.Alice, lead.ID, warm.ID)
	s.runUntil(paris(t, "2026-12-16 10:00")) // the status call is due on Wednesday at 10:00
	var pushes []sentAt
	for _, m := range s.sent {
		if m.msg.Channel == relance.ChannelPush {
			pushes = append(pushes, m)
		}
	}
	if len(pushes) != 1 || pushes[0].msg.Device.Token != "alice-phone-token" || pushes[0].msg.LeadID != lead.ID ||
		!pushes[0].at.Equal(paris(t, "2026-12-16 10:00")) {
		t.Fatalf("pushes %+v, want the due call once, at 10:00 on Wednesday", pushes)
	}
}
