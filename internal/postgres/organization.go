package postgres

import (
	"context"

	"github.com/google/uuid"

	"github.com/relancehq/relance/gen/db"
	"github.com/relancehq/relance/internal/relance"
)

// CreateOrganization creates a tenant and its first admin in one transaction. It is how an
// organisation comes to exist (`relance seed`, tests); the API has no call for it.
func (d *DB) CreateOrganization(ctx context.Context, name string, admin relance.NewUser) (relance.Organization, relance.User, error) {
	org := relance.Organization{
		ID: uuid.Must(uuid.NewV7()), Name: name, DigestMinute: 9 * 60, SendMinute: 10 * 60, Caps: relance.DefaultMessageCaps(),
	}
	var user relance.User
	err := d.inOrg(ctx, org.ID, func(t *tx) error {
		org.CreatedAt = t.now
		if err := t.q.OrganizationCreate(ctx, db.OrganizationCreateParams{ID: org.ID, Name: name, CreatedAt: t.now}); err != nil {
			return err
		}
		admin.Role = relance.RoleAdmin
		var err error
		user, err = t.createUser(ctx, relance.Principal{OrgID: org.ID, Role: relance.RoleAdmin}, admin)
		return err
	})
	return org, user, err
}
