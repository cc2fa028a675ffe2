package main

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/relancehq/relance/internal/config"
	"github.com/relancehq/relance/internal/demo"
)

// seed creates the demo organisation (or finds it) and prints its credentials.
func seed(ctx context.Context, cfg config.Config, log *slog.Logger) error {
	store, rdb, _, err := connect(ctx, cfg, log, nil, &telemetry{}, false)
	if err != nil {
		return err
	}
	defer store.Close()
	defer rdb.Close()
	creds, err := demo.Seed(ctx, store, time.Now())
	if err != nil {
		return err
	}
	state := "already there, kept as is"
	if creds.Created {
		state = "created"
	}
	fmt.Printf("Demo organisation %s.\n\n", state)
	fmt.Printf("  Users (password %q):\n", demo.Password)
	for _, u := range creds.Users {
		fmt.Printf("    %s\n", u)
	}
	fmt.Printf("\n  Admin token:        %s\n", creds.AdminToken)
	fmt.Printf("  Partner API key:    %s   (scopes: leads.create, leads.read, calls.record)\n", creds.APIKey)
	return nil
}
