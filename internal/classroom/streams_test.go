package classroom_test

import (
	"errors"
	"log/slog"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/liveserver/liveserver/internal/classroom"
	"github.com/liveserver/liveserver/internal/domain"
	"github.com/liveserver/liveserver/internal/memory"
	"github.com/liveserver/liveserver/internal/sqlstore"
	"github.com/liveserver/liveserver/internal/sqlstore/sqlstoretest"
)

// The stream algorithm, without HTTP: what a viewer is handed, in which order, and when the
// stream ends.

type streamWorld struct {
	t     *testing.T
	svc   *classroom.Service
	db    *sqlstore.DB
	admin domain.Actor
	host  domain.Actor
	room  *domain.Room
}

func newStreamWorld(t *testing.T, lobby bool, lifetime time.Duration) *streamWorld {
	t.Helper()
	db := sqlstoretest.Open(t, sqlstore.SQLite)
	bus := memory.NewBus()
	t.Cleanup(func() { bus.Close() })
	svc, err := classroom.New(classroom.Deps{Store: db, Limiter: memory.NewLimiter(time.Now), Bus: bus, Log: slog.New(slog.DiscardHandler)},
		classroom.Options{Hash: classroom.FastHashParams, StreamLifetime: lifetime})
	if err != nil {
		t.Fatal(err)
	}
	w := &streamWorld{t: t, svc: svc, db: db}
	w.admin = w.register("admin@school.ru")
	w.host = w.register("host@school.ru")
	if w.room, err = svc.CreateRoom(t.Context(), w.host, classroom.RoomPatch{Name: ptr("Физика"), LobbyEnabled: &lobby}); err != nil {
		t.Fatal(err)
	}
	return w
}

func (w *streamWorld) register(email string) domain.Actor {
	w.t.Helper()
	in, err := w.svc.Register(w.t.Context(), domain.Actor{IP: "10.0.0.1"}, classroom.RegisterInput{Email: email, Password: "correct horse", Name: "N"})
	if err != nil {
		w.t.Fatal(err)
	}
	return domain.Actor{User: in.User, IP: "10.0.0.1"}
}

// guest is a browser that knocked (or, without a lobby, came in).
func (w *streamWorld) guest(name string) domain.Actor {
	w.t.Helper()
	g := domain.Actor{GuestSession: uuid.NewString(), IP: "10.0.0.2"}
	if _, err := w.svc.Join(w.t.Context(), g, w.room.ID, classroom.JoinInput{Name: name, Fingerprint: "fp-" + g.GuestSession}); err != nil {
		w.t.Fatal(err)
	}
	return g
}

func (w *streamWorld) open(actor domain.Actor, req classroom.StreamRequest) *classroom.Stream {
	w.t.Helper()
	req.RoomID = w.room.ID
	st, err := w.svc.OpenStream(w.t.Context(), actor, req)
	if err != nil {
		w.t.Fatal(err)
	}
	w.t.Cleanup(st.Close)
	return st
}

func (w *streamWorld) chat(actor domain.Actor, text string) {
	w.t.Helper()
	if _, _, err := w.svc.SendChat(w.t.Context(), actor, w.room.ID, text, ""); err != nil {
		w.t.Fatal(err)
	}
}

// next is the stream's next event; it fails the test after a second without one.
func next(t *testing.T, st *classroom.Stream) classroom.StreamEvent {
	t.Helper()
	e, err := st.Next(t.Context(), time.After(time.Second))
	if err != nil || e.Frame == nil {
		t.Fatalf("next = %v, %v; want an event", e, err)
	}
	return e
}

// quiet checks that the stream hands out nothing for a while.
func quiet(t *testing.T, st *classroom.Stream) {
	t.Helper()
	if e, err := st.Next(t.Context(), time.After(150*time.Millisecond)); e.Frame != nil || err != nil {
		t.Fatalf("next = %+v, %v; want nothing", e, err)
	}
}

func ends(t *testing.T, st *classroom.Stream, want error) {
	t.Helper()
	if e, err := st.Next(t.Context(), time.After(5*time.Second)); !errors.Is(err, want) {
		t.Fatalf("next = %+v, %v; want the end %v", e, err, want)
	}
}

