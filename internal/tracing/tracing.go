// Package tracing is the OpenTelemetry adapter: with an OTLP endpoint configured it exports
// spans of the RPCs, the SQL statements and the timer tasks; without one it installs nothing.
package tracing

import (
	"context"
	"os"

	"connectrpc.com/connect"
	"connectrpc.com/otelconnect"
	"github.com/exaring/otelpgx"
	"github.com/jackc/pgx/v5"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
)

// Tracing holds a process's tracer provider and the propagator that carries a trace across
// the API, the database and the task queue.
type Tracing struct {
	Provider   trace.TracerProvider
	Propagator propagation.TextMapPropagator
	shutdown   func(context.Context) error
}

// Configured reports whether the standard OTEL_EXPORTER_OTLP_ENDPOINT (or its traces-only
// form) is set: without it, Relance traces nothing.
func Configured() bool {
	return os.Getenv("OTEL_EXPORTER_OTLP_ENDPOINT") != "" || os.Getenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") != ""
}

// Start returns tracing that exports spans over OTLP/HTTP, configured by the standard
// OTEL_EXPORTER_OTLP_* variables, as service (relance-serve, relance-worker…; OTEL_SERVICE_NAME
// overrides it). It returns an error when the exporter cannot be built.
func Start(ctx context.Context, service string) (*Tracing, error) {
	exp, err := otlptracehttp.New(ctx)
	if err != nil {
		return nil, err
	}
	// The environment (OTEL_SERVICE_NAME, OTEL_RESOURCE_ATTRIBUTES) comes last and wins.
	res, err := resource.New(ctx, resource.WithTelemetrySDK(),
		resource.WithAttributes(attribute.String("service.name", service)), resource.WithFromEnv())
	if err != nil {
		return nil, err
	}
	tp := sdktrace.NewTracerProvider(sdktrace.WithBatcher(exp), sdktrace.WithResource(res))
	return New(tp, tp.Shutdown), nil
}

// New returns tracing through tp (tests pass one with an in-memory exporter); shutdown
// flushes it and may be nil.
func New(tp trace.TracerProvider, shutdown func(context.Context) error) *Tracing {
	if shutdown == nil {
		shutdown = func(context.Context) error { return nil }
	}
	return &Tracing{
		Provider:   tp,
		Propagator: propagation.NewCompositeTextMapPropagator(propagation.TraceContext{}, propagation.Baggage{}),
		shutdown:   shutdown,
	}
}

// Shutdown exports the spans still buffered; it returns the exporter's error.
func (t *Tracing) Shutdown(ctx context.Context) error { return t.shutdown(ctx) }

// Interceptor returns the Connect interceptor that makes a span of each RPC (no metrics:
// package metrics counts RPCs). It returns an error on bad options only.
func (t *Tracing) Interceptor() (connect.Interceptor, error) {
	return otelconnect.NewInterceptor(
		otelconnect.WithTracerProvider(t.Provider), otelconnect.WithPropagator(t.Propagator),
		otelconnect.WithoutMetrics(),
	)
}

// QueryTracer returns the pgx tracer that makes a span of each SQL statement.
func (t *Tracing) QueryTracer() pgx.QueryTracer {
	return otelpgx.NewTracer(otelpgx.WithTracerProvider(t.Provider))
}
