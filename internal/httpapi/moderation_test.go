package httpapi_test

import (
	"bufio"
	"context"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	lkproto "github.com/livekit/protocol/livekit"
	lksdk "github.com/livekit/server-sdk-go/v2"
	"github.com/pion/webrtc/v4"

	"github.com/liveserver/liveserver/internal/livekit/livekittest"
	"github.com/liveserver/liveserver/internal/sqlstore"
)

// admittedBot lets a guest in through the lobby and connects a bot with the guest's token.
func admittedBot(t *testing.T, e *env, host *client, roomID, name, fp string) (*client, joinAnswer, *livekittest.Bot) {
	t.Helper()
	g := e.client()
	a := g.join(roomID, name, "", fp).joined(t)
	if a.Status == "pending" {
		want(t, host.do("POST", "/api/rooms/"+roomID+"/lobby", map[string]any{"entryId": a.EntryID, "action": "approve"}), http.StatusOK)
	}
	var tok struct{ Token, URL string }
	r := g.token(roomID)
	want(t, r, http.StatusOK)
	r.json(t, &tok)
	bot, err := livekittest.Join(t, tok.URL, tok.Token)
	if err != nil {
		t.Fatalf("%s could not join: %v", name, err)
	}
	return g, a, bot
}

func hostBot(t *testing.T, host *client, roomID string) *livekittest.Bot {
	t.Helper()
	var tok struct{ Token, URL string }
	host.token(roomID).json(t, &tok)
	bot, err := livekittest.Join(t, tok.URL, tok.Token)
	if err != nil {
		t.Fatalf("host could not join: %v", err)
	}
	return bot
}

func identities(t *testing.T, e *env, roomID string) map[string]bool {
	t.Helper()
	ps, err := e.lk.Participants(context.Background(), roomID)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]bool{}
	for _, p := range ps {
		out[p.Identity] = true
	}
	return out
}

// One call against a raid: only the host is left in the video room, the lobby is empty, the
// room is locked, guest chat and uploads are off, and nobody removed gets back in.
func TestPanicButton(t *testing.T) {
	e := newLiveEnv(t, sqlstore.SQLite, nil)
	host, r := liveRoom(t, e, map[string]any{"name": "Рейд"})
	hostBot(t, host, r.ID)
	var me user
	host.do("GET", "/api/auth/me", nil).json(t, &me)

	var guests []*client
	var bots []*livekittest.Bot
	for i, name := range []string{"Тролль 1", "Тролль 2", "Тролль 3"} {
		g, _, bot := admittedBot(t, e, host, r.ID, name, "fp-raid-000"+string(rune('1'+i)))
		guests, bots = append(guests, g), append(bots, bot)
	}
	waiting := []*client{e.client(), e.client()}
	for i, w := range waiting {
		want(t, w.join(r.ID, "Ждёт", "", "fp-raid-wait"+string(rune('1'+i))), http.StatusAccepted)
	}
	if got := identities(t, e, r.LectureID); len(got) != 4 {
		t.Fatalf("before panic: %d in the call, want 4", len(got))
	}
	hostEvents := host.stream("/api/rooms/" + r.ID + "/events")
	hostEvents.Next("snapshot")

	res := host.do("POST", "/api/rooms/"+r.ID+"/moderate", map[string]any{"action": "panic"})
	want(t, res, http.StatusOK)
	var out struct {
		Locked, ChatEnabled, FilesEnabled bool
		Removed, Rejected                 int
	}
	res.json(t, &out)
	if !out.Locked || out.ChatEnabled || out.FilesEnabled || out.Removed != 3 || out.Rejected != 2 {
		t.Fatalf("panic result = %s", res.body)
	}
	for _, b := range bots {
		b.WaitGone(t, lksdk.ParticipantRemoved, lkproto.DisconnectReason_PARTICIPANT_REMOVED)
	}
	if got := identities(t, e, r.LectureID); len(got) != 1 || !got[me.ID] {
		t.Fatalf("after panic the call has %v, want only the host", got)
	}
	var queue []any
	host.do("GET", "/api/rooms/"+r.ID+"/lobby", nil).json(t, &queue)
	if len(queue) != 0 {
		t.Fatalf("lobby after panic = %v", queue)
	}
	var after room
	host.do("GET", "/api/rooms/"+r.ID, nil).json(t, &after)
	if !after.Locked || after.ChatEnabled || after.FilesEnabled {
		t.Fatalf("room after panic = %+v", after)
	}
	state := hostEvents.Next("room.state")
	var st struct{ Locked, ChatEnabled bool }
	json.Unmarshal([]byte(state.Data), &st)
	if !st.Locked || st.ChatEnabled {
		t.Fatalf("room.state event = %s", state.Data)
	}
	for _, g := range append(guests, waiting...) {
		want(t, g.token(r.ID), http.StatusForbidden, "not_admitted")
		want(t, g.join(r.ID, "Снова", "", "fp-raid-again"), http.StatusLocked, "room_locked")
	}
	// Unlocking is separate and deliberate; even then, removed guests must knock again.
	want(t, host.do("POST", "/api/rooms/"+r.ID+"/moderate", map[string]any{"action": "unlock"}), http.StatusOK)
	for _, g := range guests {
		want(t, g.token(r.ID), http.StatusForbidden, "not_admitted")
	}
	want(t, host.token(r.ID), http.StatusOK)
}

