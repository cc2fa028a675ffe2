package credential

import (
	"context"
	"errors"
	"runtime"
	"strings"
	"testing"
)

func TestPasswordRoundTrip(t *testing.T) {
	hash, err := HashPassword(context.Background(), "correct horse")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(hash, "$argon2id$v=19$") {
		t.Fatalf("unexpected hash format %q", hash)
	}
	if err := CheckPassword(context.Background(), hash, "correct horse"); err != nil {
		t.Fatalf("right password rejected: %v", err)
	}
	if err := CheckPassword(context.Background(), hash, "correct horsE"); !errors.Is(err, ErrMismatch) {
		t.Fatalf("wrong password: got %v, want ErrMismatch", err)
	}
	other, _ := HashPassword(context.Background(), "correct horse")
	if other == hash {
		t.Fatal("two hashes of one password share a salt")
	}
}

// A hash waits for a free slot, and gives up with the request's context rather than adding one
// more 19 MiB computation to a flood.
func TestPasswordHashingWaitsForASlot(t *testing.T) {
	hash, err := HashPassword(context.Background(), "correct horse")
	if err != nil {
		t.Fatal(err)
	}
	SetConcurrency(1)
	t.Cleanup(func() { SetConcurrency(runtime.GOMAXPROCS(0)) })
	release, err := acquire(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := CheckPassword(ctx, hash, "correct horse"); !errors.Is(err, context.Canceled) {
		t.Fatalf("CheckPassword with every slot taken and a cancelled context = %v, want context.Canceled", err)
	}
	if _, err := HashPassword(ctx, "x"); !errors.Is(err, context.Canceled) {
		t.Fatalf("HashPassword with every slot taken and a cancelled context = %v, want context.Canceled", err)
	}
	release()
	if err := CheckPassword(context.Background(), hash, "correct horse"); err != nil {
		t.Fatalf("after the slot is released: %v", err)
	}
}

func TestCheckPasswordMalformed(t *testing.T) {
	for _, h := range []string{"", "plain", "$argon2id$v=19$m=1$x$y", "$bcrypt$a$b$c$d"} {
		if err := CheckPassword(context.Background(), h, "x"); err == nil || errors.Is(err, ErrMismatch) {
			t.Errorf("CheckPassword(%q) = %v, want a format error", h, err)
		}
	}
}

func TestNewSecret(t *testing.T) {
	s1, d1, err := NewSecret(APIKeyPrefix)
	if err != nil {
		t.Fatal(err)
	}
	s2, d2, _ := NewSecret(APIKeyPrefix)
	if s1 == s2 || string(d1) == string(d2) {
		t.Fatal("two secrets are equal")
	}
	if !strings.HasPrefix(s1, APIKeyPrefix) || len(s1) < 40 {
		t.Fatalf("secret %q too short or without prefix", s1)
	}
	if string(Digest(s1)) != string(d1) {
		t.Fatal("Digest disagrees with NewSecret")
	}
}
