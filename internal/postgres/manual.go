package postgres

import (
	"context"
	"errors"
	"fmt"
	"net/mail"

	"github.com/google/uuid"

	"github.com/relancehq/relance/gen/db"
	"github.com/relancehq/relance/internal/blob"
	"github.com/relancehq/relance/internal/relance"
)

// manualDeliveryKey is the delivery key of the message a member sends by carrying out a manual
// email or SMS action: one per action, so that completing it again sends nothing more.
func manualDeliveryKey(actionID uuid.UUID, ch relance.Channel) string {
	return "manual:" + actionID.String() + ":" + string(ch)
}

// manualMessage is the delivery that carrying out manual action a (an email or SMS about a
// lead, subject and content as the member left them, attachments loaded) sends, from member p.
// It refuses, before anything is written, a message that cannot go: invalid-input for a bad
// subject or body, failed-precondition when the lead has no address for it, its number cannot
// receive SMS, or the files are too large for one email.
func (t *tx) manualMessage(ctx context.Context, p relance.Principal, a *relance.Action) (db.DeliveryCreateParams, error) {
	if err := relance.CheckManualMessage(a.Kind, a.Subject, a.Content, a.Attachments); err != nil {
		return db.DeliveryCreateParams{}, err
	}
	to := ""
	if len(a.Recipients) > 0 {
		to = a.Recipients[0]
	} else {
		lead, err := t.lockLead(ctx, a.LeadID)
		if err != nil {
			return db.DeliveryCreateParams{}, err
		}
		if c := contactOf(&lead, a.Kind); len(c) > 0 {
			to = c[0]
		}
	}
	if to == "" {
		return db.DeliveryCreateParams{}, relance.Errorf(relance.CodeFailedPrecondition, "the lead has no address to send this %s to", a.Kind)
	}
	m := relance.Message{Channel: relance.ChannelSMS, To: to, Text: a.Content}
	if a.Kind == relance.KindSMS {
		n, err := relance.SMSNumber(to)
		if err != nil {
			return db.DeliveryCreateParams{}, relance.Errorf(relance.CodeFailedPrecondition, "%s", err.Error())
		}
		m.To = n
		return t.delivery(manualDeliveryKey(a.ID, m.Channel), m, uuid.Nil, a.LeadID), nil
	}
	if addr, err := mail.ParseAddress(to); err != nil || addr.Address != to {
		return db.DeliveryCreateParams{}, relance.Errorf(relance.CodeFailedPrecondition, "the recipient %q is not an email address", to)
	}
	member, err := t.user(ctx, p.UserID)
	if err != nil {
		return db.DeliveryCreateParams{}, err
	}
	org, err := t.q.OrganizationGet(ctx, t.org)
	if err != nil {
		return db.DeliveryCreateParams{}, err
	}
	m = relance.Message{Channel: relance.ChannelEmail, To: to, Subject: a.Subject, Text: a.Content}
	m.FromName, m.From, m.ReplyTo = relance.MemberSender(relance.SenderMode(org.SenderMode), &member, org.Name)
	params := t.delivery(manualDeliveryKey(a.ID, m.Channel), m, uuid.Nil, a.LeadID)
	for _, f := range a.Attachments {
		params.AttachmentIds = append(params.AttachmentIds, f.ID)
	}
	return params, nil
}

// mailFiles reads the files an email carries, description and bytes, in the order given. A
// file gone from its store is a permanent failure: sending again will not bring it back.
func (d *DB) mailFiles(ctx context.Context, org uuid.UUID, ids []uuid.UUID) ([]relance.File, error) {
	var rows []db.AttachmentListByIDRow
	if err := d.inOrg(ctx, org, func(t *tx) error {
		var err error
		rows, err = t.q.AttachmentListByID(ctx, ids)
		return err
	}); err != nil {
		return nil, err
	}
	if len(rows) != len(ids) {
		return nil, relance.Permanent(fmt.Errorf("%d of the email's %d files are gone", len(ids)-len(rows), len(ids)))
	}
	files := make([]relance.File, len(rows))
	for i, r := range rows {
		if r.Storage != d.files.Name() {
			return nil, relance.Permanent(fmt.Errorf("file %s is in the %s store; this server uses %s", r.ID, r.Storage, d.files.Name()))
		}
		data, err := d.files.Get(ctx, org, r.ID)
		if errors.Is(err, blob.ErrNotFound) {
			return nil, relance.Permanent(fmt.Errorf("file %s: %w", r.ID, err))
		}
		if err != nil {
			return nil, fmt.Errorf("file %s: %w", r.ID, err)
		}
		files[i] = relance.File{Name: r.FileName, ContentType: r.ContentType, Data: data}
	}
	return files, nil
}
