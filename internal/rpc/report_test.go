package rpc_test

import (
	"fmt"
	"testing"
	"time"

	"connectrpc.com/connect"
	"google.golang.org/protobuf/types/known/timestamppb"

	v1 "github.com/relancehq/relance/gen/go/relance/v1"
)

// An average or a median of no answered lead is no figure: unset in the messages, an empty cell
// in CSV, never "0 s", which would read as an instant answer.
func TestResponseFiguresOfNoAnsweredLeadAreUnset(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	admin := s.as(s.login(t, s.world.Admin.Email))
	created, err := admin.lead.CreateLead(ctx, connect.NewRequest(newLead(s, "unanswered")))
	if err != nil {
		t.Fatal(err)
	}
	from, to := timestamppb.New(time.Now().Add(-time.Hour)), timestamppb.New(time.Now().Add(time.Hour))
	figures := func() (*v1.DashboardResponse, *v1.ResponseTimeRow, [][]string, [][]string) {
		t.Helper()
		d, err := admin.report.Dashboard(ctx, connect.NewRequest(&v1.DashboardRequest{}))
		if err != nil {
			t.Fatal(err)
		}
		r, err := admin.report.ResponseTimeReport(ctx, connect.NewRequest(&v1.ResponseTimeReportRequest{FromTime: from, ToTime: to}))
		if err != nil {
			t.Fatal(err)
		}
		dash := readCSV(t, export(t, admin, &v1.ExportReportRequest{Report: &v1.ExportReportRequest_Dashboard{Dashboard: &v1.DashboardRequest{}}}), ',')
		summary := readCSV(t, export(t, admin, &v1.ExportReportRequest{Report: &v1.ExportReportRequest_ResponseTime{ResponseTime: &v1.ResponseTimeReportRequest{FromTime: from, ToTime: to}}}), ',')
		return d.Msg, r.Msg.GetTotal(), dash, summary
	}

	d, total, dash, summary := figures()
	if d.GetReceived() != 1 || d.GetAnswered() != 0 || d.AverageResponse != nil {
		t.Fatalf("dashboard with nothing answered = %v, want no average", d)
	}
	if total.GetReceived() != 1 || total.GetAnswered() != 0 || total.Average != nil || total.Median != nil {
		t.Fatalf("report total with nothing answered = %v, want no average nor median", total)
	}
	if len(dash) != 2 || dash[1][3] != "" || len(summary) != 2 || summary[1][5] != "" || summary[1][6] != "" {
		t.Fatalf("CSV with nothing answered: dashboard %q, summary %q; want empty figures", dash, summary)
	}

	// Once answered, the figures are there, in both forms.
	if _, err := admin.lead.RecordActivity(ctx, connect.NewRequest(&v1.RecordActivityRequest{
		LeadId: created.Msg.GetLead().GetId(), Kind: v1.ActivityKind_ACTIVITY_KIND_CALL, State: v1.ActivityState_ACTIVITY_STATE_DONE,
		Direction: v1.ContactDirection_CONTACT_DIRECTION_OUTBOUND, Content: "rappelé",
	})); err != nil {
		t.Fatal(err)
	}
	d, total, dash, summary = figures()
	if d.GetAnswered() != 1 || d.AverageResponse == nil || total.Average == nil || total.Median == nil || dash[1][3] == "" || summary[1][5] == "" {
		t.Fatalf("figures once answered: dashboard %v, total %v, CSV %q %q", d, total, dash, summary)
	}
}

