package postgres

import (
	"time"

	"github.com/google/uuid"

	"github.com/relancehq/relance/gen/db"
	"github.com/relancehq/relance/internal/relance"
)

// Conversions between sqlc rows and domain types.

func optUUID(id uuid.UUID) *uuid.UUID {
	if id == uuid.Nil {
		return nil
	}
	return &id
}

// deref returns *v, or the zero value for nil.
func deref[T any](v *T) T {
	if v == nil {
		var zero T
		return zero
	}
	return *v
}

func optString(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func toUser(u db.User, sites []uuid.UUID) relance.User {
	if sites == nil {
		sites = []uuid.UUID{}
	}
	return relance.User{
		ID: u.ID, OrgID: u.OrgID, Email: u.Email, DisplayName: u.DisplayName,
		Role: relance.Role(u.Role), ManagerID: deref(u.ManagerID), SiteIDs: sites,
		PersonalEmail: u.PersonalEmail, Phone: u.Phone, Locale: relance.Locale(u.Locale),
		Notifications: relance.Notifications{
			Email: u.NotifyEmail, SMS: u.NotifySms, InApp: u.NotifyInApp, UsePersonalEmail: u.UsePersonalEmail,
		},
		Active: u.Active, CreatedAt: u.CreatedAt,
	}
}

func toLead(l db.Lead) relance.Lead {
	var response *time.Duration
	if l.ResponseSeconds != nil {
		d := time.Duration(*l.ResponseSeconds) * time.Second
		response = &d
	}
	return relance.Lead{
		ResponseTime: response,
		ID:           l.ID, OrgID: l.OrgID, SiteID: l.SiteID, Source: l.Source, SourceGroup: l.SourceGroup,
		Category:   l.Category,
		Contact:    relance.Contact{Name: l.ContactName, Phone: l.ContactPhone, Email: l.ContactEmail},
		AssigneeID: deref(l.AssigneeID), Stage: relance.Stage(l.Stage),
		StatusID: deref(l.StatusID), ExternalID: deref(l.ExternalID), Notes: l.Notes,
		ReceivedAt: l.ReceivedAt, AssignedAt: l.AssignedAt, FirstResponseAt: l.FirstResponseAt,
		LateAt: l.LateAt, CreatedAt: l.CreatedAt, UpdatedAt: l.UpdatedAt,
		CallAttempts: int(l.CallAttempts), SuccessfulTouches: int(l.SuccessfulTouches), LastAttemptAt: l.LastAttemptAt,
		ImproperClosureAt: l.ImproperClosureAt, ClosureContacts: int(deref(l.ClosureContacts)),
		PartnerKeyID: deref(l.PartnerKeyID), Vehicle: toVehicle(l),
	}
}

func toVehicle(l db.Lead) *relance.Vehicle {
	v := relance.Vehicle{Interest: l.VehicleInterest, Status: l.VehicleStatus, Year: l.VehicleYear,
		Make: l.VehicleMake, Model: l.VehicleModel, VIN: l.VehicleVin, Stock: l.VehicleStock}
	if v == (relance.Vehicle{}) {
		return nil
	}
	return &v
}

func toActivity(a db.Activity) relance.Activity {
	return relance.Activity{
		ID: a.ID, LeadID: a.LeadID, Kind: relance.ActivityKind(a.Kind), Origin: relance.Origin(a.Origin),
		State: relance.ActivityState(a.State), DueAt: a.DueAt, DoneAt: a.DoneAt,
		ActorID: deref(a.ActorID), Content: a.Content, Direction: relance.Direction(a.Direction), CreatedAt: a.CreatedAt,
	}
}

func toAbsence(a db.Absence) relance.Absence {
	return relance.Absence{ID: a.ID, UserID: a.UserID, StartsAt: a.StartsAt, EndsAt: a.EndsAt, Reason: a.Reason, CreatedAt: a.CreatedAt}
}

func toDate(t time.Time) relance.Date { return relance.DateOf(t.UTC()) }
