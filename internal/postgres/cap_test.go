package postgres_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/relancehq/relance/internal/postgres"
	"github.com/relancehq/relance/internal/relance"
	"github.com/relancehq/relance/internal/testenv"
)

// smsPlan is a plan of one automatic SMS, sent at the organisation's send time on the day a
// lead from source arrives, any day of the week.
func smsPlan(source string) relance.Plan {
	return relance.Plan{Name: "Bienvenue " + source, EnrolSources: []string{source}, Steps: []relance.Step{{
		Kind: relance.KindSMS, Automatic: true, Anchor: relance.AnchorReceived, Assignee: relance.AssignAdvisor,
		Weekdays: 0b1111111, Body: "Bonjour {{lead.name}}, merci de votre demande.",
	}}}
}

// capWorld is a populated organisation whose store runs on Workers starting at start (Paris).
func capWorld(t *testing.T, start string) (*testenv.Workers, *postgres.DB, *testenv.World) {
	t.Helper()
	w := testenv.NewWorkers(paris(t, start))
	db := testenv.Open(t, w.Options()...)
	return w, db, testenv.NewWorld(t, db)
}

// sentTo counts the messages on channel ch to addresses starting with prefix.
func sentTo(w *testenv.Workers, ch relance.Channel, prefix string) int {
	n := 0
	for _, m := range w.Sent(ch) {
		if strings.HasPrefix(m.To, prefix) {
			n++
		}
	}
	return n
}