// The leads behind a response-time report, page by page in receipt order: only those the
// manager may see, narrowed to a row's advisor, with each answered lead's business response time.
func TestListResponseTimeLeadsPagesThroughAReportsLeads(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	w := s.world
	admin := s.as(s.login(t, w.Admin.Email))
	manager := s.as(s.login(t, w.Manager.Email))
	alice := s.as(s.login(t, w.Alice.Email))
	var aliceLeads []string
	for i, who := range []string{w.Alice.ID.String(), w.Bob.ID.String(), w.Alice.ID.String(), w.Bob.ID.String(), w.Alice.ID.String()} {
		req := newLead(s, fmt.Sprintf("detail-%d", i))
		req.AssigneeId = who
		created, err := admin.lead.CreateLead(ctx, connect.NewRequest(req))
		if err != nil {
			t.Fatal(err)
		}
		if who == w.Alice.ID.String() {
			aliceLeads = append(aliceLeads, created.Msg.GetLead().GetId())
		}
	}
	paris := newLead(s, "detail-paris")
	paris.SiteId, paris.AssigneeId = w.Paris.ID.String(), w.Pauline.ID.String()
	if _, err := admin.lead.CreateLead(ctx, connect.NewRequest(paris)); err != nil {
		t.Fatal(err)
	}
	if _, err := admin.lead.RecordActivity(ctx, connect.NewRequest(&v1.RecordActivityRequest{
		LeadId: aliceLeads[0], Kind: v1.ActivityKind_ACTIVITY_KIND_CALL, State: v1.ActivityState_ACTIVITY_STATE_DONE,
		Direction: v1.ContactDirection_CONTACT_DIRECTION_OUTBOUND, Content: "rappelé",
	})); err != nil {
		t.Fatal(err)
	}
	query := &v1.ResponseTimeReportRequest{FromTime: timestamppb.New(time.Now().Add(-time.Hour)), ToTime: timestamppb.New(time.Now().Add(time.Hour))}
	all := func(c clients, q *v1.ResponseTimeReportRequest) (leads []*v1.ResponseTimeLead, pages int) {
		t.Helper()
		token := ""
		for pages = 1; pages <= 10; pages++ {
			res, err := c.report.ListResponseTimeLeads(ctx, connect.NewRequest(&v1.ListResponseTimeLeadsRequest{Query: q, PageSize: 2, PageToken: token}))
			if err != nil {
				t.Fatal(err)
			}
			leads = append(leads, res.Msg.GetLeads()...)
			if token = res.Msg.GetNextPageToken(); token == "" {
				return leads, pages
			}
		}
		t.Fatal("more pages than leads")
		return nil, 0
	}

	leads, pages := all(manager, query)
	if len(leads) != 5 || pages != 3 {
		t.Fatalf("manager sees %d leads in %d pages, want Lyon's 5 in 3", len(leads), pages)
	}
	for i := 1; i < len(leads); i++ {
		if leads[i].GetReceivedAt().AsTime().Before(leads[i-1].GetReceivedAt().AsTime()) {
			t.Fatalf("leads out of receipt order: %v", leads)
		}
	}
	if everyone, _ := all(admin, query); len(everyone) != 6 {
		t.Fatalf("admin sees %d leads, want 6", len(everyone))
	}

	// A row's detail: the advisor's leads, as many as the report's row counts.
	report, err := manager.report.ResponseTimeReport(ctx, connect.NewRequest(&v1.ResponseTimeReportRequest{
		FromTime: query.FromTime, ToTime: query.ToTime, GroupBy: v1.ReportGrouping_REPORT_GROUPING_ADVISOR,
	}))
	if err != nil {
		t.Fatal(err)
	}
	var row *v1.ResponseTimeRow
	for _, r := range report.Msg.GetRows() {
		if r.GetKey() == w.Alice.ID.String() {
			row = r
		}
	}
	byAlice := &v1.ResponseTimeReportRequest{FromTime: query.FromTime, ToTime: query.ToTime, Filter: &v1.ReportFilter{AdvisorId: w.Alice.ID.String()}}
	leads, _ = all(manager, byAlice)
	if row == nil || int(row.GetReceived()) != len(leads) || len(leads) != 3 || row.GetAnswered() != 1 {
		t.Fatalf("alice's row %v, her leads %v", row, leads)
	}
	first := leads[0]
	if first.GetLeadId() != aliceLeads[0] || first.GetAdvisorName() != "alice" || first.GetSiteName() != "Lyon" ||
		first.GetFirstResponseAt() == nil || first.ResponseTime == nil || first.GetCategory() != v1.Category_CATEGORY_A ||
		first.GetContactName() != "Jean Dupont" {
		t.Fatalf("answered lead = %v", first)
	}
	if leads[1].GetFirstResponseAt() != nil || leads[1].ResponseTime != nil || leads[1].GetWithinWindow() {
		t.Fatalf("unanswered lead = %v", leads[1])
	}

	_, err = alice.report.ListResponseTimeLeads(ctx, connect.NewRequest(&v1.ListResponseTimeLeadsRequest{Query: query}))
	wantCode(t, err, connect.CodePermissionDenied)
	_, err = manager.report.ListResponseTimeLeads(ctx, connect.NewRequest(&v1.ListResponseTimeLeadsRequest{Query: query, PageToken: "nonsense"}))
	wantCode(t, err, connect.CodeInvalidArgument)
	_, err = manager.report.ListResponseTimeLeads(ctx, connect.NewRequest(&v1.ListResponseTimeLeadsRequest{Query: &v1.ResponseTimeReportRequest{FromTime: query.ToTime, ToTime: query.FromTime}}))
	wantCode(t, err, connect.CodeInvalidArgument)
}
