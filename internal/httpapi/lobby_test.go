package httpapi_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/liveserver/liveserver/internal/domain"
	"github.com/liveserver/liveserver/internal/sqlstore"
	"github.com/liveserver/liveserver/internal/sqlstore/sqlstoretest"
)

func (c *client) join(roomID, name, pin, fingerprint string) response {
	c.e.t.Helper()
	return c.do("POST", "/api/rooms/"+roomID+"/join", map[string]string{"name": name, "pin": pin, "fingerprint": fingerprint})
}

func (c *client) token(roomID string) response {
	c.e.t.Helper()
	return c.do("POST", "/api/livekit/token", map[string]string{"roomId": roomID})
}

type joinAnswer struct {
	Status, EntryID, Identity string
}

func (r response) joined(t testing.TB) joinAnswer {
	t.Helper()
	var a joinAnswer
	r.json(t, &a)
	return a
}

// liveRoom makes a host and a started room with the given settings.
func liveRoom(t *testing.T, e *env, settings map[string]any) (*client, room) {
	t.Helper()
	host := e.client()
	host.register("host"+strconv.Itoa(int(time.Now().UnixNano()%1e9))+"@school.ru", "Учитель")
	r := host.createRoom(settings)
	want(t, host.do("POST", "/api/rooms/"+r.ID+"/start", nil), http.StatusOK)
	return host, r
}

// The whole door: wrong PIN, right PIN, the lobby, the host's approval seen live on both
// streams, and the guest's token.
func TestGuestThroughTheLobby(t *testing.T) {
	sqlstoretest.Each(t, func(t *testing.T, d sqlstore.Dialect) {
		e := newLiveEnv(t, d, nil)
		host, r := liveRoom(t, e, map[string]any{"name": "Физика", "pin": "246813"})
		hostEvents := host.stream("/api/rooms/" + r.ID + "/events")
		hostEvents.Next("snapshot")

		guest := e.client()
		want(t, guest.join(r.ID, "Маша", "", "fp-masha-0001"), http.StatusBadRequest, "invalid")
		want(t, guest.join(r.ID, "Маша", "1111", "fp-masha-0001"), http.StatusForbidden, "wrong_pin")
		res := guest.join(r.ID, "Маша", "246813", "fp-masha-0001")
		want(t, res, http.StatusAccepted)
		a := res.joined(t)
		if a.Status != "pending" || a.EntryID == "" || a.Identity == "" {
			t.Fatalf("join = %+v", a)
		}
		// Asking again (a reload) is the same request, not a second knock.
		if again := guest.join(r.ID, "Маша", "246813", "fp-masha-0001").joined(t); again.EntryID != a.EntryID {
			t.Fatalf("second join made entry %s, want %s", again.EntryID, a.EntryID)
		}
		want(t, guest.token(r.ID), http.StatusForbidden, "not_admitted")
		// A waiting guest sees no room events.
		want(t, guest.do("GET", "/api/rooms/"+r.ID+"/events", nil), http.StatusForbidden, "not_admitted")

		lobby := guest.stream("/api/rooms/" + r.ID + "/lobby/stream")
		var snap struct {
			Entry struct{ EntryID, Status string }
		}
		json.Unmarshal([]byte(lobby.Next("snapshot").Data), &snap)
		if snap.Entry.EntryID != a.EntryID || snap.Entry.Status != "PENDING" {
			t.Fatalf("lobby snapshot = %+v", snap)
		}

		knock := hostEvents.Next("lobby.knock")
		var k struct{ EntryID, Identity, Name string }
		json.Unmarshal([]byte(knock.Data), &k)
		if k.EntryID != a.EntryID || k.Name != "Маша" || k.Identity != a.Identity {
			t.Fatalf("knock = %s", knock.Data)
		}
		var queue []struct{ EntryID, Name, Status string }
		host.do("GET", "/api/rooms/"+r.ID+"/lobby", nil).json(t, &queue)
		if len(queue) != 1 || queue[0].EntryID != a.EntryID || queue[0].Status != "PENDING" {
			t.Fatalf("queue = %+v", queue)
		}

		want(t, host.do("POST", "/api/rooms/"+r.ID+"/lobby", map[string]any{"entryId": a.EntryID, "action": "approve"}), http.StatusOK)
		decision := lobby.Next("lobby.decision")
		if decision.ID == "" {
			t.Fatal("a decision without an event id cannot be resumed")
		}
		var dv struct{ Status string }
		json.Unmarshal([]byte(decision.Data), &dv)
		if dv.Status != "APPROVED" {
			t.Fatalf("decision = %s", decision.Data)
		}
		lobby.Ends()
		hostEvents.Next("lobby.decided")
		want(t, host.do("POST", "/api/rooms/"+r.ID+"/lobby", map[string]any{"entryId": a.EntryID, "action": "reject"}), http.StatusConflict)

		tok := guest.token(r.ID)
		want(t, tok, http.StatusOK)
		guestEvents := guest.stream("/api/rooms/" + r.ID + "/events")
		var gs struct{ Identity string }
		json.Unmarshal([]byte(guestEvents.Next("snapshot").Data), &gs)
		if gs.Identity != a.Identity {
			t.Fatalf("the guest's snapshot names %q, want its identity %q", gs.Identity, a.Identity)
		}
		// Lobby traffic is the host's: the guest's stream does not carry it.
		other := e.client()
		want(t, other.join(r.ID, "Петя", "246813", "fp-petya-0001"), http.StatusAccepted)
		hostEvents.Next("lobby.knock")
		guestEvents.Quiet("lobby.knock", 300*time.Millisecond)
	})
}

