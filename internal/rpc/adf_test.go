package rpc_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"connectrpc.com/connect"
	"github.com/google/uuid"

	v1 "github.com/relancehq/relance/gen/go/relance/v1"
	"github.com/relancehq/relance/gen/go/relance/v1/relancev1connect"

	"github.com/relancehq/relance/internal/limit"
	"github.com/relancehq/relance/internal/postgres"
	"github.com/relancehq/relance/internal/relance"
	"github.com/relancehq/relance/internal/rpc"
	"github.com/relancehq/relance/internal/testenv"
)

// adfNow is the clock of the ADF tests: the corpus is dated late November 2026.
var adfNow = time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)

type adfStack struct {
	*stack
	key string // a partner key with leads.create
}

// newAdfStack starts an API over a fresh organisation whose vendor D-42 and "Garage du Parc"
// are mapped to Lyon, with a partner key that may create leads.
func newAdfStack(t *testing.T, opts rpc.Options) *adfStack {
	t.Helper()
	db := testenv.Open(t, postgres.WithClock(func() time.Time { return adfNow }))
	w := testenv.NewWorld(t, db)
	s := &adfStack{stack: stackOn(t, db, w, opts)}
	admin := w.As(w.Admin)
	for _, v := range []relance.AdfVendor{{VendorID: "D-42", SiteID: w.Lyon.ID}, {VendorName: "garage du parc", SiteID: w.Lyon.ID}} {
		if _, err := db.CreateAdfVendor(ctx, admin, v); err != nil {
			t.Fatal(err)
		}
	}
	_, secret, err := db.CreateAPIKey(ctx, admin, relance.APIKey{Name: "feeds", Scopes: []relance.Scope{relance.ScopeLeadsCreate}})
	if err != nil {
		t.Fatal(err)
	}
	s.key = secret
	return s
}

type adfAnswer struct {
	status  int
	header  http.Header
	Error   string `json:"error"`
	Results []struct {
		Prospect int    `json:"prospect"`
		Outcome  string `json:"outcome"`
		LeadID   string `json:"lead_id"`
		Reason   string `json:"reason"`
	} `json:"results"`
}

func (a adfAnswer) outcomes() string {
	var out []string
	for _, r := range a.Results {
		out = append(out, r.Outcome)
	}
	return strings.Join(out, ",")
}

// post sends body to path (rpc.AdfPath when empty) with key as bearer (none when empty).
func (s *adfStack) post(t *testing.T, path, key, contentType string, body io.Reader) adfAnswer {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, s.url+rpc.AdfPath+path, body)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", contentType)
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	res, err := s.http.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	a := adfAnswer{status: res.StatusCode, header: res.Header}
	if err := json.NewDecoder(res.Body).Decode(&a); err != nil {
		t.Fatalf("answer %d is not JSON: %v", res.StatusCode, err)
	}
	return a
}

func (s *adfStack) postFile(t *testing.T, name string) adfAnswer {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "adf", "testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	ct := "application/xml"
	if strings.HasSuffix(name, ".eml") {
		ct = "message/rfc822"
	}
	return s.post(t, "", s.key, ct, bytes.NewReader(data))
}

func (s *adfStack) leadCount(t *testing.T) int {
	t.Helper()
	leads, _, err := s.db.ListLeads(ctx, s.world.As(s.world.Admin), relance.LeadFilter{Limit: 500})
	if err != nil {
		t.Fatal(err)
	}
	return len(leads)
}

