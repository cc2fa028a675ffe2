// Command relance-soak runs the soak of `make soak` (scripts/soak.sh sets the stage: PostgreSQL,
// Redis, the relance binary, free ports): 2 API and 2 worker processes under load and faults,
// then checks. It exits with status 1 on any violation, 2 when the soak could not run.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/relancehq/relance/internal/soak"
)

func main() {
	cfg, err := soak.ConfigFromEnv()
	if err != nil {
		fmt.Fprintln(os.Stderr, "relance-soak:", err)
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	r, err := soak.Run(ctx, cfg, os.Stdout)
	if err != nil {
		fmt.Fprintln(os.Stderr, "relance-soak:", err)
		stop()
		os.Exit(2)
	}
	if len(r.Violations) > 0 {
		stop()
		os.Exit(1)
	}
}