// Lobby off: the guest is in at once, through an approval bound to this request like any other.
func TestLobbyOffAdmitsAtOnce(t *testing.T) {
	e := newLiveEnv(t, sqlstore.SQLite, nil)
	_, r := liveRoom(t, e, map[string]any{"name": "Open", "lobbyEnabled": false})
	g := e.client()
	res := g.join(r.ID, "Гость", "", "fp-guest-0001")
	want(t, res, http.StatusOK)
	if a := res.joined(t); a.Status != "admitted" {
		t.Fatalf("join = %+v", a)
	}
	want(t, g.token(r.ID), http.StatusOK)
}

// The known lobby bypasses of other systems; each subtest fails if we have the bug.
func TestLobbyBypasses(t *testing.T) {
	e := newLiveEnv(t, sqlstore.SQLite, nil)

	t.Run("knocked before the host arrived, still waits for the host", func(t *testing.T) {
		host := e.client()
		host.register("early@school.ru", "Host")
		r := host.createRoom(map[string]any{"name": "Early"})
		g := e.client()
		a := g.join(r.ID, "Ранний", "", "fp-early-0001").joined(t)
		if a.Status != "pending" {
			t.Fatalf("join before start = %+v", a)
		}
		want(t, host.do("POST", "/api/rooms/"+r.ID+"/start", nil), http.StatusOK)
		want(t, g.token(r.ID), http.StatusForbidden, "not_admitted")
		if again := g.join(r.ID, "Ранний", "", "fp-early-0001").joined(t); again.Status != "pending" {
			t.Fatalf("after the host arrived = %+v", again)
		}
	})

	t.Run("a kicked guest's earlier approval does not let them back", func(t *testing.T) {
		host, r := liveRoom(t, e, map[string]any{"name": "Kick"})
		g := e.client()
		a := g.join(r.ID, "Вася", "", "fp-vasya-0001").joined(t)
		want(t, host.do("POST", "/api/rooms/"+r.ID+"/lobby", map[string]any{"entryId": a.EntryID, "action": "approve"}), http.StatusOK)
		want(t, g.token(r.ID), http.StatusOK)
		events := g.stream("/api/rooms/" + r.ID + "/events")
		events.Next("snapshot")
		want(t, host.do("POST", "/api/rooms/"+r.ID+"/moderate", map[string]any{"action": "kick", "identity": a.Identity}), http.StatusOK)
		if ev := events.Next("removed"); ev.Data == "" {
			t.Fatal("no reason given")
		}
		events.Ends()
		want(t, g.token(r.ID), http.StatusForbidden, "not_admitted")
		want(t, g.do("GET", "/api/rooms/"+r.ID+"/events", nil), http.StatusForbidden)
		again := g.join(r.ID, "Вася", "", "fp-vasya-0001")
		want(t, again, http.StatusAccepted)
		if again.joined(t).EntryID == a.EntryID {
			t.Fatal("the old entry came back")
		}
		want(t, g.token(r.ID), http.StatusForbidden, "not_admitted")
	})

	t.Run("a banned browser with a new session is refused", func(t *testing.T) {
		host, r := liveRoom(t, e, map[string]any{"name": "Ban"})
		g := e.client()
		a := g.join(r.ID, "Тролль", "", "fp-troll-0001").joined(t)
		want(t, host.do("POST", "/api/rooms/"+r.ID+"/lobby", map[string]any{"entryId": a.EntryID, "action": "approve"}), http.StatusOK)
		want(t, host.do("POST", "/api/rooms/"+r.ID+"/moderate", map[string]any{"action": "ban", "identity": a.Identity}), http.StatusOK)
		want(t, g.join(r.ID, "Тролль", "", "fp-troll-0001"), http.StatusForbidden, "banned")
		// New cookies (a private window), same browser fingerprint.
		fresh := e.client()
		want(t, fresh.join(r.ID, "Не тролль", "", "fp-troll-0001"), http.StatusForbidden, "banned")
		// Unban lets the browser knock again, through the lobby.
		want(t, host.do("POST", "/api/rooms/"+r.ID+"/moderate", map[string]any{"action": "unban", "identity": a.Identity}), http.StatusOK)
		want(t, fresh.join(r.ID, "Не тролль", "", "fp-troll-0001"), http.StatusAccepted)
	})

	t.Run("a second tab of the banned guest gets no way around the ban", func(t *testing.T) {
		host, r := liveRoom(t, e, map[string]any{"name": "Tabs"})
		tab1 := e.client()
		a := tab1.join(r.ID, "Двойной", "", "fp-tabs-00001").joined(t)
		want(t, host.do("POST", "/api/rooms/"+r.ID+"/lobby", map[string]any{"entryId": a.EntryID, "action": "approve"}), http.StatusOK)
		// The second tab shares the browser's cookies.
		tab2 := &client{e: e, http: &http.Client{Jar: tab1.http.Jar}}
		want(t, tab2.join(r.ID, "Двойной", "", "fp-tabs-00001"), http.StatusOK)
		stream2 := tab2.stream("/api/rooms/" + r.ID + "/events")
		stream2.Next("snapshot")
		want(t, host.do("POST", "/api/rooms/"+r.ID+"/moderate", map[string]any{"action": "ban", "identity": a.Identity}), http.StatusOK)
		stream2.Next("removed")
		stream2.Ends()
		for _, tab := range []*client{tab1, tab2} {
			want(t, tab.token(r.ID), http.StatusForbidden)
			want(t, tab.join(r.ID, "Двойной", "", "fp-other-0001"), http.StatusForbidden, "banned")
		}
	})

	t.Run("an approval is bound to the request, not the display name", func(t *testing.T) {
		host, r := liveRoom(t, e, map[string]any{"name": "Names"})
		real := e.client()
		a := real.join(r.ID, "Маша", "", "fp-real-masha1").joined(t)
		want(t, host.do("POST", "/api/rooms/"+r.ID+"/lobby", map[string]any{"entryId": a.EntryID, "action": "approve"}), http.StatusOK)
		fake := e.client()
		want(t, fake.join(r.ID, "Маша", "", "fp-fake-masha1"), http.StatusAccepted)
		want(t, fake.token(r.ID), http.StatusForbidden, "not_admitted")
		want(t, real.token(r.ID), http.StatusOK)
	})

	t.Run("no guest token for a locked room", func(t *testing.T) {
		host, r := liveRoom(t, e, map[string]any{"name": "Lock"})
		g := e.client()
		a := g.join(r.ID, "Гость", "", "fp-lock-00001").joined(t)
		want(t, host.do("POST", "/api/rooms/"+r.ID+"/lobby", map[string]any{"entryId": a.EntryID, "action": "approve"}), http.StatusOK)
		want(t, host.do("POST", "/api/rooms/"+r.ID+"/moderate", map[string]any{"action": "lock"}), http.StatusOK)
		want(t, g.token(r.ID), http.StatusLocked, "room_locked")
		want(t, e.client().join(r.ID, "Новый", "", "fp-lock-00002"), http.StatusLocked, "room_locked")
		want(t, host.token(r.ID), http.StatusOK) // the host still gets in
		want(t, host.do("POST", "/api/rooms/"+r.ID+"/moderate", map[string]any{"action": "unlock"}), http.StatusOK)
		want(t, g.token(r.ID), http.StatusOK)
	})

	t.Run("a guest rejected or banned while waiting is never admitted", func(t *testing.T) {
		host, r := liveRoom(t, e, map[string]any{"name": "Waiting"})
		g := e.client()
		a := g.join(r.ID, "Ждун", "", "fp-wait-00001").joined(t)
		lobby := g.stream("/api/rooms/" + r.ID + "/lobby/stream")
		lobby.Next("snapshot")
		want(t, host.do("POST", "/api/rooms/"+r.ID+"/moderate", map[string]any{"action": "ban", "identity": a.Identity}), http.StatusOK)
		// The waiting guest learns it was a ban, not a plain rejection.
		ev := lobby.Next("removed")
		var rv struct{ Reason string }
		json.Unmarshal([]byte(ev.Data), &rv)
		if rv.Reason != "banned" {
			t.Fatalf("removed after ban = %s", ev.Data)
		}
		lobby.Ends()
		if e, _ := e.db.LatestLobbyEntry(context.Background(), r.LectureID, a.Identity); e.Status != "REJECTED" {
			t.Fatalf("the banned guest's request is %s, want REJECTED", e.Status)
		}
		want(t, host.do("POST", "/api/rooms/"+r.ID+"/lobby", map[string]any{"all": true, "action": "approve"}), http.StatusOK)
		want(t, g.token(r.ID), http.StatusForbidden)
	})
}

