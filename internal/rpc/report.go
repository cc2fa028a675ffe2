package rpc

import (
	"context"
	"encoding/csv"
	"strconv"
	"strings"
	"time"

	"connectrpc.com/connect"
	"github.com/google/uuid"
	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/timestamppb"

	v1 "github.com/relancehq/relance/gen/go/relance/v1"
	"github.com/relancehq/relance/internal/relance"
)

type reportService struct{ *handlers }

var groupings = map[relance.Grouping]v1.ReportGrouping{
	relance.ByAdvisor:     v1.ReportGrouping_REPORT_GROUPING_ADVISOR,
	relance.BySite:        v1.ReportGrouping_REPORT_GROUPING_SITE,
	relance.BySource:      v1.ReportGrouping_REPORT_GROUPING_SOURCE,
	relance.BySourceGroup: v1.ReportGrouping_REPORT_GROUPING_SOURCE_GROUP,
	relance.ByUnit:        v1.ReportGrouping_REPORT_GROUPING_UNIT,
}

var groupingOf = reverse(groupings)

func reportFilterIn(f *v1.ReportFilter) relance.ReportFilter {
	return relance.ReportFilter{
		SiteID: parseID(f.GetSiteId()), AdvisorID: parseID(f.GetAdvisorId()), Source: f.GetSource(),
		SourceGroup: f.GetSourceGroup(), Category: categoryOf[f.GetCategory()], UnitID: parseID(f.GetUnitId()),
	}
}

func responseTimeQueryIn(m *v1.ResponseTimeReportRequest) relance.ResponseTimeQuery {
	q := relance.ResponseTimeQuery{
		From: m.GetFromTime().AsTime(), To: m.GetToTime().AsTime(), Filter: reportFilterIn(m.GetFilter()),
		GroupBy: groupingOf[m.GetGroupBy()], Window: m.GetWindow().AsDuration(),
	}
	for _, b := range m.GetBuckets() {
		q.Buckets = append(q.Buckets, relance.Bucket{From: b.GetFrom().AsDuration(), To: b.GetTo().AsDuration()})
	}
	return q
}

func responseTimeRowOut(r *relance.ResponseTimeRow) *v1.ResponseTimeRow {
	out := &v1.ResponseTimeRow{
		Key: r.Key, Label: r.Label, Received: int32(r.Received), Answered: int32(r.Answered),
		Unanswered: int32(r.Unanswered()), Average: duration(ofAnswered(r.Answered, r.Average)),
		Median:     duration(ofAnswered(r.Answered, r.Median)),
		Within_24H: int32(r.Within24h), Within_24HPercent: r.Percent(r.Within24h),
		WithinWindow: int32(r.WithinWindow), WithinWindowPercent: r.Percent(r.WithinWindow),
	}
	for _, n := range r.Buckets {
		out.Buckets = append(out.Buckets, int32(n))
	}
	return out
}

func (s *reportService) ResponseTimeReport(ctx context.Context, req *connect.Request[v1.ResponseTimeReportRequest]) (*connect.Response[v1.ResponseTimeReportResponse], error) {
	r, err := s.store.ResponseTimeReport(ctx, principal(ctx), responseTimeQueryIn(req.Msg))
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	out := &v1.ResponseTimeReportResponse{Total: responseTimeRowOut(&r.Total)}
	for i := range r.Rows {
		out.Rows = append(out.Rows, responseTimeRowOut(&r.Rows[i]))
	}
	for _, b := range r.Buckets {
		wb := &v1.Bucket{From: durationpb.New(b.From)}
		if b.To != 0 {
			wb.To = durationpb.New(b.To)
		}
		out.Buckets = append(out.Buckets, wb)
	}
	return connect.NewResponse(out), nil
}

// dashboardPeriod is the period a dashboard request asks for: 12 h unless set.
func dashboardPeriod(m *v1.DashboardRequest) time.Duration {
	if m.Period == nil {
		return 12 * time.Hour
	}
	return m.GetPeriod().AsDuration()
}

func (s *reportService) Dashboard(ctx context.Context, req *connect.Request[v1.DashboardRequest]) (*connect.Response[v1.DashboardResponse], error) {
	d, err := s.store.Dashboard(ctx, principal(ctx), reportFilterIn(req.Msg.GetFilter()), dashboardPeriod(req.Msg))
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	return connect.NewResponse(&v1.DashboardResponse{
		Received: int32(d.Received), Answered: int32(d.Answered), AverageResponse: duration(ofAnswered(d.Answered, d.Average)),
		Waiting: int32(d.Waiting),
	}), nil
}