// A resume after Last-Event-ID hands out what was missed, then the live events, each once,
// and fills a gap from the database.
func TestStreamResumesAndFillsGaps(t *testing.T) {
	w := newStreamWorld(t, false, 0)
	g := w.guest("Аня")
	first := w.open(g, classroom.StreamRequest{})
	w.chat(g, "раз")
	resumeAfter := next(t, first).Seq
	w.chat(g, "два")
	w.chat(g, "три")
	st := w.open(g, classroom.StreamRequest{LastEventID: resumeAfter, HasLastEventID: true})
	if st.Snapshot.Seq < resumeAfter+2 {
		t.Fatalf("snapshot at %d, want at least %d", st.Snapshot.Seq, resumeAfter+2)
	}
	for want := resumeAfter + 1; want <= resumeAfter+2; want++ {
		if e := next(t, st); e.Seq != want || e.Type() != "chat.message" {
			t.Fatalf("backlog event %d %s, want %d chat.message", e.Seq, e.Type(), want)
		}
	}
	quiet(t, st)
	// An event the bus never carried (as if lost between replicas), then a live one: the live
	// one's number shows the gap, and the stream reads the missing one from the database.
	lost, err := w.db.AppendEvent(t.Context(), domain.Event{RoomID: w.room.ID, Type: classroom.EvHand, Audience: domain.AudienceAll,
		Payload: []byte(`{"identity":"x","name":"x","raised":false}`), CreatedAt: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
	w.chat(g, "четыре")
	if e := next(t, st); e.Seq != lost.Seq || e.Type() != classroom.EvHand {
		t.Fatalf("after the gap: %d %s, want the lost %d", e.Seq, e.Type(), lost.Seq)
	}
	if e := next(t, st); e.Seq != lost.Seq+1 || e.Type() != "chat.message" {
		t.Fatalf("after the gap: %d %s, want %d chat.message", e.Seq, e.Type(), lost.Seq+1)
	}
	quiet(t, st)
}

// A waiting guest's stream carries its own decision and the room's state, nothing of the
// others, and ends with its decision.
func TestLobbyStreamSeesOnlyItsOwn(t *testing.T) {
	w := newStreamWorld(t, true, 0)
	a, b := w.guest("Аня"), w.guest("Боря")
	st := w.open(a, classroom.StreamRequest{Lobby: true})
	entryOf := func(g domain.Actor) string {
		e, err := w.db.LatestLobbyEntry(t.Context(), w.room.LectureID, g.GuestSession)
		if err != nil {
			t.Fatal(err)
		}
		return e.ID
	}
	if _, err := w.svc.DecideLobby(t.Context(), w.host, w.room.ID, classroom.LobbyDecision{EntryID: entryOf(b), Approve: true}); err != nil {
		t.Fatal(err)
	}
	w.guest("Вера") // a knock: for the host only
	quiet(t, st)
	if _, err := w.svc.Moderate(t.Context(), w.host, w.room.ID, "lock", ""); err != nil {
		t.Fatal(err)
	}
	if e := next(t, st); e.Type() != classroom.EvRoomState {
		t.Fatalf("got %s, want room.state", e.Type())
	}
	if _, err := w.svc.DecideLobby(t.Context(), w.host, w.room.ID, classroom.LobbyDecision{EntryID: entryOf(a), Approve: false}); err != nil {
		t.Fatal(err)
	}
	if e := next(t, st); e.Type() != classroom.EvLobbyDecision {
		t.Fatalf("got %s, want lobby.decision", e.Type())
	}
	ends(t, st, classroom.ErrStreamDone)
	// Listening again after the decision: nothing to stream.
	again := w.open(a, classroom.StreamRequest{Lobby: true})
	if !again.Decided {
		t.Fatal("a decided guest's new lobby stream is not marked decided")
	}
	ends(t, again, classroom.ErrStreamDone)
}

// The viewer losing the right ends the stream: a kicked guest with its "removed", a disabled
// host and a demoted admin through their account's topic.
func TestStreamEndsWithTheRight(t *testing.T) {
	w := newStreamWorld(t, false, 0)
	g := w.guest("Петя")
	guestStream := w.open(g, classroom.StreamRequest{})
	hostStream := w.open(w.host, classroom.StreamRequest{})
	other := w.register("second@school.ru")
	admin := classroom.UserPatch{Role: ptr(domain.RoleAdmin)}
	if _, err := w.svc.UpdateUser(t.Context(), w.admin, other.User.ID, admin); err != nil {
		t.Fatal(err)
	}
	other.User.Role = domain.RoleAdmin
	adminStream := w.open(other, classroom.StreamRequest{})

	if _, err := w.svc.Moderate(t.Context(), w.host, w.room.ID, "kick", g.GuestSession); err != nil {
		t.Fatal(err)
	}
	if e := next(t, guestStream); e.Type() != classroom.EvRemoved {
		t.Fatalf("kicked guest got %s, want removed", e.Type())
	}
	ends(t, guestStream, classroom.ErrStreamDone)

	// A change that keeps the right (the admin made admin again) is checked and passes.
	if _, err := w.svc.UpdateUser(t.Context(), w.admin, other.User.ID, admin); err != nil {
		t.Fatal(err)
	}
	if e := next(t, adminStream); e.Type() != classroom.EvParticipantOut {
		t.Fatalf("admin got %s, want participant.out", e.Type())
	}
	quiet(t, adminStream)
	if _, err := w.svc.UpdateUser(t.Context(), w.admin, other.User.ID, classroom.UserPatch{Role: ptr(domain.RoleHost)}); err != nil {
		t.Fatal(err)
	}
	ends(t, adminStream, classroom.ErrStreamRevoked)

	if e := next(t, hostStream); e.Type() != classroom.EvParticipantOut {
		t.Fatalf("host got %s, want participant.out", e.Type())
	}
	if _, err := w.svc.UpdateUser(t.Context(), w.admin, w.host.User.ID, classroom.UserPatch{Disabled: ptr(true)}); err != nil {
		t.Fatal(err)
	}
	ends(t, hostStream, classroom.ErrStreamRevoked)
}

// Every stream ends after its lifetime, so that its client comes back and is checked again.
func TestStreamLifetimeEnds(t *testing.T) {
	w := newStreamWorld(t, false, 100*time.Millisecond)
	st := w.open(w.host, classroom.StreamRequest{})
	ends(t, st, classroom.ErrStreamExpired)
}

func ptr[T any](v T) *T { return &v }

// A lecture hall of 1,000 students behind one address knocks; one browser knocking over and
// over is stopped by its own limit, not the hall's.
func TestHallBehindOneAddressKnocks(t *testing.T) {
	w := newStreamWorld(t, true, 0)
	for i := range 1000 {
		g := domain.Actor{GuestSession: uuid.NewString(), IP: "203.0.113.7"}
		if _, err := w.svc.Join(t.Context(), g, w.room.ID, classroom.JoinInput{Name: "Студент", Fingerprint: "fp-hall-" + g.GuestSession}); err != nil {
			t.Fatalf("student %d: %v", i, err)
		}
	}
	flood := domain.Actor{GuestSession: uuid.NewString(), IP: "203.0.113.7"}
	var refused error
	for i := 0; i < 30 && refused == nil; i++ {
		if _, err := w.svc.Join(t.Context(), flood, w.room.ID, classroom.JoinInput{Name: "Флуд", Fingerprint: "fp-flood-000001"}); err != nil {
			refused = err
			break
		}
		// Each knock is decided, so the next one is a new request.
		e, err := w.db.LatestLobbyEntry(t.Context(), w.room.LectureID, flood.GuestSession)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.svc.DecideLobby(t.Context(), w.host, w.room.ID, classroom.LobbyDecision{EntryID: e.ID}); err != nil {
			t.Fatal(err)
		}
	}
	if domain.ErrorCode(refused) != domain.ERateLimited {
		t.Fatalf("one browser's 30 knocks: %v, want rate_limited", refused)
	}
}

// A browser that clears its session cookie before every knock is still one device: 20 knocks
// in ten minutes, then refused; a classmate behind the same address still knocks.
func TestKnocksPerDeviceAreLimited(t *testing.T) {
	w := newStreamWorld(t, true, 0)
	knock := func(device string) error {
		g := domain.Actor{GuestSession: uuid.NewString(), Device: device, IP: "203.0.113.8"}
		_, err := w.svc.Join(t.Context(), g, w.room.ID, classroom.JoinInput{Name: "Студент", Fingerprint: "fp-dev-" + g.GuestSession})
		return err
	}
	for i := range 20 {
		if err := knock("device-flood"); err != nil {
			t.Fatalf("knock %d: %v", i+1, err)
		}
	}
	if err := knock("device-flood"); domain.ErrorCode(err) != domain.ERateLimited {
		t.Fatalf("knock 21 from one device under new sessions: %v, want rate_limited", err)
	}
	if err := knock("device-classmate"); err != nil {
		t.Fatalf("a classmate's device: %v", err)
	}
}

// Knocks from one address: 2,000 in ten minutes (a lecture hall behind one NAT address), then
// refused, whatever the browser; another address still knocks.
func TestKnocksPerAddressAreLimited(t *testing.T) {
	w := newStreamWorld(t, true, 0)
	knock := func(ip string) error {
		g := domain.Actor{GuestSession: uuid.NewString(), IP: ip}
		_, err := w.svc.Join(t.Context(), g, w.room.ID, classroom.JoinInput{Name: "Студент", Fingerprint: "fp-addr-" + g.GuestSession})
		return err
	}
	for i := range 2000 {
		if err := knock("198.51.100.9"); err != nil {
			t.Fatalf("knock %d: %v", i, err)
		}
	}
	if err := knock("198.51.100.9"); domain.ErrorCode(err) != domain.ERateLimited {
		t.Fatalf("knock 2,001 from one address: %v, want rate_limited", err)
	}
	if err := knock("198.51.100.10"); err != nil {
		t.Fatalf("another address: %v", err)
	}
}
