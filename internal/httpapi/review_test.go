package httpapi_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	lkproto "github.com/livekit/protocol/livekit"
	lksdk "github.com/livekit/server-sdk-go/v2"

	"github.com/liveserver/liveserver/internal/livekit/livekittest"
	"github.com/liveserver/liveserver/internal/sqlstore"
)

// LiveKit cannot revoke a token and refreshes a connected client's: a removed guest that
// reconnects with the token it holds is sent away again by our participant_joined check.
func TestRemovedGuestReconnectingIsSentAway(t *testing.T) {
	e := newLiveEnv(t, sqlstore.SQLite, nil)
	host, r := liveRoom(t, e, map[string]any{"name": "Return"})
	hostBot(t, host, r.ID)
	g := e.client()
	a := g.join(r.ID, "Настырный", "", "fp-returner-1").joined(t)
	want(t, host.do("POST", "/api/rooms/"+r.ID+"/lobby", map[string]any{"entryId": a.EntryID, "action": "approve"}), http.StatusOK)
	var tok struct{ Token, URL string }
	g.token(r.ID).json(t, &tok)
	bot, err := livekittest.Join(t, tok.URL, tok.Token)
	if err != nil {
		t.Fatal(err)
	}
	// The first connection's participant_joined first: coming after the kick, its check would
	// remove the returner's second connection before LiveKit reports it joined (correct, but
	// then this test could not tell that LiveKit accepted the old token).
	waitUntil(t, "LiveKit to report the first join", func() bool { return e.joinsSeen(a.Identity) >= 1 })
	want(t, host.do("POST", "/api/rooms/"+r.ID+"/moderate", map[string]any{"action": "kick", "identity": a.Identity}), http.StatusOK)
	bot.WaitGone(t, lksdk.ParticipantRemoved, lkproto.DisconnectReason_PARTICIPANT_REMOVED)

	// Our check may remove the returner before its client counts itself connected, and then
	// Join fails; either way LiveKit must have let it in on the old token.
	again, err := livekittest.Join(t, tok.URL, tok.Token) // the old token is still valid for LiveKit
	waitUntil(t, "LiveKit to report the second join", func() bool { return e.joinsSeen(a.Identity) >= 2 })
	if err == nil {
		again.WaitGone(t, lksdk.ParticipantRemoved, lkproto.DisconnectReason_PARTICIPANT_REMOVED)
	}
	waitUntil(t, "the returner to be gone from the call", func() bool { return !identities(t, e, r.LectureID)[a.Identity] })
}

// Stopping a guest's publishing outlives a new token (a reload); allowing gives it back.
func TestStopPublishingOutlivesReload(t *testing.T) {
	e := newLiveEnv(t, sqlstore.SQLite, nil)
	host, r := liveRoom(t, e, map[string]any{"name": "Quiet", "lobbyEnabled": false})
	g, a, _ := admittedBot(t, e, host, r.ID, "Шумный", "fp-noisy-0001")
	want(t, host.do("POST", "/api/rooms/"+r.ID+"/moderate", map[string]any{"action": "stop_publishing", "identity": a.Identity}), http.StatusOK)
	canPublish := func() bool {
		var tok struct{ Token, URL string }
		g.token(r.ID).json(t, &tok)
		b, err := livekittest.Join(t, tok.URL, tok.Token)
		if err != nil {
			t.Fatal(err)
		}
		defer b.Room.Disconnect()
		return b.Room.LocalParticipant.Permissions().GetCanPublish()
	}
	if canPublish() {
		t.Fatal("a new token gave the right to publish back")
	}
	want(t, host.do("POST", "/api/rooms/"+r.ID+"/moderate", map[string]any{"action": "allow_publishing", "identity": a.Identity}), http.StatusOK)
	if !canPublish() {
		t.Fatal("allow_publishing did not give the right back")
	}
}

// An admin helping in someone else's room is a host in the call: panic leaves them there.
func TestPanicSparesAdminCoHost(t *testing.T) {
	e := newLiveEnv(t, sqlstore.SQLite, nil)
	admin := e.client()
	me := admin.register("admin@school.ru", "Admin")
	host, r := liveRoom(t, e, map[string]any{"name": "Cohost", "lobbyEnabled": false})
	hostBot(t, host, r.ID)
	hostBot(t, admin, r.ID)
	_, _, guest := admittedBot(t, e, host, r.ID, "Гость", "fp-cohost-001")
	res := host.do("POST", "/api/rooms/"+r.ID+"/moderate", map[string]any{"action": "panic"})
	want(t, res, http.StatusOK)
	guest.WaitGone(t, lksdk.ParticipantRemoved, lkproto.DisconnectReason_PARTICIPANT_REMOVED)
	if !identities(t, e, r.LectureID)[me.ID] {
		t.Fatal("panic removed the admin helping in the room")
	}
	want(t, host.do("POST", "/api/rooms/"+r.ID+"/moderate", map[string]any{"action": "mute", "identity": me.ID}), http.StatusForbidden)
}

