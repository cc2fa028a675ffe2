package rpc_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"buf.build/gen/go/bufbuild/protovalidate/protocolbuffers/go/buf/validate"
	"connectrpc.com/connect"
	"connectrpc.com/grpcreflect"
	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/timestamppb"

	v1 "github.com/relancehq/relance/gen/go/relance/v1"
	"github.com/relancehq/relance/gen/go/relance/v1/relancev1connect"
	"github.com/relancehq/relance/internal/postgres"
	"github.com/relancehq/relance/internal/rpc"
	"github.com/relancehq/relance/internal/testenv"
)

var ctx = context.Background()

// stack is an API server over a fresh database with a populated organisation.
type stack struct {
	url   string
	http  *http.Client
	world *testenv.World
	db    *postgres.DB
}

func newStack(t *testing.T) *stack {
	t.Helper()
	db := testenv.Open(t)
	return stackOn(t, db, testenv.NewWorld(t, db), rpc.Options{CORSOrigins: []string{"https://app.example"}})
}

// stackOn starts one more API process over db with opts, serving HTTP/1.1 and h2c like
// rpc.NewServer, and talks to it over h2c, as gRPC clients speak to the server in production.
func stackOn(t *testing.T, db *postgres.DB, world *testenv.World, opts rpc.Options) *stack {
	t.Helper()
	opts.Log = testenv.Logger(t)
	srv := httptest.NewUnstartedServer(rpc.NewHandler(db, opts))
	srv.Config.Protocols = new(http.Protocols)
	srv.Config.Protocols.SetHTTP1(true)
	srv.Config.Protocols.SetUnencryptedHTTP2(true)
	srv.Start()
	t.Cleanup(srv.Close)
	protocols := new(http.Protocols)
	protocols.SetUnencryptedHTTP2(true)
	client := &http.Client{Transport: &http.Transport{Protocols: protocols}, Timeout: 30 * time.Second}
	return &stack{url: srv.URL, http: client, world: world, db: db}
}

// protocols are the three wire protocols the API serves on one port.
var protocols = map[string][]connect.ClientOption{
	"connect": nil,
	"grpc":    {connect.WithGRPC()},
	"grpcweb": {connect.WithGRPCWeb()},
}

type clients struct {
	auth         relancev1connect.AuthServiceClient
	team         relancev1connect.TeamServiceClient
	lead         relancev1connect.LeadServiceClient
	status       relancev1connect.StatusServiceClient
	counterparty relancev1connect.CounterpartyServiceClient
	action       relancev1connect.ActionServiceClient
	plan         relancev1connect.PlanServiceClient
	call         relancev1connect.CallServiceClient
	report       relancev1connect.ReportServiceClient
	device       relancev1connect.DeviceServiceClient
}

// as returns clients authenticated with token (none when empty) over one protocol.
func (s *stack) as(token string, opts ...connect.ClientOption) clients {
	if token != "" {
		opts = append(opts, connect.WithInterceptors(bearer(token)))
	}
	return clients{
		auth: relancev1connect.NewAuthServiceClient(s.http, s.url, opts...),
		team: relancev1connect.NewTeamServiceClient(s.http, s.url, opts...),
		lead: relancev1connect.NewLeadServiceClient(s.http, s.url, opts...),

		status:       relancev1connect.NewStatusServiceClient(s.http, s.url, opts...),
		counterparty: relancev1connect.NewCounterpartyServiceClient(s.http, s.url, opts...),
		action:       relancev1connect.NewActionServiceClient(s.http, s.url, opts...),
		plan:         relancev1connect.NewPlanServiceClient(s.http, s.url, opts...),
		call:         relancev1connect.NewCallServiceClient(s.http, s.url, opts...),
		report:       relancev1connect.NewReportServiceClient(s.http, s.url, opts...),
		device:       relancev1connect.NewDeviceServiceClient(s.http, s.url, opts...),
	}
}

// bearer authenticates every call, unary or streaming, with token.
type bearer string

