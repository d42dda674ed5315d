package classroom_test

import (
	"context"
	"encoding/base64"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/liveserver/liveserver/internal/classroom"
	"github.com/liveserver/liveserver/internal/domain"
	"github.com/liveserver/liveserver/internal/memory"
	"github.com/liveserver/liveserver/internal/sqlstore"
	"github.com/liveserver/liveserver/internal/sqlstore/sqlstoretest"
)

// setupWorld is a reachable server (or a loopback one) with a clock the test moves.
type setupWorld struct {
	t   *testing.T
	db  *sqlstore.DB
	svc *classroom.Service
	now time.Time
}

func newSetupWorld(t *testing.T, d sqlstore.Dialect, o classroom.Options) *setupWorld {
	t.Helper()
	w := &setupWorld{t: t, db: sqlstoretest.Open(t, d), now: time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC)}
	o.Hash, o.Now = classroom.FastHashParams, func() time.Time { return w.now }
	svc, err := classroom.New(classroom.Deps{Store: w.db, Limiter: memory.NewLimiter(func() time.Time { return w.now }), Log: slog.New(slog.DiscardHandler)}, o)
	if err != nil {
		t.Fatal(err)
	}
	w.svc = svc
	return w
}

func (w *setupWorld) open() string {
	w.t.Helper()
	tok, err := w.svc.OpenSetup(w.t.Context())
	if err != nil {
		w.t.Fatal(err)
	}
	return tok
}

func (w *setupWorld) setup(ip, token, email string) (*classroom.SignedIn, error) {
	return w.svc.Setup(w.t.Context(), domain.Actor{IP: ip}, classroom.SetupInput{Token: token, Email: email, Password: "correct horse", Name: "Админ"})
}

func (w *setupWorld) register(ip, email string) (*classroom.SignedIn, error) {
	return w.svc.Register(w.t.Context(), domain.Actor{IP: ip}, classroom.RegisterInput{Email: email, Password: "correct horse", Name: "N"})
}

func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	if got := domain.ErrorCode(err); got != code {
		t.Fatalf("error %v (code %q), want code %q", err, got, code)
	}
}

// On a reachable server: registration waits for an admin; the setup token makes exactly one,
// once; a wrong, malformed or used token is refused; the token runs out when its server stops
// renewing it.
func TestSetupToken(t *testing.T) {
	sqlstoretest.Each(t, func(t *testing.T, d sqlstore.Dialect) {
		w := newSetupWorld(t, d, classroom.Options{Reachable: true})
		ctx := t.Context()
		_, err := w.register("10.0.0.1", "early@school.ru")
		wantCode(t, err, domain.ERegistration)
		if st, _ := w.svc.Registration(ctx); st.Open || !st.NeedsSetup {
			t.Fatalf("registration before setup = %+v", st)
		}

		tok := w.open()
		if len(tok) != 43 {
			t.Fatalf("token %q: want 43 characters (256 bits)", tok)
		}
		other := w.open() // a second server (replica) has its own
		if tok == other {
			t.Fatal("two servers got the same token")
		}
		wrong := strings.Repeat("A", 43)
		_, err = w.setup("10.0.0.2", wrong, "root@school.ru")
		wantCode(t, err, domain.ESetupToken)
		for _, bad := range []string{"", tok[:42], tok + "A", tok[:42] + "!", " " + tok[1:]} {
			_, err = w.setup("10.0.0.2", bad, "root@school.ru")
			wantCode(t, err, domain.ESetupToken)
		}
		// Bad input does not use the token up.
		_, err = w.svc.Setup(ctx, domain.Actor{IP: "10.0.0.3"}, classroom.SetupInput{Token: tok, Email: "root@school.ru", Password: "short", Name: "A"})
		wantCode(t, err, domain.EInvalid)

		in, err := w.setup("10.0.0.3", tok, "Root@School.ru")
		if err != nil {
			t.Fatal(err)
		}
		if in.User.Role != domain.RoleAdmin || in.User.Email != "root@school.ru" || in.Token == "" {
			t.Fatalf("setup made %+v", in.User)
		}
		if u, err := w.svc.Authenticate(ctx, in.Token); err != nil || u.ID != in.User.ID {
			t.Fatalf("the setup's session: %v, %v", u, err)
		}
		// Single use, and the other server's token went with it.
		_, err = w.setup("10.0.0.3", tok, "second@school.ru")
		wantCode(t, err, domain.ESetupDone)
		if n, _ := w.db.CountAdmins(ctx); n != 1 {
			t.Fatalf("%d admins", n)
		}
		if needed, err := w.svc.RenewSetup(ctx, other); err != nil || needed {
			t.Fatalf("renew after setup = %v, %v; want not needed", needed, err)
		}
		if tok := w.open(); tok != "" {
			t.Fatal("a server with an admin printed a setup link")
		}
		// The admin has not opened registration: it stays closed on a reachable server.
		_, err = w.register("10.0.0.1", "host@school.ru")
		wantCode(t, err, domain.ERegistration)
		admin := domain.Actor{User: in.User}
		if _, err := w.svc.SetRegistration(ctx, domain.Actor{}, true); domain.ErrorCode(err) != domain.EUnauthorized {
			t.Fatalf("anonymous opened registration: %v", err)
		}
		if st, err := w.svc.SetRegistration(ctx, admin, true); err != nil || !st.Open {
			t.Fatalf("open registration = %+v, %v", st, err)
		}
		u, err := w.register("10.0.0.1", "host@school.ru")
		if err != nil || u.User.Role != domain.RoleHost {
			t.Fatalf("registration once open = %v, %v", u, err)
		}
		if st, err := w.svc.SetRegistration(ctx, admin, false); err != nil || st.Open {
			t.Fatalf("close registration = %+v, %v", st, err)
		}
		_, err = w.register("10.0.0.1", "late@school.ru")
		wantCode(t, err, domain.ERegistration)
		// With registration closed the admin still makes accounts.
		made, err := w.svc.AdminCreateUser(ctx, admin, classroom.NewUserInput{Email: "made@school.ru", Name: "M", Password: "initial password"})
		if err != nil || made.Role != domain.RoleHost {
			t.Fatalf("admin-made account = %v, %v", made, err)
		}
		if _, err := w.svc.AdminCreateUser(ctx, domain.Actor{User: u.User}, classroom.NewUserInput{Email: "x@school.ru", Name: "X", Password: "initial password"}); domain.ErrorCode(err) != domain.EForbidden {
			t.Fatalf("a host made an account: %v", err)
		}
	})
}

