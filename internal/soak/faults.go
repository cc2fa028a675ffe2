package soak

import (
	"context"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"
)

// Fault is one injected failure and how long its target was down.
type Fault struct {
	At       time.Duration // since the load started
	What     string
	Downtime time.Duration
	Err      string // the harness could not carry it out
}

// runFaults injects, at a fifth, two fifths, three fifths and four fifths of the run: a worker
// SIGKILLed (and started again), an API process SIGKILLed (and started again), Redis stopped and
// started empty, PostgreSQL stopped (fast shutdown) and started on the same data. Between
// faults it restarts any process that died on its own. It sends the faults on the channel when
// the run is over.
//
// The worker dies, if it can be arranged within 10 s, while a delivery is being sent, so that
// its lease runs out and the message goes out again under the same identity.
func runFaults(ctx context.Context, cfg Config, fleet *Fleet, rdb *redis.Client, sending func(context.Context) (int, error), start time.Time, logf func(string, ...any)) <-chan []Fault {
	out := make(chan []Fault, 1)
	steps := []struct {
		what string
		do   func() error
	}{
		{"SIGKILL worker-0 (mid-send if possible), start it again", func() error {
			for wait := time.Now().Add(10 * time.Second); time.Now().Before(wait); {
				if n, err := sending(ctx); err == nil && n > 0 {
					break
				}
				time.Sleep(5 * time.Millisecond)
			}
			fleet.proc("worker-0").kill()
			return fleet.proc("worker-0").start()
		}},
		{"SIGKILL api-0, start it again", func() error {
			fleet.proc("api-0").kill()
			return fleet.proc("api-0").start()
		}},
		{"restart Redis empty (stop, start without persistence)", func() error {
			// A marker written before the stop and gone after the start shows Redis came back
			// empty (the fleet writes again at once, so its size proves nothing).
			if err := rdb.Set(ctx, "soak:marker", "1", 0).Err(); err != nil {
				return err
			}
			if err := fleet.stopService(ctx, "redis"); err != nil {
				return err
			}
			if err := fleet.startRedis(ctx); err != nil {
				return err
			}
			n, err := rdb.Exists(ctx, "soak:marker").Result()
			if err != nil {
				return err
			}
			if n != 0 {
				return fmt.Errorf("redis came back with its data")
			}
			return nil
		}},
		{"restart PostgreSQL (fast shutdown, start on the same data)", func() error {
			if err := fleet.stopService(ctx, "pg"); err != nil {
				return err
			}
			return fleet.startPostgres(ctx)
		}},
	}
	go func() {
		var faults []Fault
		defer func() { out <- faults }()
		tick := time.NewTicker(time.Second)
		defer tick.Stop()
		next := 0
		for time.Since(start) < cfg.Duration {
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
			}
			for _, p := range fleet.procs {
				if ok, err := p.restartIfDead(); ok {
					logf("%s had exited on its own: started again (err %v)", p.name, err)
				}
			}
			if next < len(steps) && time.Since(start) >= cfg.Duration*time.Duration(next+1)/time.Duration(len(steps)+1) {
				f := Fault{At: time.Since(start).Round(time.Second), What: steps[next].what}
				began := time.Now()
				if err := steps[next].do(); err != nil {
					f.Err = err.Error()
				}
				f.Downtime = time.Since(began).Round(10 * time.Millisecond)
				logf("fault at %s: %s (%s)%s", f.At, f.What, f.Downtime, map[bool]string{true: ": FAILED " + f.Err}[f.Err != ""])
				faults = append(faults, f)
				next++
			}
		}
	}()
	return out
}