func (b bearer) WrapUnary(next connect.UnaryFunc) connect.UnaryFunc {
	return func(ctx context.Context, req connect.AnyRequest) (connect.AnyResponse, error) {
		req.Header().Set("Authorization", "Bearer "+string(b))
		return next(ctx, req)
	}
}

func (b bearer) WrapStreamingClient(next connect.StreamingClientFunc) connect.StreamingClientFunc {
	return func(ctx context.Context, spec connect.Spec) connect.StreamingClientConn {
		conn := next(ctx, spec)
		conn.RequestHeader().Set("Authorization", "Bearer "+string(b))
		return conn
	}
}

func (b bearer) WrapStreamingHandler(next connect.StreamingHandlerFunc) connect.StreamingHandlerFunc {
	return next
}

func (s *stack) login(t *testing.T, email string) string {
	t.Helper()
	res, err := s.as("").auth.Login(ctx, connect.NewRequest(&v1.LoginRequest{Email: email, Password: testenv.Password}))
	if err != nil {
		t.Fatalf("login %s: %v", email, err)
	}
	return res.Msg.GetToken()
}

func wantCode(t *testing.T, err error, code connect.Code) *connect.Error {
	t.Helper()
	var ce *connect.Error
	if !errors.As(err, &ce) || ce.Code() != code {
		t.Fatalf("error = %v, want %s", err, code)
	}
	return ce
}

// violations returns "field: message" for each field violation of a Connect error.
func violations(t *testing.T, ce *connect.Error) []string {
	t.Helper()
	var out []string
	for _, d := range ce.Details() {
		msg, err := d.Value()
		if err != nil {
			t.Fatal(err)
		}
		if vs, ok := msg.(*validate.Violations); ok {
			for _, v := range vs.GetViolations() {
				var path []string
				for _, e := range v.GetField().GetElements() {
					path = append(path, e.GetFieldName())
				}
				out = append(out, strings.Join(path, ".")+": "+v.GetMessage())
			}
		}
	}
	return out
}

func newLead(s *stack, key string) *v1.CreateLeadRequest {
	return &v1.CreateLeadRequest{
		IdempotencyKey: key, SiteId: s.world.Lyon.ID.String(), Source: "website", Category: v1.Category_CATEGORY_A,
		Contact: &v1.Contact{Name: "Jean Dupont", Phone: "+33612345678", Email: "jean@example.com"},
	}
}

func TestEveryProtocolServesTheAPI(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	token := s.login(t, s.world.Admin.Email)
	for name, opts := range protocols {
		t.Run(name, func(t *testing.T) {
			c := s.as(token, opts...)
			who, err := c.auth.WhoAmI(ctx, connect.NewRequest(&v1.WhoAmIRequest{}))
			if err != nil {
				t.Fatal(err)
			}
			if who.Msg.GetRole() != v1.Role_ROLE_ADMIN || who.Msg.GetUser().GetEmail() != s.world.Admin.Email || who.Msg.GetOrganizationName() != s.world.Org.Name {
				t.Fatalf("WhoAmI = %v", who.Msg)
			}
			created, err := c.lead.CreateLead(ctx, connect.NewRequest(newLead(s, "k-"+name)))
			if err != nil {
				t.Fatal(err)
			}
			got, err := c.lead.GetLead(ctx, connect.NewRequest(&v1.GetLeadRequest{LeadId: created.Msg.GetLead().GetId()}))
			if err != nil {
				t.Fatal(err)
			}
			if got.Msg.GetLead().GetContact().GetName() != "Jean Dupont" || got.Msg.GetLead().GetStage() != v1.LeadStage_LEAD_STAGE_OPEN {
				t.Fatalf("GetLead = %v", got.Msg.GetLead())
			}
			// Errors travel with their code in every protocol.
			_, err = c.lead.GetLead(ctx, connect.NewRequest(&v1.GetLeadRequest{LeadId: "00000000-0000-0000-0000-000000000001"}))
			wantCode(t, err, connect.CodeNotFound)
		})
	}
}

