// Package postgres is the storage adapter and the use cases built on it: every operation runs in
// one transaction scoped to one tenant (row-level security), checks the caller's rights with the
// rules of package relance, and writes the timers it causes in the same transaction.
// It is the only importer of the sqlc-generated package.
package postgres

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/relancehq/relance/gen/db"
	"github.com/relancehq/relance/internal/blob"
	"github.com/relancehq/relance/internal/message"
	"github.com/relancehq/relance/internal/relance"
)

// Scheduler hands timers to the task queue once the transaction that wrote them has committed.
// A failure is only logged: the sweeper finds due timers that never reached the queue.
type Scheduler interface {
	Schedule(ctx context.Context, timers []relance.TimerRef) error
}

// DB is the Postgres-backed implementation of Relance's use cases.
type DB struct {
	pool      *pgxpool.Pool
	now       func() time.Time
	scheduler Scheduler
	sender    relance.Sender
	publisher AlertPublisher
	observer  Observer
	lease     time.Duration
	log       *slog.Logger
	files     blob.Store // where attachments' bytes live; the blobs table by default
	fileMax   int        // the size limit of one attachment
	tracer    pgx.QueryTracer
	poolSize  int32 // the pool's least size limit (WithPoolSize)
	fired     firedSet
	backdate  time.Duration // how far in the past a client may date a lead or a call
	links     message.Links // the web app's addresses in notification emails
	// loopbackPush accepts http Web Push endpoints on loopback addresses (WithLoopbackPush).
	loopbackPush bool
	// webhooks posts webhook messages; privateWebhooks lets endpoints be private addresses;
	// eventData encodes an event's object (see WithEventData).
	webhooks        WebhookPoster
	privateWebhooks bool
	eventData       func(any) ([]byte, error)
	// background counts writes that run after their caller was answered (failed logins'
	// audit rows); Close waits for them.
	background sync.WaitGroup
}

// Option configures a DB.
type Option func(*DB)

// WithLinks sets the web app's addresses that notification emails link to.
func WithLinks(l message.Links) Option { return func(d *DB) { d.links = l } }

// WithClock replaces time.Now, for tests.
func WithClock(now func() time.Time) Option { return func(d *DB) { d.now = now } }

// WithScheduler sets where new timers are enqueued after commit.
func WithScheduler(s Scheduler) Option { return func(d *DB) { d.scheduler = s } }

// WithSender sets how deliveries leave (SMTP, SMS provider); without one, deliveries stay pending.
func WithSender(s relance.Sender) Option { return func(d *DB) { d.sender = s } }

// WithDeliveryLease replaces relance.DeliveryLease, for tests that kill workers.
func WithDeliveryLease(d time.Duration) Option { return func(db *DB) { db.lease = d } }

// WithFiles keeps attachments' bytes in files rather than in the blobs table, and sets the size
// limit of one attachment (relance.DefaultAttachmentMaxBytes when 0).
func WithFiles(files blob.Store, maxBytes int) Option {
	return func(d *DB) {
		if files != nil {
			d.files = files
		}
		if maxBytes > 0 {
			d.fileMax = maxBytes
		}
	}
}

// WithBackdateWindow sets how far in the past a lead's receive time or a call's start time may
// lie (relance.DefaultBackdateWindow when 0).
func WithBackdateWindow(d time.Duration) Option { return func(db *DB) { db.backdate = d } }

// WithQueryTracer traces every statement (OpenTelemetry, statement logs, query plans).
func WithQueryTracer(t pgx.QueryTracer) Option { return func(d *DB) { d.tracer = t } }

// WithPoolSize makes the pool hold at least n connections (pool_max_conns in the URL may allow
// more): a worker needs one for each task it runs at once.
func WithPoolSize(n int) Option { return func(d *DB) { d.poolSize = int32(n) } }

// WithLogger sets the logger.
func WithLogger(l *slog.Logger) Option { return func(d *DB) { d.log = l } }

// Open connects to Postgres as the application role. It returns an error when the database is
// unreachable.
func Open(ctx context.Context, url string, opts ...Option) (*DB, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("postgres: parse DATABASE_URL: %w", err)
	}
	d := &DB{now: time.Now, lease: relance.DeliveryLease, log: slog.Default(), fileMax: relance.DefaultAttachmentMaxBytes}
	d.files = Blobs{d}
	for _, o := range opts {
		o(d)
	}
	cfg.ConnConfig.Tracer = d.tracer
	cfg.AfterConnect = RegisterUUID
	cfg.MaxConns = max(cfg.MaxConns, d.poolSize)
	if d.pool, err = pgxpool.NewWithConfig(ctx, cfg); err != nil {
		return nil, fmt.Errorf("postgres: connect: %w", err)
	}
	if err := d.pool.Ping(ctx); err != nil {
		d.pool.Close()
		return nil, fmt.Errorf("postgres: ping: %w", err)
	}
	return d, nil
}

// Close closes the connection pool.
func (d *DB) Close() {
	d.background.Wait()
	d.pool.Close()
}

// Ping checks the database is reachable.
func (d *DB) Ping(ctx context.Context) error { return d.pool.Ping(ctx) }

