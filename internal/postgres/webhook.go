package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"strconv"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/relancehq/relance/gen/db"
	"github.com/relancehq/relance/internal/relance"
	"github.com/relancehq/relance/internal/webhook"
)

// channelWebhook is the delivery channel of webhook messages.
const channelWebhook = "webhook"

// webhookOrderWait is how long a message waits for an earlier message of the same lead to the
// same endpoint before looking again; the earlier one wakes it as soon as it is settled, so this
// is only a watchdog.
const webhookOrderWait = 10 * time.Minute

// rotationOverlap is how long the previous secret still signs after a rotation.
const rotationOverlap = 24 * time.Hour

// WebhookPoster posts one signed attempt of a webhook message (notify.Webhook).
type WebhookPoster interface {
	Post(ctx context.Context, r webhook.Request) webhook.Response
}

// WithWebhooks sets how webhook messages leave, and whether endpoints may be private (loopback,
// LAN) addresses reached over plain http: for development and tests only.
func WithWebhooks(p WebhookPoster, allowPrivate bool) Option {
	return func(d *DB) { d.webhooks, d.privateWebhooks = p, allowPrivate }
}

// WithEventData sets how the object of an event becomes its "data": the API's public JSON form
// (the RPC layer's protojson). Without it, the domain object's encoding/json form is sent.
func WithEventData(encode func(obj any) ([]byte, error)) Option {
	return func(d *DB) { d.eventData = encode }
}

// emit records an event of type typ about obj (lead: the lead it concerns, or uuid.Nil) in the
// transaction, with one delivery per enabled endpoint that subscribed to it. A failure fails the
// transaction at commit, so that a call site is one line and no change goes out unannounced.
func (t *tx) emit(ctx context.Context, typ string, lead uuid.UUID, obj any) {
	if t.emitErr == nil {
		_, t.emitErr = t.writeEvent(ctx, typ, lead, obj, uuid.Nil)
	}
}

// writeEvent writes the message and its deliveries (only to endpoint only, when set). It writes
// nothing when no endpoint wants the event, and returns the message id (uuid.Nil then).
func (t *tx) writeEvent(ctx context.Context, typ string, lead uuid.UUID, obj any, only uuid.UUID) (uuid.UUID, error) {
	endpoints, err := remember(t.memo.endpoints, t.org, func() ([]db.WebhookEndpoint, error) {
		return t.q.WebhookEndpointListEnabled(ctx)
	})
	if err != nil {
		return uuid.Nil, fmt.Errorf("webhook endpoints: %w", err)
	}
	var to []db.WebhookEndpoint
	for _, ep := range endpoints {
		if (only == uuid.Nil || ep.ID == only) && webhook.Matches(ep.Filter, typ) {
			to = append(to, ep)
		}
	}
	if len(to) == 0 {
		return uuid.Nil, nil
	}
	encode := t.eventData
	if encode == nil {
		encode = json.Marshal
	}
	data, err := encode(obj)
	if err != nil {
		return uuid.Nil, fmt.Errorf("webhook event %s: %w", typ, err)
	}
	payload, err := json.Marshal(struct {
		Type      string          `json:"type"`
		Timestamp time.Time       `json:"timestamp"`
		Data      json.RawMessage `json:"data"`
	}{typ, t.now, data})
	if err != nil {
		return uuid.Nil, err
	}
	msg := uuid.Must(uuid.NewV7())
	if err := t.q.WebhookMessageCreate(ctx, db.WebhookMessageCreateParams{
		ID: msg, OrgID: t.org, Type: typ, LeadID: optUUID(lead), Payload: payload, CreatedAt: t.now,
	}); err != nil {
		return uuid.Nil, err
	}
	for _, ep := range to {
		id, err := t.q.WebhookDeliveryCreate(ctx, db.WebhookDeliveryCreateParams{
			ID: uuid.Must(uuid.NewV7()), OrgID: t.org, Key: "webhook:" + msg.String() + ":" + ep.ID.String(),
			Recipient: ep.Url, LeadID: optUUID(lead), CreatedAt: t.now, WebhookEndpointID: &ep.ID, WebhookMessageID: &msg,
		})
		if err != nil {
			return uuid.Nil, err
		}
		if err := t.schedule(ctx, relance.TimerDelivery, id, "", t.now); err != nil {
			return uuid.Nil, err
		}
	}
	return msg, nil
}