func TestBadInputIsRejectedWithFieldViolationsAndNothingWritten(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	token := s.login(t, s.world.Admin.Email)
	for name, opts := range protocols {
		t.Run(name, func(t *testing.T) {
			c := s.as(token, opts...)
			cases := []struct {
				name  string
				edit  func(*v1.CreateLeadRequest)
				field string
			}{
				{"phone not valid in the site's country", func(r *v1.CreateLeadRequest) { r.Contact.Phone = "06 12 34" }, "contact.phone"},
				{"bad email", func(r *v1.CreateLeadRequest) { r.Contact.Email = "jean@" }, "contact.email"},
				{"site not a uuid", func(r *v1.CreateLeadRequest) { r.SiteId = "lyon" }, "site_id"},
				{"no contact", func(r *v1.CreateLeadRequest) { r.Contact = nil }, "contact"},
				{"empty source", func(r *v1.CreateLeadRequest) { r.Source = "" }, "source"},
				{"no dedup key", func(r *v1.CreateLeadRequest) { r.IdempotencyKey = "" }, ""},
				{"name too long", func(r *v1.CreateLeadRequest) { r.Contact.Name = strings.Repeat("x", 201) }, "contact.name"},
			}
			for _, tc := range cases {
				req := newLead(s, "bad-"+name)
				tc.edit(req)
				_, err := c.lead.CreateLead(ctx, connect.NewRequest(req))
				ce := wantCode(t, err, connect.CodeInvalidArgument)
				vs := violations(t, ce)
				if len(vs) == 0 {
					t.Fatalf("%s: no field violations in %v", tc.name, ce)
				}
				if tc.field != "" && !strings.HasPrefix(vs[0], tc.field+":") {
					t.Errorf("%s: violations %v, want field %s", tc.name, vs, tc.field)
				}
			}
			list, err := c.lead.ListLeads(ctx, connect.NewRequest(&v1.ListLeadsRequest{}))
			if err != nil || len(list.Msg.GetLeads()) != 0 {
				t.Fatalf("bad requests wrote %d leads (%v)", len(list.Msg.GetLeads()), err)
			}

			// Rules the .proto expresses (windows inside the day, end after start) and rules only
			// the domain knows (overlaps, time zones) answer alike.
			site := func(tz string, windows ...*v1.OpeningWindow) error {
				_, err := c.team.CreateSite(ctx, connect.NewRequest(&v1.CreateSiteRequest{Name: "S", TimeZone: tz, Country: "FR", Windows: windows}))
				return err
			}
			mon := v1.Weekday_WEEKDAY_MONDAY
			for _, tc := range []struct {
				err   error
				field string
			}{
				{site("Europe/Paris", &v1.OpeningWindow{Weekday: mon, Start: "09:00", End: "25:00"}), "windows.end"},
				{site("Europe/Paris", &v1.OpeningWindow{Weekday: mon, Start: "14:00", End: "12:00"}), "windows"},
				{site("Europe/Paris", &v1.OpeningWindow{Weekday: mon, Start: "09:00", End: "12:00"}, &v1.OpeningWindow{Weekday: mon, Start: "11:00", End: "13:00"}), "windows"},
				{site("Europe/Pariss", &v1.OpeningWindow{Weekday: mon, Start: "09:00", End: "12:00"}), "time_zone"},
			} {
				ce := wantCode(t, tc.err, connect.CodeInvalidArgument)
				if vs := violations(t, ce); len(vs) == 0 || !strings.HasPrefix(vs[0], tc.field) {
					t.Errorf("violations %v, want field %s", vs, tc.field)
				}
			}
			sites, _ := c.team.ListSites(ctx, connect.NewRequest(&v1.ListSitesRequest{}))
			if n := len(sites.Msg.GetSites()); n != 2 {
				t.Fatalf("bad sites were written: %d sites", n)
			}
		})
	}
}

