package httpapi_test

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/liveserver/liveserver/internal/config"
	"github.com/liveserver/liveserver/internal/httpapi"
	"github.com/liveserver/liveserver/internal/instance"
	"github.com/liveserver/liveserver/internal/memory"
	"github.com/liveserver/liveserver/internal/sqlstore"
)

func TestCrossSiteRequestsRefused(t *testing.T) {
	e := newEnv(t, sqlstore.SQLite, nil)
	host := e.client()
	host.register("anna@school.ru", "Anna")
	// A browser on another site posting with the victim's cookie.
	r := host.do("POST", "/api/rooms", map[string]any{"name": "Evil"}, "Sec-Fetch-Site", "cross-site", "Origin", "https://evil.example")
	want(t, r, http.StatusForbidden, "forbidden")
	r = host.do("POST", "/api/auth/logout", nil, "Origin", "https://evil.example")
	want(t, r, http.StatusForbidden)
	// Same origin passes, and so do reads from anywhere.
	want(t, host.do("POST", "/api/rooms", map[string]any{"name": "Fine"}, "Sec-Fetch-Site", "same-origin"), http.StatusCreated)
	want(t, host.do("GET", "/api/rooms", nil, "Sec-Fetch-Site", "cross-site"), http.StatusOK)
}

func TestSecurityHeadersAndRequestID(t *testing.T) {
	e := newEnv(t, sqlstore.SQLite, nil)
	c := e.client()
	for _, path := range []string{"/api/auth/me", "/", "/healthz"} {
		r := c.do("GET", path, nil)
		for _, h := range []string{"X-Content-Type-Options", "X-Frame-Options", "Referrer-Policy", "Content-Security-Policy"} {
			if r.header.Get(h) == "" {
				t.Errorf("%s: no %s header", path, h)
			}
		}
		if r.header.Get("Strict-Transport-Security") != "" {
			t.Errorf("%s: HSTS without TLS", path)
		}
		if len(r.header.Get("X-Request-ID")) != 16 {
			t.Errorf("%s: request id %q", path, r.header.Get("X-Request-ID"))
		}
	}
	if got := c.do("GET", "/healthz", nil, "X-Request-ID", "proxy-id-1").header.Get("X-Request-ID"); got != "proxy-id-1" {
		t.Errorf("a proxy's request id was not kept: %q", got)
	}
	if got := c.do("GET", "/healthz", nil, "X-Request-ID", "bad id {with} spaces").header.Get("X-Request-ID"); got == "bad id {with} spaces" {
		t.Error("an unsafe request id was echoed")
	}
}

func TestSecureCookiesWithDomain(t *testing.T) {
	e := newEnv(t, sqlstore.SQLite, map[string]string{"DOMAIN": "live.example.com", "AUTH_SECRET": strings.Repeat("s", 32)})
	// A public domain is reachable: the first account comes from the setup link.
	r := e.client().do("POST", "/api/setup", map[string]string{"token": e.setupToken(), "email": "a@b.org", "password": "correct horse", "name": "A"})
	want(t, r, http.StatusCreated)
	if c := r.header.Get("Set-Cookie"); !strings.HasPrefix(c, "__Host-ls_session=") || !strings.Contains(c, "Secure") {
		t.Fatalf("cookie behind a domain = %q; want __Host- prefix and Secure", c)
	}
	if r.header.Get("Strict-Transport-Security") == "" {
		t.Fatal("no HSTS behind a domain")
	}
}

func TestUnknownRoutes(t *testing.T) {
	e := newEnv(t, sqlstore.SQLite, nil)
	c := e.client()
	want(t, c.do("GET", "/api/nope", nil), http.StatusNotFound, "not_found")
	r := c.do("PUT", "/api/rooms", map[string]any{})
	want(t, r, http.StatusMethodNotAllowed, "method_not_allowed")
	if r.header.Get("Allow") != "GET, POST" {
		t.Fatalf("Allow = %q", r.header.Get("Allow"))
	}
	// Outside /api the web app answers (here: its "not built" page), never with JSON.
	r = c.do("GET", "/room/abc-defg-hjk", nil)
	want(t, r, http.StatusOK)
	if !strings.Contains(string(r.body), "<html") {
		t.Fatalf("web fallback = %s", r.body)
	}
	want(t, c.do("POST", "/room/abc", "x"), http.StatusMethodNotAllowed)
}

