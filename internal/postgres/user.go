package postgres

import (
	"context"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/relancehq/relance/gen/db"
	"github.com/relancehq/relance/internal/relance"
)

// CreateUser adds a person (admins only). It returns a conflict error when the email is taken,
// invalid-input for an unknown manager or site.
func (d *DB) CreateUser(ctx context.Context, p relance.Principal, in relance.NewUser) (relance.User, error) {
	if err := p.CheckManageSites(); err != nil {
		return relance.User{}, err
	}
	var u relance.User
	err := d.inOrg(ctx, p.OrgID, func(t *tx) error {
		var err error
		u, err = t.createUser(ctx, p, in)
		return err
	})
	return u, err
}

func (t *tx) createUser(ctx context.Context, p relance.Principal, in relance.NewUser) (relance.User, error) {
	u := in.User
	u.Email = strings.ToLower(u.Email)
	if u.Locale == "" {
		u.Locale = relance.LocaleFR
	}
	u.ID, u.OrgID, u.Active, u.CreatedAt = uuid.Must(uuid.NewV7()), t.org, true, t.now
	if u.SiteIDs == nil {
		u.SiteIDs = []uuid.UUID{}
	}
	u.Units = map[uuid.UUID]uuid.UUID{}
	if err := t.checkUserRefs(ctx, u.ID, u.ManagerID, u.SiteIDs); err != nil {
		return u, err
	}
	if err := t.q.UserCreate(ctx, db.UserCreateParams{
		ID: u.ID, OrgID: t.org, Email: u.Email, DisplayName: u.DisplayName, Role: string(u.Role),
		ManagerID: optUUID(u.ManagerID), PersonalEmail: u.PersonalEmail, Phone: u.Phone,
		Locale: string(u.Locale), NotifyEmail: u.Notifications.Email, NotifySms: u.Notifications.SMS,
		NotifyInApp: u.Notifications.InApp, UsePersonalEmail: u.Notifications.UsePersonalEmail,
		CreatedAt: t.now,
	}); err != nil {
		if relance.ErrorCode(interpret(err)) == relance.CodeConflict {
			return u, &relance.Error{Code: relance.CodeConflict, Message: "a user with this email already exists",
				Violations: []relance.FieldViolation{{Field: "email", Message: "is already taken"}}}
		}
		return u, err
	}
	if err := t.setUserSites(ctx, u.ID, u.SiteIDs); err != nil {
		return u, err
	}
	if in.Password != "" {
		if err := t.setPassword(ctx, u.ID, in.Password); err != nil {
			return u, err
		}
	}
	return u, t.audit(ctx, p, "user.create", "user", u.ID, map[string]any{"email": u.Email, "role": u.Role})
}

// UpdateUser applies ch to user id. Admins may change anything; a person may change their own
// contact details, locale, notifications and password (giving their current one). The
// organisation's last active admin is never deactivated or demoted. A deactivation or a password
// reset ends the user's sessions; a person changing their own password keeps only the session
// that changed it. It returns not-found for a user the caller may not see, permission-denied for
// a change they may not make, invalid-input for a missing or wrong current password, and
// failed-precondition for the last admin.
func (d *DB) UpdateUser(ctx context.Context, p relance.Principal, id uuid.UUID, ch relance.UserChange) (relance.User, error) {
	var u relance.User
	err := d.inOrg(ctx, p.OrgID, func(t *tx) error {
		admins := -1 // not counted: the change cannot demote anyone
		if ch.Role != nil || ch.Active != nil {
			// Lock before reading the user, so that what is read is what the lock protects.
			locked, err := t.q.UserLockActiveAdmins(ctx)
			if err != nil {
				return err
			}
			admins = len(locked)
		}
		before, err := t.visibleUser(ctx, p, id)
		if err != nil {
			return err
		}
		if !p.IsAdmin() && (before.ID != p.UserID || ch.AdminOnly()) {
			return relance.Errorf(relance.CodePermissionDenied, "only admins change other people, roles, managers, sites and activity")
		}
		u = before
		ch.Apply(&u)
		u.PersonalEmail = strings.ToLower(u.PersonalEmail)
		if admins >= 0 {
			if err := relance.CheckKeepsAdmin(&before, &u, admins); err != nil {
				return err
			}
		}
		password := ""
		if ch.Password != nil {
			if password, err = t.checkPasswordChange(ctx, p, u.ID, ch.CurrentPassword); err != nil {
				return err
			}
		}
		if err := t.checkUserRefs(ctx, u.ID, u.ManagerID, u.SiteIDs); err != nil {
			return err
		}
		if err := t.q.UserUpdate(ctx, db.UserUpdateParams{
			ID: u.ID, DisplayName: u.DisplayName, Role: string(u.Role), ManagerID: optUUID(u.ManagerID),
			PersonalEmail: u.PersonalEmail, Phone: u.Phone, Locale: string(u.Locale),
			NotifyEmail: u.Notifications.Email, NotifySms: u.Notifications.SMS, NotifyInApp: u.Notifications.InApp,
			UsePersonalEmail: u.Notifications.UsePersonalEmail, Active: u.Active, UpdatedAt: t.now,
		}); err != nil {
			return err
		}
		if ch.SiteIDs != nil {
			if err := t.setUserSites(ctx, u.ID, u.SiteIDs); err != nil {
				return err
			}
			u.Units = relance.UnitsAt(u.Units, u.SiteIDs)
		}
		if ch.Password != nil {
			if err := t.setPassword(ctx, u.ID, *ch.Password); err != nil {
				return err
			}
		}
		changes := relance.UserChanges(&before, &u, password)
		if end, keep := p.EndedSessions(&before, &u, password); end {
			n, err := t.q.APITokenRevokeSessions(ctx, db.APITokenRevokeSessionsParams{UserID: &u.ID, Keep: keep, RevokedAt: &t.now})
			if err != nil {
				return err
			}
			changes["sessions_ended"] = n
		}
		return t.audit(ctx, p, "user.update", "user", u.ID, changes)
	})
	return u, err
}

