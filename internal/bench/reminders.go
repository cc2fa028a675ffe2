package bench

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"
	"github.com/hibiken/asynq"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/redis/go-redis/v9"

	"github.com/relancehq/relance/internal/catcher"
	"github.com/relancehq/relance/internal/notify"
	"github.com/relancehq/relance/internal/postgres"
	"github.com/relancehq/relance/internal/queue"
	"github.com/relancehq/relance/internal/relance"
)

// Lateness is how late a batch of obligations fired after their instant.
type Lateness struct {
	Name          string
	Count         int
	Early         int // how many came before their instant (counted as 0 late in the percentiles)
	P50, P99, Max time.Duration
	PerSecond     float64 // completions per second over the batch
}

// PrintLateness writes a table of lateness results.
func PrintLateness(w io.Writer, rows []Lateness) {
	fmt.Fprintf(w, "%-60s %7s %6s %9s %9s %9s %9s\n", "scenario", "count", "early", "p50", "p99", "max", "per s")
	for _, r := range rows {
		fmt.Fprintf(w, "%-60s %7d %6d %9s %9s %9s %9.0f\n", r.Name, r.Count, r.Early,
			r.P50.Round(time.Millisecond), r.P99.Round(time.Millisecond), r.Max.Round(time.Millisecond), r.PerSecond)
	}
}

// LatenessOf summarises lateness samples and the span over which they completed; a negative
// sample is early.
func LatenessOf(name string, samples []time.Duration, span time.Duration) Lateness {
	l := Lateness{Name: name, Count: len(samples)}
	for i, s := range samples {
		if s < 0 {
			l.Early++
			samples[i] = 0
		}
	}
	slices.Sort(samples)
	if n := len(samples); n > 0 {
		l.P50, l.P99, l.Max = samples[n/2], samples[n*99/100], samples[n-1]
		l.PerSecond = float64(n) / span.Seconds()
	}
	return l
}

// RawAsynq is the baseline: n no-op tasks enqueued for the same instant at, processed by an asynq
// server with the worker's settings; lateness is processing start minus at.
func RawAsynq(ctx context.Context, rdb redis.UniversalClient, n, concurrency int, at time.Time) (Lateness, error) {
	queueName := fmt.Sprintf("bench-raw-%d", time.Now().UnixNano())
	client := asynq.NewClientFromRedisClient(rdb)
	for i := range n {
		if _, err := client.EnqueueContext(ctx, asynq.NewTask("noop", nil), asynq.Queue(queueName), asynq.ProcessAt(at),
			asynq.TaskID(fmt.Sprintf("raw-%d", i))); err != nil {
			return Lateness{}, err
		}
	}
	var (
		mu      sync.Mutex
		samples []time.Duration
		done    atomic.Int64
		last    time.Time
	)
	finished := make(chan struct{})
	srv := asynq.NewServerFromRedisClient(rdb, asynq.Config{
		Concurrency: concurrency, Queues: map[string]int{queueName: 1}, DelayedTaskCheckInterval: queue.ForwardInterval,
		TaskCheckInterval: queue.PollInterval,
		LogLevel:          asynq.ErrorLevel,
	})
	mux := asynq.NewServeMux()
	mux.HandleFunc("noop", func(context.Context, *asynq.Task) error {
		now := time.Now()
		mu.Lock()
		samples = append(samples, now.Sub(at))
		last = now
		mu.Unlock()
		if done.Add(1) == int64(n) {
			close(finished)
		}
		return nil
	})
	if err := srv.Start(mux); err != nil {
		return Lateness{}, err
	}
	defer srv.Shutdown()
	select {
	case <-finished:
	case <-time.After(time.Until(at) + 5*time.Minute):
		return Lateness{}, fmt.Errorf("raw asynq: %d of %d tasks processed", done.Load(), n)
	case <-ctx.Done():
		return Lateness{}, ctx.Err()
	}
	mu.Lock()
	defer mu.Unlock()
	return LatenessOf("raw asynq: no-op tasks for one instant (baseline)", samples, last.Sub(at)), nil
}

