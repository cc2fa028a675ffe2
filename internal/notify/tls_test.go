package notify_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/relancehq/relance/internal/catcher"
	"github.com/relancehq/relance/internal/notify"
	"github.com/relancehq/relance/internal/relance"
)

// selfSigned returns a server certificate for 127.0.0.1 and a pool that trusts it.
func selfSigned(t *testing.T) (tls.Certificate, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "catcher"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}, IsCA: true, BasicConstraintsValid: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, pool
}

func TestMailerSTARTTLSWithAuthentication(t *testing.T) {
	cert, pool := selfSigned(t)
	c, err := catcher.Start("127.0.0.1:0", "127.0.0.1:0",
		catcher.WithSTARTTLS(&tls.Config{Certificates: []tls.Certificate{cert}}), catcher.WithAuth("relance", "s3cret"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	addr := c.SMTPURL()[len("smtp://") : len(c.SMTPURL())-len("?tls=none")]
	msg := relance.Message{Channel: relance.ChannelEmail, To: "lea@example.com", Subject: "TLS", Text: "over STARTTLS"}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	trusted := notify.WithTLSConfig(&tls.Config{RootCAs: pool, ServerName: "127.0.0.1", MinVersion: tls.VersionTLS12})

	good, _ := notify.NewMailer("smtp://relance:s3cret@"+addr+"?tls=starttls", "no-reply@relance.test", trusted)
	if _, err := good.Send(ctx, msg); err != nil {
		t.Fatalf("STARTTLS with the right password: %v", err)
	}
	if got := c.Messages(); len(got) != 1 || strings.TrimSpace(got[0].Text) != "over STARTTLS" {
		t.Fatalf("captured %+v", got)
	}
	for name, m := range map[string]*notify.Mailer{
		"wrong password":   must(notify.NewMailer("smtp://relance:nope@"+addr+"?tls=starttls", "no-reply@relance.test", trusted)),
		"untrusted server": must(notify.NewMailer("smtp://relance:s3cret@"+addr+"?tls=starttls", "no-reply@relance.test")),
		"no credentials":   must(notify.NewMailer("smtp://"+addr+"?tls=starttls", "no-reply@relance.test", trusted)),
	} {
		if _, err := m.Send(ctx, msg); err == nil {
			t.Errorf("%s: sent", name)
		}
	}
	if n := len(c.Messages()); n != 1 {
		t.Fatalf("%d messages captured, want only the authenticated one", n)
	}
}

func must(m *notify.Mailer, err error) *notify.Mailer {
	if err != nil {
		panic(err)
	}
	return m
}
