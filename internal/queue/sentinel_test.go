package queue_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/relancehq/relance/internal/catcher"
	"github.com/relancehq/relance/internal/queue"
	"github.com/relancehq/relance/internal/testenv"
)

// TestTimersRunThroughSentinelAcrossAFailover runs the engine (scheduler, asynq server and
// sweeper) on a REDIS_URL naming a sentinel, then has the sentinel promote the replica: the
// next lead's email still goes out, through the new primary.
func TestTimersRunThroughSentinelAcrossAFailover(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	primary, replica := testenv.OwnRedis(t), testenv.OwnRedis(t)
	pAddr, rAddr := primary.Options().Addr, replica.Options().Addr
	host, port, _ := strings.Cut(pAddr, ":")
	if err := replica.ReplicaOf(ctx, host, port).Err(); err != nil {
		t.Fatal(err)
	}
	testenv.Eventually(t, 10*time.Second, "the replica to sync", func() bool {
		info, _ := replica.Info(ctx, "replication").Result()
		return strings.Contains(info, "master_link_status:up")
	})
	const master = "relance"
	sAddr := testenv.OwnSentinel(t, master, pAddr)

	rdb, err := queue.NewRedis("redis-sentinel://" + sAddr + "/0?master=" + master)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { rdb.Close() })
	dbURL, _ := testenv.Database(t)
	c := testenv.Catcher(t)
	n := startNode(t, dbURL, rdb, "relance", c)
	w := testenv.NewWorld(t, n.store)

	w.Lead(t, "Before Failover", w.Alice.ID)
	if _, ok := c.Wait(10*time.Second, func(m []catcher.Message) bool { return len(m) >= 1 }); !ok {
		t.Fatal("no assignment email within 10 s through the sentinel's primary")
	}
	if k, _ := primary.Keys(ctx, "asynq:*").Result(); len(k) == 0 {
		t.Fatal("no asynq keys on the primary")
	}

	// The sentinel takes a few seconds to learn of the replica from the primary: until then it
	// answers NOGOODSLAVE.
	sentinel := redis.NewSentinelClient(&redis.Options{Addr: sAddr})
	defer sentinel.Close()
	testenv.Eventually(t, 20*time.Second, "the sentinel to accept a failover", func() bool {
		return sentinel.Failover(ctx, master).Err() == nil
	})
	testenv.Eventually(t, 20*time.Second, "the replica to become the primary", func() bool {
		addr, err := sentinel.GetMasterAddrByName(ctx, master).Result()
		return err == nil && addr[0]+":"+addr[1] == rAddr
	})
	testenv.Eventually(t, 20*time.Second, "the former replica to take writes", func() bool {
		info, _ := replica.Info(ctx, "replication").Result()
		return strings.Contains(info, "role:master")
	})

	w.Lead(t, "After Failover", w.Alice.ID)
	msgs, ok := c.Wait(20*time.Second, func(m []catcher.Message) bool { return len(m) >= 2 })
	if !ok {
		t.Fatalf("after the failover, %d emails within 20 s, want 2", len(msgs))
	}
	if got := msgs[1].Subject; got != "New lead: After Failover" {
		t.Fatalf("second email %q", got)
	}
}
