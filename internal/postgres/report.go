package postgres

import (
	"context"
	"slices"
	"time"

	"github.com/google/uuid"

	"github.com/relancehq/relance/gen/db"
	"github.com/relancehq/relance/internal/relance"
)

// Compliance reports, per advisor p may see and per day, how their open leads stand against
// the cadence rules: leads in their cadence that day, those without an attempt, attempts
// against the quota, successful touches, leads behind. Days are each lead's site day, and
// cadence days its advisor's working days.
func (d *DB) Compliance(ctx context.Context, p relance.Principal, f relance.ComplianceFilter) ([]relance.ComplianceRow, error) {
	if err := p.CheckReports(); err != nil {
		return nil, err
	}
	days := int(f.To.Time().Sub(f.From.Time()).Hours()/24) + 1
	switch {
	case f.To.Before(f.From):
		return nil, relance.Invalid("to", "must not be before from")
	case days > relance.MaxReportDays:
		return nil, relance.Invalid("to", "a report covers at most 31 days")
	}
	var out []relance.ComplianceRow
	err := d.inOrg(ctx, p.OrgID, func(t *tx) error {
		advisors, err := t.reportAdvisors(ctx, p, f.SiteID, f.AdvisorID)
		if err != nil {
			return err
		}
		unitSite := uuid.Nil // with a unit filter, the unit's site: its advisors' leads there count
		if f.UnitID != uuid.Nil {
			unit, err := t.reportUnit(ctx, p, f.UnitID)
			if err != nil {
				return err
			}
			unitSite = unit.SiteID
			advisors = slices.DeleteFunc(advisors, func(a relance.User) bool { return a.UnitAt(unitSite) != f.UnitID })
		}
		if len(advisors) == 0 {
			return nil
		}
		rules, err := t.cadenceRules(ctx)
		if err != nil {
			return err
		}
		longest := relance.DefaultCadence().Days
		for _, r := range rules {
			longest = max(longest, r.Days)
		}
		ids := make([]uuid.UUID, len(advisors))
		for i, a := range advisors {
			ids[i] = a.ID
		}
		// Leads received early enough to be in their cadence on the first day: its working days
		// fit in twice as many calendar days, plus three weeks of closures.
		since := f.From.Time().AddDate(0, 0, -(2*longest + 21))
		until := f.To.Time().AddDate(0, 0, 2)
		leads, err := t.q.ComplianceLeads(ctx, db.ComplianceLeadsParams{AdvisorIds: ids, Since: since, Until: until})
		if err != nil {
			return err
		}
		calls, err := t.q.ComplianceCalls(ctx, db.ComplianceCallsParams{AdvisorIds: ids, Since: since, Until: until})
		if err != nil {
			return err
		}
		byLead := map[uuid.UUID][]relance.CallAt{}
		for _, c := range calls {
			byLead[c.LeadID] = append(byLead[c.LeadID], relance.CallAt{At: c.StartedAt, Successful: c.Successful})
		}
		rows := map[uuid.UUID][]relance.ComplianceRow{}
		for _, a := range advisors {
			for i := range days {
				rows[a.ID] = append(rows[a.ID], relance.ComplianceRow{
					AdvisorID: a.ID, AdvisorName: a.DisplayName, Day: relance.DateOf(f.From.Time().AddDate(0, 0, i)),
				})
			}
		}
		cals, err := newCalendars(ctx, t, ids)
		if err != nil {
			return err
		}
		for _, l := range leads {
			if (f.SiteID != uuid.Nil && l.SiteID != f.SiteID) || (unitSite != uuid.Nil && l.SiteID != unitSite) {
				continue
			}
			lc, err := cals.cadence(ctx, rules, &relance.Lead{SiteID: l.SiteID, AssigneeID: l.AssigneeID, Source: l.Source, ReceivedAt: l.ReceivedAt})
			if err != nil {
				return err
			}
			if lc == nil {
				continue
			}
			for i := range rows[l.AssigneeID] {
				row := &rows[l.AssigneeID][i]
				row.Add(&lc.rule, relance.StandingOn(&lc.rule, lc.days, lc.cal.DayOn(row.Day), byLead[l.ID]))
			}
		}
		for _, a := range advisors {
			out = append(out, rows[a.ID]...)
		}
		return nil
	})
	return out, err
}

