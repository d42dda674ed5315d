package httpapi_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/liveserver/liveserver/internal/domain"
	"github.com/liveserver/liveserver/internal/instance"
	"github.com/liveserver/liveserver/internal/sqlstore"
	"github.com/liveserver/liveserver/internal/sqlstore/sqlstoretest"
)

// Streams that outlive their right (issue #15, item 13): a stream is checked again when the
// viewer's right changes, not only when it opens.

// A host disabled by an admin stops reading the room's events at once.
func TestDisabledHostStreamEnds(t *testing.T) {
	sqlstoretest.Each(t, func(t *testing.T, d sqlstore.Dialect) {
		e := newEnv(t, d, nil)
		admin := e.client()
		admin.register("admin@school.ru", "Админ")
		host := e.client()
		u := host.register("host@school.ru", "Учитель")
		r := host.createRoom(map[string]any{"name": "Физика"})
		events := host.stream("/api/rooms/" + r.ID + "/events")
		events.Next("snapshot")
		want(t, admin.do("PATCH", "/api/admin/users/"+u.ID, map[string]any{"disabled": true}), http.StatusOK)
		events.Ends()
		// Its reconnect is refused: the session is gone.
		want(t, host.do("GET", "/api/rooms/"+r.ID+"/events", nil), http.StatusForbidden, "not_admitted")
	})
}

// An admin following a room they do not own stops reading it when demoted to host.
func TestDemotedAdminStreamEnds(t *testing.T) {
	sqlstoretest.Each(t, func(t *testing.T, d sqlstore.Dialect) {
		e := newEnv(t, d, nil)
		first := e.client()
		first.register("first@school.ru", "Первый")
		second := e.client()
		u := second.register("second@school.ru", "Второй")
		want(t, first.do("PATCH", "/api/admin/users/"+u.ID, map[string]any{"role": "ADMIN"}), http.StatusOK)
		r := first.createRoom(map[string]any{"name": "Химия"})
		events := second.stream("/api/rooms/" + r.ID + "/events")
		events.Next("snapshot")
		// A change that leaves the right alone (the name of another account) does not end it.
		want(t, first.do("PATCH", "/api/admin/users/"+u.ID, map[string]any{"role": "ADMIN"}), http.StatusOK)
		want(t, first.do("POST", "/api/rooms/"+r.ID+"/moderate", map[string]any{"action": "lock"}), http.StatusOK)
		events.Next("room.state")
		want(t, first.do("PATCH", "/api/admin/users/"+u.ID, map[string]any{"role": "HOST"}), http.StatusOK)
		events.Ends()
		want(t, second.do("GET", "/api/rooms/"+r.ID+"/events", nil), http.StatusForbidden, "not_admitted")
	})
}

// kickOnSnapshot is a store that kicks a guest in the middle of its stream's opening: after
// the rules checked the guest's admission, at the next read of the room (the snapshot's) or
// of its hands (the snapshot's second read).
type kickOnSnapshot struct {
	domain.Store
	at    string // "room" or "hands"
	armed atomic.Bool
	kick  atomic.Pointer[func()]
}

func (k *kickOnSnapshot) Admission(ctx context.Context, lectureID, identity string) (*domain.Admission, error) {
	a, err := k.Store.Admission(ctx, lectureID, identity)
	if k.kick.Load() != nil {
		k.armed.Store(true)
	}
	return a, err
}

func (k *kickOnSnapshot) fire(at string) {
	if k.at != at || !k.armed.Load() {
		return
	}
	if f := k.kick.Swap(nil); f != nil {
		(*f)()
	}
}

func (k *kickOnSnapshot) Room(ctx context.Context, id string) (*domain.Room, error) {
	k.fire("room")
	return k.Store.Room(ctx, id)
}

func (k *kickOnSnapshot) Hands(ctx context.Context, roomID string) ([]domain.HandRaise, error) {
	k.fire("hands")
	return k.Store.Hands(ctx, roomID)
}

// A guest kicked between the stream's check and its snapshot does not keep reading: the
// stream is refused, or ends at once.
func TestGuestKickedWhileItsStreamOpens(t *testing.T) {
	sqlstoretest.Each(t, func(t *testing.T, d sqlstore.Dialect) {
		for _, at := range []string{"room", "hands"} {
			t.Run(at, func(t *testing.T) { kickWhileStreamOpens(t, d, at) })
		}
	})
}

