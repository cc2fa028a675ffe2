package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/relancehq/relance/internal/blob"
	"github.com/relancehq/relance/internal/catcher"
	"github.com/relancehq/relance/internal/config"
	"github.com/relancehq/relance/internal/health"
	"github.com/relancehq/relance/internal/limit"
	"github.com/relancehq/relance/internal/message"
	"github.com/relancehq/relance/internal/notify"
	"github.com/relancehq/relance/internal/postgres"
	"github.com/relancehq/relance/internal/queue"
	"github.com/relancehq/relance/internal/relance"
	"github.com/relancehq/relance/internal/rpc"
	"github.com/relancehq/relance/internal/web"
)

// serve runs the API; with worker it also runs the worker, migrates first, and (with
// CATCHER_ADDR) routes email and SMS to the in-process catcher.
func serve(ctx context.Context, cfg config.Config, log *slog.Logger, worker bool) error {
	if worker {
		if err := postgres.Migrate(ctx, cfg.MigrateDatabaseURL, log); err != nil {
			return err
		}
	}
	service := "serve"
	if worker {
		service = "run"
	}
	tel, err := startTelemetry(ctx, cfg, log, service)
	if err != nil {
		return err
	}
	defer tel.stop()
	b, err := startBackend(ctx, cfg, log, worker, tel)
	if err != nil {
		return err
	}
	defer b.stop()

	opts := apiOptions(cfg, log, b)
	if opts.Interceptors, err = tel.interceptors(); err != nil {
		return err
	}
	if tel.metrics != nil {
		opts.Refused = tel.metrics.Refused
	}
	api := rpc.NewHandler(b.store, opts)
	files, err := web.Files(cfg.WebDir)
	if err != nil {
		return err
	}
	var app http.Handler
	if files != nil {
		app = web.NewHandler(files)
	} else {
		log.Warn("the web app is not built (npm run build in web/, or WEB_DIR): serving the API only")
	}
	srv := rpc.NewServer(cfg.ListenAddr, health.Handler(map[string]health.Check{
		"postgres": b.store.Ready,
		"redis":    func(ctx context.Context) error { return queue.Writable(ctx, b.rdb) },
	}, web.Route(api, app)))
	errc := make(chan error, 1)
	go func() { errc <- srv.ListenAndServe() }()
	log.Info("API listening", "addr", "http://"+cfg.ListenAddr, "protocols", "connect, grpc, grpc-web (h2c)")
	select {
	case err := <-errc:
		return fmt.Errorf("api server: %w", err)
	case <-ctx.Done():
	}
	log.Info("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		log.Warn("api shutdown", "err", err)
	}
	return nil
}

// reflection maps the REFLECTION setting to who may call server reflection.
var reflection = map[string]rpc.Reflection{
	"authenticated": rpc.ReflectionAuthenticated, "public": rpc.ReflectionPublic, "off": rpc.ReflectionOff,
}

// apiOptions configures the API from the settings: its limits live in Redis, under the queue's
// name, so that every API process of a deployment shares them.
func apiOptions(cfg config.Config, log *slog.Logger, b *backend) rpc.Options {
	policy := func(free int) relance.LoginPolicy {
		return relance.LoginPolicy{Free: free, First: cfg.LoginLock, Max: cfg.LoginLockMax}
	}
	prefix := cfg.Queue + ":"
	return rpc.Options{
		Log: log, CORSOrigins: cfg.CORSOrigins, Alerts: b.live, MaxFileBytes: cfg.FileMaxBytes,
		MaxRequestBytes: cfg.RequestMaxBytes, BodyReadTimeout: cfg.BodyReadTimeout,
		Limiter:    limit.NewRequests(b.rdb, prefix),
		RateLimits: rpc.RateLimits{APIKey: cfg.RateLimitAPIKey, Session: cfg.RateLimitSession},
		Logins: limit.NewLogins(b.rdb, prefix,
			policy(cfg.LoginMaxFailures), policy(cfg.LoginMaxAddressFailures), time.Now),
		TrustedProxies: cfg.TrustedProxies,
		Reflection:     reflection[cfg.Reflection],
		WebPushKey:     cfg.VAPIDPublicKey,
	}
}

