package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/relancehq/relance/gen/db"
	"github.com/relancehq/relance/internal/credential"
	"github.com/relancehq/relance/internal/relance"
)

var errBadLogin = relance.Errorf(relance.CodeUnauthenticated, "wrong email or password")

// dummyHash is checked against when an email is unknown, so that a wrong email takes as long
// to refuse as a wrong password.
var dummyHash, _ = credential.HashPassword(context.Background(), "relance-timing-equaliser")

// Login checks a work email and password, from the client at address, and opens a session. It
// returns the bearer token and its expiry and the user, or an unauthenticated error that does
// not tell which part was wrong. A failed login of a known account is then written to its
// organisation's audit log with the reason and the address, never the password.
func (d *DB) Login(ctx context.Context, email, password, address string) (string, time.Time, relance.User, error) {
	row, err := db.New(d.pool).AuthPasswordLookup(ctx, strings.ToLower(email))
	if errors.Is(err, pgx.ErrNoRows) {
		if err := credential.CheckPassword(ctx, dummyHash, password); err != nil && !errors.Is(err, credential.ErrMismatch) {
			return "", time.Time{}, relance.User{}, err
		}
		return "", time.Time{}, relance.User{}, errBadLogin
	}
	if err != nil {
		return "", time.Time{}, relance.User{}, fmt.Errorf("login lookup: %w", err)
	}
	if err := credential.CheckPassword(ctx, row.Hash, password); err != nil || !row.Active {
		reason := "inactive account"
		switch {
		case errors.Is(err, credential.ErrMismatch):
			reason = "wrong password"
		case err != nil:
			return "", time.Time{}, relance.User{}, err
		}
		// Written after answering, so that a known email does not answer later than an unknown
		// one (which has no organisation to audit in) by the time of a transaction.
		d.background.Go(func() { d.auditFailedLogin(context.WithoutCancel(ctx), row.OrgID, row.UserID, reason, address) })
		return "", time.Time{}, relance.User{}, errBadLogin
	}
	secret, digest, err := credential.NewSecret(credential.SessionPrefix)
	if err != nil {
		return "", time.Time{}, relance.User{}, err
	}
	var user relance.User
	var expires time.Time
	err = d.inOrg(ctx, row.OrgID, func(t *tx) error {
		expires = t.now.Add(relance.SessionTTL)
		tokenID := uuid.Must(uuid.NewV7())
		if err := t.q.APITokenCreate(ctx, db.APITokenCreateParams{
			ID: tokenID, OrgID: t.org, Kind: "session", UserID: &row.UserID, Prefix: secret[:8],
			SecretHash: digest, Scopes: []string{}, CreatedAt: t.now, ExpiresAt: &expires,
		}); err != nil {
			return err
		}
		if user, err = t.user(ctx, row.UserID); err != nil {
			return err
		}
		return t.audit(ctx, relance.Principal{OrgID: t.org, Role: user.Role, UserID: user.ID, TokenID: tokenID},
			"auth.login", "user", user.ID, nil)
	})
	return secret, expires, user, err
}

// auditFailedLogin records a failed login of a known account. The caller's answer does not
// depend on it: a failure to write is logged.
func (d *DB) auditFailedLogin(ctx context.Context, org, user uuid.UUID, reason, address string) {
	err := d.inOrg(ctx, org, func(t *tx) error {
		return t.audit(ctx, relance.Principal{OrgID: org}, "auth.login_failed", "user", user,
			map[string]any{"reason": reason, "address": address})
	})
	if err != nil {
		d.log.ErrorContext(ctx, "audit of a failed login", "user", user, "err", err)
	}
}

// Authenticate resolves a bearer secret (session token or API key) to its principal. It returns
// an unauthenticated error for an unknown, expired or revoked secret, or an inactive user.
func (d *DB) Authenticate(ctx context.Context, secret string) (relance.Principal, error) {
	bad := relance.Errorf(relance.CodeUnauthenticated, "invalid or expired credentials")
	if secret == "" {
		return relance.Principal{}, bad
	}
	row, err := db.New(d.pool).AuthTokenLookup(ctx, db.AuthTokenLookupParams{
		SecretHash: credential.Digest(secret), Now: d.now(),
	})
	if errors.Is(err, pgx.ErrNoRows) {
		return relance.Principal{}, bad
	}
	if err != nil {
		return relance.Principal{}, fmt.Errorf("token lookup: %w", err)
	}
	p := relance.Principal{
		OrgID: row.OrgID, TokenID: row.TokenID, UserID: row.UserID, Role: relance.Role(row.Role), SiteIDs: row.SiteIds,
		RequestsPerMinute: int(row.RequestsPerMinute),
	}
	if row.Kind == "api_key" {
		p.Role = relance.RolePartner
		for _, s := range row.Scopes {
			p.Scopes = append(p.Scopes, relance.Scope(s))
		}
	}
	return p, nil
}

// Logout revokes the token p authenticated with.
func (d *DB) Logout(ctx context.Context, p relance.Principal) error {
	return d.inOrg(ctx, p.OrgID, func(t *tx) error {
		if _, err := t.q.APITokenRevoke(ctx, db.APITokenRevokeParams{ID: p.TokenID, RevokedAt: &t.now}); err != nil {
			return err
		}
		return t.audit(ctx, p, "auth.logout", "token", p.TokenID, nil)
	})
}

