package bench

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/relancehq/relance/internal/postgres"
	"github.com/relancehq/relance/internal/relance"
)

// ReportEnv is what the report benchmark needs.
type ReportEnv struct {
	DatabaseURL string // the application role
	OwnerURL    string // the schema owner: the data is loaded, and the baselines run, as it
	Scale       Scale
	Duration    time.Duration // per scenario
	Log         *slog.Logger
	Out         io.Writer // the figures and the plans
	Progress    io.Writer // the progress bars of the data generation
	// BrowserRuns, when set, also measures the dashboard in Chromium that many times (the web
	// app must be built).
	BrowserRuns int
}

// Reports generates an organisation of env.Scale and measures the reports on it, each next to
// the same aggregate written by hand and run as the schema owner (no transaction, no row-level
// security, no Go around it). It then prints the plan PostgreSQL chose for each report query,
// with the very parameters the store sent.
func Reports(ctx context.Context, env ReportEnv) error {
	plans := &planTracer{want: map[string]bool{
		"ReportMemory": true, "ResponseTimeGroups": true, "DashboardFigures": true, "ComplianceLeads": true, "ComplianceCalls": true,
	}}
	store, err := postgres.Open(ctx, env.DatabaseURL, postgres.WithLogger(env.Log), postgres.WithQueryTracer(plans))
	if err != nil {
		return err
	}
	defer store.Close()
	now := time.Now().UTC()
	started := time.Now()
	org, err := Generate(ctx, store, env.OwnerURL, env.Scale, now, env.Progress)
	if err != nil {
		return err
	}
	took := time.Since(started).Round(time.Second)
	owner, err := pgxpool.New(ctx, env.OwnerURL)
	if err != nil {
		return err
	}
	defer owner.Close()
	var calls, activities int
	if err := owner.QueryRow(ctx, `SELECT (SELECT count(*) FROM calls WHERE org_id = $1), (SELECT count(*) FROM activities WHERE org_id = $1)`,
		org.Org).Scan(&calls, &activities); err != nil {
		return err
	}
	fmt.Fprintf(env.Out, "generated %d sites, %d advisors, %d leads, %d calls and %d activities in %s\n\n",
		env.Scale.Sites, env.Scale.Advisors, env.Scale.Leads, calls, activities, took)
	raw := func(sql string, args ...any) func(context.Context, int, int) error {
		return func(ctx context.Context, _, _ int) error {
			rows, err := owner.Query(ctx, sql, args...)
			if err != nil {
				return err
			}
			for rows.Next() {
			}
			return rows.Err()
		}
	}

	from, to := now.AddDate(0, -1, 0), now
	month := relance.ResponseTimeQuery{From: from, To: to, GroupBy: relance.ByAdvisor}
	Print(env.Out, []Result{
		run(ctx, "hand-written SQL: a month by advisor", 1, env.Duration, raw(`
			SELECT assignee_id, count(*), count(response_seconds), avg(response_seconds),
			  percentile_cont(0.5) WITHIN GROUP (ORDER BY response_seconds),
			  count(*) FILTER (WHERE response_seconds <= 86400), count(*) FILTER (WHERE response_seconds <= 3600)
			FROM leads WHERE org_id = $1 AND received_at >= $2 AND received_at < $3
			GROUP BY assignee_id`, org.Org, from, to)),
		run(ctx, "ResponseTimeReport: a month by advisor", 1, env.Duration, func(ctx context.Context, _, _ int) error {
			_, err := store.ResponseTimeReport(ctx, org.Admin, month)
			return err
		}),
	})
	fmt.Fprintln(env.Out)
	Print(env.Out, []Result{
		run(ctx, "hand-written SQL: dashboard, last 12 h", 1, env.Duration, raw(`
			SELECT count(*) FILTER (WHERE received_at >= $2), count(*) FILTER (WHERE first_response_at >= $2),
			  avg(response_seconds) FILTER (WHERE first_response_at >= $2)
			FROM leads WHERE org_id = $1 AND (received_at >= $2 OR first_response_at >= $2)`, org.Org, now.Add(-12*time.Hour))),
		run(ctx, "Dashboard: last 12 h", 1, env.Duration, func(ctx context.Context, _, _ int) error {
			_, err := store.Dashboard(ctx, org.Admin, relance.ReportFilter{}, 12*time.Hour)
			return err
		}),
	})
	fmt.Fprintln(env.Out)
	if env.BrowserRuns > 0 {
		if err := DashboardInBrowser(ctx, store, org.AdminEmail, ScalePassword, env.BrowserRuns, env.Duration, env.Log, env.Out); err != nil {
			return err
		}
		fmt.Fprintln(env.Out)
	}
	day := relance.DateOf(now.AddDate(0, 0, -1))
	dayStart := day.Time()
	Print(env.Out, []Result{
		run(ctx, "hand-written SQL: one site's day of calls", 1, env.Duration, raw(`
			SELECT l.assignee_id, count(DISTINCT l.id), count(c.id), count(c.id) FILTER (WHERE c.successful)
			FROM leads l LEFT JOIN calls c ON c.lead_id = l.id AND c.direction = 'outbound'
			  AND c.started_at >= $2 AND c.started_at < $3
			WHERE l.site_id = $1 AND l.stage = 'open' AND l.received_at >= $4 AND l.received_at < $3
			GROUP BY l.assignee_id`, org.Sites[0], dayStart, dayStart.AddDate(0, 0, 1), dayStart.AddDate(0, 0, -7))),
		run(ctx, "ComplianceReport: one site, one day", 1, env.Duration, func(ctx context.Context, _, _ int) error {
			_, err := store.Compliance(ctx, org.Manager, relance.ComplianceFilter{From: day, To: day, SiteID: org.Sites[0]})
			return err
		}),
	})
	fmt.Fprintln(env.Out)
	return plans.explain(ctx, env.DatabaseURL, org.Org.String(), env.Out)
}

