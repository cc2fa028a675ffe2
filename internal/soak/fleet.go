package soak

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// proc is one relance process of the fleet ("api-0", "worker-1"…), started again after each kill
// under the same name, port and log file.
type proc struct {
	name string
	args []string
	env  []string
	f    *Fleet

	mu   sync.Mutex
	cmd  *exec.Cmd
	done chan struct{} // closed when cmd exits
	// killed is set while the harness means the process to be down.
	killed bool
	// died counts the exits the harness did not cause.
	died int
}

// Fleet runs the relance processes and replaces PostgreSQL and Redis through scripts/services.sh.
// Every pid it starts is written in Work/pids, so that soak.sh's trap stops what is left.
type Fleet struct {
	cfg   Config
	procs []*proc
}

func newFleet(cfg Config, catcherSMTP, catcherSMS string) *Fleet {
	f := &Fleet{cfg: cfg}
	common := []string{
		"DATABASE_URL=" + cfg.DatabaseURL,
		"REDIS_URL=" + cfg.RedisURL,
		"QUEUE=" + cfg.Queue,
		"SWEEP_INTERVAL=2s",
		"SMTP_URL=" + catcherSMTP,
		"SMS_URL=" + catcherSMS, "SMS_ACCOUNT=soak", "SMS_TOKEN=soak",
		"RATE_LIMIT_SESSION=1000000",
		"LOG_LEVEL=info",
	}
	for i, addr := range cfg.APIAddrs {
		f.procs = append(f.procs, &proc{name: fmt.Sprintf("api-%d", i), args: []string{"serve"}, f: f,
			env: append(slicesClone(common), "LISTEN_ADDR="+addr)})
	}
	for i := range 2 {
		f.procs = append(f.procs, &proc{name: fmt.Sprintf("worker-%d", i), args: []string{"worker"}, f: f,
			env: slicesClone(common)})
	}
	return f
}

func slicesClone(s []string) []string { return append([]string(nil), s...) }

// proc returns the process named name.
func (f *Fleet) proc(name string) *proc {
	for _, p := range f.procs {
		if p.name == name {
			return p
		}
	}
	panic("soak: no process " + name)
}

// Start starts every process. It returns an error when one cannot start.
func (f *Fleet) Start() error {
	for _, p := range f.procs {
		if err := p.start(); err != nil {
			return err
		}
	}
	return nil
}

// Stop stops every process: SIGTERM, then SIGKILL after 10 s.
func (f *Fleet) Stop() {
	var wg sync.WaitGroup
	for _, p := range f.procs {
		wg.Go(p.stop)
	}
	wg.Wait()
}

// Died counts, per process, the exits the harness did not cause.
func (f *Fleet) Died() map[string]int {
	out := map[string]int{}
	for _, p := range f.procs {
		p.mu.Lock()
		if p.died > 0 {
			out[p.name] = p.died
		}
		p.mu.Unlock()
	}
	return out
}

