package metrics_test

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"connectrpc.com/connect"
	"github.com/hibiken/asynq"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	v1 "github.com/relancehq/relance/gen/go/relance/v1"
	"github.com/relancehq/relance/gen/go/relance/v1/relancev1connect"
	"github.com/relancehq/relance/internal/catcher"
	"github.com/relancehq/relance/internal/metrics"
	"github.com/relancehq/relance/internal/postgres"
	"github.com/relancehq/relance/internal/queue"
	"github.com/relancehq/relance/internal/rpc"
	"github.com/relancehq/relance/internal/testenv"
	"github.com/relancehq/relance/internal/tracing"
)

// process is one relance process with metrics and tracing on: the API on one listener,
// /metrics on another, a worker, the spans in memory.
type process struct {
	api     string
	metrics string
	spans   *tracetest.SpanRecorder
	world   *testenv.World
	catcher *catcher.Catcher
}

func start(t *testing.T) *process {
	t.Helper()
	ctx := context.Background()
	dbURL, _ := testenv.Database(t)
	rdb, q := testenv.Redis(t)
	c := testenv.Catcher(t)
	log := testenv.Logger(t)

	spans := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(spans))
	t.Cleanup(func() { _ = tp.Shutdown(context.Background()) })
	tr := tracing.New(tp, tp.Shutdown)
	qt := &queue.Tracing{Propagator: tr.Propagator, Provider: tr.Provider}

	m := metrics.New()
	router, err := testenv.OutboxOf(t, c).Router(ctx)
	if err != nil {
		t.Fatal(err)
	}
	store := testenv.OpenURL(t, dbURL, postgres.WithScheduler(queue.NewClient(rdb, q).WithTracing(qt)),
		postgres.WithSender(m.Sender(router)), postgres.WithObserver(m), postgres.WithQueryTracer(tr.QueryTracer()))
	if err := m.Register(metrics.NewPoolCollector(store.PoolStat),
		metrics.NewQueueCollector(asynq.NewInspectorFromRedisClient(rdb), q)); err != nil {
		t.Fatal(err)
	}
	worker := queue.NewWorker(rdb, store, queue.WorkerConfig{Queue: q, Concurrency: 2, Log: log, Tracing: qt})
	if err := worker.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(worker.Shutdown)

	traced, err := tr.Interceptor()
	if err != nil {
		t.Fatal(err)
	}
	api := httptest.NewServer(rpc.NewHandler(store, rpc.Options{
		Log: log, Interceptors: []connect.Interceptor{traced, m.Interceptor()}, Refused: m.Refused,
	}))
	t.Cleanup(api.Close)
	scrape := httptest.NewServer(m.Server("").Handler)
	t.Cleanup(scrape.Close)
	return &process{api: api.URL, metrics: scrape.URL, spans: spans, world: testenv.NewWorld(t, store), catcher: c}
}

// scrape reads /metrics and returns each sample's value under its line's name and labels as
// Prometheus prints them (labels sorted by name).
func (p *process) scrape(t *testing.T) map[string]float64 {
	t.Helper()
	resp, err := http.Get(p.metrics + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		body, _ := io.ReadAll(resp.Body)
		t.Fatalf("GET /metrics: %s %s", resp.Status, body)
	}
	out := map[string]float64{}
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		i := strings.LastIndexByte(line, ' ')
		v, err := strconv.ParseFloat(line[i+1:], 64)
		if err != nil {
			t.Fatalf("bad sample %q", line)
		}
		out[line[:i]] = v
	}
	return out
}

