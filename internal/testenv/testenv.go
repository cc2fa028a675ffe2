// Package testenv gives integration tests real infrastructure: a fresh PostgreSQL database per
// test (cloned from the migrated template that `make test` prepares), Redis with a queue of its
// own, the mail/SMS catcher, and factories for a populated organisation.
package testenv

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/redis/go-redis/v9"

	"github.com/relancehq/relance/internal/catcher"
	"github.com/relancehq/relance/internal/postgres"
)

// Template is the migrated database every test database is cloned from.
const Template = "relance_template"

func env(t testing.TB, name string) string {
	t.Helper()
	v := os.Getenv(name)
	if v == "" {
		t.Fatalf("%s is not set: run integration tests with `make test`, which starts PostgreSQL and Redis", name)
	}
	return v
}

func randomName(prefix string) string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return prefix + hex.EncodeToString(b)
}

// Database creates an empty migrated database for the test, dropped when it ends, and returns
// its URL for the application role and for the schema owner.
func Database(t testing.TB) (appURL, ownerURL string) {
	t.Helper()
	addr := env(t, "RELANCE_TEST_PG")
	name := randomName("t_")
	ctx := context.Background()
	admin, err := pgx.Connect(ctx, fmt.Sprintf("postgres://postgres@%s/postgres?sslmode=disable", addr))
	if err != nil {
		t.Fatalf("connect as superuser: %v", err)
	}
	defer admin.Close(ctx)
	if _, err := admin.Exec(ctx, fmt.Sprintf("CREATE DATABASE %s TEMPLATE %s OWNER relance_owner", name, Template)); err != nil {
		t.Fatalf("create test database: %v", err)
	}
	t.Cleanup(func() {
		c, err := pgx.Connect(ctx, fmt.Sprintf("postgres://postgres@%s/postgres?sslmode=disable", addr))
		if err != nil {
			return
		}
		defer c.Close(ctx)
		_, _ = c.Exec(ctx, fmt.Sprintf("DROP DATABASE IF EXISTS %s WITH (FORCE)", name))
	})
	return fmt.Sprintf("postgres://relance_app@%s/%s?sslmode=disable", addr, name),
		fmt.Sprintf("postgres://relance_owner@%s/%s?sslmode=disable", addr, name)
}

// Open returns a store on a fresh test database, closed when the test ends.
func Open(t testing.TB, opts ...postgres.Option) *postgres.DB {
	t.Helper()
	appURL, _ := Database(t)
	return OpenURL(t, appURL, opts...)
}

// OpenURL returns a store on an existing database, closed when the test ends.
func OpenURL(t testing.TB, url string, opts ...postgres.Option) *postgres.DB {
	t.Helper()
	opts = append([]postgres.Option{postgres.WithLogger(Logger(t))}, opts...)
	db, err := postgres.Open(context.Background(), url, opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(db.Close)
	return db
}

// Redis returns a client of the test Redis and a queue name no other test uses.
func Redis(t testing.TB) (*redis.Client, string) {
	t.Helper()
	rdb := redis.NewClient(&redis.Options{Addr: env(t, "RELANCE_TEST_REDIS")})
	t.Cleanup(func() { rdb.Close() })
	return rdb, randomName("q_")
}

// Catcher starts a mail/SMS catcher on free ports, stopped when the test ends.
func Catcher(t testing.TB) *catcher.Catcher {
	t.Helper()
	c, err := catcher.Start("127.0.0.1:0", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// Logger logs through t.Log, so output shows only for failing tests.
func Logger(t testing.TB) *slog.Logger {
	return slog.New(slog.NewTextHandler(tWriter{t}, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

type tWriter struct{ t testing.TB }

func (w tWriter) Write(p []byte) (int, error) {
	w.t.Log(string(p))
	return len(p), nil
}

// Eventually polls cond every 20 ms until it holds or timeout passes.
func Eventually(t testing.TB, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", timeout, what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
