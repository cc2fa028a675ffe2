package rpc_test

import (
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