func TestMetricsAndTraces(t *testing.T) {
	t.Parallel()
	p := start(t)
	ctx := context.Background()
	auth := relancev1connect.NewAuthServiceClient(http.DefaultClient, p.api)
	login, err := auth.Login(ctx, connect.NewRequest(&v1.LoginRequest{Email: p.world.Admin.Email, Password: testenv.Password}))
	if err != nil {
		t.Fatal(err)
	}
	leads := relancev1connect.NewLeadServiceClient(http.DefaultClient, p.api, connect.WithInterceptors(bearer(login.Msg.Token)))
	create := func(key, assignee string) (*connect.Response[v1.CreateLeadResponse], error) {
		return leads.CreateLead(ctx, connect.NewRequest(&v1.CreateLeadRequest{
			IdempotencyKey: key, SiteId: p.world.Lyon.ID.String(), Source: "Web", AssigneeId: assignee,
			Contact: &v1.Contact{Name: "Jean Dupont", Phone: "+33612345678"},
		}))
	}
	before := p.scrape(t)
	const lateness = `relance_timer_lateness_seconds_count{kind="lead.assigned"}`
	if _, err := create("k1", p.world.Alice.ID.String()); err != nil {
		t.Fatal(err)
	}
	if _, err := create("k2", ""); err != nil {
		t.Fatal(err)
	}
	if _, err := create("", ""); connect.CodeOf(err) != connect.CodeInvalidArgument {
		t.Fatalf("a lead with no key: %v, want invalid_argument", err)
	}
	anonymous := relancev1connect.NewLeadServiceClient(http.DefaultClient, p.api)
	if _, err := anonymous.ListLeads(ctx, connect.NewRequest(&v1.ListLeadsRequest{})); connect.CodeOf(err) != connect.CodeUnauthenticated {
		t.Fatalf("ListLeads without a token: %v, want unauthenticated", err)
	}
	if _, ok := p.catcher.Wait(10*time.Second, func(m []catcher.Message) bool { return len(m) >= 1 }); !ok {
		t.Fatal("no assignment email within 10 s")
	}
	var after map[string]float64
	testenv.Eventually(t, 10*time.Second, "the delivery counted", func() bool {
		after = p.scrape(t)
		return after[`relance_deliveries_total{channel="email",outcome="sent"}`] == 1
	})

	for sample, want := range map[string]float64{
		`relance_rpc_requests_total{code="ok",procedure="/relance.v1.AuthService/Login"}`:                    1,
		`relance_rpc_requests_total{code="ok",procedure="/relance.v1.LeadService/CreateLead"}`:               2,
		`relance_rpc_requests_total{code="invalid_argument",procedure="/relance.v1.LeadService/CreateLead"}`: 1,
		`relance_rpc_duration_seconds_count{procedure="/relance.v1.LeadService/CreateLead"}`:                 3,
		`relance_leads_received_total{source="web"}`:                                                         2,
		`relance_deliveries_total{channel="email",outcome="sent"}`:                                           1,
		lateness: 1,
	} {
		if got, ok := after[sample]; !ok || got != want {
			t.Errorf("%s = %v (present %v), want %v", sample, got, ok, want)
		}
	}
	if before[lateness] != 0 {
		t.Errorf("before any timer fired, %s = %v", lateness, before[lateness])
	}
	for _, gauge := range []string{
		"relance_pgxpool_total_conns", "relance_pgxpool_acquired_conns", "relance_pgxpool_acquires_total",
		"go_goroutines",
	} {
		if _, ok := after[gauge]; !ok {
			t.Errorf("%s missing from /metrics", gauge)
		}
	}
	if after["relance_pgxpool_total_conns"] < 1 || after["relance_pgxpool_acquires_total"] < 1 {
		t.Errorf("pool: %v conns, %v acquires", after["relance_pgxpool_total_conns"], after["relance_pgxpool_acquires_total"])
	}
	queueGauges := 0
	for name, v := range after {
		if strings.HasPrefix(name, "asynq_queue_size{") || strings.HasPrefix(name, "asynq_tasks_enqueued_total{") {
			queueGauges++
		}

		if strings.HasPrefix(name, "relance_queue_up{") && v != 1 {
			t.Errorf("%s = %v", name, v)
		}
	}
	// The assignment's timer task, which sends its email itself: asynq counts it after its
	// handler returns, which may be after the scrape that saw the email counted.
	testenv.Eventually(t, 10*time.Second, "asynq's count of processed tasks", func() bool {
		for name, v := range p.scrape(t) {
			if strings.HasPrefix(name, "asynq_tasks_processed_total{") && v >= 1 {
				return true
			}
		}
		return false
	})
	if queueGauges != 8 {
		t.Errorf("%d asynq queue gauges, want 8 (size and 7 states)", queueGauges)
	}

	// One trace from the RPC, through its SQL, to the task that fired the assignment later.
	var rpcSpan sdktrace.ReadOnlySpan
	testenv.Eventually(t, 5*time.Second, "the task's span ended", func() bool {
		rpcSpan = nil
		for _, s := range p.spans.Ended() {
			if s.Name() == "relance.v1.LeadService/CreateLead" && rpcSpan == nil {
				rpcSpan = s
			}
		}
		if rpcSpan == nil {
			return false
		}
		for _, s := range p.spans.Ended() {
			if s.Name() == queue.TypeTimer && s.SpanContext().TraceID() == rpcSpan.SpanContext().TraceID() {
				return true
			}
		}
		return false
	})
	trace := rpcSpan.SpanContext().TraceID()
	sql, taskSQL := 0, 0
	var task sdktrace.ReadOnlySpan
	for _, s := range p.spans.Ended() {
		if s.SpanContext().TraceID() != trace {
			continue
		}
		if s.Name() == queue.TypeTimer && task == nil {
			task = s
		}
		if strings.Contains(s.InstrumentationScope().Name, "otelpgx") {
			sql++
		}
	}
	for _, s := range p.spans.Ended() {
		if strings.Contains(s.InstrumentationScope().Name, "otelpgx") && s.Parent().SpanID() == task.SpanContext().SpanID() {
			taskSQL++
		}
	}
	if sql == 0 || taskSQL == 0 {
		t.Errorf("trace %s: %d SQL spans, %d of them under the task's span; want some of each", trace, sql, taskSQL)
	}
	if task.Parent().TraceID() != trace || !task.StartTime().After(rpcSpan.StartTime()) {
		t.Errorf("task span %+v is not a later child in the RPC's trace", task.Parent())
	}
}

