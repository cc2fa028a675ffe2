// Package limit keeps the API's budgets in Redis, shared by every API process: requests per
// credential (a GCRA limiter) and failed logins per account and per client address.
package limit

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/go-redis/redis_rate/v10"
	"github.com/redis/go-redis/v9"

	"github.com/relancehq/relance/internal/relance"
)

// Requests limits requests per credential with redis_rate's GCRA limiter, on Redis's clock.
type Requests struct {
	limiter *redis_rate.Limiter
	prefix  string
}

// NewRequests returns a request limiter on rdb; prefix separates its keys from other users of
// the same Redis (such as another deployment's).
func NewRequests(rdb redis.UniversalClient, prefix string) *Requests {
	return &Requests{limiter: redis_rate.NewLimiter(rdb), prefix: prefix}
}

// Allow spends one request of key's budget of perMinute requests a minute (a whole minute's
// budget may be spent at once). It returns 0 when the request may go on, or how long to wait
// before the next one will be allowed; and an error when Redis does not answer.
func (r *Requests) Allow(ctx context.Context, key string, perMinute int) (time.Duration, error) {
	res, err := r.limiter.Allow(ctx, r.prefix+key, redis_rate.PerMinute(perMinute))
	if err != nil {
		return 0, fmt.Errorf("rate limit: %w", err)
	}
	if res.Allowed > 0 {
		return 0, nil
	}
	return max(res.RetryAfter, time.Millisecond), nil
}

// Logins counts failed logins per account and per client address, and locks each out as its
// policy says (relance.LoginPolicy). A count is forgotten a day after its last failure; an
// account's is reset by a successful login.
type Logins struct {
	rdb              redis.UniversalClient
	prefix           string
	account, address relance.LoginPolicy
	now              func() time.Time
}

// forget is how long a run of failures is remembered after its last failure.
const forget = 24 * time.Hour

// NewLogins returns a failed-login throttle on rdb with a policy per account and per address;
// now is the clock locks are measured on (time.Now when nil).
func NewLogins(rdb redis.UniversalClient, prefix string, account, address relance.LoginPolicy, now func() time.Time) *Logins {
	if now == nil {
		now = time.Now
	}
	return &Logins{rdb: rdb, prefix: prefix, account: account, address: address, now: now}
}

func (l *Logins) accountKey(email string) string { return l.prefix + "login:account:" + email }
func (l *Logins) addressKey(addr string) string  { return l.prefix + "login:address:" + addr }

// Locked returns how long the account (a normalised email, known or not) or the client address
// stays locked, the longer of the two; 0 when neither is. It returns an error when Redis does
// not answer.
func (l *Logins) Locked(ctx context.Context, account, address string) (time.Duration, error) {
	pipe := l.rdb.Pipeline()
	acc := pipe.HGet(ctx, l.accountKey(account), "until")
	addr := pipe.HGet(ctx, l.addressKey(address), "until")
	if _, err := pipe.Exec(ctx); err != nil && err != redis.Nil {
		return 0, fmt.Errorf("login throttle: %w", err)
	}
	now := l.now()
	var wait time.Duration
	for _, c := range []*redis.StringCmd{acc, addr} {
		ms, err := c.Int64()
		if err != nil {
			continue // never locked
		}
		wait = max(wait, time.UnixMilli(ms).Sub(now))
	}
	return wait, nil
}

// Failed records a failed login for the account and the address, and locks either out when its
// policy says so. It returns the longer lock it set (0 for none), or an error when Redis does not
// answer.
func (l *Logins) Failed(ctx context.Context, account, address string) (time.Duration, error) {
	var lock time.Duration
	for _, s := range []struct {
		key    string
		policy relance.LoginPolicy
	}{{l.accountKey(account), l.account}, {l.addressKey(address), l.address}} {
		pipe := l.rdb.TxPipeline()
		n := pipe.HIncrBy(ctx, s.key, "failures", 1)
		pipe.Expire(ctx, s.key, forget+s.policy.Max)
		if _, err := pipe.Exec(ctx); err != nil {
			return 0, fmt.Errorf("login throttle: %w", err)
		}
		d := s.policy.LockFor(int(n.Val()))
		if d <= 0 {
			continue
		}
		until := l.now().Add(d).UnixMilli()
		if err := l.rdb.HSet(ctx, s.key, "until", strconv.FormatInt(until, 10)).Err(); err != nil {
			return 0, fmt.Errorf("login throttle: %w", err)
		}
		lock = max(lock, d)
	}
	return lock, nil
}

// Succeeded forgets the account's failed logins (not its address's: one good password does not
// excuse a run of guesses on other accounts). It returns an error when Redis does not answer.
func (l *Logins) Succeeded(ctx context.Context, account string) error {
	if err := l.rdb.Del(ctx, l.accountKey(account)).Err(); err != nil {
		return fmt.Errorf("login throttle: %w", err)
	}
	return nil
}
