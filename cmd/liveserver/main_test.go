package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"os"
	"os/signal"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/liveserver/liveserver/internal/livekit/livekittest"
	"github.com/liveserver/liveserver/internal/sqlstore/sqlstoretest"
	"go.uber.org/goleak"
)

// The tests here run the whole program; some connect WebRTC bots to the dev LiveKit server,
// so all of them run in a network namespace with only loopback (DESIGN §6).
func TestMain(m *testing.M) {
	if sub := os.Getenv(envSubcommand); sub != "" {
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		err := run(ctx, []string{"liveserver", sub}, os.Getenv, os.Stdin, os.Stdout, os.Stderr)
		stop()
		if err != nil {
			fmt.Fprintln(os.Stderr, "liveserver:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	if mode := os.Getenv("LIVESERVER_TEST_BOT"); mode != "" {
		os.Exit(runTestBot(mode)) // a LiveKit bot in another network namespace (veth_test.go)
	}
	code := livekittest.Main(m)
	if code == 0 {
		if err := goleak.Find(); err != nil {
			fmt.Fprintln(os.Stderr, "goleak:", err)
			code = 1
		}
	}
	os.Exit(code)
}

// envOf makes a getenv from pairs.
func envOf(vars map[string]string) func(string) string {
	return func(k string) string { return vars[k] }
}

// startServe runs `liveserver serve` in this process and returns its base URL and a stop
// function that waits for a clean shutdown.
func startServe(t testing.TB, vars map[string]string) (string, func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"liveserver", "serve"}, envOf(vars), strings.NewReader(""), io.Discard, pw)
		pw.Close()
	}()
	addr := make(chan string, 1)
	go func() {
		re := regexp.MustCompile(`msg=listening addr=(\S+)`)
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			if m := re.FindStringSubmatch(sc.Text()); m != nil {
				addr <- m[1]
			}
		}
		io.Copy(io.Discard, pr)
	}()
	select {
	case a := <-addr:
		return "http://" + a, func() {
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
	case err := <-done:
		cancel()
		t.Fatalf("serve exited early: %v", err)
	case <-time.After(30 * time.Second):
		cancel()
		t.Fatal("serve did not start listening")
	}
	return "", nil
}

// From an empty folder: the server starts, answers /healthz, and a session of curl-like calls
// registers, logs in, creates a room, looks it up by code and logs out.
func TestServeFromEmptyFolder(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "fresh", "data")
	base, stop := startServe(t, map[string]string{"DATA_DIR": dir, "LISTEN_ADDR": "127.0.0.1:0", "LIVESERVER_INSECURE_FAST_HASH": "1", "LIVEKIT_DEV_SERVER": "off"})
	defer stop()
	curlSession(t, base)
	// The container's health check asks the same /healthz.
	_, port, _ := strings.Cut(strings.TrimPrefix(base, "http://"), ":")
	check := func(addr string) error {
		return run(context.Background(), []string{"liveserver", "healthcheck"}, envOf(map[string]string{"LISTEN_ADDR": addr}),
			strings.NewReader(""), io.Discard, io.Discard)
	}
	if err := check(":" + port); err != nil {
		t.Errorf("healthcheck: %v", err)
	}
	if err := check(":1"); err == nil {
		t.Error("healthcheck passed with nothing listening")
	}
	for _, f := range []string{"liveserver.db", "auth_secret"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Errorf("data folder lacks %s: %v", f, err)
		}
	}
	if st, _ := os.Stat(filepath.Join(dir, "auth_secret")); st != nil && st.Mode().Perm() != 0o600 {
		t.Errorf("auth_secret mode = %v, want 0600", st.Mode().Perm())
	}
}

// The same on PostgreSQL, when the tests have one.
func TestServeOnPostgres(t *testing.T) {
	if os.Getenv(sqlstoretest.PostgresEnv) == "" {
		t.Skip(sqlstoretest.PostgresEnv + " is not set")
	}
	base, stop := startServe(t, map[string]string{"DATA_DIR": t.TempDir(), "LISTEN_ADDR": "127.0.0.1:0",
		"LIVESERVER_INSECURE_FAST_HASH": "1", "LIVEKIT_DEV_SERVER": "off", "DATABASE_URL": sqlstoretest.Schema(t)})
	defer stop()
	curlSession(t, base)
}