func complianceFilterIn(m *v1.ComplianceReportRequest) (relance.ComplianceFilter, error) {
	from, err := relance.ParseDate(m.GetFromDate())
	if err != nil {
		return relance.ComplianceFilter{}, invalid("from_date", err.Error())
	}
	to, err := relance.ParseDate(m.GetToDate())
	if err != nil {
		return relance.ComplianceFilter{}, invalid("to_date", err.Error())
	}
	return relance.ComplianceFilter{From: from, To: to, SiteID: parseID(m.GetSiteId()), AdvisorID: parseID(m.GetAdvisorId()),
		UnitID: parseID(m.GetUnitId())}, nil
}

func (s *reportService) ComplianceReport(ctx context.Context, req *connect.Request[v1.ComplianceReportRequest]) (*connect.Response[v1.ComplianceReportResponse], error) {
	f, err := complianceFilterIn(req.Msg)
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	rows, err := s.store.Compliance(ctx, principal(ctx), f)
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	out := &v1.ComplianceReportResponse{}
	for _, r := range rows {
		out.Rows = append(out.Rows, &v1.ComplianceRow{
			AdvisorId: r.AdvisorID.String(), AdvisorName: r.AdvisorName, Date: r.Day.String(),
			InCadence: int32(r.InCadence), NoAttempt: int32(r.NoAttempt), Attempts: int32(r.Attempts),
			Quota: int32(r.Quota), SuccessfulTouches: int32(r.Touches), Behind: int32(r.Behind),
		})
	}
	return connect.NewResponse(out), nil
}

func (s *reportService) AdvisorReport(ctx context.Context, req *connect.Request[v1.AdvisorReportRequest]) (*connect.Response[v1.AdvisorReportResponse], error) {
	m := req.Msg
	rows, err := s.store.AdvisorReport(ctx, principal(ctx), parseID(m.GetSiteId()), m.GetFromTime().AsTime(), m.GetToTime().AsTime())
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	out := &v1.AdvisorReportResponse{}
	for _, r := range rows {
		out.Rows = append(out.Rows, &v1.AdvisorRow{
			AdvisorId: r.AdvisorID.String(), AdvisorName: r.AdvisorName, Open: int32(r.Open), Late: int32(r.Late),
			Reminders: int32(r.Reminders), ImproperClosures: int32(r.ImproperClosures),
		})
	}
	return connect.NewResponse(out), nil
}

// ListResponseTimeLeads lists one page of a response-time report's leads, 50 unless asked.
func (s *reportService) ListResponseTimeLeads(ctx context.Context, req *connect.Request[v1.ListResponseTimeLeadsRequest]) (*connect.Response[v1.ListResponseTimeLeadsResponse], error) {
	m := req.Msg
	q := responseTimeQueryIn(m.GetQuery())
	if err := q.Normalize(); err != nil {
		return nil, s.fail(ctx, err)
	}
	at, id, ok, err := decodeTimeToken(m.GetPageToken())
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	var after *relance.LeadResponseCursor
	if ok {
		after = &relance.LeadResponseCursor{ReceivedAt: at, ID: id}
	}
	limit := int(m.GetPageSize())
	if limit == 0 {
		limit = 50
	}
	page, next, err := s.store.ResponseTimeLeads(ctx, principal(ctx), q, after, limit)
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	out := &v1.ListResponseTimeLeadsResponse{}
	if next != nil {
		out.NextPageToken = encodeTimeToken(next.ReceivedAt, next.ID)
	}
	for _, r := range page {
		l := r.Lead
		row := &v1.ResponseTimeLead{
			LeadId: l.ID.String(), ReceivedAt: timestamppb.New(l.ReceivedAt), SiteId: l.SiteID.String(), SiteName: r.SiteName,
			AdvisorName: r.AdvisorName, Source: l.Source, SourceGroup: l.SourceGroup, Category: categories[l.Category],
			ContactName: l.Contact.Name, UnitId: idString(r.UnitID), UnitName: r.UnitName,
		}
		if l.AssigneeID != uuid.Nil {
			row.AdvisorId = l.AssigneeID.String()
		}
		if l.FirstResponseAt != nil {
			row.FirstResponseAt = timestamppb.New(*l.FirstResponseAt)
		}
		if l.ResponseTime != nil {
			row.ResponseTime = durationpb.New(*l.ResponseTime)
			row.WithinWindow = *l.ResponseTime <= q.Window
		}
		out.Leads = append(out.Leads, row)
	}
	return connect.NewResponse(out), nil
}

