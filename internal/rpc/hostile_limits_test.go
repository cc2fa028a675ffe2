package rpc_test

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"connectrpc.com/connect"
	"connectrpc.com/grpcreflect"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/redis/go-redis/v9"
	"google.golang.org/genproto/googleapis/rpc/errdetails"

	v1 "github.com/relancehq/relance/gen/go/relance/v1"
	"github.com/relancehq/relance/gen/go/relance/v1/relancev1connect"
	"github.com/relancehq/relance/internal/limit"
	"github.com/relancehq/relance/internal/postgres"
	"github.com/relancehq/relance/internal/relance"
	"github.com/relancehq/relance/internal/rpc"
	"github.com/relancehq/relance/internal/testenv"
)

// limitedStack is an API process with opts over a fresh database and organisation.
func limitedStack(t *testing.T, opts rpc.Options) *stack {
	t.Helper()
	db := testenv.Open(t)
	return stackOn(t, db, testenv.NewWorld(t, db), opts)
}

// retryDelay returns the google.rpc.RetryInfo delay of an error, failing without one.
func retryDelay(t *testing.T, ce *connect.Error) time.Duration {
	t.Helper()
	for _, d := range ce.Details() {
		if msg, err := d.Value(); err == nil {
			if ri, ok := msg.(*errdetails.RetryInfo); ok {
				return ri.GetRetryDelay().AsDuration()
			}
		}
	}
	t.Fatalf("%v carries no RetryInfo", ce)
	return 0
}

// wantExhausted checks err is RESOURCE_EXHAUSTED with a retry delay in (0, most], as a detail
// and as a Retry-After of whole seconds.
func wantExhausted(t *testing.T, err error, most time.Duration) {
	t.Helper()
	ce := wantCode(t, err, connect.CodeResourceExhausted)
	if d := retryDelay(t, ce); d <= 0 || d > most {
		t.Fatalf("retry delay %s, want in (0, %s]", d, most)
	}
	if secs, err := strconv.Atoi(ce.Meta().Get("Retry-After")); err != nil || secs < 1 || time.Duration(secs)*time.Second > most+time.Second {
		t.Fatalf("Retry-After = %q, want whole seconds up to %s", ce.Meta().Get("Retry-After"), most)
	}
}

// A partner key's budget is its own, set when the key is made, and shared by every API process:
// two processes on one Redis refuse the call beyond it, with a retry delay, in every protocol.
func TestRateLimitPerAPIKeyAcrossProcesses(t *testing.T) {
	t.Parallel()
	rdb, q := testenv.Redis(t)
	db := testenv.Open(t)
	world := testenv.NewWorld(t, db)
	opts := rpc.Options{Limiter: limit.NewRequests(rdb, q+":")}
	a, b := stackOn(t, db, world, opts), stackOn(t, db, world, opts)
	admin := a.as(a.login(t, world.Admin.Email))
	made, err := admin.auth.CreateApiKey(ctx, connect.NewRequest(&v1.CreateApiKeyRequest{
		Name: "web form", Scopes: []v1.Scope{v1.Scope_SCOPE_LEADS_CREATE}, RequestsPerMinute: 3,
	}))
	if err != nil {
		t.Fatal(err)
	}
	if got := made.Msg.GetApiKey().GetRequestsPerMinute(); got != 3 {
		t.Fatalf("key's requests_per_minute = %d, want 3", got)
	}
	keys, err := admin.auth.ListApiKeys(ctx, connect.NewRequest(&v1.ListApiKeysRequest{}))
	if err != nil || len(keys.Msg.GetApiKeys()) != 1 || keys.Msg.GetApiKeys()[0].GetRequestsPerMinute() != 3 {
		t.Fatalf("ListApiKeys = %v, %v", keys, err)
	}
	secret := made.Msg.GetSecret()
	partner := []clients{a.as(secret), b.as(secret, connect.WithGRPC()), a.as(secret, connect.WithGRPCWeb())}
	for i, c := range partner {
		if _, err := c.lead.CreateLead(ctx, connect.NewRequest(newLead(a, fmt.Sprint("pump-", i)))); err != nil {
			t.Fatalf("call %d within the budget: %v", i+1, err)
		}
	}
	for i, c := range partner {
		_, err := c.lead.CreateLead(ctx, connect.NewRequest(newLead(a, fmt.Sprint("over-", i))))
		wantExhausted(t, err, time.Minute)
	}
	// The budget is the key's: the admin's session is untouched.
	if _, err := admin.auth.WhoAmI(ctx, connect.NewRequest(&v1.WhoAmIRequest{})); err != nil {
		t.Fatalf("another credential: %v", err)
	}
	_, err = admin.auth.CreateApiKey(ctx, connect.NewRequest(&v1.CreateApiKeyRequest{
		Name: "negative", Scopes: []v1.Scope{v1.Scope_SCOPE_LEADS_CREATE}, RequestsPerMinute: -1,
	}))
	wantCode(t, err, connect.CodeInvalidArgument)
}

