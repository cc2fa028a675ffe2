package rpc_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"connectrpc.com/connect"
	"go.yaml.in/yaml/v3"

	v1 "github.com/relancehq/relance/gen/go/relance/v1"
	"github.com/relancehq/relance/internal/testenv"
)

// rawJSON is a request body sent as it is.
type rawJSON string

// rest sends one HTTP request with a JSON body (none when body is nil) and returns the status
// and the decoded JSON answer.
func (s *stack) rest(t *testing.T, token, method, path string, body any) (int, map[string]any) {
	t.Helper()
	var rd io.Reader
	if raw, ok := body.(rawJSON); ok {
		rd = strings.NewReader(string(raw))
	} else if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, s.url+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := s.http.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]any{}
	if len(raw) > 0 && json.Unmarshal(raw, &out) != nil {
		out["raw"] = string(raw)
	}
	return res.StatusCode, out
}

// field walks a decoded JSON answer: field(m, "lead", "id").
func field(m map[string]any, path ...string) any {
	var v any = m
	for _, p := range path {
		o, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = o[p]
	}
	return v
}

// A partner with an API key and no protobuf: creates a lead, reads it back, lists it and records
// a call, in plain JSON over HTTP; bad input answers 400 with the field violations, another
// organisation's lead 404, no key 401.
func TestRESTPartnerCallsOverHTTP(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	w := s.world
	adminToken := s.login(t, w.Admin.Email)
	key, err := s.as(adminToken).auth.CreateApiKey(ctx, connect.NewRequest(&v1.CreateApiKeyRequest{
		Name: "dealer system", Scopes: []v1.Scope{v1.Scope_SCOPE_LEADS_CREATE, v1.Scope_SCOPE_LEADS_READ, v1.Scope_SCOPE_CALLS_RECORD},
	}))
	if err != nil {
		t.Fatal(err)
	}
	partner := key.Msg.GetSecret()

	newLead := map[string]any{
		"idempotencyKey": "rest-1", "siteId": w.Lyon.ID.String(), "source": "dealer", "category": "CATEGORY_A",
		"contact": map[string]any{"name": "Jeanne Martin", "phone": "+33612345679", "email": "jeanne@example.com"},
	}
	code, created := s.rest(t, partner, http.MethodPost, "/v1/leads", newLead)
	leadID, _ := field(created, "lead", "id").(string)
	if code != http.StatusOK || leadID == "" || field(created, "created") != true {
		t.Fatalf("POST /v1/leads = %d %v", code, created)
	}
	// A retry is the same lead.
	if code, again := s.rest(t, partner, http.MethodPost, "/v1/leads", newLead); code != http.StatusOK || field(again, "lead", "id") != leadID || field(again, "created") == true {
		t.Fatalf("retried POST /v1/leads = %d %v", code, again)
	}

	code, got := s.rest(t, partner, http.MethodGet, "/v1/leads/"+leadID, nil)
	if code != http.StatusOK || field(got, "lead", "contact", "name") != "Jeanne Martin" || field(got, "lead", "stage") != "LEAD_STAGE_OPEN" {
		t.Fatalf("GET /v1/leads/{id} = %d %v", code, got)
	}
	code, list := s.rest(t, partner, http.MethodGet, "/v1/leads?source=dealer&pageSize=10&siteId="+w.Lyon.ID.String(), nil)
	leads, _ := list["leads"].([]any)
	if code != http.StatusOK || len(leads) != 1 || field(leads[0].(map[string]any), "id") != leadID {
		t.Fatalf("GET /v1/leads = %d %v", code, list)
	}

	call := map[string]any{
		"leadId": leadID, "advisorId": w.Alice.ID.String(), "direction": "CONTACT_DIRECTION_OUTBOUND",
		"startTime": time.Now().Add(-time.Hour).UTC().Format(time.RFC3339), "duration": "95s",
		"outcome": "CALL_OUTCOME_ANSWERED", "externalCallId": "pbx-rest-1",
	}
	code, recorded := s.rest(t, partner, http.MethodPost, "/v1/calls", call)
	if code != http.StatusOK || field(recorded, "call", "leadId") != leadID || field(recorded, "call", "successfulTouch") != true {
		t.Fatalf("POST /v1/calls = %d %v", code, recorded)
	}
	code, calls := s.rest(t, adminToken, http.MethodGet, "/v1/leads/"+leadID+"/calls", nil)
	if list, _ := calls["calls"].([]any); code != http.StatusOK || len(list) != 1 {
		t.Fatalf("GET /v1/leads/{id}/calls = %d %v", code, calls)
	}

	// Bad input: 400, with the field violations in the body (google.rpc.Status).
	code, bad := s.rest(t, partner, http.MethodPost, "/v1/leads", map[string]any{"idempotencyKey": "rest-bad", "siteId": "lyon", "source": ""})
	if code != http.StatusBadRequest || field(bad, "code") != float64(connect.CodeInvalidArgument) {
		t.Fatalf("bad POST /v1/leads = %d %v", code, bad)
	}
	var fields []string
	details, _ := bad["details"].([]any)
	for _, d := range details {
		d, _ := d.(map[string]any)
		if !strings.HasSuffix(d["@type"].(string), "/buf.validate.Violations") {
			continue
		}
		vs, _ := d["violations"].([]any)
		for _, v := range vs {
			els, _ := field(v.(map[string]any), "field", "elements").([]any)
			for _, el := range els {
				fields = append(fields, field(el.(map[string]any), "fieldName").(string))
			}
		}
	}
	slices.Sort(fields)
	if want := []string{"contact", "site_id", "source"}; !slices.Equal(fields, want) {
		t.Fatalf("field violations %v, want %v, in %v", fields, want, bad)
	}
	if code, bad := s.rest(t, partner, http.MethodPost, "/v1/leads", "not an object"); code != http.StatusBadRequest {
		t.Fatalf("POST /v1/leads with a string = %d %v", code, bad)
	}

	// An import may carry more than other calls, over REST too: 300 KiB reaches validation.
	if code, res := s.rest(t, partner, http.MethodPost, "/v1/calls:import", rawJSON(`{"calls":[]`+strings.Repeat(" ", 300<<10)+`}`)); code != http.StatusBadRequest {
		t.Fatalf("a 300 KiB import = %d %v, want validation's 400", code, res)
	}

	// Another organisation sees no such lead; no key is no entry.
	other := testenv.NewWorld(t, s.db)
	if code, res := s.rest(t, s.login(t, other.Admin.Email), http.MethodGet, "/v1/leads/"+leadID, nil); code != http.StatusNotFound {
		t.Fatalf("another organisation's GET = %d %v", code, res)
	}
	// Refused at the door, before the body is read, and still answered as REST.
	if code, res := s.rest(t, "", http.MethodGet, "/v1/leads/"+leadID, nil); code != http.StatusUnauthorized || field(res, "code") != float64(connect.CodeUnauthenticated) {
		t.Fatalf("GET without a key = %d %v", code, res)
	}
	if code, res := s.rest(t, partner, http.MethodPost, "/v1/leads", rawJSON(`{`+strings.Repeat(" ", 300<<10)+`}`)); code != http.StatusTooManyRequests || field(res, "code") != float64(connect.CodeResourceExhausted) {
		t.Fatalf("a 300 KiB lead = %d %v", code, res)
	}
	// The key's scopes hold over REST as over Connect: a lead key sets no cadence rule.
	if code, res := s.rest(t, partner, http.MethodDelete, "/v1/cadence-rules", nil); code != http.StatusForbidden {
		t.Fatalf("DELETE /v1/cadence-rules with a partner key = %d %v", code, res)
	}
}

