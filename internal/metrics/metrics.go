// Package metrics is the Prometheus adapter: one registry per process, served at /metrics on
// its own listener, fed by a Connect interceptor, decorators of the outgoing channels, the
// storage layer's observer, and collectors over the connection pool and the task queue.
package metrics

import (
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/relancehq/relance/internal/relance"
)

// maxSources bounds the source label of relance_leads_received_total: sources are free text,
// so the first maxSources distinct ones a process sees keep their name and the rest count
// as "other".
const maxSources = 50

// Metrics holds a process's registry and the collectors the adapters feed.
type Metrics struct {
	reg *prometheus.Registry

	rpcRequests *prometheus.CounterVec
	rpcDuration *prometheus.HistogramVec
	procedures  sync.Map // procedure name → *procedureMetrics

	timerLateness *prometheus.HistogramVec
	deliveries    *prometheus.CounterVec
	reminders     *prometheus.CounterVec
	escalations   *prometheus.CounterVec
	webhooks      *prometheus.CounterVec
	leads         *prometheus.CounterVec
	response      prometheus.Histogram

	mu      sync.Mutex
	sources map[string]bool
}

// New returns metrics on a new registry, with the Go runtime's and the process's collectors.
func New() *Metrics {
	m := &Metrics{
		reg:     prometheus.NewRegistry(),
		sources: map[string]bool{},
		rpcRequests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "relance_rpc_requests_total",
			Help: "RPCs handled, by procedure and status code (ok or a Connect code).",
		}, []string{"procedure", "code"}),
		rpcDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "relance_rpc_duration_seconds",
			Help:    "Time to handle an RPC (a stream: its whole life), by procedure.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}, []string{"procedure"}),
		timerLateness: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "relance_timer_lateness_seconds",
			Help:    "How long after its instant a timer was carried out (fired minus due), by timer kind.",
			Buckets: []float64{.05, .1, .25, .5, 1, 2, 5, 10, 30, 60, 300, 1800},
		}, []string{"kind"}),
		deliveries: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "relance_deliveries_total",
			Help: "Send attempts of emails, SMS and pushes, by channel and outcome (sent, retry, failed).",
		}, []string{"channel", "outcome"}),
		reminders: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "relance_reminders_sent_total",
			Help: "Reminder rungs told to the advisor, by alert kind (lead.reminder, action.due).",
		}, []string{"kind"}),
		escalations: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "relance_escalations_sent_total",
			Help: "Reminder rungs told to the advisor's manager, by alert kind.",
		}, []string{"kind"}),
		webhooks: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "relance_webhook_attempts_total",
			Help: "Webhook posts, by outcome (delivered, retry, gone, error: no answer).",
		}, []string{"outcome"}),
		leads: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "relance_leads_received_total",
			Help: "New leads (idempotent replays left out), by source (the first 50 distinct sources, then other).",
		}, []string{"source"}),
		response: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "relance_lead_response_seconds",
			Help:    "Business time from a lead's receipt to its first response.",
			Buckets: []float64{60, 300, 600, 900, 1800, 3600, 7200, 14400, 28800, 86400, 172800},
		}),
	}
	m.reg.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		m.rpcRequests, m.rpcDuration, m.timerLateness, m.deliveries, m.reminders, m.escalations,
		m.webhooks, m.leads, m.response,
	)
	return m
}

// Register adds collectors (the pool's, the queue's) to the registry; it returns an error when
// one clashes with a collector already there.
func (m *Metrics) Register(cs ...prometheus.Collector) error {
	for _, c := range cs {
		if err := m.reg.Register(c); err != nil {
			return err
		}
	}
	return nil
}

// Handler serves the registry in the Prometheus text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
}

// Server returns an HTTP server for /metrics on addr, apart from the API's listener.
func (m *Metrics) Server(addr string) *http.Server {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", m.Handler())
	return &http.Server{Addr: addr, Handler: mux, ReadHeaderTimeout: 10 * time.Second}
}

// TimerFired implements postgres.Observer.
func (m *Metrics) TimerFired(kind relance.TimerKind, lateness time.Duration) {
	m.timerLateness.WithLabelValues(string(kind)).Observe(lateness.Seconds())
}

// ReminderSent implements postgres.Observer.
func (m *Metrics) ReminderSent(kind relance.AlertKind, escalation bool) {
	if escalation {
		m.escalations.WithLabelValues(string(kind)).Inc()
		return
	}
	m.reminders.WithLabelValues(string(kind)).Inc()
}

// LeadReceived implements postgres.Observer.
func (m *Metrics) LeadReceived(source string) {
	m.leads.WithLabelValues(m.source(source)).Inc()
}

// LeadAnswered implements postgres.Observer.
func (m *Metrics) LeadAnswered(response time.Duration) {
	m.response.Observe(response.Seconds())
}

// source is the label a lead source counts under (see maxSources).
func (m *Metrics) source(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	if s == "" {
		return "none"
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.sources[s] {
		return s
	}
	if len(m.sources) >= maxSources {
		return "other"
	}
	m.sources[s] = true
	return s
}
