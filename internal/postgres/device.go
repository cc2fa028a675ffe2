package postgres

import (
	"context"
	"errors"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/relancehq/relance/gen/db"
	"github.com/relancehq/relance/internal/relance"
)

// WithLoopbackPush accepts Web Push endpoints over plain http on a loopback address, for tests
// and a local push service; production accepts https endpoints of known push services only.
func WithLoopbackPush() Option { return func(d *DB) { d.loopbackPush = true } }

// RegisterDevice registers a device of the caller's, or refreshes the one they registered under
// the same token or endpoint. The token leaves any other person of the organisation who held it.
// It returns an invalid-input error for an endpoint that is not allowed.
func (d *DB) RegisterDevice(ctx context.Context, p relance.Principal, dev relance.Device) (relance.Device, error) {
	if err := p.CheckOwnDevices(); err != nil {
		return relance.Device{}, err
	}
	if err := relance.CheckDevice(dev, d.loopbackPush); err != nil {
		return relance.Device{}, err
	}
	var out relance.Device
	err := d.inOrg(ctx, p.OrgID, func(t *tx) error {
		if err := t.q.DeviceDeleteTokenOfOthers(ctx, db.DeviceDeleteTokenOfOthersParams{Token: dev.Token, UserID: p.UserID}); err != nil {
			return err
		}
		row, err := t.q.DeviceUpsert(ctx, db.DeviceUpsertParams{
			ID: uuid.Must(uuid.NewV7()), OrgID: t.org, UserID: p.UserID, Kind: string(dev.Kind), Token: dev.Token,
			P256dh: dev.P256dh, Auth: dev.Auth, Label: dev.Label, CreatedAt: t.now,
		})
		if err != nil {
			return err
		}
		out = toDevice(row)
		return t.audit(ctx, p, "device.register", "device", row.ID, map[string]any{"kind": row.Kind})
	})
	return out, err
}

// Devices lists the caller's devices, oldest first.
func (d *DB) Devices(ctx context.Context, p relance.Principal) ([]relance.Device, error) {
	if err := p.CheckOwnDevices(); err != nil {
		return nil, err
	}
	var out []relance.Device
	err := d.inOrg(ctx, p.OrgID, func(t *tx) error {
		rows, err := t.q.DeviceListByUser(ctx, p.UserID)
		out = make([]relance.Device, len(rows))
		for i, r := range rows {
			out[i] = toDevice(r)
		}
		return err
	})
	return out, err
}

// RemoveDevice removes one of the caller's devices; anyone else's answers not found.
func (d *DB) RemoveDevice(ctx context.Context, p relance.Principal, id uuid.UUID) error {
	if err := p.CheckOwnDevices(); err != nil {
		return err
	}
	return d.inOrg(ctx, p.OrgID, func(t *tx) error {
		n, err := t.q.DeviceDelete(ctx, db.DeviceDeleteParams{ID: id, UserID: p.UserID})
		if err != nil {
			return err
		}
		if n == 0 {
			return relance.NotFound("device")
		}
		return t.audit(ctx, p, "device.remove", "device", id, nil)
	})
}

// PushPreferences returns what the caller wants pushed (relance.DefaultPushPreferences until
// they choose).
func (d *DB) PushPreferences(ctx context.Context, p relance.Principal) (relance.PushPreferences, error) {
	if err := p.CheckOwnDevices(); err != nil {
		return relance.PushPreferences{}, err
	}
	var out relance.PushPreferences
	err := d.inOrg(ctx, p.OrgID, func(t *tx) (err error) {
		out, err = t.pushPreferences(ctx, p.UserID)
		return err
	})
	return out, err
}

// SetPushPreferences replaces what the caller wants pushed.
func (d *DB) SetPushPreferences(ctx context.Context, p relance.Principal, prefs relance.PushPreferences) (relance.PushPreferences, error) {
	if err := p.CheckOwnDevices(); err != nil {
		return relance.PushPreferences{}, err
	}
	var out relance.PushPreferences
	err := d.inOrg(ctx, p.OrgID, func(t *tx) error {
		row, err := t.q.PushPreferencesSet(ctx, db.PushPreferencesSetParams{
			OrgID: t.org, UserID: p.UserID, Assignments: prefs.Assignments, Reminders: prefs.Reminders,
			DueActions: prefs.DueActions, UpdatedAt: t.now,
		})
		out = toPushPreferences(row)
		return err
	})
	return out, err
}

func (t *tx) pushPreferences(ctx context.Context, userID uuid.UUID) (relance.PushPreferences, error) {
	row, err := t.q.PushPreferencesGet(ctx, userID)
	if errors.Is(err, pgx.ErrNoRows) {
		return relance.DefaultPushPreferences, nil
	}
	return toPushPreferences(row), err
}

// pushAlert writes one push delivery per device of user's, when user wants alerts of kind as
// push, under keys derived from key: firing twice pushes once to each device.
func (t *tx) pushAlert(ctx context.Context, key string, kind relance.AlertKind, user *relance.User, leadID uuid.UUID, title, body string) error {
	prefs, err := remember(t.memo.pushPreferences, user.ID, func() (relance.PushPreferences, error) {
		return t.pushPreferences(ctx, user.ID)
	})
	if err != nil || !prefs.Wants(kind) {
		return err
	}
	devices, err := remember(t.memo.devices, user.ID, func() ([]db.Device, error) { return t.q.DeviceListByUser(ctx, user.ID) })
	if err != nil {
		return err
	}
	for _, dev := range devices {
		m := relance.Message{Channel: relance.ChannelPush, To: dev.ID.String(), Subject: title, Text: body}
		if err := t.deliver(ctx, key+":push:"+dev.ID.String(), m, user.ID, leadID); err != nil {
			return err
		}
	}
	return nil
}

// pushTarget loads the device a push delivery goes to; a removed device is a permanent failure.
func (d *DB) pushTarget(ctx context.Context, org uuid.UUID, recipient string) (*relance.Device, error) {
	id, err := uuid.Parse(recipient)
	if err != nil {
		return nil, relance.Permanent(err)
	}
	var dev relance.Device
	err = d.inOrg(ctx, org, func(t *tx) error {
		row, err := t.q.DeviceGet(ctx, id)
		dev = toDevice(row)
		return err
	})
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, relance.Permanent(errors.New("device removed"))
	}
	return &dev, err
}

func toDevice(r db.Device) relance.Device {
	return relance.Device{
		ID: r.ID, UserID: r.UserID, Kind: relance.DeviceKind(r.Kind), Token: r.Token, P256dh: r.P256dh,
		Auth: r.Auth, Label: r.Label, CreatedAt: r.CreatedAt, LastUsedAt: r.LastUsedAt,
	}
}

func toPushPreferences(r db.PushPreference) relance.PushPreferences {
	return relance.PushPreferences{Assignments: r.Assignments, Reminders: r.Reminders, DueActions: r.DueActions}
}

// pushOutcome records what a push told about its device: used now, or gone for good (removed).
func (t *tx) pushOutcome(ctx context.Context, dev *relance.Device, sendErr error) error {
	switch {
	case dev == nil:
		return nil
	case sendErr == nil:
		return t.q.DeviceTouch(ctx, db.DeviceTouchParams{ID: dev.ID, LastUsedAt: &t.now})
	case errors.Is(sendErr, relance.ErrDeviceGone):
		_, err := t.q.DeviceDelete(ctx, db.DeviceDeleteParams{ID: dev.ID, UserID: dev.UserID})
		return err
	}
	return nil
}
