// Command relance runs the Relance lead follow-up engine.
//
//	relance serve    the API (Connect, gRPC and gRPC-web on one port)
//	relance worker   the task worker and the timer sweeper
//	relance run      both in one process, plus, with CATCHER_ADDR, the dev mail/SMS catcher
//	relance migrate  apply database migrations
//	relance seed     create the demo organisation (prints its credentials)
//	relance org      create an organisation and its first admin, or list organisations
//	relance timers   list pending or late timers, show one, replay one
//	relance deliveries  list failed deliveries, retry them
//	relance vapid    print a new VAPID key pair for Web Push
//
// Configuration comes from environment variables; see README.md.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/relancehq/relance/internal/config"
	"github.com/relancehq/relance/internal/credential"
	"github.com/relancehq/relance/internal/notify"
	"github.com/relancehq/relance/internal/postgres"
	"github.com/relancehq/relance/internal/relance"
)

const usage = `usage: relance <serve|worker|run|migrate|seed|org|timers|deliveries|vapid>

  serve    run the API server
  worker   run the task worker and the timer sweeper
  run      run the API and the worker in one process
  migrate  apply database migrations (as MIGRATE_DATABASE_URL)
  seed     create the demo organisation and print its credentials
  org      create an organisation and its first admin, or list them (as MIGRATE_DATABASE_URL):
             relance org create --name NAME --admin-email EMAIL [--admin-name NAME]
             relance org list
  timers   list pending or late timers, show one, replay one (as MIGRATE_DATABASE_URL)
  deliveries  list failed deliveries, retry them (as MIGRATE_DATABASE_URL)
  vapid    print a new VAPID key pair for Web Push, as VAPID_PUBLIC_KEY=… and VAPID_PRIVATE_KEY=…
`

func main() {
	if len(os.Args) < 2 {
		fmt.Fprint(os.Stderr, usage)
		os.Exit(2)
	}
	cfg, err := config.FromEnv()
	if err != nil {
		fmt.Fprintln(os.Stderr, "relance: configuration:", err)
		os.Exit(2)
	}
	log := newLogger(cfg)
	credential.SetConcurrency(cfg.PasswordHashConcurrency)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	switch os.Args[1] {
	case "migrate":
		err = postgres.Migrate(ctx, cfg.MigrateDatabaseURL, log)
	case "serve":
		err = serve(ctx, cfg, log, false)
	case "worker":
		err = work(ctx, cfg, log)
	case "run":
		err = serve(ctx, cfg, log, true)
	case "seed":
		err = seed(ctx, cfg, log)
	case "org":
		err = org(ctx, cfg, log, os.Args[2:])
	case "timers", "deliveries":
		err = operate(ctx, cfg, log, os.Args[1], os.Args[2:])
	case "vapid":
		err = vapid(os.Stdout)
	default:
		fmt.Fprint(os.Stderr, usage)
		os.Exit(2)
	}
	switch {
	case errors.Is(err, errUsage):
		fmt.Fprint(os.Stderr, commandUsage[os.Args[1]])
		os.Exit(2)
	case relance.ErrorCode(err) != "":
		explain(os.Stderr, err)
		os.Exit(1)
	case err != nil:
		log.Error("relance stopped", "command", os.Args[1], "err", err)
		os.Exit(1)
	}
}

// commandUsage is what a command prints when its command line cannot be parsed.
var commandUsage = map[string]string{"org": orgUsage, "timers": timersUsage, "deliveries": deliveriesUsage}

// operate runs `relance timers` or `relance deliveries` as the schema owner.
func operate(ctx context.Context, cfg config.Config, log *slog.Logger, command string, args []string) error {
	op, closeAll, err := openOperator(ctx, cfg, log, os.Stdout)
	if err != nil {
		return err
	}
	defer closeAll()
	if command == "timers" {
		return op.timers(ctx, args)
	}
	return op.deliveries(ctx, args)
}

func newLogger(cfg config.Config) *slog.Logger {
	var level slog.Level
	if err := level.UnmarshalText([]byte(cfg.LogLevel)); err != nil {
		level = slog.LevelInfo
	}
	opts := &slog.HandlerOptions{Level: level}
	var h slog.Handler = slog.NewTextHandler(os.Stderr, opts)
	if cfg.LogFormat == "json" {
		h = slog.NewJSONHandler(os.Stderr, opts)
	}
	l := slog.New(h)
	slog.SetDefault(l)
	return l
}

// vapid prints a new VAPID key pair in the form the configuration reads.
func vapid(w io.Writer) error {
	public, private, err := notify.GenerateVAPIDKeys()
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(w, "VAPID_PUBLIC_KEY=%s\nVAPID_PRIVATE_KEY=%s\n", public, private)
	return err
}
