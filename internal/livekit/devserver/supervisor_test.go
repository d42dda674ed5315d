package devserver_test

import (
	"context"
	"log/slog"
	"net/http"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/liveserver/liveserver/internal/livekit/devserver"
	"github.com/liveserver/liveserver/internal/livekit/livekittest"
)

func TestSupervisorRestartsAndStops(t *testing.T) {
	bin := livekittest.Binary(t)
	cfg, err := devserver.Config{
		APIKey:    "supervisortest",
		APISecret: "0123456789abcdef0123456789abcdef",
	}.WithFreePorts()
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(testWriter{t}, nil))
	sup, err := devserver.NewSupervisor(bin, cfg, log, devserver.SupervisorOptions{
		MinBackoff: 50 * time.Millisecond,
		StopGrace:  3 * time.Second,
	})
	if err != nil {
		t.Fatal(err)
	}

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- sup.Run(ctx) }()

	select {
	case <-sup.Ready():
	case err := <-done:
		t.Fatalf("Run returned before ready: %v", err)
	case <-time.After(30 * time.Second):
		t.Fatal("not ready after 30s")
	}
	healthURL := "http://127.0.0.1:" + strconv.Itoa(cfg.Port) + "/"
	if !answers(healthURL) {
		t.Fatal("ready, but the HTTP port does not answer")
	}

	first := sup.PID()
	if first == 0 {
		t.Fatal("no PID while running")
	}
	if err := syscall.Kill(first, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "a restarted server answering", func() bool {
		pid := sup.PID()
		return sup.Starts() >= 2 && pid != 0 && pid != first && answers(healthURL)
	})

	second := sup.PID()
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Run: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not return after cancel")
	}
	if sup.PID() != 0 {
		t.Error("PID still set after Run returned")
	}
	// The process is gone: signal 0 checks existence.
	if err := syscall.Kill(second, 0); err == nil {
		t.Errorf("process %d still exists after Run returned", second)
	}
	if answers(healthURL) {
		t.Error("server still answers after Run returned")
	}
}

func TestSupervisorMissingBinary(t *testing.T) {
	cfg, err := devserver.Config{APIKey: "k", APISecret: "0123456789abcdef0123456789abcdef"}.WithFreePorts()
	if err != nil {
		t.Fatal(err)
	}
	sup, err := devserver.NewSupervisor(t.TempDir()+"/nope", cfg, nil, devserver.SupervisorOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if err := sup.Run(context.Background()); err == nil {
		t.Fatal("Run with a missing binary returned nil")
	}
}

func answers(url string) bool {
	c := &http.Client{Timeout: time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	res, err := c.Get(url)
	if err != nil {
		return false
	}
	res.Body.Close()
	return res.StatusCode == http.StatusOK
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(string(p))
	return len(p), nil
}