// Kick, mute and stop publishing reach the video room.
func TestModerationInTheCall(t *testing.T) {
	e := newLiveEnv(t, sqlstore.SQLite, nil)
	host, r := liveRoom(t, e, map[string]any{"name": "Call", "lobbyEnabled": false})
	watcher := hostBot(t, host, r.ID)
	_ = watcher
	_, a, bot := admittedBot(t, e, host, r.ID, "Говорун", "fp-talker-001")

	track, err := lksdk.NewLocalSampleTrack(webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeOpus, ClockRate: 48000, Channels: 2})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := bot.Room.LocalParticipant.PublishTrack(track, &lksdk.TrackPublicationOptions{Name: "mic", Source: lkproto.TrackSource_MICROPHONE}); err != nil {
		t.Fatal(err)
	}
	trackState := func() (published, muted int) {
		p, err := e.lk.Client().GetParticipant(context.Background(), r.LectureID, a.Identity)
		if err != nil {
			return 0, 0
		}
		for _, tr := range p.Tracks {
			if tr.Kind == "audio" {
				published++
				if tr.Muted {
					muted++
				}
			}
		}
		return
	}
	waitUntil(t, "the microphone track to be published", func() bool { p, _ := trackState(); return p == 1 })

	res := host.do("POST", "/api/rooms/"+r.ID+"/moderate", map[string]any{"action": "mute", "identity": a.Identity})
	want(t, res, http.StatusOK)
	waitUntil(t, "the track to be muted", func() bool { _, m := trackState(); return m == 1 })

	want(t, host.do("POST", "/api/rooms/"+r.ID+"/moderate", map[string]any{"action": "stop_publishing", "identity": a.Identity}), http.StatusOK)
	waitUntil(t, "the track to be unpublished", func() bool { p, _ := trackState(); return p == 0 })
	if p, err := e.lk.Client().GetParticipant(context.Background(), r.LectureID, a.Identity); err != nil || p.CanPublish {
		t.Fatalf("after stop_publishing: %+v, %v", p, err)
	}

	// The host cannot be moderated away.
	var me user
	host.do("GET", "/api/auth/me", nil).json(t, &me)
	want(t, host.do("POST", "/api/rooms/"+r.ID+"/moderate", map[string]any{"action": "kick", "identity": me.ID}), http.StatusForbidden)

	want(t, host.do("POST", "/api/rooms/"+r.ID+"/moderate", map[string]any{"action": "kick", "identity": a.Identity}), http.StatusOK)
	bot.WaitGone(t, lksdk.ParticipantRemoved, lkproto.DisconnectReason_PARTICIPANT_REMOVED)
	want(t, host.do("POST", "/api/rooms/"+r.ID+"/moderate", map[string]any{"action": "kick", "identity": "nobody-here"}), http.StatusNotFound)
	want(t, host.do("POST", "/api/rooms/"+r.ID+"/moderate", map[string]any{"action": "mute_all"}), http.StatusOK)
}