// ReminderEnv is what the reminder scenario needs.
type ReminderEnv struct {
	DatabaseURL string // application role
	OwnerURL    string // schema owner, to read the outcome
	Redis       redis.UniversalClient
	Leads       int
	Spread      time.Duration // the reminders' instants spread evenly over this (0: all at one instant)
	Lead        time.Duration // how long after setup starts the first reminder comes due (45 s when 0)
	Concurrency int
	Log         *slog.Logger
	Out         io.Writer // where the worker's cost per timer is printed
	Workers     int       // workers draining the queue (1 when 0)
}

// queryCounter counts the statements a store sends, and among them the transactions begun.
type queryCounter struct{ queries, begins atomic.Int64 }

// TraceQueryStart implements pgx.QueryTracer.
func (q *queryCounter) TraceQueryStart(ctx context.Context, _ *pgx.Conn, data pgx.TraceQueryStartData) context.Context {
	q.queries.Add(1)
	if strings.EqualFold(data.SQL, "begin") {
		q.begins.Add(1)
	}
	return ctx
}

// TraceQueryEnd implements pgx.QueryTracer.
func (q *queryCounter) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}

// Reminders assigns env.Leads leads so that their first reminder comes due within env.Spread,
// then lets a real worker fire them and send the emails over SMTP to a local catcher. It returns
// the reminders' lateness (fired minus due) and the emails' (accepted by SMTP minus written).
func Reminders(ctx context.Context, env ReminderEnv) ([]Lateness, error) {
	lead := cmp.Or(env.Lead, 45*time.Second) // the first reminder comes due this long after setup starts
	c, err := catcher.Start("127.0.0.1:0", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	defer c.Close()
	queueName := fmt.Sprintf("bench-reminders-%d", time.Now().UnixNano())
	// Setup runs an hour in the past, so that one-hour rungs come due from start+lead on; each
	// transaction reads the clock once, and each reading advances it, which spreads the leads'
	// instants evenly over env.Spread.
	base, step := time.Now().Add(-time.Hour+lead), env.Spread/time.Duration(env.Leads+100)
	var readings atomic.Int64
	shifted := func() time.Time { return base.Add(time.Duration(readings.Add(1)) * step) }
	setup, err := postgres.Open(ctx, env.DatabaseURL, postgres.WithLogger(env.Log), postgres.WithClock(shifted),
		postgres.WithScheduler(queue.NewClient(env.Redis, queueName)))
	if err != nil {
		return nil, err
	}
	defer setup.Close()

	suffix := uuid.NewString()[:8]
	admin, site, err := alwaysOpenOrg(ctx, setup, "reminders", suffix)
	if err != nil {
		return nil, err
	}
	// The default ladder's shape (a second rung, to the advisor and their manager), sooner: each
	// reminder also writes its next rung's timer.
	if err := setup.SetReminderPolicy(ctx, admin, site.ID, []relance.Rung{{Delay: time.Hour,
		Recipients: []relance.Recipient{relance.RecipientAdvisor}, Channels: []relance.Channel{relance.ChannelEmail}},
		{Delay: 4 * time.Hour, Recipients: []relance.Recipient{relance.RecipientAdvisor, relance.RecipientManager}, Channels: []relance.Channel{relance.ChannelEmail}}}); err != nil {
		return nil, err
	}
	var advisors []uuid.UUID
	for i := range 20 {
		u, err := setup.CreateUser(ctx, admin, relance.NewUser{User: relance.User{
			Email: fmt.Sprintf("advisor%d@rem-%s.test", i, suffix), DisplayName: fmt.Sprintf("Advisor %d", i),
			Role: relance.RoleAdvisor, SiteIDs: []uuid.UUID{site.ID}, Locale: relance.LocaleFR,
			Notifications: relance.Notifications{Email: true, InApp: true}, // an in-app alert with each email
		}})
		if err != nil {
			return nil, err
		}
		advisors = append(advisors, u.ID)
	}
	start := time.Now()
	if err := createLeads(ctx, setup, admin, 16, env.Leads, func(i int) relance.NewLead {
		return relance.NewLead{IdempotencyKey: fmt.Sprintf("rem-%d", i), SiteID: site.ID, Source: "bench",
			Contact: relance.Contact{Name: fmt.Sprintf("Lead %d", i), Phone: NextPhone()}, AssigneeID: advisors[i%len(advisors)]}
	}); err != nil {
		return nil, err
	}
	if time.Since(start) > lead {
		return nil, fmt.Errorf("setup took %s, longer than the %s lead: lower BENCH_REMINDERS or raise BENCH_REMINDER_LEAD", time.Since(start), lead)
	}
	owner, err := pgxpool.New(ctx, env.OwnerURL)
	if err != nil {
		return nil, err
	}
	defer owner.Close()
	// The assignment alerts are not what this scenario measures: at 09:00 they went out when
	// each lead came in, the day before. Their timers are cancelled and their tasks (due at
	// once, so pending rather than scheduled, unlike the reminders') taken out of the queue.
	if _, err := owner.Exec(ctx, `UPDATE timers SET state = 'cancelled' WHERE org_id = $1 AND kind = 'lead.assigned' AND state = 'pending'`, admin.OrgID); err != nil {
		return nil, err
	}
	if _, err := asynq.NewInspectorFromRedisClient(env.Redis).DeleteAllPendingTasks(queueName); err != nil {
		return nil, err
	}
	return drain(ctx, env, c, owner, queueName, admin.OrgID, relance.TimerLeadReminder, lead+6*time.Minute)
}

// drain runs env.Workers workers (each with its own database pool and SMTP connections, as
// separate processes would have) until every email of org's timers of kind reached the catcher
// and is recorded as sent, then returns the timers' lateness and the emails'.
func drain(ctx context.Context, env ReminderEnv, c *catcher.Catcher, owner *pgxpool.Pool, queueName string, org uuid.UUID, kind relance.TimerKind, timeout time.Duration) ([]Lateness, error) {
	var counter queryCounter
	workers := max(env.Workers, 1)
	for range workers {
		mailer, err := notify.NewMailer(c.SMTPURL(), "bench@relance.test")
		if err != nil {
			return nil, err
		}
		defer mailer.Close()
		store, err := postgres.Open(ctx, env.DatabaseURL, postgres.WithLogger(env.Log), postgres.WithQueryTracer(&counter),
			postgres.WithPoolSize(env.Concurrency+4), // as a worker process has
			postgres.WithScheduler(queue.NewClient(env.Redis, queueName)), postgres.WithSender(notify.Router{Email: mailer}))
		if err != nil {
			return nil, err
		}
		defer store.Close()
		stop, err := startWorker(ctx, env.Redis, store, queueName, env.Concurrency, env.Log)
		if err != nil {
			return nil, err
		}
		defer stop()
	}

	// Counted, not copied: copying thousands of captured messages at every arrival would hold
	// the catcher's lock and slow the SMTP side down.
	for deadline := time.Now().Add(timeout); ; time.Sleep(20 * time.Millisecond) {
		got, _ := c.Count()
		if got >= env.Leads {
			break
		}
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("only %d of %d emails arrived", got, env.Leads)
		}
	}
	// The catcher sees an email before its worker records it as sent.
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(100 * time.Millisecond) {
		var sent int
		if err := owner.QueryRow(ctx, `SELECT count(*) FROM deliveries WHERE org_id = $1 AND state = 'sent'`, org).Scan(&sent); err != nil {
			return nil, err
		}
		if sent >= env.Leads {
			break
		}
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("only %d of %d deliveries recorded as sent", sent, env.Leads)
		}
	}
	what := "reminders"
	subject := "d.lead_id" // a reminder's timer is about the lead, a digest's about its recipient
	if kind == relance.TimerDigest {
		what, subject = "digests", "d.user_id"
	}
	label := fmt.Sprintf("%d over %s", env.Leads, env.Spread)
	if workers > 1 {
		label += fmt.Sprintf(", %d workers", workers)
	}
	if env.Out != nil {
		msgs, sessions := c.Count()
		n := float64(env.Leads)
		fmt.Fprintf(env.Out, "%s (%s): %.1f statements and %.1f transactions per timer, %.2f SMTP connections per email (%d emails)\n",
			what, label, float64(counter.queries.Load())/n, float64(counter.begins.Load())/n, float64(sessions)/float64(max(msgs, 1)), msgs)
	}
	fired, span, err := samples(ctx, owner, `SELECT fired_at - due_at, max(fired_at) OVER () - min(due_at) OVER ()
		FROM timers WHERE org_id = $1 AND kind = '`+string(kind)+`' AND state = 'done'`, org)
	if err != nil {
		return nil, err
	}
	written, writtenSpan, err := samples(ctx, owner, `SELECT sent_at - created_at, max(sent_at) OVER () - min(created_at) OVER ()
		FROM deliveries WHERE org_id = $1 AND state = 'sent'`, org)
	if err != nil {
		return nil, err
	}
	due, dueSpan, err := samples(ctx, owner, `SELECT d.sent_at - t.due_at, max(d.sent_at) OVER () - min(t.due_at) OVER ()
		FROM deliveries d JOIN timers t ON t.subject_id = `+subject+` AND t.kind = '`+string(kind)+`' AND t.state = 'done'
		WHERE d.org_id = $1 AND d.state = 'sent'`, org)
	if err != nil {
		return nil, err
	}
	return []Lateness{
		LatenessOf(fmt.Sprintf("%s: fired after due (%s)", what, label), fired, span),
		LatenessOf(fmt.Sprintf("%s emails: SMTP accepted after written", what), written, writtenSpan),
		LatenessOf(fmt.Sprintf("%s emails: SMTP accepted after due", what), due, dueSpan),
	}, nil
}

