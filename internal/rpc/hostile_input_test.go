package rpc_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"buf.build/gen/go/bufbuild/protovalidate/protocolbuffers/go/buf/validate"
	"connectrpc.com/connect"
	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/timestamppb"

	v1 "github.com/relancehq/relance/gen/go/relance/v1"
)

// fieldPaths renders each field violation's path as protovalidate writes it, indexes and map
// keys included ("plan.steps[1].body").
func fieldPaths(t *testing.T, err error) []string {
	t.Helper()
	ce := wantCode(t, err, connect.CodeInvalidArgument)
	var out []string
	for _, d := range ce.Details() {
		msg, err := d.Value()
		if err != nil {
			t.Fatal(err)
		}
		vs, ok := msg.(*validate.Violations)
		if !ok {
			continue
		}
		for _, v := range vs.GetViolations() {
			var b strings.Builder
			for i, e := range v.GetField().GetElements() {
				if i > 0 {
					b.WriteByte('.')
				}
				b.WriteString(e.GetFieldName())
				if e.HasIndex() {
					fmt.Fprintf(&b, "[%d]", e.GetIndex())
				}
				if e.HasStringKey() {
					fmt.Fprintf(&b, "[%q]", e.GetStringKey())
				}
			}
			out = append(out, b.String())
		}
	}
	return out
}

// wantField fails unless err is invalid_argument naming exactly field.
func wantField(t *testing.T, what string, err error, field string) {
	t.Helper()
	if got := fieldPaths(t, err); !slices.Equal(got, []string{field}) {
		t.Errorf("%s: violations on %v, want %s", what, got, field)
	}
}