func TestHandsAndResume(t *testing.T) {
	e := newLiveEnv(t, sqlstore.SQLite, nil)
	host, r := liveRoom(t, e, map[string]any{"name": "Hands", "lobbyEnabled": false})
	g := e.client()
	a := g.join(r.ID, "Отличник", "", "fp-hands-0001").joined(t)
	hostEvents := host.stream("/api/rooms/" + r.ID + "/events")
	hostEvents.Next("snapshot")

	want(t, g.do("POST", "/api/rooms/"+r.ID+"/hand-raise", map[string]any{"raised": true}), http.StatusNoContent)
	up := hostEvents.Next("hand")
	var h struct {
		Identity string
		Raised   bool
	}
	json.Unmarshal([]byte(up.Data), &h)
	if h.Identity != a.Identity || !h.Raised {
		t.Fatalf("hand event = %s", up.Data)
	}
	// Raising twice is one raise.
	want(t, g.do("POST", "/api/rooms/"+r.ID+"/hand-raise", map[string]any{"raised": true}), http.StatusNoContent)
	hostEvents.Quiet("hand", 200*time.Millisecond)

	// The host's stream drops; meanwhile the host lowers the hand and locks the room. A
	// reconnect with Last-Event-ID gets exactly what it missed, in order, once.
	hostEvents.Close()
	want(t, host.do("POST", "/api/rooms/"+r.ID+"/moderate", map[string]any{"action": "lower_hand", "identity": a.Identity}), http.StatusOK)
	want(t, host.do("POST", "/api/rooms/"+r.ID+"/moderate", map[string]any{"action": "lock"}), http.StatusOK)
	resumed := host.stream("/api/rooms/"+r.ID+"/events", "Last-Event-ID", up.ID)
	snap := resumed.Next("snapshot")
	var s struct{ Hands []any }
	json.Unmarshal([]byte(snap.Data), &s)
	if len(s.Hands) != 0 {
		t.Fatalf("snapshot after lowering = %s", snap.Data)
	}
	down := resumed.Next("hand")
	lock := resumed.Next("room.state")
	if down.ID <= up.ID || lock.ID <= down.ID {
		t.Fatalf("ids %s, %s, %s are not increasing", up.ID, down.ID, lock.ID)
	}
	resumed.Quiet("hand", 200*time.Millisecond)

	// The snapshot of a new stream has the hand queue in order.
	want(t, g.do("POST", "/api/rooms/"+r.ID+"/hand-raise", map[string]any{"raised": true}), http.StatusNoContent)
	fresh := host.stream("/api/rooms/" + r.ID + "/events")
	json.Unmarshal([]byte(fresh.Next("snapshot").Data), &s)
	if len(s.Hands) != 1 {
		t.Fatalf("hands in snapshot = %v", s.Hands)
	}
}

func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// An idle stream sends heartbeat comments, so proxies and clients see it alive.
func TestStreamHeartbeat(t *testing.T) {
	e := newEnv(t, sqlstore.SQLite, nil)
	host := e.client()
	host.register("beat@school.ru", "Host")
	r := host.createRoom(map[string]any{"name": "Beat"})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", e.srv.URL+"/api/rooms/"+r.ID+"/events", nil)
	resp, err := host.http.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); ct != "text/event-stream" {
		t.Fatalf("Content-Type = %q", ct)
	}
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		if sc.Text() == ": ping" {
			return
		}
	}
	t.Fatalf("no heartbeat before the stream ended: %v", sc.Err())
}

// A kicked or banned guest's hand goes down for everyone: the host's queue, live and in the
// snapshot, does not keep it, also after the guest is let back in.
func TestRemovedGuestsHandIsLowered(t *testing.T) {
	e := newLiveEnv(t, sqlstore.SQLite, nil)
	host, r := liveRoom(t, e, map[string]any{"name": "Hands out", "lobbyEnabled": false})
	hostEvents := host.stream("/api/rooms/" + r.ID + "/events")
	hostEvents.Next("snapshot")
	for i, action := range []string{"kick", "ban"} {
		g := e.client()
		fp := "fp-hand-out-" + string(rune('1'+i))
		a := g.join(r.ID, "Поднял руку", "", fp).joined(t)
		want(t, g.do("POST", "/api/rooms/"+r.ID+"/hand-raise", map[string]any{"raised": true}), http.StatusNoContent)
		hostEvents.Next("hand")
		want(t, host.do("POST", "/api/rooms/"+r.ID+"/moderate", map[string]any{"action": action, "identity": a.Identity}), http.StatusOK)
		down := hostEvents.Next("hand")
		var h struct {
			Identity string
			Raised   bool
		}
		json.Unmarshal([]byte(down.Data), &h)
		if h.Identity != a.Identity || h.Raised {
			t.Fatalf("after %s: hand event = %s, want the guest's hand lowered", action, down.Data)
		}
		if action == "kick" {
			// Let back in (the lobby is off): the hand stays down.
			want(t, g.join(r.ID, "Поднял руку", "", fp), http.StatusOK)
		}
		var s struct{ Hands []any }
		fresh := host.stream("/api/rooms/" + r.ID + "/events")
		json.Unmarshal([]byte(fresh.Next("snapshot").Data), &s)
		fresh.Close()
		if len(s.Hands) != 0 {
			t.Fatalf("after %s: hands in the snapshot = %v", action, s.Hands)
		}
	}
}
