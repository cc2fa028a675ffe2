package postgres

import (
	"context"
	"errors"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/relancehq/relance/gen/db"
	"github.com/relancehq/relance/internal/message"
	"github.com/relancehq/relance/internal/relance"
	"github.com/relancehq/relance/internal/webhook"
)

// repeatOf records in as a repeat inquiry on candidate, the open lead of its customer (same phone
// number or email, same site) received within the organisation's repeat days, which readAhead
// found (uuid.Nil: none), and returns that lead (ok). A retry of a repeat gives the same lead
// back; a retry of a request that created a lead is left to CreateLead's own replay.
func (t *tx) repeatOf(ctx context.Context, p relance.Principal, in *relance.NewLead, received time.Time, candidate uuid.UUID) (relance.Lead, bool, error) {
	if candidate == uuid.Nil {
		return relance.Lead{}, false, nil
	}
	scope, fingerprint := p.IdempotencyScope(), in.Fingerprint()
	dedup := db.LeadGetByDedupKeyParams{
		ExternalID: optString(in.ExternalID), Source: in.Source,
		IdempotencyKey: optString(in.IdempotencyKey), IdempotencyScope: scope,
	}
	if _, err := t.q.LeadGetByDedupKey(ctx, dedup); err == nil {
		return relance.Lead{}, false, nil // a retry of a request that created a lead
	} else if !errors.Is(err, pgx.ErrNoRows) {
		return relance.Lead{}, false, err
	}
	lead, err := t.lockLead(ctx, candidate)
	if err != nil || lead.Stage != relance.StageOpen {
		return relance.Lead{}, false, err // closed since: a new lead
	}
	r := relance.Repeat{
		ID: uuid.Must(uuid.NewV7()), LeadID: lead.ID, Source: in.Source, SourceGroup: in.SourceGroup,
		Contact: in.Contact, Notes: in.Notes, ReceivedAt: received.UTC(), CreatedAt: t.now,
	}
	n, err := t.q.RepeatCreate(ctx, db.RepeatCreateParams{
		ID: r.ID, OrgID: t.org, LeadID: lead.ID, Source: r.Source, SourceGroup: r.SourceGroup,
		ContactName: r.Contact.Name, ContactPhone: r.Contact.Phone, ContactEmail: r.Contact.Email, Notes: r.Notes,
		ReceivedAt: r.ReceivedAt, CreatedAt: t.now, ExternalID: optString(in.ExternalID),
		IdempotencyKey: optString(in.IdempotencyKey), IdempotencyScope: scope, Fingerprint: fingerprint,
	})
	if err != nil {
		return relance.Lead{}, false, err
	}
	if n == 0 {
		return t.repeatReplay(ctx, in, dedup, fingerprint)
	}
	if err := t.q.ActivityCreate(ctx, db.ActivityCreateParams{
		ID: uuid.Must(uuid.NewV7()), OrgID: t.org, LeadID: lead.ID, Kind: string(relance.KindInquiry),
		Origin: string(relance.OriginSystem), State: string(relance.ActivityDone), DoneAt: &r.ReceivedAt,
		Content: r.Summary(), Direction: string(relance.Inbound), CreatedAt: t.now,
	}); err != nil {
		return relance.Lead{}, false, err
	}
	if err := t.schedule(ctx, relance.TimerLeadRepeat, lead.ID, r.ID.String(), t.now); err != nil {
		return relance.Lead{}, false, err
	}
	t.emit(ctx, webhook.LeadRepeat, lead.ID, lead)
	if err := t.audit(ctx, p, "lead.repeat", "lead", lead.ID, map[string]any{"repeat": r.ID, "source": r.Source}); err != nil {
		return relance.Lead{}, false, err
	}
	return lead, true, nil
}

// repeatReplay answers a retry of a repeat inquiry: the lead it was recorded on, or a conflict
// when the key was used for a different request.
func (t *tx) repeatReplay(ctx context.Context, in *relance.NewLead, dedup db.LeadGetByDedupKeyParams, fingerprint []byte) (relance.Lead, bool, error) {
	prev, err := t.q.RepeatGetByDedupKey(ctx, db.RepeatGetByDedupKeyParams(dedup))
	if err != nil {
		return relance.Lead{}, false, found(err, "repeat inquiry")
	}
	lead, err := t.lockLead(ctx, prev.LeadID)
	if err != nil {
		return relance.Lead{}, false, err
	}
	if err := relance.CheckReplay(in, fingerprint, &lead, prev.Fingerprint); err != nil {
		return relance.Lead{}, false, err
	}
	return lead, true, nil
}

// fireLeadRepeat tells the advisor of a lead (or, when nobody has it, its site's managers) that
// its customer wrote again.
func (t *tx) fireLeadRepeat(ctx context.Context, timer db.Timer) error {
	repeatID, err := uuid.Parse(timer.Ref)
	if err != nil {
		return err
	}
	r, err := t.q.RepeatGet(ctx, repeatID)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil // the lead, and its repeats, were deleted since
	}
	if err != nil {
		return err
	}
	row, err := t.q.LeadGet(ctx, r.LeadID)
	if err != nil {
		return found(err, "lead")
	}
	lead := toLead(row)
	if lead.Stage != relance.StageOpen {
		return nil // closed since: nobody needs telling
	}
	site, err := t.site(ctx, lead.SiteID)
	if err != nil {
		return err
	}
	recipients, err := t.watchers(ctx, &lead)
	if err != nil {
		return err
	}
	for _, user := range recipients {
		msg, err := message.Render("lead_repeat", user.Locale, message.LeadRepeat{
			RecipientName: user.DisplayName, ContactName: r.ContactName, ContactPhone: r.ContactPhone,
			ContactEmail: r.ContactEmail, Source: r.Source, SiteName: site.Name,
			ReceivedAt: r.ReceivedAt.In(siteLocation(site)), LeadReceivedAt: lead.ReceivedAt.In(siteLocation(site)), Notes: r.Notes,
			LeadURL: t.links.Lead(lead.ID),
		})
		if err != nil {
			return err
		}
		key := "lead.repeat:" + r.ID.String() + ":" + user.ID.String()
		if err := t.alertAndDeliver(ctx, key, relance.AlertLeadRepeat, &user, lead.ID, msg, user.AlertChannels()); err != nil {
			return err
		}
	}
	return nil
}

// watchers are who is told about news of a lead: its advisor, or, while nobody has it, the
// active managers of its site.
func (t *tx) watchers(ctx context.Context, lead *relance.Lead) ([]relance.User, error) {
	if lead.AssigneeID != uuid.Nil {
		u, err := t.user(ctx, lead.AssigneeID)
		if err != nil || !u.Active {
			return nil, err
		}
		return []relance.User{u}, nil
	}
	rows, err := t.q.UserList(ctx, db.UserListParams{Role: optString(string(relance.RoleManager)), SiteID: &lead.SiteID})
	if err != nil {
		return nil, err
	}
	var out []relance.User
	for _, r := range rows {
		if !r.Active {
			continue
		}
		u, err := t.user(ctx, r.ID)
		if err != nil {
			return nil, err
		}
		out = append(out, u)
	}
	return out, nil
}
