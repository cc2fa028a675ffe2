package rpc_test

import (
	"bytes"
	"slices"
	"strings"
	"testing"
	"time"

	"connectrpc.com/connect"

	v1 "github.com/relancehq/relance/gen/go/relance/v1"
	"github.com/relancehq/relance/internal/postgres"
	"github.com/relancehq/relance/internal/relance"
	"github.com/relancehq/relance/internal/rpc"
	"github.com/relancehq/relance/internal/testenv"
)

// planFiles are the files step of plan id carries, as GetPlan shows them to c.
func planFiles(t *testing.T, c clients, id string, step int) []*v1.Attachment {
	t.Helper()
	res, err := c.plan.GetPlan(ctx, connect.NewRequest(&v1.GetPlanRequest{PlanId: id}))
	if err != nil {
		t.Fatal(err)
	}
	return res.Msg.GetPlan().GetSteps()[step].GetFiles()
}

func TestAutomaticEmailCarriesThePlanFilesByteForByte(t *testing.T) {
	t.Parallel()
	paris, _ := time.LoadLocation("Europe/Paris")
	monday := time.Date(2026, 12, 14, 8, 0, 0, 0, paris)
	// The simulated clock fires the plan's timers; the email goes out over SMTP to a catcher.
	workers := testenv.NewWorkers(monday)
	c := testenv.Catcher(t)
	sender, err := testenv.OutboxOf(t, c).Router(ctx)
	if err != nil {
		t.Fatal(err)
	}
	db := testenv.Open(t, append(workers.Options(), postgres.WithSender(sender))...)
	s := &workerStack{stack: stackOn(t, db, testenv.NewWorld(t, db), rpc.Options{Now: workers.Now}), workers: workers}
	w := s.world
	manager := s.as(s.login(t, w.Manager.Email))
	alice := s.as(s.login(t, w.Alice.Email))

	every := []v1.Weekday{
		v1.Weekday_WEEKDAY_MONDAY, v1.Weekday_WEEKDAY_TUESDAY, v1.Weekday_WEEKDAY_WEDNESDAY, v1.Weekday_WEEKDAY_THURSDAY,
		v1.Weekday_WEEKDAY_FRIDAY, v1.Weekday_WEEKDAY_SATURDAY, v1.Weekday_WEEKDAY_SUNDAY,
	}
	created, err := manager.plan.CreatePlan(ctx, connect.NewRequest(&v1.CreatePlanRequest{Plan: &v1.PlanInput{
		Name: "Brochure", Steps: []*v1.PlanStep{
			{Kind: v1.ActivityKind_ACTIVITY_KIND_EMAIL, Automatic: true, Weekdays: every, Subject: "Votre brochure, {{lead.name}}", Body: "Bonjour {{lead.name}}, la voici."},
			{Kind: v1.ActivityKind_ACTIVITY_KIND_CALL, AfterDays: 3},
		},
	}}))
	if err != nil {
		t.Fatal(err)
	}
	planID := created.Msg.GetPlan().GetId()
	pdf := append([]byte("%PDF-1.4\n"), bytes.Repeat([]byte("brochure \x00\xff"), 3000)...)
	text := []byte("Tarifs 2027 : voir la brochure.\n")
	add := func(c clients, req *v1.AddPlanFileRequest) (*v1.Attachment, error) {
		res, err := c.plan.AddPlanFile(ctx, connect.NewRequest(req))
		if err != nil {
			return nil, err
		}
		return res.Msg.GetFile(), nil
	}

	// Bad input: invalid_argument naming the field, nothing written.
	for name, tc := range map[string]struct {
		req   *v1.AddPlanFileRequest
		field string
	}{
		"empty name":     {&v1.AddPlanFileRequest{PlanId: planID, FileName: "", ContentType: "text/plain", Data: text}, "file_name"},
		"blank name":     {&v1.AddPlanFileRequest{PlanId: planID, FileName: "  ", ContentType: "text/plain", Data: text}, "file_name"},
		"CRLF in name":   {&v1.AddPlanFileRequest{PlanId: planID, FileName: "tarifs\r\nBcc: all@evil.example.txt", ContentType: "text/plain", Data: text}, "file_name"},
		"tab in name":    {&v1.AddPlanFileRequest{PlanId: planID, FileName: "tarifs\t.txt", ContentType: "text/plain", Data: text}, "file_name"},
		"path as name":   {&v1.AddPlanFileRequest{PlanId: planID, FileName: "../tarifs.txt", ContentType: "text/plain", Data: text}, "file_name"},
		"too big":        {&v1.AddPlanFileRequest{PlanId: planID, FileName: "gros.pdf", ContentType: "application/pdf", Data: append(slices.Clone(pdf[:9]), make([]byte, relance.DefaultAttachmentMaxBytes)...)}, "data"},
		"empty data":     {&v1.AddPlanFileRequest{PlanId: planID, FileName: "vide.txt", ContentType: "text/plain"}, "data"},
		"lying type":     {&v1.AddPlanFileRequest{PlanId: planID, FileName: "faux.pdf", ContentType: "application/pdf", Data: text}, "data"},
		"negative step":  {&v1.AddPlanFileRequest{PlanId: planID, Step: -1, FileName: "tarifs.txt", ContentType: "text/plain", Data: text}, "step"},
		"bad plan id":    {&v1.AddPlanFileRequest{PlanId: "brochure", FileName: "tarifs.txt", ContentType: "text/plain", Data: text}, "plan_id"},
		"no type":        {&v1.AddPlanFileRequest{PlanId: planID, FileName: "tarifs.txt", Data: text}, "content_type"},
		"refused type":   {&v1.AddPlanFileRequest{PlanId: planID, FileName: "a.html", ContentType: "text/html", Data: []byte("<html></html>")}, "content_type"},
		"long file name": {&v1.AddPlanFileRequest{PlanId: planID, FileName: strings.Repeat("a", 256) + ".txt", ContentType: "text/plain", Data: text}, "file_name"},
	} {
		_, err := add(manager, tc.req)
		ce := wantCode(t, err, connect.CodeInvalidArgument)
		if v := violations(t, ce); len(v) == 0 || !strings.HasPrefix(v[0], tc.field+":") {
			t.Errorf("%s: violations %v, want %s", name, v, tc.field)
		}
	}
	// A step that sends no automatic email carries no file; a missing step neither.
	_, err = add(manager, &v1.AddPlanFileRequest{PlanId: planID, Step: 1, FileName: "tarifs.txt", ContentType: "text/plain", Data: text})
	wantCode(t, err, connect.CodeFailedPrecondition)
	_, err = add(manager, &v1.AddPlanFileRequest{PlanId: planID, Step: 2, FileName: "tarifs.txt", ContentType: "text/plain", Data: text})
	wantCode(t, err, connect.CodeFailedPrecondition)

	// Strangers: an advisor may not edit plans; another organisation does not see this one.
	_, err = add(alice, &v1.AddPlanFileRequest{PlanId: planID, FileName: "tarifs.txt", ContentType: "text/plain", Data: text})
	wantCode(t, err, connect.CodePermissionDenied)
	other := testenv.NewWorld(t, s.db)
	otherManager := s.as(s.login(t, other.Manager.Email))
	otherAdmin := s.as(s.login(t, other.Admin.Email))
	for _, c := range []clients{otherManager, otherAdmin} {
		_, err = add(c, &v1.AddPlanFileRequest{PlanId: planID, FileName: "tarifs.txt", ContentType: "text/plain", Data: text})
		wantCode(t, err, connect.CodeNotFound)
		_, err = c.plan.GetPlan(ctx, connect.NewRequest(&v1.GetPlanRequest{PlanId: planID}))
		wantCode(t, err, connect.CodeNotFound)
	}
	if f := planFiles(t, manager, planID, 0); len(f) != 0 {
		t.Fatalf("files after refusals = %v", f)
	}

	// Two files, and a third taken off again.
	brochure, err := add(manager, &v1.AddPlanFileRequest{PlanId: planID, FileName: "brochure.pdf", ContentType: "application/pdf", Data: pdf})
	if err != nil {
		t.Fatal(err)
	}
	if brochure.GetSizeBytes() != int64(len(pdf)) || brochure.GetActionId() != "" || brochure.GetUploadedBy() != w.Manager.ID.String() {
		t.Fatalf("file = %v", brochure)
	}
	if _, err := add(manager, &v1.AddPlanFileRequest{PlanId: planID, FileName: "tarifs.txt", ContentType: "text/plain", Data: text}); err != nil {
		t.Fatal(err)
	}
	extra, err := add(manager, &v1.AddPlanFileRequest{PlanId: planID, FileName: "ancien.txt", ContentType: "text/plain", Data: text})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []clients{otherManager, otherAdmin, alice} {
		_, err = c.plan.RemovePlanFile(ctx, connect.NewRequest(&v1.RemovePlanFileRequest{FileId: extra.GetId()}))
		if c == alice {
			wantCode(t, err, connect.CodePermissionDenied)
		} else {
			wantCode(t, err, connect.CodeNotFound)
		}
	}
	if f := planFiles(t, manager, planID, 0); len(f) != 3 {
		t.Fatalf("files after strangers' removals = %d, want 3", len(f))
	}
	if _, err := manager.plan.RemovePlanFile(ctx, connect.NewRequest(&v1.RemovePlanFileRequest{FileId: extra.GetId()})); err != nil {
		t.Fatal(err)
	}
	_, err = manager.plan.RemovePlanFile(ctx, connect.NewRequest(&v1.RemovePlanFileRequest{FileId: extra.GetId()}))
	wantCode(t, err, connect.CodeNotFound)
	files := planFiles(t, manager, planID, 0)
	if len(files) != 2 || files[0].GetFileName() != "brochure.pdf" || files[1].GetFileName() != "tarifs.txt" {
		t.Fatalf("files = %v", files)
	}

	// The lead enters the plan; the step's email goes out once with both files.
	lead, err := alice.lead.CreateLead(ctx, connect.NewRequest(&v1.CreateLeadRequest{
		IdempotencyKey: "brochure", SiteId: w.Lyon.ID.String(), Source: "salon", AssigneeId: w.Alice.ID.String(),
		Contact: &v1.Contact{Name: "Jean", Email: "jean.brochure@example.com"},
	}))
	if err != nil {
		t.Fatal(err)
	}
	leadID := lead.Msg.GetLead().GetId()
	if _, err := alice.plan.EnrolLead(ctx, connect.NewRequest(&v1.EnrolLeadRequest{PlanId: planID, LeadId: leadID})); err != nil {
		t.Fatal(err)
	}
	s.run(t, monday.Add(4*time.Hour))
	s.run(t, monday.Add(5*time.Hour))
	msgs := captured(c, "email", "jean.brochure@example.com")
	if len(msgs) != 1 {
		t.Fatalf("emails = %d, want 1", len(msgs))
	}
	m := msgs[0]
	if m.Subject != "Votre brochure, Jean" || len(m.Files) != 2 {
		t.Fatalf("email: subject %q, %d files", m.Subject, len(m.Files))
	}
	if m.Files[0].Name != "brochure.pdf" || m.Files[0].ContentType != "application/pdf" || !bytes.Equal(m.Files[0].Data, pdf) {
		t.Errorf("first file: %q %q, %d bytes, equal %v", m.Files[0].Name, m.Files[0].ContentType, len(m.Files[0].Data), bytes.Equal(m.Files[0].Data, pdf))
	}
	if m.Files[1].Name != "tarifs.txt" || !strings.HasPrefix(m.Files[1].ContentType, "text/plain") || !bytes.Equal(m.Files[1].Data, text) {
		t.Errorf("second file: %q %q, %q", m.Files[1].Name, m.Files[1].ContentType, m.Files[1].Data)
	}
	del := deliveries(t, alice, leadID)
	if len(del) != 1 || del[0].GetState() != v1.DeliveryState_DELIVERY_STATE_SENT ||
		!slices.Equal(del[0].GetAttachmentNames(), []string{"brochure.pdf", "tarifs.txt"}) {
		t.Fatalf("deliveries = %v", del)
	}

	// The step stops being an email: its files go, and do not come back with a later email.
	updated, err := manager.plan.UpdatePlan(ctx, connect.NewRequest(&v1.UpdatePlanRequest{PlanId: planID, Plan: &v1.PlanInput{
		Name: "Brochure", Steps: []*v1.PlanStep{{Kind: v1.ActivityKind_ACTIVITY_KIND_CALL}},
	}}))
	if err != nil || len(updated.Msg.GetPlan().GetSteps()[0].GetFiles()) != 0 {
		t.Fatalf("update = %v, %v", updated, err)
	}
	updated, err = manager.plan.UpdatePlan(ctx, connect.NewRequest(&v1.UpdatePlanRequest{PlanId: planID, Plan: &v1.PlanInput{
		Name: "Brochure", Steps: []*v1.PlanStep{{Kind: v1.ActivityKind_ACTIVITY_KIND_EMAIL, Automatic: true, Subject: "Re", Body: "Re"}},
	}}))
	if err != nil || len(updated.Msg.GetPlan().GetSteps()[0].GetFiles()) != 0 {
		t.Fatalf("update = %v, %v", updated, err)
	}
	if d := deliveries(t, alice, leadID); len(d) != 1 || len(d[0].GetAttachmentNames()) != 2 {
		t.Fatalf("the sent email's files after the edit = %v", d)
	}
}