// claimWebhook takes a webhook delivery for sending, as claimDelivery does for other channels.
// A message waits while an earlier message of the same lead to the same endpoint is undelivered,
// so that one lead's events reach an endpoint in the order they happened. A disabled endpoint's
// messages fail.
func (t *tx) claimWebhook(ctx context.Context, timer db.Timer, del db.Delivery) (*db.Delivery, error) {
	switch {
	case del.State == relance.DeliveryPending:
	case del.State == relance.DeliverySending && int(del.Attempts) < webhook.MaxAttempts:
	case del.State == relance.DeliverySending:
		return nil, t.settleWebhook(ctx, timer, del, db.DeliveryFinishParams{
			ID: del.ID, State: relance.DeliveryUnknown, LastError: "worker stopped while sending, attempts spent",
		})
	default:
		return nil, t.q.TimerFinish(ctx, db.TimerFinishParams{ID: timer.ID, State: "done", FiredAt: &t.now})
	}
	ep, err := t.q.WebhookEndpointGet(ctx, *del.WebhookEndpointID)
	if err != nil {
		return nil, err
	}
	if !ep.Enabled {
		return nil, t.settleWebhook(ctx, timer, del, db.DeliveryFinishParams{
			ID: del.ID, State: relance.DeliveryFailed, LastError: "endpoint disabled",
		})
	}
	if del.State == relance.DeliveryPending && del.LeadID != nil {
		_, err := t.q.WebhookDeliveryEarlier(ctx, db.WebhookDeliveryEarlierParams{
			WebhookEndpointID: del.WebhookEndpointID, LeadID: del.LeadID, WebhookMessageID: del.WebhookMessageID,
		})
		if err == nil {
			_, err = t.reschedule(ctx, timer.ID, t.now.Add(webhookOrderWait))
			return nil, err
		}
		if !errors.Is(err, pgx.ErrNoRows) {
			return nil, err
		}
	}
	return t.leaseDelivery(ctx, timer, del)
}

// settleWebhook records the end of a webhook delivery, finishes its timer and wakes the next
// message of the same lead to the same endpoint.
func (t *tx) settleWebhook(ctx context.Context, timer db.Timer, del db.Delivery, finish db.DeliveryFinishParams) error {
	if err := t.q.DeliveryFinish(ctx, finish); err != nil {
		return err
	}
	if err := t.q.TimerFinish(ctx, db.TimerFinishParams{ID: timer.ID, State: "done", FiredAt: &t.now}); err != nil {
		return err
	}
	if del.LeadID == nil {
		return nil
	}
	next, err := t.q.WebhookDeliveryNextTimer(ctx, db.WebhookDeliveryNextTimerParams{
		WebhookEndpointID: del.WebhookEndpointID, LeadID: del.LeadID, WebhookMessageID: del.WebhookMessageID,
	})
	if errors.Is(err, pgx.ErrNoRows) {
		return nil
	}
	if err != nil {
		return err
	}
	_, err = t.reschedule(ctx, next, t.now)
	return err
}

