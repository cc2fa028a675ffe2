package postgres

import (
	"context"
	"errors"
	"strings"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/relancehq/relance/gen/db"
	"github.com/relancehq/relance/internal/credential"
	"github.com/relancehq/relance/internal/relance"
)

// CreateAdfVendor maps an ADF vendor id or name to a site (admins only). It returns invalid
// input when both or neither of id and name are set, not-found for an unknown site, and a
// conflict when the vendor is mapped already.
func (d *DB) CreateAdfVendor(ctx context.Context, p relance.Principal, v relance.AdfVendor) (relance.AdfVendor, error) {
	if err := p.CheckManageSites(); err != nil {
		return relance.AdfVendor{}, err
	}
	v.VendorID, v.VendorName = strings.TrimSpace(v.VendorID), strings.TrimSpace(v.VendorName)
	if (v.VendorID == "") == (v.VendorName == "") {
		return relance.AdfVendor{}, relance.Invalid("vendor_id", "set either a vendor id or a vendor name")
	}
	err := d.inOrg(ctx, p.OrgID, func(t *tx) error {
		if _, err := t.q.SiteGet(ctx, v.SiteID); err != nil {
			return found(err, "site")
		}
		v.ID, v.CreatedAt = uuid.Must(uuid.NewV7()), t.now
		if err := t.q.AdfVendorCreate(ctx, db.AdfVendorCreateParams{
			ID: v.ID, OrgID: t.org, VendorID: v.VendorID, VendorName: v.VendorName, SiteID: v.SiteID, CreatedAt: t.now,
		}); err != nil {
			return err
		}
		return t.audit(ctx, p, "adf_vendor.create", "adf_vendor", v.ID,
			map[string]any{"vendor_id": v.VendorID, "vendor_name": v.VendorName, "site_id": v.SiteID})
	})
	return v, err
}

// ListAdfVendors lists the organisation's vendor mappings (admins only).
func (d *DB) ListAdfVendors(ctx context.Context, p relance.Principal) ([]relance.AdfVendor, error) {
	if err := p.CheckManageSites(); err != nil {
		return nil, err
	}
	var out []relance.AdfVendor
	err := d.inOrg(ctx, p.OrgID, func(t *tx) error {
		rows, err := t.q.AdfVendorList(ctx)
		for _, r := range rows {
			out = append(out, relance.AdfVendor{ID: r.ID, VendorID: r.VendorID, VendorName: r.VendorName, SiteID: r.SiteID, CreatedAt: r.CreatedAt})
		}
		return err
	})
	return out, err
}

// DeleteAdfVendor removes a vendor mapping (admins only); not-found when there is none.
func (d *DB) DeleteAdfVendor(ctx context.Context, p relance.Principal, id uuid.UUID) error {
	if err := p.CheckManageSites(); err != nil {
		return err
	}
	return d.inOrg(ctx, p.OrgID, func(t *tx) error {
		n, err := t.q.AdfVendorDelete(ctx, id)
		if err != nil {
			return err
		}
		if n == 0 {
			return relance.NotFound("vendor mapping")
		}
		return t.audit(ctx, p, "adf_vendor.delete", "adf_vendor", id, nil)
	})
}

// CreateAdfIntakeToken creates an intake token for source (admins only): an API key with scope
// leads.create, whose secret it returns once. siteID (uuid.Nil for none) is where its leads go
// when the document names no mapped vendor; not-found when it is not a site.
func (d *DB) CreateAdfIntakeToken(ctx context.Context, p relance.Principal, source string, siteID uuid.UUID, requestsPerMinute int) (relance.AdfIntakeToken, string, error) {
	if err := p.CheckManageSites(); err != nil {
		return relance.AdfIntakeToken{}, "", err
	}
	source = strings.TrimSpace(source)
	if source == "" || len(source) > 100 {
		return relance.AdfIntakeToken{}, "", relance.Invalid("source", "a source of 1 to 100 characters is required")
	}
	secret, digest, err := credential.NewSecret(credential.APIKeyPrefix)
	if err != nil {
		return relance.AdfIntakeToken{}, "", err
	}
	var tok relance.AdfIntakeToken
	err = d.inOrg(ctx, p.OrgID, func(t *tx) error {
		if siteID != uuid.Nil {
			if _, err := t.q.SiteGet(ctx, siteID); err != nil {
				return found(err, "site")
			}
		}
		tok = relance.AdfIntakeToken{ID: uuid.Must(uuid.NewV7()), Source: source, SiteID: siteID, Prefix: secret[:8], CreatedAt: t.now}
		if err := t.insertAPIKey(ctx, &relance.APIKey{
			ID: tok.ID, Name: "ADF intake: " + source, Prefix: tok.Prefix, Scopes: []relance.Scope{relance.ScopeLeadsCreate},
			CreatedAt: t.now, RequestsPerMinute: requestsPerMinute,
		}, digest); err != nil {
			return err
		}
		if err := t.q.AdfIntakeTokenCreate(ctx, db.AdfIntakeTokenCreateParams{
			TokenID: tok.ID, OrgID: t.org, Source: source, SiteID: optUUID(siteID), CreatedAt: t.now,
		}); err != nil {
			return err
		}
		return t.audit(ctx, p, "adf_intake_token.create", "api_key", tok.ID, map[string]any{"source": source, "site_id": siteID})
	})
	return tok, secret, err
}

