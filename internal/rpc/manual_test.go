package rpc_test

import (
	"bytes"
	"net/mail"
	"slices"
	"strings"
	"testing"
	"time"

	"connectrpc.com/connect"

	v1 "github.com/relancehq/relance/gen/go/relance/v1"
	"github.com/relancehq/relance/internal/catcher"
	"github.com/relancehq/relance/internal/postgres"
	"github.com/relancehq/relance/internal/queue"
	"github.com/relancehq/relance/internal/rpc"
	"github.com/relancehq/relance/internal/testenv"
)

// sendingStack is an API process whose store sends for real: timers go through Redis to an
// asynq worker (with the sweeper), email and SMS to a catcher.
func sendingStack(t *testing.T) (*stack, *catcher.Catcher) {
	t.Helper()
	rdb, q := testenv.Redis(t)
	c := testenv.Catcher(t)
	sender, err := testenv.OutboxOf(t, c).Router(ctx)
	if err != nil {
		t.Fatal(err)
	}
	log := testenv.Logger(t)
	db := testenv.Open(t, postgres.WithScheduler(queue.NewClient(rdb, q)), postgres.WithSender(sender))
	worker := queue.NewWorker(rdb, db, queue.WorkerConfig{Queue: q, Concurrency: 2, Log: log})
	if err := worker.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(worker.Shutdown)
	return stackOn(t, db, testenv.NewWorld(t, db), rpc.Options{}), c
}

// manualPlan creates a plan of manual steps of the given kinds and enrols a new lead of
// Alice's in it, with phone; it returns the plan's and the lead's ids.
func manualPlan(t *testing.T, s *stack, manager, alice clients, name, phone string, kinds ...v1.ActivityKind) (string, string) {
	t.Helper()
	var steps []*v1.PlanStep
	for _, k := range kinds {
		steps = append(steps, &v1.PlanStep{Kind: k, Subject: "Votre devis, {{lead.name}}", Body: "Bonjour {{lead.name}}, voici le devis."})
	}
	plan, err := manager.plan.CreatePlan(ctx, connect.NewRequest(&v1.CreatePlanRequest{Plan: &v1.PlanInput{Name: name, Steps: steps}}))
	if err != nil {
		t.Fatal(err)
	}
	lead, err := alice.lead.CreateLead(ctx, connect.NewRequest(&v1.CreateLeadRequest{
		IdempotencyKey: name, SiteId: s.world.Lyon.ID.String(), Source: "salon", AssigneeId: s.world.Alice.ID.String(),
		Contact: &v1.Contact{Name: "Jean", Email: name + "@example.com", Phone: phone},
	}))
	if err != nil {
		t.Fatal(err)
	}
	id := lead.Msg.GetLead().GetId()
	if _, err := alice.plan.EnrolLead(ctx, connect.NewRequest(&v1.EnrolLeadRequest{PlanId: plan.Msg.GetPlan().GetId(), LeadId: id})); err != nil {
		t.Fatal(err)
	}
	return plan.Msg.GetPlan().GetId(), id
}

// pendingAction is the pending action of Alice's on lead.
func pendingAction(t *testing.T, alice clients, lead string) *v1.Action {
	t.Helper()
	list, err := alice.action.ListMyActions(ctx, connect.NewRequest(&v1.ListMyActionsRequest{}))
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range list.Msg.GetItems() {
		if it.GetAction().GetLeadId() == lead {
			return it.GetAction()
		}
	}
	t.Fatalf("no pending action on lead %s", lead)
	return nil
}

// deliveries are the messages that carry out actions on lead (not the alerts to its advisor).
func deliveries(t *testing.T, c clients, lead string) []*v1.Delivery {
	t.Helper()
	res, err := c.lead.ListDeliveries(ctx, connect.NewRequest(&v1.ListDeliveriesRequest{LeadId: lead}))
	if err != nil {
		t.Fatal(err)
	}
	return slices.DeleteFunc(res.Msg.GetDeliveries(), func(d *v1.Delivery) bool { return d.GetActionId() == "" })
}

// waitSent waits for the lead's only action delivery to be sent and returns it.
func waitSent(t *testing.T, c clients, lead string) *v1.Delivery {
	t.Helper()
	var got []*v1.Delivery
	testenv.Eventually(t, 20*time.Second, "delivery sent", func() bool {
		got = deliveries(t, c, lead)
		return len(got) == 1 && got[0].GetState() == v1.DeliveryState_DELIVERY_STATE_SENT
	})
	return got[0]
}