func TestAuthenticationAndRoles(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	w := s.world

	_, err := s.as("").lead.ListLeads(ctx, connect.NewRequest(&v1.ListLeadsRequest{}))
	wantCode(t, err, connect.CodeUnauthenticated)
	_, err = s.as("rls_not-a-token").lead.ListLeads(ctx, connect.NewRequest(&v1.ListLeadsRequest{}))
	wantCode(t, err, connect.CodeUnauthenticated)
	_, err = s.as("").auth.Login(ctx, connect.NewRequest(&v1.LoginRequest{Email: w.Alice.Email, Password: "nope"}))
	wantCode(t, err, connect.CodeUnauthenticated)

	admin := s.as(s.login(t, w.Admin.Email))
	alice := s.as(s.login(t, w.Alice.Email))
	manager := s.as(s.login(t, w.Manager.Email))

	_, err = alice.team.CreateSite(ctx, connect.NewRequest(&v1.CreateSiteRequest{Name: "S", TimeZone: "Europe/Paris", Country: "FR"}))
	wantCode(t, err, connect.CodePermissionDenied)
	_, err = alice.team.UpdateOrganization(ctx, connect.NewRequest(&v1.UpdateOrganizationRequest{DigestTime: new("08:00")}))
	wantCode(t, err, connect.CodePermissionDenied)
	_, err = admin.team.UpdateOrganization(ctx, connect.NewRequest(&v1.UpdateOrganizationRequest{DigestTime: new("8h")}))
	wantCode(t, err, connect.CodeInvalidArgument)
	org, err := admin.team.UpdateOrganization(ctx, connect.NewRequest(&v1.UpdateOrganizationRequest{DigestTime: new("08:15")}))
	if err != nil || org.Msg.GetOrganization().GetDigestTime() != "08:15" {
		t.Fatalf("update organization: %v (%v)", org, err)
	}
	got, _ := alice.team.GetOrganization(ctx, connect.NewRequest(&v1.GetOrganizationRequest{}))
	if got.Msg.GetOrganization().GetDigestTime() != "08:15" || got.Msg.GetOrganization().GetName() != w.Org.Name ||
		!got.Msg.GetOrganization().GetDigestEnabled() {
		t.Fatalf("get organization: %v", got.Msg)
	}
	org, err = admin.team.UpdateOrganization(ctx, connect.NewRequest(&v1.UpdateOrganizationRequest{DigestEnabled: new(false)}))
	if err != nil || org.Msg.GetOrganization().GetDigestEnabled() || org.Msg.GetOrganization().GetDigestTime() != "08:15" {
		t.Fatalf("turn the digest off: %v (%v)", org, err)
	}
	_, err = alice.auth.CreateApiKey(ctx, connect.NewRequest(&v1.CreateApiKeyRequest{Name: "k", Scopes: []v1.Scope{v1.Scope_SCOPE_LEADS_CREATE}}))
	wantCode(t, err, connect.CodePermissionDenied)

	req := newLead(s, "for-bob")
	req.AssigneeId = w.Bob.ID.String()
	bobs, err := admin.lead.CreateLead(ctx, connect.NewRequest(req))
	if err != nil {
		t.Fatal(err)
	}
	_, err = alice.lead.GetLead(ctx, connect.NewRequest(&v1.GetLeadRequest{LeadId: bobs.Msg.GetLead().GetId()}))
	wantCode(t, err, connect.CodeNotFound)
	_, err = alice.lead.RecordActivity(ctx, connect.NewRequest(&v1.RecordActivityRequest{LeadId: bobs.Msg.GetLead().GetId(), Kind: v1.ActivityKind_ACTIVITY_KIND_CALL}))
	wantCode(t, err, connect.CodeNotFound)
	if _, err := manager.lead.AssignLead(ctx, connect.NewRequest(&v1.AssignLeadRequest{LeadId: bobs.Msg.GetLead().GetId(), AssigneeId: w.Alice.ID.String()})); err != nil {
		t.Fatal(err)
	}
	act, err := alice.lead.RecordActivity(ctx, connect.NewRequest(&v1.RecordActivityRequest{LeadId: bobs.Msg.GetLead().GetId(), Kind: v1.ActivityKind_ACTIVITY_KIND_CALL, Content: "called"}))
	if err != nil {
		t.Fatal(err)
	}
	if act.Msg.GetLead().GetFirstResponseTime() == nil || act.Msg.GetActivity().GetOrigin() != v1.ActivityOrigin_ACTIVITY_ORIGIN_HUMAN {
		t.Fatalf("first response not set: %v", act.Msg)
	}

	// Another tenant's ids answer not_found.
	other := testenv.NewWorld(t, s.db)
	stranger := s.as(s.login(t, other.Admin.Email))
	_, err = stranger.lead.GetLead(ctx, connect.NewRequest(&v1.GetLeadRequest{LeadId: bobs.Msg.GetLead().GetId()}))
	wantCode(t, err, connect.CodeNotFound)
	_, err = stranger.team.UpdateSite(ctx, connect.NewRequest(&v1.UpdateSiteRequest{SiteId: w.Lyon.ID.String(), Name: new("x")}))
	wantCode(t, err, connect.CodeNotFound)

	// A partner key does what its scopes allow, nothing else.
	key, err := admin.auth.CreateApiKey(ctx, connect.NewRequest(&v1.CreateApiKeyRequest{Name: "web form", Scopes: []v1.Scope{v1.Scope_SCOPE_LEADS_CREATE}}))
	if err != nil {
		t.Fatal(err)
	}
	partner := s.as(key.Msg.GetSecret(), connect.WithGRPC())
	who, err := partner.auth.WhoAmI(ctx, connect.NewRequest(&v1.WhoAmIRequest{}))
	if err != nil || who.Msg.GetRole() != v1.Role_ROLE_PARTNER || len(who.Msg.GetScopes()) != 1 {
		t.Fatalf("partner WhoAmI = %v (%v)", who, err)
	}
	first, err := partner.lead.CreateLead(ctx, connect.NewRequest(newLead(s, "partner-1")))
	if err != nil || !first.Msg.GetCreated() {
		t.Fatalf("partner create: %v", err)
	}
	again, err := partner.lead.CreateLead(ctx, connect.NewRequest(newLead(s, "partner-1")))
	if err != nil || again.Msg.GetCreated() || again.Msg.GetLead().GetId() != first.Msg.GetLead().GetId() {
		t.Fatalf("partner retry made another lead: %v (%v)", again, err)
	}
	_, err = partner.lead.ListLeads(ctx, connect.NewRequest(&v1.ListLeadsRequest{}))
	wantCode(t, err, connect.CodePermissionDenied)
	_, err = partner.lead.RecordActivity(ctx, connect.NewRequest(&v1.RecordActivityRequest{LeadId: first.Msg.GetLead().GetId(), Kind: v1.ActivityKind_ACTIVITY_KIND_CALL}))
	wantCode(t, err, connect.CodePermissionDenied)
	if _, err := admin.auth.RevokeApiKey(ctx, connect.NewRequest(&v1.RevokeApiKeyRequest{ApiKeyId: key.Msg.GetApiKey().GetId()})); err != nil {
		t.Fatal(err)
	}
	_, err = partner.lead.CreateLead(ctx, connect.NewRequest(newLead(s, "partner-2")))
	wantCode(t, err, connect.CodeUnauthenticated)
}