// work runs the task worker and the sweeper until ctx ends.
func work(ctx context.Context, cfg config.Config, log *slog.Logger) error {
	tel, err := startTelemetry(ctx, cfg, log, "worker")
	if err != nil {
		return err
	}
	defer tel.stop()
	b, err := startBackend(ctx, cfg, log, true, tel)
	if err != nil {
		return err
	}
	defer b.stop()
	<-ctx.Done()
	log.Info("shutting down")
	return nil
}

// backend is what a process runs besides the API: the store, and with a worker, the asynq
// server, the sweeper and the outgoing channels.
type backend struct {
	store   *postgres.DB
	rdb     redis.UniversalClient
	live    *notify.Live
	stopAll []func() // in reverse order of start
}

func (b *backend) stop() {
	for i := len(b.stopAll) - 1; i >= 0; i-- {
		b.stopAll[i]()
	}
}

// startBackend connects to Postgres and Redis and, with worker, starts the worker and the
// sweeper (which stops when ctx ends). It returns an error, having stopped what it started,
// when a part cannot start.
//
// The sweeper stops with ctx or with stop, whichever comes first.
func startBackend(ctx context.Context, cfg config.Config, log *slog.Logger, worker bool, tel *telemetry) (b *backend, err error) {
	b = &backend{}
	defer func() {
		if err != nil {
			b.stop()
		}
	}()
	var sender relance.Sender
	if worker {
		var stopSender func()
		if sender, stopSender, err = newSender(ctx, cfg, log); err != nil {
			return nil, err
		}
		b.stopAll = append(b.stopAll, stopSender)
		sender = tel.sender(sender)
	}
	store, rdb, live, err := connect(ctx, cfg, log, sender, tel, worker)
	if err != nil {
		return nil, err
	}
	b.store, b.rdb, b.live = store, rdb, live
	b.stopAll = append(b.stopAll, func() { rdb.Close() }, store.Close, func() { live.Close() })
	if err := tel.collect(store, rdb, cfg.Queue); err != nil {
		return nil, err
	}
	if !worker {
		return b, nil
	}
	w := queue.NewWorker(rdb, store, queue.WorkerConfig{
		Queue: cfg.Queue, Concurrency: cfg.WorkerConcurrency, Log: log, Tracing: tel.queueTracing(),
	})
	if err := w.Start(); err != nil {
		return nil, fmt.Errorf("worker: %w", err)
	}
	sweeper := &queue.Sweeper{
		Timers: store, Planner: store, Scheduler: queue.NewClient(rdb, cfg.Queue), Interval: cfg.SweepInterval, Now: time.Now, Log: log,
	}
	pruner := &queue.Pruner{Store: store, Retention: cfg.Retention, Every: cfg.RetentionInterval, Now: time.Now, Log: log}
	sweepCtx, stopSweeping := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		sweeper.Run(sweepCtx)
	}()
	go func() {
		defer wg.Done()
		pruner.Run(sweepCtx)
	}()
	// The sweeper and the pruner stop before the worker, the worker before Redis and Postgres close.
	b.stopAll = append(b.stopAll, func() { stopSweeping(); wg.Wait(); w.Shutdown() })
	log.Info("worker started", "queue", cfg.Queue, "concurrency", cfg.WorkerConcurrency, "sweep", cfg.SweepInterval)
	return b, nil
}

