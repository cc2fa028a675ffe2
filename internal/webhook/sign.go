package webhook

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// SecretPrefix starts every endpoint secret, as the specification recommends.
const SecretPrefix = "whsec_"

// secretBytes is the length of a new secret's key; the specification asks for 24 to 64.
const secretBytes = 32

// ErrSecret is returned for a secret that is not "whsec_" + base64 of 24 to 64 bytes.
var ErrSecret = errors.New("webhook: a secret is whsec_ followed by base64 of 24 to 64 bytes")

// NewSecret returns a fresh random secret. It returns an error only when the system's random
// source fails.
func NewSecret() (string, error) {
	b := make([]byte, secretBytes)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return SecretPrefix + base64.StdEncoding.EncodeToString(b), nil
}

// ParseSecret returns the key of a secret, or ErrSecret.
func ParseSecret(s string) ([]byte, error) {
	raw, ok := strings.CutPrefix(s, SecretPrefix)
	if !ok {
		return nil, ErrSecret
	}
	key, err := base64.StdEncoding.DecodeString(raw)
	if err != nil || len(key) < 24 || len(key) > 64 {
		return nil, ErrSecret
	}
	return key, nil
}

// Signature returns "v1," + base64(HMAC-SHA256(key, id + "." + unix seconds + "." + body)).
func Signature(key []byte, id string, ts time.Time, body []byte) string {
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(id + "." + strconv.FormatInt(ts.Unix(), 10) + "."))
	mac.Write(body)
	return "v1," + base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// Header names of the specification.
const (
	HeaderID        = "webhook-id"
	HeaderTimestamp = "webhook-timestamp"
	HeaderSignature = "webhook-signature"
)

// Headers returns the headers of one attempt of message id sent at ts: the id (the same on every
// attempt), the attempt's timestamp and one signature per secret, space-separated, so that a
// receiver holding either the old or the new secret verifies it while a rotation overlaps.
// It returns ErrSecret when a secret is malformed.
func Headers(id string, ts time.Time, body []byte, secrets ...string) (http.Header, error) {
	if len(secrets) == 0 {
		return nil, ErrSecret
	}
	sigs := make([]string, 0, len(secrets))
	for _, s := range secrets {
		key, err := ParseSecret(s)
		if err != nil {
			return nil, err
		}
		sigs = append(sigs, Signature(key, id, ts, body))
	}
	h := http.Header{}
	h.Set(HeaderID, id)
	h.Set(HeaderTimestamp, strconv.FormatInt(ts.Unix(), 10))
	h.Set(HeaderSignature, strings.Join(sigs, " "))
	h.Set("Content-Type", "application/json")
	return h, nil
}
