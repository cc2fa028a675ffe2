package rpc

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"connectrpc.com/connect"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/protobuf/types/known/durationpb"

	"github.com/relancehq/relance/internal/relance"
)

// RequestLimiter spends a credential's request budget (limit.Requests).
type RequestLimiter interface {
	// Allow returns 0 when key may make one more request within perMinute requests a minute,
	// else how long until it may; an error when the shared store does not answer.
	Allow(ctx context.Context, key string, perMinute int) (time.Duration, error)
}

// LoginThrottle counts failed logins per account and per client address (limit.Logins).
type LoginThrottle interface {
	Locked(ctx context.Context, account, address string) (time.Duration, error)
	Failed(ctx context.Context, account, address string) (time.Duration, error)
	Succeeded(ctx context.Context, account string) error
}

// RateLimits are the default request budgets, in requests a minute.
type RateLimits struct {
	APIKey  int // a partner API key without a budget of its own
	Session int // a person's session token
}

// Default request budgets, when Options leave them at 0.
const (
	DefaultAPIKeyRate  = 300
	DefaultSessionRate = 600
)

// exhausted is the answer to a caller over a budget: RESOURCE_EXHAUSTED with the delay after
// which a retry may succeed, both as a google.rpc.RetryInfo detail (for gRPC-minded clients) and
// a Retry-After header in whole seconds (for plain HTTP clients; a trailer over gRPC).
func exhausted(msg string, retry time.Duration) *connect.Error {
	ce := connect.NewError(connect.CodeResourceExhausted, errors.New(msg))
	if d, err := connect.NewErrorDetail(&errdetails.RetryInfo{RetryDelay: durationpb.New(retry)}); err == nil {
		ce.AddDetail(d)
	}
	ce.Meta().Set("Retry-After", strconv.FormatInt(int64((retry+time.Second-1)/time.Second), 10))
	return ce
}

// rateInterceptor spends one request of the caller's budget on every authenticated call (a
// stream counts once, when it opens). It runs after authentication, so the budget is the
// credential's whatever process serves it. When the shared store fails it lets calls through
// and logs a warning: an outage of Redis must not take the API down with it.
type rateInterceptor struct {
	limiter RequestLimiter
	limits  RateLimits
	log     *slog.Logger
}

func (r *rateInterceptor) spend(ctx context.Context) error {
	p, ok := ctx.Value(principalKey{}).(relance.Principal)
	if !ok {
		return nil // a public procedure; Login has its own throttle
	}
	perMinute := p.RequestsPerMinute
	if perMinute <= 0 {
		perMinute = r.limits.Session
		if p.Role == relance.RolePartner {
			perMinute = r.limits.APIKey
		}
	}
	wait, err := r.limiter.Allow(ctx, "credential:"+p.TokenID.String(), perMinute)
	if err != nil {
		r.log.WarnContext(ctx, "rate limit unavailable, letting the call through", "err", err)
		return nil
	}
	if wait > 0 {
		return exhausted(fmt.Sprintf("rate limit of %d requests a minute reached for this credential", perMinute), wait)
	}
	return nil
}

func (r *rateInterceptor) WrapUnary(next connect.UnaryFunc) connect.UnaryFunc {
	return func(ctx context.Context, req connect.AnyRequest) (connect.AnyResponse, error) {
		if err := r.spend(ctx); err != nil {
			return nil, err
		}
		return next(ctx, req)
	}
}

func (r *rateInterceptor) WrapStreamingClient(next connect.StreamingClientFunc) connect.StreamingClientFunc {
	return next
}

func (r *rateInterceptor) WrapStreamingHandler(next connect.StreamingHandlerFunc) connect.StreamingHandlerFunc {
	return func(ctx context.Context, conn connect.StreamingHandlerConn) error {
		if err := r.spend(ctx); err != nil {
			return err
		}
		return next(ctx, conn)
	}
}

// clientAddress returns the address of the client behind a request: the connection's peer,
// unless that peer is one of the trusted proxies, in which case the right-most address of
// X-Forwarded-For that is not a trusted proxy (the left part of the header is the client's to
// write, so it is never believed).
func clientAddress(remoteAddr string, header http.Header, trusted []netip.Prefix) string {
	addr := peerIP(remoteAddr)
	if !isTrusted(addr, trusted) {
		return addr.String()
	}
	hops := strings.Split(strings.Join(header.Values("X-Forwarded-For"), ","), ",")
	for i := len(hops) - 1; i >= 0; i-- {
		hop, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
		if err != nil {
			break // a garbled hop: trust nothing further left
		}
		addr = hop.Unmap()
		if !isTrusted(addr, trusted) {
			break
		}
	}
	return addr.String()
}

func peerIP(remoteAddr string) netip.Addr {
	host, _, err := net.SplitHostPort(remoteAddr)
	if err != nil {
		host = remoteAddr
	}
	a, err := netip.ParseAddr(host)
	if err != nil {
		return netip.IPv6Unspecified()
	}
	return a.Unmap()
}

func isTrusted(a netip.Addr, trusted []netip.Prefix) bool {
	for _, p := range trusted {
		if p.Contains(a) {
			return true
		}
	}
	return false
}
