package relance

import (
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/google/uuid"
)

// Unit is a business unit: a department inside a site (new cars, used cars, service…). An
// advisor belongs to at most one unit at each of their sites; reports group and filter leads by
// the unit of their advisor at the lead's site.
type Unit struct {
	ID        uuid.UUID
	OrgID     uuid.UUID
	SiteID    uuid.UUID
	Name      string
	Active    bool // a deactivated unit takes no new advisors and keeps its past figures
	CreatedAt time.Time
}

// UnitChange lists what to change on a unit; nil fields stay as they are.
type UnitChange struct {
	Name   *string
	Active *bool
}

// Apply changes u as c says.
func (c UnitChange) Apply(u *Unit) {
	set(&u.Name, c.Name)
	set(&u.Active, c.Active)
}

// MaxUnitName bounds a unit's name, in characters.
const MaxUnitName = 100

// ValidateUnit trims u's name and checks it: 1 to MaxUnitName characters, no control
// characters. It returns an invalid-input error on field "name".
func ValidateUnit(u *Unit) error {
	u.Name = strings.TrimSpace(u.Name)
	switch {
	case u.Name == "":
		return Invalid("name", "must not be empty")
	case !utf8.ValidString(u.Name):
		return Invalid("name", "must be UTF-8")
	case utf8.RuneCountInString(u.Name) > MaxUnitName:
		return Invalid("name", "at most 100 characters")
	case strings.ContainsFunc(u.Name, unicode.IsControl):
		return Invalid("name", "must not hold control characters")
	}
	return nil
}

// UnitAt returns u's unit at site siteID, uuid.Nil for none.
func (u *User) UnitAt(siteID uuid.UUID) uuid.UUID { return u.Units[siteID] }

// CheckSetUnit checks that user u may be put in unit (nil for none) at site siteID: u works
// at the site, and the unit is one of the site's, active. It returns invalid-input naming the
// field at fault.
func CheckSetUnit(u *User, siteID uuid.UUID, unit *Unit) error {
	switch {
	case !slices.Contains(u.SiteIDs, siteID):
		return Invalid("site_id", "the user does not work at this site")
	case unit == nil:
		return nil
	case unit.SiteID != siteID:
		return Invalid("unit_id", "not a unit of this site")
	case !unit.Active:
		return Invalid("unit_id", "the unit is deactivated")
	}
	return nil
}

// UnitsAt returns the entries of units (site → unit) whose site is among siteIDs: what a
// person's units become when their sites change.
func UnitsAt(units map[uuid.UUID]uuid.UUID, siteIDs []uuid.UUID) map[uuid.UUID]uuid.UUID {
	out := make(map[uuid.UUID]uuid.UUID, len(units))
	for _, s := range siteIDs {
		if unit, ok := units[s]; ok {
			out[s] = unit
		}
	}
	return out
}
