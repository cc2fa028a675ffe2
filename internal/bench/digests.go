package bench

import (
	"cmp"
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/wneessen/go-mail"

	"github.com/relancehq/relance/internal/catcher"
	"github.com/relancehq/relance/internal/postgres"
	"github.com/relancehq/relance/internal/queue"
	"github.com/relancehq/relance/internal/relance"
)

// Digests writes env.Leads advisors with one late lead each and their digests due at one
// instant, as the planner writes them for 09:00, enqueues them, then lets the worker(s) send
// them over SMTP to a local catcher. The advisors and leads are copies of one made through the
// API, in bulk SQL, so that setup stays short. It returns the digests' lateness and the emails'.
func Digests(ctx context.Context, env ReminderEnv) ([]Lateness, error) {
	lead := cmp.Or(env.Lead, 45*time.Second)
	c, err := catcher.Start("127.0.0.1:0", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	defer c.Close()
	queueName := fmt.Sprintf("bench-digests-%d", time.Now().UnixNano())
	scheduler := queue.NewClient(env.Redis, queueName)
	setup, err := postgres.Open(ctx, env.DatabaseURL, postgres.WithLogger(env.Log), postgres.WithScheduler(scheduler))
	if err != nil {
		return nil, err
	}
	defer setup.Close()
	start := time.Now()
	suffix := uuid.NewString()[:8]
	admin, site, err := alwaysOpenOrg(ctx, setup, "digests", suffix)
	if err != nil {
		return nil, err
	}
	model, err := setup.CreateUser(ctx, admin, relance.NewUser{User: relance.User{
		Email: "digest-0@dig-" + suffix + ".test", DisplayName: "Advisor", Role: relance.RoleAdvisor,
		SiteIDs: []uuid.UUID{site.ID}, Locale: relance.LocaleFR, Notifications: relance.Notifications{Email: true},
	}})
	if err != nil {
		return nil, err
	}
	modelLead, _, err := setup.CreateLead(ctx, admin, relance.NewLead{IdempotencyKey: "digest-model", SiteID: site.ID, Source: "bench",
		Contact: relance.Contact{Name: "Late lead", Phone: NextPhone()}, AssigneeID: model.ID})
	if err != nil {
		return nil, err
	}
	owner, err := pgxpool.New(ctx, env.OwnerURL)
	if err != nil {
		return nil, err
	}
	defer owner.Close()
	at := start.Add(lead).Truncate(time.Second)
	day := at.Format(time.DateOnly)
	tx, err := owner.Begin(ctx)
	if err != nil {
		return nil, err
	}
	defer func() { _ = tx.Rollback(ctx) }()
	userCols, err := columns(ctx, tx, "users", "id", "email")
	if err != nil {
		return nil, err
	}
	leadCols, err := columns(ctx, tx, "leads", "id", "assignee_id", "idempotency_key", "late_at")
	if err != nil {
		return nil, err
	}
	for _, q := range []string{
		`INSERT INTO users (id, email, ` + userCols + `) SELECT gen_random_uuid(), 'digest-' || g || '@dig-' || $3 || '.test', ` +
			prefixed("u", userCols) + ` FROM users u, generate_series(1, $2::int - 1) g WHERE u.id = $1`,
		`INSERT INTO user_sites (org_id, user_id, site_id) SELECT org_id, id, $2 FROM users
			WHERE org_id = $1 AND role = 'advisor' AND id <> $3`,
		`INSERT INTO leads (id, assignee_id, idempotency_key, late_at, ` + leadCols + `) SELECT gen_random_uuid(), u.id, NULL, $3, ` +
			prefixed("l", leadCols) + ` FROM leads l, users u WHERE l.id = $2 AND u.org_id = $1 AND u.role = 'advisor' AND u.id <> $4`,
		`UPDATE leads SET late_at = $2 WHERE id = $1`,
		// Only the digests are measured: the model lead's own alert and reminder go.
		`UPDATE timers SET state = 'cancelled' WHERE org_id = $1 AND state = 'pending'`,
		`INSERT INTO timers (id, org_id, kind, subject_id, ref, due_at, key, created_at, updated_at)
			SELECT gen_random_uuid(), org_id, $4, id, $2, $3, 'digest:' || id || ':' || $2, now(), now()
			FROM users WHERE org_id = $1 AND role = 'advisor'`,
	} {
		var args []any
		switch {
		case strings.HasPrefix(q, "INSERT INTO users"):
			args = []any{model.ID, env.Leads, suffix}
		case strings.HasPrefix(q, "INSERT INTO user_sites"):
			args = []any{admin.OrgID, site.ID, model.ID}
		case strings.HasPrefix(q, "INSERT INTO leads"):
			args = []any{admin.OrgID, modelLead.ID, at.Add(-time.Hour), model.ID}
		case strings.HasPrefix(q, "UPDATE leads"):
			args = []any{modelLead.ID, at.Add(-time.Hour)}
		case strings.HasPrefix(q, "UPDATE timers"):
			args = []any{admin.OrgID}
		default:
			args = []any{admin.OrgID, day, at, string(relance.TimerDigest)}
		}
		if _, err := tx.Exec(ctx, q, args...); err != nil {
			return nil, fmt.Errorf("digest setup: %w", err)
		}
	}
	if err := tx.Commit(ctx); err != nil {
		return nil, err
	}
	// Enqueued after commit, as the planner does.
	rows, err := owner.Query(ctx, `SELECT id, version, due_at FROM timers WHERE org_id = $1 AND kind = $2`, admin.OrgID, string(relance.TimerDigest))
	if err != nil {
		return nil, err
	}
	var refs []relance.TimerRef
	for rows.Next() {
		r := relance.TimerRef{OrgID: admin.OrgID}
		if err := rows.Scan(&r.ID, &r.Version, &r.DueAt); err != nil {
			rows.Close()
			return nil, err
		}
		refs = append(refs, r)
	}
	rows.Close()
	if len(refs) != env.Leads {
		return nil, fmt.Errorf("digest setup wrote %d digests, want %d", len(refs), env.Leads)
	}
	if err := scheduler.Schedule(ctx, refs); err != nil {
		return nil, err
	}
	if time.Since(start) > lead {
		return nil, fmt.Errorf("setup took %s, longer than the %s lead: lower BENCH_REMINDERS or raise BENCH_REMINDER_LEAD", time.Since(start), lead)
	}
	return drain(ctx, env, c, owner, queueName, admin.OrgID, relance.TimerDigest, lead+6*time.Minute)
}

// columns lists table's columns but except, comma-separated, in their order.
func columns(ctx context.Context, tx pgx.Tx, table string, except ...string) (string, error) {
	rows, err := tx.Query(ctx, `SELECT column_name FROM information_schema.columns
		WHERE table_schema = current_schema() AND table_name = $1 AND NOT column_name = ANY($2)
		  AND is_generated = 'NEVER' ORDER BY ordinal_position`, table, except)
	if err != nil {
		return "", err
	}
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	return strings.Join(names, ", "), err
}

// prefixed qualifies each of the comma-separated columns with alias.
func prefixed(alias, cols string) string {
	names := strings.Split(cols, ", ")
	for i, n := range names {
		names[i] = alias + "." + n
	}
	return strings.Join(names, ", ")
}

// RawSMTP is the baseline of the emails: n messages like a reminder, sent by concurrency
// goroutines over one SMTP connection each (go-mail, as the mailer), to a local catcher. Its
// lateness is each message's acceptance after the start.
func RawSMTP(ctx context.Context, n, concurrency int) (Lateness, error) {
	c, err := catcher.Start("127.0.0.1:0", "127.0.0.1:0")
	if err != nil {
		return Lateness{}, err
	}
	defer c.Close()
	client, err := mail.NewClient("127.0.0.1", mail.WithPort(c.SMTPPort()), mail.WithTLSPolicy(mail.NoTLS))
	if err != nil {
		return Lateness{}, err
	}
	var (
		mu      sync.Mutex
		samples []time.Duration
		first   error
		wg      sync.WaitGroup
	)
	start := time.Now()
	for w := range concurrency {
		wg.Go(func() {
			conn, err := client.DialToSMTPClientWithContext(ctx)
			if err == nil {
				defer client.CloseWithSMTPClient(conn)
			}
			for i := w; i < n && err == nil; i += concurrency {
				m := mail.NewMsg()
				if err = m.From("bench@relance.test"); err != nil {
					break
				}
				if err = m.To(fmt.Sprintf("advisor%d@bench.test", i%20)); err != nil {
					break
				}
				m.Subject("Relance : un lead vous attend")
				m.SetMessageIDWithValue(fmt.Sprintf("raw-%d@relance", i))
				m.SetBodyString(mail.TypeTextPlain, "Bonjour,\nun lead vous attend depuis une heure.")
				m.AddAlternativeString(mail.TypeTextHTML, "<p>Bonjour,</p><p>un lead vous attend depuis une heure.</p>")
				if err = client.SendWithSMTPClient(conn, m); err == nil {
					mu.Lock()
					samples = append(samples, time.Since(start))
					mu.Unlock()
				}
			}
			if err != nil {
				mu.Lock()
				first = cmp.Or(first, err)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if first != nil {
		return Lateness{}, fmt.Errorf("raw smtp: %w", first)
	}
	return LatenessOf(fmt.Sprintf("raw SMTP: %d emails over %d connections (baseline)", n, concurrency), samples, time.Since(start)), nil
}
