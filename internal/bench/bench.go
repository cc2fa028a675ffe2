// Package bench measures the API's hot paths against the real stack (PostgreSQL, Redis, the
// Connect handler over loopback h2c) and, in the same run, a baseline of raw pgx inserts, so that
// every figure is read next to what the hardware does without Relance in the way.
package bench

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"connectrpc.com/connect"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"
	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/timestamppb"

	v1 "github.com/relancehq/relance/gen/go/relance/v1"
	"github.com/relancehq/relance/gen/go/relance/v1/relancev1connect"
	"github.com/relancehq/relance/internal/postgres"
)

// Result is one measured scenario.
type Result struct {
	Name          string
	Ops           int
	Errors        int
	Elapsed       time.Duration
	P50, P99, Max time.Duration
	AllocsPerOp   uint64 // heap allocations per operation, client and server together
	BytesPerOp    uint64 // heap bytes per operation, client and server together
}

// PerSecond is the throughput.
func (r Result) PerSecond() float64 { return float64(r.Ops) / r.Elapsed.Seconds() }

// Print writes a table of results, with each row's throughput as a share of the first row's.
func Print(w io.Writer, results []Result) {
	fmt.Fprintf(w, "%-44s %8s %10s %9s %9s %9s %7s %9s %8s %8s\n", "scenario", "ops", "ops/s", "p50", "p99", "max", "errors", "allocs/op", "B/op", "vs base")
	for _, r := range results {
		ratio := r.PerSecond() / results[0].PerSecond()
		fmt.Fprintf(w, "%-44s %8d %10.0f %9s %9s %9s %7d %9d %8d %7.0f%%\n", r.Name, r.Ops, r.PerSecond(),
			r.P50.Round(10*time.Microsecond), r.P99.Round(10*time.Microsecond), r.Max.Round(10*time.Microsecond),
			r.Errors, r.AllocsPerOp, r.BytesPerOp, ratio*100)
	}
}

// PrintMedians prints, for each scenario of runs (each a Print's results, the baseline first),
// its median rate and its median, lowest and highest share of its own run's baseline.
func PrintMedians(w io.Writer, runs [][]Result) {
	fmt.Fprintf(w, "medians of %d runs\n%-44s %10s %9s %9s %9s\n", len(runs), "scenario", "ops/s", "vs base", "lowest", "highest")
	for i, r := range runs[0] {
		var rates, shares []float64
		for _, run := range runs {
			if i < len(run) {
				rates = append(rates, run[i].PerSecond())
				shares = append(shares, 100*run[i].PerSecond()/run[0].PerSecond())
			}
		}
		slices.Sort(rates)
		slices.Sort(shares)
		fmt.Fprintf(w, "%-44s %10.0f %8.0f%% %8.0f%% %8.0f%%\n", r.Name, median(rates), median(shares), shares[0], shares[len(shares)-1])
	}
}

// errStop, returned by an op, ends its goroutine's loop before the time is up (a fixed batch of
// work is done).
var errStop = errors.New("bench: no more work")

// run calls op from workers goroutines for d, or until op returns errStop, and measures each
// call.
func run(ctx context.Context, name string, workers int, d time.Duration, op func(ctx context.Context, worker, i int) error) Result {
	var (
		mu        sync.Mutex
		latencies []time.Duration
		errs      atomic.Int64
		wg        sync.WaitGroup
		before    runtime.MemStats
		after     runtime.MemStats
	)
	runtime.GC()
	runtime.ReadMemStats(&before)
	deadline := time.Now().Add(d)
	start := time.Now()
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			local := make([]time.Duration, 0, 4096)
			for i := 0; time.Now().Before(deadline) && ctx.Err() == nil; i++ {
				t0 := time.Now()
				if err := op(ctx, w, i); errors.Is(err, errStop) {
					break
				} else if err != nil {
					errs.Add(1)
					continue
				}
				local = append(local, time.Since(t0))
			}
			mu.Lock()
			latencies = append(latencies, local...)
			mu.Unlock()
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	runtime.ReadMemStats(&after)
	slices.Sort(latencies)
	r := Result{Name: name, Ops: len(latencies), Errors: int(errs.Load()), Elapsed: elapsed}
	if n := len(latencies); n > 0 {
		r.P50, r.P99, r.Max = latencies[n/2], latencies[n*99/100], latencies[n-1]
		r.AllocsPerOp = (after.Mallocs - before.Mallocs) / uint64(n)
		r.BytesPerOp = (after.TotalAlloc - before.TotalAlloc) / uint64(n)
	}
	return r
}

