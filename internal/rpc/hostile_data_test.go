package rpc_test

import (
	"encoding/json"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"connectrpc.com/connect"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/timestamppb"

	v1 "github.com/relancehq/relance/gen/go/relance/v1"
	"github.com/relancehq/relance/internal/rpc"
	"github.com/relancehq/relance/internal/testenv"
)

// auditedStack is an API server (Connect over HTTP/1.1) whose database the test also reads as
// the schema owner, to see the audit log no API serves.
func auditedStack(t *testing.T) (*stack, *pgx.Conn) {
	t.Helper()
	appURL, ownerURL := testenv.Database(t)
	db := testenv.OpenURL(t, appURL)
	srv := httptest.NewServer(rpc.NewHandler(db, rpc.Options{Log: testenv.Logger(t)}))
	t.Cleanup(srv.Close)
	owner, err := pgx.Connect(ctx, ownerURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { owner.Close(ctx) })
	return &stack{url: srv.URL, http: srv.Client(), world: testenv.NewWorld(t, db), db: db}, owner
}

// auditDetails returns the details of the audit rows of action on subject, oldest first.
func auditDetails(t *testing.T, owner *pgx.Conn, action string, subject uuid.UUID) []map[string]any {
	t.Helper()
	rows, err := owner.Query(ctx, "SELECT details FROM audit_log WHERE action = $1 AND subject_id = $2 ORDER BY id", action, subject)
	if err != nil {
		t.Fatal(err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (map[string]any, error) {
		var raw []byte
		if err := r.Scan(&raw); err != nil {
			return nil, err
		}
		var m map[string]any
		return m, json.Unmarshal(raw, &m)
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestIdempotencyKeysBelongToTheCallerAndTheRequest(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	adminToken := s.login(t, s.world.Admin.Email)
	admin := s.as(adminToken)
	key, err := admin.auth.CreateApiKey(ctx, connect.NewRequest(&v1.CreateApiKeyRequest{
		Name: "web form", Scopes: []v1.Scope{v1.Scope_SCOPE_LEADS_CREATE, v1.Scope_SCOPE_LEADS_READ},
	}))
	if err != nil {
		t.Fatal(err)
	}
	partner := s.as(key.Msg.GetSecret())
	create := func(c clients, req *v1.CreateLeadRequest) (*v1.CreateLeadResponse, error) {
		res, err := c.lead.CreateLead(ctx, connect.NewRequest(req))
		if err != nil {
			return nil, err
		}
		return res.Msg, nil
	}

	first, err := create(partner, newLead(s, "form-1"))
	if err != nil || !first.GetCreated() {
		t.Fatalf("first request: %v %v", first, err)
	}
	leadID := first.GetLead().GetId()

	again, err := create(partner, newLead(s, "form-1"))
	if err != nil || again.GetCreated() || again.GetLead().GetId() != leadID {
		t.Fatalf("the same request again: created=%v lead %s, want lead %s (%v)", again.GetCreated(), again.GetLead().GetId(), leadID, err)
	}

	other := newLead(s, "form-1")
	other.Contact.Name, other.Contact.Phone = "Someone Else", "+33698765432"
	_, err = create(partner, other)
	if ce := wantCode(t, err, connect.CodeAlreadyExists); !strings.Contains(ce.Message(), leadID) {
		t.Errorf("the refusal %q does not name lead %s", ce.Message(), leadID)
	}

	// An admin reusing the partner's key sends their own key: a new lead, and theirs on retry.
	mine, err := create(admin, newLead(s, "form-1"))
	if err != nil || !mine.GetCreated() || mine.GetLead().GetId() == leadID {
		t.Fatalf("an admin reusing a partner's key: created=%v lead %s (the partner's is %s, %v)", mine.GetCreated(), mine.GetLead().GetId(), leadID, err)
	}
	// A person's keys are theirs across sessions: a retry after logging in again is a retry.
	relogged := s.as(s.login(t, s.world.Admin.Email))
	retry, err := create(relogged, newLead(s, "form-1"))
	if err != nil || retry.GetCreated() || retry.GetLead().GetId() != mine.GetLead().GetId() {
		t.Fatalf("the admin's retry from a new session: created=%v lead %s, want %s (%v)", retry.GetCreated(), retry.GetLead().GetId(), mine.GetLead().GetId(), err)
	}

	// External ids belong to their source, and a different lead under one is refused.
	byID := newLead(s, "")
	byID.ExternalId, byID.Source = "crm-7", "crm"
	crm, err := create(partner, byID)
	if err != nil || !crm.GetCreated() {
		t.Fatal(err)
	}
	byID.Source = "salon"
	if salon, err := create(partner, byID); err != nil || !salon.GetCreated() {
		t.Fatalf("the same external id from another source: created=%v (%v), want a new lead", salon.GetCreated(), err)
	}
	byID.Source, byID.Notes = "crm", "another lead"
	_, err = create(admin, byID)
	if ce := wantCode(t, err, connect.CodeAlreadyExists); !strings.Contains(ce.Message(), crm.GetLead().GetId()) {
		t.Errorf("the refusal %q does not name lead %s", ce.Message(), crm.GetLead().GetId())
	}

	// Concurrent retries of one request still make one lead.
	var wg sync.WaitGroup
	ids := make(chan string, 8)
	for range 8 {
		wg.Go(func() {
			res, err := create(partner, newLead(s, "form-burst"))
			if err != nil {
				t.Error(err)
				return
			}
			ids <- res.GetLead().GetId()
		})
	}
	wg.Wait()
	close(ids)
	seen := map[string]bool{}
	for id := range ids {
		seen[id] = true
	}
	if len(seen) != 1 {
		t.Errorf("8 concurrent retries made %d leads, want 1", len(seen))
	}
}

func TestTheLastAdminCannotLockTheOrganisationOut(t *testing.T) {
	t.Parallel()
	s, owner := auditedStack(t)
	w := s.world
	adminToken := s.login(t, w.Admin.Email)
	admin := s.as(adminToken)
	update := func(c clients, req *v1.UpdateUserRequest) error {
		_, err := c.team.UpdateUser(ctx, connect.NewRequest(req))
		return err
	}
	no, manager := false, v1.Role_ROLE_MANAGER
	wantCode(t, update(admin, &v1.UpdateUserRequest{UserId: w.Admin.ID.String(), Active: &no}), connect.CodeFailedPrecondition)
	wantCode(t, update(admin, &v1.UpdateUserRequest{UserId: w.Admin.ID.String(), Role: &manager}), connect.CodeFailedPrecondition)
	if _, err := admin.auth.WhoAmI(ctx, connect.NewRequest(&v1.WhoAmIRequest{})); err != nil {
		t.Fatalf("the last admin's token after a refused self-deactivation: %v", err)
	}

	// Two admins demoting each other at about the same moment leave one of them admin (the
	// storage test TestTwoAdminsDemotingEachOtherLeaveOne forces the two transactions to
	// overlap). Roles are read at each request, so both tokens stay good across the rounds.
	promote := v1.Role_ROLE_ADMIN
	second := s.as(s.login(t, w.Manager.Email))
	if err := update(admin, &v1.UpdateUserRequest{UserId: w.Manager.ID.String(), Role: &promote}); err != nil {
		t.Fatal(err)
	}
	for round := range 3 {
		var wg sync.WaitGroup
		errs := make([]error, 2)
		wg.Go(func() { errs[0] = update(admin, &v1.UpdateUserRequest{UserId: w.Manager.ID.String(), Role: &manager}) })
		wg.Go(func() { errs[1] = update(second, &v1.UpdateUserRequest{UserId: w.Admin.ID.String(), Role: &manager}) })
		wg.Wait()
		var admins int
		if err := owner.QueryRow(ctx, "SELECT count(*) FROM users WHERE org_id = $1 AND role = 'admin' AND active", w.Org.ID).Scan(&admins); err != nil {
			t.Fatal(err)
		}
		if admins != 1 || (errs[0] == nil) == (errs[1] == nil) {
			t.Fatalf("round %d: two admins demoted each other: %d admins left, errors %v", round, admins, errs)
		}
		// The one still admin makes the other admin again. The refused one answers
		// failed_precondition, or permission_denied when it was authenticated after its demotion.
		winner, loser := admin, w.Manager.ID
		if errs[1] == nil {
			winner, loser = second, w.Admin.ID
		}
		if err := update(winner, &v1.UpdateUserRequest{UserId: loser.String(), Role: &promote}); err != nil {
			t.Fatalf("round %d: promote again: %v", round, err)
		}
	}

	// With another admin, an admin may be deactivated, which ends their sessions.
	if err := update(admin, &v1.UpdateUserRequest{UserId: w.Manager.ID.String(), Active: &no}); err != nil {
		t.Fatal(err)
	}
	_, err := second.auth.WhoAmI(ctx, connect.NewRequest(&v1.WhoAmIRequest{}))
	wantCode(t, err, connect.CodeUnauthenticated)
	yes := true
	if err := update(admin, &v1.UpdateUserRequest{UserId: w.Manager.ID.String(), Active: &yes}); err != nil {
		t.Fatal(err)
	}
	_, err = second.auth.WhoAmI(ctx, connect.NewRequest(&v1.WhoAmIRequest{}))
	wantCode(t, err, connect.CodeUnauthenticated) // re-activation does not revive old sessions

	details := auditDetails(t, owner, "user.update", w.Manager.ID)
	last, deactivation := details[len(details)-1], details[len(details)-2]
	if got := deactivation["active"]; !jsonEqual(got, map[string]any{"from": true, "to": false}) || deactivation["sessions_ended"] == nil {
		t.Errorf("the deactivation's audit details: %v", deactivation)
	}
	if got := last["active"]; !jsonEqual(got, map[string]any{"from": false, "to": true}) {
		t.Errorf("the re-activation's audit details: %v", last)
	}
	if got := details[0]["role"]; !jsonEqual(got, map[string]any{"from": "manager", "to": "admin"}) || len(details[0]) != 1 {
		t.Errorf("the promotion's audit details: %v", details[0])
	}
}

func TestPasswordChangeNeedsTheCurrentPasswordAndEndsOtherSessions(t *testing.T) {
	t.Parallel()
	s, owner := auditedStack(t)
	w := s.world
	here, elsewhere := s.login(t, w.Alice.Email), s.login(t, w.Alice.Email)
	alice := s.as(here)
	change := func(c clients, id uuid.UUID, password string, current *string) error {
		_, err := c.team.UpdateUser(ctx, connect.NewRequest(&v1.UpdateUserRequest{
			UserId: id.String(), Password: &password, CurrentPassword: current,
		}))
		return err
	}
	whoAmI := func(token string) error {
		_, err := s.as(token).auth.WhoAmI(ctx, connect.NewRequest(&v1.WhoAmIRequest{}))
		return err
	}
	const newPassword = "a-new-long-secret"
	ce := wantCode(t, change(alice, w.Alice.ID, newPassword, nil), connect.CodeInvalidArgument)
	if v := violations(t, ce); len(v) != 1 || !strings.HasPrefix(v[0], "current_password:") {
		t.Errorf("without the current password: violations %v", v)
	}
	wrong := "not-the-password"
	ce = wantCode(t, change(alice, w.Alice.ID, newPassword, &wrong), connect.CodeInvalidArgument)
	if v := violations(t, ce); len(v) != 1 || !strings.HasPrefix(v[0], "current_password:") {
		t.Errorf("with a wrong current password: violations %v", v)
	}
	if err := whoAmI(elsewhere); err != nil {
		t.Fatalf("a refused change ended a session: %v", err)
	}
	current := testenv.Password
	if err := change(alice, w.Alice.ID, newPassword, &current); err != nil {
		t.Fatal(err)
	}
	if err := whoAmI(here); err != nil {
		t.Errorf("the session that changed the password: %v", err)
	}
	wantCode(t, whoAmI(elsewhere), connect.CodeUnauthenticated)
	_, err := s.as("").auth.Login(ctx, connect.NewRequest(&v1.LoginRequest{Email: w.Alice.Email, Password: testenv.Password}))
	wantCode(t, err, connect.CodeUnauthenticated)
	res, err := s.as("").auth.Login(ctx, connect.NewRequest(&v1.LoginRequest{Email: w.Alice.Email, Password: newPassword}))
	if err != nil {
		t.Fatal(err)
	}
	again := res.Msg.GetToken()

	// An admin resetting someone else's password needs no current one and ends all their sessions.
	admin := s.as(s.login(t, w.Admin.Email))
	if err := change(admin, w.Alice.ID, "reset-by-the-admin", nil); err != nil {
		t.Fatal(err)
	}
	wantCode(t, whoAmI(here), connect.CodeUnauthenticated)
	wantCode(t, whoAmI(again), connect.CodeUnauthenticated)

	details := auditDetails(t, owner, "user.update", w.Alice.ID)
	if len(details) != 2 || details[0]["password"] != "changed" || details[1]["password"] != "reset" {
		t.Fatalf("audit details %v, want a password change then a reset", details)
	}
	if details[0]["sessions_ended"] != float64(1) || details[1]["sessions_ended"] != float64(2) {
		t.Errorf("sessions ended: %v then %v, want 1 then 2", details[0]["sessions_ended"], details[1]["sessions_ended"])
	}
	raw, _ := json.Marshal(details)
	for _, secret := range []string{newPassword, "reset-by-the-admin", testenv.Password} {
		if strings.Contains(string(raw), secret) {
			t.Errorf("the audit log holds a password: %s", raw)
		}
	}
}

// jsonEqual reports whether got, decoded from JSON, equals want.
func jsonEqual(got any, want map[string]any) bool {
	a, _ := json.Marshal(got)
	b, _ := json.Marshal(want)
	return string(a) == string(b)
}

func TestUpdatesAuditWhatChanged(t *testing.T) {
	t.Parallel()
	s, owner := auditedStack(t)
	w := s.world
	admin := s.as(s.login(t, w.Admin.Email))
	name, zone := "Lyon Part-Dieu", "Europe/Paris"
	if _, err := admin.team.UpdateSite(ctx, connect.NewRequest(&v1.UpdateSiteRequest{SiteId: w.Lyon.ID.String(), Name: &name, TimeZone: &zone})); err != nil {
		t.Fatal(err)
	}
	if got := auditDetails(t, owner, "site.update", w.Lyon.ID); len(got) != 1 || !jsonEqual(got[0], map[string]any{"name": map[string]any{"from": "Lyon", "to": name}}) {
		t.Errorf("site.update details %v, want only the name from Lyon to %s", got, name)
	}
	res, err := admin.lead.CreateLead(ctx, connect.NewRequest(newLead(s, "audited")))
	if err != nil {
		t.Fatal(err)
	}
	won, notes := v1.LeadStage_LEAD_STAGE_WON, "signed on the spot"
	if _, err := admin.lead.UpdateLead(ctx, connect.NewRequest(&v1.UpdateLeadRequest{LeadId: res.Msg.GetLead().GetId(), Stage: &won, Notes: &notes})); err != nil {
		t.Fatal(err)
	}
	got := auditDetails(t, owner, "lead.update", uuid.MustParse(res.Msg.GetLead().GetId()))
	if len(got) != 1 || !jsonEqual(got[0], map[string]any{"notes": "changed", "stage": map[string]any{"from": "open", "to": "won"}}) {
		t.Errorf("lead.update details %v, want the stage from open to won and notes changed (not copied)", got)
	}
	send := "11:30"
	if _, err := admin.team.UpdateOrganization(ctx, connect.NewRequest(&v1.UpdateOrganizationRequest{SendTime: &send})); err != nil {
		t.Fatal(err)
	}
	// The fixture's own update (repeats off) comes first.
	if got := auditDetails(t, owner, "organization.update", w.Org.ID); len(got) != 2 || !jsonEqual(got[1], map[string]any{"send_time": map[string]any{"from": "10:00", "to": send}}) {
		t.Errorf("organization.update details %v, want the send time from 10:00 to %s after the fixture's", got, send)
	}
}

func TestAnotherCallUnderTheSameExternalIDIsRefused(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	w := s.world
	admin := s.as(s.login(t, w.Admin.Email))
	key, err := admin.auth.CreateApiKey(ctx, connect.NewRequest(&v1.CreateApiKeyRequest{Name: "pbx", Scopes: []v1.Scope{v1.Scope_SCOPE_CALLS_RECORD}}))
	if err != nil {
		t.Fatal(err)
	}
	pbx := s.as(key.Msg.GetSecret())
	lead := w.Lead(t, "Jean", w.Alice.ID)
	call := &v1.NewCall{
		LeadId: lead.ID.String(), AdvisorId: w.Alice.ID.String(), Direction: v1.ContactDirection_CONTACT_DIRECTION_OUTBOUND,
		StartTime: timestamppb.New(time.Now().Add(-time.Hour)), Duration: durationpb.New(95 * time.Second),
		Outcome: v1.CallOutcome_CALL_OUTCOME_ANSWERED, ExternalCallId: "pbx-1",
	}
	first, err := pbx.call.RecordCall(ctx, connect.NewRequest(&v1.RecordCallRequest{Call: call}))
	if err != nil || !first.Msg.GetCreated() {
		t.Fatalf("first record: %v %v", first, err)
	}
	again, err := pbx.call.RecordCall(ctx, connect.NewRequest(&v1.RecordCallRequest{Call: call}))
	if err != nil || again.Msg.GetCreated() || again.Msg.GetCall().GetId() != first.Msg.GetCall().GetId() {
		t.Fatalf("the same call again: %v %v", again, err)
	}
	call.Duration = durationpb.New(5 * time.Second)
	_, err = pbx.call.RecordCall(ctx, connect.NewRequest(&v1.RecordCallRequest{Call: call}))
	if ce := wantCode(t, err, connect.CodeAlreadyExists); !strings.Contains(ce.Message(), first.Msg.GetCall().GetId()) {
		t.Errorf("the refusal %q does not name call %s", ce.Message(), first.Msg.GetCall().GetId())
	}
	imported, err := pbx.call.ImportCalls(ctx, connect.NewRequest(&v1.ImportCallsRequest{Calls: []*v1.NewCall{call}}))
	if err != nil || imported.Msg.GetRefused() != 1 || imported.Msg.GetResults()[0].GetErrorCode() != "already_exists" {
		t.Fatalf("import of another call under the id: %v %v", imported, err)
	}
}
