package postgres

import (
	"context"
	"time"

	"github.com/google/uuid"

	"github.com/relancehq/relance/gen/db"
	"github.com/relancehq/relance/internal/calendar"
	"github.com/relancehq/relance/internal/relance"
)

// CreateSite adds a site with its opening windows and closures (admins only). It returns an
// invalid-input error for an unknown time zone or overlapping windows.
func (d *DB) CreateSite(ctx context.Context, p relance.Principal, s relance.Site) (relance.Site, error) {
	if err := p.CheckManageSites(); err != nil {
		return relance.Site{}, err
	}
	if err := relance.ValidateSite(&s); err != nil {
		return relance.Site{}, err
	}
	err := d.inOrg(ctx, p.OrgID, func(t *tx) error {
		if err := calendar.CheckSiteOpens(s, t.now); err != nil {
			return err
		}
		s.ID, s.OrgID, s.CreatedAt = uuid.Must(uuid.NewV7()), t.org, t.now
		if err := t.q.SiteCreate(ctx, db.SiteCreateParams{ID: s.ID, OrgID: t.org, Name: s.Name, TimeZone: s.TimeZone, Country: string(s.Country), CreatedAt: t.now}); err != nil {
			return err
		}
		if err := t.replaceSiteHours(ctx, s.ID, s.Windows, s.Closures); err != nil {
			return err
		}
		return t.audit(ctx, p, "site.create", "site", s.ID, map[string]any{"name": s.Name})
	})
	return s, err
}

// UpdateSite applies ch to site id (admins only). It returns not-found for an unknown site and
// invalid-input for a change that breaks the site's invariants.
func (d *DB) UpdateSite(ctx context.Context, p relance.Principal, id uuid.UUID, ch relance.SiteChange) (relance.Site, error) {
	if err := p.CheckManageSites(); err != nil {
		return relance.Site{}, err
	}
	var s relance.Site
	err := d.inOrg(ctx, p.OrgID, func(t *tx) error {
		var err error
		if s, err = t.lockedSite(ctx, id); err != nil {
			return err
		}
		before := s
		ch.Apply(&s)
		if err := relance.ValidateSite(&s); err != nil {
			return err
		}
		if err := calendar.CheckSiteOpens(s, t.now); err != nil {
			return err
		}
		if _, err := t.q.SiteUpdate(ctx, db.SiteUpdateParams{ID: id, Name: s.Name, TimeZone: s.TimeZone, Country: string(s.Country), UpdatedAt: t.now}); err != nil {
			return err
		}
		if ch.Windows != nil || ch.Closures != nil {
			if err := t.replaceSiteHours(ctx, id, s.Windows, s.Closures); err != nil {
				return err
			}
		}
		return t.audit(ctx, p, "site.update", "site", id, relance.SiteChanges(&before, &s))
	})
	return s, err
}

// ListSiteClosures lists the closures of site siteID that end on or after from. It returns
// not-found for a site p may not see.
func (d *DB) ListSiteClosures(ctx context.Context, p relance.Principal, siteID uuid.UUID, from relance.Date) ([]relance.Closure, error) {
	if !p.CanSeeSite(siteID) {
		return nil, relance.NotFound("site")
	}
	var out []relance.Closure
	err := d.inOrg(ctx, p.OrgID, func(t *tx) error {
		if _, err := t.q.SiteGet(ctx, siteID); err != nil {
			return found(err, "site")
		}
		rows, err := t.q.SiteClosureListFrom(ctx, db.SiteClosureListFromParams{SiteID: siteID, FromDate: from.Time()})
		out = make([]relance.Closure, len(rows))
		for i, c := range rows {
			out[i] = relance.Closure{Start: toDate(c.StartDate), End: toDate(c.EndDate), Reason: c.Reason}
		}
		return err
	})
	return out, err
}

// AddSiteClosures adds closures to a site, or with replace makes them its only closures
// (admins only). It returns the site as it now is.
func (d *DB) AddSiteClosures(ctx context.Context, p relance.Principal, siteID uuid.UUID, closures []relance.Closure, replace bool) (relance.Site, error) {
	if err := p.CheckManageSites(); err != nil {
		return relance.Site{}, err
	}
	var s relance.Site
	err := d.inOrg(ctx, p.OrgID, func(t *tx) error {
		var err error
		if s, err = t.lockedSite(ctx, siteID); err != nil {
			return err
		}
		if !replace {
			closures = append(s.Closures, closures...)
		}
		s.Closures = closures
		if err := relance.ValidateSite(&s); err != nil {
			return err
		}
		if err := calendar.CheckSiteOpens(s, t.now); err != nil {
			return err
		}
		if err := t.replaceSiteHours(ctx, siteID, s.Windows, s.Closures); err != nil {
			return err
		}
		if s, err = t.site(ctx, siteID); err != nil {
			return err
		}
		return t.audit(ctx, p, "site.closures", "site", siteID, map[string]any{"count": len(closures), "replace": replace})
	})
	return s, err
}

