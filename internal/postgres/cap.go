package postgres

import (
	"context"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/relancehq/relance/gen/db"
	"github.com/relancehq/relance/internal/message"
	"github.com/relancehq/relance/internal/relance"
)

// admitCustomerMessage counts a message to a customer against the organisation's daily caps, or
// returns the cap it would exceed (and counts nothing). The organisation's and the recipient's
// counter rows of the day stay locked until the transaction ends, so workers claiming messages
// at the same time decide one after the other, each on the counts the previous one committed:
// a cap is never exceeded, and a message is counted once, whatever its retries.
func (t *tx) admitCustomerMessage(ctx context.Context, del *db.Delivery) (*relance.CapReached, error) {
	org, err := t.q.OrganizationGet(ctx, t.org)
	if err != nil {
		return nil, err
	}
	counter := db.MessageCountLockParams{
		OrgID: t.org, Day: relance.CapDay(t.now), Channel: del.Channel, Recipient: strings.ToLower(del.Recipient),
	}
	rows, err := t.q.MessageCountLock(ctx, counter)
	if err != nil {
		return nil, err
	}
	var orgSent, recipientSent int
	for _, r := range rows {
		if r.Recipient == "" {
			orgSent = int(r.Sent)
		} else {
			recipientSent = int(r.Sent)
		}
	}
	if reached := toOrganization(org).Caps.Admit(relance.Channel(del.Channel), orgSent, recipientSent); reached != nil {
		return reached, nil
	}
	return nil, t.q.MessageCountAdd(ctx, db.MessageCountAddParams(counter))
}

// refuseDelivery records a customer message over a cap as failed for good, unsent, with the cap
// as its reason (a plan step's action fails with it), and tells the admins.
func (t *tx) refuseDelivery(ctx context.Context, timer db.Timer, del *db.Delivery, reached *relance.CapReached) error {
	if err := t.q.DeliveryFinish(ctx, db.DeliveryFinishParams{
		ID: del.ID, State: relance.DeliveryFailed, LastError: reached.Error(),
	}); err != nil {
		return err
	}
	if err := t.stepUndelivered(ctx, del.Key, reached); err != nil {
		return err
	}
	if err := t.tellCapReached(ctx, reached, deref(del.LeadID)); err != nil {
		return err
	}
	return t.q.TimerFinish(ctx, db.TimerFinishParams{ID: timer.ID, State: "done", FiredAt: &t.now})
}

// tellCapReached alerts every active admin that a cap refused a message (leadID's): in-app
// whatever their preference, since messages are being refused organisation-wide and the alert
// list is where an admin finds why, and by email for those who take email. The alert's key
// holds the cap and the day, so each admin is told once per cap and day however many messages
// the cap refuses.
func (t *tx) tellCapReached(ctx context.Context, reached *relance.CapReached, leadID uuid.UUID) error {
	rows, err := t.q.UserList(ctx, db.UserListParams{Role: new(string(relance.RoleAdmin))})
	if err != nil {
		return err
	}
	day := relance.CapDay(t.now).Format(time.DateOnly)
	for _, r := range rows {
		admin := toUser(r, nil)
		if !admin.Active {
			continue
		}
		msg, err := message.Render("message_cap", admin.Locale, message.MessageCap{
			RecipientName: admin.DisplayName, Cap: string(reached.Cap), Limit: reached.Limit, Day: day,
		})
		if err != nil {
			return err
		}
		admin.Notifications.InApp = true
		var channels []relance.Channel
		if admin.Notifications.Email {
			channels = append(channels, relance.ChannelEmail)
		}
		key := "message.cap:" + day + ":" + string(reached.Cap) + ":" + admin.ID.String()
		if err := t.alertAndDeliver(ctx, key, relance.AlertMessageCap, &admin, leadID, msg, channels); err != nil {
			return err
		}
	}
	return nil
}