func TestPINThrottling(t *testing.T) {
	e := newEnv(t, sqlstore.SQLite, map[string]string{"TRUSTED_PROXIES": "127.0.0.1"})
	host := e.client()
	host.register("pin@school.ru", "Host")
	r := host.createRoom(map[string]any{"name": "PIN", "pin": "987654"})
	from := func(ip string) []string { return []string{"X-Forwarded-For", ip} }
	try := func(ip, pin string, n int) response {
		c := e.client()
		return c.do("POST", "/api/rooms/"+r.ID+"/join", map[string]string{"name": "G", "pin": pin, "fingerprint": "fp-guess-" + strconv.Itoa(n) + "xx"}, from(ip)...)
	}
	// A class behind one address entering the right PIN never runs out.
	for i := range 8 {
		want(t, try("10.0.0.1", "987654", i), http.StatusAccepted)
	}
	// Five wrong guesses a minute from one address, then 429 with Retry-After, even for the
	// right PIN (so a guesser learns nothing more).
	for i := range 5 {
		want(t, try("10.0.0.2", "000000", i), http.StatusForbidden, "wrong_pin")
	}
	res := try("10.0.0.2", "987654", 99)
	want(t, res, http.StatusTooManyRequests, "too_many_pin_attempts")
	if ra, _ := strconv.Atoi(res.header.Get("Retry-After")); ra < 1 || ra > 60 {
		t.Fatalf("Retry-After = %q", res.header.Get("Retry-After"))
	}
	// Many addresses together hit the room's ceiling (20 wrong a minute): the room is under
	// attack. It does not lock the class out (TestPINAttackNeverLocksTheClassOut); every address
	// now has one try a minute.
	n := 0
	for ip := 3; n < 15; ip++ {
		for range 5 {
			if n == 15 {
				break
			}
			want(t, try("10.0.0."+strconv.Itoa(ip), "111111", n), http.StatusForbidden, "wrong_pin")
			n++
		}
	}
	want(t, try("10.0.1.1", "222222", 1000), http.StatusForbidden, "wrong_pin")
	want(t, try("10.0.1.1", "333333", 1001), http.StatusTooManyRequests, "too_many_pin_attempts")
	// Another room is not affected.
	other := host.createRoom(map[string]any{"name": "Other", "pin": "123456"})
	c := e.client()
	want(t, c.do("POST", "/api/rooms/"+other.ID+"/join", map[string]string{"name": "G", "pin": "123456", "fingerprint": "fp-other-room"}, from("10.0.1.1")...), http.StatusAccepted)
}

