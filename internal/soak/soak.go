// Package soak proves a fleet of Relance processes under faults: 2 API and 2 worker processes
// on one PostgreSQL and one Redis, loaded by lead creators and alert watchers over the Connect
// API while workers, API processes, Redis and PostgreSQL are killed or restarted; then it checks
// that nothing was lost or doubled (see Run, and scripts/soak.sh which sets the stage).
package soak

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/relancehq/relance/internal/catcher"
)

// Config is the stage scripts/soak.sh sets: where the servers are and how long to run.
type Config struct {
	Relance     string   // the relance binary
	Work        string   // a folder with pids/ and logs/
	Services    string   // scripts/services.sh
	DatabaseURL string   // the application role
	SuperURL    string   // the postgres superuser, to read the outcome across tenants' rows
	RedisURL    string   // the fleet's Redis
	PGData      string   // PostgreSQL's data folder, to restart it
	PGPort      int      // its port
	RedisPort   int      // Redis's port, to restart it empty
	APIAddrs    []string // the API processes' listen addresses
	SMTPAddr    string   // the catcher's SMTP listener
	CatcherAddr string   // the catcher's HTTP listener (SMS provider)
	Queue       string   // the asynq queue

	Duration   time.Duration // load and faults (SOAK_DURATION, 2m)
	Drain      time.Duration // the most to wait, after the load, for every due thing to settle (SOAK_DRAIN, 4m)
	Clients    int           // lead creators (SOAK_CLIENTS, 4)
	Rate       float64       // leads a second over all creators (SOAK_RATE, 3)
	Advisors   int           // advisors, each watching their alert stream (SOAK_ADVISORS, 6)
	ReminderIn time.Duration // how long after its lead each reminder comes due (SOAK_REMINDER_IN, 20s)
}

// ConfigFromEnv reads the configuration soak.sh exports. It returns an error naming the first
// variable missing or unreadable.
func ConfigFromEnv() (Config, error) {
	c := Config{
		Relance: os.Getenv("SOAK_RELANCE"), Work: os.Getenv("SOAK_WORK"), Services: os.Getenv("SOAK_SERVICES"),
		DatabaseURL: os.Getenv("DATABASE_URL"), SuperURL: os.Getenv("SOAK_SUPER_URL"),
		PGData: os.Getenv("SOAK_PG_DATA"), SMTPAddr: os.Getenv("SOAK_SMTP_ADDR"), CatcherAddr: os.Getenv("SOAK_CATCHER_ADDR"),
		Queue: "relance-soak",
	}
	for name, v := range map[string]string{"SOAK_RELANCE": c.Relance, "SOAK_WORK": c.Work, "SOAK_SERVICES": c.Services,
		"DATABASE_URL": c.DatabaseURL, "SOAK_SUPER_URL": c.SuperURL, "SOAK_PG_DATA": c.PGData,
		"SOAK_SMTP_ADDR": c.SMTPAddr, "SOAK_CATCHER_ADDR": c.CatcherAddr} {
		if v == "" {
			return c, fmt.Errorf("%s is not set (run make soak)", name)
		}
	}
	var err error
	if c.PGPort, err = strconv.Atoi(os.Getenv("SOAK_PG_PORT")); err != nil {
		return c, fmt.Errorf("SOAK_PG_PORT: %w", err)
	}
	if c.RedisPort, err = strconv.Atoi(os.Getenv("SOAK_REDIS_PORT")); err != nil {
		return c, fmt.Errorf("SOAK_REDIS_PORT: %w", err)
	}
	c.RedisURL = fmt.Sprintf("redis://127.0.0.1:%d/0", c.RedisPort)
	c.APIAddrs = strings.Split(os.Getenv("SOAK_API_ADDRS"), ",")
	if len(c.APIAddrs) != 2 {
		return c, fmt.Errorf("SOAK_API_ADDRS: want two addresses")
	}
	for _, d := range []struct {
		p    *time.Duration
		name string
		def  time.Duration
	}{{&c.Duration, "SOAK_DURATION", 2 * time.Minute}, {&c.Drain, "SOAK_DRAIN", 4 * time.Minute}, {&c.ReminderIn, "SOAK_REMINDER_IN", 20 * time.Second}} {
		*d.p = d.def
		if v := os.Getenv(d.name); v != "" {
			if *d.p, err = time.ParseDuration(v); err != nil || *d.p <= 0 {
				return c, fmt.Errorf("%s: %q is not a positive duration", d.name, v)
			}
		}
	}
	for _, n := range []struct {
		p    *int
		name string
		def  int
	}{{&c.Clients, "SOAK_CLIENTS", 4}, {&c.Advisors, "SOAK_ADVISORS", 6}} {
		*n.p = n.def
		if v := os.Getenv(n.name); v != "" {
			if *n.p, err = strconv.Atoi(v); err != nil || *n.p <= 0 {
				return c, fmt.Errorf("%s: %q is not a positive integer", n.name, v)
			}
		}
	}
	c.Rate = 3
	if v := os.Getenv("SOAK_RATE"); v != "" {
		if c.Rate, err = strconv.ParseFloat(v, 64); err != nil || c.Rate <= 0 {
			return c, fmt.Errorf("SOAK_RATE: %q is not a positive number", v)
		}
	}
	return c, nil
}