// Every document of the corpus through the endpoint, then again: what was created comes back
// as a duplicate, what was refused is refused again, and refusals write nothing.
func TestAdfCorpusOverHTTP(t *testing.T) {
	t.Parallel()
	s := newAdfStack(t, rpc.Options{})
	want := map[string]struct {
		status   int
		outcomes string
		again    string // outcomes the second time; the same when empty
	}{
		"spec.xml":               {200, "created", "duplicate"},
		"adf_pi_first.xml":       {200, "created", "duplicate"},
		"adf_pi_before_decl.xml": {200, "created", "duplicate"},
		"latin1_offset.xml":      {200, "created", "duplicate"},
		"bad_offset.xml":         {200, "created", "duplicate"},
		"several.xml":            {200, "created,created,refused", "duplicate,duplicate,refused"},
		"missing_contact.xml":    {200, "refused", ""},
		"unknown_vendor.xml":     {200, "refused", ""},
		"no_id.xml":              {200, "created", "created"}, // no id: nothing to deduplicate on
		"uppercase.xml":          {200, "created", "duplicate"},
		"billion_laughs.xml":     {400, "", ""},
		"external_entity.xml":    {400, "", ""},
		"undeclared_entity.xml":  {400, "", ""},
		"malformed.xml":          {400, "", ""},
		"not_adf.xml":            {400, "", ""},
		"empty_adf.xml":          {400, "", ""},
		"deep.xml":               {400, "", ""},
		"oversized.xml":          {413, "", ""},
		"email_plain.eml":        {200, "created", "duplicate"},
		"email_multipart.eml":    {200, "created", "duplicate"},
	}
	files, _ := filepath.Glob("../adf/testdata/*")
	if len(files) != len(want) {
		t.Fatalf("%d corpus files, %d expectations", len(files), len(want))
	}
	leads := map[string]string{} // file → first lead id
	for round := 1; round <= 2; round++ {
		for _, f := range files {
			name := filepath.Base(f)
			w := want[name]
			before := s.leadCount(t)
			a := s.postFile(t, name)
			outcomes := w.outcomes
			if round == 2 && w.again != "" {
				outcomes = w.again
			}
			if a.status != w.status || a.outcomes() != outcomes {
				t.Errorf("round %d, %s: %d %q (%s), want %d %q", round, name, a.status, a.outcomes(), a.Error, w.status, outcomes)
				continue
			}
			created := strings.Count(outcomes, "created")
			if n := s.leadCount(t) - before; n != created {
				t.Errorf("round %d, %s: %d leads written, want %d", round, name, n, created)
			}
			for _, r := range a.Results {
				if r.Outcome == "refused" && (r.Reason == "" || r.LeadID != "") {
					t.Errorf("%s: refusal %+v", name, r)
				}
			}
			if w.status != 200 && a.Error == "" {
				t.Errorf("%s: no reason for %d", name, a.status)
			}
			if len(a.Results) > 0 && a.Results[0].LeadID != "" {
				if first, ok := leads[name]; ok && name != "no_id.xml" && first != a.Results[0].LeadID {
					t.Errorf("%s: duplicate answers lead %s, created %s", name, a.Results[0].LeadID, first)
				}
				leads[name] = a.Results[0].LeadID
			}
		}
	}

	// The spec-shaped lead, as stored.
	admin := s.world.As(s.world.Admin)
	lead, err := s.db.GetLead(ctx, admin, uuid.MustParse(leads["spec.xml"]))
	if err != nil {
		t.Fatal(err)
	}
	if lead.SiteID != s.world.Lyon.ID || lead.Source != "AutoLeads" || lead.SourceGroup != "Used car search" ||
		lead.Contact != (relance.Contact{Name: "Marie Durand", Phone: "+33612345678", Email: "marie.durand@example.com"}) ||
		!lead.ReceivedAt.Equal(time.Date(2026, 11, 30, 23, 30, 20, 0, time.UTC)) ||
		lead.ExternalID != "adf:AutoLeads/AutoLeads/AL-1001#1" ||
		!strings.HasPrefix(lead.Notes, "Vehicle: interest buy; status used; year 2021; make Peugeot; model 3008") {
		t.Errorf("spec lead: %+v", lead)
	}
	if v := lead.Vehicle; v == nil || *v != (relance.Vehicle{Interest: "buy", Status: "used", Year: "2021", Make: "Peugeot",
		Model: "3008", VIN: "VF3MCYHZRMS123456", Stock: "P3008-17"}) {
		t.Errorf("vehicle of interest: %+v", v)
	}
	got, err := s.as(s.login(t, s.world.Admin.Email)).lead.GetLead(ctx, connect.NewRequest(&v1.GetLeadRequest{LeadId: lead.ID.String()}))
	if err != nil || got.Msg.GetLead().GetVehicle().GetVin() != "VF3MCYHZRMS123456" || got.Msg.GetLead().GetVehicle().GetInterest() != "buy" {
		t.Errorf("vehicle over the API: %v %v", err, got)
	}
	// A zone-less request date is the site's local time (Lyon: Paris, UTC+1 in November).
	lead, err = s.db.GetLead(ctx, admin, uuid.MustParse(leads["adf_pi_first.xml"]))
	if err != nil {
		t.Fatal(err)
	}
	if !lead.ReceivedAt.Equal(time.Date(2026, 11, 30, 8, 5, 0, 0, time.UTC)) || lead.Contact.Phone != "+33698765432" {
		t.Errorf("zone-less lead: %v %q", lead.ReceivedAt, lead.Contact.Phone)
	}
	doc, err := s.db.AdfDocument(ctx, admin, uuid.MustParse(leads["spec.xml"]))
	if err != nil || !strings.Contains(doc.Content, "<vendorname>Garage du Parc</vendorname>") {
		t.Errorf("raw document: %v %.80q", err, doc.Content)
	}
	doc, err = s.db.AdfDocument(ctx, admin, uuid.MustParse(leads["latin1_offset.xml"]))
	if err != nil || !strings.Contains(doc.Content, "François Lefèvre") {
		t.Errorf("ISO-8859-1 document kept as UTF-8: %v %.120q", err, doc.Content)
	}
	doc, err = s.db.AdfDocument(ctx, admin, uuid.MustParse(leads["email_multipart.eml"]))
	if err != nil || !strings.HasPrefix(doc.Content, "<?xml") {
		t.Errorf("document of an email: %v %.80q", err, doc.Content)
	}
}