// reportAdvisors returns the active advisors p may report on: one, or those of a site, or all.
func (t *tx) reportAdvisors(ctx context.Context, p relance.Principal, siteID, advisorID uuid.UUID) ([]relance.User, error) {
	if siteID != uuid.Nil && !p.CanSeeSite(siteID) {
		return nil, relance.NotFound("site")
	}
	users, err := t.visibleUsers(ctx, p, siteID, relance.RoleAdvisor)
	if err != nil {
		return nil, err
	}
	var out []relance.User
	for _, u := range users {
		if u.Active && (advisorID == uuid.Nil || u.ID == advisorID) {
			out = append(out, u)
		}
	}
	if advisorID != uuid.Nil && len(out) == 0 {
		return nil, relance.NotFound("advisor")
	}
	return out, nil
}

// leadScope is a report filter as the queries take it, visibility included.
type leadScope struct {
	visible                 []uuid.UUID
	site, assignee, unit    *uuid.UUID
	source, group, category *string
}

// scopeOf checks that p may read reports filtered by f and returns the filter as queries take it.
func scopeOf(p relance.Principal, f relance.ReportFilter) (leadScope, error) {
	if err := p.CheckReports(); err != nil {
		return leadScope{}, err
	}
	if f.SiteID != uuid.Nil && !p.CanSeeSite(f.SiteID) {
		return leadScope{}, relance.NotFound("site")
	}
	sites, _, _ := p.LeadVisibility()
	return leadScope{
		visible: sites, site: optUUID(f.SiteID), assignee: optUUID(f.AdvisorID),
		source: optString(f.Source), group: optString(f.SourceGroup), category: optString(f.Category),
		unit: optUUID(f.UnitID),
	}, nil
}

// ResponseTimeReport computes a response-time report over the leads p may see.
func (d *DB) ResponseTimeReport(ctx context.Context, p relance.Principal, q relance.ResponseTimeQuery) (relance.ResponseTimeReport, error) {
	s, err := scopeOf(p, q.Filter)
	if err != nil {
		return relance.ResponseTimeReport{}, err
	}
	if err := q.Normalize(); err != nil {
		return relance.ResponseTimeReport{}, err
	}
	lo, hi := []int32{-1, -1, -1, -1, -1}, []int32{-1, -1, -1, -1, -1}
	for i, b := range q.Buckets {
		lo[i], hi[i] = int32(b.From/time.Second), int32(b.To/time.Second)
		if b.To == 0 {
			hi[i] = 1<<31 - 1
		}
	}
	out := relance.ResponseTimeReport{Buckets: q.Buckets}
	err = d.inOrg(ctx, p.OrgID, func(t *tx) error {
		if err := t.checkScope(ctx, p, s); err != nil {
			return err
		}
		if err := t.q.ReportMemory(ctx); err != nil {
			return err
		}
		rows, err := t.q.ResponseTimeGroups(ctx, db.ResponseTimeGroupsParams{
			OrgID: t.org, FromTime: q.From, ToTime: q.To, GroupBy: string(q.GroupBy),
			WindowSeconds: int32(q.Window / time.Second), Lo: lo, Hi: hi,
			VisibleSiteIds: s.visible, SiteID: s.site, AssigneeID: s.assignee, Source: s.source,
			SourceGroup: s.group, Category: s.category, UnitID: s.unit,
		})
		if err != nil {
			return err
		}
		var ids []uuid.UUID
		for _, r := range rows {
			if r.KeyID != uuid.Nil {
				ids = append(ids, r.KeyID)
			}
		}
		labels, err := t.labels(ctx, q.GroupBy, ids)
		if err != nil {
			return err
		}
		for _, r := range rows {
			key := r.KeyText
			if r.KeyID != uuid.Nil {
				key = r.KeyID.String()
			}
			row := relance.ResponseTimeRow{
				Key: key, Label: key, Received: int(r.Received), Answered: int(r.Answered),
				Average: seconds(r.Average), Median: seconds(r.Median), Within24h: int(r.Within24h),
				WithinWindow: int(r.WithinWindow), Buckets: []int{int(r.B1), int(r.B2), int(r.B3), int(r.B4), int(r.B5)}[:len(q.Buckets)],
			}
			if l, ok := labels[key]; ok {
				row.Label = l
			}
			if r.IsTotal != 0 {
				row.Key, row.Label = "", ""
				out.Total = row
			} else if q.GroupBy != "" {
				out.Rows = append(out.Rows, row)
			}
		}
		return nil
	})
	return out, err
}