func TestJoinBadInput(t *testing.T) {
	e := newEnv(t, sqlstore.SQLite, nil)
	host := e.client()
	host.register("bad@school.ru", "Host")
	r := host.createRoom(map[string]any{"name": "R"})
	for _, tc := range []struct {
		name string
		body any
		code string
	}{
		{"no name", map[string]string{"fingerprint": "fp-0000001"}, "invalid"},
		{"long name", map[string]string{"name": string(make([]byte, 51)), "fingerprint": "fp-0000001"}, "invalid"},
		{"control chars", map[string]string{"name": "a\x07b", "fingerprint": "fp-0000001"}, "invalid"},
		{"no fingerprint", map[string]string{"name": "G"}, "invalid"},
		{"short fingerprint", map[string]string{"name": "G", "fingerprint": "abc"}, "invalid"},
		{"odd fingerprint", map[string]string{"name": "G", "fingerprint": "<script>alert</script>"}, "invalid"},
		{"malformed", `{"name":`, "invalid"},
		{"wrong type", `{"name": 1, "fingerprint": "fp-0000001"}`, "invalid"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			want(t, e.client().do("POST", "/api/rooms/"+r.ID+"/join", tc.body), http.StatusBadRequest, tc.code)
		})
	}
	want(t, e.client().join("00000000-0000-4000-8000-000000000000", "G", "", "fp-0000001"), http.StatusNotFound)
	want(t, e.client().join("nope", "G", "", "fp-0000001"), http.StatusNotFound)
	var q []any
	host.do("GET", "/api/rooms/"+r.ID+"/lobby", nil).json(t, &q)
	if len(q) != 0 {
		t.Fatalf("refused joins left entries: %v", q)
	}
	for _, body := range []any{map[string]any{"action": "approve"}, map[string]any{"entryId": "x", "all": true, "action": "approve"},
		map[string]any{"all": true, "action": "maybe"}} {
		want(t, host.do("POST", "/api/rooms/"+r.ID+"/lobby", body), http.StatusBadRequest)
	}
	want(t, host.do("POST", "/api/rooms/"+r.ID+"/lobby", map[string]any{"entryId": "00000000-0000-4000-8000-000000000000", "action": "approve"}), http.StatusNotFound)
	for _, body := range []any{map[string]any{"action": "explode"}, map[string]any{"action": "kick"}, map[string]any{"action": "lock", "identity": "x"}} {
		want(t, host.do("POST", "/api/rooms/"+r.ID+"/moderate", body), http.StatusBadRequest)
	}
	want(t, host.do("POST", "/api/rooms/"+r.ID+"/hand-raise", map[string]any{}), http.StatusBadRequest)
}

