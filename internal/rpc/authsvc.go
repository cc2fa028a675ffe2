package rpc

import (
	"context"

	"connectrpc.com/connect"
	"google.golang.org/protobuf/types/known/timestamppb"

	v1 "github.com/relancehq/relance/gen/go/relance/v1"
	"github.com/relancehq/relance/internal/relance"
)

type authService struct{ *handlers }

func (s *authService) Login(ctx context.Context, req *connect.Request[v1.LoginRequest]) (*connect.Response[v1.LoginResponse], error) {
	token, expires, user, err := s.store.Login(ctx, req.Msg.GetEmail(), req.Msg.GetPassword())
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	return connect.NewResponse(&v1.LoginResponse{Token: token, ExpireTime: timestamppb.New(expires), User: userOut(user)}), nil
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
	key, secret, err := s.store.CreateAPIKey(ctx, principal(ctx), req.Msg.GetName(), sc)
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
