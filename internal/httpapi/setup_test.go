package httpapi_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/liveserver/liveserver/internal/sqlstore"
)

// setupToken is what `serve` prints in its setup link: this server's one-time token.
func (e *env) setupToken() string {
	e.t.Helper()
	tok, err := e.svc.OpenSetup(e.t.Context())
	if err != nil || tok == "" {
		e.t.Fatalf("no setup token: %q, %v", tok, err)
	}
	return tok
}

type instanceJSON struct {
	RegistrationOpen, NeedsSetup bool
}

func instanceOf(t *testing.T, c *client) instanceJSON {
	t.Helper()
	var info instanceJSON
	got := c.do("GET", "/api/instance", nil)
	want(t, got, http.StatusOK)
	got.json(t, &info)
	return info
}

// A server others can reach: registration is refused until the setup link made an admin, who
// is signed in by it; the admin opens registration in the admin panel, and /api/instance tells
// the web app each state.
func TestSetupOnReachableServer(t *testing.T) {
	e := newEnv(t, sqlstore.SQLite, map[string]string{"LISTEN_ADDR": ":3000"})
	anon := e.client()
	if info := instanceOf(t, anon); info.RegistrationOpen || !info.NeedsSetup {
		t.Fatalf("before setup: %+v", info)
	}
	want(t, anon.do("POST", "/api/auth/register", map[string]string{"email": "first@school.ru", "password": "correct horse", "name": "F"}),
		http.StatusForbidden, "registration_closed")
	tok := e.setupToken()
	body := func(token, email string) map[string]string {
		return map[string]string{"token": token, "email": email, "password": "correct horse", "name": "Админ"}
	}
	want(t, anon.do("POST", "/api/setup", body(strings.Repeat("x", 43), "root@school.ru")), http.StatusForbidden, "invalid_setup_token")
	want(t, anon.do("POST", "/api/setup", body("short", "root@school.ru")), http.StatusForbidden, "invalid_setup_token")
	want(t, anon.do("POST", "/api/setup", map[string]any{"token": tok, "email": "root@school.ru", "extra": 1}), http.StatusBadRequest)

	admin := e.client()
	r := admin.do("POST", "/api/setup", body(tok, "root@school.ru"))
	want(t, r, http.StatusCreated)
	var u user
	r.json(t, &u)
	if u.Role != "ADMIN" {
		t.Fatalf("setup made %+v", u)
	}
	want(t, admin.do("GET", "/api/auth/me", nil), http.StatusOK) // signed in by it
	want(t, anon.do("POST", "/api/setup", body(tok, "again@school.ru")), http.StatusConflict, "already_set_up")
	if strings.Contains(e.logs.String(), tok) {
		t.Fatal("the setup token is in the server log")
	}

	if info := instanceOf(t, anon); info.RegistrationOpen || info.NeedsSetup {
		t.Fatalf("after setup: %+v", info)
	}
	want(t, anon.do("POST", "/api/auth/register", map[string]string{"email": "host@school.ru", "password": "correct horse", "name": "H"}),
		http.StatusForbidden, "registration_closed")
	var st struct{ RegistrationOpen, RegistrationClosedByConfig bool }
	admin.do("GET", "/api/admin/settings", nil).json(t, &st)
	if st.RegistrationOpen || st.RegistrationClosedByConfig {
		t.Fatalf("settings = %+v", st)
	}
	want(t, admin.do("PATCH", "/api/admin/settings", map[string]any{"registrationOpen": "yes"}), http.StatusBadRequest)
	r = admin.do("PATCH", "/api/admin/settings", map[string]any{"registrationOpen": true})
	want(t, r, http.StatusOK)
	r.json(t, &st)
	if !st.RegistrationOpen || !instanceOf(t, anon).RegistrationOpen {
		t.Fatalf("opened: %+v", st)
	}
	host := e.client()
	if u := host.register("host@school.ru", "H"); u.Role != "HOST" {
		t.Fatalf("registered %+v", u)
	}

	// The admin makes an account with an initial password; it signs in with it.
	r = admin.do("POST", "/api/admin/users", map[string]string{"email": "made@school.ru", "name": "Made", "password": "initial password"})
	want(t, r, http.StatusCreated)
	want(t, admin.do("POST", "/api/admin/users", map[string]string{"email": "made@school.ru", "name": "Made", "password": "initial password"}),
		http.StatusConflict, "email_taken")
	want(t, admin.do("POST", "/api/admin/users", map[string]string{"email": "x@school.ru", "name": "X", "password": "short"}),
		http.StatusBadRequest, "invalid")
	want(t, admin.do("POST", "/api/admin/users", map[string]string{"email": "y@school.ru", "name": "Y", "password": "initial password", "role": "ROOT"}),
		http.StatusBadRequest, "invalid")
	want(t, e.client().do("POST", "/api/auth/login", map[string]string{"email": "made@school.ru", "password": "initial password"}), http.StatusOK)
}

