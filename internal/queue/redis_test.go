package queue

import (
	"context"
	"reflect"
	"strings"
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/relancehq/relance/internal/testenv"
)

func TestParseSentinelURL(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		url  string
		want redis.FailoverOptions
	}{
		{"redis-sentinel://10.0.0.1:26379,10.0.0.2:26380/2?master=mymaster", redis.FailoverOptions{
			MasterName: "mymaster", SentinelAddrs: []string{"10.0.0.1:26379", "10.0.0.2:26380"}, DB: 2}},
		{"redis-sentinel://:s3cret@sentinel-a,sentinel-b:1234?master=relance&sentinel_password=sp", redis.FailoverOptions{
			MasterName: "relance", SentinelAddrs: []string{"sentinel-a:26379", "sentinel-b:1234"}, Password: "s3cret", SentinelPassword: "sp"}},
		{"redis-sentinel://app:pw@h1:26379/?master=m", redis.FailoverOptions{
			MasterName: "m", SentinelAddrs: []string{"h1:26379"}, Username: "app", Password: "pw"}},
	} {
		got, err := ParseSentinelURL(c.url)
		if err != nil {
			t.Errorf("%s: %v", c.url, err)
			continue
		}
		if !reflect.DeepEqual(*got, c.want) {
			t.Errorf("%s:\n got %+v\nwant %+v", c.url, *got, c.want)
		}
	}
	for _, bad := range []string{
		"redis-sentinel://h1:26379/0",                     // no master
		"redis-sentinel://h1:26379,,h2/0?master=m",        // empty address
		"redis-sentinel://h1:26379/zero?master=m",         // database
		"redis-sentinel://h1:26379/0?master=m&mastr=typo", // unknown parameter
		"redis://h1:6379/0?master=m",                      // not sentinel
	} {
		if _, err := ParseSentinelURL(bad); err == nil {
			t.Errorf("%s: no error", bad)
		}
	}
	// NewRedis picks the client by scheme: go-redis's failover client asks the sentinels for
	// the primary's address at each new connection.
	for url, want := range map[string]string{
		"redis://127.0.0.1:6379/0":                          "127.0.0.1:6379",
		"redis-sentinel://127.0.0.1:26379/0?master=primary": "FailoverClient",
	} {
		rdb, err := NewRedis(url)
		if err != nil {
			t.Fatalf("%s: %v", url, err)
		}
		if got := rdb.(*redis.Client).Options().Addr; got != want {
			t.Errorf("%s: client of %s, want %s", url, got, want)
		}
		rdb.Close()
	}
	if _, err := NewRedis("redis-sentinel://h/0"); err == nil {
		t.Error("NewRedis of a sentinel URL without master: no error")
	}
}

// TestAReplicaIsNotWritable: readiness fails on a Redis that became a replica, as a former
// primary does after a failover.
func TestAReplicaIsNotWritable(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	primary, replica := testenv.OwnRedis(t), testenv.OwnRedis(t)
	if err := Writable(ctx, replica); err != nil {
		t.Fatalf("a primary: %v", err)
	}
	host, port, _ := strings.Cut(primary.Options().Addr, ":")
	if err := replica.ReplicaOf(ctx, host, port).Err(); err != nil {
		t.Fatal(err)
	}
	if err := Writable(ctx, replica); err == nil || !strings.Contains(err.Error(), "READONLY") {
		t.Fatalf("a replica: %v, want READONLY", err)
	}
}
