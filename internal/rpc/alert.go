package rpc

import (
	"context"
	"errors"
	"time"

	"connectrpc.com/connect"
	"github.com/google/uuid"

	v1 "github.com/relancehq/relance/gen/go/relance/v1"
	"github.com/relancehq/relance/internal/relance"
)

// AlertWatcher tells which of a person's alerts were just committed, by any process
// (notify.Live). A nil AlertWatcher leaves streams to their heartbeat polling.
type AlertWatcher interface {
	Watch(ctx context.Context, user uuid.UUID) (<-chan uuid.UUID, error)
}

// replayPage bounds one read of missed alerts.
const replayPage = 200

// pendingRetry is how soon a stream reads again when alerts wait for an older transaction to end.
const pendingRetry = 20 * time.Millisecond

type alertService struct{ *handlers }

// alertKinds maps every one of relance.AlertKinds to its wire kind.
var alertKinds = map[relance.AlertKind]v1.AlertKind{
	relance.AlertLeadAssigned:        v1.AlertKind_ALERT_KIND_LEAD_ASSIGNED,
	relance.AlertLeadRepeat:          v1.AlertKind_ALERT_KIND_REPEAT_INQUIRY,
	relance.AlertLeadReminder:        v1.AlertKind_ALERT_KIND_REMINDER,
	relance.AlertActionDue:           v1.AlertKind_ALERT_KIND_ACTION_DUE,
	relance.AlertDecisionNeeded:      v1.AlertKind_ALERT_KIND_DECISION_NEEDED,
	relance.AlertMessageCap:          v1.AlertKind_ALERT_KIND_MESSAGE_CAP,
	relance.AlertLeadImproperClosure: v1.AlertKind_ALERT_KIND_IMPROPER_CLOSURE,
	relance.AlertWebhookDisabled:     v1.AlertKind_ALERT_KIND_WEBHOOK_DISABLED,
	relance.AlertLeadUnassigned:      v1.AlertKind_ALERT_KIND_LEAD_UNASSIGNED,
	relance.AlertLeadMoved:           v1.AlertKind_ALERT_KIND_LEAD_MOVED,
}

func alertOut(a relance.Alert) *v1.Alert {
	return &v1.Alert{Id: a.ID.String(), Kind: alertKinds[a.Kind], LeadId: idString(a.LeadID), Title: a.Title,
		Body: a.Body, CreateTime: tsv(a.CreatedAt), AckTime: ts(a.AckedAt)}
}

// WatchAlerts subscribes before finding where the stream starts, then after every announcement
// (or heartbeat tick) sends what Postgres holds after the last alert sent. Alerts are read in
// stream order and only once final (relance.AlertPosition), so one committed late by a
// transaction that started early is sent, never skipped; while some are not final yet the
// stream reads again shortly. An announcement lost between processes delays an alert by one
// heartbeat at most, and none is sent twice.
func (s *alertService) WatchAlerts(ctx context.Context, req *connect.Request[v1.WatchAlertsRequest], stream *connect.ServerStream[v1.WatchAlertsResponse]) error {
	p := principal(ctx)
	if err := p.CheckOwnAlerts(); err != nil {
		return s.fail(ctx, err)
	}
	var live <-chan uuid.UUID
	if s.watcher != nil {
		var err error
		if live, err = s.watcher.Watch(ctx, p.UserID); err != nil {
			return s.fail(ctx, err)
		}
	}
	last, err := s.store.AlertStreamStart(ctx, p, parseID(req.Msg.GetAfterAlertId()))
	if err != nil {
		return s.fail(ctx, err)
	}
	// soon fires while alerts wait to become final: after pendingRetry, doubling up to a heartbeat.
	soon := time.NewTimer(time.Hour)
	soon.Stop()
	defer soon.Stop()
	retry := pendingRetry
	send := func() (int, error) {
		sent := 0
		for {
			alerts, pending, err := s.store.AlertsAfter(ctx, p, last, replayPage)
			if err != nil {
				return sent, s.fail(ctx, err)
			}
			for _, a := range alerts {
				if err := stream.Send(&v1.WatchAlertsResponse{Alert: alertOut(a)}); err != nil {
					return sent, err
				}
				last = a.Position
				sent++
			}
			if len(alerts) == replayPage {
				continue
			}
			if pending {
				soon.Reset(retry)
				retry = min(2*retry, s.heartbeat)
			} else {
				retry = pendingRetry
			}
			return sent, nil
		}
	}
	// A first message (the replay, or a heartbeat) sends the response headers at once: clients
	// know the stream is live, and HTTP/1.1 clients are not left waiting for headers.
	if n, err := send(); err != nil {
		return err
	} else if n == 0 {
		if err := stream.Send(&v1.WatchAlertsResponse{Heartbeat: true}); err != nil {
			return err
		}
	}
	tick := time.NewTicker(s.heartbeat)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case _, ok := <-live:
			if !ok {
				if ctx.Err() != nil {
					return nil
				}
				return connect.NewError(connect.CodeUnavailable, errors.New("alert stream fell behind; reconnect with after_alert_id"))
			}
			if _, err := send(); err != nil {
				return err
			}
		case <-soon.C:
			if _, err := send(); err != nil {
				return err
			}
		case <-tick.C:
			n, err := send()
			if err != nil {
				return err
			}
			if n == 0 {
				if err := stream.Send(&v1.WatchAlertsResponse{Heartbeat: true}); err != nil {
					return err
				}
			}
		}
	}
}

func (s *alertService) ListAlerts(ctx context.Context, req *connect.Request[v1.ListAlertsRequest]) (*connect.Response[v1.ListAlertsResponse], error) {
	alerts, err := s.store.ListAlerts(ctx, principal(ctx), req.Msg.GetUnacknowledgedOnly(), int(req.Msg.GetPageSize()))
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	out := &v1.ListAlertsResponse{}
	for _, a := range alerts {
		out.Alerts = append(out.Alerts, alertOut(a))
	}
	return connect.NewResponse(out), nil
}

func (s *alertService) AckAlert(ctx context.Context, req *connect.Request[v1.AckAlertRequest]) (*connect.Response[v1.AckAlertResponse], error) {
	a, err := s.store.AckAlert(ctx, principal(ctx), parseID(req.Msg.GetAlertId()))
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	return connect.NewResponse(&v1.AckAlertResponse{Alert: alertOut(a)}), nil
}
