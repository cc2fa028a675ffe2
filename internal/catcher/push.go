package catcher

import (
	"bytes"
	"crypto"
	"crypto/aes"
	"crypto/cipher"
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// The catcher's push services: an OAuth token endpoint and an FCM HTTP v1 endpoint that accept
// what a Firebase service account signs, and a Web Push service (RFC 8030) that checks the VAPID
// signature (RFC 8292) and decrypts the payload (RFC 8291) as the browser would. A captured push
// is a Message of channel "push": From is "fcm" or "web_push", To the token or endpoint, Subject
// and Text the notification's title and body, MessageID the delivery id it carries.

// fcmProject is the Firebase project of the catcher's service account.
const fcmProject = "relance-catcher"

// pushState is what the push services remember, under the catcher's lock.
type pushState struct {
	account      *rsa.PrivateKey          // the service account's key, made on first use
	accessTokens map[string]bool          // issued by the OAuth endpoint
	goneTokens   map[string]bool          // FCM tokens answered UNREGISTERED
	subs         map[string]*subscription // Web Push subscriptions by id
}

// subscription is a browser's side of a Web Push subscription.
type subscription struct {
	vapidKey string // the applicationServerKey it was made with (base64url)
	key      *ecdh.PrivateKey
	auth     []byte
	gone     bool // answered 410
}

func (c *Catcher) pushRoutes(mux *http.ServeMux) {
	mux.HandleFunc("POST /oauth/token", c.oauthToken)
	mux.HandleFunc("POST /fcm/v1/projects/{project}/messages:send", c.fcmSend)
	mux.HandleFunc("POST /webpush/{id}", c.webPush)
}

// FCMEndpoint is the endpoint notify.NewFCM sends to instead of FCM's.
func (c *Catcher) FCMEndpoint() string { return "http://" + c.httpAddr + "/fcm/v1" }

// FCMCredentials writes into dir a Firebase service-account JSON file whose token endpoint is the
// catcher, and returns its path. It returns an error when the file cannot be written.
func (c *Catcher) FCMCredentials(dir string) (string, error) {
	c.mu.Lock()
	if c.push.account == nil {
		key, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			c.mu.Unlock()
			return "", err
		}
		c.push.account = key
	}
	key := c.push.account
	c.mu.Unlock()
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return "", err
	}
	data, _ := json.MarshalIndent(map[string]string{
		"type": "service_account", "project_id": fcmProject, "private_key_id": "catcher",
		"private_key":  string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})),
		"client_email": "relance@" + fcmProject + ".iam.gserviceaccount.com", "client_id": "1",
		"token_uri": "http://" + c.httpAddr + "/oauth/token",
	}, "", "  ")
	path := filepath.Join(dir, "fcm-catcher.json")
	return path, os.WriteFile(path, data, 0o600)
}

// UnregisterFCMToken makes FCM answer UNREGISTERED to pushes to token from now on.
func (c *Catcher) UnregisterFCMToken(token string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.push.goneTokens[token] = true
}

// WebPushSubscription subscribes a browser to the catcher's Web Push service with
// applicationServerKey vapidPublicKey, as PushManager.subscribe does, and returns what the
// browser hands its server: the endpoint and its keys (base64url). The catcher keeps the
// browser's private key to decrypt what is pushed to it. It returns an error when randomness
// fails.
func (c *Catcher) WebPushSubscription(vapidPublicKey string) (endpoint, p256dh, auth string, err error) {
	key, err := ecdh.P256().GenerateKey(rand.Reader)
	if err != nil {
		return "", "", "", err
	}
	secret := make([]byte, 16)
	_, _ = rand.Read(secret)
	id := make([]byte, 12)
	_, _ = rand.Read(id)
	sid := base64.RawURLEncoding.EncodeToString(id)
	c.mu.Lock()
	c.push.subs[sid] = &subscription{vapidKey: vapidPublicKey, key: key, auth: secret}
	c.mu.Unlock()
	return "http://" + c.httpAddr + "/webpush/" + sid, base64.RawURLEncoding.EncodeToString(key.PublicKey().Bytes()),
		base64.RawURLEncoding.EncodeToString(secret), nil
}

