package rpc_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"
	"time"

	"connectrpc.com/connect"

	v1 "github.com/relancehq/relance/gen/go/relance/v1"
	"github.com/relancehq/relance/gen/go/relance/v1/relancev1connect"
	"github.com/relancehq/relance/internal/relance"
	"github.com/relancehq/relance/internal/rpc"
	"github.com/relancehq/relance/internal/testenv"
)

// workerStack is an API server whose store runs on testenv.Workers: the test moves the clock
// and drains the queue with several workers at once; the provider records what is sent.
type workerStack struct {
	*stack
	workers *testenv.Workers
}

func newWorkerStack(t *testing.T, start time.Time) *workerStack {
	t.Helper()
	w := testenv.NewWorkers(start)
	db := testenv.Open(t, w.Options()...)
	srv := httptest.NewServer(rpc.NewHandler(db, rpc.Options{Log: testenv.Logger(t), Now: w.Now}))
	t.Cleanup(srv.Close)
	client := &http.Client{Timeout: 30 * time.Second}
	return &workerStack{stack: &stack{url: srv.URL, http: client, world: testenv.NewWorld(t, db), db: db}, workers: w}
}

// run moves the clock to at and lets four workers fire everything due.
func (s *workerStack) run(t *testing.T, at time.Time) {
	t.Helper()
	s.workers.Set(at)
	s.workers.FireDue(t, s.db, 4)
}

// partnerLeads creates one lead per phone with a partner key, from the source an admin's plan
// enrols, and returns their ids.
func (s *workerStack) partnerLeads(t *testing.T, partner clients, batch string, phones ...string) []string {
	t.Helper()
	var ids []string
	for i, phone := range phones {
		res, err := partner.lead.CreateLead(ctx, connect.NewRequest(&v1.CreateLeadRequest{
			IdempotencyKey: fmt.Sprintf("%s-%d", batch, i), SiteId: s.world.Lyon.ID.String(), Source: "partner-web",
			Contact: &v1.Contact{Name: fmt.Sprintf("Victim %d", i+1), Phone: phone},
		}))
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, res.Msg.GetLead().GetId())
	}
	return ids
}

// smsDeliveries lists the customer SMS deliveries of leads, over the API.
func smsDeliveries(t *testing.T, c clients, leads []string) []*v1.Delivery {
	t.Helper()
	var out []*v1.Delivery
	for _, id := range leads {
		res, err := c.lead.ListDeliveries(ctx, connect.NewRequest(&v1.ListDeliveriesRequest{LeadId: id}))
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range res.Msg.GetDeliveries() {
			if d.GetChannel() == "sms" && d.GetUserId() == "" {
				out = append(out, d)
			}
		}
	}
	return out
}

// capAlerts lists the message-cap alerts of the caller of token.
func (s *workerStack) capAlerts(t *testing.T, token string) []*v1.Alert {
	t.Helper()
	alerts := relancev1connect.NewAlertServiceClient(s.http, s.url, connect.WithInterceptors(bearer(token)))
	res, err := alerts.ListAlerts(ctx, connect.NewRequest(&v1.ListAlertsRequest{}))
	if err != nil {
		t.Fatal(err)
	}
	return slices.DeleteFunc(res.Msg.GetAlerts(), func(a *v1.Alert) bool { return a.GetKind() != v1.AlertKind_ALERT_KIND_MESSAGE_CAP })
}

// welcomeSMS is the plan of the attack: leads from a source a partner chooses get an
// automatic SMS on the day they arrive.
func welcomeSMS(partnerLeads bool) *v1.PlanInput {
	return &v1.PlanInput{
		Name: "Welcome", EnrolSources: []string{"partner-web"}, PartnerLeadsAllowed: partnerLeads,
		Steps: []*v1.PlanStep{{
			Kind: v1.ActivityKind_ACTIVITY_KIND_SMS, Automatic: true, Body: "Hello {{lead.name}}, thanks for your interest.",
			Weekdays: []v1.Weekday{
				v1.Weekday_WEEKDAY_MONDAY, v1.Weekday_WEEKDAY_TUESDAY, v1.Weekday_WEEKDAY_WEDNESDAY, v1.Weekday_WEEKDAY_THURSDAY,
				v1.Weekday_WEEKDAY_FRIDAY, v1.Weekday_WEEKDAY_SATURDAY, v1.Weekday_WEEKDAY_SUNDAY,
			},
		}},
	}
}