// session is one curl-like client with its own cookie jar.
type session struct {
	t    testing.TB
	base string
	c    *http.Client
}

func newSession(t testing.TB, base string) *session {
	jar, _ := cookiejar.New(nil)
	return &session{t: t, base: base, c: &http.Client{Jar: jar, Timeout: 10 * time.Second}}
}

// call sends a JSON body (or none), checks the status and returns the decoded JSON object.
func (s *session) call(method, path, body string, wantStatus int) map[string]any {
	s.t.Helper()
	req, _ := http.NewRequest(method, s.base+path, strings.NewReader(body))
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := s.c.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != wantStatus {
		s.t.Fatalf("%s %s = %d %s, want %d", method, path, resp.StatusCode, b, wantStatus)
	}
	var out map[string]any
	json.Unmarshal(b, &out)
	return out
}

// callList is call for an answer that is a JSON array of objects.
func (s *session) callList(method, path, body string, wantStatus int) []map[string]any {
	s.t.Helper()
	req, _ := http.NewRequest(method, s.base+path, strings.NewReader(body))
	resp, err := s.c.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != wantStatus {
		s.t.Fatalf("%s %s = %d %s, want %d", method, path, resp.StatusCode, b, wantStatus)
	}
	var out []map[string]any
	if err := json.Unmarshal(b, &out); err != nil {
		s.t.Fatalf("%s %s: %v in %s", method, path, err, b)
	}
	return out
}

func curlSession(t *testing.T, base string) {
	t.Helper()
	call := newSession(t, base).call
	call("GET", "/healthz", "", 200)
	call("GET", "/readyz", "", 200)
	call("POST", "/api/auth/register", `{"email":"teacher@school.ru","password":"correct horse","name":"Учитель"}`, 201)
	call("POST", "/api/auth/logout", "", 204)
	call("GET", "/api/auth/me", "", 401)
	me := call("POST", "/api/auth/login", `{"email":"teacher@school.ru","password":"correct horse"}`, 200)
	if me["role"] != "ADMIN" {
		t.Fatalf("first account = %v, want ADMIN", me)
	}
	room := call("POST", "/api/rooms", `{"name":"Лекция 1","pin":"246813"}`, 201)
	code, _ := room["code"].(string)
	found := call("GET", "/api/rooms/by-code/"+code, "", 200)
	if found["id"] != room["id"] || found["hasPin"] != true {
		t.Fatalf("by-code = %v, want room %v", found, room["id"])
	}
	call("POST", "/api/auth/logout", "", 204)
	call("GET", "/api/rooms", "", 401)
}