// A NUL character in any string field of any request, however deep, is refused in every
// protocol as invalid_argument naming the field, and nothing is written.
func TestNULInAnyStringFieldIsRefused(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	token := s.login(t, s.world.Admin.Email)
	for name, opts := range protocols {
		t.Run(name, func(t *testing.T) {
			c := s.as(token, opts...)
			for field, edit := range map[string]func(*v1.CreateLeadRequest){
				"contact.name":    func(r *v1.CreateLeadRequest) { r.Contact.Name = "Jean\x00Dupont" },
				"notes":           func(r *v1.CreateLeadRequest) { r.Notes = "call back\x00" },
				"idempotency_key": func(r *v1.CreateLeadRequest) { r.IdempotencyKey = "\x00" },
				"source":          func(r *v1.CreateLeadRequest) { r.Source = "web\x00site" },
			} {
				req := newLead(s, "nul-"+name+field)
				edit(req)
				_, err := c.lead.CreateLead(ctx, connect.NewRequest(req))
				wantField(t, field, err, field)
			}
			steps := []*v1.PlanStep{
				{Kind: v1.ActivityKind_ACTIVITY_KIND_CALL},
				{Kind: v1.ActivityKind_ACTIVITY_KIND_TASK, AfterDays: 1, Body: "Rappeler\x00"},
			}
			_, err := c.plan.CreatePlan(ctx, connect.NewRequest(&v1.CreatePlanRequest{Plan: &v1.PlanInput{Name: "Web", Steps: steps}}))
			wantField(t, "plan step body", err, "plan.steps[1].body")
			_, err = c.plan.CreatePlan(ctx, connect.NewRequest(&v1.CreatePlanRequest{Plan: &v1.PlanInput{
				Name: "Web", EnrolSources: []string{"web", "partner\x00"}, Steps: steps[:1]}}))
			wantField(t, "enrolment source", err, "plan.enrol_sources[1]")
			// Before authentication, and on a server stream's request.
			_, err = s.as("", opts...).auth.Login(ctx, connect.NewRequest(&v1.LoginRequest{Email: "admin\x00@example.com", Password: "x"}))
			wantField(t, "login", err, "email")
			export, err := c.report.ExportReport(ctx, connect.NewRequest(&v1.ExportReportRequest{Report: &v1.ExportReportRequest_ResponseTime{
				ResponseTime: &v1.ResponseTimeReportRequest{FromTime: timestamppb.New(time.Now().Add(-time.Hour)), ToTime: timestamppb.Now(),
					Filter: &v1.ReportFilter{Source: "web\x00"}}}}))
			if err != nil {
				t.Fatal(err)
			}
			for export.Receive() {
				t.Fatal("the export streamed a chunk")
			}
			wantField(t, "export filter", export.Err(), "response_time.filter.source")
		})
	}
	c := s.as(token)
	leads, err := c.lead.ListLeads(ctx, connect.NewRequest(&v1.ListLeadsRequest{}))
	if err != nil || len(leads.Msg.GetLeads()) != 0 {
		t.Fatalf("refused requests wrote %d leads (%v)", len(leads.Msg.GetLeads()), err)
	}
	plans, err := c.plan.ListPlans(ctx, connect.NewRequest(&v1.ListPlansRequest{IncludeArchived: true}))
	if err != nil || len(plans.Msg.GetPlans()) != 0 {
		t.Fatalf("refused requests wrote %d plans (%v)", len(plans.Msg.GetPlans()), err)
	}

	// Invalid UTF-8 does not reach a handler either: the codec refuses it.
	body := []byte(`{"idempotencyKey":"utf8","siteId":"` + s.world.Lyon.ID.String() + `","source":"web","contact":{"name":"Jean ` + "\xff\xfe" + `"}}`)
	req, _ := http.NewRequest(http.MethodPost, s.url+"/relance.v1.LeadService/CreateLead", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var answer struct{ Code string }
	raw, _ := io.ReadAll(res.Body)
	if err := json.Unmarshal(raw, &answer); err != nil || answer.Code != "invalid_argument" {
		t.Fatalf("invalid UTF-8: HTTP %d %s", res.StatusCode, raw)
	}
}

// Partner text that a spreadsheet would run as a formula is exported as text; figures stay
// figures.
func TestExportNeutralisesFormulas(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	c := s.as(s.login(t, s.world.Admin.Email))
	hyperlink, command := `=HYPERLINK("http://evil.example","click")`, `=cmd|' /C calc'!A0`
	req := newLead(s, "formula")
	req.Contact.Name, req.Source, req.SourceGroup = hyperlink, command, "@SUM(A1:A9)"
	if _, err := c.lead.CreateLead(ctx, connect.NewRequest(req)); err != nil {
		t.Fatal(err)
	}
	period := func() *v1.ResponseTimeReportRequest {
		return &v1.ResponseTimeReportRequest{FromTime: timestamppb.New(time.Now().Add(-time.Hour)), ToTime: timestamppb.New(time.Now().Add(time.Hour)),
			GroupBy: v1.ReportGrouping_REPORT_GROUPING_SOURCE}
	}
	leads := readCSV(t, export(t, c, &v1.ExportReportRequest{Report: &v1.ExportReportRequest_ResponseTimeLeads{ResponseTimeLeads: period()}}), ',')
	if len(leads) != 2 {
		t.Fatalf("lead export: %v", leads)
	}
	row := map[string]string{}
	for i, h := range leads[0] {
		row[h] = leads[1][i]
	}
	if row["contact"] != "'"+hyperlink || row["source"] != "'"+command || row["source_group"] != "'@SUM(A1:A9)" {
		t.Fatalf("lead export cells: contact %q, source %q, group %q", row["contact"], row["source"], row["source_group"])
	}
	groups := readCSV(t, export(t, c, &v1.ExportReportRequest{Separator: v1.CSVSeparator_CSV_SEPARATOR_SEMICOLON,
		Report: &v1.ExportReportRequest_ResponseTime{ResponseTime: period()}}), ';')
	if len(groups) != 3 || groups[1][0] != "'"+command || groups[1][2] != "1" || groups[2][1] != "total" {
		t.Fatalf("grouped export: %v", groups)
	}
}

// A lead's receive time and a call's start time lie within the backdating window (90 days by
// default) and at most five minutes ahead; imports check each call alike.
func TestReportedTimesAreBounded(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	c := s.as(s.login(t, s.world.Admin.Email))
	now := time.Now()
	for name, tc := range map[string]struct {
		at time.Time
		ok bool
	}{
		"1900":             {time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC), false},
		"91 days ago":      {now.AddDate(0, 0, -91), false},
		"an hour from now": {now.Add(time.Hour), false},
		"89 days ago":      {now.AddDate(0, 0, -89), true},
		"a minute ahead":   {now.Add(time.Minute), true},
	} {
		req := newLead(s, "received "+name)
		req.ReceiveTime = timestamppb.New(tc.at)
		_, err := c.lead.CreateLead(ctx, connect.NewRequest(req))
		if tc.ok {
			if err != nil {
				t.Errorf("%s: %v", name, err)
			}
			continue
		}
		wantField(t, name, err, "receive_time")
	}
	lead, err := c.lead.CreateLead(ctx, connect.NewRequest(newLead(s, "calls")))
	if err != nil {
		t.Fatal(err)
	}
	call := func(id string, at time.Time) *v1.NewCall {
		return &v1.NewCall{LeadId: lead.Msg.GetLead().GetId(), AdvisorId: s.world.Alice.ID.String(), ExternalCallId: id,
			Direction: v1.ContactDirection_CONTACT_DIRECTION_OUTBOUND, StartTime: timestamppb.New(at),
			Duration: durationpb.New(time.Minute), Outcome: v1.CallOutcome_CALL_OUTCOME_ANSWERED}
	}
	_, err = c.call.RecordCall(ctx, connect.NewRequest(&v1.RecordCallRequest{Call: call("1901", time.Date(1901, 1, 1, 0, 0, 0, 0, time.UTC))}))
	wantField(t, "call in 1901", err, "call.start_time")
	imported, err := c.call.ImportCalls(ctx, connect.NewRequest(&v1.ImportCallsRequest{Calls: []*v1.NewCall{
		call("old", now.AddDate(0, 0, -100)), call("fine", now.Add(-time.Hour)), call("future", now.Add(time.Hour)),
	}}))
	if err != nil {
		t.Fatal(err)
	}
	m := imported.Msg
	if m.GetCreated() != 1 || m.GetRefused() != 2 || m.GetResults()[0].GetErrorCode() != "invalid_argument" ||
		!strings.Contains(m.GetResults()[0].GetErrorMessage(), "start_time") || m.GetResults()[2].GetErrorCode() != "invalid_argument" {
		t.Fatalf("import: %v", m)
	}
	calls, err := c.call.ListCalls(ctx, connect.NewRequest(&v1.ListCallsRequest{LeadId: lead.Msg.GetLead().GetId()}))
	if err != nil || len(calls.Msg.GetCalls()) != 1 {
		t.Fatalf("calls recorded: %v (%v)", calls, err)
	}
}

