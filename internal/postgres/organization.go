package postgres

import (
	"context"
	"time"

	"github.com/google/uuid"

	"github.com/relancehq/relance/gen/db"
	"github.com/relancehq/relance/internal/relance"
)

// CreateOrganization creates a tenant and its first admin in one transaction. It is how an
// organisation comes to exist (`relance org create`, `relance seed`, tests); the API has no call
// for it. It returns invalid-input for a blank name or a malformed admin email, and conflict when
// the email is already taken (emails are unique across organisations, for login).
func (d *DB) CreateOrganization(ctx context.Context, name string, admin relance.NewUser) (relance.Organization, relance.User, error) {
	if err := relance.CheckNewOrganization(name, admin.Email); err != nil {
		return relance.Organization{}, relance.User{}, err
	}
	org := relance.Organization{
		ID: uuid.Must(uuid.NewV7()), Name: name, DigestMinute: 9 * 60, DigestOn: true, SendMinute: 10 * 60, Caps: relance.DefaultMessageCaps(),
		SenderMode: relance.SenderOrganization,
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

// OrganizationSummary is one line of ListOrganizations.
type OrganizationSummary struct {
	ID        uuid.UUID
	Name      string
	CreatedAt time.Time
	Users     int // all users, active or not
	Sites     int
}

// ListOrganizations returns every organisation, oldest first, with its numbers of users and
// sites. Only a DB opened as the schema owner sees them all: row-level security shows the
// application role none.
func (d *DB) ListOrganizations(ctx context.Context) ([]OrganizationSummary, error) {
	rows, err := db.New(d.pool).OrganizationList(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]OrganizationSummary, len(rows))
	for i, r := range rows {
		out[i] = OrganizationSummary{ID: r.ID, Name: r.Name, CreatedAt: r.CreatedAt, Users: int(r.Users), Sites: int(r.Sites)}
	}
	return out, nil
}
