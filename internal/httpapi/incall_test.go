package httpapi_test

import (
	"context"
	"net/http"
	"sync"
	"testing"
	"time"

	lkproto "github.com/livekit/protocol/livekit"
	lksdk "github.com/livekit/server-sdk-go/v2"
	"github.com/pion/webrtc/v4"
	"github.com/pion/webrtc/v4/pkg/media"

	"github.com/liveserver/liveserver/internal/domain"
	"github.com/liveserver/liveserver/internal/livekit/livekittest"
	"github.com/liveserver/liveserver/internal/sqlstore"
)

// removalBound is how long a guest without admission may stay in the call after connecting:
// our participant_joined check removes it in well under a second on loopback; the bound is
// generous for a loaded CI machine.
const removalBound = 10 * time.Second

// speak publishes a microphone from room and keeps sending silent Opus frames (and, when
// data is set, a data packet every 100 ms) until the test ends.
func speak(t *testing.T, room *lksdk.Room, data bool) {
	t.Helper()
	if err := trySpeak(t, room, data); err != nil {
		t.Fatal(err)
	}
}

// trySpeak is speak for a publisher whose right may be withdrawn while it starts.
func trySpeak(t *testing.T, room *lksdk.Room, data bool) error {
	track, err := lksdk.NewLocalSampleTrack(webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeOpus, ClockRate: 48000, Channels: 2})
	if err != nil {
		return err
	}
	if _, err := room.LocalParticipant.PublishTrack(track, &lksdk.TrackPublicationOptions{Name: "mic", Source: lkproto.TrackSource_MICROPHONE}); err != nil {
		return err
	}
	stop := make(chan struct{})
	done := make(chan struct{})
	t.Cleanup(func() { close(stop); <-done })
	go func() {
		defer close(done)
		tick := time.NewTicker(20 * time.Millisecond)
		defer tick.Stop()
		for n := 0; ; n++ {
			select {
			case <-stop:
				return
			case <-tick.C:
			}
			_ = track.WriteSample(media.Sample{Data: []byte{0xf8, 0xff, 0xfe}, Duration: 20 * time.Millisecond}, nil)
			if data && n%5 == 0 {
				_ = room.LocalParticipant.PublishDataPacket(lksdk.UserData([]byte("from the host")), lksdk.WithDataPublishReliable(true))
			}
		}
	}()
	return nil
}

// replayResult is what one token replayed after a removal brought its holder.
type replayResult struct {
	canSubscribe bool
	window       time.Duration // from the start of the connect to the removal
	inCall       time.Duration // from the connect's end to the removal (0: removed while connecting)
	connected    bool          // the SDK counted itself connected
	media, data  int64
}

// replayAll connects with every token the tap has seen, one after the other, and measures each
// connection until the server sends it away.
func replayAll(t *testing.T, e *env, tap *livekittest.TokenTap, tokens []string) []replayResult {
	t.Helper()
	var out []replayResult
	for _, tok := range tokens {
		sub, _, err := livekittest.TokenRights(tok, e.lk.Config().APISecret)
		if err != nil {
			t.Fatalf("a token the guest held: %v", err)
		}
		rc, err := livekittest.Receive(t, tap.URL, tok)
		if err != nil {
			t.Logf("replayed token sent away while connecting: %v", err)
		}
		window, inCall := rc.WaitRemoved(t, removalBound)
		// Packets already on their way when the connection closed are counted too.
		time.Sleep(100 * time.Millisecond)
		r := replayResult{canSubscribe: sub, window: window, inCall: inCall, connected: rc.Connected(), media: rc.Media(), data: rc.Data()}
		t.Logf("replay (canSubscribe=%t): removed %v after the connect began, %v after it ended; %d media packets, %d data packets received",
			r.canSubscribe, r.window.Round(time.Millisecond), r.inCall.Round(time.Millisecond), r.media, r.data)
		out = append(out, r)
	}
	return out
}