// RawInsert is the baseline: single-row INSERTs into the leads table through pgx, as the schema
// owner (no row-level security, no transaction of our own, no RPC).
func RawInsert(ctx context.Context, ownerURL string, org, site uuid.UUID, workers int, d time.Duration) (Result, error) {
	cfg, err := pgxpool.ParseConfig(ownerURL)
	if err != nil {
		return Result{}, err
	}
	cfg.AfterConnect = postgres.RegisterUUID // as the application's pool does
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return Result{}, err
	}
	defer pool.Close()
	now := time.Now()
	return run(ctx, "raw pgx INSERT INTO leads (baseline)", workers, d, func(ctx context.Context, _, _ int) error {
		_, err := pool.Exec(ctx, `INSERT INTO leads (id, org_id, site_id, source, contact_name, contact_phone,
			idempotency_key, received_at, created_at, updated_at) VALUES ($1, $2, $3, 'bench', 'Raw', '+33600000000', $4, $5, $5, $5)`,
			uuid.Must(uuid.NewV7()), org, site, uuid.NewString(), now)
		return err
	}), nil
}

// Target is an API server to load.
type Target struct {
	URL    string
	Token  string
	SiteID string
	// Assignees, when set, are given the leads in turn (each assignment writes a timer and
	// enqueues it in Redis after commit).
	Assignees []string
	// Source is the leads' source ("bench" when empty): a distribution rule of that source
	// assigns them.
	Source string
}

// h2c returns an HTTP client speaking cleartext HTTP/2 with room for workers connections, and
// the function that closes them.
func h2c(workers int) (*http.Client, func()) {
	protocols := new(http.Protocols)
	protocols.SetUnencryptedHTTP2(true)
	transport := &http.Transport{Protocols: protocols, MaxIdleConnsPerHost: workers,
		DialContext: (&net.Dialer{Timeout: 5 * time.Second}).DialContext}
	return &http.Client{Transport: transport}, transport.CloseIdleConnections
}

// RecordCalls loads RecordCall over gRPC with workers concurrent clients for d: each call an
// outbound attempt by advisor on one of leads (matched by id), with its own external id.
func RecordCalls(ctx context.Context, t Target, leads []string, advisor string, workers int, d time.Duration) Result {
	httpClient, done := h2c(workers)
	defer done()
	client := relancev1connect.NewCallServiceClient(httpClient, t.URL, connect.WithGRPC())
	started := timestamppb.New(time.Now().Add(-time.Minute))
	return run(ctx, "RecordCall (lead by id), gRPC", workers, d, func(ctx context.Context, w, i int) error {
		req := connect.NewRequest(&v1.RecordCallRequest{Call: &v1.NewCall{
			LeadId: leads[(w*7919+i)%len(leads)], AdvisorId: advisor, Direction: v1.ContactDirection_CONTACT_DIRECTION_OUTBOUND,
			StartTime: started, Duration: durationpb.New(42 * time.Second), Outcome: v1.CallOutcome_CALL_OUTCOME_ANSWERED,
			ExternalCallId: uuid.NewString(),
		}})
		req.Header().Set("Authorization", "Bearer "+t.Token)
		_, err := client.RecordCall(ctx, req)
		return err
	})
}

var phones atomic.Int64

// NextPhone returns a French mobile number no earlier call returned, so that loaded leads are
// new customers rather than repeat inquiries of one.
func NextPhone() string { return fmt.Sprintf("+336%08d", phones.Add(1)%100_000_000) }

// CreateLeads loads CreateLead over one protocol with workers concurrent clients for d.
func CreateLeads(ctx context.Context, name string, t Target, opts []connect.ClientOption, workers int, d time.Duration) Result {
	httpClient, done := h2c(workers)
	defer done()
	client := relancev1connect.NewLeadServiceClient(httpClient, t.URL, opts...)
	return run(ctx, name, workers, d, func(ctx context.Context, w, i int) error {
		req := connect.NewRequest(&v1.CreateLeadRequest{
			IdempotencyKey: uuid.NewString(), SiteId: t.SiteID, Source: cmp.Or(t.Source, "bench"), SourceGroup: "load",
			Category: v1.Category_CATEGORY_B,
			Contact:  &v1.Contact{Name: fmt.Sprintf("Bench %d-%d", w, i), Phone: NextPhone()},
		})
		if len(t.Assignees) > 0 {
			req.Msg.AssigneeId = t.Assignees[(w+i)%len(t.Assignees)]
		}
		req.Header().Set("Authorization", "Bearer "+t.Token)
		_, err := client.CreateLead(ctx, req)
		return err
	})
}
