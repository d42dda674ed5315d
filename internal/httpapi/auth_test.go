package httpapi_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/liveserver/liveserver/internal/sqlstore"
	"github.com/liveserver/liveserver/internal/sqlstore/sqlstoretest"
)

func TestAuthFlow(t *testing.T) {
	sqlstoretest.Each(t, func(t *testing.T, d sqlstore.Dialect) {
		e := newEnv(t, d, nil)
		c := e.client()

		r := c.do("POST", "/api/auth/register", map[string]string{"email": "Anna@School.ru", "password": "correct horse", "name": " Анна "})
		want(t, r, http.StatusCreated)
		var u user
		r.json(t, &u)
		if u.Email != "anna@school.ru" || u.Name != "Анна" || u.Role != "ADMIN" || u.ID == "" {
			t.Fatalf("registered user = %+v; want lower-cased e-mail, trimmed name, ADMIN as the first user", u)
		}
		cookie := r.header.Get("Set-Cookie")
		for _, attr := range []string{"ls_session=", "HttpOnly", "SameSite=Lax", "Path=/", "Expires="} {
			if !strings.Contains(cookie, attr) {
				t.Errorf("session cookie %q lacks %s", cookie, attr)
			}
		}

		var me user
		r = c.do("GET", "/api/auth/me", nil)
		want(t, r, http.StatusOK)
		r.json(t, &me)
		if me != u {
			t.Fatalf("me = %+v, want %+v", me, u)
		}

		// A second account is a plain host.
		if second := e.client().register("boris@school.ru", "Борис"); second.Role != "HOST" {
			t.Fatalf("second user role = %s, want HOST", second.Role)
		}

		want(t, c.do("POST", "/api/auth/logout", nil), http.StatusNoContent)
		want(t, c.do("GET", "/api/auth/me", nil), http.StatusUnauthorized, "unauthorized")
		// Logging out twice is harmless.
		want(t, c.do("POST", "/api/auth/logout", nil), http.StatusNoContent)

		want(t, c.do("POST", "/api/auth/login", map[string]string{"email": "anna@school.ru", "password": "wrong horse"}), http.StatusUnauthorized, "invalid_credentials")
		want(t, c.do("POST", "/api/auth/login", map[string]string{"email": "nobody@school.ru", "password": "correct horse"}), http.StatusUnauthorized, "invalid_credentials")
		r = c.do("POST", "/api/auth/login", map[string]string{"email": "ANNA@school.ru", "password": "correct horse"})
		want(t, r, http.StatusOK)
		first := r.header.Get("Set-Cookie")
		want(t, c.do("GET", "/api/auth/me", nil), http.StatusOK)

		// Each login is a new token; the previous session of the same browser ends.
		r = c.do("POST", "/api/auth/login", map[string]string{"email": "anna@school.ru", "password": "correct horse"})
		want(t, r, http.StatusOK)
		if r.header.Get("Set-Cookie") == first {
			t.Fatal("login reused the session token")
		}
		old := e.client()
		old.http.Jar.SetCookies(mustURL(e.srv.URL), []*http.Cookie{parseCookie(t, first)})
		want(t, old.do("GET", "/api/auth/me", nil), http.StatusUnauthorized)
	})
}

func TestDisabledUserLosesSession(t *testing.T) {
	e := newEnv(t, sqlstore.SQLite, nil)
	c := e.client()
	u := c.register("anna@school.ru", "Anna")
	stored, err := e.db.UserByID(context.Background(), u.ID)
	if err != nil {
		t.Fatal(err)
	}
	stored.Disabled = true
	if err := e.db.UpdateUser(context.Background(), stored); err != nil {
		t.Fatal(err)
	}
	want(t, c.do("GET", "/api/auth/me", nil), http.StatusUnauthorized)
	want(t, c.do("POST", "/api/auth/login", map[string]string{"email": "anna@school.ru", "password": "correct horse"}), http.StatusForbidden, "account_disabled")
}

func TestRegistrationClosed(t *testing.T) {
	e := newEnv(t, sqlstore.SQLite, map[string]string{"REGISTRATION": "closed"})
	want(t, e.client().do("POST", "/api/auth/register", map[string]string{"email": "a@b.org", "password": "correct horse", "name": "A"}),
		http.StatusForbidden, "registration_closed")
}