// Run sets up an organisation, starts the fleet, loads it and injects the faults for
// cfg.Duration, waits for what is due to settle, checks, and writes the report to w. It returns
// the report (whose Violations say whether the fleet kept its promises) or an error when the
// soak itself could not run.
func Run(ctx context.Context, cfg Config, w io.Writer) (*Report, error) {
	logf := func(format string, args ...any) {
		fmt.Fprintf(w, "%s  "+format+"\n", append([]any{time.Now().UTC().Format("15:04:05")}, args...)...)
	}
	c, err := catcher.Start(cfg.SMTPAddr, cfg.CatcherAddr)
	if err != nil {
		return nil, err
	}
	defer c.Close()

	org, err := setUp(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("set up: %w", err)
	}
	logf("organisation %s: site open 24/7, %d advisors, first rung 1 h after a planned call's due time", org.ID, len(org.Advisors))

	fleet := newFleet(cfg, c.SMTPURL(), c.SMSURL())
	defer fleet.Stop()
	if err := fleet.Start(); err != nil {
		return nil, err
	}
	hc := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64, ResponseHeaderTimeout: 15 * time.Second}}
	api := newAPI(hc, cfg.APIAddrs)
	if err := api.waitReady(ctx, 30*time.Second); err != nil {
		return nil, err
	}
	logf("fleet up: API %s, 2 workers", strings.Join(cfg.APIAddrs, " and "))

	rdb := redis.NewClient(&redis.Options{Addr: fmt.Sprintf("127.0.0.1:%d", cfg.RedisPort)})
	defer rdb.Close()

	watchCtx, stopWatching := context.WithCancel(ctx)
	defer stopWatching()
	watchers := startWatchers(watchCtx, api, org)
	if err := waitWatchers(ctx, watchers, 30*time.Second); err != nil {
		return nil, err
	}
	logf("%d alert streams open", len(watchers))

	checker, err := newChecker(ctx, cfg.SuperURL, org)
	if err != nil {
		return nil, err
	}
	defer checker.close()

	start := time.Now()
	load := startLoad(ctx, cfg, api, org, start.Add(cfg.Duration))
	faults := runFaults(ctx, cfg, fleet, rdb, checker.sending, start, logf)
	<-load.done
	logf("load over: %d leads asked for", load.asked())

	drainStart := time.Now()
	settled := checker.drain(ctx, cfg.Drain, watchers, fleet, logf)
	drained := time.Since(drainStart)
	stopWatching()
	for _, wt := range watchers {
		<-wt.done
	}
	r, err := checker.check(ctx, load, watchers, c.Messages())
	if err != nil {
		return nil, err
	}
	r.Duration, r.Drained, r.Settled, r.Faults, r.Died = cfg.Duration, drained, settled, <-faults, fleet.Died()
	if !settled {
		r.violate("not settled %s after the load: see the stuck rows below", cfg.Drain)
	}
	for _, f := range r.Faults {
		if f.Err != "" {
			r.violate("fault %q could not be carried out: %s", f.What, f.Err)
		}
	}
	if len(r.Faults) < 4 {
		r.violate("only %d of the 4 faults were injected", len(r.Faults))
	}
	for name, n := range r.Died {
		r.violate("%s exited %d time(s) without being killed (restarted; see logs/%s.log)", name, n, name)
	}
	r.Print(w)
	return r, nil
}
