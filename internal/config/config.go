// Package config reads Relance's settings from environment variables, the only source of
// configuration (see the table in README.md).
package config

import (
	"fmt"
	"net/netip"
	"net/url"
	"os"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/relancehq/relance/internal/relance"
)

// Config is every setting of the relance binary.
type Config struct {
	DatabaseURL        string        // DATABASE_URL: the application role (owns nothing, RLS applies)
	MigrateDatabaseURL string        // MIGRATE_DATABASE_URL: the schema owner; defaults to DATABASE_URL
	RedisURL           string        // REDIS_URL
	ListenAddr         string        // LISTEN_ADDR
	AppURL             string        // APP_URL: the web app's public address, linked from emails
	CORSOrigins        []string      // CORS_ORIGINS: comma-separated browser origins, or "*"
	SMTPURL            string        // SMTP_URL: smtp://user:pass@host:port?tls=starttls|tls|none
	MailFrom           string        // MAIL_FROM
	SMSURL             string        // SMS_URL: base URL of a Twilio-style provider
	SMSAccount         string        // SMS_ACCOUNT
	SMSToken           string        // SMS_TOKEN
	SMSFrom            string        // SMS_FROM: sender number or name
	FCMCredentialsFile string        // FCM_CREDENTIALS_FILE: a Firebase service-account JSON file; no FCM push when empty
	FCMEndpoint        string        // FCM_ENDPOINT: replaces https://fcm.googleapis.com/v1 (a local stand-in)
	VAPIDPublicKey     string        // VAPID_PUBLIC_KEY: Web Push's key pair (relance vapid); no Web Push when empty
	VAPIDPrivateKey    string        // VAPID_PRIVATE_KEY
	VAPIDSubject       string        // VAPID_SUBJECT: the contact push services see (mailto: or https:)
	WebPushLoopback    bool          // WEB_PUSH_LOOPBACK: accept http Web Push endpoints on loopback addresses
	CatcherAddr        string        // CATCHER_ADDR: dev mode; email, SMS and FCM go to an in-process catcher, page here
	CatcherSMTPAddr    string        // CATCHER_SMTP_ADDR: the catcher's SMTP listener
	FilesDir           string        // FILES_DIR: attachments' bytes go to files here; in PostgreSQL when empty
	FileMaxBytes       int           // FILE_MAX_BYTES: the size limit of one attachment
	BackdateDays       int           // BACKDATE_DAYS: how far in the past a lead's receipt or a call's start may lie
	WebDir             string        // WEB_DIR: the built web app on disk; else the embedded one, else web/dist if built
	SweepInterval      time.Duration // SWEEP_INTERVAL
	WorkerConcurrency  int           // WORKER_CONCURRENCY
	Queue              string        // QUEUE: asynq queue name
	LogLevel           string        // LOG_LEVEL: debug, info, warn, error
	LogFormat          string        // LOG_FORMAT: text or json

	RateLimitAPIKey         int            // RATE_LIMIT_API_KEY: requests a minute of a key without its own budget
	RateLimitSession        int            // RATE_LIMIT_SESSION: requests a minute of a session token
	LoginMaxFailures        int            // LOGIN_MAX_FAILURES: failed logins in a row before an account locks
	LoginMaxAddressFailures int            // LOGIN_MAX_FAILURES_PER_ADDRESS: the same for a client address
	LoginLock               time.Duration  // LOGIN_LOCK: the first lock, doubled at each further failure
	LoginLockMax            time.Duration  // LOGIN_LOCK_MAX: the longest lock
	TrustedProxies          []netip.Prefix // TRUSTED_PROXIES: proxies whose X-Forwarded-For names the client
	BodyReadTimeout         time.Duration  // BODY_READ_TIMEOUT: the time a client has to send a request body
	RequestMaxBytes         int            // REQUEST_MAX_BYTES: body size of calls other than attachments and imports
	PasswordHashConcurrency int            // PASSWORD_HASH_CONCURRENCY: argon2id hashes computed at once
	Reflection              string         // REFLECTION: authenticated, public or off
	// Retention: days each kind of finished row is kept (RETENTION_DAYS, 180 by default, and
	// RETENTION_<KIND>_DAYS for one kind, e.g. RETENTION_AUDIT_DAYS; 0 keeps forever), and how
	// often the worker prunes (RETENTION_INTERVAL).
	Retention         relance.Retention
	RetentionInterval time.Duration
	// ALLOW_PRIVATE_WEBHOOKS=true lets webhook endpoints be loopback or private addresses over
	// plain http: development and tests only.
	AllowPrivateWebhooks bool
	// METRICS_ADDR: where /metrics (Prometheus) listens, apart from the API; off when empty.
	MetricsAddr string
}

