package postgres

import (
	"context"

	"github.com/google/uuid"

	"github.com/relancehq/relance/gen/db"
	"github.com/relancehq/relance/internal/relance"
)

// CreateUnit adds a unit to site u.SiteID (admins only). It returns not-found for a site of
// another tenant, invalid-input for a bad name and a conflict when the site has a unit of that
// name already.
func (d *DB) CreateUnit(ctx context.Context, p relance.Principal, u relance.Unit) (relance.Unit, error) {
	if err := p.CheckManageSites(); err != nil {
		return relance.Unit{}, err
	}
	if err := relance.ValidateUnit(&u); err != nil {
		return relance.Unit{}, err
	}
	err := d.inOrg(ctx, p.OrgID, func(t *tx) error {
		if _, err := t.q.SiteGet(ctx, u.SiteID); err != nil {
			return found(err, "site")
		}
		u.ID, u.OrgID, u.Active, u.CreatedAt = uuid.Must(uuid.NewV7()), t.org, true, t.now
		if err := t.q.UnitCreate(ctx, db.UnitCreateParams{ID: u.ID, OrgID: t.org, SiteID: u.SiteID, Name: u.Name, CreatedAt: t.now}); err != nil {
			return unitConflict(err)
		}
		return t.audit(ctx, p, "unit.create", "unit", u.ID, map[string]any{"site_id": u.SiteID, "name": u.Name})
	})
	return u, err
}

// UpdateUnit renames, deactivates or reactivates unit id (admins only). It returns not-found
// for a unit of another tenant, invalid-input for a bad name and a conflict for a name its site
// already has.
func (d *DB) UpdateUnit(ctx context.Context, p relance.Principal, id uuid.UUID, ch relance.UnitChange) (relance.Unit, error) {
	if err := p.CheckManageSites(); err != nil {
		return relance.Unit{}, err
	}
	var u relance.Unit
	err := d.inOrg(ctx, p.OrgID, func(t *tx) error {
		row, err := t.q.UnitGet(ctx, id)
		if err != nil {
			return found(err, "unit")
		}
		u = toUnit(row)
		before := u
		ch.Apply(&u)
		if err := relance.ValidateUnit(&u); err != nil {
			return err
		}
		if err := t.q.UnitUpdate(ctx, db.UnitUpdateParams{ID: id, Name: u.Name, Active: u.Active, UpdatedAt: t.now}); err != nil {
			return unitConflict(err)
		}
		changes := map[string]any{}
		if before.Name != u.Name {
			changes["name"] = map[string]any{"from": before.Name, "to": u.Name}
		}
		if before.Active != u.Active {
			changes["active"] = u.Active
		}
		return t.audit(ctx, p, "unit.update", "unit", id, changes)
	})
	return u, err
}

// ListUnits lists the units of the sites p may see, of site siteID alone when it is set
// (not-found when p may not see it), inactive ones included.
func (d *DB) ListUnits(ctx context.Context, p relance.Principal, siteID uuid.UUID) ([]relance.Unit, error) {
	if siteID != uuid.Nil && !p.CanSeeSite(siteID) {
		return nil, relance.NotFound("site")
	}
	var out []relance.Unit
	err := d.inOrg(ctx, p.OrgID, func(t *tx) error {
		var sites []uuid.UUID
		if siteID != uuid.Nil {
			if _, err := t.q.SiteGet(ctx, siteID); err != nil {
				return found(err, "site")
			}
			sites = []uuid.UUID{siteID}
		}
		rows, err := t.q.UnitList(ctx, sites)
		for _, r := range rows {
			if p.CanSeeSite(r.SiteID) {
				out = append(out, toUnit(r))
			}
		}
		return err
	})
	return out, err
}

// SetUserUnit puts user userID in unit unitID at site siteID, or in none when unitID is
// uuid.Nil (admins only). It returns not-found for a user or unit of another tenant, and
// invalid-input when the user does not work at the site or the unit is not an active one of it.
func (d *DB) SetUserUnit(ctx context.Context, p relance.Principal, userID, siteID, unitID uuid.UUID) (relance.User, error) {
	if err := p.CheckManageSites(); err != nil {
		return relance.User{}, err
	}
	var u relance.User
	err := d.inOrg(ctx, p.OrgID, func(t *tx) error {
		var err error
		if u, err = t.user(ctx, userID); err != nil {
			return err
		}
		var unit *relance.Unit
		if unitID != uuid.Nil {
			row, err := t.q.UnitGet(ctx, unitID)
			if err != nil {
				return found(err, "unit")
			}
			unit = new(toUnit(row))
		}
		if err := relance.CheckSetUnit(&u, siteID, unit); err != nil {
			return err
		}
		before := u.UnitAt(siteID)
		if _, err := t.q.UserSiteSetUnit(ctx, db.UserSiteSetUnitParams{UserID: userID, SiteID: siteID, UnitID: optUUID(unitID)}); err != nil {
			return err
		}
		if unitID == uuid.Nil {
			delete(u.Units, siteID)
		} else {
			u.Units[siteID] = unitID
		}
		return t.audit(ctx, p, "user.unit", "user", userID, map[string]any{"site_id": siteID, "from": before, "to": unitID})
	})
	return u, err
}

// unitConflict turns a duplicate unit name into a conflict on field "name".
func unitConflict(err error) error {
	if relance.ErrorCode(interpret(err)) == relance.CodeConflict {
		return &relance.Error{Code: relance.CodeConflict, Message: "the site has a unit of this name already",
			Violations: []relance.FieldViolation{{Field: "name", Message: "is already taken at this site"}}}
	}
	return err
}

func toUnit(r db.Unit) relance.Unit {
	return relance.Unit{ID: r.ID, OrgID: r.OrgID, SiteID: r.SiteID, Name: r.Name, Active: r.Active, CreatedAt: r.CreatedAt}
}