func TestDailySMSCapHoldsWithFourWorkersAtOnce(t *testing.T) {
	t.Parallel()
	workers, db, world := capWorld(t, "2026-12-14 08:00")
	admin := world.As(world.Admin)
	three := 3
	if _, err := db.UpdateOrganization(ctx, admin, relance.OrganizationChange{SMSPerDay: &three}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.UpdateUser(ctx, admin, world.Admin.ID, relance.UserChange{Notifications: &relance.Notifications{Email: true}}); err != nil {
		t.Fatal(err)
	}
	plan, err := db.CreatePlan(ctx, admin, smsPlan("website"))
	if err != nil {
		t.Fatal(err)
	}
	newLead := func(i int) relance.Lead {
		lead, _, err := db.CreateLead(ctx, admin, relance.NewLead{
			IdempotencyKey: uuid.NewString(), SiteID: world.Lyon.ID, Source: "website",
			Contact: relance.Contact{Name: fmt.Sprintf("Lead %d", i), Phone: fmt.Sprintf("+336120000%02d", i)},
		})
		if err != nil {
			t.Fatal(err)
		}
		return lead
	}
	var leads []relance.Lead
	for i := range 10 {
		leads = append(leads, newLead(i))
	}
	workers.Set(paris(t, "2026-12-14 10:30"))
	workers.FireDue(t, db, 4)

	if n := sentTo(workers, relance.ChannelSMS, "+33612"); n != 3 {
		t.Fatalf("%d SMS sent, want the cap of 3", n)
	}
	var sent, refused int
	for _, l := range leads {
		list, err := db.ListDeliveries(ctx, admin, l.ID)
		// The lead of the first refused message also carries the admin's cap email.
		list = slices.DeleteFunc(list, func(d relance.Delivery) bool { return d.UserID != uuid.Nil })
		if err != nil || len(list) != 1 {
			t.Fatalf("deliveries of %s = %+v, %v", l.Contact.Name, list, err)
		}
		switch d := list[0]; {
		case d.State == relance.DeliverySent:
			sent++
		case d.State == relance.DeliveryFailed && d.LastError == "daily SMS cap of 3 reached" && d.Attempts == 0:
			refused++
		default:
			t.Errorf("delivery of %s = %+v", l.Contact.Name, d)
		}
	}
	if sent != 3 || refused != 7 {
		t.Fatalf("%d sent and %d refused, want 3 and 7", sent, refused)
	}
	stats, err := db.PlanStats(ctx, admin, plan.ID, 7)
	if err != nil || len(stats) != 1 || stats[0].Executed != 3 || stats[0].Failed != 7 {
		t.Fatalf("plan stats = %+v, %v", stats, err)
	}
	// One alert and one email for the admin, not seven.
	alerts, err := db.ListAlerts(ctx, admin, false, 50)
	if err != nil || len(alerts) != 1 || alerts[0].Kind != "message.cap" || !strings.Contains(alerts[0].Title, "3 SMS") {
		t.Fatalf("admin alerts = %+v, %v", alerts, err)
	}
	if n := sentTo(workers, relance.ChannelEmail, world.Admin.Email); n != 1 {
		t.Fatalf("%d cap emails to the admin, want 1", n)
	}

	// A new (UTC) day starts a new count.
	workers.Set(paris(t, "2026-12-15 08:00"))
	newLead(10)
	workers.Set(paris(t, "2026-12-15 10:30"))
	workers.FireDue(t, db, 4)
	if n := sentTo(workers, relance.ChannelSMS, "+33612000010"); n != 1 {
		t.Fatalf("the next day's SMS: %d sent, want 1", n)
	}
}

func TestAutomaticSMSGoesOnlyToMobiles(t *testing.T) {
	t.Parallel()
	workers, db, world := capWorld(t, "2026-12-14 08:00")
	admin := world.As(world.Admin)
	if _, err := db.CreatePlan(ctx, admin, smsPlan("import")); err != nil {
		t.Fatal(err)
	}
	// A fixed line cannot receive the SMS; a mobile does.
	want := map[string]string{
		"04 78 00 00 02":    `the lead's phone number +33478000002 cannot receive SMS (not a mobile number)`,
		"+33 6 12 34 56 79": "sent",
	}
	leads := map[string]relance.Lead{}
	for phone := range want {
		lead, _, err := db.CreateLead(ctx, admin, relance.NewLead{
			IdempotencyKey: uuid.NewString(), SiteID: world.Lyon.ID, Source: "import", Contact: relance.Contact{Name: "X", Phone: phone},
		})
		if err != nil {
			t.Fatal(err)
		}
		leads[phone] = lead
	}
	workers.Set(paris(t, "2026-12-14 10:30"))
	workers.FireDue(t, db, 2)
	if sent := workers.Sent(relance.ChannelSMS); len(sent) != 1 || sent[0].To != "+33612345679" {
		t.Errorf("sent %+v, want one SMS to +33612345679", sent)
	}
	for phone, outcome := range want {
		timeline, err := db.ListActivities(ctx, admin, leads[phone].ID)
		if err != nil || len(timeline) != 1 {
			t.Fatalf("%s: timeline %+v, %v", phone, timeline, err)
		}
		got := timeline[0]
		if outcome == "sent" {
			if got.State != relance.ActivityDone {
				t.Errorf("%s: %+v, want done", phone, got)
			}
			continue
		}
		if got.State != relance.ActivityFailed || got.Content != outcome {
			t.Errorf("%s: %s %q, want failed %q", phone, got.State, got.Content, outcome)
		}
	}
}

func TestPartnerLeadEntersAnAutomaticPlanOnlyWhenAllowed(t *testing.T) {
	t.Parallel()
	url, _ := testenv.Database(t)
	db := testenv.OpenURL(t, url)
	world := testenv.NewWorld(t, db)
	admin := world.As(world.Admin)
	automatic, err := db.CreatePlan(ctx, admin, smsPlan("partner-web"))
	if err != nil {
		t.Fatal(err)
	}
	manual, err := db.CreatePlan(ctx, admin, relance.Plan{Name: "Appel", EnrolSources: []string{"partner-web"}, Steps: []relance.Step{
		{Kind: relance.KindCall, Anchor: relance.AnchorReceived, Assignee: relance.AssignAdvisor},
	}})
	if err != nil {
		t.Fatal(err)
	}
	partner := relance.Principal{OrgID: world.Org.ID, Role: relance.RolePartner, TokenID: uuid.New(), Scopes: []relance.Scope{relance.ScopeLeadsCreate}}
	lead, _, err := db.CreateLead(ctx, partner, relance.NewLead{
		IdempotencyKey: "p-1", SiteID: world.Lyon.ID, Source: "partner-web", Contact: relance.Contact{Name: "Victim", Phone: "+15145550111"},
	})
	if err != nil || lead.PartnerKeyID != partner.TokenID {
		t.Fatalf("partner lead = %+v, %v", lead, err)
	}
	enrolments, err := db.ListEnrolments(ctx, admin, lead.ID)
	if err != nil || len(enrolments) != 1 || enrolments[0].PlanID != manual.ID {
		t.Fatalf("enrolments = %+v, %v; want the manual plan only", enrolments, err)
	}
	// The refusal is on record, with its plan and reason.
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "SELECT set_config('app.org_id', $1, false)", world.Org.ID.String()); err != nil {
		t.Fatal(err)
	}
	var plan, reason string
	if err := conn.QueryRow(ctx, `SELECT details->>'plan', details->>'reason' FROM audit_log
		WHERE action = 'plan.enrol_refused' AND subject_id = $1`, lead.ID).Scan(&plan, &reason); err != nil {
		t.Fatal(err)
	}
	if plan != automatic.ID.String() || !strings.Contains(reason, "partner") {
		t.Fatalf("audit = %s %q", plan, reason)
	}
	// A person may still enrol it by hand.
	if _, err := db.EnrolLead(ctx, admin, automatic.ID, lead.ID); err != nil {
		t.Fatalf("enrol by hand: %v", err)
	}
}
