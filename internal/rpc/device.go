package rpc

import (
	"context"

	"connectrpc.com/connect"
	"github.com/google/uuid"

	v1 "github.com/relancehq/relance/gen/go/relance/v1"
	"github.com/relancehq/relance/internal/relance"
)

// deviceStore is what DeviceService needs from the storage layer (postgres.DB).
type deviceStore interface {
	RegisterDevice(ctx context.Context, p relance.Principal, d relance.Device) (relance.Device, error)
	Devices(ctx context.Context, p relance.Principal) ([]relance.Device, error)
	RemoveDevice(ctx context.Context, p relance.Principal, id uuid.UUID) error
	PushPreferences(ctx context.Context, p relance.Principal) (relance.PushPreferences, error)
	SetPushPreferences(ctx context.Context, p relance.Principal, prefs relance.PushPreferences) (relance.PushPreferences, error)
}

type deviceService struct{ *handlers }

var deviceKinds = map[relance.DeviceKind]v1.DeviceKind{
	relance.DeviceFCM:     v1.DeviceKind_DEVICE_KIND_FCM,
	relance.DeviceWebPush: v1.DeviceKind_DEVICE_KIND_WEB_PUSH,
}

func deviceOut(d relance.Device) *v1.Device {
	return &v1.Device{
		Id: d.ID.String(), Kind: deviceKinds[d.Kind], Label: d.Label, PushService: d.PushService(),
		CreateTime: tsv(d.CreatedAt), LastUseTime: ts(d.LastUsedAt),
	}
}

func pushPreferencesOut(p relance.PushPreferences) *v1.PushPreferences {
	return &v1.PushPreferences{Assignments: p.Assignments, Reminders: p.Reminders, DueActions: p.DueActions}
}

func (s *deviceService) RegisterDevice(ctx context.Context, req *connect.Request[v1.RegisterDeviceRequest]) (*connect.Response[v1.RegisterDeviceResponse], error) {
	m := req.Msg
	d := relance.Device{Kind: relance.DeviceFCM, Token: m.GetFcmToken(), Label: m.GetLabel()}
	if w := m.GetWebPush(); w != nil {
		d = relance.Device{Kind: relance.DeviceWebPush, Token: w.GetEndpoint(), P256dh: w.GetP256Dh(), Auth: w.GetAuth(), Label: m.GetLabel()}
	}
	out, err := s.store.RegisterDevice(ctx, principal(ctx), d)
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	return connect.NewResponse(&v1.RegisterDeviceResponse{Device: deviceOut(out)}), nil
}

func (s *deviceService) ListDevices(ctx context.Context, _ *connect.Request[v1.ListDevicesRequest]) (*connect.Response[v1.ListDevicesResponse], error) {
	devices, err := s.store.Devices(ctx, principal(ctx))
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	out := make([]*v1.Device, len(devices))
	for i, d := range devices {
		out[i] = deviceOut(d)
	}
	return connect.NewResponse(&v1.ListDevicesResponse{Devices: out}), nil
}

func (s *deviceService) RemoveDevice(ctx context.Context, req *connect.Request[v1.RemoveDeviceRequest]) (*connect.Response[v1.RemoveDeviceResponse], error) {
	if err := s.store.RemoveDevice(ctx, principal(ctx), parseID(req.Msg.GetDeviceId())); err != nil {
		return nil, s.fail(ctx, err)
	}
	return connect.NewResponse(&v1.RemoveDeviceResponse{}), nil
}

func (s *deviceService) GetPushPreferences(ctx context.Context, _ *connect.Request[v1.GetPushPreferencesRequest]) (*connect.Response[v1.GetPushPreferencesResponse], error) {
	prefs, err := s.store.PushPreferences(ctx, principal(ctx))
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	return connect.NewResponse(&v1.GetPushPreferencesResponse{Preferences: pushPreferencesOut(prefs)}), nil
}

func (s *deviceService) SetPushPreferences(ctx context.Context, req *connect.Request[v1.SetPushPreferencesRequest]) (*connect.Response[v1.SetPushPreferencesResponse], error) {
	in := req.Msg.GetPreferences()
	prefs, err := s.store.SetPushPreferences(ctx, principal(ctx), relance.PushPreferences{
		Assignments: in.GetAssignments(), Reminders: in.GetReminders(), DueActions: in.GetDueActions(),
	})
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	return connect.NewResponse(&v1.SetPushPreferencesResponse{Preferences: pushPreferencesOut(prefs)}), nil
}

func (s *deviceService) GetWebPushKey(ctx context.Context, _ *connect.Request[v1.GetWebPushKeyRequest]) (*connect.Response[v1.GetWebPushKeyResponse], error) {
	if err := principal(ctx).CheckOwnDevices(); err != nil {
		return nil, s.fail(ctx, err)
	}
	return connect.NewResponse(&v1.GetWebPushKeyResponse{PublicKey: s.webPushKey}), nil
}
