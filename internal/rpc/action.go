package rpc

import (
	"context"

	"connectrpc.com/connect"

	v1 "github.com/relancehq/relance/gen/go/relance/v1"
	"github.com/relancehq/relance/internal/relance"
)

type actionService struct{ *handlers }

var actionOrigins = map[relance.ActionOrigin]v1.ActionOrigin{
	relance.ActionFromStatus: v1.ActionOrigin_ACTION_ORIGIN_STATUS,
	relance.ActionFromPlan:   v1.ActionOrigin_ACTION_ORIGIN_PLAN,
}

var actionStates = map[relance.ActionState]v1.ActionState{
	relance.ActionScheduled: v1.ActionState_ACTION_STATE_SCHEDULED,
	relance.ActionDone:      v1.ActionState_ACTION_STATE_DONE,
	relance.ActionSkipped:   v1.ActionState_ACTION_STATE_SKIPPED,
	relance.ActionFailed:    v1.ActionState_ACTION_STATE_FAILED,
	relance.ActionCancelled: v1.ActionState_ACTION_STATE_CANCELLED,
}

var timings = map[relance.Timing]v1.ActionTiming{
	relance.TimingOverdue:  v1.ActionTiming_ACTION_TIMING_OVERDUE,
	relance.TimingToday:    v1.ActionTiming_ACTION_TIMING_TODAY,
	relance.TimingUpcoming: v1.ActionTiming_ACTION_TIMING_UPCOMING,
}

var timingOf = reverse(timings)

func actionOut(a relance.Action) *v1.Action {
	return &v1.Action{
		Id: a.ID.String(), LeadId: idString(a.LeadID), CounterpartyId: idString(a.CounterpartyID),
		Origin: actionOrigins[a.Origin], StatusId: idString(a.StatusID), Kind: kinds[a.Kind], Automatic: a.Automatic,
		AssigneeId: idString(a.AssigneeID), State: actionStates[a.State], DueTime: tsv(a.DueAt), Subject: a.Subject,
		Content: a.Content, Recipients: a.Recipients, Notes: a.Notes, Outcome: a.Outcome, DoneTime: ts(a.DoneAt),
		DoneBy: idString(a.DoneBy), ActivityId: idString(a.ActivityID), CreateTime: tsv(a.CreatedAt),
		UpdateTime: tsv(a.UpdatedAt), Attachments: attachmentsOut(a.Attachments),
	}
}

func attachmentsOut(as []relance.Attachment) []*v1.Attachment {
	out := make([]*v1.Attachment, len(as))
	for i, a := range as {
		out[i] = attachmentOut(a)
	}
	return out
}

func attachmentOut(a relance.Attachment) *v1.Attachment {
	return &v1.Attachment{
		Id: a.ID.String(), ActionId: idString(a.ActionID), FileName: a.FileName, ContentType: a.ContentType,
		SizeBytes: a.Size, Sha256: a.SHA256, UploadedBy: idString(a.UploadedBy), CreateTime: tsv(a.CreatedAt),
	}
}

// downloadChunk is the most bytes one DownloadAttachment message carries.
const downloadChunk = 256 << 10

func (s *actionService) AddAttachment(ctx context.Context, req *connect.Request[v1.AddAttachmentRequest]) (*connect.Response[v1.AddAttachmentResponse], error) {
	m := req.Msg
	a, err := s.store.AddAttachment(ctx, principal(ctx), parseID(m.GetActionId()), m.GetFileName(), m.GetContentType(), m.GetData())
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	return connect.NewResponse(&v1.AddAttachmentResponse{Attachment: attachmentOut(a)}), nil
}

func (s *actionService) DownloadAttachment(ctx context.Context, req *connect.Request[v1.DownloadAttachmentRequest], stream *connect.ServerStream[v1.DownloadAttachmentResponse]) error {
	a, data, err := s.store.Attachment(ctx, principal(ctx), parseID(req.Msg.GetAttachmentId()))
	if err != nil {
		return s.fail(ctx, err)
	}
	msg := &v1.DownloadAttachmentResponse{Attachment: attachmentOut(a)}
	for len(data) > 0 {
		n := min(len(data), downloadChunk)
		msg.Chunk, data = data[:n], data[n:]
		if err := stream.Send(msg); err != nil {
			return err
		}
		msg = &v1.DownloadAttachmentResponse{}
	}
	return nil
}

func (s *actionService) RemoveAttachment(ctx context.Context, req *connect.Request[v1.RemoveAttachmentRequest]) (*connect.Response[v1.RemoveAttachmentResponse], error) {
	if err := s.store.RemoveAttachment(ctx, principal(ctx), parseID(req.Msg.GetAttachmentId())); err != nil {
		return nil, s.fail(ctx, err)
	}
	return connect.NewResponse(&v1.RemoveAttachmentResponse{}), nil
}

func (s *actionService) ListMyActions(ctx context.Context, req *connect.Request[v1.ListMyActionsRequest]) (*connect.Response[v1.ListMyActionsResponse], error) {
	items, err := s.store.ListMyActions(ctx, principal(ctx), timingOf[req.Msg.GetTiming()])
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	out := &v1.ListMyActionsResponse{}
	for _, it := range items {
		out.Items = append(out.Items, &v1.InboxItem{Action: actionOut(it.Action), Timing: timings[it.Timing]})
	}
	return connect.NewResponse(out), nil
}

func (s *actionService) GetAction(ctx context.Context, req *connect.Request[v1.GetActionRequest]) (*connect.Response[v1.GetActionResponse], error) {
	a, err := s.store.GetAction(ctx, principal(ctx), parseID(req.Msg.GetActionId()))
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	return connect.NewResponse(&v1.GetActionResponse{Action: actionOut(a)}), nil
}

func (s *actionService) UpdateAction(ctx context.Context, req *connect.Request[v1.UpdateActionRequest]) (*connect.Response[v1.UpdateActionResponse], error) {
	m := req.Msg
	ch := relance.ActionChange{Subject: m.Subject, Content: m.Content, Notes: m.Notes}
	if m.Kind != nil {
		ch.Kind = new(kindOf[m.GetKind()])
	}
	if m.GetSetRecipients() {
		ch.Recipients = new(append([]string{}, m.GetRecipients()...))
	}
	a, err := s.store.UpdateAction(ctx, principal(ctx), parseID(m.GetActionId()), ch)
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	return connect.NewResponse(&v1.UpdateActionResponse{Action: actionOut(a)}), nil
}

func (s *actionService) CompleteAction(ctx context.Context, req *connect.Request[v1.CompleteActionRequest]) (*connect.Response[v1.CompleteActionResponse], error) {
	m := req.Msg
	a, err := s.store.CompleteAction(ctx, principal(ctx), parseID(m.GetActionId()), relance.ActionOutcome{
		Outcome: m.GetOutcome(), Notes: m.GetNotes(), DoneAt: optTime(m.DoneTime), Subject: m.Subject, Body: m.Body,
	})
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	return connect.NewResponse(&v1.CompleteActionResponse{Action: actionOut(a)}), nil
}

func (s *actionService) SkipAction(ctx context.Context, req *connect.Request[v1.SkipActionRequest]) (*connect.Response[v1.SkipActionResponse], error) {
	a, err := s.store.SkipAction(ctx, principal(ctx), parseID(req.Msg.GetActionId()), req.Msg.GetReason())
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	return connect.NewResponse(&v1.SkipActionResponse{Action: actionOut(a)}), nil
}