func captured(c *catcher.Catcher, channel, to string) []catcher.Message {
	return slices.DeleteFunc(c.Messages(), func(m catcher.Message) bool { return m.Channel != channel || m.To[0] != to })
}

func TestManualEmailIsSentFromTheMemberWithItsFilesOnce(t *testing.T) {
	t.Parallel()
	s, c := sendingStack(t)
	w := s.world
	manager := s.as(s.login(t, w.Manager.Email))
	alice := s.as(s.login(t, w.Alice.Email))
	admin := s.as(s.login(t, w.Admin.Email))
	planID, lead := manualPlan(t, s, manager, alice, "devis", "+33612345678",
		v1.ActivityKind_ACTIVITY_KIND_EMAIL, v1.ActivityKind_ACTIVITY_KIND_EMAIL)
	to := "devis@example.com"

	org, err := admin.team.GetOrganization(ctx, connect.NewRequest(&v1.GetOrganizationRequest{}))
	if err != nil || org.Msg.GetOrganization().GetSenderMode() != v1.SenderMode_SENDER_MODE_ORGANIZATION {
		t.Fatalf("default sender mode = %v, %v", org, err)
	}
	act := pendingAction(t, alice, lead)
	if act.GetSubject() != "Votre devis, Jean" || act.GetContent() != "Bonjour Jean, voici le devis." || act.GetRecipients()[0] != to {
		t.Fatalf("pre-filled action = %v", act)
	}
	pdf := append([]byte("%PDF-1.4\n"), bytes.Repeat([]byte("devis "), 2000)...)
	text := []byte("Options : toit ouvrant, jantes 18 pouces.\n")
	for _, f := range []struct {
		name, ctype string
		data        []byte
	}{{"devis.pdf", "application/pdf", pdf}, {"options.txt", "text/plain", text}} {
		if _, err := alice.action.AddAttachment(ctx, connect.NewRequest(&v1.AddAttachmentRequest{
			ActionId: act.GetId(), FileName: f.name, ContentType: f.ctype, Data: f.data,
		})); err != nil {
			t.Fatal(err)
		}
	}

	// Hostile edits and strangers: refused, nothing written.
	for name, tc := range map[string]struct {
		req   *v1.CompleteActionRequest
		field string
	}{
		"CRLF in subject": {&v1.CompleteActionRequest{ActionId: act.GetId(), Subject: new("Devis\r\nBcc: all@evil.example")}, "subject"},
		"LF in subject":   {&v1.CompleteActionRequest{ActionId: act.GetId(), Subject: new("Devis\nX: y")}, "subject"},
		"oversized body":  {&v1.CompleteActionRequest{ActionId: act.GetId(), Body: new(strings.Repeat("a", 20001))}, "body"},
		"long subject":    {&v1.CompleteActionRequest{ActionId: act.GetId(), Subject: new(strings.Repeat("s", 201))}, "subject"},
		"blank body":      {&v1.CompleteActionRequest{ActionId: act.GetId(), Body: new("  ")}, "body"},
	} {
		_, err := alice.action.CompleteAction(ctx, connect.NewRequest(tc.req))
		ce := wantCode(t, err, connect.CodeInvalidArgument)
		if v := violations(t, ce); len(v) == 0 || !strings.HasPrefix(v[0], tc.field+":") {
			t.Errorf("%s: violations %v, want %s", name, v, tc.field)
		}
	}
	bob := s.as(s.login(t, w.Bob.Email))
	_, err = bob.action.CompleteAction(ctx, connect.NewRequest(&v1.CompleteActionRequest{ActionId: act.GetId()}))
	wantCode(t, err, connect.CodeNotFound)
	_, err = manager.action.CompleteAction(ctx, connect.NewRequest(&v1.CompleteActionRequest{ActionId: act.GetId()}))
	wantCode(t, err, connect.CodeNotFound)
	other := testenv.NewWorld(t, s.db)
	stranger := s.as(s.login(t, other.Alice.Email))
	_, err = stranger.action.CompleteAction(ctx, connect.NewRequest(&v1.CompleteActionRequest{ActionId: act.GetId()}))
	wantCode(t, err, connect.CodeNotFound)
	if got := pendingAction(t, alice, lead); got.GetState() != v1.ActionState_ACTION_STATE_SCHEDULED || got.GetSubject() != act.GetSubject() {
		t.Fatalf("after refusals the action is %v", got)
	}
	if d := deliveries(t, alice, lead); len(d) != 0 {
		t.Fatalf("after refusals deliveries = %v", d)
	}

	// Sent once, edited, from the organisation in Alice's name, replies to Alice.
	req := &v1.CompleteActionRequest{ActionId: act.GetId(), Subject: new("Votre devis Clio"), Body: new("Bonjour Jean,\nle devis est joint.")}
	done, err := alice.action.CompleteAction(ctx, connect.NewRequest(req))
	if err != nil || done.Msg.GetAction().GetState() != v1.ActionState_ACTION_STATE_DONE || done.Msg.GetAction().GetSubject() != "Votre devis Clio" {
		t.Fatalf("complete = %v, %v", done, err)
	}
	_, err = alice.action.CompleteAction(ctx, connect.NewRequest(req))
	wantCode(t, err, connect.CodeFailedPrecondition)
	del := waitSent(t, alice, lead)
	if del.GetActionId() != act.GetId() || del.GetReplyTo() != w.Alice.Email || del.GetFrom() != "" ||
		!slices.Equal(del.GetAttachmentNames(), []string{"devis.pdf", "options.txt"}) {
		t.Fatalf("delivery = %v", del)
	}
	msgs := captured(c, "email", to)
	if len(msgs) != 1 {
		t.Fatalf("emails to %s = %d, want 1", to, len(msgs))
	}
	m := msgs[0]
	from, err := mail.ParseAddress(m.FromHeader)
	if err != nil || from.Address != "relance@test.example" || from.Name != "alice — "+w.Org.Name {
		t.Fatalf("From = %q (%v)", m.FromHeader, err)
	}
	if m.ReplyTo != "<"+w.Alice.Email+">" && m.ReplyTo != w.Alice.Email {
		t.Fatalf("Reply-To = %q", m.ReplyTo)
	}
	if body := strings.TrimSpace(strings.ReplaceAll(m.Text, "\r\n", "\n")); m.Subject != "Votre devis Clio" || body != "Bonjour Jean,\nle devis est joint." {
		t.Fatalf("email: subject %q, text %q", m.Subject, body)
	}
	if len(m.Files) != 2 || m.Files[0].Name != "devis.pdf" || m.Files[0].ContentType != "application/pdf" || !bytes.Equal(m.Files[0].Data, pdf) ||
		m.Files[1].Name != "options.txt" || !strings.HasPrefix(m.Files[1].ContentType, "text/plain") || !bytes.Equal(m.Files[1].Data, text) {
		t.Fatalf("email files: %d", len(m.Files))
	}

	// The member's own address once the organisation says so.
	_, err = admin.team.UpdateOrganization(ctx, connect.NewRequest(&v1.UpdateOrganizationRequest{SenderMode: v1.SenderMode_SENDER_MODE_UNSPECIFIED.Enum()}))
	wantCode(t, err, connect.CodeInvalidArgument)
	_, err = admin.team.UpdateOrganization(ctx, connect.NewRequest(&v1.UpdateOrganizationRequest{SenderMode: v1.SenderMode(7).Enum()}))
	wantCode(t, err, connect.CodeInvalidArgument)
	_, err = manager.team.UpdateOrganization(ctx, connect.NewRequest(&v1.UpdateOrganizationRequest{SenderMode: v1.SenderMode_SENDER_MODE_MEMBER.Enum()}))
	wantCode(t, err, connect.CodePermissionDenied)
	updated, err := admin.team.UpdateOrganization(ctx, connect.NewRequest(&v1.UpdateOrganizationRequest{SenderMode: v1.SenderMode_SENDER_MODE_MEMBER.Enum()}))
	if err != nil || updated.Msg.GetOrganization().GetSenderMode() != v1.SenderMode_SENDER_MODE_MEMBER {
		t.Fatalf("update = %v, %v", updated, err)
	}
	second := pendingAction(t, alice, lead)
	if _, err := alice.action.CompleteAction(ctx, connect.NewRequest(&v1.CompleteActionRequest{ActionId: second.GetId()})); err != nil {
		t.Fatal(err)
	}
	_, ok := c.Wait(20*time.Second, func(ms []catcher.Message) bool {
		return len(slices.DeleteFunc(slices.Clone(ms), func(m catcher.Message) bool { return m.Channel != "email" || m.To[0] != to })) == 2
	})
	if !ok {
		t.Fatal("no second email")
	}
	m = captured(c, "email", to)[1]
	from, err = mail.ParseAddress(m.FromHeader)
	if err != nil || from.Address != w.Alice.Email || from.Name != "alice" || m.ReplyTo != "" ||
		m.Subject != "Votre devis, Jean" || len(m.Files) != 0 {
		t.Fatalf("member email: From %q, Reply-To %q, subject %q, %d files", m.FromHeader, m.ReplyTo, m.Subject, len(m.Files))
	}

	stats, err := manager.plan.GetPlanStats(ctx, connect.NewRequest(&v1.GetPlanStatsRequest{PlanId: planID}))
	if err != nil {
		t.Fatal(err)
	}
	testenv.Eventually(t, 20*time.Second, "second email recorded sent", func() bool {
		stats, err = manager.plan.GetPlanStats(ctx, connect.NewRequest(&v1.GetPlanStatsRequest{PlanId: planID}))
		return err == nil && len(stats.Msg.GetSteps()) == 2 && stats.Msg.GetSteps()[1].GetSent() == 1
	})
	for i, st := range stats.Msg.GetSteps() {
		if st.GetExecuted() != 1 || st.GetSent() != 1 || st.GetNotDelivered() != 0 || st.GetQueued() != 0 {
			t.Errorf("step %d stats = %v", i, st)
		}
	}
	if n := len(captured(c, "email", to)); n != 2 {
		t.Fatalf("emails to %s = %d, want 2", to, n)
	}
}