// A token lives while its server renews it; once the server stops (killed: no renewal, or
// gracefully: forgotten) it no longer works.
func TestSetupTokenEndsWithItsServer(t *testing.T) {
	w := newSetupWorld(t, sqlstore.SQLite, classroom.Options{Reachable: true})
	ctx := t.Context()
	tok := w.open()
	for range 10 { // renewed every minute, it outlives its TTL
		w.now = w.now.Add(classroom.SetupRenewEvery)
		if needed, err := w.svc.RenewSetup(ctx, tok); err != nil || !needed {
			t.Fatalf("renew: %v, %v", needed, err)
		}
	}
	w.now = w.now.Add(classroom.SetupTokenTTL + time.Second) // its server died
	_, err := w.setup("10.0.0.1", tok, "root@school.ru")
	wantCode(t, err, domain.ESetupToken)

	restarted := w.open()
	if err := w.svc.CloseSetup(ctx, restarted); err != nil { // a graceful stop
		t.Fatal(err)
	}
	_, err = w.setup("10.0.0.1", restarted, "root@school.ru")
	wantCode(t, err, domain.ESetupToken)
	if _, err := w.setup("10.0.0.1", w.open(), "root@school.ru"); err != nil {
		t.Fatalf("the running server's token: %v", err)
	}
}

// Attempts are limited per address (the token's 256 bits make guessing hopeless anyway); the
// limit holds also for the right token, and another address is not affected.
func TestSetupRateLimit(t *testing.T) {
	w := newSetupWorld(t, sqlstore.SQLite, classroom.Options{Reachable: true})
	tok := w.open()
	for i := range 10 {
		_, err := w.setup("10.0.0.9", strings.Repeat("B", 43), "root@school.ru")
		wantCode(t, err, domain.ESetupToken)
		_ = i
	}
	_, err := w.setup("10.0.0.9", tok, "root@school.ru")
	wantCode(t, err, domain.ERateLimited)
	w.now = w.now.Add(16 * time.Minute)
	w.svc.RenewSetup(t.Context(), tok)
	if _, err := w.setup("10.0.0.9", tok, "root@school.ru"); err != nil {
		t.Fatalf("after the window: %v", err)
	}
}

// barrierStore holds every CountAdmins until n callers are there, so that concurrent setups
// all pass the "no admin yet" check before any of them writes.
type barrierStore struct {
	domain.Store
	wg *sync.WaitGroup
}

func (b barrierStore) CountAdmins(ctx context.Context) (int, error) {
	n, err := b.Store.CountAdmins(ctx)
	b.wg.Done()
	b.wg.Wait()
	return n, err
}