// connectGuest lets g into the call through the tap and waits until our server has confirmed
// it (the call's audio reaches it), so that the tap holds the refreshed token with the right
// to receive.
func connectGuest(t *testing.T, e *env, tap *livekittest.TokenTap, g *client, roomID string) (*livekittest.Receiver, string) {
	t.Helper()
	var tok struct{ Token, URL string }
	r := g.token(roomID)
	want(t, r, http.StatusOK)
	r.json(t, &tok)
	if sub, _, err := livekittest.TokenRights(tok.Token, e.lk.Config().APISecret); err != nil || sub {
		t.Fatalf("a guest token grants receiving (%t, %v): it would outlive a kick", sub, err)
	}
	rc, err := livekittest.Receive(t, tap.URL, tok.Token)
	if err != nil {
		t.Fatal(err)
	}
	waitUntil(t, "the admitted guest to receive the call", func() bool { return rc.Media() > 0 })
	waitUntil(t, "the refreshed token with the right to receive", func() bool {
		for _, tk := range tap.Tokens() {
			if sub, _, _ := livekittest.TokenRights(tk, e.lk.Config().APISecret); sub {
				return true
			}
		}
		return false
	})
	return rc, tok.Token
}

func attendanceRows(t *testing.T, e *env, lectureID, identity string) int {
	t.Helper()
	rows, err := e.db.AttendanceOf(context.Background(), lectureID)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, a := range rows {
		if a.Identity == identity {
			n++
		}
	}
	return n
}