func kickWhileStreamOpens(t *testing.T, d sqlstore.Dialect, at string) {
	var ks *kickOnSnapshot
	e := newEnvTuned(t, d, nil, envTune{store: func(s domain.Store) domain.Store {
		ks = &kickOnSnapshot{Store: s, at: at}
		return ks
	}})
	host := e.client()
	hu := host.register("host@school.ru", "Учитель")
	r := host.createRoom(map[string]any{"name": "Биология", "lobbyEnabled": false})
	guest := e.client()
	a := guest.join(r.ID, "Петя", "", "fp-petya-0001").joined(t)
	owner, err := e.db.UserByID(context.Background(), hu.ID)
	if err != nil {
		t.Fatal(err)
	}
	kick := func() {
		if _, err := e.svc.Moderate(context.Background(), domain.Actor{User: owner}, r.ID, "kick", a.Identity); err != nil {
			t.Errorf("kick: %v", err)
		}
	}
	ks.kick.Store(&kick)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", e.srv.URL+"/api/rooms/"+r.ID+"/events", nil)
	resp, err := guest.http.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		t.Fatalf("the kicked guest's stream (%d) kept reading: %s", resp.StatusCode, body)
	}
	endedByRemoval := resp.StatusCode == http.StatusOK && err == nil && strings.Contains(string(body), "event: removed\n")
	if resp.StatusCode != http.StatusForbidden && !endedByRemoval {
		t.Fatalf("stream = %d %s (err %v), want 403 or an end with \"removed\"", resp.StatusCode, body, err)
	}
	if ks.kick.Load() != nil {
		t.Fatal("the stream's opening never came to the read: the test did not kick")
	}
}

// Every stream ends after its lifetime; the client comes back with Last-Event-ID, is checked
// again and misses nothing.
func TestStreamLifetime(t *testing.T) {
	e := newEnvTuned(t, sqlstore.SQLite, nil, envTune{options: func(o *instance.Options) { o.StreamLifetime = 700 * time.Millisecond }})
	host := e.client()
	host.register("host@school.ru", "Учитель")
	r := host.createRoom(map[string]any{"name": "Физика", "lobbyEnabled": false})
	guest := e.client()
	guest.join(r.ID, "Аня", "", "fp-anya-00001")
	events := guest.stream("/api/rooms/" + r.ID + "/events")
	events.Next("snapshot")
	want(t, guest.do("POST", "/api/rooms/"+r.ID+"/chat", map[string]string{"text": "до"}), http.StatusCreated)
	last := events.Next("chat.message")
	started := time.Now()
	events.Ends()
	if took := time.Since(started); took > 5*time.Second {
		t.Fatalf("stream lasted %v past its lifetime", took)
	}
	want(t, guest.do("POST", "/api/rooms/"+r.ID+"/chat", map[string]string{"text": "между"}), http.StatusCreated)
	again := guest.stream("/api/rooms/"+r.ID+"/events", "Last-Event-ID", last.ID)
	again.Next("snapshot")
	if m := again.Next("chat.message"); !containsText(m.Data, "между") {
		t.Fatalf("resumed with %s, want the message sent in between", m.Data)
	}
}

func containsText(data, text string) bool {
	var m struct{ Text string }
	return jsonUnmarshal(data, &m) == nil && m.Text == text
}

// The server's read and idle timeouts do not cut a stream: it outlives both, still beating
// and still delivering.
func TestStreamOutlivesServerTimeouts(t *testing.T) {
	e := newEnvTuned(t, sqlstore.SQLite, nil, envTune{server: func(s *http.Server) {
		s.ReadTimeout, s.IdleTimeout = 300*time.Millisecond, 300*time.Millisecond
	}})
	host := e.client()
	host.register("host@school.ru", "Учитель")
	r := host.createRoom(map[string]any{"name": "Физика"})
	events := host.stream("/api/rooms/" + r.ID + "/events")
	events.Next("snapshot")
	time.Sleep(1200 * time.Millisecond)
	want(t, host.do("POST", "/api/rooms/"+r.ID+"/moderate", map[string]any{"action": "lock"}), http.StatusOK)
	events.Next("room.state")
}

// statusOf opens a stream and reports its status, keeping it open until the test ends.
func openStatus(t *testing.T, c *client, path string) (int, string) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	req, _ := http.NewRequestWithContext(ctx, "GET", c.e.srv.URL+path, nil)
	resp, err := c.http.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		resp.Body.Close()
	} else {
		t.Cleanup(func() { resp.Body.Close() })
	}
	return resp.StatusCode, resp.Header.Get("Retry-After")
}