// sendWebhook posts a claimed webhook delivery outside any transaction, signed with the
// endpoint's secrets under the message's id, then records the attempt and its outcome: sent;
// pending again until the next try of the schedule; failed after the last try. A 410 answer, or
// an endpoint failing for webhook.DisableAfter, disables the endpoint and tells the admins.
func (d *DB) sendWebhook(ctx context.Context, ref relance.TimerRef, del *db.Delivery) error {
	if d.webhooks == nil {
		return errors.New("no webhook sender configured")
	}
	var req webhook.Request
	var started time.Time
	err := d.inOrg(ctx, ref.OrgID, func(t *tx) error {
		ep, err := t.q.WebhookEndpointGet(ctx, *del.WebhookEndpointID)
		if err != nil {
			return err
		}
		msg, err := t.q.WebhookMessageGet(ctx, *del.WebhookMessageID)
		if err != nil {
			return err
		}
		secrets := []string{ep.Secret}
		if ep.PreviousSecret != "" && ep.PreviousUntil != nil && ep.PreviousUntil.After(t.now) {
			secrets = append(secrets, ep.PreviousSecret)
		}
		h, err := webhook.Headers(msg.ID.String(), t.now, msg.Payload, secrets...)
		if err != nil {
			return err
		}
		req, started = webhook.Request{URL: ep.Url, Header: h, Body: msg.Payload}, t.now
		return nil
	})
	if err != nil {
		return err
	}
	resp := d.webhooks.Post(ctx, req)
	return d.inOrg(ctx, ref.OrgID, func(t *tx) error {
		timer, cur, held, err := t.leased(ctx, ref, del)
		if err != nil || !held {
			return err // not held: the lease ran out and a watchdog took the delivery over
		}
		summary := ""
		if resp.Err != nil {
			summary = resp.Err.Error()
		}
		if err := t.q.WebhookAttemptCreate(ctx, db.WebhookAttemptCreateParams{
			ID: uuid.Must(uuid.NewV7()), OrgID: t.org, DeliveryID: del.ID, Attempt: del.Attempts, StartedAt: started,
			StatusCode: int32(resp.StatusCode), DurationMs: int32(resp.Duration.Milliseconds()),
			Response: resp.Excerpt, Error: truncate(summary, webhook.ExcerptMax),
		}); err != nil {
			return err
		}
		outcome := webhook.Classify(resp.StatusCode)
		if resp.Err != nil {
			outcome = webhook.Retry
		} else {
			summary = "answered " + strconv.Itoa(resp.StatusCode)
		}
		finish := db.DeliveryFinishParams{ID: del.ID, State: relance.DeliveryFailed, LastError: summary, ProviderID: strconv.Itoa(resp.StatusCode)}
		switch outcome {
		case webhook.Delivered:
			finish.State, finish.LastError, finish.SentAt = relance.DeliverySent, "", &t.now
			if err := t.q.WebhookEndpointHealthy(ctx, *del.WebhookEndpointID); err != nil {
				return err
			}
		case webhook.Gone:
			if err := t.disableEndpoint(ctx, *del.WebhookEndpointID, "the endpoint answered 410 Gone"); err != nil {
				return err
			}
		default:
			since, err := t.q.WebhookEndpointFailing(ctx, db.WebhookEndpointFailingParams{ID: *del.WebhookEndpointID, FailingSince: &t.now})
			if err != nil {
				return err
			}
			if t.now.Sub(since) >= webhook.DisableAfter {
				if err := t.disableEndpoint(ctx, *del.WebhookEndpointID, "every attempt failed for 5 days"); err != nil {
					return err
				}
				break
			}
			delay, ok := webhook.NextDelay(int(del.Attempts), webhook.ParseRetryAfter(resp.RetryAfter, t.now), rand.Float64())
			if !ok {
				break
			}
			finish.State = relance.DeliveryPending
			if err := t.q.DeliveryFinish(ctx, finish); err != nil {
				return err
			}
			_, err = t.reschedule(ctx, timer.ID, t.now.Add(delay))
			return err
		}
		return t.settleWebhook(ctx, timer, cur, finish)
	})
}

