// Package credential hashes passwords (argon2id) and mints opaque bearer secrets, of which only
// a SHA-256 digest is ever stored.
package credential

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"runtime"
	"strings"

	"golang.org/x/crypto/argon2"
)

// Argon2id parameters (the OWASP baseline: 19 MiB, 2 passes, 1 lane).
const (
	argonTime    = 2
	argonMemory  = 19 * 1024
	argonThreads = 1
	argonKeyLen  = 32
	saltLen      = 16
)

// ErrMismatch is returned by CheckPassword when the password is wrong.
var ErrMismatch = errors.New("credential: password does not match")

var b64 = base64.RawStdEncoding

// hashing bounds the argon2id computations running at once in the process: each takes
// argonMemory, so a flood of logins queues here instead of exhausting memory. It is process
// wide because memory is.
var hashing = make(chan struct{}, runtime.GOMAXPROCS(0))

// SetConcurrency sets how many password hashes may be computed at once (at least 1); call it at
// start-up, before any hashing.
func SetConcurrency(n int) { hashing = make(chan struct{}, max(n, 1)) }

// acquire waits for a hashing slot until ctx ends; it returns ctx's error then.
func acquire(ctx context.Context) (release func(), err error) {
	slots := hashing
	select {
	case slots <- struct{}{}:
		return func() { <-slots }, nil
	case <-ctx.Done():
		return nil, fmt.Errorf("credential: waiting to hash: %w", context.Cause(ctx))
	}
}

// HashPassword returns a self-describing argon2id hash of password ("$argon2id$v=19$m=…"), or
// ctx's error when ctx ends while waiting for a hashing slot (see SetConcurrency).
func HashPassword(ctx context.Context, password string) (string, error) {
	release, err := acquire(ctx)
	if err != nil {
		return "", err
	}
	defer release()
	salt := make([]byte, saltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("credential: salt: %w", err)
	}
	key := argon2.IDKey([]byte(password), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, argonMemory, argonTime, argonThreads, b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// CheckPassword returns nil when password matches hash, ErrMismatch when it does not, ctx's
// error when ctx ends while waiting for a hashing slot (see SetConcurrency), and another error
// when hash is malformed.
func CheckPassword(ctx context.Context, hash, password string) error {
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return errors.New("credential: not an argon2id hash")
	}
	var version int
	var memory, iterations uint32
	var threads uint8
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil {
		return fmt.Errorf("credential: version: %w", err)
	}
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &memory, &iterations, &threads); err != nil {
		return fmt.Errorf("credential: parameters: %w", err)
	}
	salt, err := b64.DecodeString(parts[4])
	if err != nil {
		return fmt.Errorf("credential: salt: %w", err)
	}
	want, err := b64.DecodeString(parts[5])
	if err != nil {
		return fmt.Errorf("credential: key: %w", err)
	}
	release, err := acquire(ctx)
	if err != nil {
		return err
	}
	defer release()
	got := argon2.IDKey([]byte(password), salt, iterations, memory, threads, uint32(len(want)))
	if subtle.ConstantTimeCompare(got, want) != 1 {
		return ErrMismatch
	}
	return nil
}

// Secret prefixes tell a session token from a partner API key at a glance (and to secret scanners).
const (
	SessionPrefix = "rls_"
	APIKeyPrefix  = "rlk_"
)

// NewSecret returns a fresh random secret starting with prefix, and its digest for storage.
func NewSecret(prefix string) (secret string, digest []byte, err error) {
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return "", nil, fmt.Errorf("credential: secret: %w", err)
	}
	secret = prefix + base64.RawURLEncoding.EncodeToString(raw)
	return secret, Digest(secret), nil
}

// NewPassword returns a fresh random password of 24 URL-safe characters (144 random bits), for a
// first login; its owner is expected to change it.
func NewPassword() (string, error) {
	raw := make([]byte, 18)
	if _, err := rand.Read(raw); err != nil {
		return "", fmt.Errorf("credential: password: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(raw), nil
}

// Digest returns the SHA-256 of a secret, the only form in which secrets are stored. Secrets are
// 256 random bits, so a plain hash (no salt, no stretching) is enough and keeps lookups indexable.
func Digest(secret string) []byte {
	sum := sha256.Sum256([]byte(secret))
	return sum[:]
}