// A prospect sent again with status="resend", even changed, gives the lead it created back
// and keeps the first document.
func TestAdfResendAndUnknownVendor(t *testing.T) {
	t.Parallel()
	s := newAdfStack(t, rpc.Options{})
	first := s.postFile(t, "spec.xml")
	if first.outcomes() != "created" {
		t.Fatalf("first: %+v", first)
	}
	spec, _ := os.ReadFile("../adf/testdata/spec.xml")
	resend := strings.Replace(string(spec), `status="new"`, `status="resend"`, 1)
	resend = strings.Replace(resend, "Is it still available?", "Still interested, call me", 1)
	a := s.post(t, "", s.key, "text/xml; charset=utf-8", strings.NewReader(resend))
	if a.outcomes() != "duplicate" || a.Results[0].LeadID != first.Results[0].LeadID {
		t.Fatalf("resend: %+v, want the lead %s", a, first.Results[0].LeadID)
	}
	doc, err := s.db.AdfDocument(ctx, s.world.As(s.world.Admin), uuid.MustParse(first.Results[0].LeadID))
	if err != nil || !strings.Contains(doc.Content, "Is it still available?") {
		t.Errorf("kept document: %v", err)
	}
	a = s.postFile(t, "unknown_vendor.xml")
	if a.outcomes() != "refused" || !strings.Contains(a.Results[0].Reason, `unknown vendor (id "ZZ-999", name "Nowhere Cars")`) {
		t.Errorf("unknown vendor: %+v", a)
	}
}