// hostileSetup logs the admin in, gives a partner a key that creates leads and writes the
// welcome plan; it returns the admin's token and clients, the partner's clients and the plan.
func (s *workerStack) hostileSetup(t *testing.T, partnerLeads bool) (string, clients, clients, *v1.Plan) {
	t.Helper()
	token := s.login(t, s.world.Admin.Email)
	admin := s.as(token)
	key, err := admin.auth.CreateApiKey(ctx, connect.NewRequest(&v1.CreateApiKeyRequest{Name: "partner", Scopes: []v1.Scope{v1.Scope_SCOPE_LEADS_CREATE}}))
	if err != nil {
		t.Fatal(err)
	}
	plan, err := admin.plan.CreatePlan(ctx, connect.NewRequest(&v1.CreatePlanRequest{Plan: welcomeSMS(partnerLeads)}))
	if err != nil {
		t.Fatal(err)
	}
	return token, admin, s.as(key.Msg.GetSecret()), plan.Msg.GetPlan()
}

var victims = []string{"+15145550111", "+15145550122", "+15145550133", "+15145550144"}

func TestHostilePartnerCannotPumpSMSThroughAPlan(t *testing.T) {
	t.Parallel()
	paris, _ := time.LoadLocation("Europe/Paris")
	monday := time.Date(2026, 12, 14, 8, 0, 0, 0, paris)
	s := newWorkerStack(t, monday)
	token, admin, partner, plan := s.hostileSetup(t, false)
	if plan.GetPartnerLeadsAllowed() {
		t.Fatal("a new plan takes partner leads")
	}

	// The switch is off: the partner's leads enter no plan, and nothing is sent.
	off := s.partnerLeads(t, partner, "off", victims...)
	s.run(t, monday.Add(4*time.Hour))
	if sent := s.workers.Sent(relance.ChannelSMS); len(sent) != 0 {
		t.Fatalf("SMS sent for partner leads with the switch off: %+v", sent)
	}
	for _, id := range off {
		res, err := admin.plan.ListEnrolments(ctx, connect.NewRequest(&v1.ListEnrolmentsRequest{LeadId: id}))
		if err != nil || len(res.Msg.GetEnrolments()) != 0 {
			t.Fatalf("partner lead enrolments = %v, %v", res, err)
		}
	}

	// The admin allows partner leads and caps SMS at 2 a day: 2 of 4 go, 2 fail with the reason.
	in := welcomeSMS(true)
	updated, err := admin.plan.UpdatePlan(ctx, connect.NewRequest(&v1.UpdatePlanRequest{PlanId: plan.GetId(), Plan: in}))
	if err != nil || !updated.Msg.GetPlan().GetPartnerLeadsAllowed() {
		t.Fatalf("update plan = %v, %v", updated, err)
	}
	org, err := admin.team.UpdateOrganization(ctx, connect.NewRequest(&v1.UpdateOrganizationRequest{SmsDailyCap: new(int32(2))}))
	if err != nil || org.Msg.GetOrganization().GetSmsDailyCap() != 2 || org.Msg.GetOrganization().GetRecipientDailyCap() != relance.DefaultPerRecipientPerDay {
		t.Fatalf("update organisation = %v, %v", org, err)
	}
	s.workers.Set(monday.Add(5 * time.Hour))
	on := s.partnerLeads(t, partner, "on", victims...)
	s.run(t, monday.AddDate(0, 0, 1).Add(4*time.Hour)) // their step falls on Tuesday at 10:00
	if sent := s.workers.Sent(relance.ChannelSMS); len(sent) != 2 {
		t.Fatalf("%d SMS sent, want the cap of 2: %+v", len(sent), sent)
	}
	var sent, refused int
	for _, d := range smsDeliveries(t, admin, on) {
		switch {
		case d.GetState() == v1.DeliveryState_DELIVERY_STATE_SENT:
			sent++
		case d.GetState() == v1.DeliveryState_DELIVERY_STATE_FAILED && d.GetLastError() == "daily SMS cap of 2 reached":
			refused++
		default:
			t.Errorf("delivery = %v", d)
		}
	}
	if sent != 2 || refused != 2 {
		t.Fatalf("%d sent and %d refused, want 2 and 2", sent, refused)
	}
	if alerts := s.capAlerts(t, token); len(alerts) != 1 {
		t.Fatalf("admin cap alerts = %v, want one", alerts)
	}
}

