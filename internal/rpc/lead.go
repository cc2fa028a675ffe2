package rpc

import (
	"context"

	"connectrpc.com/connect"

	v1 "github.com/relancehq/relance/gen/go/relance/v1"
	"github.com/relancehq/relance/internal/relance"
)

type leadService struct{ *handlers }

func (s *leadService) CreateLead(ctx context.Context, req *connect.Request[v1.CreateLeadRequest]) (*connect.Response[v1.CreateLeadResponse], error) {
	m := req.Msg
	in := relance.NewLead{
		IdempotencyKey: m.GetIdempotencyKey(), ExternalID: m.GetExternalId(), SiteID: parseID(m.GetSiteId()),
		Source: m.GetSource(), SourceGroup: m.GetSourceGroup(), Category: categoryOf[m.GetCategory()],
		Contact:    relance.Contact{Name: m.GetContact().GetName(), Phone: m.GetContact().GetPhone(), Email: m.GetContact().GetEmail()},
		AssigneeID: parseID(m.GetAssigneeId()), Notes: m.GetNotes(),
	}
	if m.ReceiveTime != nil {
		in.ReceivedAt = m.ReceiveTime.AsTime()
	}
	lead, outcome, err := s.store.CreateLead(ctx, principal(ctx), in)
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	return connect.NewResponse(&v1.CreateLeadResponse{
		Lead: leadOut(lead), Created: outcome == relance.LeadCreated, Repeat: outcome == relance.LeadRepeated,
	}), nil
}

func (s *leadService) GetLead(ctx context.Context, req *connect.Request[v1.GetLeadRequest]) (*connect.Response[v1.GetLeadResponse], error) {
	lead, err := s.store.GetLead(ctx, principal(ctx), parseID(req.Msg.GetLeadId()))
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	return connect.NewResponse(&v1.GetLeadResponse{Lead: leadOut(lead)}), nil
}

func (s *leadService) ListLeads(ctx context.Context, req *connect.Request[v1.ListLeadsRequest]) (*connect.Response[v1.ListLeadsResponse], error) {
	m := req.Msg
	after, err := decodeCursor(m.GetPageToken())
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	leads, next, err := s.store.ListLeads(ctx, principal(ctx), relance.LeadFilter{
		SiteID: parseID(m.GetSiteId()), AssigneeID: parseID(m.GetAssigneeId()), Stage: stageOf[m.GetStage()],
		StatusID: parseID(m.GetStatusId()), Source: m.GetSource(), Late: m.Late,
		NoAttemptToday: m.GetNoAttemptToday(), ImproperOnly: m.GetImproperClosures(),
		Limit: int(m.GetPageSize()), After: after,
	})
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	out := &v1.ListLeadsResponse{NextPageToken: encodeCursor(next)}
	for _, l := range leads {
		out.Leads = append(out.Leads, leadOut(l))
	}
	return connect.NewResponse(out), nil
}

func (s *leadService) AssignLead(ctx context.Context, req *connect.Request[v1.AssignLeadRequest]) (*connect.Response[v1.AssignLeadResponse], error) {
	lead, err := s.store.AssignLead(ctx, principal(ctx), parseID(req.Msg.GetLeadId()), parseID(req.Msg.GetAssigneeId()))
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	return connect.NewResponse(&v1.AssignLeadResponse{Lead: leadOut(lead)}), nil
}

func (s *leadService) UpdateLead(ctx context.Context, req *connect.Request[v1.UpdateLeadRequest]) (*connect.Response[v1.UpdateLeadResponse], error) {
	m := req.Msg
	ch := relance.LeadChange{Notes: m.Notes}
	if m.StatusId != nil {
		id := parseID(m.GetStatusId())
		ch.StatusID = &id
	}
	if m.Stage != nil {
		st := stageOf[m.GetStage()]
		ch.Stage = &st
	}
	if m.Category != nil {
		c := categoryOf[m.GetCategory()]
		ch.Category = &c
	}
	lead, err := s.store.UpdateLead(ctx, principal(ctx), parseID(m.GetLeadId()), ch)
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	return connect.NewResponse(&v1.UpdateLeadResponse{Lead: leadOut(lead)}), nil
}