// A site that can never open is refused, on creation and on update, and stays as it was.
func TestSiteThatNeverOpensIsRefused(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	c := s.as(s.login(t, s.world.Admin.Email))
	_, err := c.team.CreateSite(ctx, connect.NewRequest(&v1.CreateSiteRequest{Name: "Never", TimeZone: "Europe/Paris", Country: "FR"}))
	wantField(t, "no window", err, "windows")
	lyon := s.world.Lyon.ID.String()
	_, err = c.team.UpdateSite(ctx, connect.NewRequest(&v1.UpdateSiteRequest{SiteId: lyon, Windows: &v1.OpeningWindows{}}))
	wantField(t, "windows removed", err, "windows")
	forever := &v1.Closures{Closures: []*v1.Closure{{StartDate: "2000-01-01", EndDate: "2099-12-31", Reason: "closed for good"}}}
	_, err = c.team.UpdateSite(ctx, connect.NewRequest(&v1.UpdateSiteRequest{SiteId: lyon, Closures: forever}))
	wantField(t, "closed for years", err, "closures")
	_, err = c.team.CreateSite(ctx, connect.NewRequest(&v1.CreateSiteRequest{Name: "Closed", TimeZone: "Europe/Paris", Country: "FR",
		Windows: []*v1.OpeningWindow{{Weekday: v1.Weekday_WEEKDAY_MONDAY, Start: "09:00", End: "12:00"}}, Closures: forever.GetClosures()}))
	wantField(t, "created closed", err, "closures")
	sites, err := c.team.ListSites(ctx, connect.NewRequest(&v1.ListSitesRequest{}))
	if err != nil || len(sites.Msg.GetSites()) != 2 {
		t.Fatalf("sites: %v (%v)", sites, err)
	}
	for _, site := range sites.Msg.GetSites() {
		if len(site.GetWindows()) == 0 || len(site.GetClosures()) != 0 {
			t.Fatalf("site changed: %v", site)
		}
	}
}