// FromEnv reads the configuration from the environment, with defaults for local use. It returns
// an error naming the first variable that cannot be parsed.
func FromEnv() (Config, error) {
	c := Config{
		DatabaseURL:        env("DATABASE_URL", "postgres://relance_app@127.0.0.1:5432/relance?sslmode=disable"),
		MigrateDatabaseURL: os.Getenv("MIGRATE_DATABASE_URL"),
		RedisURL:           env("REDIS_URL", "redis://127.0.0.1:6379/0"),
		ListenAddr:         env("LISTEN_ADDR", "127.0.0.1:8080"),
		SMTPURL:            os.Getenv("SMTP_URL"),
		MailFrom:           env("MAIL_FROM", "Relance <no-reply@relance.localhost>"),
		SMSURL:             os.Getenv("SMS_URL"),
		SMSAccount:         os.Getenv("SMS_ACCOUNT"),
		SMSToken:           os.Getenv("SMS_TOKEN"),
		SMSFrom:            env("SMS_FROM", "Relance"),
		FCMCredentialsFile: os.Getenv("FCM_CREDENTIALS_FILE"),
		FCMEndpoint:        os.Getenv("FCM_ENDPOINT"),
		VAPIDPublicKey:     os.Getenv("VAPID_PUBLIC_KEY"),
		VAPIDPrivateKey:    os.Getenv("VAPID_PRIVATE_KEY"),
		VAPIDSubject:       env("VAPID_SUBJECT", "mailto:no-reply@relance.localhost"),
		WebPushLoopback:    os.Getenv("WEB_PUSH_LOOPBACK") == "true",
		CatcherAddr:        os.Getenv("CATCHER_ADDR"),
		CatcherSMTPAddr:    env("CATCHER_SMTP_ADDR", "127.0.0.1:1025"),
		FilesDir:           os.Getenv("FILES_DIR"),
		WebDir:             os.Getenv("WEB_DIR"),
		Queue:              env("QUEUE", "relance"),
		LogLevel:           env("LOG_LEVEL", "info"),
		LogFormat:          env("LOG_FORMAT", "text"),
	}
	c.AllowPrivateWebhooks = os.Getenv("ALLOW_PRIVATE_WEBHOOKS") == "true"
	c.MetricsAddr = os.Getenv("METRICS_ADDR")
	if c.MigrateDatabaseURL == "" {
		c.MigrateDatabaseURL = c.DatabaseURL
	}
	// The web app is served on the API port, so that is its address unless a proxy says otherwise.
	c.AppURL = env("APP_URL", "http://"+c.ListenAddr)
	if u, err := url.Parse(c.AppURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return c, fmt.Errorf("APP_URL: %q is not an http(s) address", c.AppURL)
	}
	if o := os.Getenv("CORS_ORIGINS"); o != "" {
		for _, s := range strings.Split(o, ",") {
			c.CORSOrigins = append(c.CORSOrigins, strings.TrimSpace(s))
		}
	}
	var err error
	if c.SweepInterval, err = duration("SWEEP_INTERVAL", 15*time.Second); err != nil {
		return c, err
	}
	if c.WorkerConcurrency, err = integer("WORKER_CONCURRENCY", 20); err != nil {
		return c, err
	}
	if c.FileMaxBytes, err = integer("FILE_MAX_BYTES", 10<<20); err != nil {
		return c, err
	}
	if c.BackdateDays, err = integer("BACKDATE_DAYS", 90); err != nil {
		return c, err
	}
	if err := c.limits(); err != nil {
		return c, err
	}
	if err := c.retention(); err != nil {
		return c, err
	}
	if (c.VAPIDPublicKey == "") != (c.VAPIDPrivateKey == "") {
		return c, fmt.Errorf("VAPID_PUBLIC_KEY and VAPID_PRIVATE_KEY go together (relance vapid prints a pair)")
	}
	if c.SMTPURL != "" {
		if _, err := url.Parse(c.SMTPURL); err != nil {
			return c, fmt.Errorf("SMTP_URL: %w", err)
		}
	}
	return c, nil
}