// reportUnit loads the unit a report filters on, or answers not-found when it does not exist
// or is of a site p may not see.
func (t *tx) reportUnit(ctx context.Context, p relance.Principal, id uuid.UUID) (relance.Unit, error) {
	row, err := t.q.UnitGet(ctx, id)
	if err != nil {
		return relance.Unit{}, found(err, "unit")
	}
	if !p.CanSeeSite(row.SiteID) {
		return relance.Unit{}, relance.NotFound("unit")
	}
	return toUnit(row), nil
}

// checkScope answers not-found when the unit a report filters on is not one p may see.
func (t *tx) checkScope(ctx context.Context, p relance.Principal, s leadScope) error {
	if s.unit == nil {
		return nil
	}
	_, err := t.reportUnit(ctx, p, *s.unit)
	return err
}

// seconds converts a number of seconds from SQL to a duration, to the second.
func seconds(s float64) time.Duration { return time.Duration(s+0.5) * time.Second }

// labels names the keys of a grouping: every site, every unit (with its site, as two sites
// often have units of the same name), and the advisors among ids (all of them when ids is nil).
func (t *tx) labels(ctx context.Context, g relance.Grouping, ids []uuid.UUID) (map[string]string, error) {
	out := map[string]string{}
	switch g {
	case relance.ByAdvisor:
		if ids == nil {
			users, err := t.q.UserList(ctx, db.UserListParams{})
			for _, u := range users {
				out[u.ID.String()] = u.DisplayName
			}
			return out, err
		}
		users, err := t.q.UserNames(ctx, ids)
		for _, u := range users {
			out[u.ID.String()] = u.DisplayName
		}
		return out, err
	case relance.BySite:
		sites, err := t.q.SiteList(ctx)
		for _, s := range sites {
			out[s.ID.String()] = s.Name
		}
		return out, err
	case relance.ByUnit:
		sites, err := t.labels(ctx, relance.BySite, nil)
		if err != nil {
			return nil, err
		}
		units, err := t.q.UnitList(ctx, nil)
		for _, u := range units {
			out[u.ID.String()] = u.Name + " (" + sites[u.SiteID.String()] + ")"
		}
		return out, err
	}
	return out, nil
}

// Dashboard computes the response-time widget over the last period for the leads p may see.
func (d *DB) Dashboard(ctx context.Context, p relance.Principal, f relance.ReportFilter, period time.Duration) (relance.Dashboard, error) {
	s, err := scopeOf(p, f)
	if err != nil {
		return relance.Dashboard{}, err
	}
	var out relance.Dashboard
	err = d.inOrg(ctx, p.OrgID, func(t *tx) error {
		if err := t.checkScope(ctx, p, s); err != nil {
			return err
		}
		params := db.DashboardFiguresParams{
			OrgID: t.org, Since: t.now.Add(-period), VisibleSiteIds: s.visible, SiteID: s.site, AssigneeID: s.assignee,
			Source: s.source, SourceGroup: s.group, Category: s.category, UnitID: s.unit,
		}
		r, err := t.q.DashboardFigures(ctx, params)
		if err != nil {
			return err
		}
		repeats, err := t.q.DashboardRepeats(ctx, db.DashboardRepeatsParams(params))
		out = relance.Dashboard{
			Received: int(r.Received), Answered: int(r.Answered), Average: seconds(r.Average), Waiting: int(r.Waiting), Repeats: int(repeats),
		}
		return err
	})
	return out, err
}

// AdvisorReport gives, per advisor p may see (of one site when siteID is set), their open and
// late leads now, and the reminders they were sent and their improper closures in [from, to).
func (d *DB) AdvisorReport(ctx context.Context, p relance.Principal, siteID uuid.UUID, from, to time.Time) ([]relance.AdvisorFigures, error) {
	if err := p.CheckReports(); err != nil {
		return nil, err
	}
	var out []relance.AdvisorFigures
	err := d.inOrg(ctx, p.OrgID, func(t *tx) error {
		advisors, err := t.reportAdvisors(ctx, p, siteID, uuid.Nil)
		if err != nil || len(advisors) == 0 {
			return err
		}
		ids := make([]uuid.UUID, len(advisors))
		for i, a := range advisors {
			ids[i] = a.ID
		}
		sites, assignee, _ := p.LeadVisibility()
		late, err := t.q.LeadLateCounts(ctx, db.LeadLateCountsParams{
			SiteID: optUUID(siteID), VisibleSiteIds: sites, VisibleAssigneeID: optUUID(assignee),
		})
		if err != nil {
			return err
		}
		byAdvisor := make(map[uuid.UUID]db.LeadLateCountsRow, len(late))
		for _, r := range late {
			byAdvisor[r.AssigneeID] = r
		}
		rows, err := t.q.AdvisorFigures(ctx, db.AdvisorFiguresParams{AdvisorIds: ids, FromTime: from, ToTime: to})
		for _, r := range rows {
			counts := byAdvisor[r.ID]
			out = append(out, relance.AdvisorFigures{
				AdvisorID: r.ID, AdvisorName: r.DisplayName, Open: int(counts.Open), Late: int(counts.Late),
				Reminders: int(r.Reminders), ImproperClosures: int(r.Improper),
			})
		}
		return err
	})
	return out, err
}

