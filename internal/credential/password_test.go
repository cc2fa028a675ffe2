package credential_test

import (
	"context"
	"testing"

	"github.com/relancehq/relance/internal/credential"
)

func TestNewPasswordIsRandomAndHashable(t *testing.T) {
	a, err := credential.NewPassword()
	if err != nil {
		t.Fatal(err)
	}
	b, err := credential.NewPassword()
	if err != nil {
		t.Fatal(err)
	}
	if len(a) != 24 || a == b {
		t.Fatalf("passwords %q and %q: want two different 24-character strings", a, b)
	}
	hash, err := credential.HashPassword(context.Background(), a)
	if err != nil {
		t.Fatal(err)
	}
	if err := credential.CheckPassword(context.Background(), hash, a); err != nil {
		t.Fatal(err)
	}
}
