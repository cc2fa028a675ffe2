package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"runtime"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"
	"github.com/redis/go-redis/v9"
	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"

	"github.com/relancehq/relance/internal/notify"
	"github.com/relancehq/relance/internal/postgres"
	"github.com/relancehq/relance/internal/queue"
	"github.com/relancehq/relance/internal/relance"
	"github.com/relancehq/relance/internal/webhook"
)

// WebhookEnv is what the webhook scenario needs.
type WebhookEnv struct {
	DatabaseURL string // application role
	Redis       redis.UniversalClient
	Events      int // lead.created events to write
	Endpoints   int // endpoints subscribed to them: Events × Endpoints deliveries
	Writers     int // concurrent writers
	Concurrency int // the worker's
	// EventData encodes an event's object as the API does (rpc.EventData).
	EventData func(obj any) ([]byte, error)
	Log       *slog.Logger
	Progress  io.Writer // a line on how fast the events were written
}

// receiver is a partner's endpoint on loopback: it verifies every request with the Standard
// Webhooks library, keyed by the path's endpoint number, and records how long after its write
// (the payload's timestamp, the writing transaction's clock) each message was accepted.
type receiver struct {
	url       string
	srv       *http.Server
	mu        sync.Mutex
	verifiers map[string]*standardwebhooks.Webhook // by path
	secrets   map[string]string                    // by path
	seen      map[string]bool                      // path + webhook-id
	latencies []time.Duration
	bodies    []signed
	bad       atomic.Int64
	done      chan struct{}
	want      int
}

// signed is one accepted request, kept for the plain-POST baseline.
type signed struct {
	path   string
	header http.Header
	body   []byte
}

func newReceiver() (*receiver, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	r := &receiver{url: "http://" + ln.Addr().String(), verifiers: map[string]*standardwebhooks.Webhook{}, secrets: map[string]string{}, seen: map[string]bool{}}
	r.srv = &http.Server{Handler: http.HandlerFunc(r.serve), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = r.srv.Serve(ln) }()
	return r, nil
}