func samples(ctx context.Context, pool *pgxpool.Pool, sql string, org uuid.UUID) ([]time.Duration, time.Duration, error) {
	rows, err := pool.Query(ctx, sql, org)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	var out []time.Duration
	var span time.Duration
	for rows.Next() {
		var d time.Duration
		if err := rows.Scan(&d, &span); err != nil {
			return nil, 0, err
		}
		out = append(out, d)
	}
	return out, span, rows.Err()
}

// AlwaysOpen returns opening windows covering the whole week, for sites whose calendar must
// not hold anything back.
func AlwaysOpen() []relance.Window {
	var always []relance.Window
	for d := time.Sunday; d <= time.Saturday; d++ {
		always = append(always, relance.Window{Weekday: d, Start: 0, End: 1440})
	}
	return always
}

// alwaysOpenOrg creates an organisation for one scenario ("Bench reminders " + suffix, which
// makes it unique), its admin, and a site open around the clock.
func alwaysOpenOrg(ctx context.Context, store *postgres.DB, scenario, suffix string) (relance.Principal, relance.Site, error) {
	org, adminUser, err := store.CreateOrganization(ctx, "Bench "+scenario+" "+suffix, relance.NewUser{
		User: relance.User{Email: "admin@" + scenario + "-" + suffix + ".test", DisplayName: "Bench"}})
	if err != nil {
		return relance.Principal{}, relance.Site{}, err
	}
	admin := relance.Principal{OrgID: org.ID, Role: relance.RoleAdmin, UserID: adminUser.ID}
	site, err := store.CreateSite(ctx, admin, relance.Site{Name: "Always open", TimeZone: "Europe/Paris", Country: "FR", Windows: AlwaysOpen()})
	return admin, site, err
}

// startWorker starts a worker and a sweeper on queueName, as a worker process runs them; stop
// ends both.
func startWorker(ctx context.Context, rdb redis.UniversalClient, store *postgres.DB, queueName string, concurrency int, log *slog.Logger) (stop func(), err error) {
	worker := queue.NewWorker(rdb, store, queue.WorkerConfig{Queue: queueName, Concurrency: concurrency, Log: log})
	if err := worker.Start(); err != nil {
		return nil, err
	}
	sweepCtx, stopSweeping := context.WithCancel(ctx)
	sweeper := &queue.Sweeper{Timers: store, Scheduler: queue.NewClient(rdb, queueName), Interval: 5 * time.Second, Now: time.Now, Log: log}
	go sweeper.Run(sweepCtx)
	return func() { stopSweeping(); worker.Shutdown() }, nil
}

// createLeads creates leads 1 to n, lead(i) each, from writers goroutines at once, and returns
// the first error.
func createLeads(ctx context.Context, store *postgres.DB, p relance.Principal, writers, n int, lead func(i int) relance.NewLead) error {
	var next atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	for range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := int(next.Add(1)); i <= n; i = int(next.Add(1)) {
				if _, _, err := store.CreateLead(ctx, p, lead(i)); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	return <-errs
}