// ExpireWebPushSubscription makes the service answer 410 Gone to pushes to endpoint, as when the
// person unsubscribed in their browser.
func (c *Catcher) ExpireWebPushSubscription(endpoint string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if s := c.push.subs[endpoint[strings.LastIndexByte(endpoint, '/')+1:]]; s != nil {
		s.gone = true
	}
}

// oauthToken grants an access token for a JWT assertion signed by the service account
// (RFC 7523), as Google's token endpoint does.
func (c *Catcher) oauthToken(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil || r.PostForm.Get("grant_type") != "urn:ietf:params:oauth:grant-type:jwt-bearer" {
		oauthError(w, "unsupported_grant_type")
		return
	}
	c.mu.Lock()
	key := c.push.account
	c.mu.Unlock()
	var claims struct {
		Iss   string `json:"iss"`
		Aud   string `json:"aud"`
		Scope string `json:"scope"`
		Exp   int64  `json:"exp"`
	}
	if key == nil || verifyJWT(r.PostForm.Get("assertion"), "RS256", &key.PublicKey, &claims) != nil ||
		claims.Aud != "http://"+c.httpAddr+"/oauth/token" || !strings.HasSuffix(claims.Iss, "@"+fcmProject+".iam.gserviceaccount.com") ||
		!strings.Contains(claims.Scope, "https://www.googleapis.com/auth/firebase.messaging") &&
			!strings.Contains(claims.Scope, "https://www.googleapis.com/auth/cloud-platform") ||
		time.Unix(claims.Exp, 0).Before(time.Now()) {
		oauthError(w, "invalid_grant")
		return
	}
	token := "ya29.catcher-" + randomID()
	c.mu.Lock()
	c.push.accessTokens[token] = true
	c.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	fmt.Fprintf(w, `{"access_token":%q,"token_type":"Bearer","expires_in":3600}`, token)
}

func oauthError(w http.ResponseWriter, code string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusBadRequest)
	fmt.Fprintf(w, `{"error":%q}`, code)
}

// fcmSend accepts a message the way FCM's HTTP v1 API does: a bearer token from the OAuth
// endpoint, a v1 message with a token, a notification and the delivery id in its data.
func (c *Catcher) fcmSend(w http.ResponseWriter, r *http.Request) {
	bearer, _ := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	c.mu.Lock()
	authorised := c.push.accessTokens[bearer]
	c.mu.Unlock()
	if !authorised {
		fcmError(w, http.StatusUnauthorized, "UNAUTHENTICATED", "")
		return
	}
	var req struct {
		Message struct {
			Token        string                       `json:"token"`
			Notification struct{ Title, Body string } `json:"notification"`
			Data         map[string]string            `json:"data"`
		} `json:"message"`
	}
	if r.PathValue("project") != fcmProject || json.NewDecoder(io.LimitReader(r.Body, 64<<10)).Decode(&req) != nil ||
		req.Message.Token == "" || req.Message.Notification.Title == "" || req.Message.Data["delivery_id"] == "" {
		fcmError(w, http.StatusBadRequest, "INVALID_ARGUMENT", "INVALID_ARGUMENT")
		return
	}
	m := req.Message
	c.mu.Lock()
	gone := c.push.goneTokens[m.Token]
	c.mu.Unlock()
	if gone {
		fcmError(w, http.StatusNotFound, "NOT_FOUND", "UNREGISTERED")
		return
	}
	id := c.add(Message{Channel: "push", From: "fcm", To: []string{m.Token}, Subject: m.Notification.Title,
		Text: m.Notification.Body, MessageID: m.Data["delivery_id"], URL: m.Data["url"]})
	w.Header().Set("Content-Type", "application/json")
	fmt.Fprintf(w, `{"name":"projects/%s/messages/%d"}`, fcmProject, id)
}