// On loopback (the developer's machine) nothing changed: no setup, the first registrant is the
// admin; REGISTRATION=closed shows as closed, and the admin panel cannot open it.
func TestRegistrationOnLoopback(t *testing.T) {
	e := newEnv(t, sqlstore.SQLite, nil)
	if info := instanceOf(t, e.client()); !info.RegistrationOpen || info.NeedsSetup {
		t.Fatalf("loopback: %+v", info)
	}
	if tok, err := e.svc.OpenSetup(t.Context()); err != nil || tok != "" {
		t.Fatalf("loopback setup token %q, %v", tok, err)
	}
	want(t, e.client().do("POST", "/api/setup", map[string]string{"token": strings.Repeat("A", 43), "email": "a@b.org", "password": "correct horse", "name": "A"}),
		http.StatusForbidden, "invalid_setup_token")
	admin := e.client()
	if u := admin.register("admin@school.ru", "A"); u.Role != "ADMIN" {
		t.Fatalf("first registrant %+v", u)
	}

	c := newEnv(t, sqlstore.SQLite, map[string]string{"REGISTRATION": "closed"})
	if info := instanceOf(t, c.client()); info.RegistrationOpen {
		t.Fatalf("REGISTRATION=closed: %+v", info)
	}
}

// Every route of this issue, for every kind of caller.
func TestSetupAuthorizationMatrix(t *testing.T) {
	e := newEnv(t, sqlstore.SQLite, nil)
	admin := e.client()
	admin.register("admin@school.ru", "Admin")
	host := e.client()
	host.register("host@school.ru", "Host")
	guest := e.client()
	callers := []struct {
		name string
		c    *client
	}{{"anonymous", e.client()}, {"guest", guest}, {"host", host}, {"admin", admin}}
	n := 0
	routes := []struct {
		method, path string
		body         func() any
		want         []int // in the order of callers
	}{
		{"GET", "/api/instance", nil, []int{200, 200, 200, 200}},
		// No caller has a token: the admin exists (a loopback server needs no setup anyway).
		{"POST", "/api/setup", func() any {
			return map[string]string{"token": strings.Repeat("A", 43), "email": "s@school.ru", "password": "correct horse", "name": "S"}
		}, []int{403, 403, 403, 403}},
		{"GET", "/api/admin/settings", nil, []int{401, 401, 403, 200}},
		{"PATCH", "/api/admin/settings", func() any { return map[string]any{"registrationOpen": true} }, []int{401, 401, 403, 200}},
		{"POST", "/api/admin/users", func() any {
			n++
			return map[string]string{"email": "u" + strings.Repeat("x", n) + "@school.ru", "name": "U", "password": "initial password"}
		}, []int{401, 401, 403, 201}},
	}
	for _, rt := range routes {
		for i, caller := range callers {
			t.Run(caller.name+" "+rt.method+" "+rt.path, func(t *testing.T) {
				var body any
				if rt.body != nil {
					body = rt.body()
				}
				got := caller.c.do(rt.method, rt.path, body)
				want(t, got, rt.want[i])
				if got.status >= 400 && !strings.Contains(string(got.body), `"code"`) {
					t.Fatalf("error without the JSON shape: %s", got.body)
				}
			})
		}
	}
}
