package soak

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/google/uuid"

	v1 "github.com/relancehq/relance/gen/go/relance/v1"
)

// silence is how long a stream may say nothing before the watcher gives up on it: the server
// sends a heartbeat every 30 s (the web app waits 45 s likewise).
const silence = 45 * time.Second

// Watcher is one advisor watching their alert stream as the web app does
// (web/src/alerts/stream.ts): it starts after the newest alert ListAlerts shows, and after any
// drop it opens the stream again with after_alert_id set to the last alert it received, so that
// the server replays what was missed. Each reconnection goes to the other API process.
type Watcher struct {
	Advisor Advisor

	mu         sync.Mutex
	got        map[string]int // alert id → times received
	lastID     string
	live       bool // a first message arrived
	reconnects int
	latency    []time.Duration // received minus the alert's creation
	done       chan struct{}
}

func startWatchers(ctx context.Context, a *api, org Org) []*Watcher {
	var out []*Watcher
	for i, adv := range org.Advisors {
		w := &Watcher{Advisor: adv, got: map[string]int{}, done: make(chan struct{})}
		out = append(out, w)
		go func() {
			defer close(w.done)
			w.run(ctx, a, i)
		}()
	}
	return out
}

// waitWatchers waits until every stream has sent its first message, so that no alert of the
// load is raised before its watcher listens.
func waitWatchers(ctx context.Context, ws []*Watcher, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	for _, w := range ws {
		for !w.isLive() {
			if time.Now().After(deadline) {
				return fmt.Errorf("the alert stream of %s did not open within %s", w.Advisor.Email, limit)
			}
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(50 * time.Millisecond):
			}
		}
	}
	return nil
}

func (w *Watcher) isLive() bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.live
}

// received returns how many times each alert arrived, and the reconnections.
func (w *Watcher) received() (map[string]int, int) {
	w.mu.Lock()
	defer w.mu.Unlock()
	out := make(map[string]int, len(w.got))
	for k, v := range w.got {
		out[k] = v
	}
	return out, w.reconnects
}

func (w *Watcher) has(ids []uuid.UUID) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, id := range ids {
		if w.got[id.String()] == 0 {
			return false
		}
	}
	return true
}

func (w *Watcher) run(ctx context.Context, a *api, turn int) {
	for n, fails := 0, 0; ctx.Err() == nil; n++ {
		if n > 0 {
			w.mu.Lock()
			w.reconnects++
			w.mu.Unlock()
			if !backoff(ctx, fails) {
				return
			}
		}
		if w.watch(ctx, a, turn+n) {
			fails = 0
		} else {
			fails++
		}
	}
}

// watch runs one stream until it drops; it reports whether the stream delivered a message.
func (w *Watcher) watch(ctx context.Context, a *api, turn int) bool {
	client := a.alerts[turn%len(a.alerts)]
	w.mu.Lock()
	after := w.lastID
	w.mu.Unlock()
	if after == "" {
		listCtx, cancel := context.WithTimeout(ctx, callTimeout)
		res, err := client.ListAlerts(listCtx, authed(&v1.ListAlertsRequest{PageSize: 1}, w.Advisor.Token))
		cancel()
		if err != nil {
			return false
		}
		if len(res.Msg.GetAlerts()) > 0 {
			after = res.Msg.GetAlerts()[0].GetId()
		}
	}
	streamCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	watchdog := time.AfterFunc(silence, cancel)
	defer watchdog.Stop()
	stream, err := client.WatchAlerts(streamCtx, authed(&v1.WatchAlertsRequest{AfterAlertId: after}, w.Advisor.Token))
	if err != nil {
		return false
	}
	defer stream.Close()
	gotOne := false
	for stream.Receive() {
		watchdog.Reset(silence)
		gotOne = true
		msg := stream.Msg()
		w.mu.Lock()
		w.live = true
		if al := msg.GetAlert(); al != nil {
			w.got[al.GetId()]++
			w.lastID = al.GetId()
			w.latency = append(w.latency, time.Since(al.GetCreateTime().AsTime()))
		}
		w.mu.Unlock()
	}
	return gotOne
}