func TestListLeadsFiltersAndPages(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	admin := s.as(s.login(t, s.world.Admin.Email))
	for i := range 5 {
		req := newLead(s, "page-"+string(rune('a'+i)))
		if i%2 == 0 {
			req.AssigneeId = s.world.Alice.ID.String()
			req.Source = "phone"
		}
		if _, err := admin.lead.CreateLead(ctx, connect.NewRequest(req)); err != nil {
			t.Fatal(err)
		}
	}
	res, err := admin.lead.ListLeads(ctx, connect.NewRequest(&v1.ListLeadsRequest{Source: "phone", AssigneeId: s.world.Alice.ID.String()}))
	if err != nil || len(res.Msg.GetLeads()) != 3 {
		t.Fatalf("filter: %d leads (%v), want 3", len(res.Msg.GetLeads()), err)
	}
	late := true
	res, _ = admin.lead.ListLeads(ctx, connect.NewRequest(&v1.ListLeadsRequest{Late: &late}))
	if len(res.Msg.GetLeads()) != 0 {
		t.Fatalf("late filter: %d leads, want 0", len(res.Msg.GetLeads()))
	}
	seen := map[string]bool{}
	token := ""
	for range 10 {
		page, err := admin.lead.ListLeads(ctx, connect.NewRequest(&v1.ListLeadsRequest{PageSize: 2, PageToken: token}))
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range page.Msg.GetLeads() {
			if seen[l.GetId()] {
				t.Fatalf("lead %s on two pages", l.GetId())
			}
			seen[l.GetId()] = true
		}
		if token = page.Msg.GetNextPageToken(); token == "" {
			break
		}
	}
	if len(seen) != 5 {
		t.Fatalf("paged through %d leads, want 5", len(seen))
	}
	_, err = admin.lead.ListLeads(ctx, connect.NewRequest(&v1.ListLeadsRequest{PageToken: "garbage!"}))
	ce := wantCode(t, err, connect.CodeInvalidArgument)
	if vs := violations(t, ce); len(vs) != 1 || !strings.HasPrefix(vs[0], "page_token") {
		t.Fatalf("violations %v", vs)
	}
}