func TestHealth(t *testing.T) {
	e := newEnv(t, sqlstore.SQLite, nil)
	c := e.client()
	want(t, c.do("GET", "/healthz", nil), http.StatusOK)
	r := c.do("GET", "/readyz", nil)
	want(t, r, http.StatusOK)
	var ready struct {
		Status string
		Checks map[string]string
	}
	r.json(t, &ready)
	if ready.Status != "ok" || ready.Checks["database"] != "ok" {
		t.Fatalf("readyz = %s", r.body)
	}
	e.db.Close()
	// The answer is cached for a second, so the outage shows within about that.
	deadline := time.Now().Add(5 * time.Second)
	for r = c.do("GET", "/readyz", nil); r.status == http.StatusOK && time.Now().Before(deadline); r = c.do("GET", "/readyz", nil) {
		time.Sleep(100 * time.Millisecond)
	}
	want(t, r, http.StatusServiceUnavailable)
	r.json(t, &ready)
	if ready.Checks["database"] != "down" {
		t.Fatalf("readyz with the database closed = %s", r.body)
	}
	want(t, c.do("GET", "/healthz", nil), http.StatusOK)
}

func TestDevAccessKey(t *testing.T) {
	e := newEnv(t, sqlstore.SQLite, map[string]string{"DEV_ACCESS_KEY": "let-me-in"})
	c := e.client()
	want(t, c.do("GET", "/api/auth/me", nil), http.StatusUnauthorized, "dev_access_required")
	page := c.do("GET", "/join/abc", nil)
	want(t, page, http.StatusUnauthorized)
	if !strings.Contains(string(page.body), `<form method="post" action="/dev-access">`) {
		t.Fatalf("no key form: %s", page.body)
	}
	want(t, c.do("GET", "/healthz", nil), http.StatusOK)
	want(t, c.do("GET", "/readyz", nil), http.StatusOK)

	form := func(key string) response {
		return c.do("POST", "/dev-access", url.Values{"key": {key}, "next": {"//evil.example"}}.Encode(),
			"Content-Type", "application/x-www-form-urlencoded")
	}
	want(t, form("wrong"), http.StatusUnauthorized)
	want(t, c.do("GET", "/api/auth/me", nil), http.StatusUnauthorized, "dev_access_required")
	r := form("let-me-in")
	want(t, r, http.StatusSeeOther)
	if loc := r.header.Get("Location"); loc != "/" {
		t.Fatalf("redirect to %q; an open redirect?", loc)
	}
	if strings.Contains(r.header.Get("Set-Cookie"), "let-me-in") {
		t.Fatal("the cookie carries the key itself")
	}
	// Now the instance answers as usual.
	want(t, c.do("GET", "/api/auth/me", nil), http.StatusUnauthorized, "unauthorized")
	// Scripts may send the key in a header.
	want(t, e.client().do("GET", "/api/auth/me", nil, "X-Dev-Access-Key", "let-me-in"), http.StatusUnauthorized, "unauthorized")
	want(t, e.client().do("GET", "/api/auth/me", nil, "X-Dev-Access-Key", "nope"), http.StatusUnauthorized, "dev_access_required")

	// Guessing the key is rate-limited per address.
	g := e.client()
	for range 12 {
		g.do("POST", "/dev-access", "key=guess", "Content-Type", "application/x-www-form-urlencoded")
	}
	want(t, g.do("POST", "/dev-access", "key=let-me-in", "Content-Type", "application/x-www-form-urlencoded"), http.StatusTooManyRequests)
}

