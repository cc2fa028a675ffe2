// Command relance-bench loads the API with CreateLead calls against the real stack and prints
// throughput and latency next to a raw pgx insert baseline measured in the same run. `make bench`
// starts PostgreSQL and Redis and runs it.
//
// It then schedules BENCH_REMINDERS (default 10,000) reminders due within one minute, then as many
// due at one instant (with one worker, then two), then as many digests due at one instant, and
// prints their lateness and throughput (the bursts drain at the engine's capacity), next to raw
// asynq no-op tasks for one instant and a raw SMTP send loop.
//
// Then it writes BENCH_WEBHOOKS (default 5,000) lead.created events to one webhook endpoint, then
// to four, with an in-process worker posting them signed to a local receiver that verifies each
// signature, and prints their throughput and write-to-acceptance latency next to plain POSTs of
// the same requests from Go.
//
// Last, it generates an organisation of 50 sites, 1,000 advisors and BENCH_LEADS (default
// 1,000,000) leads with their calls and activities, and measures the reports on it, each next to
// the same aggregate in hand-written SQL, the dashboard's time to figures in Chromium next to its
// Dashboard call, then prints the query plans.
//
// Environment: DATABASE_URL (application role), MIGRATE_DATABASE_URL (schema owner), REDIS_URL,
// BENCH_WORKERS (concurrent clients, default 16), BENCH_SECONDS (per scenario, default 8),
// BENCH_RUNS (how often the API scenarios run, each run after its own baseline, default 1;
// several end with each scenario's median),
// BENCH_REMINDERS (also the digests), BENCH_REMINDER_LEAD (seconds from the start of a reminder
// scenario's setup to its first due instant, default 45; raise it on a loaded machine),
// BENCH_WEBHOOKS, BENCH_LEADS, BENCH_ONLY (api, reminders, burst — the reminders without the
// paced run —, webhooks or reports: that part alone), BENCH_BROWSER_RUNS (visits of the
// dashboard in Chromium, default 5; the web app must be built), BENCH_CPUPROFILE (a file to
// write the whole run's CPU profile to, for go tool pprof), BENCH_TRACE (a file to write the
// run's execution trace to: `go tool trace -pprof=net FILE` shows where the waiting is),
// WORKER_CONCURRENCY.
package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"runtime"
	"runtime/pprof"
	"runtime/trace"
	"strconv"
	"time"

	"connectrpc.com/connect"
	"github.com/google/uuid"
	"github.com/redis/go-redis/v9"

	"github.com/relancehq/relance/internal/bench"
	"github.com/relancehq/relance/internal/config"
	"github.com/relancehq/relance/internal/postgres"
	"github.com/relancehq/relance/internal/queue"
	"github.com/relancehq/relance/internal/relance"
	"github.com/relancehq/relance/internal/rpc"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "relance-bench:", err)
		os.Exit(1)
	}
}

func intEnv(name string, def int) int {
	if n, err := strconv.Atoi(os.Getenv(name)); err == nil && n > 0 {
		return n
	}
	return def
}

// recording is a profile of the whole run, written to the file its environment variable names.
type recording struct {
	env   string
	begin func(io.Writer) error
	end   func()
}

