package rpc

import (
	"context"
	"errors"
	"log/slog"
	"strings"

	"connectrpc.com/connect"

	"github.com/relancehq/relance/gen/go/relance/v1/relancev1connect"
	"github.com/relancehq/relance/internal/relance"
)

// Authenticator resolves a bearer secret to its principal (postgres.DB).
type Authenticator interface {
	Authenticate(ctx context.Context, secret string) (relance.Principal, error)
}

// public lists the procedures callable without credentials.
var public = map[string]bool{
	relancev1connect.AuthServiceLoginProcedure: true,
}

type principalKey struct{}

// principal returns the authenticated caller; the interceptor guarantees one on every
// non-public procedure.
func principal(ctx context.Context) relance.Principal {
	p, _ := ctx.Value(principalKey{}).(relance.Principal)
	return p
}

// authInterceptor authenticates every call but the public ones from its
// "Authorization: Bearer …" header.
type authInterceptor struct {
	auth Authenticator
	log  *slog.Logger
}

// authenticate returns ctx with the caller's principal, or an unauthenticated error. The guard
// authenticates before the body is read; the interceptor then finds the principal in place.
func (a *authInterceptor) authenticate(ctx context.Context, procedure, header string) (context.Context, error) {
	if _, done := ctx.Value(principalKey{}).(relance.Principal); done || public[procedure] {
		return ctx, nil
	}
	secret, ok := strings.CutPrefix(header, "Bearer ")
	if !ok || secret == "" {
		return nil, connect.NewError(connect.CodeUnauthenticated, errors.New("missing Authorization: Bearer <token or API key>"))
	}
	p, err := a.auth.Authenticate(ctx, strings.TrimSpace(secret))
	if err != nil {
		return nil, toConnect(ctx, a.log, err)
	}
	return context.WithValue(ctx, principalKey{}, p), nil
}

func (a *authInterceptor) WrapUnary(next connect.UnaryFunc) connect.UnaryFunc {
	return func(ctx context.Context, req connect.AnyRequest) (connect.AnyResponse, error) {
		ctx, err := a.authenticate(ctx, req.Spec().Procedure, req.Header().Get("Authorization"))
		if err != nil {
			return nil, err
		}
		return next(ctx, req)
	}
}

func (a *authInterceptor) WrapStreamingClient(next connect.StreamingClientFunc) connect.StreamingClientFunc {
	return next
}

func (a *authInterceptor) WrapStreamingHandler(next connect.StreamingHandlerFunc) connect.StreamingHandlerFunc {
	return func(ctx context.Context, conn connect.StreamingHandlerConn) error {
		ctx, err := a.authenticate(ctx, conn.Spec().Procedure, conn.RequestHeader().Get("Authorization"))
		if err != nil {
			return err
		}
		return next(ctx, conn)
	}
}