// A kicked, then banned guest keeps every token it ever held (the ones we gave it and the
// ones LiveKit refreshed on its signalling connection) and replays each one. After the kick
// every replay is out of the call within the bound and a token we minted lets it receive
// nothing. The ban moves the call to a new video room: from then on no kept token, not even a
// refreshed one with the right to receive, gets into any call (0 media and 0 data packets,
// over several rounds), while the host and another admitted guest follow to the new room and
// hear each other. Attendance keeps one row per real connection, however often the guest
// comes back. The windows, the packets and the break go into docs/security.md.
func TestKickAndBanHoldAgainstKeptTokens(t *testing.T) {
	e := newLiveEnv(t, sqlstore.SQLite, nil)
	secret := e.lk.Config().APISecret
	host, r := liveRoom(t, e, map[string]any{"name": "Кто сохранил токены"})
	hostCall := joinSpeaking(t, host, r.ID)
	tap := livekittest.NewTokenTap(t, e.lk.URL())

	// Another guest, admitted and in the call all along: it must follow the move.
	other := e.client()
	o := other.join(r.ID, "Остаётся", "", "fp-stayer-00001").joined(t)
	want(t, host.do("POST", "/api/rooms/"+r.ID+"/lobby", map[string]any{"entryId": o.EntryID, "action": "approve"}), http.StatusOK)
	otherCall := joinSpeaking(t, other, r.ID)
	waitUntil(t, "the host and the other guest to hear each other", func() bool { return hostCall.Media() > 0 && otherCall.Media() > 0 })

	g := e.client()
	a := g.join(r.ID, "Сохраняет", "", "fp-keeper-0001").joined(t)
	want(t, host.do("POST", "/api/rooms/"+r.ID+"/lobby", map[string]any{"entryId": a.EntryID, "action": "approve"}), http.StatusOK)
	rc, minted := connectGuest(t, e, tap, g, r.ID)
	waitUntil(t, "the guest's attendance", func() bool { return attendanceRows(t, e, r.LectureID, a.Identity) == 1 })

	want(t, host.do("POST", "/api/rooms/"+r.ID+"/moderate", map[string]any{"action": "kick", "identity": a.Identity}), http.StatusOK)
	rc.WaitRemoved(t, removalBound)
	kicked := tap.Tokens()
	check := func(phase string, results []replayResult, tokens []string) {
		t.Helper()
		for i, res := range results {
			if tokens[i] == minted && res.media != 0 {
				t.Errorf("%s: the token we minted let the guest receive %d media packets", phase, res.media)
			}
			if !res.canSubscribe && res.media != 0 {
				t.Errorf("%s: a token without the right to receive got %d media packets", phase, res.media)
			}
		}
		if !identities(t, e, r.LectureID)[a.Identity] {
			return
		}
		waitUntil(t, "the replayer to be gone from the call", func() bool { return !identities(t, e, r.LectureID)[a.Identity] })
	}
	check("after the kick", replayAll(t, e, tap, kicked), kicked)

	// Knocked again, let in again: one more real connection, and more tokens to keep.
	a2 := g.join(r.ID, "Сохраняет", "", "fp-keeper-0001").joined(t)
	want(t, host.do("POST", "/api/rooms/"+r.ID+"/lobby", map[string]any{"entryId": a2.EntryID, "action": "approve"}), http.StatusOK)
	rc, _ = connectGuest(t, e, tap, g, r.ID)
	waitUntil(t, "the second real connection's attendance", func() bool { return attendanceRows(t, e, r.LectureID, a.Identity) == 2 })

	banned := time.Now()
	want(t, host.do("POST", "/api/rooms/"+r.ID+"/moderate", map[string]any{"action": "ban", "identity": a.Identity}), http.StatusOK)
	answered := time.Since(banned)
	if why := rc.WaitGone(t, removalBound); why != lkproto.DisconnectReason_ROOM_DELETED {
		t.Errorf("the banned guest left the old call with %v, want ROOM_DELETED", why)
	}
	// The host and the other guest do what the web app does when their call is deleted under
	// them (or the call.moved event comes first): a new token, which names the new room.
	moved := domain.CallName(r.LectureID, 1)
	follow := func(who string, c *client, old *livekittest.Receiver, into **livekittest.Receiver) {
		if why := old.WaitGone(t, removalBound); why != lkproto.DisconnectReason_ROOM_DELETED {
			t.Errorf("%s left the old call with %v, want ROOM_DELETED", who, why)
		}
		var tok struct{ Token, URL string }
		c.token(r.ID).json(t, &tok)
		if room, err := livekittest.TokenRoom(tok.Token, secret); err != nil || room != moved {
			t.Errorf("%s's new token opens %q (%v), want the moved call %q", who, room, err, moved)
			return
		}
		rc, err := livekittest.Receive(t, tok.URL, tok.Token)
		if err != nil {
			t.Errorf("%s could not join the moved call: %v", who, err)
			return
		}
		if err := trySpeak(t, rc.Room, true); err != nil {
			t.Errorf("%s could not publish in the moved call: %v", who, err)
		}
		*into = rc
	}
	var wg sync.WaitGroup
	wg.Go(func() { follow("the host", host, hostCall, &hostCall) })
	wg.Go(func() { follow("the other guest", other, otherCall, &otherCall) })
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}
	waitUntil(t, "the host and the other guest to hear each other in the new call", func() bool { return hostCall.Media() > 0 && otherCall.Media() > 0 })
	t.Logf("ban answered in %v; first packet in the new call %v after the ban (host %d, other guest %d packets so far)",
		answered.Round(time.Millisecond), time.Since(banned).Round(time.Millisecond), hostCall.Media(), otherCall.Media())

	// Every token the banned guest ever held, replayed several times while the new call runs
	// with media and data: none gets in anywhere.
	tokens := tap.Tokens()
	withSubscribe := 0
	for _, tk := range tokens {
		if sub, _, _ := livekittest.TokenRights(tk, secret); sub {
			withSubscribe++
		}
		if room, _ := livekittest.TokenRoom(tk, secret); room == moved {
			t.Fatalf("the banned guest holds a token of the moved call")
		}
	}
	for round := range 3 {
		for i, res := range replayAll(t, e, tap, tokens) {
			if res.connected || res.media != 0 || res.data != 0 {
				t.Errorf("after the ban, round %d, token %d (canSubscribe=%t): connected=%t, %d media and %d data packets; want none",
					round, i, res.canSubscribe, res.connected, res.media, res.data)
			}
		}
	}
	t.Logf("after the ban: %d kept tokens (%d with canSubscribe) replayed 3 times each", len(tokens), withSubscribe)
	if identities(t, e, moved)[a.Identity] {
		t.Error("the banned guest is in the moved call")
	}

	if n := attendanceRows(t, e, r.LectureID, a.Identity); n != 2 {
		t.Errorf("attendance has %d rows for the guest after %d replays, want its 2 real connections", n, len(kicked)+3*len(tokens))
	}
	// The connections closed by the move end in attendance; the ones in the new call are open.
	waitUntil(t, "the other guest's connection in the old call to be closed in attendance", func() bool {
		rows, err := e.db.AttendanceOf(context.Background(), r.LectureID)
		if err != nil {
			t.Fatal(err)
		}
		closed, open := 0, 0
		for _, row := range rows {
			if row.Identity != o.Identity {
				continue
			}
			if row.LeftAt != nil {
				closed++
			} else if row.JoinedAt != nil {
				open++
			}
		}
		return closed == 1 && open == 1
	})
	// The old room's room_finished (its deletion) ended nothing: the lecture goes on.
	var now room
	host.do("GET", "/api/rooms/"+r.ID, nil).json(t, &now)
	if now.Status != "LIVE" || now.LectureID != r.LectureID {
		t.Errorf("after the move the room is %s with lecture %s, want LIVE with %s", now.Status, now.LectureID, r.LectureID)
	}
}

