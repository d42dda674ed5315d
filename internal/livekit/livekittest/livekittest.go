// Package livekittest starts a real livekit-server for tests.
//
// The binary comes from $LIVEKIT_SERVER_BIN, else <repo>/.tools/bin/livekit-server
// (install it with devserver.Install or
// `GOBIN=$PWD/.tools/bin go install github.com/livekit/livekit-server/cmd/server@v1.13.5`
// and rename server to livekit-server). Without it tests skip, unless
// LIVESERVER_REQUIRE_LIVEKIT=1, which makes them fail.
package livekittest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/liveserver/liveserver/internal/livekit"
	"github.com/liveserver/liveserver/internal/livekit/devserver"
)

// Environment variables read by this package.
const (
	EnvBinary  = "LIVEKIT_SERVER_BIN"
	EnvRequire = "LIVESERVER_REQUIRE_LIVEKIT"
)

// Server is a running test server.
type Server struct {
	// Config is what the code under test needs: URL, key and secret.
	Config livekit.Config
	// Dev is the generated server configuration (ports included).
	Dev        devserver.Config
	Supervisor *devserver.Supervisor
}

// Option changes the server a test gets.
type Option func(*devserver.Config)

// WithWebhookURL makes the server post its webhooks to url.
func WithWebhookURL(url string) Option {
	return func(c *devserver.Config) { c.WebhookURLs = append(c.WebhookURLs, url) }
}

// WithDepartureTimeout shortens the wait between the last participant
// leaving and room_finished (LiveKit's default is 20 s).
func WithDepartureTimeout(d time.Duration) Option {
	return func(c *devserver.Config) { c.DepartureTimeoutSeconds = int(d / time.Second) }
}

// readyTimeout is generous: the server is ready in about 80 ms, but a
// loaded CI machine running -race can be slow.
const readyTimeout = 30 * time.Second

// Start starts a livekit-server on free loopback ports with a fresh random
// key pair, waits until it answers, and stops it in t.Cleanup.
func Start(t testing.TB, opts ...Option) Server {
	t.Helper()
	bin := Binary(t)

	cfg := devserver.Config{APIKey: "test" + randomHex(t, 6), APISecret: randomHex(t, 32)}
	for _, o := range opts {
		o(&cfg)
	}
	cfg, err := cfg.WithFreePorts()
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(tWriter{t}, &slog.HandlerOptions{Level: slog.LevelInfo}))
	sup, err := devserver.NewSupervisor(bin, cfg, log, devserver.SupervisorOptions{ConfigDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- sup.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("livekit-server: %v", err)
		}
	})

	select {
	case <-sup.Ready():
	case err := <-done:
		done <- err // for the cleanup
		t.Fatalf("livekit-server did not start: %v", err)
	case <-time.After(readyTimeout):
		t.Fatalf("livekit-server not ready after %v", readyTimeout)
	}
	return Server{
		Config:     livekit.Config{URL: cfg.URL(), APIKey: cfg.APIKey, APISecret: cfg.APISecret},
		Dev:        cfg,
		Supervisor: sup,
	}
}

// Binary returns the livekit-server to test with, or skips the test (fails
// it when LIVESERVER_REQUIRE_LIVEKIT=1) when there is none.
func Binary(t testing.TB) string {
	t.Helper()
	path := os.Getenv(EnvBinary)
	if path == "" {
		root, err := repoRoot()
		if err != nil {
			t.Fatalf("livekittest: %v", err)
		}
		path = filepath.Join(root, ".tools", "bin", devserver.BinaryName)
	}
	if _, err := os.Stat(path); err != nil {
		msg := fmt.Sprintf("livekit-server not found at %s (set %s, or install it: see package livekittest): %v", path, EnvBinary, err)
		if os.Getenv(EnvRequire) == "1" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	return path
}

// repoRoot walks up from the working directory (a package directory under
// go test) to the directory holding go.mod.
func repoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		} else if !errors.Is(err, fs.ErrNotExist) {
			return "", err
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod above the working directory")
		}
		dir = parent
	}
}

func randomHex(t testing.TB, n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b)
}

// tWriter sends the server's log to the test log, shown on failure or -v.
type tWriter struct{ t testing.TB }

func (w tWriter) Write(p []byte) (int, error) {
	w.t.Helper()
	w.t.Log(string(p[:len(p)-min(1, len(p))]))
	return len(p), nil
}
