package queue

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"

	"github.com/relancehq/relance/internal/relance"
)

// Client enqueues timers. It implements postgres.Scheduler.
type Client struct {
	rdb       redis.UniversalClient
	client    *asynq.Client
	inspector *asynq.Inspector
	queue     string
	now       func() time.Time
	// tracing, when set, carries the caller's trace context into each task.
	tracing *Tracing
}

// Tracing carries a trace from the code that schedules a timer into the task that fires it,
// possibly hours later, in another process.
type Tracing struct {
	Propagator propagation.TextMapPropagator
	Provider   trace.TracerProvider
}

// WithTracing returns c carrying the trace context of Schedule's ctx into the tasks.
func (c *Client) WithTracing(t *Tracing) *Client {
	c.tracing = t
	return c
}

// NewClient returns a client enqueueing into queue through rdb.
func NewClient(rdb redis.UniversalClient, queue string) *Client {
	return &Client{
		rdb: rdb, client: asynq.NewClientFromRedisClient(rdb), inspector: asynq.NewInspectorFromRedisClient(rdb),
		queue: queue, now: time.Now,
	}
}

// Schedule enqueues each timer for its instant. A timer whose task is already queued is skipped
// (same deterministic id). It returns the first other error, after trying every timer.
func (c *Client) Schedule(ctx context.Context, timers []relance.TimerRef) error {
	var first error
	now := c.now()
	var carrier propagation.MapCarrier
	if c.tracing != nil && trace.SpanContextFromContext(ctx).IsValid() {
		carrier = propagation.MapCarrier{}
		c.tracing.Propagator.Inject(ctx, carrier)
	}
	for _, ref := range timers {
		task, opts := newTimerTask(ref, c.queue, now, carrier)
		if _, err := c.client.EnqueueContext(ctx, task, opts...); err != nil && !errors.Is(err, asynq.ErrTaskIDConflict) {
			if first == nil {
				first = fmt.Errorf("enqueue %s: %w", TaskID(ref), err)
			}
		}
	}
	return first
}

// Epoch names the Redis server that holds the queue now and its data: the server's run id
// (new at each start, and another server's after a failover, whose replica may have missed the
// last tasks) and a random mark kept under the queue's name, written when missing (gone after a
// flush). When it changes the sweeper hands every due timer over again.
func (c *Client) Epoch(ctx context.Context) (string, error) {
	key := "relance:epoch:" + c.queue
	if err := c.rdb.SetNX(ctx, key, uuid.NewString(), 0).Err(); err != nil {
		return "", fmt.Errorf("queue epoch: %w", err)
	}
	mark, err := c.rdb.Get(ctx, key).Result()
	if err != nil {
		return "", fmt.Errorf("queue epoch: %w", err)
	}
	info, err := c.rdb.Info(ctx, "server").Result()
	if err != nil {
		return "", fmt.Errorf("queue epoch: %w", err)
	}
	_, runID, _ := strings.Cut(info, "run_id:")
	runID, _, _ = strings.Cut(runID, "\r\n")
	return runID + "/" + mark, nil
}

// Firer carries out timers (postgres.DB).
type Firer interface {
	FireTimer(ctx context.Context, ref relance.TimerRef) error
}

// ForwardInterval is how often due tasks move from asynq's schedule to its queue: the default
// 5 s would make reminders up to 6 s late; one cheap Redis script call per interval.
const ForwardInterval = 200 * time.Millisecond

// PollInterval is about how long an idle handler waits before it looks at the queue again
// (asynq sleeps between half and one and a half of it): asynq's default of 1 s made a timer
// that came due in a quiet queue wait half a second on average. Each idle handler then asks
// Redis about ten times a second.
const PollInterval = 100 * time.Millisecond

// maxEarlyWait is how long a handler waits in place, in all, for a timer whose task came early
// (asynq keeps whole seconds, rounding down: up to a second early, more with clocks out of
// step) or that another worker holds (firing it with its own).
const maxEarlyWait = 3 * time.Second

// TimerHandler runs timer tasks.
type TimerHandler struct {
	Firer   Firer
	Log     *slog.Logger
	Tracing *Tracing // optional
}