// exportPage is how many leads one transaction of an export reads.
const exportPage = 2000

// EachLeadResponse calls fn with every lead of a response-time report, in receipt order, page by
// page: each page is read in its own short transaction, so a slow reader holds none open. fn's
// error stops the walk and is returned.
func (d *DB) EachLeadResponse(ctx context.Context, p relance.Principal, q relance.ResponseTimeQuery, fn func(relance.LeadResponse) error) error {
	var after *relance.LeadResponseCursor
	for {
		page, next, err := d.ResponseTimeLeads(ctx, p, q, after, exportPage)
		if err != nil {
			return err
		}
		for _, r := range page {
			if err := fn(r); err != nil {
				return err
			}
		}
		if next == nil {
			return nil
		}
		after = next
	}
}

// ResponseTimeLeads returns up to limit leads of a response-time report after the cursor (from
// the start when nil), in receipt order, and the cursor of the next page (nil on the last).
func (d *DB) ResponseTimeLeads(ctx context.Context, p relance.Principal, q relance.ResponseTimeQuery, after *relance.LeadResponseCursor, limit int) ([]relance.LeadResponse, *relance.LeadResponseCursor, error) {
	s, err := scopeOf(p, q.Filter)
	if err != nil {
		return nil, nil, err
	}
	cursor := relance.LeadResponseCursor{ReceivedAt: q.From.Add(-time.Microsecond)}
	if after != nil {
		cursor = *after
	}
	var page []relance.LeadResponse
	err = d.inOrg(ctx, p.OrgID, func(t *tx) error {
		if err := t.checkScope(ctx, p, s); err != nil {
			return err
		}
		rows, err := t.q.ResponseTimeLeads(ctx, db.ResponseTimeLeadsParams{
			OrgID: t.org, FromTime: q.From, ToTime: q.To, AfterReceivedAt: cursor.ReceivedAt, AfterID: cursor.ID,
			VisibleSiteIds: s.visible, SiteID: s.site, AssigneeID: s.assignee, Source: s.source,
			SourceGroup: s.group, Category: s.category, UnitID: s.unit, RowLimit: int32(limit) + 1,
		})
		if err != nil || len(rows) == 0 {
			return err
		}
		advisors, err := t.labels(ctx, relance.ByAdvisor, nil)
		if err != nil {
			return err
		}
		sites, err := t.labels(ctx, relance.BySite, nil)
		if err != nil {
			return err
		}
		memberships, err := t.q.UnitMembershipList(ctx)
		if err != nil {
			return err
		}
		type membership struct{ user, site uuid.UUID }
		units := make(map[membership]db.UnitMembershipListRow, len(memberships))
		for _, m := range memberships {
			units[membership{m.UserID, m.SiteID}] = m
		}
		page = make([]relance.LeadResponse, len(rows))
		for i, r := range rows {
			l := toLead(r)
			page[i] = relance.LeadResponse{Lead: l, SiteName: sites[l.SiteID.String()]}
			if l.AssigneeID != uuid.Nil {
				page[i].AdvisorName = advisors[l.AssigneeID.String()]
				if m, ok := units[membership{l.AssigneeID, l.SiteID}]; ok {
					page[i].UnitID, page[i].UnitName = m.UnitID, m.Name
				}
			}
		}
		return nil
	})
	if err != nil || len(page) <= limit {
		return page, nil, err
	}
	page = page[:limit]
	last := page[limit-1].Lead
	return page, &relance.LeadResponseCursor{ReceivedAt: last.ReceivedAt, ID: last.ID}, nil
}