// joinSpeaking connects c to the room's call as a receiving bot that also publishes a
// microphone and sends data packets.
func joinSpeaking(t *testing.T, c *client, roomID string) *livekittest.Receiver {
	t.Helper()
	var tok struct{ Token, URL string }
	c.token(roomID).json(t, &tok)
	return joinSpeakingWith(t, tok.URL, tok.Token)
}

func joinSpeakingWith(t *testing.T, url, token string) *livekittest.Receiver {
	t.Helper()
	rc, err := livekittest.Receive(t, url, token)
	if err != nil {
		t.Fatal(err)
	}
	speak(t, rc.Room, true)
	return rc
}

// After stop_publishing, a guest that kept a token with the right to publish reconnects with
// it and publishes: our participant_joined check applies the stored state again, and the
// track is gone within the bound. The packets the host received meanwhile are the window.
func TestStopPublishingHoldsAgainstKeptTokens(t *testing.T) {
	e := newLiveEnv(t, sqlstore.SQLite, nil)
	host, r := liveRoom(t, e, map[string]any{"name": "Молчит", "lobbyEnabled": false})
	var hostTok struct{ Token, URL string }
	host.token(r.ID).json(t, &hostTok)
	listener, err := livekittest.Receive(t, hostTok.URL, hostTok.Token)
	if err != nil {
		t.Fatal(err)
	}
	tap := livekittest.NewTokenTap(t, e.lk.URL())
	g := e.client()
	a := g.join(r.ID, "Болтун", "", "fp-chatter-001").joined(t)
	var tok struct{ Token, URL string }
	g.token(r.ID).json(t, &tok)
	guest, err := livekittest.Join(t, tap.URL, tok.Token)
	if err != nil {
		t.Fatal(err)
	}
	want(t, host.do("POST", "/api/rooms/"+r.ID+"/moderate", map[string]any{"action": "stop_publishing", "identity": a.Identity}), http.StatusOK)
	waitUntil(t, "the refreshed token without the right to publish", func() bool {
		ts := tap.Tokens()
		_, pub, _ := livekittest.TokenRights(ts[len(ts)-1], e.lk.Config().APISecret)
		return !pub
	})
	guest.Room.Disconnect()
	waitUntil(t, "the guest to leave", func() bool { return !identities(t, e, r.LectureID)[a.Identity] })

	publishing := func() (canPublish bool, tracks int) {
		p, err := e.lk.Client().GetParticipant(context.Background(), r.LectureID, a.Identity)
		if err != nil {
			return false, 0
		}
		return p.CanPublish, len(p.Tracks)
	}
	replayed := 0
	for _, tk := range tap.Tokens() {
		if _, pub, _ := livekittest.TokenRights(tk, e.lk.Config().APISecret); !pub {
			continue
		}
		replayed++
		before := listener.Media()
		start := time.Now()
		b, err := livekittest.Join(t, tap.URL, tk)
		if err != nil {
			t.Fatal(err)
		}
		// Publishing may fail halfway when the right goes while the track is negotiated.
		spoke := make(chan struct{})
		go func() {
			defer close(spoke)
			if err := trySpeak(t, b.Room, false); err != nil {
				t.Logf("publishing on the replayed token failed: %v", err)
			}
		}()
		waitUntil(t, "the reconnected guest to be in the call", func() bool { return identities(t, e, r.LectureID)[a.Identity] })
		waitUntil(t, "the stored stop to hold on the reconnected guest", func() bool {
			can, n := publishing()
			return !can && n == 0
		})
		window := time.Since(start)
		time.Sleep(200 * time.Millisecond)
		t.Logf("replayed a token with the right to publish: stopped %v after connecting; the host received %d of its packets",
			window.Round(time.Millisecond), listener.Media()-before)
		b.Room.Disconnect()
		<-spoke
		waitUntil(t, "the guest to leave", func() bool { return !identities(t, e, r.LectureID)[a.Identity] })
	}
	if replayed == 0 {
		t.Fatal("the guest held no token with the right to publish: nothing was tested")
	}
}