// Credentials: no key, a bad key, a key without leads.create, a person's session; the token
// URL; body size and type.
func TestAdfCredentialsTokensAndLimits(t *testing.T) {
	t.Parallel()
	s := newAdfStack(t, rpc.Options{})
	w := s.world
	admin := w.As(w.Admin)
	spec, _ := os.ReadFile("../adf/testdata/spec.xml")
	_, reader, err := s.db.CreateAPIKey(ctx, admin, relance.APIKey{Name: "reader", Scopes: []relance.Scope{relance.ScopeLeadsRead}})
	if err != nil {
		t.Fatal(err)
	}
	for name, c := range map[string]struct {
		path, key string
		status    int
	}{
		"no key":             {"", "", 401},
		"bad key":            {"", "rk_nonsense", 401},
		"no leads.create":    {"", reader, 403},
		"a session":          {"", s.login(t, w.Admin.Email), 403},
		"bad token":          {"/rk_nonsense", "", 401},
		"token of a reader":  {"/" + reader, "", 403},
		"path beyond":        {"/a/b", s.key, 404},
		"key in the token":   {"/" + s.key, "", 200}, // a partner key works in the URL too
		"header beats empty": {"", s.key, 200},
	} {
		a := s.post(t, c.path, c.key, "application/xml", bytes.NewReader(spec))
		if a.status != c.status {
			t.Errorf("%s: %d %q, want %d", name, a.status, a.Error, c.status)
		}
	}
	if n := s.leadCount(t); n != 1 {
		t.Errorf("%d leads, want 1", n)
	}

	// An intake token: its source, and its site for a prospect naming no vendor.
	tok, secret, err := s.db.CreateAdfIntakeToken(ctx, admin, "Partner X", w.Paris.ID, 0)
	if err != nil {
		t.Fatal(err)
	}
	noVendor := `<adf><prospect><id sequence="1" source="px">P-1</id><customer><contact><name part="full">Zoé Gaillard</name>` +
		`<phone type="mobile">06 11 11 11 11</phone></contact></customer></prospect></adf>`
	a := s.post(t, "/"+secret, "", "application/xml", strings.NewReader(noVendor))
	if a.outcomes() != "created" {
		t.Fatalf("token: %+v", a)
	}
	lead, err := s.db.GetLead(ctx, admin, uuid.MustParse(a.Results[0].LeadID))
	if err != nil || lead.Source != "Partner X" || lead.SiteID != w.Paris.ID || lead.PartnerKeyID != tok.ID {
		t.Errorf("token lead: %v %+v", err, lead)
	}
	// The same document with a plain key: no default site, refused.
	a = s.post(t, "", s.key, "application/xml", strings.NewReader(strings.Replace(noVendor, "P-1", "P-2", 1)))
	if a.outcomes() != "refused" || !strings.Contains(a.Results[0].Reason, "no vendor") {
		t.Errorf("no vendor, no default site: %+v", a)
	}
	if err := s.db.RevokeAPIKey(ctx, admin, tok.ID); err != nil {
		t.Fatal(err)
	}
	if a := s.post(t, "/"+secret, "", "application/xml", strings.NewReader(noVendor)); a.status != 401 {
		t.Errorf("revoked token: %d", a.status)
	}

	// Size and type.
	big := bytes.Repeat([]byte(" "), 2<<20)
	if a := s.post(t, "", s.key, "application/xml", bytes.NewReader(big)); a.status != 413 {
		t.Errorf("declared oversized body: %d", a.status)
	}
	if a := s.post(t, "", s.key, "application/xml", io.MultiReader(bytes.NewReader(big))); a.status != 413 {
		t.Errorf("streamed oversized body: %d", a.status)
	}
	if a := s.post(t, "", s.key, "application/json", bytes.NewReader(spec)); a.status != 415 {
		t.Errorf("JSON: %d", a.status)
	}
	if n := s.leadCount(t); n != 2 {
		t.Errorf("%d leads, want 2", n)
	}
}

// The intake spends the same request budget as the Connect API.
func TestAdfRateLimit(t *testing.T) {
	t.Parallel()
	rdb, q := testenv.Redis(t)
	s := newAdfStack(t, rpc.Options{Limiter: limit.NewRequests(rdb, q+":"), RateLimits: rpc.RateLimits{APIKey: 2}})
	spec, _ := os.ReadFile("../adf/testdata/spec.xml")
	for i, want := range []int{200, 200, 429} {
		a := s.post(t, "", s.key, "application/xml", bytes.NewReader(spec))
		if a.status != want {
			t.Fatalf("request %d: %d %q, want %d", i, a.status, a.Error, want)
		}
		if want == 429 {
			if secs, err := strconv.Atoi(a.header.Get("Retry-After")); err != nil || secs < 1 {
				t.Errorf("Retry-After %q", a.header.Get("Retry-After"))
			}
		}
	}
}