// start starts the recording when its variable is set; stop ends it and closes the file.
func (r recording) start() (stop func(), err error) {
	path := os.Getenv(r.env)
	if path == "" {
		return func() {}, nil
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	if err := r.begin(f); err != nil {
		f.Close()
		return nil, err
	}
	return func() { r.end(); f.Close() }, nil
}

func run() error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	for _, r := range []recording{{"BENCH_CPUPROFILE", pprof.StartCPUProfile, pprof.StopCPUProfile}, {"BENCH_TRACE", trace.Start, trace.Stop}} {
		end, err := r.start()
		if err != nil {
			return err
		}
		defer end()
	}
	cfg, err := config.FromEnv()
	if err != nil {
		return err
	}
	workers, seconds := intEnv("BENCH_WORKERS", 16), intEnv("BENCH_SECONDS", 8)
	d := time.Duration(seconds) * time.Second
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))

	if err := postgres.Migrate(ctx, cfg.MigrateDatabaseURL, log); err != nil {
		return err
	}
	rdb, err := queue.NewRedis(cfg.RedisURL)
	if err != nil {
		return err
	}
	defer rdb.Close()
	store, err := postgres.Open(ctx, cfg.DatabaseURL, postgres.WithLogger(log), postgres.WithScheduler(queue.NewClient(rdb, "bench")))
	if err != nil {
		return err
	}
	defer store.Close()

	// An organisation of its own, so the bench can run on any database.
	suffix := uuid.NewString()[:8]
	org, adminUser, err := store.CreateOrganization(ctx, "Bench "+suffix, relance.NewUser{
		User: relance.User{Email: "admin@bench-" + suffix + ".test", DisplayName: "Bench"}, Password: "bench-password",
	})
	if err != nil {
		return err
	}
	admin := relance.Principal{OrgID: org.ID, Role: relance.RoleAdmin, UserID: adminUser.ID}
	site, err := store.CreateSite(ctx, admin, relance.Site{Name: "Bench", TimeZone: "Europe/Paris", Country: "FR", Windows: bench.AlwaysOpen()})
	if err != nil {
		return err
	}
	var assignees []string
	for i := range 4 {
		u, err := store.CreateUser(ctx, admin, relance.NewUser{User: relance.User{
			Email: fmt.Sprintf("advisor%d@bench-%s.test", i, suffix), DisplayName: "Advisor", Role: relance.RoleAdvisor,
			SiteIDs: []uuid.UUID{site.ID}, Notifications: relance.Notifications{Email: true, InApp: true},
		}})
		if err != nil {
			return err
		}
		assignees = append(assignees, u.ID.String())
	}
	token, _, _, err := store.Login(ctx, adminUser.Email, "bench-password", "127.0.0.1")
	if err != nil {
		return err
	}

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	srv := rpc.NewServer("", rpc.NewHandler(store, rpc.Options{Log: log}))
	go func() { _ = srv.Serve(ln) }()
	defer srv.Close()
	target := bench.Target{URL: "http://" + ln.Addr().String(), Token: token, SiteID: site.ID.String()}

	fmt.Printf("relance-bench: %d concurrent clients, %s per scenario, GOMAXPROCS=%d (client, server and databases share the machine)\n\n",
		workers, d, runtime.GOMAXPROCS(0))
	only := os.Getenv("BENCH_ONLY")
	if only == "" || only == "api" {
		if err := apiBench(ctx, cfg, store, target, org.ID, site.ID, assignees, workers, d); err != nil {
			return err
		}
	}
	if only == "" || only == "reminders" || only == "burst" {
		if err := reminderBench(ctx, cfg, rdb, log, only != "burst"); err != nil {
			return err
		}
	}
	if only == "" || only == "webhooks" {
		if err := webhookBench(ctx, cfg, rdb, log); err != nil {
			return err
		}
	}
	if only == "" || only == "reports" {
		leads := intEnv("BENCH_LEADS", 1_000_000)
		fmt.Printf("\nReports on 50 sites, 1,000 advisors, %d leads received over a year (one client, %s per scenario)\n\n", leads, d)
		return bench.Reports(ctx, bench.ReportEnv{
			DatabaseURL: cfg.DatabaseURL, OwnerURL: cfg.MigrateDatabaseURL, Duration: d, Log: log, Out: os.Stdout, Progress: os.Stderr,
			Scale: bench.Scale{Sites: 50, Advisors: 1000, Leads: leads, Days: 365}, BrowserRuns: intEnv("BENCH_BROWSER_RUNS", 5),
		})
	}
	return nil
}

// apiBench loads CreateLead over the protocols, next to raw inserts, runs times over (BENCH_RUNS):
// each run has its own baseline, and several runs end with each scenario's median.
func apiBench(ctx context.Context, cfg config.Config, store *postgres.DB, target bench.Target, org, site uuid.UUID, assignees []string, workers int, d time.Duration) error {
	// The same as target's leads, the advisor chosen by a round-robin distribution rule (one rule
	// lock per lead).
	if _, err := store.CreateDistributionRule(ctx, relance.Principal{OrgID: org, Role: relance.RoleAdmin}, relance.DistributionRule{
		Source: "distributed", Strategy: relance.StrategyRoundRobin,
	}); err != nil {
		return err
	}
	runs := intEnv("BENCH_RUNS", 1)
	all := make([][]bench.Result, 0, runs)
	for run := range runs {
		if runs > 1 {
			fmt.Printf("run %d of %d, %s\n", run+1, runs, time.Now().Format("15:04:05"))
		}
		results, err := apiRun(ctx, cfg, store, target, org, site, assignees, workers, d)
		if err != nil {
			return err
		}
		bench.Print(os.Stdout, results)
		fmt.Println()
		all = append(all, results)
	}
	if runs > 1 {
		bench.PrintMedians(os.Stdout, all)
	}
	return nil
}

