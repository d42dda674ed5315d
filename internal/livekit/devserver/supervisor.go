package devserver

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"time"
)

// SupervisorOptions tunes a Supervisor; the zero value is sensible.
type SupervisorOptions struct {
	// ConfigDir receives the generated config file (mode 0600: it holds
	// the API secret). Empty means a temporary directory, removed when Run
	// returns.
	ConfigDir string
	// StopGrace is how long the server gets to exit after the first
	// SIGTERM before it is killed. Default 5 s.
	StopGrace time.Duration
	// MinBackoff and MaxBackoff bound the wait before a restart; it doubles
	// after each quick crash. Defaults 250 ms and 10 s.
	MinBackoff time.Duration
	MaxBackoff time.Duration
}

// Supervisor runs one livekit-server process and keeps it running.
type Supervisor struct {
	bin  string
	cfg  Config
	log  *slog.Logger
	opts SupervisorOptions
	yaml []byte
	// probe keeps no idle connections, so no transport goroutine outlives
	// a probe (goleak checks that), and ignores proxy settings: the server
	// is on loopback.
	probe *http.Client

	ready     chan struct{}
	readyOnce sync.Once

	mu     sync.Mutex
	pid    int
	starts int
}

// healthyRun is how long a process must live before a crash counts as new
// rather than as one more of a crash loop (which backs off further).
const healthyRun = 30 * time.Second

// NewSupervisor checks cfg and prepares, but does not start, a server
// running bin. log (nil for none) receives the supervisor's events and
// every output line of the server.
func NewSupervisor(bin string, cfg Config, log *slog.Logger, opts SupervisorOptions) (*Supervisor, error) {
	y, err := cfg.YAML()
	if err != nil {
		return nil, err
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if opts.StopGrace <= 0 {
		opts.StopGrace = 5 * time.Second
	}
	if opts.MinBackoff <= 0 {
		opts.MinBackoff = 250 * time.Millisecond
	}
	if opts.MaxBackoff < opts.MinBackoff {
		opts.MaxBackoff = max(10*time.Second, opts.MinBackoff)
	}
	return &Supervisor{
		bin: bin, cfg: cfg, log: log, opts: opts, yaml: y,
		ready: make(chan struct{}),
		probe: &http.Client{Transport: &http.Transport{DisableKeepAlives: true}},
	}, nil
}

// Ready is closed the first time the server answers HTTP. It stays closed
// across restarts; callers that need the current state ask LiveKit.
func (s *Supervisor) Ready() <-chan struct{} { return s.ready }

// PID is the running server's process id, 0 between runs.
func (s *Supervisor) PID() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.pid
}

// Starts counts how many times the server process was started.
func (s *Supervisor) Starts() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.starts
}

// Run starts the server and restarts it with backoff whenever it exits,
// until ctx is cancelled; it then stops the server (SIGTERM, SIGKILL after
// StopGrace) and returns nil once the process is gone. It returns an error
// only when the server cannot be started at all (no binary, no config
// file). Run must be called once.
func (s *Supervisor) Run(ctx context.Context) error {
	path, cleanup, err := s.writeConfig()
	if err != nil {
		return err
	}
	defer cleanup()

	backoff := s.opts.MinBackoff
	for {
		started := time.Now()
		err := s.runOnce(ctx, path)
		if ctx.Err() != nil {
			return nil
		}
		var startErr *startError
		if errors.As(err, &startErr) {
			return err
		}
		if time.Since(started) > healthyRun {
			backoff = s.opts.MinBackoff
		}
		s.log.Warn("livekit-server exited; restarting", "err", err, "after", backoff)
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, s.opts.MaxBackoff)
	}
}

type startError struct{ err error }

func (e *startError) Error() string { return e.err.Error() }
func (e *startError) Unwrap() error { return e.err }

func (s *Supervisor) writeConfig() (path string, cleanup func(), err error) {
	dir := s.opts.ConfigDir
	cleanup = func() {}
	if dir == "" {
		dir, err = os.MkdirTemp("", "livekit-dev-")
		if err != nil {
			return "", nil, fmt.Errorf("devserver: config dir: %w", err)
		}
		cleanup = func() { os.RemoveAll(dir) }
	} else if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", nil, fmt.Errorf("devserver: config dir: %w", err)
	}
	path = filepath.Join(dir, "livekit.yaml")
	if err := os.WriteFile(path, s.yaml, 0o600); err != nil {
		cleanup()
		return "", nil, fmt.Errorf("devserver: write config: %w", err)
	}
	return path, cleanup, nil
}

// runOnce runs one server process until it exits or ctx is cancelled.
func (s *Supervisor) runOnce(ctx context.Context, configPath string) error {
	out := newLineLogger(s.log, "livekit-server")
	defer out.Flush()
	cmd := exec.Command(s.bin, "--config", configPath)
	cmd.Stdout, cmd.Stderr = out, out
	cmd.SysProcAttr = sysProcAttr()
	// The server has no children of its own; if something still holds its
	// output pipe after it died, stop waiting for it.
	cmd.WaitDelay = time.Second
	if err := cmd.Start(); err != nil {
		return &startError{fmt.Errorf("devserver: start %s: %w", s.bin, err)}
	}
	s.mu.Lock()
	s.pid = cmd.Process.Pid
	s.starts++
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		s.pid = 0
		s.mu.Unlock()
	}()
	s.log.Info("livekit-server started", "pid", cmd.Process.Pid, "url", s.cfg.URL())

	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()

	probe := time.NewTicker(50 * time.Millisecond)
	defer probe.Stop()
	for {
		select {
		case err := <-exited:
			return fmt.Errorf("devserver: livekit-server: %w", exitErr(err))
		case <-ctx.Done():
			s.stop(cmd, exited)
			return ctx.Err()
		case <-probe.C:
			if s.answers(ctx) {
				s.readyOnce.Do(func() {
					s.log.Info("livekit-server ready", "url", s.cfg.URL())
					close(s.ready)
				})
				// Ready once; from here on only the process's exit matters.
				probe.Stop()
			}
		}
	}
}

func exitErr(err error) error {
	if err == nil {
		return errors.New("exited with status 0")
	}
	return err
}

// stop asks the server to shut down and kills it if it does not.
//
// livekit-server treats its first SIGTERM as "drain": it waits, without
// limit, for every participant to leave, and it ignores a signal that
// arrives in the first moments after start. Its second signal means "stop
// now". So: SIGTERM, a second SIGTERM halfway through the grace period,
// SIGKILL at its end.
func (s *Supervisor) stop(cmd *exec.Cmd, exited <-chan error) {
	s.log.Info("stopping livekit-server", "pid", cmd.Process.Pid)
	half := s.opts.StopGrace / 2
	for range 2 {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
			return
		case <-time.After(half):
		}
	}
	s.log.Warn("livekit-server did not stop; killing it", "pid", cmd.Process.Pid, "grace", s.opts.StopGrace)
	_ = cmd.Process.Kill()
	<-exited
}

// answers reports whether the server's HTTP port serves its health check
// ("OK" on /). It always probes loopback, where the server always listens.
func (s *Supervisor) answers(ctx context.Context) bool {
	ctx, cancel := context.WithTimeout(ctx, 500*time.Millisecond)
	defer cancel()
	url := "http://" + net.JoinHostPort(loopback, strconv.Itoa(s.cfg.Port)) + "/"
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return false
	}
	res, err := s.probe.Do(req)
	if err != nil {
		return false
	}
	res.Body.Close()
	return res.StatusCode == http.StatusOK
}
