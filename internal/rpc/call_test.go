package rpc_test

import (
	"bytes"
	"encoding/csv"
	"strings"
	"testing"
	"time"

	"connectrpc.com/connect"
	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/timestamppb"

	v1 "github.com/relancehq/relance/gen/go/relance/v1"
	"github.com/relancehq/relance/internal/relance"
)

func TestCallsAndReportsOverTheWire(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	w := s.world
	admin := s.as(s.login(t, w.Admin.Email))
	manager := s.as(s.login(t, w.Manager.Email), connect.WithGRPCWeb())
	alice := s.as(s.login(t, w.Alice.Email), connect.WithGRPC())
	key, err := admin.auth.CreateApiKey(ctx, connect.NewRequest(&v1.CreateApiKeyRequest{Name: "pbx", Scopes: []v1.Scope{v1.Scope_SCOPE_CALLS_RECORD}}))
	if err != nil {
		t.Fatal(err)
	}
	pbx := s.as(key.Msg.GetSecret(), connect.WithGRPC())
	lead, _, err := s.db.CreateLead(ctx, w.As(w.Admin), relance.NewLead{
		IdempotencyKey: "wire-call", SiteID: w.Lyon.ID, Source: "phone", AssigneeID: w.Alice.ID,
		Contact: relance.Contact{Name: `Dupont; "Jean"`, Phone: "+33612345678"},
	})
	if err != nil {
		t.Fatal(err)
	}
	started := timestamppb.New(time.Now().Add(-time.Hour))

	// Bad input: field violations, nothing written.
	for name, c := range map[string]*v1.NewCall{
		"no lead, no phone": {Direction: v1.ContactDirection_CONTACT_DIRECTION_OUTBOUND, StartTime: started, Outcome: v1.CallOutcome_CALL_OUTCOME_BUSY},
		"no direction":      {Phone: "0612345678", StartTime: started, Outcome: v1.CallOutcome_CALL_OUTCOME_BUSY},
		"no outcome":        {Phone: "0612345678", Direction: v1.ContactDirection_CONTACT_DIRECTION_INBOUND, StartTime: started},
		"negative duration": {Phone: "0612345678", Direction: v1.ContactDirection_CONTACT_DIRECTION_INBOUND, StartTime: started, Outcome: v1.CallOutcome_CALL_OUTCOME_ANSWERED, Duration: durationpb.New(-time.Second)},
		"not a number":      {Phone: "call me", Direction: v1.ContactDirection_CONTACT_DIRECTION_INBOUND, StartTime: started, Outcome: v1.CallOutcome_CALL_OUTCOME_ANSWERED},
		"future":            {Phone: "0612345678", Direction: v1.ContactDirection_CONTACT_DIRECTION_INBOUND, StartTime: timestamppb.New(time.Now().Add(time.Hour)), Outcome: v1.CallOutcome_CALL_OUTCOME_ANSWERED},
	} {
		_, err := pbx.call.RecordCall(ctx, connect.NewRequest(&v1.RecordCallRequest{Call: c}))
		if ce := wantCode(t, err, connect.CodeInvalidArgument); len(violations(t, ce)) == 0 {
			t.Errorf("%s: no field violation in %v", name, ce)
		}
	}
	calls, err := alice.call.ListCalls(ctx, connect.NewRequest(&v1.ListCallsRequest{LeadId: lead.ID.String()}))
	if err != nil || len(calls.Msg.GetCalls()) != 0 {
		t.Fatalf("calls after refusals = %v, %v", calls, err)
	}

	// The PBX records a call twice and imports a batch; the recording is the manager's to hear.
	call := &v1.NewCall{
		Phone: "06 12 34 56 78", AdvisorId: w.Alice.ID.String(), Direction: v1.ContactDirection_CONTACT_DIRECTION_OUTBOUND,
		StartTime: started, Duration: durationpb.New(95 * time.Second), Outcome: v1.CallOutcome_CALL_OUTCOME_ANSWERED,
		RecordingUrl: "https://pbx.example/rec/1.mp3", ExternalCallId: "c-1",
	}
	for i, want := range []bool{true, false} {
		got, err := pbx.call.RecordCall(ctx, connect.NewRequest(&v1.RecordCallRequest{Call: call}))
		if err != nil || got.Msg.GetCreated() != want || !got.Msg.GetCall().GetSuccessfulTouch() {
			t.Fatalf("record %d = %v, %v", i, got, err)
		}
	}
	imported, err := pbx.call.ImportCalls(ctx, connect.NewRequest(&v1.ImportCallsRequest{Calls: []*v1.NewCall{
		call,
		{Phone: "+33 6 12 34 56 78", AdvisorId: w.Alice.ID.String(), Direction: v1.ContactDirection_CONTACT_DIRECTION_OUTBOUND, StartTime: started, Outcome: v1.CallOutcome_CALL_OUTCOME_NO_ANSWER, ExternalCallId: "c-2"},
		{Phone: "+33 6 99 99 99 98", Direction: v1.ContactDirection_CONTACT_DIRECTION_INBOUND, StartTime: started, Outcome: v1.CallOutcome_CALL_OUTCOME_NO_ANSWER, ExternalCallId: "c-3"},
	}}))
	if err != nil || imported.Msg.GetCreated() != 1 || imported.Msg.GetDuplicates() != 1 || imported.Msg.GetRefused() != 1 ||
		imported.Msg.GetResults()[2].GetErrorCode() != "not_found" {
		t.Fatalf("import = %v, %v", imported, err)
	}
	heard, err := manager.call.ListCalls(ctx, connect.NewRequest(&v1.ListCallsRequest{LeadId: lead.ID.String()}))
	if err != nil || len(heard.Msg.GetCalls()) != 2 || heard.Msg.GetCalls()[0].GetRecordingUrl() == "" {
		t.Fatalf("manager's calls = %v, %v", heard, err)
	}
	leads, err := manager.lead.ListLeads(ctx, connect.NewRequest(&v1.ListLeadsRequest{}))
	if err != nil || len(leads.Msg.GetLeads()) != 1 {
		t.Fatalf("leads = %v, %v", leads, err)
	}
	got := leads.Msg.GetLeads()[0]
	if got.GetCallAttempts() != 2 || got.GetSuccessfulTouches() != 1 || got.GetCadence() == nil || got.GetFirstResponseTime() == nil {
		t.Fatalf("lead = %v", got)
	}

	// Rules: a bad one is refused with its field; a site's is the manager's to set.
	_, err = manager.call.SetCadenceRule(ctx, connect.NewRequest(&v1.SetCadenceRuleRequest{Rule: &v1.CadenceRule{
		SiteId: w.Lyon.ID.String(), AttemptsPerDay: 0, Days: 5, SuccessfulTouch: durationpb.New(30 * time.Second), ClosureGuard: v1.ClosureGuard_CLOSURE_GUARD_FLAG,
	}}))
	if v := violations(t, wantCode(t, err, connect.CodeInvalidArgument)); len(v) != 1 || !strings.HasPrefix(v[0], "rule.attempts_per_day") {
		t.Fatalf("violations = %v", v)
	}
	if _, err := manager.call.SetCadenceRule(ctx, connect.NewRequest(&v1.SetCadenceRuleRequest{Rule: &v1.CadenceRule{
		SiteId: w.Lyon.ID.String(), AttemptsPerDay: 2, Days: 3, MinContacts: 6, SuccessfulTouch: durationpb.New(45 * time.Second), ClosureGuard: v1.ClosureGuard_CLOSURE_GUARD_REFUSE,
	}})); err != nil {
		t.Fatal(err)
	}
	_, err = alice.lead.UpdateLead(ctx, connect.NewRequest(&v1.UpdateLeadRequest{LeadId: lead.ID.String(), Stage: v1.LeadStage_LEAD_STAGE_REJECTED.Enum()}))
	wantCode(t, err, connect.CodeFailedPrecondition)

	// Reports: the figures, then the same as CSV with ";" and a decimal comma.
	from, to := timestamppb.New(time.Now().Add(-48*time.Hour)), timestamppb.New(time.Now().Add(time.Hour))
	report, err := manager.report.ResponseTimeReport(ctx, connect.NewRequest(&v1.ResponseTimeReportRequest{FromTime: from, ToTime: to, GroupBy: v1.ReportGrouping_REPORT_GROUPING_ADVISOR}))
	if err != nil || len(report.Msg.GetRows()) != 1 || report.Msg.GetTotal().GetReceived() != 1 || len(report.Msg.GetBuckets()) != 5 {
		t.Fatalf("report = %v, %v", report, err)
	}
	_, err = manager.report.ResponseTimeReport(ctx, connect.NewRequest(&v1.ResponseTimeReportRequest{FromTime: to, ToTime: from}))
	wantCode(t, err, connect.CodeInvalidArgument)
	_, err = alice.report.Dashboard(ctx, connect.NewRequest(&v1.DashboardRequest{}))
	wantCode(t, err, connect.CodePermissionDenied)

	file := export(t, manager, &v1.ExportReportRequest{
		Report:    &v1.ExportReportRequest_ResponseTimeLeads{ResponseTimeLeads: &v1.ResponseTimeReportRequest{FromTime: from, ToTime: to}},
		Separator: v1.CSVSeparator_CSV_SEPARATOR_SEMICOLON, ByteOrderMark: true,
	})
	if !bytes.HasPrefix(file, []byte("\xEF\xBB\xBF")) {
		t.Fatal("no byte order mark")
	}
	records := readCSV(t, file[3:], ';')
	if len(records) != 2 || records[1][8] != `Dupont; "Jean"` || records[1][3] != "alice" {
		t.Fatalf("csv = %q", records)
	}
	// The summary with ";" writes its percentages with a decimal comma.
	records = readCSV(t, export(t, admin, &v1.ExportReportRequest{
		Report:    &v1.ExportReportRequest_ResponseTime{ResponseTime: &v1.ResponseTimeReportRequest{FromTime: from, ToTime: to}},
		Separator: v1.CSVSeparator_CSV_SEPARATOR_SEMICOLON,
	}), ';')
	if len(records) != 2 || records[1][1] != "total" || records[1][8] != "100,0" {
		t.Fatalf("summary csv = %q", records)
	}
	for name, report := range map[string]*v1.ExportReportRequest{
		"advisors":   {Report: &v1.ExportReportRequest_Advisors{Advisors: &v1.AdvisorReportRequest{FromTime: from, ToTime: to}}},
		"compliance": {Report: &v1.ExportReportRequest_Compliance{Compliance: &v1.ComplianceReportRequest{FromDate: time.Now().Format(time.DateOnly), ToDate: time.Now().Format(time.DateOnly)}}},
	} {
		// A header, then Lyon's two advisors (Alice and Bob) for the manager.
		if records := readCSV(t, export(t, manager, report), ','); len(records) != 3 || records[0][0] != "advisor_id" {
			t.Errorf("%s csv = %q", name, records)
		}
	}
	records = readCSV(t, export(t, admin, &v1.ExportReportRequest{Report: &v1.ExportReportRequest_Dashboard{Dashboard: &v1.DashboardRequest{}}}), ',')
	if len(records) != 2 || records[1][0] != "43200" || records[1][1] != "1" {
		t.Fatalf("dashboard csv = %q", records)
	}
}

// export reads a whole ExportReport stream.
func export(t *testing.T, c clients, req *v1.ExportReportRequest) []byte {
	t.Helper()
	stream, err := c.report.ExportReport(ctx, connect.NewRequest(req))
	if err != nil {
		t.Fatal(err)
	}
	var file []byte
	for stream.Receive() {
		file = append(file, stream.Msg().GetChunk()...)
	}
	if err := stream.Err(); err != nil {
		t.Fatal(err)
	}
	return file
}

func readCSV(t *testing.T, file []byte, sep rune) [][]string {
	t.Helper()
	r := csv.NewReader(bytes.NewReader(file))
	r.Comma = sep
	records, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return records
}