// planTracer keeps the last statement and arguments of each wanted sqlc query, to explain later.
type planTracer struct {
	want map[string]bool
	mu   sync.Mutex
	seen []string // names, in the order first seen
	last map[string]pgx.TraceQueryStartData
}

// TraceQueryStart implements pgx.QueryTracer.
func (p *planTracer) TraceQueryStart(ctx context.Context, _ *pgx.Conn, data pgx.TraceQueryStartData) context.Context {
	name, _, _ := strings.Cut(strings.TrimPrefix(data.SQL, "-- name: "), " ")
	if !p.want[name] {
		return ctx
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.last == nil {
		p.last = map[string]pgx.TraceQueryStartData{}
	}
	if _, ok := p.last[name]; !ok {
		p.seen = append(p.seen, name)
	}
	p.last[name] = data
	return ctx
}

// TraceQueryEnd implements pgx.QueryTracer.
func (p *planTracer) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}

// explain prints EXPLAIN (ANALYZE, BUFFERS) of each kept statement, as the application role in
// the organisation's tenant, as the store runs it.
func (p *planTracer) explain(ctx context.Context, url, org string, w io.Writer) error {
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	for _, name := range p.seen {
		if name == "ReportMemory" {
			continue // a setting, replayed before each statement below as the store does
		}
		data := p.last[name]
		tx, err := conn.Begin(ctx)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "SELECT set_config('app.org_id', $1, true)", org); err != nil {
			return err
		}
		if mem, ok := p.last["ReportMemory"]; ok {
			if _, err := tx.Exec(ctx, mem.SQL); err != nil {
				return err
			}
		}
		rows, err := tx.Query(ctx, "EXPLAIN (ANALYZE, BUFFERS) "+data.SQL, data.Args...)
		if err != nil {
			return fmt.Errorf("explain %s: %w", name, err)
		}
		fmt.Fprintf(w, "plan of %s:\n", name)
		for rows.Next() {
			var line string
			if err := rows.Scan(&line); err != nil {
				return err
			}
			fmt.Fprintln(w, "  "+line)
		}
		if err := rows.Err(); err != nil {
			return err
		}
		if err := tx.Rollback(ctx); err != nil {
			return err
		}
		fmt.Fprintln(w)
	}
	return nil
}