// GetUser returns user id, or not-found when it does not exist or p may not see them.
func (d *DB) GetUser(ctx context.Context, p relance.Principal, id uuid.UUID) (relance.User, error) {
	var u relance.User
	err := d.inOrg(ctx, p.OrgID, func(t *tx) error {
		var err error
		u, err = t.visibleUser(ctx, p, id)
		return err
	})
	return u, err
}

// ListUsers lists the people p may see, optionally of one site and one role.
func (d *DB) ListUsers(ctx context.Context, p relance.Principal, siteID uuid.UUID, role relance.Role) ([]relance.User, error) {
	var out []relance.User
	err := d.inOrg(ctx, p.OrgID, func(t *tx) error {
		var err error
		out, err = t.visibleUsers(ctx, p, siteID, role)
		return err
	})
	return out, err
}

// visibleUsers returns the people p may see, of one site and one role when they are set.
func (t *tx) visibleUsers(ctx context.Context, p relance.Principal, siteID uuid.UUID, role relance.Role) ([]relance.User, error) {
	params := db.UserListParams{SiteID: optUUID(siteID)}
	if role != "" {
		r := string(role)
		params.Role = &r
	}
	rows, err := t.q.UserList(ctx, params)
	if err != nil {
		return nil, err
	}
	users, err := t.withSites(ctx, rows)
	var out []relance.User
	for _, u := range users {
		if p.CanSeeUser(&u) {
			out = append(out, u)
		}
	}
	return out, err
}

// AddAbsence records an absence of user userID. It returns not-found for a user p may not see
// and permission-denied when p may see but not manage them.
func (d *DB) AddAbsence(ctx context.Context, p relance.Principal, a relance.Absence) (relance.Absence, error) {
	if !a.EndsAt.After(a.StartsAt) {
		return relance.Absence{}, relance.Invalid("end_time", "must be after start_time")
	}
	err := d.inOrg(ctx, p.OrgID, func(t *tx) error {
		u, err := t.user(ctx, a.UserID)
		if err != nil {
			return err
		}
		if err := p.CheckManageAbsences(&u); err != nil {
			return err
		}
		a.ID, a.CreatedAt = uuid.Must(uuid.NewV7()), t.now
		if err := t.q.AbsenceCreate(ctx, db.AbsenceCreateParams{
			ID: a.ID, OrgID: t.org, UserID: a.UserID, StartsAt: a.StartsAt, EndsAt: a.EndsAt, Reason: a.Reason, CreatedAt: t.now,
		}); err != nil {
			return err
		}
		return t.audit(ctx, p, "absence.add", "user", a.UserID, map[string]any{"absence_id": a.ID})
	})
	return a, err
}

// RemoveAbsence deletes an absence, with the rights of AddAbsence.
func (d *DB) RemoveAbsence(ctx context.Context, p relance.Principal, id uuid.UUID) error {
	return d.inOrg(ctx, p.OrgID, func(t *tx) error {
		a, err := t.q.AbsenceGet(ctx, id)
		if err != nil {
			return found(err, "absence")
		}
		u, err := t.user(ctx, a.UserID)
		if err != nil {
			return err
		}
		if err := p.CheckManageAbsences(&u); err != nil {
			if relance.ErrorCode(err) == relance.CodeNotFound {
				return relance.NotFound("absence")
			}
			return err
		}
		if err := t.q.AbsenceDelete(ctx, id); err != nil {
			return err
		}
		return t.audit(ctx, p, "absence.remove", "user", a.UserID, map[string]any{"absence_id": id})
	})
}