// ProcessTask fires the task's timer. A task that runs a little early waits for the instant;
// one that runs much too early is retried at the instant (see retryDelay). Errors make asynq
// retry the task; a stale timer is a no-op inside FireTimer.
func (h *TimerHandler) ProcessTask(ctx context.Context, t *asynq.Task) (err error) {
	ref, carrier, err := parseTimerTask(t)
	if err != nil {
		h.Log.Error("dropping task", "err", err)
		return err
	}
	if h.Tracing != nil {
		// A child of the span that scheduled the timer: one trace from the request to the
		// reminder it caused.
		ctx = h.Tracing.Propagator.Extract(ctx, propagation.MapCarrier(carrier))
		var span trace.Span
		ctx, span = h.Tracing.Provider.Tracer(tracerName).Start(ctx, TypeTimer, trace.WithSpanKind(trace.SpanKindConsumer),
			trace.WithAttributes(attribute.String("relance.timer.id", ref.ID.String())))
		defer func() {
			if err != nil {
				span.RecordError(err)
				span.SetStatus(codes.Error, err.Error())
			}
			span.End()
		}()
	}
	for waited := time.Duration(0); ; {
		err = h.Firer.FireTimer(ctx, ref)
		wait, ok := relance.RetryAfter(err)
		if !ok || waited+wait > maxEarlyWait {
			return err
		}
		waited += wait
		select {
		case <-time.After(wait):
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// retryDelay retries a timer that was not due at its instant, or held by another worker, when
// it says to, and anything else with a capped exponential backoff (1 s, 2 s, 4 s … 1 min).
func retryDelay(n int, err error, _ *asynq.Task) time.Duration {
	if wait, ok := relance.RetryAfter(err); ok {
		return wait
	}
	d := time.Second << min(n, 6)
	return min(d, time.Minute)
}

// tracerName names the spans' instrumentation scope.
const tracerName = "github.com/relancehq/relance/internal/queue"

// WorkerConfig configures a Worker.
type WorkerConfig struct {
	Queue       string
	Concurrency int
	Log         *slog.Logger
	Tracing     *Tracing // optional: a span for each task
}

// Worker runs the asynq server that processes timer tasks.
type Worker struct {
	server *asynq.Server
	mux    *asynq.ServeMux
}

// NewWorker returns a worker processing cfg.Queue with firer.
func NewWorker(rdb redis.UniversalClient, firer Firer, cfg WorkerConfig) *Worker {
	srv := asynq.NewServerFromRedisClient(rdb, asynq.Config{
		Concurrency:              cfg.Concurrency,
		Queues:                   map[string]int{cfg.Queue: 1},
		RetryDelayFunc:           retryDelay,
		DelayedTaskCheckInterval: ForwardInterval,
		TaskCheckInterval:        PollInterval,
		ShutdownTimeout:          10 * time.Second,
		Logger:                   asynqLogger{cfg.Log},
		LogLevel:                 asynq.WarnLevel,
	})
	mux := asynq.NewServeMux()
	mux.Handle(TypeTimer, &TimerHandler{Firer: firer, Log: cfg.Log, Tracing: cfg.Tracing})
	return &Worker{server: srv, mux: mux}
}

// Start starts processing in the background; it returns an error when Redis is unreachable.
func (w *Worker) Start() error { return w.server.Start(w.mux) }

// Shutdown stops taking tasks and waits (up to ShutdownTimeout) for those running.
func (w *Worker) Shutdown() { w.server.Shutdown() }

// asynqLogger routes asynq's logs to slog.
type asynqLogger struct{ l *slog.Logger }

func (a asynqLogger) Debug(args ...any) { a.l.Debug(fmt.Sprint(args...)) }
func (a asynqLogger) Info(args ...any)  { a.l.Info(fmt.Sprint(args...)) }
func (a asynqLogger) Warn(args ...any)  { a.l.Warn(fmt.Sprint(args...)) }
func (a asynqLogger) Error(args ...any) { a.l.Error(fmt.Sprint(args...)) }
func (a asynqLogger) Fatal(args ...any) { a.l.Error(fmt.Sprint(args...)) }