// Organization returns the caller's organisation.
func (d *DB) Organization(ctx context.Context, p relance.Principal) (relance.Organization, error) {
	var org relance.Organization
	err := d.inOrg(ctx, p.OrgID, func(t *tx) error {
		o, err := t.q.OrganizationGet(ctx, t.org)
		org = toOrganization(o)
		return found(err, "organization")
	})
	return org, err
}

// CreateAPIKey issues a partner API key (admins only) with spec's name, scopes, request budget
// (0 for the server's default) and expiry (nil for none), and returns it with its secret, which
// is not stored and cannot be shown again.
func (d *DB) CreateAPIKey(ctx context.Context, p relance.Principal, spec relance.APIKey) (relance.APIKey, string, error) {
	if err := p.CheckManageSites(); err != nil {
		return relance.APIKey{}, "", err
	}
	if spec.ExpiresAt != nil && !spec.ExpiresAt.After(d.now()) {
		return relance.APIKey{}, "", relance.Invalid("expire_time", "must be in the future")
	}
	secret, digest, err := credential.NewSecret(credential.APIKeyPrefix)
	if err != nil {
		return relance.APIKey{}, "", err
	}
	var key relance.APIKey
	err = d.inOrg(ctx, p.OrgID, func(t *tx) error {
		key = spec
		key.ID, key.Prefix, key.CreatedAt, key.RevokedAt = uuid.Must(uuid.NewV7()), secret[:8], t.now, nil
		if err := t.insertAPIKey(ctx, &key, digest); err != nil {
			return err
		}
		return t.audit(ctx, p, "api_key.create", "api_key", key.ID, map[string]any{
			"name": key.Name, "scopes": key.Scopes, "requests_per_minute": key.RequestsPerMinute, "expires_at": key.ExpiresAt,
		})
	})
	return key, secret, err
}

// insertAPIKey writes key, whose secret hashes to digest.
func (t *tx) insertAPIKey(ctx context.Context, key *relance.APIKey, digest []byte) error {
	raw := make([]string, len(key.Scopes))
	for i, s := range key.Scopes {
		raw[i] = string(s)
	}
	return t.q.APITokenCreate(ctx, db.APITokenCreateParams{
		ID: key.ID, OrgID: t.org, Kind: "api_key", Name: key.Name, Prefix: key.Prefix,
		SecretHash: digest, Scopes: raw, CreatedAt: key.CreatedAt, ExpiresAt: key.ExpiresAt, RequestsPerMinute: int32(key.RequestsPerMinute),
	})
}

// ListAPIKeys lists the organisation's partner API keys (admins only).
func (d *DB) ListAPIKeys(ctx context.Context, p relance.Principal) ([]relance.APIKey, error) {
	if err := p.CheckManageSites(); err != nil {
		return nil, err
	}
	var keys []relance.APIKey
	err := d.inOrg(ctx, p.OrgID, func(t *tx) error {
		rows, err := t.q.APITokenListKeys(ctx)
		for _, r := range rows {
			k := relance.APIKey{
				ID: r.ID, Name: r.Name, Prefix: r.Prefix, CreatedAt: r.CreatedAt, RevokedAt: r.RevokedAt,
				RequestsPerMinute: int(r.RequestsPerMinute), ExpiresAt: r.ExpiresAt,
			}
			for _, s := range r.Scopes {
				k.Scopes = append(k.Scopes, relance.Scope(s))
			}
			keys = append(keys, k)
		}
		return err
	})
	return keys, err
}

// RevokeAPIKey disables a partner API key (admins only); it returns not-found for an unknown key.
func (d *DB) RevokeAPIKey(ctx context.Context, p relance.Principal, id uuid.UUID) error {
	if err := p.CheckManageSites(); err != nil {
		return err
	}
	return d.inOrg(ctx, p.OrgID, func(t *tx) error {
		k, err := t.q.APITokenGet(ctx, id)
		if err != nil || k.Kind != "api_key" {
			return relance.NotFound("api key")
		}
		if _, err := t.q.APITokenRevoke(ctx, db.APITokenRevokeParams{ID: id, RevokedAt: &t.now}); err != nil {
			return err
		}
		return t.audit(ctx, p, "api_key.revoke", "api_key", id, nil)
	})
}

// checkPasswordChange checks that p may set the password of user id (relance's rule) and, for
// their own, that current is their password. It returns how the audit log names the change, or
// invalid-input naming current_password.
func (t *tx) checkPasswordChange(ctx context.Context, p relance.Principal, id uuid.UUID, current *string) (string, error) {
	how, err := p.CheckPasswordChange(id, current)
	if err != nil || how != relance.PasswordChanged {
		return how, err
	}
	hash, err := t.q.PasswordGet(ctx, id)
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return "", err
	}
	if err == nil {
		err = credential.CheckPassword(ctx, hash, *current)
	}
	switch {
	case err == nil:
		return how, nil
	case errors.Is(err, pgx.ErrNoRows) || errors.Is(err, credential.ErrMismatch):
		return "", relance.Invalid("current_password", "is not your current password")
	}
	return "", err
}

// setPassword stores password's hash for user id; the caller checks the right to do so.
func (t *tx) setPassword(ctx context.Context, id uuid.UUID, password string) error {
	if len(password) < 8 {
		return relance.Invalid("password", "must be at least 8 characters")
	}
	hash, err := credential.HashPassword(ctx, password)
	if err != nil {
		return err
	}
	return t.q.PasswordSet(ctx, db.PasswordSetParams{UserID: id, OrgID: t.org, Hash: hash, UpdatedAt: t.now})
}