// tx is one tenant transaction: its queries, its single "now", and the timers it wrote.
type tx struct {
	pg    pgx.Tx
	q     *db.Queries
	org   uuid.UUID
	now   time.Time
	lease time.Duration // how long a worker may hold a delivery while sending it
	// backdate is how far in the past a client may date a lead or a call.
	backdate time.Duration
	timers   []relance.TimerRef
	alerts   []relance.AlertRef // created in this transaction, announced after commit
	observed []func(Observer)   // told to the DB's observer after commit
	// sendAfterCommit makes deliver lease the deliveries it writes, into toSend, for the
	// caller to send once the transaction commits (a worker firing a timer).
	sendAfterCommit bool
	toSend          []leasedDelivery
	// late are the leads fired reminders mark late, together before commit (writeDeferred).
	late []uuid.UUID
	// deferWrites makes the alerts of timers fired together, and their reminders' next rungs
	// (scheduleLater), wait for writeDeferred too (alertsLater, timersLater): a batch fired
	// without a savepoint per timer, where a failure fails them all anyway.
	deferWrites bool
	alertsLater []db.AlertCreateParams
	timersLater []db.TimerCreateParams
	links       message.Links
	// memo keeps reads for a transaction that writes no sites, people or settings (FireTimer).
	memo memo
	// eventData encodes webhook events' objects; emitErr is the first failure of emit, which
	// fails the transaction.
	eventData func(any) ([]byte, error)
	emitErr   error
}

// attempt runs fn inside a savepoint: when fn fails with a domain error, what it wrote (timers
// and alerts to announce included) is taken back and the transaction goes on; any other error
// is returned as is, for the transaction to fail.
func (t *tx) attempt(ctx context.Context, fn func() error) error {
	return t.savepoint(ctx, fn, func(err error) bool { return relance.ErrorCode(err) != "" })
}

// savepoint runs fn inside a savepoint: when fn fails with an error undo accepts, what it wrote
// (timers and alerts to announce included) is taken back and the error returned, with the
// transaction still usable; any other error is returned as is, for the transaction to fail.
func (t *tx) savepoint(ctx context.Context, fn func() error, undo func(error) bool) error {
	sp, err := t.pg.Begin(ctx)
	if err != nil {
		return err
	}
	timers, alerts, observed, leased := len(t.timers), len(t.alerts), len(t.observed), len(t.toSend)
	late, alertsLater, timersLater := len(t.late), len(t.alertsLater), len(t.timersLater)
	if err := fn(); err != nil {
		if !undo(err) {
			return err
		}
		t.timers, t.alerts, t.observed, t.toSend = t.timers[:timers], t.alerts[:alerts], t.observed[:observed], t.toSend[:leased]
		t.late, t.alertsLater, t.timersLater = t.late[:late], t.alertsLater[:alertsLater], t.timersLater[:timersLater]
		if rerr := sp.Rollback(ctx); rerr != nil {
			return rerr
		}
		return err
	}
	return sp.Commit(ctx)
}

// schedule writes a timer row in the transaction; it is enqueued after commit.
func (t *tx) schedule(ctx context.Context, kind relance.TimerKind, subject uuid.UUID, ref string, due time.Time) error {
	row := t.timerRow(kind, subject, ref, due)
	if err := t.q.TimerCreate(ctx, row); err != nil {
		return fmt.Errorf("timer create: %w", err)
	}
	return nil
}

// scheduleLater is schedule with the row written before commit, with the transaction's other
// deferred timers (writeDeferred): only for a timer nothing later in the transaction cancels,
// since a cancel by subject does not see it yet.
func (t *tx) scheduleLater(kind relance.TimerKind, subject uuid.UUID, ref string, due time.Time) {
	t.timersLater = append(t.timersLater, t.timerRow(kind, subject, ref, due))
}

// timerRow is a new timer's row, and its task to enqueue after commit.
func (t *tx) timerRow(kind relance.TimerKind, subject uuid.UUID, ref string, due time.Time) db.TimerCreateParams {
	id := uuid.Must(uuid.NewV7())
	t.timers = append(t.timers, relance.TimerRef{ID: id, OrgID: t.org, Version: 1, DueAt: due})
	return db.TimerCreateParams{ID: id, OrgID: t.org, Kind: string(kind), SubjectID: subject, Ref: ref, DueAt: due, CreatedAt: t.now}
}

// inOrg runs fn in a transaction whose row-level security is scoped to org, commits it, then
// enqueues the timers fn wrote. fn's error rolls everything back and is returned as is.
func (d *DB) inOrg(ctx context.Context, org uuid.UUID, fn func(*tx) error) error {
	t, err := d.begin(ctx, org, fn)
	if err != nil {
		return err
	}
	d.enqueue(ctx, t.timers)
	d.announce(ctx, t.alerts)
	d.tell(t.observed)
	return nil
}