// A site's country and the repeat window are checked over the wire, and a refusal changes
// nothing.
func TestBadCountryAndRepeatWindowAreRefused(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	c := s.as(s.login(t, s.world.Admin.Email))
	monday := []*v1.OpeningWindow{{Weekday: v1.Weekday_WEEKDAY_MONDAY, Start: "09:00", End: "12:00"}}
	for _, country := range []string{"", "fr", "FRA", "XX"} {
		_, err := c.team.CreateSite(ctx, connect.NewRequest(&v1.CreateSiteRequest{Name: "S", TimeZone: "Europe/Paris", Country: country, Windows: monday}))
		wantField(t, "country "+country, err, "country")
	}
	xx := "XX"
	_, err := c.team.UpdateSite(ctx, connect.NewRequest(&v1.UpdateSiteRequest{SiteId: s.world.Lyon.ID.String(), Country: &xx}))
	wantField(t, "country XX on update", err, "country")
	sites, err := c.team.ListSites(ctx, connect.NewRequest(&v1.ListSitesRequest{}))
	if err != nil || len(sites.Msg.GetSites()) != 2 || sites.Msg.GetSites()[0].GetCountry() != "FR" {
		t.Fatalf("sites after refusals: %v, %v", sites, err)
	}
	for _, days := range []int32{-1, 366} {
		_, err := c.team.UpdateOrganization(ctx, connect.NewRequest(&v1.UpdateOrganizationRequest{RepeatDays: &days}))
		wantField(t, fmt.Sprintf("repeat_days %d", days), err, "repeat_days")
	}
	org, err := c.team.GetOrganization(ctx, connect.NewRequest(&v1.GetOrganizationRequest{}))
	if err != nil || org.Msg.GetOrganization().GetRepeatDays() != 0 {
		t.Fatalf("repeat days after refusals: %v, %v (the fixture turns them off)", org, err)
	}
}

// An API key's expiry is in the future and within three years; a refused one writes no key.
func TestBadAPIKeyExpiryIsRefused(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	c := s.as(s.login(t, s.world.Admin.Email))
	before, err := c.auth.ListApiKeys(ctx, connect.NewRequest(&v1.ListApiKeysRequest{}))
	if err != nil {
		t.Fatal(err)
	}
	for what, at := range map[string]time.Time{
		"an hour ago":  time.Now().Add(-time.Hour),
		"in ten years": time.Now().AddDate(10, 0, 0),
	} {
		_, err := c.auth.CreateApiKey(ctx, connect.NewRequest(&v1.CreateApiKeyRequest{
			Name: "crm", Scopes: []v1.Scope{v1.Scope_SCOPE_LEADS_CREATE}, ExpireTime: timestamppb.New(at),
		}))
		wantField(t, "expiry "+what, err, "expire_time")
	}
	after, err := c.auth.ListApiKeys(ctx, connect.NewRequest(&v1.ListApiKeysRequest{}))
	if err != nil || len(after.Msg.GetApiKeys()) != len(before.Msg.GetApiKeys()) {
		t.Fatalf("keys after refusals: %d, before %d (%v)", len(after.Msg.GetApiKeys()), len(before.Msg.GetApiKeys()), err)
	}
	in90days := time.Now().AddDate(0, 0, 90).Truncate(time.Second)
	res, err := c.auth.CreateApiKey(ctx, connect.NewRequest(&v1.CreateApiKeyRequest{
		Name: "crm", Scopes: []v1.Scope{v1.Scope_SCOPE_LEADS_CREATE}, ExpireTime: timestamppb.New(in90days),
	}))
	if err != nil || !res.Msg.GetApiKey().GetExpireTime().AsTime().Equal(in90days) {
		t.Fatalf("a key for 90 days: %v, %v", res, err)
	}
}
