package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	connectrpc "connectrpc.com/connect"
	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"

	"github.com/relancehq/relance/internal/config"
	"github.com/relancehq/relance/internal/metrics"
	"github.com/relancehq/relance/internal/postgres"
	"github.com/relancehq/relance/internal/queue"
	"github.com/relancehq/relance/internal/relance"
	"github.com/relancehq/relance/internal/tracing"
)

// telemetry is what a process tells operators: metrics (METRICS_ADDR) and traces
// (OTEL_EXPORTER_OTLP_ENDPOINT); each is nil when off, and then costs nothing.
type telemetry struct {
	metrics *metrics.Metrics
	tracing *tracing.Tracing
	stop    func()
}

// startTelemetry starts the /metrics listener and the trace exporter that cfg and the
// environment ask for. It returns an error when the listener cannot listen or the exporter
// cannot be built.
func startTelemetry(ctx context.Context, cfg config.Config, log *slog.Logger, service string) (*telemetry, error) {
	t := &telemetry{stop: func() {}}
	if cfg.MetricsAddr != "" {
		t.metrics = metrics.New()
		ln, err := net.Listen("tcp", cfg.MetricsAddr)
		if err != nil {
			return nil, fmt.Errorf("METRICS_ADDR: %w", err)
		}
		srv := t.metrics.Server(cfg.MetricsAddr)
		go func() {
			if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
				log.Error("metrics server", "err", err)
			}
		}()
		log.Info("metrics listening", "addr", "http://"+ln.Addr().String()+"/metrics")
		t.stop = func() { _ = srv.Close() }
	}
	if tracing.Configured() {
		tr, err := tracing.Start(ctx, "relance-"+service)
		if err != nil {
			t.stop()
			return nil, fmt.Errorf("tracing: %w", err)
		}
		t.tracing = tr
		stopMetrics := t.stop
		t.stop = func() {
			flushCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			if err := tr.Shutdown(flushCtx); err != nil {
				log.Warn("tracing shutdown", "err", err)
			}
			stopMetrics()
		}
		log.Info("tracing on: spans go to the OTLP endpoint", "service", "relance-"+service)
	}
	return t, nil
}

// interceptors are the API's outermost interceptors: a span, then the count and the time of
// every call that reaches a handler.
func (t *telemetry) interceptors() ([]connectrpc.Interceptor, error) {
	var out []connectrpc.Interceptor
	if t.tracing != nil {
		i, err := t.tracing.Interceptor()
		if err != nil {
			return nil, err
		}
		out = append(out, i)
	}
	if t.metrics != nil {
		out = append(out, t.metrics.Interceptor())
	}
	return out, nil
}

// sender counts what s sends, with metrics on.
func (t *telemetry) sender(s relance.Sender) relance.Sender {
	if t.metrics == nil || s == nil {
		return s
	}
	return t.metrics.Sender(s)
}

// webhooks counts what p posts, with metrics on.
func (t *telemetry) webhooks(p postgres.WebhookPoster) postgres.WebhookPoster {
	if t.metrics == nil {
		return p
	}
	return t.metrics.Webhooks(p)
}

// storeOptions are the store's observer (metrics) and query tracer (tracing).
func (t *telemetry) storeOptions() []postgres.Option {
	var out []postgres.Option
	if t.metrics != nil {
		out = append(out, postgres.WithObserver(t.metrics))
	}
	if t.tracing != nil {
		out = append(out, postgres.WithQueryTracer(t.tracing.QueryTracer()))
	}
	return out
}

// queueTracing carries traces into tasks, with tracing on.
func (t *telemetry) queueTracing() *queue.Tracing {
	if t.tracing == nil {
		return nil
	}
	return &queue.Tracing{Propagator: t.tracing.Propagator, Provider: t.tracing.Provider}
}

// collect adds the pool's and the queue's collectors, with metrics on.
func (t *telemetry) collect(store *postgres.DB, rdb redis.UniversalClient, queueName string) error {
	if t.metrics == nil {
		return nil
	}
	return t.metrics.Register(metrics.NewPoolCollector(store.PoolStat),
		metrics.NewQueueCollector(asynq.NewInspectorFromRedisClient(rdb), queueName))
}