func TestHealthReflectionAndCORS(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	// The health service speaks Connect's JSON form too, as a load balancer would use it.
	res, err := s.http.Post(s.url+"/grpc.health.v1.Health/Check", "application/json",
		strings.NewReader(`{"service":"`+relancev1connect.LeadServiceName+`"}`))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if !strings.Contains(string(body), `SERVING"`) || strings.Contains(string(body), "NOT_SERVING") {
		t.Fatalf("health = %s", body)
	}

	// Reflection answers authenticated callers (the default; see TestReflectionSetting).
	stream := grpcreflect.NewClient(s.http, s.url, connect.WithGRPC(),
		connect.WithInterceptors(bearer(s.login(t, s.world.Alice.Email)))).NewStream(ctx)
	defer stream.Close()
	names, err := stream.ListServices()
	if err != nil {
		t.Fatal(err)
	}
	found := map[string]bool{}
	for _, n := range names {
		found[string(n)] = true
	}
	for _, want := range []string{relancev1connect.AuthServiceName, relancev1connect.TeamServiceName, relancev1connect.LeadServiceName} {
		if !found[want] {
			t.Errorf("reflection lacks %s (has %v)", want, names)
		}
	}

	pre, _ := http.NewRequest(http.MethodOptions, s.url+relancev1connect.LeadServiceListLeadsProcedure, nil)
	pre.Header.Set("Origin", "https://app.example")
	pre.Header.Set("Access-Control-Request-Method", "POST")
	pre.Header.Set("Access-Control-Request-Headers", "authorization,content-type,x-grpc-web")
	resp, err := s.http.Do(pre)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.Header.Get("Access-Control-Allow-Origin") != "https://app.example" {
		t.Fatalf("CORS preflight headers: %v", resp.Header)
	}
}

const holidaysICS = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Relance//Test//FR\r\n" +
	"BEGIN:VEVENT\r\nUID:1@test\r\nDTSTAMP:20260101T000000Z\r\nDTSTART;VALUE=DATE:20270501\r\nSUMMARY:Fête du travail\r\nRRULE:FREQ=YEARLY\r\nEND:VEVENT\r\n" +
	"BEGIN:VEVENT\r\nUID:2@test\r\nDTSTAMP:20260101T000000Z\r\nDTSTART;VALUE=DATE:20270713\r\nDTEND;VALUE=DATE:20270716\r\nSUMMARY:Inventaire\r\nEND:VEVENT\r\n" +
	"END:VCALENDAR\r\n"

