package main

import (
	"context"
	"io"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/liveserver/liveserver/internal/livekit/livekittest"
)

// serveWithLog runs serve until its "ready" line and returns its address and what it logged.
func serveWithLog(t *testing.T, vars map[string]string) (base string, logs *syncBuffer, stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	logs = &syncBuffer{}
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"liveserver", "serve"}, envOf(vars), strings.NewReader(""), io.Discard, logs)
	}()
	listening := regexp.MustCompile(`msg=listening addr=\S*:(\d+)`)
	deadline := time.Now().Add(30 * time.Second)
	for !strings.Contains(logs.String(), "ready: open") {
		select {
		case err := <-done:
			cancel()
			t.Fatalf("serve exited early: %v\n%s", err, logs.String())
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			cancel()
			t.Fatalf("serve did not start:\n%s", logs.String())
		}
	}
	m := listening.FindStringSubmatch(logs.String())
	if m == nil {
		cancel()
		t.Fatalf("no listening line:\n%s", logs.String())
	}
	return "http://127.0.0.1:" + m[1], logs, func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("serve returned %v after shutdown", err)
			}
		case <-time.After(15 * time.Second):
			t.Error("serve did not stop")
		}
	}
}

var setupLinkRE = regexp.MustCompile(`setup_link=(\S+)/setup#([A-Za-z0-9_-]{43})\b`)

// A server others can reach prints a one-time setup link and refuses registration until it was
// used; a restart prints a new link (the old one is dead); once there is an admin (from the
// link, or from `user create --admin` before the first start) no link is printed.
func TestServeOnReachableAddressPrintsSetupLink(t *testing.T) {
	cases := map[string]map[string]string{
		// Listens on loopback only, but serves a public domain (behind a proxy): reachable.
		"domain": {"DOMAIN": "live.school.ru", "TLS": "off", "AUTH_SECRET": strings.Repeat("s", 32), "LISTEN_ADDR": "127.0.0.1:0"},
		// Every interface: in the tests' loopback-only namespace that is still only lo.
		"all interfaces": {"LISTEN_ADDR": ":0"},
	}
	for name, extra := range cases {
		t.Run(name, func(t *testing.T) {
			if name == "all interfaces" {
				livekittest.RequireLoopbackOnly(t)
			}
			vars := map[string]string{"DATA_DIR": t.TempDir(), "LIVESERVER_INSECURE_FAST_HASH": "1", "LIVEKIT_DEV_SERVER": "off"}
			for k, v := range extra {
				vars[k] = v
			}
			base, logs, stop := serveWithLog(t, vars)
			m := setupLinkRE.FindStringSubmatch(logs.String())
			if m == nil {
				stop()
				t.Fatalf("no setup link in the log:\n%s", logs.String())
			}
			first := m[2]
			s := newSession(t, base)
			if info := s.call("GET", "/api/instance", "", 200); info["needsSetup"] != true || info["registrationOpen"] != false {
				t.Errorf("instance = %v", info)
			}
			s.call("POST", "/api/auth/register", `{"email":"first@school.ru","password":"correct horse","name":"F"}`, 403)
			stop()

			base, logs, stop = serveWithLog(t, vars) // a restart: a new link, the old one dead
			defer stop()
			m = setupLinkRE.FindStringSubmatch(logs.String())
			if m == nil || m[2] == first {
				t.Fatalf("after a restart: link %v (the first was %s)", m, first)
			}
			s = newSession(t, base)
			s.call("POST", "/api/setup", `{"token":"`+first+`","email":"root@school.ru","password":"correct horse","name":"Root"}`, 403)
			me := s.call("POST", "/api/setup", `{"token":"`+m[2]+`","email":"root@school.ru","password":"correct horse","name":"Root"}`, 201)
			if me["role"] != "ADMIN" {
				t.Fatalf("setup made %v", me)
			}
			s.call("GET", "/api/auth/me", "", 200)
			newSession(t, base).call("POST", "/api/auth/register", `{"email":"host@school.ru","password":"correct horse","name":"H"}`, 403)
			if strings.Contains(logs.String(), "msg=request") && strings.Contains(logs.String()[strings.Index(logs.String(), "msg=request"):], m[2]) {
				t.Error("the token is in an access log line")
			}
		})
	}
}

// An admin made on the command line before the first start: no setup link.
func TestNoSetupLinkAfterUserCreateAdmin(t *testing.T) {
	livekittest.RequireLoopbackOnly(t)
	vars := map[string]string{"DATA_DIR": t.TempDir(), "LIVESERVER_INSECURE_FAST_HASH": "1", "LIVEKIT_DEV_SERVER": "off", "LISTEN_ADDR": ":0"}
	args := []string{"liveserver", "user", "create", "--email", "root@school.ru", "--name", "Root", "--password-file", "-", "--admin"}
	if err := run(context.Background(), args, envOf(vars), strings.NewReader("admin password\n"), io.Discard, io.Discard); err != nil {
		t.Fatal(err)
	}
	_, logs, stop := serveWithLog(t, vars)
	defer stop()
	if strings.Contains(logs.String(), "setup_link") {
		t.Fatalf("a setup link with an admin there:\n%s", logs.String())
	}
}
