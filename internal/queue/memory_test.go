package queue_test

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/redis/go-redis/v9"

	"github.com/relancehq/relance/internal/queue"
	"github.com/relancehq/relance/internal/relance"
	"github.com/relancehq/relance/internal/testenv"
)

// BenchmarkPendingTimerMemory measures the Redis memory a pending timer holds: b.N timers
// scheduled an hour ahead, enqueued as the engine does (queue.Client.Schedule) into a Redis of
// their own, and INFO memory's used_memory before and after, reported as bytes/timer. Run it
// with a large fixed count: -benchtime 50000x (see docs/deployment.md).
func BenchmarkPendingTimerMemory(b *testing.B) {
	ctx := context.Background()
	rdb := testenv.OwnRedis(b)
	client := queue.NewClient(rdb, "relance")
	before := usedMemory(b, rdb)
	org, due := uuid.New(), time.Now().Add(time.Hour)
	refs := make([]relance.TimerRef, 0, 1000)
	for i := range b.N {
		refs = append(refs, relance.TimerRef{ID: uuid.Must(uuid.NewV7()), OrgID: org, Version: 1, DueAt: due.Add(time.Duration(i) * time.Millisecond)})
		if len(refs) == cap(refs) || i == b.N-1 {
			if err := client.Schedule(ctx, refs); err != nil {
				b.Fatal(err)
			}
			refs = refs[:0]
		}
	}
	b.ReportMetric(float64(usedMemory(b, rdb)-before)/float64(b.N), "bytes/timer")
}

func usedMemory(b *testing.B, rdb *redis.Client) int64 {
	info, err := rdb.Info(context.Background(), "memory").Result()
	if err != nil {
		b.Fatal(err)
	}
	for _, line := range strings.Split(info, "\r\n") {
		if v, ok := strings.CutPrefix(line, "used_memory:"); ok {
			n, _ := strconv.ParseInt(v, 10, 64)
			return n
		}
	}
	b.Fatal("no used_memory in INFO memory")
	return 0
}
