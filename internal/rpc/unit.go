package rpc

import (
	"context"

	"connectrpc.com/connect"
	"github.com/google/uuid"

	v1 "github.com/relancehq/relance/gen/go/relance/v1"
	"github.com/relancehq/relance/internal/relance"
)

// unitStore is what the business-unit calls need from the storage layer.
type unitStore interface {
	CreateUnit(ctx context.Context, p relance.Principal, u relance.Unit) (relance.Unit, error)
	UpdateUnit(ctx context.Context, p relance.Principal, id uuid.UUID, ch relance.UnitChange) (relance.Unit, error)
	ListUnits(ctx context.Context, p relance.Principal, siteID uuid.UUID) ([]relance.Unit, error)
	SetUserUnit(ctx context.Context, p relance.Principal, userID, siteID, unitID uuid.UUID) (relance.User, error)
}

func unitOut(u relance.Unit) *v1.Unit {
	return &v1.Unit{Id: u.ID.String(), SiteId: u.SiteID.String(), Name: u.Name, Active: u.Active, CreateTime: tsv(u.CreatedAt)}
}

func (s *teamService) CreateUnit(ctx context.Context, req *connect.Request[v1.CreateUnitRequest]) (*connect.Response[v1.CreateUnitResponse], error) {
	u, err := s.store.CreateUnit(ctx, principal(ctx), relance.Unit{SiteID: parseID(req.Msg.GetSiteId()), Name: req.Msg.GetName()})
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	return connect.NewResponse(&v1.CreateUnitResponse{Unit: unitOut(u)}), nil
}

func (s *teamService) UpdateUnit(ctx context.Context, req *connect.Request[v1.UpdateUnitRequest]) (*connect.Response[v1.UpdateUnitResponse], error) {
	u, err := s.store.UpdateUnit(ctx, principal(ctx), parseID(req.Msg.GetUnitId()), relance.UnitChange{Name: req.Msg.Name, Active: req.Msg.Active})
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	return connect.NewResponse(&v1.UpdateUnitResponse{Unit: unitOut(u)}), nil
}

func (s *teamService) ListUnits(ctx context.Context, req *connect.Request[v1.ListUnitsRequest]) (*connect.Response[v1.ListUnitsResponse], error) {
	units, err := s.store.ListUnits(ctx, principal(ctx), parseID(req.Msg.GetSiteId()))
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	out := &v1.ListUnitsResponse{}
	for _, u := range units {
		out.Units = append(out.Units, unitOut(u))
	}
	return connect.NewResponse(out), nil
}

func (s *teamService) SetUserUnit(ctx context.Context, req *connect.Request[v1.SetUserUnitRequest]) (*connect.Response[v1.SetUserUnitResponse], error) {
	m := req.Msg
	u, err := s.store.SetUserUnit(ctx, principal(ctx), parseID(m.GetUserId()), parseID(m.GetSiteId()), parseID(m.GetUnitId()))
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	return connect.NewResponse(&v1.SetUserUnitResponse{User: userOut(u)}), nil
}
