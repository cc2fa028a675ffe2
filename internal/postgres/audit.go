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
	kind, actor := "user", optUUID(p.UserID)
	switch {
	case p.Role == relance.RolePartner:
		kind, actor = "api_key", optUUID(p.TokenID)
	case p.UserID == uuid.Nil:
		kind = "system"
	}
	raw := []byte("{}")
	if len(details) > 0 {
		var err error
		if raw, err = json.Marshal(details); err != nil {
			return fmt.Errorf("audit details: %w", err)
		}
	}
	return t.q.AuditInsert(ctx, db.AuditInsertParams{
		OrgID: t.org, At: t.now, ActorKind: kind, ActorID: actor, Action: action,
		SubjectType: subjectType, SubjectID: optUUID(subjectID), Details: raw,
	})
}