func TestRegisterBadInput(t *testing.T) {
	e := newEnv(t, sqlstore.SQLite, nil)
	e.client().register("taken@school.ru", "Taken")
	long := strings.Repeat("я", 101)
	cases := []struct {
		name   string
		body   any
		header []string
		status int
		code   string
	}{
		{"malformed JSON", `{"email": "a@b.org",`, nil, 400, "invalid"},
		{"not an object", `["a"]`, nil, 400, "invalid"},
		{"empty body", ``, nil, 400, "invalid"},
		{"trailing data", `{"email":"a@b.org","password":"correct horse","name":"A"} {}`, nil, 400, "invalid"},
		{"wrong type", `{"email": 5, "password": "correct horse", "name": "A"}`, nil, 400, "invalid"},
		{"unknown field", map[string]any{"email": "a@b.org", "password": "correct horse", "name": "A", "role": "ADMIN"}, nil, 400, "invalid"},
		{"not JSON content type", `email=a@b.org`, []string{"Content-Type", "application/x-www-form-urlencoded"}, 415, "unsupported"},
		{"body too large", `{"name": "` + strings.Repeat("x", 70<<10) + `"}`, nil, 413, "too_large"},
		{"missing e-mail", map[string]any{"password": "correct horse", "name": "A"}, nil, 400, "invalid"},
		{"bad e-mail", map[string]any{"email": "not-an-address", "password": "correct horse", "name": "A"}, nil, 400, "invalid"},
		{"e-mail with display name", map[string]any{"email": "A <a@b.org>", "password": "correct horse", "name": "A"}, nil, 400, "invalid"},
		{"e-mail too long", map[string]any{"email": strings.Repeat("a", 250) + "@b.org", "password": "correct horse", "name": "A"}, nil, 400, "invalid"},
		{"missing password", map[string]any{"email": "a@b.org", "name": "A"}, nil, 400, "invalid"},
		{"short password", map[string]any{"email": "a@b.org", "password": "short", "name": "A"}, nil, 400, "invalid"},
		{"long password", map[string]any{"email": "a@b.org", "password": strings.Repeat("p", 257), "name": "A"}, nil, 400, "invalid"},
		{"missing name", map[string]any{"email": "a@b.org", "password": "correct horse"}, nil, 400, "invalid"},
		{"blank name", map[string]any{"email": "a@b.org", "password": "correct horse", "name": "   "}, nil, 400, "invalid"},
		{"long name", map[string]any{"email": "a@b.org", "password": "correct horse", "name": long}, nil, 400, "invalid"},
		{"control character in name", map[string]any{"email": "a@b.org", "password": "correct horse", "name": "A\x00B"}, nil, 400, "invalid"},
		{"bidi override in name", map[string]any{"email": "a@b.org", "password": "correct horse", "name": "A\u202eB"}, nil, 400, "invalid"},
		{"e-mail taken", map[string]any{"email": "TAKEN@school.ru", "password": "correct horse", "name": "A"}, nil, 409, "email_taken"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := e.client().do("POST", "/api/auth/register", tc.body, tc.header...)
			want(t, r, tc.status, tc.code)
			if r.header.Get("Set-Cookie") != "" {
				t.Fatal("a refused registration set a cookie")
			}
		})
	}
}

func TestLoginBadInput(t *testing.T) {
	e := newEnv(t, sqlstore.SQLite, nil)
	for _, tc := range []struct {
		name string
		body any
		code string
	}{
		{"malformed", `{"email":`, "invalid"},
		{"missing password", map[string]any{"email": "a@b.org"}, "invalid"},
		{"bad e-mail", map[string]any{"email": "nope", "password": "x"}, "invalid"},
		{"number password", `{"email":"a@b.org","password":12345678}`, "invalid"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			want(t, e.client().do("POST", "/api/auth/login", tc.body), http.StatusBadRequest, tc.code)
		})
	}
}

func TestLoginRateLimits(t *testing.T) {
	e := newEnv(t, sqlstore.SQLite, nil)
	e.client().register("anna@school.ru", "Anna")
	c := e.client()
	// Per account: ten tries in five minutes, then 429 with Retry-After, even with the right
	// password, so a guesser cannot tell when it hit.
	for i := range 10 {
		want(t, c.do("POST", "/api/auth/login", map[string]string{"email": "anna@school.ru", "password": "wrong horse"}), http.StatusUnauthorized)
		_ = i
	}
	r := c.do("POST", "/api/auth/login", map[string]string{"email": "anna@school.ru", "password": "correct horse"})
	want(t, r, http.StatusTooManyRequests, "rate_limited")
	if ra := r.header.Get("Retry-After"); ra == "" || ra == "0" {
		t.Fatalf("Retry-After = %q", ra)
	}
	// Per address: twenty tries, whatever the account.
	for i := range 9 {
		want(t, c.do("POST", "/api/auth/login", map[string]string{"email": "other" + string(rune('a'+i)) + "@school.ru", "password": "x"}), http.StatusUnauthorized)
	}
	want(t, c.do("POST", "/api/auth/login", map[string]string{"email": "last@school.ru", "password": "x"}), http.StatusTooManyRequests, "rate_limited")
}

func TestLimitedRegistrationPerIP(t *testing.T) {
	e := newEnv(t, sqlstore.SQLite, nil)
	for i := range 10 {
		e.client().register("user"+string(rune('a'+i))+"@school.ru", "U")
	}
	want(t, e.client().do("POST", "/api/auth/register", map[string]string{"email": "z@school.ru", "password": "correct horse", "name": "Z"}),
		http.StatusTooManyRequests, "rate_limited")
}

// Wrong guesses from elsewhere never lock a teacher out of the browser they signed in with
// before, and right passwords do not count against the account.
func TestKnownBrowserIsNotLockedOut(t *testing.T) {
	e := newEnv(t, sqlstore.SQLite, map[string]string{"TRUSTED_PROXIES": "127.0.0.1"})
	teacher := e.client()
	teacher.register("anna@school.ru", "Anna")
	const home, attacker = "198.51.100.2", "203.0.113.7"
	login := func(c *client, ip, password string) response {
		return c.do("POST", "/api/auth/login", map[string]string{"email": "Anna@School.ru", "password": password}, "X-Forwarded-For", ip)
	}
	for range 12 {
		want(t, login(teacher, home, "correct horse"), http.StatusOK)
	}
	a := e.client()
	for range 10 {
		want(t, login(a, attacker, "wrong horse"), http.StatusUnauthorized)
	}
	want(t, login(a, attacker, "correct horse"), http.StatusTooManyRequests, "rate_limited")
	// A browser that never signed in to the account shares the strangers' budget.
	want(t, login(e.client(), home, "correct horse"), http.StatusTooManyRequests, "rate_limited")
	// The teacher's own browser still gets in.
	want(t, login(teacher, home, "correct horse"), http.StatusOK)
	// A browser known for another account is a stranger to this one.
	carl := e.client()
	carl.register("carl@school.ru", "Carl")
	want(t, login(carl, home, "correct horse"), http.StatusTooManyRequests, "rate_limited")
}