// exportChunk is the most bytes one ExportReport message carries.
const exportChunk = 64 << 10

// chunker sends what is written to it as ExportReport messages of at most exportChunk bytes.
type chunker struct {
	stream *connect.ServerStream[v1.ExportReportResponse]
	buf    []byte
}

func (c *chunker) Write(p []byte) (int, error) {
	c.buf = append(c.buf, p...)
	for len(c.buf) >= exportChunk {
		if err := c.stream.Send(&v1.ExportReportResponse{Chunk: c.buf[:exportChunk]}); err != nil {
			return 0, err
		}
		c.buf = append([]byte(nil), c.buf[exportChunk:]...)
	}
	return len(p), nil
}

func (c *chunker) flush() error {
	if len(c.buf) == 0 {
		return nil
	}
	err := c.stream.Send(&v1.ExportReportResponse{Chunk: c.buf})
	c.buf = nil
	return err
}

// table writes CSV records; numbers use a decimal comma when fields are separated by ";".
type table struct {
	w            *csv.Writer
	decimalComma bool
}

// row writes one record, each cell made safe to open in a spreadsheet (safeCell): names,
// sources and categories come from partners and users.
func (t *table) row(fields ...string) error {
	for i, f := range fields {
		fields[i] = safeCell(f)
	}
	return t.w.Write(fields)
}

func (t *table) float(f float64) string {
	s := strconv.FormatFloat(f, 'f', 1, 64)
	if t.decimalComma {
		s = strings.Replace(s, ".", ",", 1)
	}
	return s
}

func itoa(n int) string { return strconv.Itoa(n) }

func secs(d time.Duration) string { return strconv.FormatInt(int64(d/time.Second), 10) }

// optSecs writes a figure in seconds, or nothing when there is none.
func optSecs(d *time.Duration) string {
	if d == nil {
		return ""
	}
	return secs(*d)
}

// ofAnswered is a response-time figure (average, median) of n answered leads: none at all when
// no lead was answered, never 0 s, in the API's messages and in CSV alike.
func ofAnswered(n int, d time.Duration) *time.Duration {
	if n == 0 {
		return nil
	}
	return &d
}

func (s *reportService) ExportReport(ctx context.Context, req *connect.Request[v1.ExportReportRequest], stream *connect.ServerStream[v1.ExportReportResponse]) error {
	m := req.Msg
	out := &chunker{stream: stream}
	if m.GetByteOrderMark() {
		out.buf = append(out.buf, "\uFEFF"...)
	}
	w := csv.NewWriter(out)
	t := &table{w: w}
	switch m.GetSeparator() {
	case v1.CSVSeparator_CSV_SEPARATOR_SEMICOLON:
		w.Comma, t.decimalComma = ';', true
	case v1.CSVSeparator_CSV_SEPARATOR_TAB:
		w.Comma = '\t'
	}
	p := principal(ctx)
	var err error
	switch r := m.GetReport().(type) {
	case *v1.ExportReportRequest_ResponseTime:
		err = s.exportResponseTime(ctx, p, t, responseTimeQueryIn(r.ResponseTime))
	case *v1.ExportReportRequest_ResponseTimeLeads:
		err = s.exportLeads(ctx, p, t, responseTimeQueryIn(r.ResponseTimeLeads))
	case *v1.ExportReportRequest_Compliance:
		err = s.exportCompliance(ctx, p, t, r.Compliance)
	case *v1.ExportReportRequest_Advisors:
		err = s.exportAdvisors(ctx, p, t, r.Advisors)
	case *v1.ExportReportRequest_Dashboard:
		err = s.exportDashboard(ctx, p, t, r.Dashboard)
	}
	if err == nil {
		w.Flush()
		err = w.Error()
	}
	if err == nil {
		err = out.flush()
	}
	if err != nil {
		return s.fail(ctx, err)
	}
	return nil
}