// beginTenant begins a transaction and scopes its row-level security to org (app.org_id, local
// to the transaction) in one round trip: both statements go as one simple query, which takes no
// parameters, so the organisation's id is spelled in it (a UUID's canonical form has nothing to
// escape). Were set_config to fail, the connection would stay in a transaction and the pool
// would close it on release.
func beginTenant(org uuid.UUID) pgx.TxOptions {
	return pgx.TxOptions{BeginQuery: "BEGIN; SELECT set_config('app.org_id', '" + org.String() + "', true)"}
}

func (d *DB) begin(ctx context.Context, org uuid.UUID, fn func(*tx) error) (*tx, error) {
	pgtx, err := d.pool.BeginTx(ctx, beginTenant(org))
	if err != nil {
		return nil, d.unreachable(fmt.Errorf("postgres: begin: %w", err))
	}
	defer func() { _ = pgtx.Rollback(ctx) }()
	t := &tx{
		pg: pgtx, q: db.New(pgtx), org: org, now: d.now().UTC().Truncate(time.Microsecond), lease: d.lease, backdate: d.backdate,
		links: d.links, eventData: d.eventData,
	}
	if err = fn(t); err == nil {
		err = t.writeDeferred(ctx)
	}
	if err != nil {
		// Nothing is committed yet: a server lost now wrote nothing, and the caller may retry.
		return nil, d.unreachable(d.readOnly(interpret(err)))
	}
	if t.emitErr != nil {
		return nil, t.emitErr
	}
	if err := pgtx.Commit(ctx); err != nil {
		return nil, d.readOnly(interpret(fmt.Errorf("postgres: commit: %w", err)))
	}
	return t, nil
}

func (d *DB) enqueue(ctx context.Context, timers []relance.TimerRef) {
	if len(timers) == 0 || d.scheduler == nil {
		return
	}
	if err := d.scheduler.Schedule(ctx, timers); err != nil {
		// Not an error for the caller: the rows are committed and the sweeper will deliver them.
		d.log.Warn("enqueue after commit failed; the sweeper will retry", "timers", len(timers), "err", err)
	}
}

func (d *DB) announce(ctx context.Context, alerts []relance.AlertRef) {
	if len(alerts) == 0 || d.publisher == nil {
		return
	}
	if err := d.publisher.PublishAlerts(ctx, alerts); err != nil {
		// Watchers also poll: the alert reaches them at their next heartbeat.
		d.log.Warn("announcing alerts failed", "alerts", len(alerts), "err", err)
	}
}

// interpret turns database errors a caller can cause into domain errors; others pass through.
func interpret(err error) error {
	if relance.ErrorCode(err) != "" {
		return err
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		switch pgErr.Code {
		case "23505": // unique_violation
			return relance.Errorf(relance.CodeConflict, "already exists (%s)", pgErr.ConstraintName)
		case "23503": // foreign_key_violation
			return relance.Errorf(relance.CodeInvalid, "refers to something that does not exist (%s)", pgErr.ConstraintName)
		case "23514": // check_violation
			return relance.Errorf(relance.CodeInvalid, "breaks a rule (%s)", pgErr.ConstraintName)
		}
	}
	return err
}

// readOnly turns a write refused by a read-only server (SQLSTATE 25006) into an unavailable
// error, which clients retry, and empties the pool. After a failover the pool's connections may
// still lead to the former primary, now a standby or fenced read-only; the pool's next
// connections go to whichever host of DATABASE_URL is the primary (target_session_attrs).
// Without the reset, every request would fail until the process restarts. Other errors pass
// through.
func (d *DB) readOnly(err error) error {
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) || pgErr.Code != "25006" { // read_only_sql_transaction
		return err
	}
	d.log.Warn("postgres refused a write as read-only: reconnecting to the primary", "err", err)
	d.pool.Reset()
	return relance.Errorf(relance.CodeUnavailable, "the database is read-only for a moment (failover): retry")
}

// unreachable turns a failure to reach PostgreSQL before anything was committed (no connection
// to be had, a server shutting down or restarting, a request the connection never sent) into an
// unavailable error, which clients retry, instead of an internal one. The pool drops broken
// connections by itself. Other errors pass through. A failed commit is not given to it: whether
// the transaction was written is then unknown.
func (d *DB) unreachable(err error) error {
	var connectErr *pgconn.ConnectError
	var pgErr *pgconn.PgError
	switch {
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return err // the caller's own deadline: theirs to report
	case errors.As(err, &connectErr), pgconn.SafeToRetry(err):
	case errors.As(err, &pgErr) && strings.HasPrefix(pgErr.Code, "57P"): // admin_shutdown, crash_shutdown, cannot_connect_now
	default:
		return err
	}
	d.log.Warn("postgres cannot be reached: the request may be retried", "err", err)
	return relance.Errorf(relance.CodeUnavailable, "the database cannot be reached for a moment: retry")
}

// found turns pgx.ErrNoRows into a not-found error for what; other errors pass through.
func found(err error, what string) error {
	if errors.Is(err, pgx.ErrNoRows) {
		return relance.NotFound(what)
	}
	return err
}

// PoolStat returns a snapshot of the connection pool's statistics (for metrics).
func (d *DB) PoolStat() *pgxpool.Stat { return d.pool.Stat() }