// The right to receive and every removal depend on LiveKit's participant_joined webhook. When
// it never reaches us (our server was down while LiveKit gave up retrying), the periodic check
// of the calls does the same: the admitted guest gets the call, a kicked one back on its token
// is removed.
func TestCallCheckWithoutWebhooks(t *testing.T) {
	e := newLiveEnv(t, sqlstore.SQLite, nil)
	host, r := liveRoom(t, e, map[string]any{"name": "Без вебхуков", "lobbyEnabled": false})
	speak(t, hostBot(t, host, r.ID).Room, false)
	var me user
	host.do("GET", "/api/auth/me", nil).json(t, &me)
	waitUntil(t, "the host's connection to be reported", func() bool { return e.joinsSeen(me.ID) > 0 })
	e.lostWebhooks.Store(true)
	ctx := context.Background()

	g := e.client()
	a := g.join(r.ID, "Без вебхука", "", "fp-nohook-001").joined(t)
	var tok struct{ Token, URL string }
	g.token(r.ID).json(t, &tok)
	rc, err := livekittest.Receive(t, tok.URL, tok.Token)
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(500 * time.Millisecond)
	if n := rc.Media(); n != 0 {
		t.Fatalf("an unconfirmed guest received %d media packets", n)
	}
	if removed, confirmed, err := e.svc.CheckCalls(ctx); err != nil || removed != 0 || confirmed != 1 {
		t.Fatalf("CheckCalls = %d removed, %d confirmed, %v; want the guest confirmed", removed, confirmed, err)
	}
	waitUntil(t, "the confirmed guest to receive the call", func() bool { return rc.Media() > 0 })
	if removed, confirmed, err := e.svc.CheckCalls(ctx); err != nil || removed+confirmed != 0 {
		t.Fatalf("a second CheckCalls changed %d, %d (%v); want nothing", removed, confirmed, err)
	}

	want(t, host.do("POST", "/api/rooms/"+r.ID+"/moderate", map[string]any{"action": "kick", "identity": a.Identity}), http.StatusOK)
	rc.WaitRemoved(t, removalBound)
	back, err := livekittest.Receive(t, tok.URL, tok.Token)
	if err != nil {
		t.Fatal(err)
	}
	if removed, _, err := e.svc.CheckCalls(ctx); err != nil || removed != 1 {
		t.Fatalf("CheckCalls removed %d (%v); want the kicked guest back on its token", removed, err)
	}
	back.WaitRemoved(t, removalBound)
	if n := back.Media(); n != 0 {
		t.Errorf("the kicked guest back on our token received %d media packets", n)
	}
}