// A knock on a locked room waits for the host instead of meeting a dead end: the host sees
// it, a plain approval is still refused while locked, and "unlock and admit" lets exactly
// that guest in. The panic button rejects such knocks like any other.
func TestKnockOnALockedRoom(t *testing.T) {
	e := newLiveEnv(t, sqlstore.SQLite, nil)
	host, r := liveRoom(t, e, map[string]any{"name": "Закрыто"})
	want(t, host.do("POST", "/api/rooms/"+r.ID+"/moderate", map[string]any{"action": "lock"}), http.StatusOK)
	hostEvents := host.stream("/api/rooms/" + r.ID + "/events")
	hostEvents.Next("snapshot")

	late := e.client()
	res := late.join(r.ID, "Опоздавший", "", "fp-late-00001")
	want(t, res, http.StatusLocked, "room_locked")
	a := res.joined(t)
	if a.Status != "pending" || a.EntryID == "" || a.Identity == "" {
		t.Fatalf("knock on a locked room = %s", res.body)
	}
	var knock struct{ EntryID, Identity string }
	json.Unmarshal([]byte(hostEvents.Next("lobby.knock").Data), &knock)
	if knock.EntryID != a.EntryID || knock.Identity != a.Identity {
		t.Fatalf("host saw knock %+v, want %+v", knock, a)
	}
	lobby := late.stream("/api/rooms/" + r.ID + "/lobby/stream")
	var snap struct {
		Room  struct{ Locked bool }
		Entry struct{ EntryID, Status string }
	}
	json.Unmarshal([]byte(lobby.Next("snapshot").Data), &snap)
	if !snap.Room.Locked || snap.Entry.EntryID != a.EntryID || snap.Entry.Status != "PENDING" {
		t.Fatalf("the waiting guest's snapshot = %+v", snap)
	}
	// Asking again is the same request, not a second one.
	again := late.join(r.ID, "Опоздавший", "", "fp-late-00001")
	want(t, again, http.StatusLocked, "room_locked")
	if b := again.joined(t); b.EntryID != a.EntryID {
		t.Fatalf("second knock made entry %s, want %s", b.EntryID, a.EntryID)
	}
	// Locked means locked: no plain approval, no token.
	want(t, host.do("POST", "/api/rooms/"+r.ID+"/lobby", map[string]any{"entryId": a.EntryID, "action": "approve"}), http.StatusLocked, "room_locked")
	want(t, host.do("POST", "/api/rooms/"+r.ID+"/lobby", map[string]any{"all": true, "action": "approve"}), http.StatusLocked, "room_locked")
	want(t, late.token(r.ID), http.StatusForbidden, "not_admitted")

	want(t, host.do("POST", "/api/rooms/"+r.ID+"/lobby", map[string]any{"entryId": a.EntryID, "action": "unlock_and_approve"}), http.StatusOK)
	var dec struct{ EntryID, Status string }
	json.Unmarshal([]byte(lobby.Next("lobby.decision").Data), &dec)
	if dec.EntryID != a.EntryID || dec.Status != "APPROVED" {
		t.Fatalf("the guest's decision = %+v", dec)
	}
	var st struct{ Locked bool }
	json.Unmarshal([]byte(hostEvents.Next("room.state").Data), &st)
	if st.Locked {
		t.Fatal("unlock and admit left the room locked")
	}
	want(t, late.token(r.ID), http.StatusOK)
	unlocks, err := e.db.ModerationLog(context.Background(), domain.ModerationFilter{RoomID: r.ID, Action: "unlock", Limit: 10})
	if err != nil || len(unlocks) != 1 {
		t.Fatalf("moderation log's unlocks = %+v, %v; want the one of unlock and admit", unlocks, err)
	}

	// Locked again, with two knocks waiting: the panic button rejects them, and nobody they
	// were is admitted, also after an unlock.
	want(t, host.do("POST", "/api/rooms/"+r.ID+"/moderate", map[string]any{"action": "lock"}), http.StatusOK)
	raiders := []*client{e.client(), e.client()}
	for i, g := range raiders {
		want(t, g.join(r.ID, "Рейдер", "", "fp-raider-000"+string(rune('1'+i))), http.StatusLocked, "room_locked")
	}
	var out struct{ Rejected int }
	host.do("POST", "/api/rooms/"+r.ID+"/moderate", map[string]any{"action": "panic"}).json(t, &out)
	if out.Rejected != 2 {
		t.Fatalf("panic rejected %d knocks, want 2", out.Rejected)
	}
	want(t, host.do("POST", "/api/rooms/"+r.ID+"/moderate", map[string]any{"action": "unlock"}), http.StatusOK)
	for _, g := range raiders {
		want(t, g.token(r.ID), http.StatusForbidden, "not_admitted")
	}
}