// Concurrent streams are capped per session and per address; a closed stream frees its slot.
func TestStreamLimits(t *testing.T) {
	e := newEnvTuned(t, sqlstore.SQLite, nil, envTune{options: func(o *instance.Options) {
		o.StreamsPerSession, o.StreamsPerAddress = 2, 3
	}})
	host := e.client()
	host.register("host@school.ru", "Учитель")
	r := host.createRoom(map[string]any{"name": "Физика", "lobbyEnabled": false})
	path := "/api/rooms/" + r.ID + "/events"
	a := e.client()
	a.join(r.ID, "Аня", "", "fp-anya-00001")
	first := a.stream(path)
	first.Next("snapshot")
	a.stream(path).Next("snapshot")
	if st, retry := openStatus(t, a, path); st != http.StatusTooManyRequests || retry == "" {
		t.Fatalf("third stream of one session = %d (Retry-After %q), want 429 with Retry-After", st, retry)
	}
	b := e.client()
	b.join(r.ID, "Боря", "", "fp-borya-0001")
	b.stream(path).Next("snapshot") // the address's third
	if st, _ := openStatus(t, b, path); st != http.StatusTooManyRequests {
		t.Fatalf("fourth stream of one address = %d, want 429", st)
	}
	first.Close()
	deadline := time.Now().Add(5 * time.Second)
	for {
		st, _ := openStatus(t, b, path)
		if st == http.StatusOK {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("a closed stream's slot was not freed: %d", st)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// One attacker with a knock in the lobby opens 5,000 lobby streams at once: the first few get
// in, the rest are refused with 429 before they cost a subscription or a database read.
// BenchmarkLobbyStreamFlood measures what they cost.
func TestLobbyStreamFlood(t *testing.T) {
	e := newEnv(t, sqlstore.SQLite, nil)
	opened, refused := lobbyFlood(t, e, 5000)
	if opened != 8 || refused != 5000-8 {
		t.Fatalf("%d lobby streams opened, %d refused; want 8 and %d", opened, refused, 5000-8)
	}
}

// lobbyFlood has one guest knock at a new lobby room and open n lobby streams at once; it
// returns how many were opened (and are kept open until the test ends) and how many got 429.
func lobbyFlood(tb testing.TB, e *env, n int) (opened, refused int) {
	host := benchClient(e, http.DefaultTransport)
	host.register(fmt.Sprintf("flood%d@school.ru", time.Now().UnixNano()), "Учитель")
	r := host.createRoom(map[string]any{"name": "Лобби"})
	tr := &http.Transport{MaxConnsPerHost: 256, MaxIdleConnsPerHost: 256}
	tb.Cleanup(tr.CloseIdleConnections)
	attacker := benchClient(e, tr)
	want(tb, attacker.join(r.ID, "Злодей", "", "fp-attacker-01"), http.StatusAccepted)
	ctx, cancel := context.WithCancel(context.Background())
	tb.Cleanup(cancel)
	var mu sync.Mutex
	var wg sync.WaitGroup
	sem := make(chan struct{}, 128)
	for range n {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			req, _ := http.NewRequestWithContext(ctx, "GET", e.srv.URL+"/api/rooms/"+r.ID+"/lobby/stream", nil)
			resp, err := attacker.http.Do(req)
			if err != nil {
				tb.Errorf("lobby stream: %v", err)
				return
			}
			mu.Lock()
			defer mu.Unlock()
			switch resp.StatusCode {
			case http.StatusOK:
				opened++ // kept open: its body is closed with ctx
			case http.StatusTooManyRequests:
				refused++
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
			default:
				tb.Errorf("lobby stream = %d", resp.StatusCode)
				resp.Body.Close()
			}
		}()
	}
	wg.Wait()
	// The refused requests' connections go back to the pool; the flood is over, so drop them.
	tr.CloseIdleConnections()
	return opened, refused
}

// BenchmarkLobbyStreamFlood is what 5,000 lobby streams from one attacker cost the server:
// the goroutines and memory (of this process: server and client) still held once the flood is
// over: the 8 streams let in (each a connection, its goroutines on both sides and a
// subscription) and nothing of the refused 4,992.
func BenchmarkLobbyStreamFlood(b *testing.B) {
	for range b.N {
		e := newEnv(b, sqlstore.SQLite, nil)
		warm := e.client()
		warm.register("warm@school.ru", "Прогрев")
		warm.createRoom(map[string]any{"name": "Прогрев"})
		time.Sleep(100 * time.Millisecond)
		g0, m0 := runtime.NumGoroutine(), liveMem()
		b.ReportMetric(float64(m0)/1024, "KiB-live-before")
		start := time.Now()
		opened, refused := lobbyFlood(b, e, 5000)
		took := time.Since(start)
		time.Sleep(200 * time.Millisecond) // the server's side of the closed connections ends
		b.ReportMetric(float64(opened), "opened")
		b.ReportMetric(float64(refused), "refused")
		b.ReportMetric(float64(took.Microseconds())/5000, "µs/attempt")
		b.ReportMetric(float64(runtime.NumGoroutine()-g0), "goroutines-held")
		b.ReportMetric(float64(liveMem())/1024, "KiB-live-after")
	}
}

// liveMem is the live heap and the stacks after a collection: what is held, not what the
// allocator keeps in spans.
func liveMem() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc + m.StackInuse
}