// Sessions get the configured default, streams count once, and a Redis that does not answer lets
// calls through (the limiter fails open).
func TestRateLimitSessionDefaultAndFailOpen(t *testing.T) {
	t.Parallel()
	rdb, q := testenv.Redis(t)
	s := limitedStack(t, rpc.Options{Limiter: limit.NewRequests(rdb, q+":"), RateLimits: rpc.RateLimits{Session: 2}, Heartbeat: time.Hour})
	alice := s.as(s.login(t, s.world.Alice.Email))
	if _, err := alice.auth.WhoAmI(ctx, connect.NewRequest(&v1.WhoAmIRequest{})); err != nil {
		t.Fatal(err)
	}
	stream, err := relancev1connect.NewAlertServiceClient(s.http, s.url, connect.WithInterceptors(bearer(s.login(t, s.world.Alice.Email)))).
		WatchAlerts(ctx, connect.NewRequest(&v1.WatchAlertsRequest{}))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { stream.Close() })
	if _, err := alice.auth.WhoAmI(ctx, connect.NewRequest(&v1.WhoAmIRequest{})); err != nil {
		t.Fatal(err)
	}
	_, err = alice.auth.WhoAmI(ctx, connect.NewRequest(&v1.WhoAmIRequest{}))
	wantExhausted(t, err, time.Minute)

	dead := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1", MaxRetries: -1})
	t.Cleanup(func() { dead.Close() })
	open := stackOn(t, s.db, s.world, rpc.Options{Limiter: limit.NewRequests(dead, q+":"), RateLimits: rpc.RateLimits{Session: 1}})
	bob := open.as(open.login(t, s.world.Bob.Email))
	for i := range 3 {
		if _, err := bob.auth.WhoAmI(ctx, connect.NewRequest(&v1.WhoAmIRequest{})); err != nil {
			t.Fatalf("call %d with Redis down: %v", i+1, err)
		}
	}
}

// clock is a settable clock for the login throttle.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// auditDB opens a fresh database and returns the store and a connection as its owner, to read
// the audit log as an auditor would.
func auditDB(t *testing.T) (*postgres.DB, *pgx.Conn) {
	t.Helper()
	appURL, ownerURL := testenv.Database(t)
	owner, err := pgx.Connect(ctx, ownerURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { owner.Close(ctx) })
	return testenv.OpenURL(t, appURL), owner
}