// fcmError answers as Google APIs do, with FCM's own error code in the details.
func fcmError(w http.ResponseWriter, status int, grpcStatus, fcmCode string) {
	body := map[string]any{"code": status, "message": grpcStatus, "status": grpcStatus}
	if fcmCode != "" {
		body["details"] = []map[string]string{{"@type": "type.googleapis.com/google.firebase.fcm.v1.FcmError", "errorCode": fcmCode}}
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{"error": body})
}

// webPush accepts a push the way a Web Push service does: signed with the VAPID key the
// subscription was made with, encrypted for the browser (aes128gcm), with a TTL.
func (c *Catcher) webPush(w http.ResponseWriter, r *http.Request) {
	c.mu.Lock()
	sub := c.push.subs[r.PathValue("id")]
	c.mu.Unlock()
	switch {
	case sub == nil:
		http.Error(w, "no such subscription", http.StatusNotFound)
		return
	case sub.gone:
		http.Error(w, "subscription expired", http.StatusGone)
		return
	}
	if err := c.checkVAPID(r.Header.Get("Authorization"), sub.vapidKey); err != nil {
		http.Error(w, err.Error(), http.StatusForbidden)
		return
	}
	if r.Header.Get("Content-Encoding") != "aes128gcm" || r.Header.Get("TTL") == "" {
		http.Error(w, "Content-Encoding aes128gcm and TTL are required", http.StatusBadRequest)
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 8<<10))
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	plain, err := decryptPush(sub.key, sub.auth, body)
	if err != nil {
		http.Error(w, "cannot decrypt: "+err.Error(), http.StatusBadRequest)
		return
	}
	var p struct {
		Title      string `json:"title"`
		Body       string `json:"body"`
		DeliveryID string `json:"delivery_id"`
		URL        string `json:"url"`
	}
	if err := json.Unmarshal(plain, &p); err != nil {
		http.Error(w, "payload is not JSON", http.StatusBadRequest)
		return
	}
	id := c.add(Message{Channel: "push", From: "web_push", To: []string{"http://" + c.httpAddr + r.URL.Path},
		Subject: p.Title, Text: p.Body, MessageID: p.DeliveryID, URL: p.URL})
	w.Header().Set("Location", fmt.Sprintf("http://%s/webpush/messages/%d", c.httpAddr, id))
	w.WriteHeader(http.StatusCreated)
}

// checkVAPID checks an Authorization header "vapid t=<JWT>, k=<public key>" (RFC 8292): the key
// is the subscription's, the JWT is ES256-signed by it, for this service's origin, not expired
// and not valid for more than 24 hours, with a contact.
func (c *Catcher) checkVAPID(header, want string) error {
	rest, ok := strings.CutPrefix(header, "vapid ")
	if !ok {
		return errors.New("not a vapid authorization")
	}
	var token, key string
	for part := range strings.SplitSeq(rest, ",") {
		part = strings.TrimSpace(part)
		if v, ok := strings.CutPrefix(part, "t="); ok {
			token = v
		} else if v, ok := strings.CutPrefix(part, "k="); ok {
			key = v
		}
	}
	if key == "" || strings.TrimRight(key, "=") != strings.TrimRight(want, "=") {
		return errors.New("the VAPID key is not the one the subscription was made with")
	}
	raw, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(key, "="))
	if err != nil {
		return err
	}
	x, y := elliptic.Unmarshal(elliptic.P256(), raw) //nolint:staticcheck // a P-256 point, as sent
	if x == nil {
		return errors.New("the VAPID key is not a P-256 point")
	}
	var claims struct {
		Aud string `json:"aud"`
		Sub string `json:"sub"`
		Exp int64  `json:"exp"`
	}
	if err := verifyJWT(token, "ES256", &ecdsa.PublicKey{Curve: elliptic.P256(), X: x, Y: y}, &claims); err != nil {
		return err
	}
	exp := time.Unix(claims.Exp, 0)
	switch {
	case claims.Aud != "http://"+c.httpAddr:
		return fmt.Errorf("aud %q is not this push service", claims.Aud)
	case exp.Before(time.Now()) || exp.After(time.Now().Add(24*time.Hour)):
		return errors.New("exp is past or more than 24 hours away")
	case !strings.HasPrefix(claims.Sub, "mailto:") && !strings.HasPrefix(claims.Sub, "https:"):
		return errors.New("sub is not a mailto: or https: contact")
	}
	return nil
}