func (p *proc) start() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	logFile, err := os.OpenFile(filepath.Join(p.f.cfg.Work, "logs", p.name+".log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	cmd := exec.Command(p.f.cfg.Relance, p.args...)
	cmd.Env = append(os.Environ(), p.env...)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if err := cmd.Start(); err != nil {
		logFile.Close()
		return fmt.Errorf("%s: %w", p.name, err)
	}
	logFile.Close()
	p.cmd, p.killed = cmd, false
	done := make(chan struct{})
	p.done = done
	writePid(p.f.cfg.Work, p.name, cmd.Process.Pid)
	go func() {
		_ = cmd.Wait()
		// The pid may soon be another process's: the trap must not stop that one.
		if pid, err := readPid(p.f.cfg.Work, p.name); err == nil && pid == cmd.Process.Pid {
			_ = os.Remove(filepath.Join(p.f.cfg.Work, "pids", p.name))
		}
		p.mu.Lock()
		if !p.killed {
			p.died++
		}
		p.mu.Unlock()
		close(done)
	}()
	return nil
}

// kill sends SIGKILL and waits for the process to be gone.
func (p *proc) kill() {
	p.signal(syscall.SIGKILL, 0)
}

// stop sends SIGTERM and, after 10 s, SIGKILL.
func (p *proc) stop() {
	p.signal(syscall.SIGTERM, 10*time.Second)
}

func (p *proc) signal(sig syscall.Signal, grace time.Duration) {
	p.mu.Lock()
	cmd, done := p.cmd, p.done
	p.killed = true
	p.mu.Unlock()
	if cmd == nil {
		return
	}
	_ = cmd.Process.Signal(sig)
	if grace > 0 {
		select {
		case <-done:
			return
		case <-time.After(grace):
			_ = cmd.Process.Kill()
		}
	}
	<-done
}

// restartIfDead starts a process that exited without the harness asking; it reports whether it did.
func (p *proc) restartIfDead() (bool, error) {
	p.mu.Lock()
	done, killed := p.done, p.killed
	p.mu.Unlock()
	select {
	case <-done:
		if killed {
			return false, nil
		}
		return true, p.start()
	default:
		return false, nil
	}
}

func writePid(work, name string, pid int) {
	_ = os.WriteFile(filepath.Join(work, "pids", name), []byte(strconv.Itoa(pid)+"\n"), 0o644)
}

func readPid(work, name string) (int, error) {
	b, err := os.ReadFile(filepath.Join(work, "pids", name))
	if err != nil {
		return 0, err
	}
	return strconv.Atoi(strings.TrimSpace(string(b)))
}

// stopService stops the server whose pid is in pids/name as scripts/services.sh's stop_pid does:
// SIGINT (PostgreSQL's fast shutdown; Redis without persistence saves nothing), SIGKILL after
// 10 s. It waits until the process is gone.
func (f *Fleet) stopService(ctx context.Context, name string) error {
	pid, err := readPid(f.cfg.Work, name)
	if err != nil {
		return err
	}
	if err := f.services(ctx, "stop_pid "+strconv.Itoa(pid), nil); err != nil {
		return err
	}
	return os.Remove(filepath.Join(f.cfg.Work, "pids", name))
}

// startPostgres starts PostgreSQL again on the same data folder and port (start_postgres).
func (f *Fleet) startPostgres(ctx context.Context) error {
	var out bytes.Buffer
	if err := f.services(ctx, fmt.Sprintf("start_postgres %q %d durable >&2; echo $PG_PID", f.cfg.PGData, f.cfg.PGPort), &out); err != nil {
		return err
	}
	return f.recordPid("pg", out.String())
}

// startRedis starts an empty Redis, without persistence, on the same port (start_redis).
func (f *Fleet) startRedis(ctx context.Context) error {
	var out bytes.Buffer
	if err := f.services(ctx, fmt.Sprintf("start_redis %d >&2; echo $REDIS_PID", f.cfg.RedisPort), &out); err != nil {
		return err
	}
	return f.recordPid("redis", out.String())
}

func (f *Fleet) recordPid(name, out string) error {
	pid, err := strconv.Atoi(strings.TrimSpace(out))
	if err != nil {
		return fmt.Errorf("%s: no pid in %q", name, out)
	}
	writePid(f.cfg.Work, name, pid)
	return nil
}

// services runs a shell line with scripts/services.sh sourced. The servers it starts are in
// their own sessions, with their output in files, so they outlive the shell.
func (f *Fleet) services(ctx context.Context, line string, stdout *bytes.Buffer) error {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "bash", "-c", "set -euo pipefail; source \"$0\"; "+line, f.cfg.Services)
	var stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = stdout, &stderr
	if stdout == nil {
		cmd.Stdout = &stderr
	}
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("%s: %w: %s", line, err, strings.TrimSpace(stderr.String()))
	}
	return nil
}