// 50 wrong passwords, then the right one: refused while the account is locked (the password is
// not even checked, so refusals while locked do not count), accepted once the lock has passed,
// each lock twice as long as the last; every checked failure is audited with its reason and
// address, never the password; an unknown email gets the same answers.
func TestLoginLockoutAfterWrongPasswords(t *testing.T) {
	t.Parallel()
	rdb, q := testenv.Redis(t)
	clk := &clock{now: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}
	logins := limit.NewLogins(rdb, q+":",
		relance.LoginPolicy{Free: 5, First: time.Minute, Max: 15 * time.Minute},
		relance.LoginPolicy{Free: 1000, First: time.Minute, Max: time.Hour}, clk.Now)
	store, owner := auditDB(t)
	s := stackOn(t, store, testenv.NewWorld(t, store), rpc.Options{Logins: logins})
	anon := s.as("")
	login := func(email, password string) error {
		_, err := anon.auth.Login(ctx, connect.NewRequest(&v1.LoginRequest{Email: email, Password: password}))
		return err
	}
	for _, email := range []string{s.world.Alice.Email, "nobody@" + strings.Split(s.world.Alice.Email, "@")[1]} {
		refused, locked := 0, 0
		for range 50 {
			err := login(email, "not-the-password")
			switch connect.CodeOf(err) {
			case connect.CodeUnauthenticated:
				refused++
			case connect.CodeResourceExhausted:
				wantExhausted(t, err, 15*time.Minute)
				locked++
			default:
				t.Fatalf("%s: wrong password answered %v", email, err)
			}
		}
		if refused != 5 || locked != 45 {
			t.Fatalf("%s: %d refused and %d locked, want 5 and 45", email, refused, locked)
		}
	}
	// The fifth failure locked the account for a minute: the right password does not open it.
	wantExhausted(t, login(s.world.Alice.Email, testenv.Password), time.Minute)
	clk.Advance(time.Minute + time.Second)
	// One more guess once the lock has passed locks it again, for twice as long.
	wantCode(t, login(s.world.Alice.Email, "not-the-password"), connect.CodeUnauthenticated)
	wantExhausted(t, login(s.world.Alice.Email, testenv.Password), 2*time.Minute)
	clk.Advance(time.Minute + time.Second)
	wantExhausted(t, login(s.world.Alice.Email, testenv.Password), time.Minute)
	clk.Advance(time.Minute)
	if err := login(s.world.Alice.Email, testenv.Password); err != nil {
		t.Fatalf("the right password after the lock: %v", err)
	}

	// The audit rows are written just after the answer, so that known and unknown emails answer
	// alike.
	var n int
	testenv.Eventually(t, 10*time.Second, "six audited failures", func() bool {
		err := owner.QueryRow(ctx, `SELECT count(*) FROM audit_log WHERE org_id = $1 AND action = 'auth.login_failed'`,
			s.world.Org.ID).Scan(&n)
		return err == nil && n >= 6
	})
	rows, err := owner.Query(ctx, `SELECT actor_kind, subject_id, details::text FROM audit_log
		WHERE org_id = $1 AND action = 'auth.login_failed' ORDER BY at, id`, s.world.Org.ID)
	if err != nil {
		t.Fatal(err)
	}
	n = 0
	for rows.Next() {
		var kind, details string
		var subject uuid.UUID
		if err := rows.Scan(&kind, &subject, &details); err != nil {
			t.Fatal(err)
		}
		n++
		if subject != s.world.Alice.ID || !strings.Contains(details, `"reason": "wrong password"`) ||
			!strings.Contains(details, `"address": "127.0.0.1"`) || strings.Contains(details, "not-the-password") {
			t.Errorf("audit row %s %v %s", kind, subject, details)
		}
	}
	if err := rows.Err(); err != nil || n != 6 {
		t.Fatalf("%d audited failures (%v), want 6: one per password checked", n, err)
	}
}

// Guesses spread over many accounts lock the client address; X-Forwarded-For names the client
// only behind a trusted proxy, so a client cannot step out of its lock by writing the header.
func TestLoginLockoutPerClientAddress(t *testing.T) {
	t.Parallel()
	rdb, q := testenv.Redis(t)
	logins := limit.NewLogins(rdb, q+":",
		relance.LoginPolicy{Free: 5, First: time.Minute, Max: 15 * time.Minute},
		relance.LoginPolicy{Free: 3, First: time.Minute, Max: time.Hour}, nil)
	db := testenv.Open(t)
	world := testenv.NewWorld(t, db)
	direct := stackOn(t, db, world, rpc.Options{Logins: logins})
	proxied := stackOn(t, db, world, rpc.Options{Logins: logins, TrustedProxies: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}})
	login := func(s *stack, forwardedFor, email, password string) error {
		req := connect.NewRequest(&v1.LoginRequest{Email: email, Password: password})
		if forwardedFor != "" {
			req.Header().Set("X-Forwarded-For", forwardedFor)
		}
		_, err := s.as("").auth.Login(ctx, req)
		return err
	}
	for i := range 3 {
		wantCode(t, login(direct, "", fmt.Sprintf("guess%d@unknown.test", i), "x"), connect.CodeUnauthenticated)
	}
	wantExhausted(t, login(direct, "", world.Bob.Email, testenv.Password), time.Minute)
	wantExhausted(t, login(direct, "198.51.100.7", world.Bob.Email, testenv.Password), time.Minute)

	// Behind the proxy, the client is the right-most untrusted hop; the left part is ignored.
	for i := range 3 {
		err := login(proxied, "10.9.9.9, 203.0.113.5, 127.0.0.2", fmt.Sprintf("other%d@unknown.test", i), "x")
		wantCode(t, err, connect.CodeUnauthenticated)
	}
	wantExhausted(t, login(proxied, "10.1.1.1, 203.0.113.5", world.Bob.Email, testenv.Password), time.Hour)
	if err := login(proxied, "203.0.113.6", world.Bob.Email, testenv.Password); err != nil {
		t.Fatalf("another client behind the proxy: %v", err)
	}
}

