package metrics

import (
	"github.com/hibiken/asynq"
	"github.com/prometheus/client_golang/prometheus"
)

// QueueCollector reports the task queue's sizes and latency at each scrape, under the names of
// asynq's own collector (github.com/hibiken/asynq/x/metrics, whose only published version is a
// 2021 snapshot), so that asynq's dashboards work; it reads one queue, the one Relance uses.
type QueueCollector struct {
	inspector *asynq.Inspector
	queue     string
}

// NewQueueCollector returns a collector of queue through inspector
// (asynq.NewInspectorFromRedisClient).
func NewQueueCollector(inspector *asynq.Inspector, queue string) *QueueCollector {
	return &QueueCollector{inspector: inspector, queue: queue}
}

var (
	queueTasks = prometheus.NewDesc("asynq_tasks_enqueued_total",
		"Tasks in the queue, by state.", []string{"queue", "state"}, nil)
	queueSize = prometheus.NewDesc("asynq_queue_size",
		"Tasks in the queue, all states.", []string{"queue"}, nil)
	queueLatency = prometheus.NewDesc("asynq_queue_latency_seconds",
		"How long the oldest pending task has waited.", []string{"queue"}, nil)
	queueMemory = prometheus.NewDesc("asynq_queue_memory_usage_approx_bytes",
		"Redis memory the queue takes (sampled).", []string{"queue"}, nil)
	queueProcessed = prometheus.NewDesc("asynq_tasks_processed_total",
		"Tasks processed, succeeded or failed.", []string{"queue"}, nil)
	queueFailed = prometheus.NewDesc("asynq_tasks_failed_total",
		"Tasks whose handler returned an error.", []string{"queue"}, nil)
	queueUp = prometheus.NewDesc("relance_queue_up",
		"1 when the last scrape read the queue from Redis, else 0.", []string{"queue"}, nil)
)

// Describe implements prometheus.Collector.
func (c *QueueCollector) Describe(ch chan<- *prometheus.Desc) { prometheus.DescribeByCollect(c, ch) }

// Collect implements prometheus.Collector. A queue that does not exist yet (nothing enqueued)
// reports zeros; an unreachable Redis reports relance_queue_up 0 and nothing else.
func (c *QueueCollector) Collect(ch chan<- prometheus.Metric) {
	q := c.queue
	info, err := c.inspector.GetQueueInfo(q)
	if err != nil {
		names, lerr := c.inspector.Queues()
		known := false
		for _, n := range names {
			known = known || n == q
		}
		if lerr != nil || known {
			ch <- prometheus.MustNewConstMetric(queueUp, prometheus.GaugeValue, 0, q)
			return
		}
		info = &asynq.QueueInfo{Queue: q}
	}
	ch <- prometheus.MustNewConstMetric(queueUp, prometheus.GaugeValue, 1, q)
	for state, n := range map[string]int{
		"pending": info.Pending, "active": info.Active, "scheduled": info.Scheduled, "retry": info.Retry,
		"archived": info.Archived, "completed": info.Completed, "aggregating": info.Aggregating,
	} {
		ch <- prometheus.MustNewConstMetric(queueTasks, prometheus.GaugeValue, float64(n), q, state)
	}
	ch <- prometheus.MustNewConstMetric(queueSize, prometheus.GaugeValue, float64(info.Size), q)
	ch <- prometheus.MustNewConstMetric(queueLatency, prometheus.GaugeValue, info.Latency.Seconds(), q)
	ch <- prometheus.MustNewConstMetric(queueMemory, prometheus.GaugeValue, float64(info.MemoryUsage), q)
	ch <- prometheus.MustNewConstMetric(queueProcessed, prometheus.CounterValue, float64(info.ProcessedTotal), q)
	ch <- prometheus.MustNewConstMetric(queueFailed, prometheus.CounterValue, float64(info.FailedTotal), q)
}