// AdfService: admins map vendors and make intake tokens (secret shown once) that work in the
// URL, and read the documents leads came from; managers may not.
func TestAdfServiceOverConnect(t *testing.T) {
	t.Parallel()
	s := newAdfStack(t, rpc.Options{})
	w := s.world
	admin := relancev1connect.NewAdfServiceClient(s.http, s.url, connect.WithInterceptors(bearer(s.login(t, w.Admin.Email))))
	manager := relancev1connect.NewAdfServiceClient(s.http, s.url, connect.WithInterceptors(bearer(s.login(t, w.Manager.Email))))

	v, err := admin.CreateAdfVendor(ctx, connect.NewRequest(&v1.CreateAdfVendorRequest{VendorName: "Nowhere Cars", SiteId: w.Paris.ID.String()}))
	if err != nil {
		t.Fatal(err)
	}
	_, err = admin.CreateAdfVendor(ctx, connect.NewRequest(&v1.CreateAdfVendorRequest{VendorName: "NOWHERE cars", SiteId: w.Lyon.ID.String()}))
	wantCode(t, err, connect.CodeAlreadyExists)
	_, err = admin.CreateAdfVendor(ctx, connect.NewRequest(&v1.CreateAdfVendorRequest{VendorId: "x", VendorName: "y", SiteId: w.Lyon.ID.String()}))
	wantCode(t, err, connect.CodeInvalidArgument)
	_, err = manager.CreateAdfVendor(ctx, connect.NewRequest(&v1.CreateAdfVendorRequest{VendorId: "m", SiteId: w.Lyon.ID.String()}))
	wantCode(t, err, connect.CodePermissionDenied)
	list, err := admin.ListAdfVendors(ctx, connect.NewRequest(&v1.ListAdfVendorsRequest{}))
	if err != nil || len(list.Msg.GetVendors()) != 3 {
		t.Fatalf("vendors: %v %v", err, list)
	}

	made, err := admin.CreateIntakeToken(ctx, connect.NewRequest(&v1.CreateIntakeTokenRequest{Source: "Nowhere feed"}))
	if err != nil {
		t.Fatal(err)
	}
	if made.Msg.GetPath() != rpc.AdfPath+"/"+made.Msg.GetSecret() || made.Msg.GetToken().GetSiteId() != "" {
		t.Fatalf("token: %+v", made.Msg)
	}
	// The vendor mapped above now routes the document that was refused.
	data, _ := os.ReadFile("../adf/testdata/unknown_vendor.xml")
	a := s.post(t, "/"+made.Msg.GetSecret(), "", "application/xml", bytes.NewReader(data))
	if a.outcomes() != "created" {
		t.Fatalf("mapped vendor through a token: %+v", a)
	}
	doc, err := admin.GetAdfDocument(ctx, connect.NewRequest(&v1.GetAdfDocumentRequest{LeadId: a.Results[0].LeadID}))
	if err != nil || doc.Msg.GetContent() != string(data) {
		t.Fatalf("document: %v", err)
	}
	_, err = manager.GetAdfDocument(ctx, connect.NewRequest(&v1.GetAdfDocumentRequest{LeadId: a.Results[0].LeadID}))
	wantCode(t, err, connect.CodePermissionDenied)
	_, err = admin.GetAdfDocument(ctx, connect.NewRequest(&v1.GetAdfDocumentRequest{LeadId: uuid.NewString()}))
	wantCode(t, err, connect.CodeNotFound)

	if _, err := admin.RevokeIntakeToken(ctx, connect.NewRequest(&v1.RevokeIntakeTokenRequest{Id: made.Msg.GetToken().GetId()})); err != nil {
		t.Fatal(err)
	}
	toks, err := admin.ListIntakeTokens(ctx, connect.NewRequest(&v1.ListIntakeTokensRequest{}))
	if err != nil || len(toks.Msg.GetTokens()) != 1 || toks.Msg.GetTokens()[0].GetRevokeTime() == nil {
		t.Fatalf("tokens: %v %v", err, toks)
	}
	if _, err := admin.DeleteAdfVendor(ctx, connect.NewRequest(&v1.DeleteAdfVendorRequest{Id: v.Msg.GetVendor().GetId()})); err != nil {
		t.Fatal(err)
	}
	_, err = admin.DeleteAdfVendor(ctx, connect.NewRequest(&v1.DeleteAdfVendorRequest{Id: v.Msg.GetVendor().GetId()}))
	wantCode(t, err, connect.CodeNotFound)
}