// rawPost sends an HTTP/1.1 request head announcing a body of length bytes, then body, and
// returns the status line the server answers with (reading at most 30 s).
func rawPost(t *testing.T, url, path string, header map[string]string, length int, body []byte) string {
	t.Helper()
	conn, err := net.Dial("tcp", strings.TrimPrefix(url, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	var head bytes.Buffer
	fmt.Fprintf(&head, "POST %s HTTP/1.1\r\nHost: api\r\nContent-Type: application/json\r\nContent-Length: %d\r\n", path, length)
	for k, v := range header {
		fmt.Fprintf(&head, "%s: %s\r\n", k, v)
	}
	head.WriteString("\r\n")
	if _, err := conn.Write(append(head.Bytes(), body...)); err != nil {
		t.Fatal(err)
	}
	_ = conn.SetReadDeadline(time.Now().Add(30 * time.Second))
	line, err := bufio.NewReader(conn).ReadString('\n')
	if err != nil {
		t.Fatalf("no answer before the body was sent: %v", err)
	}
	return strings.TrimSpace(line)
}

// Bodies are capped per procedure before they are read: a login a few KiB, other calls 256 KiB
// once authenticated, attachments and imports more. A call without valid credentials is
// answered before its body is read.
func TestRequestBodyCaps(t *testing.T) {
	t.Parallel()
	s := limitedStack(t, rpc.Options{})
	token := s.login(t, s.world.Alice.Email)
	mib := strings.Repeat("x", 1<<20)
	for name, opts := range protocols {
		_, err := s.as("", opts...).auth.Login(ctx, connect.NewRequest(&v1.LoginRequest{Email: "a@example.com", Password: mib}))
		wantCode(t, err, connect.CodeResourceExhausted)
		lead := newLead(s, "big-"+name)
		lead.Notes = mib
		_, err = s.as("", opts...).lead.CreateLead(ctx, connect.NewRequest(lead))
		wantCode(t, err, connect.CodeUnauthenticated)
		_, err = s.as(token, opts...).lead.CreateLead(ctx, connect.NewRequest(lead))
		wantCode(t, err, connect.CodeResourceExhausted)
	}
	// Announced and never sent: the answer comes from the headers alone.
	if got := rawPost(t, s.url, "/relance.v1.AuthService/Login", nil, 1<<20, nil); !strings.Contains(got, " 429 ") {
		t.Fatalf("1 MiB login announced: %q, want 429 (resource exhausted)", got)
	}
	if got := rawPost(t, s.url, "/relance.v1.LeadService/CreateLead", nil, 1<<20, nil); !strings.Contains(got, " 401 ") {
		t.Fatalf("1 MiB lead without credentials announced: %q, want 401", got)
	}
	if got := rawPost(t, s.url, "/relance.v1.LeadService/CreateLead", map[string]string{"Authorization": "Bearer " + token}, 1<<20, nil); !strings.Contains(got, " 429 ") {
		t.Fatalf("1 MiB lead announced: %q, want 429", got)
	}

	// An attachment of 3 MiB still goes through, over gRPC (no announced length) and Connect.
	manager := s.as(s.login(t, s.world.Manager.Email))
	st, err := manager.status.CreateStatus(ctx, connect.NewRequest(&v1.CreateStatusRequest{
		Name: "Devis", AppliesTo: v1.StatusScope_STATUS_SCOPE_LEADS, SchedulesCall: true, CallAfterDays: 2,
	}))
	if err != nil {
		t.Fatal(err)
	}
	lead := s.world.Lead(t, "Jean", s.world.Alice.ID)
	alice := s.as(token)
	if _, err := alice.lead.UpdateLead(ctx, connect.NewRequest(&v1.UpdateLeadRequest{
		LeadId: lead.ID.String(), StatusId: new(st.Msg.GetStatus().GetId()),
	})); err != nil {
		t.Fatal(err)
	}
	inbox, err := alice.action.ListMyActions(ctx, connect.NewRequest(&v1.ListMyActionsRequest{}))
	if err != nil || len(inbox.Msg.GetItems()) != 1 {
		t.Fatalf("inbox = %v, %v", inbox, err)
	}
	file := append([]byte("%PDF-1.7\n"), bytes.Repeat([]byte("0123456789abcdef"), 3<<16)...)
	for name, opts := range map[string][]connect.ClientOption{"connect": nil, "grpc": {connect.WithGRPC()}} {
		if _, err := s.as(token, opts...).action.AddAttachment(ctx, connect.NewRequest(&v1.AddAttachmentRequest{
			ActionId: inbox.Msg.GetItems()[0].GetAction().GetId(), FileName: name + ".pdf", ContentType: "application/pdf", Data: file,
		})); err != nil {
			t.Fatalf("%s: a 3 MiB attachment: %v", name, err)
		}
	}
}

// trickle writes one byte of a 10,000-byte body every 200 ms until the write fails or done
// closes; it returns how many bytes were written.
func trickle(w io.Writer, done <-chan struct{}) int {
	tick := time.NewTicker(200 * time.Millisecond)
	defer tick.Stop()
	for n := range 10_000 {
		select {
		case <-done:
			return n
		case <-tick.C:
		}
		if _, err := w.Write([]byte{' '}); err != nil {
			return n
		}
	}
	return 10_000
}

// A body trickled a byte at a time is cut off when the body-read timeout passes, over HTTP/1.1
// (a body within the cap, read by the handler, and one over it, which the server drains before
// answering) and over h2c; the trickle would otherwise last half an hour.
func TestSlowBodyIsCutOff(t *testing.T) {
	t.Parallel()
	s := limitedStack(t, rpc.Options{BodyReadTimeout: time.Second})

	for name, length := range map[string]int{"http1": 2000, "http1 over the cap": 10_000} {
		t.Run(name, func(t *testing.T) { trickleHTTP1(t, s.url, length) })
	}
	t.Run("h2c", func(t *testing.T) {
		pr, pw := io.Pipe()
		done := make(chan struct{})
		defer close(done)
		go func() { trickle(pw, done); pw.Close() }()
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.url+"/relance.v1.AuthService/Login", pr)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/json")
		res, err := s.http.Do(req) // the client gives up after 30 s
		if err != nil {
			t.Fatalf("no answer to a trickled body: %v", err)
		}
		res.Body.Close()
		if res.StatusCode == http.StatusOK {
			t.Fatalf("a trickled login answered %s", res.Status)
		}
	})
}

// trickleHTTP1 announces a Login body of length bytes over HTTP/1.1 and trickles it, and fails
// unless the server answers or hangs up within 30 s.
func trickleHTTP1(t *testing.T, url string, length int) {
	conn, err := net.Dial("tcp", strings.TrimPrefix(url, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "POST /relance.v1.AuthService/Login HTTP/1.1\r\nHost: api\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n{", length)
	done := make(chan struct{})
	sent := make(chan int, 1)
	go func() { sent <- trickle(conn, done) }()
	_ = conn.SetReadDeadline(time.Now().Add(30 * time.Second))
	_, err = bufio.NewReader(conn).ReadString('\n')
	close(done)
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		t.Fatal("the server still waits for the trickled body after 30 s")
	}
	if n := <-sent; n >= length-1 {
		t.Fatal("the whole trickled body was read")
	}
}

// The body-read deadline ends with the body: a live alert stream outlives it, over HTTP/1.1
// (where the server keeps reading the connection after the body, and a deadline still in
// force would cancel the stream) and over h2c.
func TestAlertStreamOutlivesBodyDeadline(t *testing.T) {
	t.Parallel()
	s := limitedStack(t, rpc.Options{BodyReadTimeout: 200 * time.Millisecond, Heartbeat: 100 * time.Millisecond})
	token := s.login(t, s.world.Alice.Email)
	http1 := &http.Client{Timeout: 30 * time.Second}
	for name, httpc := range map[string]*http.Client{"http1": http1, "h2c": s.http} {
		t.Run(name, func(t *testing.T) {
			stream, err := relancev1connect.NewAlertServiceClient(httpc, s.url, connect.WithInterceptors(bearer(token))).
				WatchAlerts(ctx, connect.NewRequest(&v1.WatchAlertsRequest{}))
			if err != nil {
				t.Fatal(err)
			}
			defer stream.Close()
			beats := 0
			for beats < 10 && stream.Receive() { // 10 heartbeats: 1 s, five body deadlines
				beats++
			}
			if beats < 10 {
				t.Fatalf("stream ended after %d heartbeats: %v", beats, stream.Err())
			}
		})
	}
}

// Every API response, errors included, carries the security headers.
func TestSecurityHeaders(t *testing.T) {
	t.Parallel()
	s := limitedStack(t, rpc.Options{})
	token := s.login(t, s.world.Alice.Email)
	for name, auth := range map[string]string{"answered": "Bearer " + token, "refused": "Bearer nope"} {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.url+"/relance.v1.AuthService/WhoAmI", strings.NewReader("{}"))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", auth)
		res, err := s.http.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		for h, want := range map[string]string{
			"X-Content-Type-Options": "nosniff", "X-Frame-Options": "DENY", "Referrer-Policy": "no-referrer",
			"Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'", "Cache-Control": "no-store",
		} {
			if got := res.Header.Get(h); got != want {
				t.Errorf("%s (%s): %s = %q, want %q", name, res.Status, h, got, want)
			}
		}
	}
}

