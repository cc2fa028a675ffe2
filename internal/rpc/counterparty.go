package rpc

import (
	"context"

	"connectrpc.com/connect"
	"github.com/google/uuid"

	v1 "github.com/relancehq/relance/gen/go/relance/v1"
	"github.com/relancehq/relance/internal/relance"
)

type counterpartyService struct{ *handlers }

var counterpartyKinds = map[string]v1.CounterpartyKind{
	"company": v1.CounterpartyKind_COUNTERPARTY_KIND_COMPANY,
	"person":  v1.CounterpartyKind_COUNTERPARTY_KIND_PERSON,
}

var counterpartyKindOf = reverse(counterpartyKinds)

func counterpartyOut(c relance.Counterparty) *v1.Counterparty {
	return &v1.Counterparty{
		Id: c.ID.String(), SiteId: c.SiteID.String(), Kind: counterpartyKinds[c.Kind], Name: c.Name,
		Category: categories[c.Category], Phone: c.Phone, Email: c.Email, ResponsibleId: idString(c.ResponsibleID),
		StatusId: idString(c.StatusID), Notes: c.Notes, CreateTime: tsv(c.CreatedAt), UpdateTime: tsv(c.UpdatedAt),
	}
}

func (s *counterpartyService) CreateCounterparty(ctx context.Context, req *connect.Request[v1.CreateCounterpartyRequest]) (*connect.Response[v1.CreateCounterpartyResponse], error) {
	m := req.Msg
	c, err := s.store.CreateCounterparty(ctx, principal(ctx), relance.Counterparty{
		SiteID: parseID(m.GetSiteId()), Kind: counterpartyKindOf[m.GetKind()], Name: m.GetName(),
		Category: categoryOf[m.GetCategory()], Phone: m.GetPhone(), Email: m.GetEmail(),
		ResponsibleID: parseID(m.GetResponsibleId()), StatusID: parseID(m.GetStatusId()), Notes: m.GetNotes(),
	})
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	return connect.NewResponse(&v1.CreateCounterpartyResponse{Counterparty: counterpartyOut(c)}), nil
}

func (s *counterpartyService) UpdateCounterparty(ctx context.Context, req *connect.Request[v1.UpdateCounterpartyRequest]) (*connect.Response[v1.UpdateCounterpartyResponse], error) {
	m := req.Msg
	ch := relance.CounterpartyChange{Name: m.Name, Phone: m.Phone, Email: m.Email, Notes: m.Notes}
	if m.Category != nil {
		ch.Category = new(categoryOf[m.GetCategory()])
	}
	if m.ResponsibleId != nil {
		ch.ResponsibleID = new(parseID(m.GetResponsibleId()))
	}
	var status *uuid.UUID
	if m.StatusId != nil {
		status = new(parseID(m.GetStatusId()))
	}
	c, err := s.store.UpdateCounterparty(ctx, principal(ctx), parseID(m.GetCounterpartyId()), ch, status)
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	return connect.NewResponse(&v1.UpdateCounterpartyResponse{Counterparty: counterpartyOut(c)}), nil
}

func (s *counterpartyService) GetCounterparty(ctx context.Context, req *connect.Request[v1.GetCounterpartyRequest]) (*connect.Response[v1.GetCounterpartyResponse], error) {
	c, err := s.store.GetCounterparty(ctx, principal(ctx), parseID(req.Msg.GetCounterpartyId()))
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	return connect.NewResponse(&v1.GetCounterpartyResponse{Counterparty: counterpartyOut(c)}), nil
}

func (s *counterpartyService) ListCounterparties(ctx context.Context, req *connect.Request[v1.ListCounterpartiesRequest]) (*connect.Response[v1.ListCounterpartiesResponse], error) {
	m := req.Msg
	f := relance.CounterpartyFilter{
		SiteID: parseID(m.GetSiteId()), ResponsibleID: parseID(m.GetResponsibleId()), StatusID: parseID(m.GetStatusId()),
		Category: categoryOf[m.GetCategory()], Limit: int(m.GetPageSize()),
	}
	name, id, ok, err := decodeToken(m.GetPageToken())
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	if ok {
		f.After = &relance.CounterpartyCursor{Name: name, ID: id}
	}
	list, next, err := s.store.ListCounterparties(ctx, principal(ctx), f)
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	out := &v1.ListCounterpartiesResponse{}
	if next != nil {
		out.NextPageToken = encodeToken(next.Name, next.ID)
	}
	for _, c := range list {
		out.Counterparties = append(out.Counterparties, counterpartyOut(c))
	}
	return connect.NewResponse(out), nil
}