// bearer authenticates every call with a token.
type bearer string

func (b bearer) WrapUnary(next connect.UnaryFunc) connect.UnaryFunc {
	return func(ctx context.Context, req connect.AnyRequest) (connect.AnyResponse, error) {
		req.Header().Set("Authorization", "Bearer "+string(b))
		return next(ctx, req)
	}
}

func (b bearer) WrapStreamingClient(next connect.StreamingClientFunc) connect.StreamingClientFunc {
	return next
}

func (b bearer) WrapStreamingHandler(next connect.StreamingHandlerFunc) connect.StreamingHandlerFunc {
	return next
}

// Sources are free text: past the first 50, new ones count as "other", so a client inventing a
// source per lead cannot grow the series without bound.
func TestLeadSourcesBounded(t *testing.T) {
	t.Parallel()
	m := metrics.New()
	for i := range 60 {
		m.LeadReceived("Source " + strconv.Itoa(i))
	}
	m.LeadReceived(" SOURCE 3 ")
	m.LeadReceived("")
	srv := httptest.NewServer(m.Server("").Handler)
	defer srv.Close()
	got := (&process{metrics: srv.URL}).scrape(t)
	series := 0
	for name := range got {
		if strings.HasPrefix(name, "relance_leads_received_total{") {
			series++
		}
	}
	if series != 52 {
		t.Errorf("%d source series, want 52 (50 named, other, none)", series)
	}
	for sample, want := range map[string]float64{
		`relance_leads_received_total{source="source 3"}`: 2,
		`relance_leads_received_total{source="other"}`:    10,
		`relance_leads_received_total{source="none"}`:     1,
	} {
		if got[sample] != want {
			t.Errorf("%s = %v, want %v", sample, got[sample], want)
		}
	}
}