// limits reads the settings of rate limits, login throttling and request bounds.
func (c *Config) limits() error {
	for _, s := range []struct {
		p    *int
		name string
		def  int
	}{
		{&c.RateLimitAPIKey, "RATE_LIMIT_API_KEY", 300},
		{&c.RateLimitSession, "RATE_LIMIT_SESSION", 600},
		{&c.LoginMaxFailures, "LOGIN_MAX_FAILURES", 5},
		{&c.LoginMaxAddressFailures, "LOGIN_MAX_FAILURES_PER_ADDRESS", 20},
		{&c.RequestMaxBytes, "REQUEST_MAX_BYTES", 256 << 10},
		{&c.PasswordHashConcurrency, "PASSWORD_HASH_CONCURRENCY", runtime.GOMAXPROCS(0)},
	} {
		var err error
		if *s.p, err = integer(s.name, s.def); err != nil {
			return err
		}
	}
	for _, s := range []struct {
		p    *time.Duration
		name string
		def  time.Duration
	}{
		{&c.LoginLock, "LOGIN_LOCK", time.Minute},
		{&c.LoginLockMax, "LOGIN_LOCK_MAX", 15 * time.Minute},
		{&c.BodyReadTimeout, "BODY_READ_TIMEOUT", 30 * time.Second},
	} {
		var err error
		if *s.p, err = duration(s.name, s.def); err != nil {
			return err
		}
	}
	for _, p := range strings.Split(os.Getenv("TRUSTED_PROXIES"), ",") {
		if p = strings.TrimSpace(p); p == "" {
			continue
		}
		prefix, err := netip.ParsePrefix(p)
		if err != nil {
			a, aerr := netip.ParseAddr(p)
			if aerr != nil {
				return fmt.Errorf("TRUSTED_PROXIES: %q is neither an address nor a CIDR range", p)
			}
			prefix = netip.PrefixFrom(a, a.BitLen())
		}
		c.TrustedProxies = append(c.TrustedProxies, prefix.Masked())
	}
	switch c.Reflection = env("REFLECTION", "authenticated"); c.Reflection {
	case "authenticated", "public", "off":
	default:
		return fmt.Errorf("REFLECTION: %q is not authenticated, public or off", c.Reflection)
	}
	return nil
}

// retention reads how long each kind of finished row is kept.
func (c *Config) retention() error {
	all, err := days("RETENTION_DAYS", 180)
	if err != nil {
		return err
	}
	c.Retention = relance.Retention{}
	for _, k := range relance.RetentionKinds {
		if c.Retention[k], err = days("RETENTION_"+strings.ToUpper(string(k))+"_DAYS", all); err != nil {
			return err
		}
	}
	c.RetentionInterval, err = duration("RETENTION_INTERVAL", time.Hour)
	return err
}

// days reads a number of days, 0 included.
func days(name string, def int) (int, error) {
	v := os.Getenv(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("%s: %q is not a number of days (0 keeps forever)", name, v)
	}
	return n, nil
}

func env(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

func duration(name string, def time.Duration) (time.Duration, error) {
	v := os.Getenv(name)
	if v == "" {
		return def, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("%s: %q is not a positive duration such as 15s", name, v)
	}
	return d, nil
}

func integer(name string, def int) (int, error) {
	v := os.Getenv(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n <= 0 {
		return 0, fmt.Errorf("%s: %q is not a positive integer", name, v)
	}
	return n, nil
}
