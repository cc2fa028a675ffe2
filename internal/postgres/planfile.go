package postgres

import (
	"context"

	"github.com/google/uuid"

	"github.com/relancehq/relance/gen/db"
	"github.com/relancehq/relance/internal/relance"
)

// AddPlanFile joins a file to an automatic email step of a plan (managers and admins): every
// email the step sends carries it. The bytes are stored first, then described in a transaction
// that re-checks the step; when that fails they are removed again. It returns invalid-input for
// a bad file, not-found for an unknown plan, and failed-precondition for a step that is not an
// automatic email, or one whose files would pass relance.MaxAttachments or relance.MaxMailFiles.
func (d *DB) AddPlanFile(ctx context.Context, p relance.Principal, planID uuid.UUID, step int, fileName, contentType string, data []byte) (relance.Attachment, error) {
	if err := p.CheckManagePlans(); err != nil {
		return relance.Attachment{}, err
	}
	att, err := relance.NewAttachment(uuid.Nil, fileName, contentType, data, d.fileMax)
	if err != nil {
		return att, err
	}
	att.Storage, att.UploadedBy = d.files.Name(), p.UserID
	check := func(t *tx) error {
		plan, err := t.plan(ctx, planID, true)
		if err != nil {
			return err
		}
		return relance.CheckPlanFile(&plan, step, att.Size)
	}
	err = d.storeFile(ctx, p.OrgID, "plan file", &att, data, check, func(t *tx) error {
		if err := t.q.PlanFileCreate(ctx, db.PlanFileCreateParams{
			ID: att.ID, OrgID: t.org, PlanID: planID, Step: int16(step), FileName: att.FileName, ContentType: att.ContentType,
			SizeBytes: att.Size, Sha256: att.SHA256, Storage: att.Storage, UploadedBy: p.UserID, CreatedAt: t.now,
		}); err != nil {
			return err
		}
		return t.audit(ctx, p, "plan.attach", "plan", planID,
			map[string]any{"file_id": att.ID, "step": step, "file_name": att.FileName, "size": att.Size})
	})
	return att, err
}

// RemovePlanFile takes a file off a plan's step (managers and admins). Emails already written
// still carry it, so its row and bytes stay. It returns not-found for a file no step carries.
func (d *DB) RemovePlanFile(ctx context.Context, p relance.Principal, id uuid.UUID) error {
	if err := p.CheckManagePlans(); err != nil {
		return err
	}
	return d.inOrg(ctx, p.OrgID, func(t *tx) error {
		row, err := t.q.PlanFileGet(ctx, id)
		if err != nil {
			return found(err, "plan file")
		}
		if err := t.q.PlanFileRemove(ctx, db.PlanFileRemoveParams{ID: id, RemovedAt: &t.now}); err != nil {
			return err
		}
		return t.audit(ctx, p, "plan.detach", "plan", row.PlanID, map[string]any{"file_id": id, "file_name": row.FileName})
	})
}

// keepFiles takes the files off the steps of a plan that no longer send an automatic email
// (or no longer exist), after its steps were rewritten: a file never rides on a step that
// cannot carry it, nor reappears when a later edit makes the position an email again.
func (t *tx) keepFiles(ctx context.Context, planID uuid.UUID, steps []relance.Step) error {
	keep := []int16{}
	for i, s := range steps {
		if s.Automatic && s.Kind == relance.KindEmail {
			keep = append(keep, int16(i))
		}
	}
	return t.q.PlanFileRemoveOffSteps(ctx, db.PlanFileRemoveOffStepsParams{Now: &t.now, PlanID: planID, Keep: keep})
}

// withFiles fills in the files of the plans' steps.
func (t *tx) withFiles(ctx context.Context, plans []relance.Plan) error {
	ids := make([]uuid.UUID, len(plans))
	byID := make(map[uuid.UUID]*relance.Plan, len(plans))
	for i := range plans {
		ids[i], byID[plans[i].ID] = plans[i].ID, &plans[i]
	}
	rows, err := t.q.PlanFileList(ctx, ids)
	for _, r := range rows {
		if p := byID[r.PlanID]; int(r.Step) < len(p.Steps) {
			s := &p.Steps[r.Step]
			s.Files = append(s.Files, relance.Attachment{
				ID: r.ID, FileName: r.FileName, ContentType: r.ContentType, Size: r.SizeBytes, SHA256: r.Sha256,
				Storage: r.Storage, UploadedBy: r.UploadedBy, CreatedAt: r.CreatedAt,
			})
		}
	}
	return err
}