func TestManualSMSIsSentOnceToTextableNumbersOnly(t *testing.T) {
	t.Parallel()
	s, c := sendingStack(t)
	w := s.world
	manager := s.as(s.login(t, w.Manager.Email))
	alice := s.as(s.login(t, w.Alice.Email))

	// A landline cannot take an SMS: refused, nothing written.
	_, landline := manualPlan(t, s, manager, alice, "fixe", "+33478000000", v1.ActivityKind_ACTIVITY_KIND_SMS)
	act := pendingAction(t, alice, landline)
	_, err := alice.action.CompleteAction(ctx, connect.NewRequest(&v1.CompleteActionRequest{ActionId: act.GetId()}))
	ce := wantCode(t, err, connect.CodeFailedPrecondition)
	if !strings.Contains(ce.Message(), "cannot receive SMS") {
		t.Fatalf("refusal = %v", ce)
	}
	if got := pendingAction(t, alice, landline); got.GetState() != v1.ActionState_ACTION_STATE_SCHEDULED {
		t.Fatalf("refused action = %v", got)
	}
	_, err = alice.action.CompleteAction(ctx, connect.NewRequest(&v1.CompleteActionRequest{ActionId: act.GetId(), Body: new(strings.Repeat("é", 1601))}))
	ce = wantCode(t, err, connect.CodeInvalidArgument)
	if v := violations(t, ce); len(v) != 1 || !strings.HasPrefix(v[0], "body:") {
		t.Fatalf("violations = %v", v)
	}

	_, mobile := manualPlan(t, s, manager, alice, "mobile", "+33698765432", v1.ActivityKind_ACTIVITY_KIND_SMS)
	act = pendingAction(t, alice, mobile)
	req := &v1.CompleteActionRequest{ActionId: act.GetId(), Body: new("Bonjour Jean, votre devis est prêt.")}
	if _, err := alice.action.CompleteAction(ctx, connect.NewRequest(req)); err != nil {
		t.Fatal(err)
	}
	_, err = alice.action.CompleteAction(ctx, connect.NewRequest(req))
	wantCode(t, err, connect.CodeFailedPrecondition)
	del := waitSent(t, alice, mobile)
	if del.GetChannel() != "sms" || del.GetRecipient() != "+33698765432" {
		t.Fatalf("delivery = %v", del)
	}
	sms := captured(c, "sms", "+33698765432")
	if len(sms) != 1 || sms[0].Text != "Bonjour Jean, votre devis est prêt." || sms[0].MessageID != del.GetId() {
		t.Fatalf("SMS = %+v", sms)
	}
	if d := deliveries(t, alice, landline); len(d) != 0 {
		t.Fatalf("landline deliveries = %v", d)
	}
}