// Setups at once with several servers' tokens make one admin.
func TestSetupRace(t *testing.T) {
	sqlstoretest.Each(t, func(t *testing.T, d sqlstore.Dialect) {
		w := newSetupWorld(t, d, classroom.Options{Reachable: true})
		toks := []string{w.open(), w.open(), w.open(), w.open()}
		var barrier sync.WaitGroup
		barrier.Add(len(toks))
		svc, err := classroom.New(classroom.Deps{Store: barrierStore{w.db, &barrier}, Limiter: memory.NewLimiter(time.Now), Log: slog.New(slog.DiscardHandler)},
			classroom.Options{Reachable: true, Hash: classroom.FastHashParams, Now: func() time.Time { return w.now }})
		if err != nil {
			t.Fatal(err)
		}
		w.svc = svc
		var wg sync.WaitGroup
		errs := make([]error, len(toks))
		for i, tok := range toks {
			wg.Go(func() {
				_, errs[i] = w.setup("10.0.1."+string(rune('1'+i)), tok, "root"+string(rune('a'+i))+"@school.ru")
			})
		}
		wg.Wait()
		ok := 0
		for _, err := range errs {
			switch domain.ErrorCode(err) {
			case "":
				ok++
			case domain.ESetupDone, domain.ESetupToken:
			default:
				t.Errorf("setup: %v", err)
			}
		}
		if n, _ := w.db.CountAdmins(t.Context()); ok != 1 || n != 1 {
			t.Fatalf("%d setups succeeded, %d admins; want 1 and 1", ok, n)
		}
	})
}

// On loopback nothing changes: no setup link, the first registrant is the admin, registration
// is open until an admin closes it. REGISTRATION=closed wins over the switch everywhere.
func TestRegistrationSetting(t *testing.T) {
	sqlstoretest.Each(t, func(t *testing.T, d sqlstore.Dialect) {
		w := newSetupWorld(t, d, classroom.Options{})
		ctx := t.Context()
		if tok := w.open(); tok != "" {
			t.Fatal("a loopback server printed a setup link")
		}
		_, err := w.setup("10.0.0.1", strings.Repeat("A", 43), "root@school.ru")
		wantCode(t, err, domain.ESetupToken)
		first, err := w.register("10.0.0.1", "first@school.ru")
		if err != nil || first.User.Role != domain.RoleAdmin {
			t.Fatalf("first registrant on loopback = %v, %v", first, err)
		}
		second, err := w.register("10.0.0.1", "second@school.ru")
		if err != nil || second.User.Role != domain.RoleHost {
			t.Fatalf("second registrant = %v, %v", second, err)
		}
		admin := domain.Actor{User: first.User}
		if _, err := w.svc.SetRegistration(ctx, domain.Actor{User: second.User}, false); domain.ErrorCode(err) != domain.EForbidden {
			t.Fatalf("a host closed registration: %v", err)
		}
		if st, err := w.svc.SetRegistration(ctx, admin, false); err != nil || st.Open {
			t.Fatalf("close = %+v, %v", st, err)
		}
		_, err = w.register("10.0.0.1", "third@school.ru")
		wantCode(t, err, domain.ERegistration)

		closed := newSetupWorld(t, d, classroom.Options{Registration: classroom.RegistrationClosed})
		_, err = closed.register("10.0.0.1", "first@school.ru")
		wantCode(t, err, domain.ERegistration)
		u, err := closed.svc.CreateUser(ctx, "root@school.ru", "Root", "correct horse", domain.RoleAdmin, false)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := closed.svc.SetRegistration(ctx, domain.Actor{User: u}, true); domain.ErrorCode(err) != domain.ERegistration {
			t.Fatalf("opened against REGISTRATION=closed: %v", err)
		}
		if st, _ := closed.svc.Registration(ctx); st.Open || !st.ClosedByConfig {
			t.Fatalf("state = %+v", st)
		}

		// REGISTRATION=open on a reachable server: open once there is an admin.
		open := newSetupWorld(t, d, classroom.Options{Registration: classroom.RegistrationOpen, Reachable: true})
		_, err = open.register("10.0.0.1", "first@school.ru")
		wantCode(t, err, domain.ERegistration)
		if _, err := open.svc.CreateUser(ctx, "root@school.ru", "Root", "correct horse", domain.RoleAdmin, false); err != nil {
			t.Fatal(err)
		}
		if u, err := open.register("10.0.0.1", "first@school.ru"); err != nil || u.User.Role != domain.RoleHost {
			t.Fatalf("register with REGISTRATION=open = %v, %v", u, err)
		}
	})
}

// The setup token's parser accepts exactly 43 characters of unpadded base64url that decode to
// 32 bytes and encode back to the same text.
func FuzzParseSetupToken(f *testing.F) {
	for _, s := range []string{strings.Repeat("A", 43), strings.Repeat("_", 43), strings.Repeat("A", 42) + "B", strings.Repeat("A", 44),
		strings.Repeat("A", 42) + "=", strings.Repeat("A", 42) + "+", "", "ё", strings.Repeat("A", 40) + "%41"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		b, err := classroom.ParseSetupToken(s)
		if err != nil {
			if domain.ErrorCode(err) != domain.ESetupToken {
				t.Fatalf("ParseSetupToken(%q): error %v", s, err)
			}
			return
		}
		if len(s) != 43 || len(b) != 32 || base64URL(b) != s {
			t.Fatalf("ParseSetupToken(%q) = %x", s, b)
		}
	})
}

func base64URL(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }
