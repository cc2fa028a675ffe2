package rpc

import (
	"context"
	"strings"
	"time"

	"connectrpc.com/connect"
	"google.golang.org/protobuf/types/known/timestamppb"

	v1 "github.com/relancehq/relance/gen/go/relance/v1"
	"github.com/relancehq/relance/internal/relance"
)

type authService struct{ *handlers }

// Login refuses an account or client address locked by failed logins before it looks at the
// password (so the right one cannot end a lock early), the same way for known and unknown
// emails, and counts each wrong email or password against both.
func (s *authService) Login(ctx context.Context, req *connect.Request[v1.LoginRequest]) (*connect.Response[v1.LoginResponse], error) {
	email := strings.ToLower(req.Msg.GetEmail())
	addr := clientAddress(req.Peer().Addr, req.Header(), s.trusted)
	if wait := s.loginLocked(ctx, email, addr); wait > 0 {
		return nil, exhausted("too many failed logins for this account or address; retry later", wait)
	}
	token, expires, user, err := s.store.Login(ctx, email, req.Msg.GetPassword(), addr)
	if err != nil {
		if relance.ErrorCode(err) == relance.CodeUnauthenticated {
			s.loginFailed(ctx, email, addr)
		}
		return nil, s.fail(ctx, err)
	}
	s.loginSucceeded(ctx, email)
	return connect.NewResponse(&v1.LoginResponse{Token: token, ExpireTime: timestamppb.New(expires), User: userOut(user)}), nil
}

// loginLocked returns how long account (an email, or "user:<id>" for a current password) or
// addr stays locked by failed password checks; 0 when it is not, or when the throttle is off
// or unavailable (then the password is checked anyway, and a warning logged).
func (h *handlers) loginLocked(ctx context.Context, account, addr string) time.Duration {
	if h.logins == nil {
		return 0
	}
	wait, err := h.logins.Locked(ctx, account, addr)
	if err != nil {
		h.log.WarnContext(ctx, "login throttle unavailable, checking the password anyway", "err", err)
	}
	if wait > 0 {
		h.log.WarnContext(ctx, "password check refused: locked after failures", "account", account, "address", addr, "retry_after", wait)
	}
	return wait
}

// loginFailed logs a failed password check (never the password) and counts it against the
// account and the address.
func (h *handlers) loginFailed(ctx context.Context, account, addr string) {
	var lock time.Duration
	if h.logins != nil {
		var err error
		if lock, err = h.logins.Failed(ctx, account, addr); err != nil {
			h.log.WarnContext(ctx, "login throttle unavailable", "err", err)
		}
	}
	h.log.WarnContext(ctx, "password check failed", "account", account, "address", addr, "locked_for", lock)
}

// loginSucceeded forgets account's failed password checks.
func (h *handlers) loginSucceeded(ctx context.Context, account string) {
	if h.logins == nil {
		return
	}
	if err := h.logins.Succeeded(ctx, account); err != nil {
		h.log.WarnContext(ctx, "login throttle unavailable", "err", err)
	}
}

func (s *authService) Logout(ctx context.Context, _ *connect.Request[v1.LogoutRequest]) (*connect.Response[v1.LogoutResponse], error) {
	if err := s.store.Logout(ctx, principal(ctx)); err != nil {
		return nil, s.fail(ctx, err)
	}
	return connect.NewResponse(&v1.LogoutResponse{}), nil
}

func (s *authService) WhoAmI(ctx context.Context, _ *connect.Request[v1.WhoAmIRequest]) (*connect.Response[v1.WhoAmIResponse], error) {
	p := principal(ctx)
	org, err := s.store.Organization(ctx, p)
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	out := &v1.WhoAmIResponse{OrganizationId: org.ID.String(), OrganizationName: org.Name, Role: roles[p.Role]}
	for _, sc := range p.Scopes {
		out.Scopes = append(out.Scopes, scopes[sc])
	}
	if p.Role != relance.RolePartner {
		u, err := s.store.GetUser(ctx, p, p.UserID)
		if err != nil {
			return nil, s.fail(ctx, err)
		}
		out.User = userOut(u)
	}
	return connect.NewResponse(out), nil
}

func (s *authService) CreateApiKey(ctx context.Context, req *connect.Request[v1.CreateApiKeyRequest]) (*connect.Response[v1.CreateApiKeyResponse], error) {
	var sc []relance.Scope
	for _, w := range req.Msg.GetScopes() {
		sc = append(sc, scopeOf[w])
	}
	key, secret, err := s.store.CreateAPIKey(ctx, principal(ctx), relance.APIKey{
		Name: req.Msg.GetName(), Scopes: sc, RequestsPerMinute: int(req.Msg.GetRequestsPerMinute()), ExpiresAt: optTime(req.Msg.GetExpireTime()),
	})
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	return connect.NewResponse(&v1.CreateApiKeyResponse{ApiKey: apiKeyOut(key), Secret: secret}), nil
}

func (s *authService) ListApiKeys(ctx context.Context, _ *connect.Request[v1.ListApiKeysRequest]) (*connect.Response[v1.ListApiKeysResponse], error) {
	keys, err := s.store.ListAPIKeys(ctx, principal(ctx))
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	out := &v1.ListApiKeysResponse{}
	for _, k := range keys {
		out.ApiKeys = append(out.ApiKeys, apiKeyOut(k))
	}
	return connect.NewResponse(out), nil
}

func (s *authService) RevokeApiKey(ctx context.Context, req *connect.Request[v1.RevokeApiKeyRequest]) (*connect.Response[v1.RevokeApiKeyResponse], error) {
	if err := s.store.RevokeAPIKey(ctx, principal(ctx), parseID(req.Msg.GetApiKeyId())); err != nil {
		return nil, s.fail(ctx, err)
	}
	return connect.NewResponse(&v1.RevokeApiKeyResponse{}), nil
}