// disableEndpoint turns an endpoint off on its own and tells every active admin. Its waiting
// messages fail when their timers fire (claimWebhook), unless it is enabled again by then: they
// are not touched here, as their rows may be locked by other workers in the other order.
func (t *tx) disableEndpoint(ctx context.Context, id uuid.UUID, reason string) error {
	n, err := t.q.WebhookEndpointDisable(ctx, db.WebhookEndpointDisableParams{ID: id, DisabledReason: reason, UpdatedAt: t.now})
	if err != nil || n == 0 {
		return err
	}
	ep, err := t.q.WebhookEndpointGet(ctx, id)
	if err != nil {
		return err
	}
	admin := string(relance.RoleAdmin)
	admins, err := t.q.UserList(ctx, db.UserListParams{Role: &admin})
	if err != nil {
		return err
	}
	for _, u := range admins {
		if !u.Active {
			continue
		}
		if err := t.alert(ctx, db.AlertCreateParams{
			ID: uuid.Must(uuid.NewV7()), OrgID: t.org, UserID: u.ID, Kind: string(relance.AlertWebhookDisabled),
			Title: "Webhook endpoint disabled", Body: reason + ": " + ep.Url,
			Key: "webhook.disabled:" + id.String() + ":" + t.now.Format(time.RFC3339Nano) + ":" + u.ID.String(), CreatedAt: t.now,
		}); err != nil {
			return err
		}
	}
	return nil
}

// truncate cuts s to at most n bytes on a character boundary.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && (s[n]&0xC0) == 0x80 {
		n--
	}
	return s[:n]
}

func checkWebhookAdmin(p relance.Principal) error {
	if p.IsAdmin() {
		return nil
	}
	return relance.Errorf(relance.CodePermissionDenied, "only admins manage webhooks")
}

// checkEndpoint checks an endpoint's URL and filter; it returns an invalid-argument error naming
// the field.
func (d *DB) checkEndpoint(url string, filter []string) error {
	if err := webhook.CheckURL(url, d.privateWebhooks); err != nil {
		return relance.Invalid("url", err.Error())
	}
	for i, f := range filter {
		if !webhook.ValidFilter(f) {
			return relance.Invalid(fmt.Sprintf("filter[%d]", i), "not an event type or wildcard: "+f)
		}
	}
	return nil
}

func toEndpoint(r db.WebhookEndpoint) webhook.Endpoint {
	return webhook.Endpoint{
		ID: r.ID, URL: r.Url, Description: r.Description, Filter: r.Filter, Enabled: r.Enabled,
		DisabledReason: r.DisabledReason, FailingSince: r.FailingSince, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt,
	}
}

// CreateWebhookEndpoint adds an endpoint with a new secret, returned in it this once. It returns
// an invalid-argument error for a refused URL or filter, permission denied for non-admins.
func (d *DB) CreateWebhookEndpoint(ctx context.Context, p relance.Principal, in webhook.Endpoint) (webhook.Endpoint, error) {
	if err := checkWebhookAdmin(p); err != nil {
		return webhook.Endpoint{}, err
	}
	if err := d.checkEndpoint(in.URL, in.Filter); err != nil {
		return webhook.Endpoint{}, err
	}
	secret, err := webhook.NewSecret()
	if err != nil {
		return webhook.Endpoint{}, err
	}
	var out webhook.Endpoint
	err = d.inOrg(ctx, p.OrgID, func(t *tx) error {
		row, err := t.q.WebhookEndpointCreate(ctx, db.WebhookEndpointCreateParams{
			ID: uuid.Must(uuid.NewV7()), OrgID: t.org, Url: in.URL, Description: in.Description,
			Filter: nonNil(in.Filter), Enabled: in.Enabled, Secret: secret, CreatedAt: t.now,
		})
		if err != nil {
			return err
		}
		out = toEndpoint(row)
		out.Secret = secret
		return t.audit(ctx, p, "webhook.create", "webhook_endpoint", row.ID, map[string]any{"url": in.URL})
	})
	return out, err
}