// Server reflection answers any valid credential by default, anyone when public, nobody when off.
func TestReflectionSetting(t *testing.T) {
	t.Parallel()
	db := testenv.Open(t)
	world := testenv.NewWorld(t, db)
	list := func(s *stack, token string) error {
		var opts []connect.ClientOption
		if token != "" {
			opts = append(opts, connect.WithInterceptors(bearer(token)))
		}
		stream := grpcreflect.NewClient(s.http, s.url, opts...).NewStream(ctx)
		defer stream.Close()
		_, err := stream.ListServices()
		return err
	}
	def := stackOn(t, db, world, rpc.Options{})
	wantCode(t, list(def, ""), connect.CodeUnauthenticated)
	if err := list(def, def.login(t, world.Alice.Email)); err != nil {
		t.Fatalf("authenticated reflection: %v", err)
	}
	if err := list(stackOn(t, db, world, rpc.Options{Reflection: rpc.ReflectionPublic}), ""); err != nil {
		t.Fatalf("public reflection: %v", err)
	}
	off := stackOn(t, db, world, rpc.Options{Reflection: rpc.ReflectionOff})
	if err := list(off, off.login(t, world.Alice.Email)); err == nil {
		t.Fatal("reflection answered while off")
	}
}

// A stolen session cannot guess its owner's password through a self-service password change
// faster than through the sign-in page: wrong current passwords count like failed logins.
func TestCurrentPasswordGuessesAreThrottled(t *testing.T) {
	t.Parallel()
	rdb, q := testenv.Redis(t)
	clk := &clock{now: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}
	logins := limit.NewLogins(rdb, q+":",
		relance.LoginPolicy{Free: 3, First: time.Minute, Max: 15 * time.Minute},
		relance.LoginPolicy{Free: 1000, First: time.Minute, Max: time.Hour}, clk.Now)
	store := testenv.Open(t)
	s := stackOn(t, store, testenv.NewWorld(t, store), rpc.Options{Logins: logins})
	alice := s.as(s.login(t, s.world.Alice.Email))
	change := func(current string) error {
		password := "a-new-long-secret"
		_, err := alice.team.UpdateUser(ctx, connect.NewRequest(&v1.UpdateUserRequest{
			UserId: s.world.Alice.ID.String(), Password: &password, CurrentPassword: &current,
		}))
		return err
	}
	for i := range 3 {
		if err := change("guess-" + strconv.Itoa(i)); connect.CodeOf(err) != connect.CodeInvalidArgument {
			t.Fatalf("guess %d: %v, want invalid_argument", i, err)
		}
	}
	// The third wrong guess locked the check: even the right password waits.
	wantExhausted(t, change(testenv.Password), time.Minute)
	clk.Advance(time.Minute + time.Second)
	if err := change(testenv.Password); err != nil {
		t.Fatalf("the right current password after the lock: %v", err)
	}
}