// ListAbsences lists the absences of userID that end after from.
func (d *DB) ListAbsences(ctx context.Context, p relance.Principal, userID uuid.UUID, from time.Time) ([]relance.Absence, error) {
	var out []relance.Absence
	err := d.inOrg(ctx, p.OrgID, func(t *tx) error {
		if _, err := t.visibleUser(ctx, p, userID); err != nil {
			return err
		}
		if from.IsZero() {
			from = t.now
		}
		rows, err := t.q.AbsenceListByUser(ctx, db.AbsenceListByUserParams{UserID: userID, FromTime: from})
		for _, r := range rows {
			out = append(out, toAbsence(r))
		}
		return err
	})
	return out, err
}

// user loads one user with their sites; not-found when absent (or in another tenant).
func (t *tx) user(ctx context.Context, id uuid.UUID) (relance.User, error) {
	return remember(t.memo.users, id, func() (relance.User, error) {
		row, err := t.q.UserGet(ctx, id)
		if err != nil {
			return relance.User{}, found(err, "user")
		}
		return userWithSites(row.User, row.SiteIds, row.UnitIds), nil
	})
}

// userWithSites is a user with their sites and their unit at each (the nil UUID for none), as
// UserGet and UserGetMany read them.
func userWithSites(row db.User, sites, units []uuid.UUID) relance.User {
	u := toUser(row, sites)
	u.Units = map[uuid.UUID]uuid.UUID{}
	for i, site := range sites {
		if unit := units[i]; unit != uuid.Nil {
			u.Units[site] = unit
		}
	}
	return u
}

// refUser loads user id that field of a request names: an invalid-input error for field when
// there is no such user in the tenant; any other error as is (a cancelled request is not bad
// input).
func (t *tx) refUser(ctx context.Context, id uuid.UUID, field string) (relance.User, error) {
	u, err := t.user(ctx, id)
	if relance.ErrorCode(err) == relance.CodeNotFound {
		return u, relance.Invalid(field, "no such user")
	}
	return u, err
}

// visibleUser loads user id, or answers not-found when they do not exist or p may not see them.
func (t *tx) visibleUser(ctx context.Context, p relance.Principal, id uuid.UUID) (relance.User, error) {
	u, err := t.user(ctx, id)
	if err != nil {
		return relance.User{}, err
	}
	if !p.CanSeeUser(&u) {
		return relance.User{}, relance.NotFound("user")
	}
	return u, nil
}

func (t *tx) withSites(ctx context.Context, rows []db.User) ([]relance.User, error) {
	ids := make([]uuid.UUID, len(rows))
	for i, r := range rows {
		ids[i] = r.ID
	}
	links, err := t.q.UserSiteList(ctx, ids)
	if err != nil {
		return nil, err
	}
	sites := make(map[uuid.UUID][]uuid.UUID, len(rows))
	units := make(map[uuid.UUID]map[uuid.UUID]uuid.UUID, len(rows))
	for _, l := range links {
		sites[l.UserID] = append(sites[l.UserID], l.SiteID)
		if units[l.UserID] == nil {
			units[l.UserID] = map[uuid.UUID]uuid.UUID{}
		}
		if l.UnitID != nil {
			units[l.UserID][l.SiteID] = *l.UnitID
		}
	}
	out := make([]relance.User, len(rows))
	for i, r := range rows {
		out[i] = toUser(r, sites[r.ID])
		out[i].Units = units[r.ID]
		if out[i].Units == nil {
			out[i].Units = map[uuid.UUID]uuid.UUID{}
		}
	}
	return out, nil
}

// checkUserRefs checks that a user's manager and sites exist in the tenant, and that the user
// is not their own manager. It returns invalid-input naming the bad field.
func (t *tx) checkUserRefs(ctx context.Context, id, managerID uuid.UUID, siteIDs []uuid.UUID) error {
	if managerID != uuid.Nil {
		if managerID == id {
			return relance.Invalid("manager_id", "a user cannot be their own manager")
		}
		m, err := t.refUser(ctx, managerID, "manager_id")
		if err != nil {
			return err
		}
		if m.Role == relance.RoleAdvisor {
			return relance.Invalid("manager_id", "an advisor cannot be a manager")
		}
	}
	if len(siteIDs) > 0 {
		sites, err := t.q.SiteListByIDs(ctx, siteIDs)
		if err != nil {
			return err
		}
		if len(sites) != len(siteIDs) {
			return relance.Invalid("site_ids", "unknown site")
		}
	}
	return nil
}

// setUserSites makes siteIDs the sites of user id; their unit at a site they keep stays.
func (t *tx) setUserSites(ctx context.Context, id uuid.UUID, siteIDs []uuid.UUID) error {
	if err := t.q.UserSiteDeleteOthers(ctx, db.UserSiteDeleteOthersParams{UserID: id, SiteIds: siteIDs}); err != nil {
		return err
	}
	for _, s := range siteIDs {
		if err := t.q.UserSiteInsert(ctx, db.UserSiteInsertParams{OrgID: t.org, UserID: id, SiteID: s}); err != nil {
			return err
		}
	}
	return nil
}