func TestAllowedIPs(t *testing.T) {
	// The test client connects from 127.0.0.1, which is always let in; a trusted proxy in front
	// tells the real address.
	e := newEnv(t, sqlstore.SQLite, map[string]string{"ALLOWED_IPS": "10.1.0.0/16", "TRUSTED_PROXIES": "127.0.0.1"})
	c := e.client()
	want(t, c.do("GET", "/api/auth/me", nil), http.StatusUnauthorized, "unauthorized")
	want(t, c.do("GET", "/api/auth/me", nil, "X-Forwarded-For", "10.1.2.3"), http.StatusUnauthorized, "unauthorized")
	want(t, c.do("GET", "/api/auth/me", nil, "X-Forwarded-For", "192.0.2.7"), http.StatusForbidden, "forbidden")
	// A client cannot forge its way in by prepending an allowed address: the proxy appends the
	// real one, and it is read from the right.
	want(t, c.do("GET", "/api/auth/me", nil, "X-Forwarded-For", "10.1.2.3, 192.0.2.7"), http.StatusForbidden)
	// With DOMAIN set, the dev protection is off.
	p := newEnv(t, sqlstore.SQLite, map[string]string{"ALLOWED_IPS": "10.1.0.0/16", "TRUSTED_PROXIES": "127.0.0.1",
		"DOMAIN": "live.example.com", "AUTH_SECRET": strings.Repeat("s", 32)})
	want(t, p.client().do("GET", "/api/auth/me", nil, "X-Forwarded-For", "192.0.2.7"), http.StatusUnauthorized, "unauthorized")
}

func TestUnknownRoomSubresources(t *testing.T) {
	e := newEnv(t, sqlstore.SQLite, nil)
	c := e.client()
	id := "00000000-0000-4000-8000-000000000000"
	want(t, c.do("GET", "/api/rooms/"+id+"/nope", nil), http.StatusNotFound, "not_found")
	r := c.do("GET", "/api/rooms/"+id+"/start", nil)
	want(t, r, http.StatusMethodNotAllowed)
	if r.header.Get("Allow") != "POST" {
		t.Fatalf("Allow = %q", r.header.Get("Allow"))
	}
	r = c.do("DELETE", "/api/rooms/"+id+"/lobby", nil)
	want(t, r, http.StatusMethodNotAllowed)
	if r.header.Get("Allow") != "GET, POST" {
		t.Fatalf("Allow = %q, want GET, POST", r.header.Get("Allow"))
	}
}

// The X-Dev-Access-Key header is limited as the form is: after ten wrong keys from an address,
// even the right one waits; the right key does not use up the budget of a script that sends it
// on every request.
func TestDevAccessHeaderIsRateLimited(t *testing.T) {
	e := newEnv(t, sqlstore.SQLite, map[string]string{"DEV_ACCESS_KEY": "let-me-in"})
	script := e.client()
	for range 15 {
		want(t, script.do("GET", "/api/auth/me", nil, "X-Dev-Access-Key", "let-me-in"), http.StatusUnauthorized, "unauthorized")
	}
	guesser := e.client()
	for range 10 {
		want(t, guesser.do("GET", "/api/auth/me", nil, "X-Dev-Access-Key", "guess"), http.StatusUnauthorized, "dev_access_required")
	}
	r := guesser.do("GET", "/api/auth/me", nil, "X-Dev-Access-Key", "let-me-in")
	want(t, r, http.StatusTooManyRequests, "rate_limited")
	if r.header.Get("Retry-After") == "" {
		t.Fatal("no Retry-After")
	}
}

// A flood of readiness probes costs the dependencies one round of checks, not one per probe.
func TestReadyzFloodAsksOnce(t *testing.T) {
	var pings atomic.Int32
	slow := func(context.Context) error { pings.Add(1); time.Sleep(200 * time.Millisecond); return nil }
	cfg, _ := config.Load(func(k string) string { return map[string]string{"DATA_DIR": t.TempDir()}[k] })
	srv := httptest.NewServer(httpapi.New(httpapi.Deps{Log: slog.New(slog.DiscardHandler), Limiter: memory.NewLimiter(time.Now),
		Checks: []httpapi.Check{{Name: "slow", Ping: slow}}}, instance.HTTPOptions(cfg, nil, instance.Options{})))
	t.Cleanup(srv.Close)
	var wg sync.WaitGroup
	for range 100 {
		wg.Go(func() {
			res, err := http.Get(srv.URL + "/readyz")
			if err != nil {
				t.Error(err)
				return
			}
			res.Body.Close()
			if res.StatusCode != http.StatusOK {
				t.Errorf("readyz = %d", res.StatusCode)
			}
		})
	}
	wg.Wait()
	if n := pings.Load(); n != 1 {
		t.Fatalf("100 probes at once asked the dependency %d times, want 1", n)
	}
	time.Sleep(1100 * time.Millisecond)
	res, err := http.Get(srv.URL + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if n := pings.Load(); n != 2 {
		t.Fatalf("a probe after a second asked %d times in all, want 2 (a fresh round)", n)
	}
}
