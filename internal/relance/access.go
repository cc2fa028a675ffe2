package relance

import "github.com/google/uuid"

// The access rules. Each returns an error to hand back to the caller as is: NotFound when the
// caller may not even see the object, PermissionDenied when they may see it but not do this.

// CanSeeLead reports whether p may read lead l: admins every lead, managers the leads of their
// sites, advisors the leads assigned to them, partners with the leads.read scope every lead.
func (p Principal) CanSeeLead(l *Lead) bool {
	switch p.Role {
	case RoleAdmin:
		return true
	case RoleManager:
		return p.InSite(l.SiteID)
	case RoleAdvisor:
		return l.AssigneeID == p.UserID
	case RolePartner:
		return p.HasScope(ScopeLeadsRead)
	}
	return false
}

// LeadVisibility returns the restriction a lead listing must apply for p: the sites it is
// limited to (nil for no limit) and the assignee it is limited to (uuid.Nil for none).
// ok is false when p may list no lead at all.
func (p Principal) LeadVisibility() (sites []uuid.UUID, assignee uuid.UUID, ok bool) {
	switch p.Role {
	case RoleAdmin:
		return nil, uuid.Nil, true
	case RoleManager:
		return append([]uuid.UUID{}, p.SiteIDs...), uuid.Nil, true
	case RoleAdvisor:
		return nil, p.UserID, true
	case RolePartner:
		return nil, uuid.Nil, p.HasScope(ScopeLeadsRead)
	}
	return nil, uuid.Nil, false
}

// CheckCreateLead checks that p may create a lead on siteID assigned to assignee (uuid.Nil for
// none): admins anywhere, managers on their sites, advisors on their sites for themselves, partners
// with the leads.create scope.
func (p Principal) CheckCreateLead(siteID, assignee uuid.UUID) error {
	switch p.Role {
	case RoleAdmin:
		return nil
	case RoleManager:
		if p.InSite(siteID) {
			return nil
		}
		return NotFound("site")
	case RoleAdvisor:
		if !p.InSite(siteID) {
			return NotFound("site")
		}
		if assignee != uuid.Nil && assignee != p.UserID {
			return Errorf(CodePermissionDenied, "an advisor may only assign a new lead to themself")
		}
		return nil
	case RolePartner:
		if p.HasScope(ScopeLeadsCreate) {
			return nil
		}
	}
	return Errorf(CodePermissionDenied, "this key may not create leads")
}

// CheckAssignLead checks that p may give lead l to someone: admins any lead, managers the leads
// of their sites. The assignee's own eligibility is CheckAssignee's concern.
func (p Principal) CheckAssignLead(l *Lead) error {
	if !p.CanSeeLead(l) {
		return NotFound("lead")
	}
	if p.Role == RoleAdmin || p.Role == RoleManager {
		return nil
	}
	return Errorf(CodePermissionDenied, "only managers and admins assign leads")
}

// CheckAssignee checks that u may receive lead l: an active advisor or manager of the lead's site.
func CheckAssignee(u *User, l *Lead) error { return CheckFollower(u, l.SiteID, "assignee_id") }

// CheckFollower checks that u may follow up leads or customers of siteID: an active advisor or
// manager of that site. field names the request field that chose u.
func CheckFollower(u *User, siteID uuid.UUID, field string) error {
	if !u.Active {
		return Errorf(CodeFailedPrecondition, "%s is not active", u.DisplayName)
	}
	if u.Role != RoleAdvisor && u.Role != RoleManager {
		return Invalid(field, "must be an advisor or a manager")
	}
	for _, s := range u.SiteIDs {
		if s == siteID {
			return nil
		}
	}
	return Invalid(field, "must work at the site")
}

// CheckChangeLead checks that p may change lead l (stage, category, status, notes) or record
// an activity on it: its advisor, a manager of its site, an admin. A partner with calls.record
// may record calls only (kind == KindCall).
func (p Principal) CheckChangeLead(l *Lead, kind ActivityKind) error {
	if p.Role == RolePartner {
		if kind == KindCall && p.HasScope(ScopeCallsRecord) {
			return nil
		}
		return Errorf(CodePermissionDenied, "this key may only record calls, with the calls.record scope")
	}
	if !p.CanSeeLead(l) {
		return NotFound("lead")
	}
	return nil
}

// CanSeeSite reports whether p may see site siteID: admins and partners every site, others
// their own sites.
func (p Principal) CanSeeSite(siteID uuid.UUID) bool {
	return p.Role == RoleAdmin || p.Role == RolePartner || p.InSite(siteID)
}

// CheckManageSites checks that p may create or change sites and users: admins only.
func (p Principal) CheckManageSites() error {
	if p.Role == RoleAdmin {
		return nil
	}
	return Errorf(CodePermissionDenied, "only admins manage sites and users")
}

// CanSeeUser reports whether p may see user u: admins everyone, managers the people of their
// sites and those reporting to them, anyone themself.
func (p Principal) CanSeeUser(u *User) bool {
	switch {
	case p.Role == RoleAdmin || u.ID == p.UserID:
		return true
	case p.Role == RoleManager:
		if u.ManagerID == p.UserID {
			return true
		}
		for _, s := range u.SiteIDs {
			if p.InSite(s) {
				return true
			}
		}
	}
	return false
}

// CheckManageAbsences checks that p may add or remove absences of u: themself, their manager
// or a manager of one of their sites, an admin.
func (p Principal) CheckManageAbsences(u *User) error {
	if !p.CanSeeUser(u) {
		return NotFound("user")
	}
	if p.Role == RoleAdvisor && u.ID != p.UserID {
		return Errorf(CodePermissionDenied, "an advisor manages only their own absences")
	}
	return nil
}

// CheckRecordCall checks that p may record a call on lead l made or taken by advisor (uuid.Nil
// for none): partners with calls.record, admins, managers of the lead's site, and advisors for
// their own calls on their own leads.
func (p Principal) CheckRecordCall(l *Lead, advisor uuid.UUID) error {
	if err := p.CheckChangeLead(l, KindCall); err != nil {
		return err
	}
	if p.Role == RoleAdvisor && advisor != p.UserID {
		return Errorf(CodePermissionDenied, "an advisor records their own calls only")
	}
	return nil
}

// CanHearRecording reports whether p may have the recording of call c on lead l: admins, the
// managers of the lead's site, and the advisor who made or took the call; nobody else, other
// advisors included.
func (p Principal) CanHearRecording(l *Lead, c *Call) bool {
	switch p.Role {
	case RoleAdmin:
		return true
	case RoleManager:
		return p.InSite(l.SiteID)
	case RoleAdvisor:
		return c.AdvisorID == p.UserID
	}
	return false
}

// CheckReports checks that p may read the reports: admins and managers (their sites' figures).
func (p Principal) CheckReports() error {
	if p.Role == RoleAdmin || p.Role == RoleManager {
		return nil
	}
	return Errorf(CodePermissionDenied, "reports are for managers and admins")
}

// CheckCadenceScope checks that p may set the cadence rule of siteID (uuid.Nil: the
// organisation's or a source's): admins any, managers their own sites'.
func (p Principal) CheckCadenceScope(siteID uuid.UUID) error {
	switch {
	case p.Role == RoleAdmin:
		return nil
	case p.Role == RoleManager && siteID != uuid.Nil:
		if p.InSite(siteID) {
			return nil
		}
		return NotFound("site")
	}
	return Errorf(CodePermissionDenied, "only admins set organisation and source rules, and managers their sites'")
}