// Without a lobby, a locked room still lets nobody in by itself: the knock waits, and asking
// again after the host unlocks gets in.
func TestKnockOnALockedRoomWithoutLobby(t *testing.T) {
	e := newLiveEnv(t, sqlstore.SQLite, nil)
	host, r := liveRoom(t, e, map[string]any{"name": "Без лобби", "lobbyEnabled": false})
	want(t, host.do("POST", "/api/rooms/"+r.ID+"/moderate", map[string]any{"action": "lock"}), http.StatusOK)
	g := e.client()
	want(t, g.join(r.ID, "Студент", "", "fp-nolobby-01"), http.StatusLocked, "room_locked")
	want(t, g.token(r.ID), http.StatusForbidden, "not_admitted")
	var queue []struct{ Name string }
	host.do("GET", "/api/rooms/"+r.ID+"/lobby", nil).json(t, &queue)
	if len(queue) != 1 || queue[0].Name != "Студент" {
		t.Fatalf("lobby of the locked room = %+v", queue)
	}
	want(t, host.do("POST", "/api/rooms/"+r.ID+"/moderate", map[string]any{"action": "unlock"}), http.StatusOK)
	want(t, g.join(r.ID, "Студент", "", "fp-nolobby-01"), http.StatusOK)
	want(t, g.token(r.ID), http.StatusOK)
}