// UpdateWebhookEndpoint changes an endpoint; enabling it again forgets why it was disabled. It
// returns not found for an endpoint of another organisation.
func (d *DB) UpdateWebhookEndpoint(ctx context.Context, p relance.Principal, id uuid.UUID, ch webhook.EndpointChange) (webhook.Endpoint, error) {
	if err := checkWebhookAdmin(p); err != nil {
		return webhook.Endpoint{}, err
	}
	var out webhook.Endpoint
	err := d.inOrg(ctx, p.OrgID, func(t *tx) error {
		row, err := t.q.WebhookEndpointGetForUpdate(ctx, id)
		if err != nil {
			return found(err, "webhook endpoint")
		}
		if ch.URL != nil {
			row.Url = *ch.URL
		}
		if ch.Description != nil {
			row.Description = *ch.Description
		}
		if ch.Filter != nil {
			row.Filter = nonNil(*ch.Filter)
		}
		if ch.Enabled != nil {
			row.Enabled = *ch.Enabled
		}
		if err := d.checkEndpoint(row.Url, row.Filter); err != nil {
			return err
		}
		row, err = t.q.WebhookEndpointUpdate(ctx, db.WebhookEndpointUpdateParams{
			ID: id, Url: row.Url, Description: row.Description, Filter: row.Filter, Enabled: row.Enabled, UpdatedAt: t.now,
		})
		if err != nil {
			return err
		}
		out = toEndpoint(row)
		return t.audit(ctx, p, "webhook.update", "webhook_endpoint", id, map[string]any{"url": row.Url, "enabled": row.Enabled})
	})
	return out, err
}

// DeleteWebhookEndpoint removes an endpoint and its deliveries. It returns not found for an
// endpoint of another organisation.
func (d *DB) DeleteWebhookEndpoint(ctx context.Context, p relance.Principal, id uuid.UUID) error {
	if err := checkWebhookAdmin(p); err != nil {
		return err
	}
	return d.inOrg(ctx, p.OrgID, func(t *tx) error {
		n, err := t.q.WebhookEndpointDelete(ctx, id)
		if err != nil {
			return err
		}
		if n == 0 {
			return relance.NotFound("webhook endpoint")
		}
		return t.audit(ctx, p, "webhook.delete", "webhook_endpoint", id, nil)
	})
}

// ListWebhookEndpoints lists the organisation's endpoints, oldest first, without their secrets.
func (d *DB) ListWebhookEndpoints(ctx context.Context, p relance.Principal) ([]webhook.Endpoint, error) {
	if err := checkWebhookAdmin(p); err != nil {
		return nil, err
	}
	var out []webhook.Endpoint
	err := d.inOrg(ctx, p.OrgID, func(t *tx) error {
		rows, err := t.q.WebhookEndpointList(ctx)
		for _, r := range rows {
			out = append(out, toEndpoint(r))
		}
		return err
	})
	return out, err
}

// RotateWebhookSecret gives an endpoint a new secret, returned this once; the previous one still
// signs, beside it, for 24 hours.
func (d *DB) RotateWebhookSecret(ctx context.Context, p relance.Principal, id uuid.UUID) (webhook.Endpoint, error) {
	if err := checkWebhookAdmin(p); err != nil {
		return webhook.Endpoint{}, err
	}
	secret, err := webhook.NewSecret()
	if err != nil {
		return webhook.Endpoint{}, err
	}
	var out webhook.Endpoint
	err = d.inOrg(ctx, p.OrgID, func(t *tx) error {
		until := t.now.Add(rotationOverlap)
		row, err := t.q.WebhookEndpointRotate(ctx, db.WebhookEndpointRotateParams{ID: id, Secret: secret, PreviousUntil: &until, UpdatedAt: t.now})
		if err != nil {
			return found(err, "webhook endpoint")
		}
		out = toEndpoint(row)
		out.Secret = secret
		return t.audit(ctx, p, "webhook.rotate", "webhook_endpoint", id, nil)
	})
	return out, err
}

// SendWebhookTest sends a test event to one enabled endpoint and returns its message id.
func (d *DB) SendWebhookTest(ctx context.Context, p relance.Principal, id uuid.UUID) (uuid.UUID, error) {
	if err := checkWebhookAdmin(p); err != nil {
		return uuid.Nil, err
	}
	var msg uuid.UUID
	err := d.inOrg(ctx, p.OrgID, func(t *tx) error {
		ep, err := t.q.WebhookEndpointGet(ctx, id)
		if err != nil {
			return found(err, "webhook endpoint")
		}
		if !ep.Enabled {
			return relance.Errorf(relance.CodeFailedPrecondition, "the endpoint is disabled")
		}
		msg, err = t.writeEvent(ctx, webhook.Test, uuid.Nil, map[string]string{"endpoint_id": id.String()}, id)
		return err
	})
	return msg, err
}

