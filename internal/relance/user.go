package relance

import (
	"slices"

	"github.com/google/uuid"
)

// How a password was set, as the audit log says it.
const (
	PasswordChanged = "changed" // by its owner, who gave the current one
	PasswordReset   = "reset"   // by an admin, for someone else
)

// ActiveAdmin reports whether u is an admin who may sign in.
func (u *User) ActiveAdmin() bool { return u.Role == RoleAdmin && u.Active }

// CheckKeepsAdmin checks that turning before into after leaves the organisation an active
// admin, given activeAdmins, the number of active admins before the change (counted under a
// lock, so that two admins demoting each other cannot both succeed). Without an admin nobody
// could manage people, sites or keys through the API again.
func CheckKeepsAdmin(before, after *User, activeAdmins int) error {
	if before.ActiveAdmin() && !after.ActiveAdmin() && activeAdmins <= 1 {
		return Errorf(CodeFailedPrecondition, "%s is the organisation's last active admin: make someone else an admin first", before.DisplayName)
	}
	return nil
}

// CheckPasswordChange checks that p may set the password of user userID, and returns how the
// audit log names it: a person changing their own gives their current password (current,
// which the caller checks against the stored hash), an admin resetting someone else's does
// not. Whether p may change userID at all is UpdateUser's concern.
func (p Principal) CheckPasswordChange(userID uuid.UUID, current *string) (string, error) {
	if userID != p.UserID {
		return PasswordReset, nil
	}
	if current == nil || *current == "" {
		return "", Invalid("current_password", "is required to change your own password")
	}
	return PasswordChanged, nil
}

// EndedSessions says which sessions of a user a change made by p ends: all of them on a
// deactivation or a password reset, all but p's own when p changed their own password. end is
// false when sessions stay as they are.
func (p Principal) EndedSessions(before, after *User, password string) (end bool, keep uuid.UUID) {
	switch {
	case before.Active && !after.Active:
		return true, uuid.Nil
	case password == PasswordChanged:
		return true, p.TokenID
	case password == PasswordReset:
		return true, uuid.Nil
	}
	return false, uuid.Nil
}

// UserChanges lists what turned before into after, and how the password was set ("" when it
// was not), for the audit log.
func UserChanges(before, after *User, password string) Changes {
	c := Changes{}
	c.Diff("display_name", before.DisplayName, after.DisplayName)
	c.Diff("role", before.Role, after.Role)
	c.Diff("manager_id", before.ManagerID, after.ManagerID)
	c.Diff("site_ids", sortedIDs(before.SiteIDs), sortedIDs(after.SiteIDs))
	c.Diff("personal_email", before.PersonalEmail, after.PersonalEmail)
	c.Diff("phone", before.Phone, after.Phone)
	c.Diff("locale", before.Locale, after.Locale)
	c.Diff("notifications", before.Notifications, after.Notifications)
	c.Diff("active", before.Active, after.Active)
	if password != "" {
		c["password"] = password
	}
	return c
}

// sortedIDs is ids in order, never nil, so that two lists of the same ids compare equal.
func sortedIDs(ids []uuid.UUID) []uuid.UUID {
	out := slices.Clone(ids)
	if out == nil {
		out = []uuid.UUID{}
	}
	slices.SortFunc(out, func(a, b uuid.UUID) int { return slices.Compare(a[:], b[:]) })
	return out
}
