package metrics

import (
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"
)

// PoolCollector reports a pgx connection pool's statistics at each scrape.
type PoolCollector struct {
	stat func() *pgxpool.Stat
}

// NewPoolCollector returns a collector over stat (postgres.DB.PoolStat).
func NewPoolCollector(stat func() *pgxpool.Stat) *PoolCollector { return &PoolCollector{stat: stat} }

var (
	poolAcquired     = prometheus.NewDesc("relance_pgxpool_acquired_conns", "Connections in use.", nil, nil)
	poolIdle         = prometheus.NewDesc("relance_pgxpool_idle_conns", "Idle connections.", nil, nil)
	poolConstructing = prometheus.NewDesc("relance_pgxpool_constructing_conns", "Connections being opened.", nil, nil)
	poolTotal        = prometheus.NewDesc("relance_pgxpool_total_conns", "Connections open or being opened.", nil, nil)
	poolMax          = prometheus.NewDesc("relance_pgxpool_max_conns", "The pool's size limit.", nil, nil)
	poolAcquires     = prometheus.NewDesc("relance_pgxpool_acquires_total", "Connections acquired.", nil, nil)
	poolEmptyWaits   = prometheus.NewDesc("relance_pgxpool_empty_acquires_total", "Acquires that waited because no connection was idle.", nil, nil)
	poolCanceled     = prometheus.NewDesc("relance_pgxpool_canceled_acquires_total", "Acquires given up by their caller.", nil, nil)
	poolAcquireTime  = prometheus.NewDesc("relance_pgxpool_acquire_seconds_total", "Time spent acquiring connections.", nil, nil)
	poolEmptyWait    = prometheus.NewDesc("relance_pgxpool_empty_acquire_wait_seconds_total", "Time spent waiting for a connection when none was idle.", nil, nil)
	poolNew          = prometheus.NewDesc("relance_pgxpool_new_conns_total", "Connections opened.", nil, nil)
)

// Describe implements prometheus.Collector.
func (c *PoolCollector) Describe(ch chan<- *prometheus.Desc) { prometheus.DescribeByCollect(c, ch) }

// Collect implements prometheus.Collector.
func (c *PoolCollector) Collect(ch chan<- prometheus.Metric) {
	s := c.stat()
	gauge := func(d *prometheus.Desc, v float64) { ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v) }
	counter := func(d *prometheus.Desc, v float64) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.CounterValue, v)
	}
	gauge(poolAcquired, float64(s.AcquiredConns()))
	gauge(poolIdle, float64(s.IdleConns()))
	gauge(poolConstructing, float64(s.ConstructingConns()))
	gauge(poolTotal, float64(s.TotalConns()))
	gauge(poolMax, float64(s.MaxConns()))
	counter(poolAcquires, float64(s.AcquireCount()))
	counter(poolEmptyWaits, float64(s.EmptyAcquireCount()))
	counter(poolCanceled, float64(s.CanceledAcquireCount()))
	counter(poolAcquireTime, s.AcquireDuration().Seconds())
	counter(poolEmptyWait, s.EmptyAcquireWaitTime().Seconds())
	counter(poolNew, float64(s.NewConnsCount()))
}
