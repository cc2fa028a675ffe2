package soak

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"connectrpc.com/connect"
	"google.golang.org/protobuf/types/known/timestamppb"

	v1 "github.com/relancehq/relance/gen/go/relance/v1"
	"github.com/relancehq/relance/internal/relance"
)

// callTimeout bounds one call; a call cut short is retried.
const callTimeout = 10 * time.Second

// retryFor bounds the retries of one request after the load's end.
const retryFor = 90 * time.Second

// keyOutcome is what the creators know of one idempotency key.
type keyOutcome struct {
	leads   map[string]bool // the lead ids CreateLead answered with (one, when all is well)
	tries   int
	created int    // answers with created = true
	failed  string // the last error, when the creator gave up or was refused
	planned bool   // the planned call (the reminder's cause) was recorded
}

// Load is the lead creators' work: several goroutines, each creating leads with idempotency
// keys at a steady pace and retrying on any error, on the other API process, until the answer
// comes; then each lead gets a planned call whose reminder comes due cfg.ReminderIn later.
type Load struct {
	mu     sync.Mutex
	keys   map[string]*keyOutcome
	errors errorCounts
	n      atomic.Int64
	done   chan struct{}
}

func (l *Load) asked() int { return int(l.n.Load()) }

func (l *Load) outcome(key string) *keyOutcome {
	l.mu.Lock()
	defer l.mu.Unlock()
	o := l.keys[key]
	if o == nil {
		o = &keyOutcome{leads: map[string]bool{}}
		l.keys[key] = o
	}
	return o
}

func startLoad(ctx context.Context, cfg Config, a *api, org Org, until time.Time) *Load {
	l := &Load{keys: map[string]*keyOutcome{}, done: make(chan struct{})}
	retryCtx, cancel := context.WithDeadline(ctx, until.Add(retryFor))
	every := time.Duration(float64(cfg.Clients) / cfg.Rate * float64(time.Second))
	var wg sync.WaitGroup
	for c := range cfg.Clients {
		wg.Go(func() {
			// Creators start out of step, so that their calls spread over the period.
			next := time.Now().Add(every * time.Duration(c) / time.Duration(cfg.Clients))
			for i := 0; ; i++ {
				if wait := time.Until(next); wait > 0 {
					select {
					case <-ctx.Done():
						return
					case <-time.After(wait):
					}
				}
				if time.Now().After(until) {
					return
				}
				next = next.Add(every)
				l.n.Add(1)
				key := fmt.Sprintf("soak-%d-%05d", c, i)
				advisor := org.Advisors[(c+i*cfg.Clients)%len(org.Advisors)]
				l.one(retryCtx, cfg, a, org, key, advisor, c+i)
			}
		})
	}
	go func() {
		wg.Wait()
		cancel()
		close(l.done)
	}()
	return l
}

// one creates the lead of key, then its planned call, each retried until it is known done.
func (l *Load) one(ctx context.Context, cfg Config, a *api, org Org, key string, advisor Advisor, turn int) {
	o := l.outcome(key)
	req := &v1.CreateLeadRequest{
		IdempotencyKey: key, SiteId: org.SiteID.String(), Source: "soak", SourceGroup: "soak",
		Contact:    &v1.Contact{Name: "Customer " + key, Email: key + "@customer.soak.test"},
		AssigneeId: advisor.ID.String(),
	}
	var leadID string
	for n := 0; ; n++ {
		callCtx, cancel := context.WithTimeout(ctx, callTimeout)
		res, err := a.leads[(turn+n)%len(a.leads)].CreateLead(callCtx, authed(req, org.AdminToken))
		cancel()
		l.mu.Lock()
		o.tries++
		if err == nil {
			leadID = res.Msg.GetLead().GetId()
			o.leads[leadID] = true
			if res.Msg.GetCreated() {
				o.created++
			}
			o.failed = ""
		} else {
			o.failed = err.Error()
		}
		l.mu.Unlock()
		if err == nil {
			break
		}
		l.errors.add(err)
		if permanent(err) || !backoff(ctx, n) {
			return
		}
	}
	// The reminder: a planned call due ReminderIn minus one rung ago, so that its first overdue
	// rung (1 h after its due time) comes due ReminderIn from now, on the real clock.
	due := time.Now().Add(-relance.MinRungDelay + cfg.ReminderIn)
	act := &v1.RecordActivityRequest{LeadId: leadID, Kind: v1.ActivityKind_ACTIVITY_KIND_CALL,
		State: v1.ActivityState_ACTIVITY_STATE_PLANNED, DueTime: timestamppb.New(due), Content: "Call back " + key}
	for n := 0; ; n++ {
		if n > 0 && l.hasPlanned(ctx, a, org, leadID, turn+n) {
			break // an earlier try was recorded though its answer was lost
		}
		callCtx, cancel := context.WithTimeout(ctx, callTimeout)
		_, err := a.leads[(turn+n)%len(a.leads)].RecordActivity(callCtx, authed(act, org.AdminToken))
		cancel()
		if err == nil {
			break
		}
		l.errors.add(err)
		if permanent(err) || !backoff(ctx, n) {
			l.mu.Lock()
			o.failed = "planned call: " + err.Error()
			l.mu.Unlock()
			return
		}
	}
	l.mu.Lock()
	o.planned = true
	l.mu.Unlock()
}

// hasPlanned reports whether the lead has a planned call already (false when it cannot tell).
func (l *Load) hasPlanned(ctx context.Context, a *api, org Org, leadID string, turn int) bool {
	ctx, cancel := context.WithTimeout(ctx, callTimeout)
	defer cancel()
	res, err := a.leads[turn%len(a.leads)].ListActivities(ctx, authed(&v1.ListActivitiesRequest{LeadId: leadID}, org.AdminToken))
	if err != nil {
		if connect.CodeOf(err) != connect.CodeCanceled {
			l.errors.add(err)
		}
		return false
	}
	for _, act := range res.Msg.GetActivities() {
		if act.GetState() == v1.ActivityState_ACTIVITY_STATE_PLANNED {
			return true
		}
	}
	return false
}