func TestRoomChangesKeepEachOther(t *testing.T) {
	e := newLiveEnv(t, sqlstore.SQLite, nil)
	host, r := liveRoom(t, e, map[string]any{"name": "Keep"})
	want(t, host.do("POST", "/api/rooms/"+r.ID+"/moderate", map[string]any{"action": "lock"}), http.StatusOK)
	var got room
	host.do("PATCH", "/api/rooms/"+r.ID, map[string]any{"chatEnabled": false}).json(t, &got)
	if !got.Locked || got.ChatEnabled {
		t.Fatalf("a settings change undid the lock: %+v", got)
	}
	// A live room is not deleted from under its call.
	want(t, host.do("DELETE", "/api/rooms/"+r.ID, nil), http.StatusConflict)
	want(t, host.do("POST", "/api/rooms/"+r.ID+"/end", nil), http.StatusOK)
	want(t, host.do("DELETE", "/api/rooms/"+r.ID, nil), http.StatusNoContent)
}

// A guest waiting when the host switches the lobby off gets in on asking again; an admitted
// guest reloading in a full room keeps their place.
func TestLobbySwitchedOffAndFullRoom(t *testing.T) {
	e := newLiveEnv(t, sqlstore.SQLite, nil)
	host, r := liveRoom(t, e, map[string]any{"name": "Switch", "maxParticipants": 2})
	hostBot(t, host, r.ID)
	g := e.client()
	if a := g.join(r.ID, "Ждёт", "", "fp-switch-001").joined(t); a.Status != "pending" {
		t.Fatalf("join = %+v", a)
	}
	want(t, host.do("PATCH", "/api/rooms/"+r.ID, map[string]any{"lobbyEnabled": false}), http.StatusOK)
	res := g.join(r.ID, "Ждёт", "", "fp-switch-001")
	want(t, res, http.StatusOK)
	var tok struct{ Token, URL string }
	g.token(r.ID).json(t, &tok)
	if _, err := livekittest.Join(t, tok.URL, tok.Token); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, "two in the call", func() bool { return len(identities(t, e, r.LectureID)) == 2 })
	want(t, g.join(r.ID, "Ждёт", "", "fp-switch-001"), http.StatusOK) // a reload
	want(t, e.client().join(r.ID, "Третий", "", "fp-switch-003"), http.StatusConflict, "room_full")
	_ = time.Second
}

// A room_finished webhook that never reached us (our server was down): the room is ended once
// LiveKit has not had it for the grace, found by comparing our live rooms with LiveKit's list.
func TestVanishedRoomIsEnded(t *testing.T) {
	e := newLiveEnv(t, sqlstore.SQLite, nil)
	host, r := liveRoom(t, e, map[string]any{"name": "Lost"})
	ctx := context.Background()
	if n, err := e.svc.EndVanished(ctx, 0); err != nil || n != 0 {
		t.Fatalf("a room LiveKit has was ended: %d, %v", n, err)
	}
	e.lostWebhooks.Store(true)
	if err := e.lk.DeleteRoom(ctx, r.LectureID); err != nil {
		t.Fatal(err)
	}
	for range 2 { // first seen missing, then still inside the grace
		if n, err := e.svc.EndVanished(ctx, time.Hour); err != nil || n != 0 {
			t.Fatalf("ended inside the grace: %d, %v", n, err)
		}
	}
	var got room
	host.do("GET", "/api/rooms/"+r.ID, nil).json(t, &got)
	if got.Status != "LIVE" {
		t.Fatalf("status %s before the grace ran out", got.Status)
	}
	if n, err := e.svc.EndVanished(ctx, 0); err != nil || n != 1 {
		t.Fatalf("the vanished room was not ended: %d, %v", n, err)
	}
	host.do("GET", "/api/rooms/"+r.ID, nil).json(t, &got)
	if got.Status != "ENDED" {
		t.Fatalf("status %s, want ENDED", got.Status)
	}
	jobs, err := e.db.JobsOf(ctx, r.ID)
	if err != nil || len(jobs) != 1 {
		t.Fatalf("summary job: %+v, %v", jobs, err)
	}
}