func TestHostilePartnerCannotPumpOneNumber(t *testing.T) {
	t.Parallel()
	paris, _ := time.LoadLocation("Europe/Paris")
	monday := time.Date(2026, 12, 14, 8, 0, 0, 0, paris)
	s := newWorkerStack(t, monday)
	token, admin, partner, _ := s.hostileSetup(t, true)
	if _, err := admin.team.UpdateOrganization(ctx, connect.NewRequest(&v1.UpdateOrganizationRequest{RecipientDailyCap: new(int32(2))})); err != nil {
		t.Fatal(err)
	}
	leads := s.partnerLeads(t, partner, "same", victims[0], victims[0], victims[0])
	s.run(t, monday.Add(4*time.Hour))
	if sent := s.workers.Sent(relance.ChannelSMS); len(sent) != 2 {
		t.Fatalf("%d SMS to %s, want the recipient cap of 2", len(sent), victims[0])
	}
	deliveries := smsDeliveries(t, admin, leads)
	refused := slices.IndexFunc(deliveries, func(d *v1.Delivery) bool {
		return d.GetState() == v1.DeliveryState_DELIVERY_STATE_FAILED && d.GetLastError() == "daily cap of 2 messages per recipient reached"
	})
	if len(deliveries) != 3 || refused < 0 {
		t.Fatalf("deliveries = %v", deliveries)
	}
	if alerts := s.capAlerts(t, token); len(alerts) != 1 {
		t.Fatalf("admin cap alerts = %v, want one", alerts)
	}
}

func TestMessageCapsAreAdminSettingsWithinBounds(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	admin := s.as(s.login(t, s.world.Admin.Email))
	got, err := admin.team.GetOrganization(ctx, connect.NewRequest(&v1.GetOrganizationRequest{}))
	if o := got.Msg.GetOrganization(); err != nil || o.GetSmsDailyCap() != relance.DefaultSMSPerDay ||
		o.GetEmailDailyCap() != relance.DefaultEmailsPerDay || o.GetRecipientDailyCap() != relance.DefaultPerRecipientPerDay {
		t.Fatalf("defaults = %v, %v", got, err)
	}
	for _, req := range []*v1.UpdateOrganizationRequest{
		{SmsDailyCap: new(int32(-1))},
		{SmsDailyCap: new(int32(relance.MaxSMSPerDay + 1))},
		{EmailDailyCap: new(int32(relance.MaxEmailsPerDay + 1))},
		{RecipientDailyCap: new(int32(relance.MaxPerRecipientPerDay + 1))},
	} {
		_, err := admin.team.UpdateOrganization(ctx, connect.NewRequest(req))
		wantCode(t, err, connect.CodeInvalidArgument)
	}
	manager := s.as(s.login(t, s.world.Manager.Email))
	_, err = manager.team.UpdateOrganization(ctx, connect.NewRequest(&v1.UpdateOrganizationRequest{SmsDailyCap: new(int32(100000))}))
	wantCode(t, err, connect.CodePermissionDenied)
	set, err := admin.team.UpdateOrganization(ctx, connect.NewRequest(&v1.UpdateOrganizationRequest{EmailDailyCap: new(int32(0))}))
	if o := set.Msg.GetOrganization(); err != nil || o.GetEmailDailyCap() != 0 || o.GetSmsDailyCap() != relance.DefaultSMSPerDay {
		t.Fatalf("set email cap = %v, %v", set, err)
	}
}
