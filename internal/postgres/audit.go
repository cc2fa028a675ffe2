package postgres

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/google/uuid"

	"github.com/relancehq/relance/gen/db"
	"github.com/relancehq/relance/internal/relance"
)

// audit appends who did what to the append-only audit log, in the same transaction as the change.
func (t *tx) audit(ctx context.Context, p relance.Principal, action, subjectType string, subjectID uuid.UUID, details map[string]any) error {
	kind, actor := auditActor(p)
	raw, err := auditDetails(details)
	if err != nil {
		return err
	}
	return t.q.AuditInsert(ctx, db.AuditInsertParams{
		OrgID: t.org, At: t.now, ActorKind: kind, ActorID: actor, Action: action,
		SubjectType: subjectType, SubjectID: optUUID(subjectID), Details: raw,
	})
}

// auditActor returns how the audit log names who acts as p: a user, an API key, or the system.
func auditActor(p relance.Principal) (kind string, id *uuid.UUID) {
	switch {
	case p.Role == relance.RolePartner:
		return "api_key", optUUID(p.TokenID)
	case p.UserID == uuid.Nil:
		return "system", nil
	}
	return "user", optUUID(p.UserID)
}

// auditDetails encodes an audit row's details ({} for none).
func auditDetails(details map[string]any) ([]byte, error) {
	if len(details) == 0 {
		return []byte("{}"), nil
	}
	raw, err := json.Marshal(details)
	if err != nil {
		return nil, fmt.Errorf("audit details: %w", err)
	}
	return raw, nil
}