// ListSites lists the sites p may see: every site for admins, their own sites for others.
func (d *DB) ListSites(ctx context.Context, p relance.Principal) ([]relance.Site, error) {
	var out []relance.Site
	err := d.inOrg(ctx, p.OrgID, func(t *tx) error {
		var rows []db.Site
		var err error
		if p.IsAdmin() || p.Role == relance.RolePartner {
			rows, err = t.q.SiteList(ctx)
		} else {
			rows, err = t.q.SiteListByIDs(ctx, p.SiteIDs)
		}
		if err != nil {
			return err
		}
		out, err = t.withHours(ctx, rows)
		return err
	})
	return out, err
}

// lockedSite reads site id for a change of its hours or closures, holding its row until the
// transaction ends, so that two concurrent changes apply one after the other and neither is lost.
func (t *tx) lockedSite(ctx context.Context, id uuid.UUID) (relance.Site, error) {
	if _, err := t.q.SiteLock(ctx, id); err != nil {
		return relance.Site{}, found(err, "site")
	}
	return t.site(ctx, id)
}

// site loads one site with its hours; not-found when absent (or in another tenant).
func (t *tx) site(ctx context.Context, id uuid.UUID) (relance.Site, error) {
	return remember(t.memo.sites, id, func() (relance.Site, error) {
		row, err := t.q.SiteGetWithHours(ctx, id)
		if err != nil {
			return relance.Site{}, found(err, "site")
		}
		return siteWithHours(row), nil
	})
}

// siteWithHours returns the site of a SiteGetWithHours row, with its hours and closures.
func siteWithHours(row db.SiteGetWithHoursRow) relance.Site {
	s := siteOf(row.Site)
	for i, day := range row.WindowWeekdays {
		s.Windows = append(s.Windows, window(day, row.WindowStarts[i], row.WindowEnds[i]))
	}
	for i, start := range row.ClosureStarts {
		s.Closures = append(s.Closures, relance.Closure{Start: toDate(start), End: toDate(row.ClosureEnds[i]), Reason: row.ClosureReasons[i]})
	}
	return s
}

// siteOf returns the site of a row, without hours or closures yet.
func siteOf(r db.Site) relance.Site {
	return relance.Site{ID: r.ID, OrgID: r.OrgID, Name: r.Name, TimeZone: r.TimeZone, Country: relance.Country(r.Country), CreatedAt: r.CreatedAt,
		Windows: []relance.Window{}, Closures: []relance.Closure{}}
}

// window returns an opening window as stored (ISO weekdays: 7 is Sunday).
func window(weekday, start, end int16) relance.Window {
	return relance.Window{Weekday: time.Weekday(weekday % 7), Start: int(start), End: int(end)}
}

// withHours loads the windows and closures of sites in two queries.
func (t *tx) withHours(ctx context.Context, rows []db.Site) ([]relance.Site, error) {
	ids := make([]uuid.UUID, len(rows))
	byID := make(map[uuid.UUID]*relance.Site, len(rows))
	out := make([]relance.Site, len(rows))
	for i, r := range rows {
		ids[i] = r.ID
		out[i] = siteOf(r)
		byID[r.ID] = &out[i]
	}
	windows, err := t.q.SiteWindowList(ctx, ids)
	if err != nil {
		return nil, err
	}
	for _, w := range windows {
		s := byID[w.SiteID]
		s.Windows = append(s.Windows, window(w.Weekday, w.StartMinute, w.EndMinute))
	}
	closures, err := t.q.SiteClosureList(ctx, ids)
	if err != nil {
		return nil, err
	}
	for _, c := range closures {
		s := byID[c.SiteID]
		s.Closures = append(s.Closures, relance.Closure{Start: toDate(c.StartDate), End: toDate(c.EndDate), Reason: c.Reason})
	}
	return out, nil
}

// replaceSiteHours replaces all windows and closures of a site. Weekdays are stored ISO style
// (Monday 1 … Sunday 7).
func (t *tx) replaceSiteHours(ctx context.Context, id uuid.UUID, windows []relance.Window, closures []relance.Closure) error {
	if err := t.q.SiteWindowDeleteAll(ctx, id); err != nil {
		return err
	}
	for _, w := range windows {
		iso := int16(w.Weekday)
		if iso == 0 {
			iso = 7
		}
		if err := t.q.SiteWindowInsert(ctx, db.SiteWindowInsertParams{
			OrgID: t.org, SiteID: id, Weekday: iso, StartMinute: int16(w.Start), EndMinute: int16(w.End),
		}); err != nil {
			return err
		}
	}
	if err := t.q.SiteClosureDeleteAll(ctx, id); err != nil {
		return err
	}
	for _, c := range closures {
		if err := t.q.SiteClosureInsert(ctx, db.SiteClosureInsertParams{
			OrgID: t.org, SiteID: id, StartDate: c.Start.Time(), EndDate: c.End.Time(), Reason: c.Reason,
		}); err != nil {
			return err
		}
	}
	return nil
}

// siteLocation is a site's time zone, for showing instants; UTC if it no longer loads.
func siteLocation(s relance.Site) *time.Location {
	loc, err := time.LoadLocation(s.TimeZone)
	if err != nil {
		return time.UTC
	}
	return loc
}
