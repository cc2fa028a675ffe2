package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/relancehq/relance/gen/db"
	"github.com/relancehq/relance/internal/blob"
	"github.com/relancehq/relance/internal/relance"
)

// Blobs is the blob.Store keeping files in the blobs table, each under its organisation's
// row-level security. It is the default store.
type Blobs struct{ d *DB }

// Name implements blob.Store.
func (Blobs) Name() string { return "postgres" }

// Put implements blob.Store.
func (b Blobs) Put(ctx context.Context, org, id uuid.UUID, data []byte) error {
	return b.d.inOrg(ctx, org, func(t *tx) error {
		return t.q.BlobPut(ctx, db.BlobPutParams{ID: id, OrgID: org, Data: data, CreatedAt: t.now})
	})
}

// Get implements blob.Store.
func (b Blobs) Get(ctx context.Context, org, id uuid.UUID) ([]byte, error) {
	var data []byte
	err := b.d.inOrg(ctx, org, func(t *tx) error {
		var err error
		data, err = t.q.BlobGet(ctx, id)
		if errors.Is(err, pgx.ErrNoRows) {
			return blob.ErrNotFound
		}
		return err
	})
	return data, err
}

// Delete implements blob.Store.
func (b Blobs) Delete(ctx context.Context, org, id uuid.UUID) error {
	return b.d.inOrg(ctx, org, func(t *tx) error { return t.q.BlobDelete(ctx, id) })
}

// AddAttachment joins a file to one of p's pending actions. The bytes are stored first, then
// described in a transaction that re-checks the action; when that fails they are removed again.
// A crash in between leaves bytes nothing points to, never a description without bytes.
func (d *DB) AddAttachment(ctx context.Context, p relance.Principal, actionID uuid.UUID, fileName, contentType string, data []byte) (relance.Attachment, error) {
	att, err := relance.NewAttachment(actionID, fileName, contentType, data, d.fileMax)
	if err != nil {
		return att, err
	}
	att.Storage, att.UploadedBy = d.files.Name(), p.UserID
	// Strangers store nothing: the action is checked before the bytes are written.
	check := func(t *tx) error {
		_, err := t.ownPendingAttachable(ctx, p, actionID)
		return err
	}
	err = d.storeFile(ctx, p.OrgID, "attachment", &att, data, check, func(t *tx) error {
		if err := t.q.AttachmentCreate(ctx, db.AttachmentCreateParams{
			ID: att.ID, OrgID: t.org, ActionID: actionID, FileName: att.FileName, ContentType: att.ContentType,
			SizeBytes: att.Size, Sha256: att.SHA256, Storage: att.Storage, UploadedBy: p.UserID, CreatedAt: t.now,
		}); err != nil {
			return err
		}
		return t.audit(ctx, p, "action.attach", "action", actionID,
			map[string]any{"attachment_id": att.ID, "file_name": att.FileName, "size": att.Size})
	})
	return att, err
}

// storeFile stores a file's bytes once check passes, then describes the file (describe) in a
// transaction that runs check again, with att.CreatedAt set to its instant. When that fails the
// bytes are removed again: a crash in between leaves bytes nothing points to, never a
// description without bytes. what names the file in errors and logs.
func (d *DB) storeFile(ctx context.Context, org uuid.UUID, what string, att *relance.Attachment, data []byte, check, describe func(t *tx) error) error {
	if err := d.inOrg(ctx, org, check); err != nil {
		return err
	}
	if err := d.files.Put(ctx, org, att.ID, data); err != nil {
		return fmt.Errorf("store %s: %w", what, err)
	}
	err := d.inOrg(ctx, org, func(t *tx) error {
		if err := check(t); err != nil {
			return err
		}
		att.CreatedAt = t.now
		return describe(t)
	})
	if err != nil {
		if derr := d.files.Delete(context.WithoutCancel(ctx), org, att.ID); derr != nil {
			d.log.WarnContext(ctx, what+" bytes left behind", "file", att.ID, "err", derr)
		}
	}
	return err
}