func (r *receiver) serve(w http.ResponseWriter, req *http.Request) {
	body, err := io.ReadAll(req.Body)
	r.mu.Lock()
	v := r.verifiers[req.URL.Path]
	r.mu.Unlock()
	if err != nil || v == nil || v.Verify(body, req.Header) != nil {
		r.bad.Add(1)
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	accepted := time.Now()
	w.WriteHeader(http.StatusNoContent)
	var ev struct {
		Timestamp time.Time `json:"timestamp"`
	}
	if err := json.Unmarshal(body, &ev); err != nil {
		r.bad.Add(1)
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	key := req.URL.Path + " " + req.Header.Get(webhook.HeaderID)
	if r.done == nil || r.seen[key] {
		return // the baseline's replays, or a retry
	}
	r.seen[key] = true
	r.latencies = append(r.latencies, accepted.Sub(ev.Timestamp))
	r.bodies = append(r.bodies, signed{path: req.URL.Path, header: req.Header.Clone(), body: body})
	if len(r.latencies) == r.want {
		close(r.done)
		r.done = nil
	}
}

// expect resets the receiver to wait for n first arrivals.
func (r *receiver) expect(n int) <-chan struct{} {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.seen, r.latencies, r.bodies, r.want = map[string]bool{}, nil, nil, n
	r.done = make(chan struct{})
	return r.done
}

// Webhooks writes env.Events lead.created events as the engine does (CreateLead, the event and
// one delivery per endpoint in its transaction, timers enqueued after commit) with a real worker
// running, which signs and posts them to a local receiver that verifies each signature. Each
// delivery is timed from its write to its acceptance. Then, in the same run, the same bodies
// are signed again and posted to the same receiver with a plain net/http client (the baseline:
// no database, no queue). It returns the baseline, then the deliveries.
func Webhooks(ctx context.Context, env WebhookEnv) ([]Result, error) {
	rcv, err := newReceiver()
	if err != nil {
		return nil, err
	}
	defer rcv.srv.Close()
	queueName := fmt.Sprintf("bench-webhooks-%d", time.Now().UnixNano())
	store, err := postgres.Open(ctx, env.DatabaseURL, postgres.WithLogger(env.Log), postgres.WithPoolSize(env.Concurrency+4),
		postgres.WithScheduler(queue.NewClient(env.Redis, queueName)),
		postgres.WithWebhooks(notify.NewWebhook(true), true), postgres.WithEventData(env.EventData))
	if err != nil {
		return nil, err
	}
	defer store.Close()

	admin, site, err := alwaysOpenOrg(ctx, store, "webhooks", uuid.NewString()[:8])
	if err != nil {
		return nil, err
	}
	for i := range env.Endpoints {
		path := "/hook/" + strconv.Itoa(i)
		ep, err := store.CreateWebhookEndpoint(ctx, admin, webhook.Endpoint{URL: rcv.url + path, Enabled: true, Filter: []string{webhook.LeadCreated}})
		if err != nil {
			return nil, err
		}
		v, err := standardwebhooks.NewWebhook(ep.Secret)
		if err != nil {
			return nil, err
		}
		rcv.verifiers[path], rcv.secrets[path] = v, ep.Secret
	}

	stop, err := startWorker(ctx, env.Redis, store, queueName, env.Concurrency, env.Log)
	if err != nil {
		return nil, err
	}
	defer stop()

	deliveries := env.Events * env.Endpoints
	done := rcv.expect(deliveries)
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	start := time.Now()
	if err := createLeads(ctx, store, admin, env.Writers, env.Events, func(i int) relance.NewLead {
		return relance.NewLead{IdempotencyKey: fmt.Sprintf("wh-%d", i), SiteID: site.ID, Source: "bench",
			Contact: relance.Contact{Name: fmt.Sprintf("Lead %d", i), Phone: NextPhone()}}
	}); err != nil {
		return nil, err
	}
	written := time.Since(start)
	select {
	case <-done:
	case <-time.After(10 * time.Minute):
		rcv.mu.Lock()
		defer rcv.mu.Unlock()
		return nil, fmt.Errorf("webhooks: %d of %d deliveries accepted in 10 minutes (%d refused)", len(rcv.latencies), deliveries, rcv.bad.Load())
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	elapsed := time.Since(start)
	runtime.ReadMemStats(&after)
	rcv.mu.Lock()
	latencies, bodies := slices.Clone(rcv.latencies), slices.Clone(rcv.bodies)
	rcv.mu.Unlock()
	if n := rcv.bad.Load(); n > 0 {
		return nil, fmt.Errorf("webhooks: %d requests did not verify", n)
	}
	plural := ""
	if env.Endpoints > 1 {
		plural = "s"
	}
	got := summarise(fmt.Sprintf("webhooks: %d lead.created to %d endpoint%s", env.Events, env.Endpoints, plural), latencies, elapsed)
	got.AllocsPerOp = (after.Mallocs - before.Mallocs) / uint64(deliveries)
	got.BytesPerOp = (after.TotalAlloc - before.TotalAlloc) / uint64(deliveries)
	fmt.Fprintf(env.Progress, "webhooks: %d events written in %s (%.0f/s), %d deliveries accepted in %s\n",
		env.Events, written.Round(time.Millisecond), float64(env.Events)/written.Seconds(), deliveries, elapsed.Round(time.Millisecond))

	// The baseline: the same bodies, signed afresh (the receiver refuses timestamps over five
	// minutes old) and posted with a plain client from as many goroutines as the worker runs.
	var i atomic.Int64
	base := run(ctx, "plain Go POSTs of the same bodies (baseline)", env.Concurrency, time.Hour, func(ctx context.Context, _, _ int) error {
		k := int(i.Add(1)) - 1
		if k >= len(bodies) {
			return errStop
		}
		b := bodies[k]
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, rcv.url+b.path, bytes.NewReader(b.body))
		if err != nil {
			return err
		}
		req.Header, err = webhook.Headers(b.header.Get(webhook.HeaderID), time.Now(), b.body, rcv.secrets[b.path])
		if err != nil {
			return err
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return err
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusNoContent {
			return fmt.Errorf("baseline: answered %d", resp.StatusCode)
		}
		return nil
	})
	if base.Errors > 0 {
		return nil, fmt.Errorf("baseline: %d requests failed", base.Errors)
	}
	return []Result{base, got}, nil
}

// summarise is a Result from latency samples over elapsed.
func summarise(name string, latencies []time.Duration, elapsed time.Duration) Result {
	slices.Sort(latencies)
	r := Result{Name: name, Ops: len(latencies), Elapsed: elapsed}
	if n := len(latencies); n > 0 {
		r.P50, r.P99, r.Max = latencies[n/2], latencies[n*99/100], latencies[n-1]
	}
	return r
}