// apiRun measures each API scenario once, after its raw insert baseline.
func apiRun(ctx context.Context, cfg config.Config, store *postgres.DB, target bench.Target, org, site uuid.UUID, assignees []string, workers int, d time.Duration) ([]bench.Result, error) {
	var results []bench.Result
	base, err := bench.RawInsert(ctx, cfg.MigrateDatabaseURL, org, site, workers, d)
	if err != nil {
		return nil, err
	}
	results = append(results, base)
	results = append(results, bench.CreateLeads(ctx, "CreateLead, Connect protocol, JSON", target, []connect.ClientOption{connect.WithProtoJSON()}, workers, d))
	results = append(results, bench.CreateLeads(ctx, "CreateLead, gRPC", target, []connect.ClientOption{connect.WithGRPC()}, workers, d))
	assigned := target
	assigned.Assignees = assignees
	results = append(results, bench.CreateLeads(ctx, "CreateLead + assign (timer, enqueue), gRPC", assigned, []connect.ClientOption{connect.WithGRPC()}, workers, d))
	distributed := target
	distributed.Source = "distributed"
	results = append(results, bench.CreateLeads(ctx, "CreateLead + round-robin rule, gRPC", distributed, []connect.ClientOption{connect.WithGRPC()}, workers, d))
	// Calls on the assigned leads just created, by their advisors' admin.
	admin := relance.Principal{OrgID: org, Role: relance.RoleAdmin}
	leads, _, err := store.ListLeads(ctx, admin, relance.LeadFilter{AssigneeID: uuid.MustParse(assignees[0]), Limit: 500})
	if err != nil {
		return nil, err
	}
	ids := make([]string, len(leads))
	for i, l := range leads {
		ids[i] = l.ID.String()
	}
	if len(ids) > 0 {
		results = append(results, bench.RecordCalls(ctx, target, ids, assignees[0], workers, d))
	}
	return results, nil
}

// reminderBench measures the reminder engine's lateness and capacity, next to raw asynq tasks and
// a raw SMTP send loop: reminders paced over a minute, then at one instant with one worker and
// with two, and digests at one instant. BENCH_ONLY=burst leaves the paced reminders out.
func reminderBench(ctx context.Context, cfg config.Config, rdb redis.UniversalClient, log *slog.Logger, paced bool) error {
	n := intEnv("BENCH_REMINDERS", 10000)
	fmt.Printf("\n%d reminders and digests, worker concurrency %d, emails over SMTP to a local catcher\n\n", n, cfg.WorkerConcurrency)
	raw, err := bench.RawAsynq(ctx, rdb, n, cfg.WorkerConcurrency, time.Now().Add(10*time.Second))
	if err != nil {
		return err
	}
	smtp, err := bench.RawSMTP(ctx, n, cfg.WorkerConcurrency)
	if err != nil {
		return err
	}
	rows := []bench.Lateness{raw, smtp}
	env := bench.ReminderEnv{
		DatabaseURL: cfg.DatabaseURL, OwnerURL: cfg.MigrateDatabaseURL, Redis: rdb, Leads: n,
		Concurrency: cfg.WorkerConcurrency, Log: log, Out: os.Stdout, Lead: time.Duration(intEnv("BENCH_REMINDER_LEAD", 45)) * time.Second,
	}
	// Spread over a minute: lateness at that pace. All at one instant: the backlog drains at the
	// engine's capacity, which the "per s" column then shows; two workers show how it scales.
	type scenario struct {
		run     func(context.Context, bench.ReminderEnv) ([]bench.Lateness, error)
		spread  time.Duration
		workers int
	}
	scenarios := []scenario{{bench.Reminders, 0, 1}, {bench.Reminders, 0, 2}, {bench.Digests, 0, 1}}
	if paced {
		scenarios = append([]scenario{{bench.Reminders, time.Minute, 1}}, scenarios...)
	}
	for _, sc := range scenarios {
		e := env
		e.Spread, e.Workers = sc.spread, sc.workers
		got, err := sc.run(ctx, e)
		if err != nil {
			return err
		}
		rows = append(rows, got...)
	}
	fmt.Println()
	bench.PrintLateness(os.Stdout, rows)
	return nil
}

// webhookBench measures signed webhook deliveries to a local receiver, next to plain POSTs.
func webhookBench(ctx context.Context, cfg config.Config, rdb redis.UniversalClient, log *slog.Logger) error {
	n := intEnv("BENCH_WEBHOOKS", 5000)
	fmt.Printf("\n%d lead.created webhook events, worker concurrency %d, to a local receiver verifying signatures\n\n", n, cfg.WorkerConcurrency)
	var rows []bench.Result
	for _, endpoints := range []int{1, 4} {
		got, err := bench.Webhooks(ctx, bench.WebhookEnv{
			DatabaseURL: cfg.DatabaseURL, Redis: rdb, Events: n, Endpoints: endpoints, Writers: 16,
			Concurrency: cfg.WorkerConcurrency, EventData: rpc.EventData, Log: log, Progress: os.Stderr,
		})
		if err != nil {
			return err
		}
		if len(rows) == 0 {
			rows = append(rows, got[0]) // the baseline, once
		}
		rows = append(rows, got[1])
	}
	bench.Print(os.Stdout, rows)
	return nil
}
