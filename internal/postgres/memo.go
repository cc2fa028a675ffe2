package postgres

import (
	"context"
	"errors"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/relancehq/relance/gen/db"
	"github.com/relancehq/relance/internal/calendar"
	"github.com/relancehq/relance/internal/relance"
)

// memo keeps what a transaction that only reads them has already read of sites, people, their
// absences, push settings and devices, calendars, ladders, the organisation and its webhook
// endpoints: timers fired together mostly share them (the 09:00 burst is many leads of few sites
// and advisors), and one lead created or one call recorded reads some of them twice (the
// endpoints once per event, an assignee's absences for the ladder and for the question to their
// manager). Only a transaction that writes none of these may carry one (FireTimer's,
// CreateLead's, RecordCall's); the zero memo (nil maps) reads every time.
type memo struct {
	sites     map[uuid.UUID]relance.Site
	users     map[uuid.UUID]relance.User
	absences  map[uuid.UUID][]relance.Absence     // by person
	calendars map[[2]uuid.UUID]*calendar.Calendar // by site and person (uuid.Nil: the site's own)
	ladders   map[uuid.UUID][]relance.Rung
	orgs      map[uuid.UUID]db.Organization
	endpoints map[uuid.UUID][]db.WebhookEndpoint // the enabled ones, by organisation
	// distributionRules are the organisation's, for picking one (distribute locks and reads the
	// one it picks again); enrolling are the running plans enrolling leads of a source, by source.
	distributionRules map[uuid.UUID][]db.DistributionRule
	enrolling         map[string][]db.Plan
	// pushPreferences and devices are a person's, for pushAlert.
	pushPreferences map[uuid.UUID]relance.PushPreferences
	devices         map[uuid.UUID][]db.Device
	// leads and the items of advisors' digests are read ahead for timers fired together, each
	// taken once (prefetch, lead, digestItems): unlike the above, firing writes leads.
	leads map[uuid.UUID]db.Lead
	// locked are leads read ahead with their lock (callReadAhead), each taken once by lockLead.
	locked      map[uuid.UUID]db.Lead
	digestItems map[digestOf][]db.DigestItemsRow
}

// newMemo returns a memo that keeps what is read.
func newMemo() memo {
	return memo{
		sites: map[uuid.UUID]relance.Site{}, users: map[uuid.UUID]relance.User{},
		absences: map[uuid.UUID][]relance.Absence{}, calendars: map[[2]uuid.UUID]*calendar.Calendar{},
		ladders: map[uuid.UUID][]relance.Rung{}, orgs: map[uuid.UUID]db.Organization{},
		endpoints: map[uuid.UUID][]db.WebhookEndpoint{}, distributionRules: map[uuid.UUID][]db.DistributionRule{},
		enrolling: map[string][]db.Plan{}, locked: map[uuid.UUID]db.Lead{},
		pushPreferences: map[uuid.UUID]relance.PushPreferences{}, devices: map[uuid.UUID][]db.Device{},
	}
}

// remember returns m[key], reading it with read the first time; a failed read is not kept. A nil
// m (the zero memo) always reads.
func remember[K comparable, V any](m map[K]V, key K, read func() (V, error)) (V, error) {
	if v, ok := m[key]; ok {
		return v, nil
	}
	v, err := read()
	if err == nil && m != nil {
		m[key] = v
	}
	return v, err
}

// keep returns a function that keeps a read's value as m[key] when it succeeded, and returns its
// error: keep(m, key)(read()). A nil m keeps nothing.
func keep[K comparable, V any](m map[K]V, key K) func(V, error) error {
	return func(v V, err error) error {
		if err == nil && m != nil {
			m[key] = v
		}
		return err
	}
}

// keepFound is keep for a read that may find nothing (pgx.ErrNoRows): then it keeps nothing and
// answers no error, and the usual read refuses later.
func keepFound[K comparable, V any](m map[K]V, key K) func(V, error) error {
	return func(v V, err error) error {
		if errors.Is(err, pgx.ErrNoRows) {
			return nil
		}
		return keep(m, key)(v, err)
	}
}

// organization returns the transaction's organisation.
func (t *tx) organization(ctx context.Context) (db.Organization, error) {
	return remember(t.memo.orgs, t.org, func() (db.Organization, error) { return t.q.OrganizationGet(ctx, t.org) })
}