func (s *leadService) RecordActivity(ctx context.Context, req *connect.Request[v1.RecordActivityRequest]) (*connect.Response[v1.RecordActivityResponse], error) {
	m := req.Msg
	act, lead, err := s.store.RecordActivity(ctx, principal(ctx), relance.NewActivity{
		LeadID: parseID(m.GetLeadId()), Kind: kindOf[m.GetKind()], State: activityStateOf[m.GetState()],
		DueAt: optTime(m.DueTime), DoneAt: optTime(m.DoneTime), Content: m.GetContent(),
		Direction: directionOf[m.GetDirection()],
	})
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	return connect.NewResponse(&v1.RecordActivityResponse{Activity: activityOut(act), Lead: leadOut(lead)}), nil
}

func (s *leadService) CompleteActivity(ctx context.Context, req *connect.Request[v1.CompleteActivityRequest]) (*connect.Response[v1.CompleteActivityResponse], error) {
	act, lead, err := s.store.CompleteActivity(ctx, principal(ctx), parseID(req.Msg.GetActivityId()), optTime(req.Msg.DoneTime), req.Msg.GetContent())
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	return connect.NewResponse(&v1.CompleteActivityResponse{Activity: activityOut(act), Lead: leadOut(lead)}), nil
}

func (s *leadService) SkipActivity(ctx context.Context, req *connect.Request[v1.SkipActivityRequest]) (*connect.Response[v1.SkipActivityResponse], error) {
	act, lead, err := s.store.SkipActivity(ctx, principal(ctx), parseID(req.Msg.GetActivityId()), req.Msg.GetReason())
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	return connect.NewResponse(&v1.SkipActivityResponse{Activity: activityOut(act), Lead: leadOut(lead)}), nil
}

var deliveryStates = map[string]v1.DeliveryState{
	relance.DeliveryPending: v1.DeliveryState_DELIVERY_STATE_PENDING,
	relance.DeliverySending: v1.DeliveryState_DELIVERY_STATE_SENDING,
	relance.DeliverySent:    v1.DeliveryState_DELIVERY_STATE_SENT,
	relance.DeliveryFailed:  v1.DeliveryState_DELIVERY_STATE_FAILED,
	relance.DeliveryUnknown: v1.DeliveryState_DELIVERY_STATE_UNKNOWN,
}

func (s *leadService) ListDeliveries(ctx context.Context, req *connect.Request[v1.ListDeliveriesRequest]) (*connect.Response[v1.ListDeliveriesResponse], error) {
	list, err := s.store.ListDeliveries(ctx, principal(ctx), parseID(req.Msg.GetLeadId()))
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	out := &v1.ListDeliveriesResponse{}
	for _, d := range list {
		out.Deliveries = append(out.Deliveries, &v1.Delivery{
			Id: d.ID.String(), UserId: idString(d.UserID), Channel: string(d.Channel), Recipient: d.Recipient,
			Subject: d.Subject, State: deliveryStates[d.State], Attempts: int32(d.Attempts), LastError: d.LastError,
			CreateTime: tsv(d.CreatedAt), SentTime: ts(d.SentAt), ActionId: idString(d.ActionID),
			From: d.From, ReplyTo: d.ReplyTo, AttachmentNames: d.AttachmentNames,
		})
	}
	return connect.NewResponse(out), nil
}

func (s *leadService) ListActivities(ctx context.Context, req *connect.Request[v1.ListActivitiesRequest]) (*connect.Response[v1.ListActivitiesResponse], error) {
	acts, err := s.store.ListActivities(ctx, principal(ctx), parseID(req.Msg.GetLeadId()))
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	out := &v1.ListActivitiesResponse{}
	for _, a := range acts {
		out.Activities = append(out.Activities, activityOut(a))
	}
	return connect.NewResponse(out), nil
}
