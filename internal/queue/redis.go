package queue

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

// NewRedis returns a client of the Redis at rawURL (REDIS_URL): redis:// or rediss:// for one
// server, or redis-sentinel://[[user]:password@]host1:26379,host2:26379[/db]?master=NAME for a
// primary watched by Sentinel, which the client follows across failovers (the task queue, the
// limits and the live-alert stream all use this one client). It returns an error when the URL
// cannot be parsed; it does not connect.
func NewRedis(rawURL string) (redis.UniversalClient, error) {
	if strings.HasPrefix(rawURL, "redis-sentinel://") {
		opts, err := ParseSentinelURL(rawURL)
		if err != nil {
			return nil, err
		}
		return redis.NewFailoverClient(opts), nil
	}
	opts, err := redis.ParseURL(rawURL)
	if err != nil {
		return nil, fmt.Errorf("REDIS_URL: %w", err)
	}
	return redis.NewClient(opts), nil
}

// ParseSentinelURL reads a redis-sentinel:// URL: the user and password are the primary's, the
// hosts the sentinels' (port 26379 when left out), the path the database number, and the query
// names the primary (master, required) and the sentinels' own password (sentinel_password). It
// returns an error naming what is wrong.
func ParseSentinelURL(rawURL string) (*redis.FailoverOptions, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, fmt.Errorf("REDIS_URL: %w", err)
	}
	if u.Scheme != "redis-sentinel" {
		return nil, fmt.Errorf("REDIS_URL: scheme %q is not redis-sentinel", u.Scheme)
	}
	q := u.Query()
	opts := &redis.FailoverOptions{MasterName: q.Get("master"), SentinelPassword: q.Get("sentinel_password")}
	if opts.MasterName == "" {
		return nil, fmt.Errorf("REDIS_URL: a redis-sentinel URL names its primary: ?master=NAME")
	}
	for k := range q {
		if k != "master" && k != "sentinel_password" {
			return nil, fmt.Errorf("REDIS_URL: unknown parameter %q (master, sentinel_password)", k)
		}
	}
	if u.User != nil {
		opts.Username = u.User.Username()
		opts.Password, _ = u.User.Password()
	}
	for _, h := range strings.Split(u.Host, ",") {
		if h == "" {
			return nil, fmt.Errorf("REDIS_URL: empty sentinel address in %q", u.Host)
		}
		if !strings.Contains(h, ":") {
			h += ":26379"
		}
		opts.SentinelAddrs = append(opts.SentinelAddrs, h)
	}
	if p := strings.Trim(u.Path, "/"); p != "" {
		if opts.DB, err = strconv.Atoi(p); err != nil || opts.DB < 0 {
			return nil, fmt.Errorf("REDIS_URL: database %q is not a number", p)
		}
	}
	return opts, nil
}

// Writable reports whether rdb's Redis takes writes, by writing a short-lived key: after a
// failover, a former primary that came back as a replica answers reads but refuses writes
// (READONLY), which is the error returned.
func Writable(ctx context.Context, rdb redis.UniversalClient) error {
	return rdb.Set(ctx, "relance:ready", time.Now().Unix(), time.Minute).Err()
}