// connect opens Postgres and Redis and plugs the queue in as the store's scheduler and the live
// alert stream as its publisher.
func connect(ctx context.Context, cfg config.Config, log *slog.Logger, sender relance.Sender, tel *telemetry, worker bool) (*postgres.DB, redis.UniversalClient, *notify.Live, error) {
	rdb, err := queue.NewRedis(cfg.RedisURL)
	if err != nil {
		return nil, nil, nil, err
	}
	if err := rdb.Ping(ctx).Err(); err != nil {
		rdb.Close()
		return nil, nil, nil, fmt.Errorf("redis: %w", err)
	}
	live := notify.NewLive(rdb, cfg.Queue)
	var files blob.Store
	if cfg.FilesDir != "" {
		if files, err = blob.NewDir(cfg.FilesDir); err != nil {
			rdb.Close()
			return nil, nil, nil, err
		}
	}
	options := []postgres.Option{
		postgres.WithFiles(files, cfg.FileMaxBytes),
		postgres.WithBackdateWindow(time.Duration(cfg.BackdateDays) * 24 * time.Hour),
		postgres.WithLogger(log),
		postgres.WithLinks(message.NewLinks(cfg.AppURL)),
		postgres.WithScheduler(queue.NewClient(rdb, cfg.Queue).WithTracing(tel.queueTracing())),
		postgres.WithSender(sender),
		postgres.WithAlertPublisher(live),
		postgres.WithWebhooks(tel.webhooks(notify.NewWebhook(cfg.AllowPrivateWebhooks)), cfg.AllowPrivateWebhooks),
		postgres.WithEventData(rpc.EventData),
	}
	options = append(options, tel.storeOptions()...)
	if cfg.WebPushLoopback {
		options = append(options, postgres.WithLoopbackPush())
	}
	if worker {
		// A connection for each task running at once, and some for the API, the sweeper and
		// the pruner: tasks do not wait for one another's connections.
		options = append(options, postgres.WithPoolSize(cfg.WorkerConcurrency+4))
	}
	store, err := postgres.Open(ctx, cfg.DatabaseURL, options...)
	if err != nil {
		rdb.Close()
		return nil, nil, nil, err
	}
	return store, rdb, live, nil
}

// newSender builds the outgoing channels: the in-process catcher in dev mode, else SMTP_URL,
// SMS_URL, FCM_CREDENTIALS_FILE and the VAPID keys (any may be absent; messages on a missing
// channel fail permanently and are recorded).
func newSender(ctx context.Context, cfg config.Config, log *slog.Logger) (relance.Sender, func(), error) {
	smtpURL, smsURL, smsAccount, smsToken := cfg.SMTPURL, cfg.SMSURL, cfg.SMSAccount, cfg.SMSToken
	fcmFile, fcmEndpoint := cfg.FCMCredentialsFile, cfg.FCMEndpoint
	stop := func() {}
	if cfg.CatcherAddr != "" {
		c, err := catcher.Start(cfg.CatcherSMTPAddr, cfg.CatcherAddr)
		if err != nil {
			return nil, nil, err
		}
		dir, err := os.MkdirTemp("", "relance-catcher-")
		if err == nil {
			fcmFile, err = c.FCMCredentials(dir)
		}
		if err != nil {
			_ = c.Close()
			return nil, nil, err
		}
		stop = func() { _ = c.Close(); _ = os.RemoveAll(dir) }
		smtpURL, smsURL, smsAccount, smsToken, fcmEndpoint = c.SMTPURL(), c.SMSURL(), "dev", "dev", c.FCMEndpoint()
		log.Info("dev outbox: email, SMS and FCM pushes are captured, not sent", "page", c.WebURL())
	}
	var r notify.Router
	if smtpURL != "" {
		m, err := notify.NewMailer(smtpURL, cfg.MailFrom)
		if err != nil {
			stop()
			return nil, nil, err
		}
		r.Email = m
		// Its open connections say goodbye before the catcher, if any, stops.
		stopCatcher := stop
		stop = func() { _ = m.Close(); stopCatcher() }
	} else {
		log.Warn("SMTP_URL is not set: emails will be recorded as failed")
	}
	if smsURL != "" {
		r.SMS = notify.NewSMS(smsURL, smsAccount, smsToken, cfg.SMSFrom)
	} else {
		log.Warn("SMS_URL is not set: text messages will be recorded as failed")
	}
	var push notify.Push
	if fcmFile != "" {
		f, err := notify.NewFCM(ctx, fcmFile, fcmEndpoint)
		if err != nil {
			stop()
			return nil, nil, err
		}
		push.FCM = f
	}
	if cfg.VAPIDPublicKey != "" {
		w, err := notify.NewWebPush(cfg.VAPIDPublicKey, cfg.VAPIDPrivateKey, cfg.VAPIDSubject)
		if err != nil {
			stop()
			return nil, nil, err
		}
		push.WebPush = w
	} else {
		log.Warn("VAPID_PUBLIC_KEY is not set: no Web Push (relance vapid prints a key pair)")
	}
	r.Push = push
	return r, stop, nil
}
