package rpc

import (
	"context"

	"connectrpc.com/connect"
	"github.com/google/uuid"

	v1 "github.com/relancehq/relance/gen/go/relance/v1"
	"github.com/relancehq/relance/internal/relance"
)

// adfService manages the ADF intake: vendor mappings, intake tokens, the documents kept.
type adfService struct{ *handlers }

func (s *adfService) CreateAdfVendor(ctx context.Context, req *connect.Request[v1.CreateAdfVendorRequest]) (*connect.Response[v1.CreateAdfVendorResponse], error) {
	m := req.Msg
	v, err := s.store.CreateAdfVendor(ctx, principal(ctx), relance.AdfVendor{
		VendorID: m.GetVendorId(), VendorName: m.GetVendorName(), SiteID: parseID(m.GetSiteId()),
	})
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	return connect.NewResponse(&v1.CreateAdfVendorResponse{Vendor: adfVendorOut(v)}), nil
}

func (s *adfService) ListAdfVendors(ctx context.Context, _ *connect.Request[v1.ListAdfVendorsRequest]) (*connect.Response[v1.ListAdfVendorsResponse], error) {
	vs, err := s.store.ListAdfVendors(ctx, principal(ctx))
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	out := &v1.ListAdfVendorsResponse{}
	for _, v := range vs {
		out.Vendors = append(out.Vendors, adfVendorOut(v))
	}
	return connect.NewResponse(out), nil
}

func (s *adfService) DeleteAdfVendor(ctx context.Context, req *connect.Request[v1.DeleteAdfVendorRequest]) (*connect.Response[v1.DeleteAdfVendorResponse], error) {
	if err := s.store.DeleteAdfVendor(ctx, principal(ctx), parseID(req.Msg.GetId())); err != nil {
		return nil, s.fail(ctx, err)
	}
	return connect.NewResponse(&v1.DeleteAdfVendorResponse{}), nil
}

func (s *adfService) CreateIntakeToken(ctx context.Context, req *connect.Request[v1.CreateIntakeTokenRequest]) (*connect.Response[v1.CreateIntakeTokenResponse], error) {
	m := req.Msg
	tok, secret, err := s.store.CreateAdfIntakeToken(ctx, principal(ctx), m.GetSource(), parseID(m.GetSiteId()), int(m.GetRequestsPerMinute()))
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	return connect.NewResponse(&v1.CreateIntakeTokenResponse{Token: intakeTokenOut(tok), Secret: secret, Path: AdfPath + "/" + secret}), nil
}

func (s *adfService) ListIntakeTokens(ctx context.Context, _ *connect.Request[v1.ListIntakeTokensRequest]) (*connect.Response[v1.ListIntakeTokensResponse], error) {
	toks, err := s.store.ListAdfIntakeTokens(ctx, principal(ctx))
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	out := &v1.ListIntakeTokensResponse{}
	for _, t := range toks {
		out.Tokens = append(out.Tokens, intakeTokenOut(t))
	}
	return connect.NewResponse(out), nil
}

func (s *adfService) RevokeIntakeToken(ctx context.Context, req *connect.Request[v1.RevokeIntakeTokenRequest]) (*connect.Response[v1.RevokeIntakeTokenResponse], error) {
	// An intake token is an API key: revoking it is revoking the key.
	if err := s.store.RevokeAPIKey(ctx, principal(ctx), parseID(req.Msg.GetId())); err != nil {
		return nil, s.fail(ctx, err)
	}
	return connect.NewResponse(&v1.RevokeIntakeTokenResponse{}), nil
}

func (s *adfService) GetAdfDocument(ctx context.Context, req *connect.Request[v1.GetAdfDocumentRequest]) (*connect.Response[v1.GetAdfDocumentResponse], error) {
	doc, err := s.store.AdfDocument(ctx, principal(ctx), parseID(req.Msg.GetLeadId()))
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	return connect.NewResponse(&v1.GetAdfDocumentResponse{
		LeadId: doc.LeadID.String(), Content: doc.Content, ReceiveTime: tsv(doc.ReceivedAt),
	}), nil
}

func (s *adfService) ListAdfDocuments(ctx context.Context, req *connect.Request[v1.ListAdfDocumentsRequest]) (*connect.Response[v1.ListAdfDocumentsResponse], error) {
	limit := int(req.Msg.GetPageSize())
	if limit == 0 {
		limit = 20
	}
	docs, err := s.store.ListAdfDocuments(ctx, principal(ctx), limit)
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	out := &v1.ListAdfDocumentsResponse{}
	for _, d := range docs {
		out.Documents = append(out.Documents, &v1.AdfDocumentEntry{
			LeadId: d.LeadID.String(), SiteId: d.SiteID.String(), Source: d.Source, ContactName: d.ContactName, ReceiveTime: tsv(d.ReceivedAt),
		})
	}
	return connect.NewResponse(out), nil
}

func adfVendorOut(v relance.AdfVendor) *v1.AdfVendor {
	return &v1.AdfVendor{
		Id: v.ID.String(), VendorId: v.VendorID, VendorName: v.VendorName, SiteId: v.SiteID.String(), CreateTime: tsv(v.CreatedAt),
	}
}

func intakeTokenOut(t relance.AdfIntakeToken) *v1.IntakeToken {
	site := ""
	if t.SiteID != uuid.Nil {
		site = t.SiteID.String()
	}
	return &v1.IntakeToken{
		Id: t.ID.String(), Source: t.Source, SiteId: site, Prefix: t.Prefix, CreateTime: tsv(t.CreatedAt), RevokeTime: ts(t.RevokedAt),
	}
}
