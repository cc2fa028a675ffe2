package rpc

import (
	"context"

	"connectrpc.com/connect"
	"google.golang.org/protobuf/types/known/durationpb"

	v1 "github.com/relancehq/relance/gen/go/relance/v1"
	"github.com/relancehq/relance/internal/relance"
)

type reminderService struct{ *handlers }

var recipients = map[relance.Recipient]v1.Recipient{
	relance.RecipientAdvisor: v1.Recipient_RECIPIENT_ADVISOR,
	relance.RecipientManager: v1.Recipient_RECIPIENT_MANAGER,
}

var channels = map[relance.Channel]v1.Channel{
	relance.ChannelEmail: v1.Channel_CHANNEL_EMAIL,
	relance.ChannelSMS:   v1.Channel_CHANNEL_SMS,
}

var (
	recipientOf = reverse(recipients)
	channelOf   = reverse(channels)
)

func rungsOut(rungs []relance.Rung) []*v1.ReminderRung {
	out := make([]*v1.ReminderRung, len(rungs))
	for i, r := range rungs {
		w := &v1.ReminderRung{Delay: durationpb.New(r.Delay)}
		for _, rc := range r.Recipients {
			w.Recipients = append(w.Recipients, recipients[rc])
		}
		for _, ch := range r.Channels {
			w.Channels = append(w.Channels, channels[ch])
		}
		out[i] = w
	}
	return out
}

func (s *reminderService) GetReminderPolicy(ctx context.Context, req *connect.Request[v1.GetReminderPolicyRequest]) (*connect.Response[v1.GetReminderPolicyResponse], error) {
	rungs, isDefault, err := s.store.ReminderPolicy(ctx, principal(ctx), parseID(req.Msg.GetSiteId()))
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	return connect.NewResponse(&v1.GetReminderPolicyResponse{Rungs: rungsOut(rungs), Default: isDefault}), nil
}

func (s *reminderService) SetReminderPolicy(ctx context.Context, req *connect.Request[v1.SetReminderPolicyRequest]) (*connect.Response[v1.SetReminderPolicyResponse], error) {
	rungs := make([]relance.Rung, len(req.Msg.GetRungs()))
	for i, w := range req.Msg.GetRungs() {
		r := relance.Rung{Delay: w.GetDelay().AsDuration()}
		for _, rc := range w.GetRecipients() {
			r.Recipients = append(r.Recipients, recipientOf[rc])
		}
		for _, ch := range w.GetChannels() {
			r.Channels = append(r.Channels, channelOf[ch])
		}
		rungs[i] = r
	}
	if err := s.store.SetReminderPolicy(ctx, principal(ctx), parseID(req.Msg.GetSiteId()), rungs); err != nil {
		return nil, s.fail(ctx, err)
	}
	return connect.NewResponse(&v1.SetReminderPolicyResponse{Rungs: rungsOut(rungs)}), nil
}

func (s *reminderService) ListLateCounts(ctx context.Context, req *connect.Request[v1.ListLateCountsRequest]) (*connect.Response[v1.ListLateCountsResponse], error) {
	counts, err := s.store.LateCounts(ctx, principal(ctx), parseID(req.Msg.GetSiteId()))
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	out := &v1.ListLateCountsResponse{}
	for _, c := range counts {
		out.Counts = append(out.Counts, &v1.LateCount{AdvisorId: c.AdvisorID.String(), Late: int32(c.Late), Open: int32(c.Open)})
	}
	return connect.NewResponse(out), nil
}