func (s *reportService) exportResponseTime(ctx context.Context, p relance.Principal, t *table, q relance.ResponseTimeQuery) error {
	r, err := s.store.ResponseTimeReport(ctx, p, q)
	if err != nil {
		return err
	}
	header := []string{"group", "label", "received", "answered", "unanswered", "average_seconds", "median_seconds",
		"within_24h", "within_24h_percent", "within_window", "within_window_percent"}
	for _, b := range r.Buckets {
		to := "more"
		if b.To != 0 {
			to = b.To.String()
		}
		header = append(header, b.From.String()+"-"+to)
	}
	if err := t.row(header...); err != nil {
		return err
	}
	rows := append(r.Rows, r.Total)
	rows[len(rows)-1].Label = "total"
	for _, row := range rows {
		fields := []string{row.Key, row.Label, itoa(row.Received), itoa(row.Answered), itoa(row.Unanswered()),
			optSecs(ofAnswered(row.Answered, row.Average)), optSecs(ofAnswered(row.Answered, row.Median)), itoa(row.Within24h), t.float(row.Percent(row.Within24h)),
			itoa(row.WithinWindow), t.float(row.Percent(row.WithinWindow))}
		for _, n := range row.Buckets {
			fields = append(fields, itoa(n))
		}
		if err := t.row(fields...); err != nil {
			return err
		}
	}
	return nil
}

func (s *reportService) exportLeads(ctx context.Context, p relance.Principal, t *table, q relance.ResponseTimeQuery) error {
	if err := q.Normalize(); err != nil {
		return err
	}
	if err := t.row("lead_id", "received_at", "site", "advisor", "unit", "source", "source_group", "category", "contact",
		"stage", "first_response_at", "response_seconds", "within_window"); err != nil {
		return err
	}
	return s.store.EachLeadResponse(ctx, p, q, func(r relance.LeadResponse) error {
		l := r.Lead
		answered, seconds, within := "", "", "no"
		if l.FirstResponseAt != nil {
			answered = l.FirstResponseAt.UTC().Format(time.RFC3339)
		}
		if l.ResponseTime != nil {
			seconds = secs(*l.ResponseTime)
			if *l.ResponseTime <= q.Window {
				within = "yes"
			}
		}
		return t.row(l.ID.String(), l.ReceivedAt.UTC().Format(time.RFC3339), r.SiteName, r.AdvisorName, r.UnitName,
			l.Source, l.SourceGroup, l.Category, l.Contact.Name, string(l.Stage), answered, seconds, within)
	})
}

func (s *reportService) exportCompliance(ctx context.Context, p relance.Principal, t *table, m *v1.ComplianceReportRequest) error {
	f, err := complianceFilterIn(m)
	if err != nil {
		return err
	}
	rows, err := s.store.Compliance(ctx, p, f)
	if err != nil {
		return err
	}
	if err := t.row("advisor_id", "advisor", "date", "in_cadence", "no_attempt", "attempts", "quota",
		"successful_touches", "behind"); err != nil {
		return err
	}
	for _, r := range rows {
		if err := t.row(r.AdvisorID.String(), r.AdvisorName, r.Day.String(), itoa(r.InCadence), itoa(r.NoAttempt),
			itoa(r.Attempts), itoa(r.Quota), itoa(r.Touches), itoa(r.Behind)); err != nil {
			return err
		}
	}
	return nil
}

func (s *reportService) exportAdvisors(ctx context.Context, p relance.Principal, t *table, m *v1.AdvisorReportRequest) error {
	rows, err := s.store.AdvisorReport(ctx, p, parseID(m.GetSiteId()), m.GetFromTime().AsTime(), m.GetToTime().AsTime())
	if err != nil {
		return err
	}
	if err := t.row("advisor_id", "advisor", "open", "late", "reminders", "improper_closures"); err != nil {
		return err
	}
	for _, r := range rows {
		if err := t.row(r.AdvisorID.String(), r.AdvisorName, itoa(r.Open), itoa(r.Late), itoa(r.Reminders),
			itoa(r.ImproperClosures)); err != nil {
			return err
		}
	}
	return nil
}

func (s *reportService) exportDashboard(ctx context.Context, p relance.Principal, t *table, m *v1.DashboardRequest) error {
	d, err := s.store.Dashboard(ctx, p, reportFilterIn(m.GetFilter()), dashboardPeriod(m))
	if err != nil {
		return err
	}
	if err := t.row("period_seconds", "received", "answered", "average_response_seconds", "waiting"); err != nil {
		return err
	}
	return t.row(secs(dashboardPeriod(m)), itoa(d.Received), itoa(d.Answered), optSecs(ofAnswered(d.Answered, d.Average)), itoa(d.Waiting))
}