// ListAdfIntakeTokens lists the organisation's intake tokens, revoked ones included (admins
// only).
func (d *DB) ListAdfIntakeTokens(ctx context.Context, p relance.Principal) ([]relance.AdfIntakeToken, error) {
	if err := p.CheckManageSites(); err != nil {
		return nil, err
	}
	var out []relance.AdfIntakeToken
	err := d.inOrg(ctx, p.OrgID, func(t *tx) error {
		rows, err := t.q.AdfIntakeTokenList(ctx)
		for _, r := range rows {
			out = append(out, relance.AdfIntakeToken{ID: r.TokenID, Source: r.Source, SiteID: deref(r.SiteID),
				Prefix: r.Prefix, CreatedAt: r.CreatedAt, RevokedAt: r.RevokedAt})
		}
		return err
	})
	return out, err
}

// AdfIntakeToken returns the intake token p authenticated with, and false when p's credential
// is not one (a plain API key or a session).
func (d *DB) AdfIntakeToken(ctx context.Context, p relance.Principal) (relance.AdfIntakeToken, bool, error) {
	if p.Role != relance.RolePartner {
		return relance.AdfIntakeToken{}, false, nil
	}
	var tok relance.AdfIntakeToken
	var ok bool
	err := d.inOrg(ctx, p.OrgID, func(t *tx) error {
		r, err := t.q.AdfIntakeTokenGet(ctx, p.TokenID)
		if errors.Is(err, pgx.ErrNoRows) {
			return nil
		}
		if err != nil {
			return err
		}
		tok, ok = relance.AdfIntakeToken{ID: r.TokenID, Source: r.Source, SiteID: deref(r.SiteID), CreatedAt: r.CreatedAt}, true
		return nil
	})
	return tok, ok, err
}

// AdfVendorSite returns the site a vendor (by id, else by name) is mapped to, or not-found
// naming the vendor when it is not mapped.
func (d *DB) AdfVendorSite(ctx context.Context, p relance.Principal, vendorID, vendorName string) (relance.Site, error) {
	var site relance.Site
	err := d.inOrg(ctx, p.OrgID, func(t *tx) error {
		id, err := t.q.AdfVendorFind(ctx, db.AdfVendorFindParams{VendorID: vendorID, VendorName: vendorName})
		if errors.Is(err, pgx.ErrNoRows) {
			return relance.Errorf(relance.CodeNotFound, "unknown vendor (id %q, name %q): no site is mapped to it", vendorID, vendorName)
		}
		if err != nil {
			return err
		}
		return t.siteZone(ctx, id, &site)
	})
	return site, err
}

// AdfSite returns the site id (with its time zone), or not-found.
func (d *DB) AdfSite(ctx context.Context, p relance.Principal, id uuid.UUID) (relance.Site, error) {
	var site relance.Site
	err := d.inOrg(ctx, p.OrgID, func(t *tx) error { return t.siteZone(ctx, id, &site) })
	return site, err
}

func (t *tx) siteZone(ctx context.Context, id uuid.UUID, site *relance.Site) error {
	s, err := t.q.SiteGet(ctx, id)
	if err != nil {
		return found(err, "site")
	}
	*site = relance.Site{ID: s.ID, OrgID: s.OrgID, Name: s.Name, TimeZone: s.TimeZone, Country: relance.Country(s.Country)}
	return nil
}

// LeadByExternalID returns the lead of source holding externalID, and false when there is none.
// Partners find the leads of their organisation; people only those they may see.
func (d *DB) LeadByExternalID(ctx context.Context, p relance.Principal, source, externalID string) (relance.Lead, bool, error) {
	var lead relance.Lead
	var ok bool
	err := d.inOrg(ctx, p.OrgID, func(t *tx) error {
		row, err := t.q.LeadGetByDedupKey(ctx, db.LeadGetByDedupKeyParams{ExternalID: &externalID, Source: source})
		if errors.Is(err, pgx.ErrNoRows) {
			return nil
		}
		if err != nil {
			return err
		}
		lead = toLead(row)
		ok = p.Role == relance.RolePartner || p.CanSeeLead(&lead)
		return nil
	})
	return lead, ok, err
}

// AdfDocument returns the ADF document lead was created from (admins only), or not-found.
func (d *DB) AdfDocument(ctx context.Context, p relance.Principal, leadID uuid.UUID) (relance.AdfDocument, error) {
	if err := p.CheckManageSites(); err != nil {
		return relance.AdfDocument{}, err
	}
	var doc relance.AdfDocument
	err := d.inOrg(ctx, p.OrgID, func(t *tx) error {
		r, err := t.q.AdfDocumentGet(ctx, leadID)
		if err != nil {
			return found(err, "ADF document")
		}
		doc = relance.AdfDocument{LeadID: r.LeadID, Content: r.Content, ReceivedAt: r.ReceivedAt}
		return nil
	})
	return doc, err
}

// ListAdfDocuments returns the leads of the most recent ADF documents kept, newest first, at
// most limit; it is PermissionDenied for anyone but an admin.
func (d *DB) ListAdfDocuments(ctx context.Context, p relance.Principal, limit int) ([]relance.AdfDocumentEntry, error) {
	if err := p.CheckManageSites(); err != nil {
		return nil, err
	}
	var out []relance.AdfDocumentEntry
	err := d.inOrg(ctx, p.OrgID, func(t *tx) error {
		rows, err := t.q.AdfDocumentListRecent(ctx, int32(limit))
		for _, r := range rows {
			out = append(out, relance.AdfDocumentEntry{LeadID: r.LeadID, SiteID: r.SiteID, Source: r.Source,
				ContactName: r.ContactName, ReceivedAt: r.ReceivedAt})
		}
		return err
	})
	return out, err
}