// verifyJWT checks a compact JWS signed with alg by key and decodes its claims.
func verifyJWT(token, alg string, key crypto.PublicKey, claims any) error {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return errors.New("not a JWT")
	}
	var header struct{ Alg string }
	if err := decodeSegment(parts[0], &header); err != nil || header.Alg != alg {
		return fmt.Errorf("JWT algorithm is not %s", alg)
	}
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil {
		return err
	}
	digest := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	switch k := key.(type) {
	case *rsa.PublicKey:
		err = rsa.VerifyPKCS1v15(k, crypto.SHA256, digest[:], sig)
	case *ecdsa.PublicKey:
		if len(sig) != 64 || !ecdsa.Verify(k, digest[:], new(big.Int).SetBytes(sig[:32]), new(big.Int).SetBytes(sig[32:])) {
			err = errors.New("bad signature")
		}
	}
	if err != nil {
		return fmt.Errorf("JWT signature: %w", err)
	}
	return decodeSegment(parts[1], claims)
}

func decodeSegment(s string, v any) error {
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return err
	}
	return json.Unmarshal(raw, v)
}

// decryptPush decrypts a one-record aes128gcm body (RFC 8188) with the browser's key and auth
// secret (RFC 8291) and strips its padding.
func decryptPush(key *ecdh.PrivateKey, authSecret, body []byte) ([]byte, error) {
	if len(body) < 21 {
		return nil, errors.New("short header")
	}
	salt, rs, idLen := body[:16], binary.BigEndian.Uint32(body[16:20]), int(body[20])
	if len(body) < 21+idLen || rs < 18 {
		return nil, errors.New("bad header")
	}
	senderKey, ciphertext := body[21:21+idLen], body[21+idLen:]
	if len(ciphertext) > int(rs) {
		return nil, errors.New("more than one record")
	}
	sender, err := ecdh.P256().NewPublicKey(senderKey)
	if err != nil {
		return nil, fmt.Errorf("sender key: %w", err)
	}
	shared, err := key.ECDH(sender)
	if err != nil {
		return nil, err
	}
	prkKey, _ := hkdf.Extract(sha256.New, shared, authSecret)
	info := append(append([]byte("WebPush: info\x00"), key.PublicKey().Bytes()...), senderKey...)
	ikm, _ := hkdf.Expand(sha256.New, prkKey, string(info), 32)
	prk, _ := hkdf.Extract(sha256.New, ikm, salt)
	cek, _ := hkdf.Expand(sha256.New, prk, "Content-Encoding: aes128gcm\x00", 16)
	nonce, _ := hkdf.Expand(sha256.New, prk, "Content-Encoding: nonce\x00", 12)
	block, _ := aes.NewCipher(cek)
	gcm, _ := cipher.NewGCM(block)
	plain, err := gcm.Open(nil, nonce, ciphertext, nil)
	if err != nil {
		return nil, err
	}
	plain = bytes.TrimRight(plain, "\x00")
	if len(plain) == 0 || plain[len(plain)-1] != 2 {
		return nil, errors.New("no last-record delimiter")
	}
	return plain[:len(plain)-1], nil
}

func randomID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}
