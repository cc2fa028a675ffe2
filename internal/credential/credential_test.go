package credential

import (
	"errors"
	"strings"
	"testing"
)

func TestPasswordRoundTrip(t *testing.T) {
	hash, err := HashPassword("correct horse")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(hash, "$argon2id$v=19$") {
		t.Fatalf("unexpected hash format %q", hash)
	}
	if err := CheckPassword(hash, "correct horse"); err != nil {
		t.Fatalf("right password rejected: %v", err)
	}
	if err := CheckPassword(hash, "correct horsE"); !errors.Is(err, ErrMismatch) {
		t.Fatalf("wrong password: got %v, want ErrMismatch", err)
	}
	other, _ := HashPassword("correct horse")
	if other == hash {
		t.Fatal("two hashes of one password share a salt")
	}
}

func TestCheckPasswordMalformed(t *testing.T) {
	for _, h := range []string{"", "plain", "$argon2id$v=19$m=1$x$y", "$bcrypt$a$b$c$d"} {
		if err := CheckPassword(h, "x"); err == nil || errors.Is(err, ErrMismatch) {
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