// A guest cannot take a name that reads as the host's: the host's own (in any case, spacing or
// look-alike letters) or a role word.
func TestGuestCannotPassForTheHost(t *testing.T) {
	e := newEnv(t, sqlstore.SQLite, nil)
	host := e.client()
	host.register("anna@school.ru", "Анна Петровна")
	r := host.createRoom(map[string]any{"name": "Names"})
	for _, name := range []string{"Анна Петровна", "анна петровна!", "Aнна Петровна", "Учитель", "(Teacher)", "HOST 2"} {
		res := e.client().join(r.ID, name, "", "fp-names-0001")
		want(t, res, http.StatusBadRequest, "invalid")
		if !strings.Contains(string(res.body), `"field":"name"`) {
			t.Errorf("%q: %s", name, res.body)
		}
	}
	want(t, e.client().join(r.ID, "Анна", "", "fp-names-0002"), http.StatusAccepted)
}

// Four addresses guessing at their limit never lock the class out: a student with the right
// PIN from its own address gets in, and the host is told that the PIN is under attack.
func TestPINAttackNeverLocksTheClassOut(t *testing.T) {
	e := newEnv(t, sqlstore.SQLite, map[string]string{"TRUSTED_PROXIES": "127.0.0.1"})
	host := e.client()
	host.register("attacked@school.ru", "Host")
	r := host.createRoom(map[string]any{"name": "Attacked", "pin": "481516"})
	events := host.stream("/api/rooms/" + r.ID + "/events")
	events.Next("snapshot")
	try := func(ip, pin string, n int) response {
		return e.client().do("POST", "/api/rooms/"+r.ID+"/join", map[string]string{"name": "G", "pin": pin,
			"fingerprint": "fp-attack-" + strconv.Itoa(n) + "x"}, "X-Forwarded-For", ip)
	}
	for round := range 3 {
		for a := 1; a <= 4; a++ {
			for i := range 5 {
				res := try("198.51.100."+strconv.Itoa(a), "000000", round*100+a*10+i)
				if res.status != http.StatusForbidden && res.status != http.StatusTooManyRequests {
					t.Fatalf("a guess: %d %s", res.status, res.body)
				}
			}
		}
		want(t, try("203.0.113."+strconv.Itoa(round+1), "481516", 900+round), http.StatusAccepted)
	}
	ev := events.Next("pin.attack")
	if !strings.Contains(ev.Data, "wrongPerMinute") {
		t.Fatalf("pin.attack = %s", ev.Data)
	}
	events.Quiet("pin.attack", 300*time.Millisecond) // once, not per guess
}