func TestImportSiteClosures(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	admin := s.as(s.login(t, s.world.Admin.Email))
	site := s.world.Lyon.ID.String()

	_, err := admin.team.ImportSiteClosures(ctx, connect.NewRequest(&v1.ImportSiteClosuresRequest{SiteId: site, Ics: []byte("BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART:20270501T090000Z\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n")}))
	ce := wantCode(t, err, connect.CodeInvalidArgument)
	if vs := violations(t, ce); len(vs) != 1 || !strings.HasPrefix(vs[0], "ics:") {
		t.Fatalf("violations %v", vs)
	}
	_, err = admin.team.ImportSiteClosures(ctx, connect.NewRequest(&v1.ImportSiteClosuresRequest{SiteId: site, Ics: []byte("0;0=")}))
	wantCode(t, err, connect.CodeInvalidArgument)
	list, _ := admin.team.ListSiteClosures(ctx, connect.NewRequest(&v1.ListSiteClosuresRequest{SiteId: site, FromDate: "2026-01-01"}))
	if n := len(list.Msg.GetClosures()); n != 0 {
		t.Fatalf("a rejected feed saved %d closures", n)
	}

	res, err := admin.team.ImportSiteClosures(ctx, connect.NewRequest(&v1.ImportSiteClosuresRequest{
		SiteId: site, Ics: []byte(holidaysICS), FromDate: "2027-01-01", ToDate: "2028-12-31",
	}))
	if err != nil {
		t.Fatal(err)
	}
	if res.Msg.GetImported() != 3 || len(res.Msg.GetSite().GetClosures()) != 3 {
		t.Fatalf("imported %d, site has %v", res.Msg.GetImported(), res.Msg.GetSite().GetClosures())
	}
	list, err = admin.team.ListSiteClosures(ctx, connect.NewRequest(&v1.ListSiteClosuresRequest{SiteId: site, FromDate: "2027-06-01"}))
	if err != nil || len(list.Msg.GetClosures()) != 2 || list.Msg.GetClosures()[0].GetEndDate() != "2027-07-15" {
		t.Fatalf("closures from June 2027: %v (%v)", list.Msg.GetClosures(), err)
	}
	alice := s.as(s.login(t, s.world.Alice.Email))
	_, err = alice.team.ImportSiteClosures(ctx, connect.NewRequest(&v1.ImportSiteClosuresRequest{SiteId: site, Ics: []byte(holidaysICS)}))
	wantCode(t, err, connect.CodePermissionDenied)
}

func TestLeadCarriesItsBusinessResponseTime(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	admin := s.as(s.login(t, s.world.Admin.Email))
	req := newLead(s, "weekend")
	req.AssigneeId = s.world.Alice.ID.String()
	req.ReceiveTime = timestamppb.New(time.Date(2026, 11, 14, 9, 0, 0, 0, time.UTC)) // Saturday 10:00 in Paris
	created, err := admin.lead.CreateLead(ctx, connect.NewRequest(req))
	if err != nil {
		t.Fatal(err)
	}
	answered := timestamppb.New(time.Date(2026, 11, 16, 8, 20, 0, 0, time.UTC)) // Monday 09:20 in Paris
	res, err := admin.lead.RecordActivity(ctx, connect.NewRequest(&v1.RecordActivityRequest{
		LeadId: created.Msg.GetLead().GetId(), Kind: v1.ActivityKind_ACTIVITY_KIND_CALL, DoneTime: answered,
	}))
	if err != nil {
		t.Fatal(err)
	}
	if got := res.Msg.GetLead().GetBusinessResponseTime().AsDuration(); got != 20*time.Minute {
		t.Fatalf("business response time = %s, want 20m", got)
	}
}

