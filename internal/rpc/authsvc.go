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
	if s.logins != nil {
		wait, err := s.logins.Locked(ctx, email, addr)
		if err != nil {
			s.log.WarnContext(ctx, "login throttle unavailable, checking the password anyway", "err", err)
		}
		if wait > 0 {
			s.log.WarnContext(ctx, "login refused: locked after failed logins", "email", email, "address", addr, "retry_after", wait)
			return nil, exhausted("too many failed logins for this account or address; retry later", wait)
		}
	}
	token, expires, user, err := s.store.Login(ctx, email, req.Msg.GetPassword(), addr)
	if err != nil {
		if relance.ErrorCode(err) == relance.CodeUnauthenticated {
			s.loginFailed(ctx, email, addr)
		}
		return nil, s.fail(ctx, err)
	}
	if s.logins != nil {
		if err := s.logins.Succeeded(ctx, email); err != nil {
			s.log.WarnContext(ctx, "login throttle unavailable", "err", err)
		}
	}
	return connect.NewResponse(&v1.LoginResponse{Token: token, ExpireTime: timestamppb.New(expires), User: userOut(user)}), nil
}

// loginFailed logs a failed login (never the password) and counts it against the account and
// the address.
func (s *authService) loginFailed(ctx context.Context, email, addr string) {
	var lock time.Duration
	if s.logins != nil {
		var err error
		if lock, err = s.logins.Failed(ctx, email, addr); err != nil {
			s.log.WarnContext(ctx, "login throttle unavailable", "err", err)
		}
	}
	s.log.WarnContext(ctx, "login failed", "email", email, "address", addr, "locked_for", lock)
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
	key, secret, err := s.store.CreateAPIKey(ctx, principal(ctx), req.Msg.GetName(), sc, int(req.Msg.GetRequestsPerMinute()))
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