// ownPendingAttachable locks one of p's pending actions and checks it may take one more file.
func (t *tx) ownPendingAttachable(ctx context.Context, p relance.Principal, actionID uuid.UUID) (relance.Action, error) {
	a, err := t.ownPendingAction(ctx, p, actionID)
	if err != nil {
		return a, err
	}
	n, err := t.q.AttachmentCount(ctx, actionID)
	if err != nil {
		return a, err
	}
	if n >= relance.MaxAttachments {
		return a, relance.Errorf(relance.CodeFailedPrecondition, "an action takes at most %d files", relance.MaxAttachments)
	}
	return a, nil
}

// Attachment returns a file of one of p's actions, description and bytes. Anyone but the
// action's assignee gets not-found, as for the action itself.
func (d *DB) Attachment(ctx context.Context, p relance.Principal, id uuid.UUID) (relance.Attachment, []byte, error) {
	var att relance.Attachment
	err := d.inOrg(ctx, p.OrgID, func(t *tx) error {
		var err error
		att, err = t.ownAttachment(ctx, p, id, false)
		return err
	})
	if err != nil {
		return att, nil, err
	}
	if att.Storage != d.files.Name() {
		return att, nil, fmt.Errorf("attachment %s is in the %s store; this server uses %s", id, att.Storage, d.files.Name())
	}
	data, err := d.files.Get(ctx, p.OrgID, id)
	if err != nil {
		return att, nil, fmt.Errorf("read attachment %s: %w", id, err)
	}
	return att, data, nil
}

// RemoveAttachment removes a file from one of p's pending actions. Its bytes go after the
// description; a crash in between leaves bytes nothing points to.
func (d *DB) RemoveAttachment(ctx context.Context, p relance.Principal, id uuid.UUID) error {
	var att relance.Attachment
	err := d.inOrg(ctx, p.OrgID, func(t *tx) error {
		var err error
		if att, err = t.ownAttachment(ctx, p, id, true); err != nil {
			return err
		}
		if err := t.q.AttachmentDelete(ctx, id); err != nil {
			return err
		}
		return t.audit(ctx, p, "action.detach", "action", att.ActionID,
			map[string]any{"attachment_id": id, "file_name": att.FileName})
	})
	if err != nil {
		return err
	}
	if att.Storage == d.files.Name() {
		if err := d.files.Delete(ctx, p.OrgID, id); err != nil {
			d.log.WarnContext(ctx, "attachment bytes left behind", "attachment", id, "err", err)
		}
	}
	return nil
}

// ownAttachment reads attachment id when p may see its action (and, with pending, change it).
func (t *tx) ownAttachment(ctx context.Context, p relance.Principal, id uuid.UUID, pending bool) (relance.Attachment, error) {
	row, err := t.q.AttachmentGet(ctx, id)
	if err != nil {
		return relance.Attachment{}, found(err, "attachment")
	}
	att := toAttachment(row)
	if pending {
		_, err = t.ownPendingAction(ctx, p, att.ActionID)
	} else {
		var a db.Action
		if a, err = t.q.ActionGet(ctx, att.ActionID); err == nil {
			err = p.CheckOwnAction(new(toAction(a)))
		}
	}
	if relance.ErrorCode(err) == relance.CodeNotFound {
		return att, relance.NotFound("attachment")
	}
	return att, err
}

// withAttachments fills in the attachments of actions.
func (t *tx) withAttachments(ctx context.Context, actions ...*relance.Action) error {
	if len(actions) == 0 {
		return nil
	}
	ids := make([]uuid.UUID, len(actions))
	byID := make(map[uuid.UUID]*relance.Action, len(actions))
	for i, a := range actions {
		ids[i], byID[a.ID] = a.ID, a
		a.Attachments = nil
	}
	rows, err := t.q.AttachmentList(ctx, ids)
	for _, r := range rows {
		a := byID[r.ActionID]
		a.Attachments = append(a.Attachments, toAttachment(r))
	}
	return err
}

func toAttachment(r db.Attachment) relance.Attachment {
	return relance.Attachment{
		ID: r.ID, ActionID: r.ActionID, FileName: r.FileName, ContentType: r.ContentType, Size: r.SizeBytes,
		SHA256: r.Sha256, Storage: r.Storage, UploadedBy: r.UploadedBy, CreatedAt: r.CreatedAt,
	}
}