// ListWebhookMessages lists messages newest first, before the message before (uuid.Nil: from the
// newest), optionally of one lead, each with its deliveries.
func (d *DB) ListWebhookMessages(ctx context.Context, p relance.Principal, before, lead uuid.UUID, limit int) ([]webhook.Message, error) {
	if err := checkWebhookAdmin(p); err != nil {
		return nil, err
	}
	var out []webhook.Message
	err := d.inOrg(ctx, p.OrgID, func(t *tx) error {
		rows, err := t.q.WebhookMessageList(ctx, db.WebhookMessageListParams{BeforeID: optUUID(before), LeadID: optUUID(lead), RowLimit: int32(limit)})
		if err != nil {
			return err
		}
		ids := make([]uuid.UUID, len(rows))
		at := make(map[uuid.UUID]int, len(rows))
		for i, r := range rows {
			ids[i], at[r.ID] = r.ID, i
			out = append(out, webhook.Message{ID: r.ID, Type: r.Type, LeadID: deref(r.LeadID), Payload: r.Payload, CreatedAt: r.CreatedAt})
		}
		dels, err := t.q.WebhookDeliveryListByMessages(ctx, ids)
		for _, del := range dels {
			m := &out[at[*del.WebhookMessageID]]
			m.Deliveries = append(m.Deliveries, webhook.Delivery{
				ID: del.ID, EndpointID: deref(del.WebhookEndpointID), State: del.State, Attempts: int(del.Attempts),
				LastError: del.LastError, SentAt: del.SentAt,
			})
		}
		return err
	})
	return out, err
}

// ListWebhookAttempts lists the attempts of one webhook delivery. It returns not found for a
// delivery of another organisation.
func (d *DB) ListWebhookAttempts(ctx context.Context, p relance.Principal, delivery uuid.UUID) ([]webhook.Attempt, error) {
	if err := checkWebhookAdmin(p); err != nil {
		return nil, err
	}
	var out []webhook.Attempt
	err := d.inOrg(ctx, p.OrgID, func(t *tx) error {
		if _, err := t.q.WebhookDeliveryGet(ctx, delivery); err != nil {
			return found(err, "webhook delivery")
		}
		rows, err := t.q.WebhookAttemptList(ctx, delivery)
		for _, r := range rows {
			out = append(out, webhook.Attempt{
				Attempt: int(r.Attempt), StartedAt: r.StartedAt, StatusCode: int(r.StatusCode),
				Duration: time.Duration(r.DurationMs) * time.Millisecond, Response: r.Response, Error: r.Error,
			})
		}
		return err
	})
	return out, err
}

// ResendFailedWebhooks sends again, from their first try, the failed deliveries of messages
// created since since (to one endpoint when endpoint is set), and returns how many.
func (d *DB) ResendFailedWebhooks(ctx context.Context, p relance.Principal, since time.Time, endpoint uuid.UUID) (int, error) {
	if err := checkWebhookAdmin(p); err != nil {
		return 0, err
	}
	var n int
	err := d.inOrg(ctx, p.OrgID, func(t *tx) error {
		if endpoint != uuid.Nil {
			ep, err := t.q.WebhookEndpointGet(ctx, endpoint)
			if err != nil {
				return found(err, "webhook endpoint")
			}
			if !ep.Enabled {
				return relance.Errorf(relance.CodeFailedPrecondition, "the endpoint is disabled")
			}
		}
		ids, err := t.q.WebhookDeliveryListFailed(ctx, db.WebhookDeliveryListFailedParams{CreatedAt: since, EndpointID: optUUID(endpoint)})
		if err != nil {
			return err
		}
		for _, id := range ids {
			if err := t.q.WebhookDeliveryRevive(ctx, id); err != nil {
				return err
			}
			if err := t.schedule(ctx, relance.TimerDelivery, id, "", t.now); err != nil {
				return err
			}
		}
		n = len(ids)
		return t.audit(ctx, p, "webhook.resend", "webhook_endpoint", endpoint, map[string]any{"since": since, "count": n})
	})
	return n, err
}
