package metrics

import (
	"context"
	"errors"
	"time"

	"connectrpc.com/connect"
	"github.com/prometheus/client_golang/prometheus"
)

// Interceptor returns the Connect interceptor that counts and times the RPCs a handler serves.
// Procedures are those of the served services only, so the label stays bounded.
func (m *Metrics) Interceptor() connect.Interceptor { return &interceptor{m} }

type interceptor struct{ m *Metrics }

func (i *interceptor) WrapUnary(next connect.UnaryFunc) connect.UnaryFunc {
	return func(ctx context.Context, req connect.AnyRequest) (connect.AnyResponse, error) {
		if req.Spec().IsClient {
			return next(ctx, req)
		}
		start := time.Now()
		resp, err := next(ctx, req)
		i.m.observeRPC(req.Spec().Procedure, start, err)
		return resp, err
	}
}

func (i *interceptor) WrapStreamingClient(next connect.StreamingClientFunc) connect.StreamingClientFunc {
	return next
}

func (i *interceptor) WrapStreamingHandler(next connect.StreamingHandlerFunc) connect.StreamingHandlerFunc {
	return func(ctx context.Context, conn connect.StreamingHandlerConn) error {
		start := time.Now()
		err := next(ctx, conn)
		i.m.observeRPC(conn.Spec().Procedure, start, err)
		return err
	}
}

// procedureMetrics are one procedure's series of the common case, looked up once.
type procedureMetrics struct {
	duration prometheus.Observer
	ok       prometheus.Counter
}

func (m *Metrics) observeRPC(procedure string, start time.Time, err error) {
	elapsed := time.Since(start).Seconds()
	pm, found := m.procedures.Load(procedure)
	if !found {
		pm, _ = m.procedures.LoadOrStore(procedure, &procedureMetrics{
			duration: m.rpcDuration.WithLabelValues(procedure), ok: m.rpcRequests.WithLabelValues(procedure, "ok"),
		})
	}
	series := pm.(*procedureMetrics)
	series.duration.Observe(elapsed)
	if err == nil {
		series.ok.Inc()
		return
	}
	m.rpcRequests.WithLabelValues(procedure, codeOf(err)).Inc()
}

// Refused counts a call the API refused before any interceptor ran (rpc.Options.Refused).
func (m *Metrics) Refused(procedure string, code connect.Code) {
	m.rpcRequests.WithLabelValues(procedure, code.String()).Inc()
}

// codeOf is the Connect code of a handler's error, as the client sees it.
func codeOf(err error) string {
	var ce *connect.Error
	switch {
	case errors.As(err, &ce):
		return ce.Code().String()
	case errors.Is(err, context.Canceled):
		return connect.CodeCanceled.String()
	case errors.Is(err, context.DeadlineExceeded):
		return connect.CodeDeadlineExceeded.String()
	}
	return connect.CodeUnknown.String()
}