func TestUserCreateThenLogin(t *testing.T) {
	dir := t.TempDir()
	pw := filepath.Join(dir, "pw")
	os.WriteFile(pw, []byte("admin password\n"), 0o600)
	vars := map[string]string{"DATA_DIR": dir, "LISTEN_ADDR": "127.0.0.1:0", "LIVESERVER_INSECURE_FAST_HASH": "1", "LIVEKIT_DEV_SERVER": "off"}
	var out strings.Builder
	args := []string{"liveserver", "user", "create", "--email", "Root@School.ru", "--name", "Root", "--password-file", pw, "--admin"}
	if err := run(context.Background(), args, envOf(vars), nil, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(out.String(), "created admin root@school.ru") {
		t.Fatalf("output %q", out.String())
	}
	// The password may come from standard input too; a duplicate e-mail is a clear error.
	args = []string{"liveserver", "user", "create", "--email", "root@school.ru", "--name", "Again", "--password-file", "-"}
	err := run(context.Background(), args, envOf(vars), strings.NewReader("another password\n"), io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "already exists") {
		t.Fatalf("duplicate: err = %v", err)
	}
	args = []string{"liveserver", "user", "create", "--email", "host@school.ru", "--name", "Host", "--password-file", "-"}
	if err := run(context.Background(), args, envOf(vars), strings.NewReader("short"), io.Discard, io.Discard); err == nil || !strings.Contains(err.Error(), "at least 8") {
		t.Fatalf("short password: err = %v", err)
	}

	base, stop := startServe(t, vars)
	defer stop()
	resp, err := http.Post(base+"/api/auth/login", "application/json", strings.NewReader(`{"email":"root@school.ru","password":"admin password"}`))
	if err != nil {
		t.Fatal(err)
	}
	var u map[string]any
	json.NewDecoder(resp.Body).Decode(&u)
	resp.Body.Close()
	if resp.StatusCode != 200 || u["role"] != "ADMIN" {
		t.Fatalf("login = %d %v", resp.StatusCode, u)
	}
	// The CLI's admin made the instance non-empty: the first registration is a plain host.
	resp, err = http.Post(base+"/api/auth/register", "application/json", strings.NewReader(`{"email":"h@school.ru","password":"correct horse","name":"H"}`))
	if err != nil {
		t.Fatal(err)
	}
	json.NewDecoder(resp.Body).Decode(&u)
	resp.Body.Close()
	if u["role"] != "HOST" {
		t.Fatalf("registration after the CLI admin = %v, want HOST", u)
	}
}

func TestCommandErrors(t *testing.T) {
	dir := t.TempDir()
	notABinary := filepath.Join(dir, "livekit-1.13")
	if err := os.WriteFile(notABinary, []byte("not a program"), 0o644); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		args []string
		vars map[string]string
		want string
	}{
		{[]string{"liveserver"}, nil, "missing command"},
		{[]string{"liveserver", "fly"}, nil, `unknown command "fly"`},
		{[]string{"liveserver", "user", "delete"}, nil, "usage"},
		{[]string{"liveserver", "user", "create", "--email", "a@b.org"}, nil, "required"},
		{[]string{"liveserver", "serve"}, map[string]string{"DATA_DIR": dir, "LISTEN_ADDR": "nonsense", "LOG_LEVEL": "loud"}, "LISTEN_ADDR"},
		{[]string{"liveserver", "serve"}, map[string]string{"DATA_DIR": dir, "LOG_LEVEL": "loud"}, "LOG_LEVEL"},
		{[]string{"liveserver", "migrate"}, map[string]string{"DATA_DIR": dir, "DATABASE_URL": "mysql://x"}, "DATABASE_URL"},
		// A dev LiveKit that cannot start stops serve with the variable to fix, instead of a
		// server that never answers.
		{[]string{"liveserver", "serve"}, map[string]string{"DATA_DIR": dir, "LISTEN_ADDR": "127.0.0.1:0", "LIVEKIT_SERVER_BIN": notABinary}, "LIVEKIT_SERVER_BIN"},
		{[]string{"liveserver", "agent"}, map[string]string{"DATA_DIR": dir}, "STT_PROVIDER"},
		{[]string{"liveserver", "agent"}, map[string]string{"DATA_DIR": dir, "STT_PROVIDER": "openai", "STT_BASE_URL": "http://127.0.0.1:1/v1"}, "LIVEKIT_URL"},
		{[]string{"liveserver", "healthcheck", "--now"}, nil, "usage"},
	}
	for _, tc := range cases {
		err := run(context.Background(), tc.args, envOf(tc.vars), nil, io.Discard, io.Discard)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: err = %v, want it to mention %q", tc.args, err, tc.want)
		}
	}
	var out strings.Builder
	if err := run(context.Background(), []string{"liveserver", "help"}, envOf(nil), nil, &out, io.Discard); err != nil || !strings.Contains(out.String(), "serve") {
		t.Errorf("help: %v %q", err, out.String())
	}
	if err := run(context.Background(), []string{"liveserver", "migrate"}, envOf(map[string]string{"DATA_DIR": dir}), nil, io.Discard, io.Discard); err != nil {
		t.Errorf("migrate: %v", err)
	}
}

func decodeJSON(t *testing.T, r *http.Response, v any) {
	t.Helper()
	defer r.Body.Close()
	if err := json.NewDecoder(r.Body).Decode(v); err != nil {
		t.Fatal(err)
	}
}