func TestAdfDocumentsListedNewestFirst(t *testing.T) {
	t.Parallel()
	s := newAdfStack(t, rpc.Options{})
	w := s.world
	admin := relancev1connect.NewAdfServiceClient(s.http, s.url, connect.WithInterceptors(bearer(s.login(t, w.Admin.Email))))
	manager := relancev1connect.NewAdfServiceClient(s.http, s.url, connect.WithInterceptors(bearer(s.login(t, w.Manager.Email))))

	first := s.postFile(t, "spec.xml")
	second := s.postFile(t, "several.xml")
	if first.outcomes() != "created" || len(second.Results) == 0 || second.Results[0].Outcome != "created" {
		t.Fatalf("posts: %+v %+v", first, second)
	}
	list, err := admin.ListAdfDocuments(ctx, connect.NewRequest(&v1.ListAdfDocumentsRequest{}))
	if err != nil {
		t.Fatal(err)
	}
	docs := list.Msg.GetDocuments()
	var created []string
	for _, r := range second.Results {
		if r.Outcome == "created" {
			created = append(created, r.LeadID)
		}
	}
	if len(docs) != len(created)+1 || docs[len(docs)-1].GetLeadId() != first.Results[0].LeadID {
		t.Fatalf("documents: %v, want the %d leads of several.xml then %s", docs, len(created), first.Results[0].LeadID)
	}
	last := docs[len(docs)-1]
	if last.GetSiteId() != w.Lyon.ID.String() || last.GetSource() != "AutoLeads" || last.GetContactName() != "Marie Durand" || last.GetReceiveTime() == nil {
		t.Fatalf("spec.xml's entry: %v", last)
	}
	if docs[0].GetLeadId() != created[len(created)-1] {
		t.Fatalf("newest first: %v, want %s", docs[0], created[len(created)-1])
	}

	one, err := admin.ListAdfDocuments(ctx, connect.NewRequest(&v1.ListAdfDocumentsRequest{PageSize: 1}))
	if err != nil || len(one.Msg.GetDocuments()) != 1 || one.Msg.GetDocuments()[0].GetLeadId() != docs[0].GetLeadId() {
		t.Fatalf("page of one: %v %v", err, one)
	}
	for _, size := range []int32{-1, 101} {
		_, err = admin.ListAdfDocuments(ctx, connect.NewRequest(&v1.ListAdfDocumentsRequest{PageSize: size}))
		if got := fieldPaths(t, err); !slices.Equal(got, []string{"page_size"}) {
			t.Fatalf("page size %d: %v", size, got)
		}
	}
	_, err = manager.ListAdfDocuments(ctx, connect.NewRequest(&v1.ListAdfDocumentsRequest{}))
	wantCode(t, err, connect.CodePermissionDenied)

	// Another organisation's admin sees none of them.
	other := testenv.NewWorld(t, s.db)
	outsider := relancev1connect.NewAdfServiceClient(s.http, s.url, connect.WithInterceptors(bearer(s.login(t, other.Admin.Email))))
	theirs, err := outsider.ListAdfDocuments(ctx, connect.NewRequest(&v1.ListAdfDocumentsRequest{}))
	if err != nil || len(theirs.Msg.GetDocuments()) != 0 {
		t.Fatalf("another organisation: %v %v", err, theirs)
	}
}
