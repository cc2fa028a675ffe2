package metrics

import (
	"context"
	"errors"
	"time"

	"connectrpc.com/connect"
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

func (m *Metrics) observeRPC(procedure string, start time.Time, err error) {
	m.rpcDuration.WithLabelValues(procedure).Observe(time.Since(start).Seconds())
	code := "ok"
	if err != nil {
		code = connect.CodeUnknown.String()
		var ce *connect.Error
		if errors.As(err, &ce) {
			code = ce.Code().String()
		} else if errors.Is(err, context.Canceled) {
			code = connect.CodeCanceled.String()
		} else if errors.Is(err, context.DeadlineExceeded) {
			code = connect.CodeDeadlineExceeded.String()
		}
	}
	m.rpcRequests.WithLabelValues(procedure, code).Inc()
}
