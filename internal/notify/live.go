package notify

import (
	"context"
	"fmt"
	"strings"
	"sync"

	"github.com/google/uuid"
	"github.com/redis/go-redis/v9"

	"github.com/relancehq/relance/internal/relance"
)

// watcherBuffer is how many alert ids a slow watcher may lag behind before its channel is closed
// (it then reconnects and replays from the database: nothing is lost).
const watcherBuffer = 64

// Live carries in-app alerts between processes over Redis pub/sub: any process publishes the ids
// of committed alerts, and each API process holds one pattern subscription that it fans out to
// its local watchers. It only says "look": the alerts themselves are read from Postgres.
type Live struct {
	rdb    redis.UniversalClient
	prefix string

	mu       sync.Mutex
	watchers map[uuid.UUID]map[chan uuid.UUID]struct{}
	pubsub   *redis.PubSub
}

// NewLive returns a Live on rdb whose channels start with prefix.
func NewLive(rdb redis.UniversalClient, prefix string) *Live {
	return &Live{rdb: rdb, prefix: prefix, watchers: map[uuid.UUID]map[chan uuid.UUID]struct{}{}}
}

func (l *Live) channel(user uuid.UUID) string { return l.prefix + ":alerts:" + user.String() }

// PublishAlerts announces committed alerts. It returns the first Redis error.
func (l *Live) PublishAlerts(ctx context.Context, alerts []relance.AlertRef) error {
	pipe := l.rdb.Pipeline()
	for _, a := range alerts {
		pipe.Publish(ctx, l.channel(a.UserID), a.ID.String())
	}
	_, err := pipe.Exec(ctx)
	return err
}

// Watch returns a channel of the ids of user's alerts as they are announced, until ctx ends (then
// the channel is closed). A channel is also closed when its reader falls too far behind. It
// returns an error when Redis cannot be subscribed to.
func (l *Live) Watch(ctx context.Context, user uuid.UUID) (<-chan uuid.UUID, error) {
	if err := l.start(); err != nil {
		return nil, err
	}
	ch := make(chan uuid.UUID, watcherBuffer)
	l.mu.Lock()
	if l.watchers[user] == nil {
		l.watchers[user] = map[chan uuid.UUID]struct{}{}
	}
	l.watchers[user][ch] = struct{}{}
	l.mu.Unlock()
	go func() {
		<-ctx.Done()
		l.drop(user, ch)
	}()
	return ch, nil
}

// Close stops the subscription; watchers' channels are closed.
func (l *Live) Close() error {
	l.mu.Lock()
	for user, chans := range l.watchers {
		for ch := range chans {
			close(ch)
		}
		delete(l.watchers, user)
	}
	ps := l.pubsub
	l.pubsub = nil
	l.mu.Unlock()
	// Closed without the lock: fanOut may be waiting for it to deliver a message.
	if ps == nil {
		return nil
	}
	return ps.Close()
}

// start subscribes once per process, and waits until Redis confirms the subscription so that
// no alert announced after Watch returns is missed.
func (l *Live) start() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.pubsub != nil {
		return nil
	}
	ps := l.rdb.PSubscribe(context.Background(), l.prefix+":alerts:*")
	if _, err := ps.Receive(context.Background()); err != nil {
		ps.Close()
		return fmt.Errorf("live alerts: subscribe: %w", err)
	}
	l.pubsub = ps
	go l.fanOut(ps.Channel())
	return nil
}

func (l *Live) fanOut(msgs <-chan *redis.Message) {
	for m := range msgs {
		user, err := uuid.Parse(strings.TrimPrefix(m.Channel, l.prefix+":alerts:"))
		if err != nil {
			continue
		}
		id, err := uuid.Parse(m.Payload)
		if err != nil {
			continue
		}
		l.mu.Lock()
		for ch := range l.watchers[user] {
			select {
			case ch <- id:
			default: // too slow: close, the client reconnects and replays
				delete(l.watchers[user], ch)
				close(ch)
			}
		}
		l.mu.Unlock()
	}
}

func (l *Live) drop(user uuid.UUID, ch chan uuid.UUID) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if _, ok := l.watchers[user][ch]; ok {
		delete(l.watchers[user], ch)
		close(ch)
	}
	if len(l.watchers[user]) == 0 {
		delete(l.watchers, user)
	}
}