// Side-effect-free calls answer Connect GET requests (cacheable, loggable URLs); calls that
// change something do not.
func TestConnectGetForSideEffectFreeCalls(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	token := s.login(t, s.world.Admin.Email)
	lead := s.world.Lead(t, "Getty", s.world.Alice.ID)
	get := s.as(token, connect.WithHTTPGet(), connect.WithProtoJSON())
	if res, err := get.lead.GetLead(ctx, connect.NewRequest(&v1.GetLeadRequest{LeadId: lead.ID.String()})); err != nil || res.Msg.GetLead().GetContact().GetName() != "Getty" {
		t.Fatalf("GetLead over GET = %v, %v", res, err)
	}
	if res, err := get.lead.ListLeads(ctx, connect.NewRequest(&v1.ListLeadsRequest{})); err != nil || len(res.Msg.GetLeads()) != 1 {
		t.Fatalf("ListLeads over GET = %v, %v", res, err)
	}
	if _, err := get.call.ListCalls(ctx, connect.NewRequest(&v1.ListCallsRequest{LeadId: lead.ID.String()})); err != nil {
		t.Fatalf("ListCalls over GET: %v", err)
	}

	// As curl sends it: the message in the query string; really a GET on the wire.
	message := url.QueryEscape(`{"leadId":"` + lead.ID.String() + `"}`)
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, s.url+"/relance.v1.LeadService/GetLead?encoding=json&message="+message, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := s.http.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK || !strings.Contains(string(body), `"Getty"`) {
		t.Fatalf("GET GetLead = %d %s", res.StatusCode, body)
	}
	// CreateLead changes something: not over GET.
	req, _ = http.NewRequestWithContext(ctx, http.MethodGet, s.url+"/relance.v1.LeadService/CreateLead?encoding=json&message=%7B%7D", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	if res, err = s.http.Do(req); err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusMethodNotAllowed {
		t.Fatalf("GET CreateLead = %d, want 405", res.StatusCode)
	}
}

// The OpenAPI document is served to anyone, parses, and every route it names is served: with a
// path parameter that is no id, each answers from its handler (validation's 400, 200, or the
// handler's own NOT_FOUND) and none 404 as an unknown route does.
func TestOpenAPIDocumentMatchesTheRoutes(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	res, err := s.http.Get(s.url + "/openapi.yaml")
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "application/yaml") {
		t.Fatalf("GET /openapi.yaml = %d %q", res.StatusCode, res.Header.Get("Content-Type"))
	}
	var doc struct {
		OpenAPI string                               `yaml:"openapi"`
		Paths   map[string]map[string]map[string]any `yaml:"paths"`
	}
	if err := yaml.Unmarshal(raw, &doc); err != nil {
		t.Fatalf("the document does not parse: %v", err)
	}
	if !strings.HasPrefix(doc.OpenAPI, "3.") || len(doc.Paths) < 10 {
		t.Fatalf("openapi %q with %d paths", doc.OpenAPI, len(doc.Paths))
	}
	token := s.login(t, s.world.Admin.Email)
	param := regexp.MustCompile(`\{[^}]+\}`)
	routes := 0
	for path, ops := range doc.Paths {
		for method, op := range ops {
			routes++
			var body any
			if _, ok := op["requestBody"]; ok {
				body = map[string]any{}
			}
			code, res := s.rest(t, token, strings.ToUpper(method), param.ReplaceAllString(path, "not-an-id"), body)
			// A handler's NOT_FOUND (no cadence rule to delete) carries its google.rpc.Status;
			// an unknown route does not.
			handlerNotFound := code == http.StatusNotFound && field(res, "code") == float64(connect.CodeNotFound)
			if code == http.StatusNotFound && !handlerNotFound || code == http.StatusMethodNotAllowed || code >= 500 {
				t.Errorf("%s %s (%v) = %d %v", strings.ToUpper(method), path, op["operationId"], code, res)
			}
		}
	}
	if routes < 16 {
		t.Errorf("%d routes in the document, want the 16 of LeadService and CallService", routes)
	}
	if code, res := s.rest(t, token, http.MethodGet, "/v1/nothing-here", nil); code != http.StatusNotFound || field(res, "code") != nil {
		t.Errorf("an unknown route = %d %v, want 404 without a status", code, res)
	}
}