func TestReminderPolicyOverTheAPI(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	opts := []connect.ClientOption{connect.WithGRPCWeb()}
	manager := relancev1connect.NewReminderServiceClient(s.http, s.url, append(opts, connect.WithInterceptors(bearer(s.login(t, s.world.Manager.Email))))...)
	alice := relancev1connect.NewReminderServiceClient(s.http, s.url, append(opts, connect.WithInterceptors(bearer(s.login(t, s.world.Alice.Email))))...)
	site := s.world.Lyon.ID.String()

	got, err := alice.GetReminderPolicy(ctx, connect.NewRequest(&v1.GetReminderPolicyRequest{SiteId: site}))
	if err != nil || !got.Msg.GetDefault() || len(got.Msg.GetRungs()) != 2 {
		t.Fatalf("default policy: %v (%v)", got, err)
	}
	rung := func(d time.Duration) *v1.ReminderRung {
		return &v1.ReminderRung{Delay: durationpb.New(d), Recipients: []v1.Recipient{v1.Recipient_RECIPIENT_ADVISOR}, Channels: []v1.Channel{v1.Channel_CHANNEL_SMS}}
	}
	_, err = manager.SetReminderPolicy(ctx, connect.NewRequest(&v1.SetReminderPolicyRequest{SiteId: site, Rungs: []*v1.ReminderRung{rung(30 * time.Minute)}}))
	ce := wantCode(t, err, connect.CodeInvalidArgument)
	if vs := violations(t, ce); len(vs) == 0 || !strings.HasPrefix(vs[0], "rungs.delay") {
		t.Fatalf("violations %v", vs)
	}
	_, err = manager.SetReminderPolicy(ctx, connect.NewRequest(&v1.SetReminderPolicyRequest{SiteId: site, Rungs: []*v1.ReminderRung{{Delay: durationpb.New(time.Hour)}}}))
	wantCode(t, err, connect.CodeInvalidArgument)
	_, err = alice.SetReminderPolicy(ctx, connect.NewRequest(&v1.SetReminderPolicyRequest{SiteId: site, Rungs: []*v1.ReminderRung{rung(time.Hour)}}))
	wantCode(t, err, connect.CodePermissionDenied)
	set, err := manager.SetReminderPolicy(ctx, connect.NewRequest(&v1.SetReminderPolicyRequest{SiteId: site, Rungs: []*v1.ReminderRung{rung(3 * time.Hour)}}))
	if err != nil || len(set.Msg.GetRungs()) != 1 {
		t.Fatal(err)
	}
	got, _ = alice.GetReminderPolicy(ctx, connect.NewRequest(&v1.GetReminderPolicyRequest{SiteId: site}))
	if got.Msg.GetDefault() || got.Msg.GetRungs()[0].GetDelay().AsDuration() != 3*time.Hour || got.Msg.GetRungs()[0].GetChannels()[0] != v1.Channel_CHANNEL_SMS {
		t.Fatalf("stored policy: %v", got.Msg)
	}
	counts, err := manager.ListLateCounts(ctx, connect.NewRequest(&v1.ListLateCountsRequest{}))
	if err != nil || len(counts.Msg.GetCounts()) != 0 {
		t.Fatalf("late counts: %v (%v)", counts, err)
	}
}

func TestDecisionServiceValidation(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	decisions := relancev1connect.NewDecisionServiceClient(s.http, s.url, connect.WithInterceptors(bearer(s.login(t, s.world.Manager.Email))))
	id := "00000000-0000-0000-0000-000000000001"
	_, err := decisions.ResolveDecision(ctx, connect.NewRequest(&v1.ResolveDecisionRequest{DecisionId: id}))
	wantCode(t, err, connect.CodeInvalidArgument)
	_, err = decisions.ResolveDecision(ctx, connect.NewRequest(&v1.ResolveDecisionRequest{DecisionId: id, Answer: &v1.ResolveDecisionRequest_Keep{Keep: false}}))
	wantCode(t, err, connect.CodeInvalidArgument)
	_, err = decisions.ResolveDecision(ctx, connect.NewRequest(&v1.ResolveDecisionRequest{DecisionId: id, Answer: &v1.ResolveDecisionRequest_Keep{Keep: true}}))
	wantCode(t, err, connect.CodeNotFound)
	list, err := decisions.ListPendingDecisions(ctx, connect.NewRequest(&v1.ListPendingDecisionsRequest{}))
	if err != nil || len(list.Msg.GetDecisions()) != 0 {
		t.Fatalf("pending: %v (%v)", list, err)
	}
}
