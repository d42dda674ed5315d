package agent_test

import (
	"context"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/google/uuid"
	lksdk "github.com/livekit/server-sdk-go/v2"

	"github.com/liveserver/liveserver/internal/agent"
	"github.com/liveserver/liveserver/internal/deepgram"
	"github.com/liveserver/liveserver/internal/deepgram/deepgramtest"
	"github.com/liveserver/liveserver/internal/domain"
	"github.com/liveserver/liveserver/internal/livekit"
	"github.com/liveserver/liveserver/internal/livekit/livekittest"
	"github.com/liveserver/liveserver/internal/memory"
	"github.com/liveserver/liveserver/internal/ogg"
	"github.com/liveserver/liveserver/internal/ogg/oggtest"
	"github.com/liveserver/liveserver/internal/openai"
	"github.com/liveserver/liveserver/internal/openai/openaitest"
	"github.com/liveserver/liveserver/internal/sqlstore"
	"github.com/liveserver/liveserver/internal/sqlstore/sqlstoretest"
)

// lecture is a live room with a real LiveKit server and a store.
type lecture struct {
	srv    livekittest.Server
	client *livekit.Client
	db     *sqlstore.DB
	room   *domain.Room

	mu       sync.Mutex
	captions []received
}

func newLecture(t *testing.T) *lecture {
	t.Helper()
	ctx := context.Background()
	l := &lecture{srv: livekittest.Start(t), db: sqlstoretest.Open(t, sqlstore.SQLite)}
	var err error
	if l.client, err = livekit.NewClient(l.srv.Config); err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	owner, err := l.db.CreateUser(ctx, domain.User{ID: uuid.NewString(), Email: "t@school.ru", Name: "Teacher", Role: domain.RoleHost,
		PasswordHash: "x", CreatedAt: now, UpdatedAt: now}, false)
	if err != nil {
		t.Fatal(err)
	}
	r := domain.Room{ID: uuid.NewString(), LectureID: uuid.NewString(), Code: "abc-defg-hjk", OwnerID: owner.ID, Name: "Physics", ChatEnabled: true,
		MaxParticipants: 50, Status: domain.RoomCreated, CreatedAt: now, UpdatedAt: now}
	if err := l.db.CreateRoom(ctx, r); err != nil {
		t.Fatal(err)
	}
	if _, err := l.db.StartRoom(ctx, r.ID, r.LectureID, now); err != nil {
		t.Fatal(err)
	}
	if l.room, err = l.db.Room(ctx, r.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := l.client.CreateRoom(ctx, livekit.RoomSpec{Name: r.LectureID}); err != nil {
		t.Fatal(err)
	}
	l.listen(t)
	return l
}

// listen joins a listener that collects every caption stream.
func (l *lecture) listen(t *testing.T) {
	t.Helper()
	listener := l.join(t, livekit.TokenRequest{Identity: "bob", Name: "Bob", CanSubscribe: true})
	if err := listener.RegisterTextStreamHandler(agent.TranscriptionTopic, func(rd *lksdk.TextStreamReader, sender string) {
		text := rd.ReadAll()
		l.mu.Lock()
		l.captions = append(l.captions, received{sender: sender, info: rd.Info, text: text, at: time.Now()})
		l.mu.Unlock()
	}); err != nil {
		t.Fatal(err)
	}
}

func (l *lecture) join(t *testing.T, req livekit.TokenRequest) *lksdk.Room {
	t.Helper()
	req.Room, req.TTL = l.room.Call(), time.Minute
	tok, err := l.srv.Config.Token(req)
	if err != nil {
		t.Fatal(err)
	}
	b, err := livekittest.Join(t, l.srv.Config.URL, tok)
	if err != nil {
		t.Fatalf("%s could not join: %v", req.Identity, err)
	}
	return b.Room
}

func (l *lecture) received() []received {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]received(nil), l.captions...)
}

// runAgent starts an assistant; the returned function stops it gracefully.
func (l *lecture) runAgent(t *testing.T, id string, stt domain.STT, name string) func() {
	t.Helper()
	_, stop := l.startAgent(t, id, stt, name)
	waitFor(t, "the assistant to join", func() bool { return l.hasAgent(t, "agent-"+id) })
	return stop
}

// startAgent starts an assistant without waiting for it to join.
func (l *lecture) startAgent(t *testing.T, id string, stt domain.STT, name string) (*agent.Agent, func()) {
	t.Helper()
	return l.startAgentWith(t, agent.Deps{STT: stt, STTName: name},
		agent.Options{ID: id, Language: "ru", Reconcile: 200 * time.Millisecond, LeaseTTL: time.Second})
}

// startAgentWith starts an assistant on the lecture's store and LiveKit unless d names others;
// the returned function stops it gracefully (also at the test's end).
func (l *lecture) startAgentWith(t *testing.T, d agent.Deps, o agent.Options) (*agent.Agent, func()) {
	t.Helper()
	if d.Store == nil {
		d.Store = l.db
	}
	sfu, err := livekit.NewSFU(l.srv.Config)
	if err != nil {
		t.Fatal(err)
	}
	d.LiveKit, d.Rooms = l.srv.Config, sfu
	a, err := agent.New(d, o)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		a.Run(ctx)
	}()
	var once sync.Once
	stop := func() { once.Do(func() { cancel(); <-done }) }
	t.Cleanup(stop)
	return a, stop
}

func (l *lecture) hasAgent(t *testing.T, identity string) bool {
	ps, err := l.client.ListParticipants(context.Background(), l.room.Call())
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range ps {
		if p.Identity == identity {
			if !p.Hidden || p.Kind != livekit.KindAgent {
				t.Errorf("the assistant joined as hidden=%v kind=%q", p.Hidden, p.Kind)
			}
			return true
		}
	}
	return false
}

// fakeDeepgram starts the fake server and a client of it.
func fakeDeepgram(t *testing.T) (*deepgramtest.Server, *deepgram.Client) {
	t.Helper()
	dg := deepgramtest.Start(t)
	stt, err := deepgram.New(deepgram.Config{BaseURL: dg.URL, APIKey: deepgramtest.Key, Model: "nova-3"})
	if err != nil {
		t.Fatal(err)
	}
	return dg, stt
}

// speaker joins and publishes speech as a microphone; done is closed once it all went out.
type speaker struct {
	room *lksdk.Room
	pub  *lksdk.LocalTrackPublication
	done <-chan struct{}
}

func (l *lecture) speak(t *testing.T, identity, name string, speech []byte) speaker {
	t.Helper()
	room := l.join(t, livekit.TokenRequest{Identity: identity, Name: name, CanPublish: true, CanSubscribe: true})
	pub, sent := livekittest.PublishOgg(t, room, speech)
	return speaker{room: room, pub: pub, done: sent}
}

// finish waits until the speech went out, then unpublishes it, which ends the agent's track.
func (s speaker) finish(t *testing.T) {
	t.Helper()
	select {
	case <-s.done:
	case <-time.After(60 * time.Second):
		t.Fatal("the speech was not sent")
	}
	if err := s.room.LocalParticipant.UnpublishTrack(s.pub.SID()); err != nil {
		t.Fatal(err)
	}
}

func waitFor(t *testing.T, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (l *lecture) transcript(t *testing.T) []domain.TranscriptSegment {
	t.Helper()
	segs, err := l.db.Transcript(context.Background(), l.room.LectureID)
	if err != nil {
		t.Fatal(err)
	}
	return segs
}

const speechText = `Добрый день. Сегодня мы говорим о законах Ньютона. <break time="800ms"/>
Первый закон называется законом инерции. Тело сохраняет состояние покоя.`

func speechOgg(t *testing.T) ([]byte, ogg.Info) {
	t.Helper()
	data := oggtest.Speech(t, "ru", speechText)
	info, err := ogg.Validate(data, true)
	if err != nil {
		t.Fatal(err)
	}
	return data, info
}

// Real speech goes from a publishing bot through LiveKit to the assistant, on to Deepgram as
// Ogg/Opus, and back as captions in the room and segments in the database.
func TestCaptionsThroughDeepgram(t *testing.T) {
	speech, info := speechOgg(t)
	dg, stt := fakeDeepgram(t)
	l := newLecture(t)
	l.runAgent(t, "one", stt, "deepgram")
	alice := l.speak(t, "alice", "Алиса", speech)
	alice.finish(t)

	waitFor(t, "the stream to be closed", func() bool {
		cs := dg.Conns()
		return len(cs) == 1 && cs[0].CloseStream
	})
	c := dg.Conns()[0]
	if q := c.Query; q.Get("language") != "ru" || q.Get("interim_results") != "true" || q.Get("model") != "nova-3" {
		t.Errorf("query %v", q)
	}
	got, err := c.Info()
	if err != nil {
		t.Fatalf("Deepgram received no valid Ogg/Opus stream: %v", err)
	}
	// The assistant subscribes after the track is published, so the very start may be missed.
	if d := got.Duration() - info.Duration(); d < -time.Second || d > 300*time.Millisecond {
		t.Errorf("Deepgram received %v of audio, the speaker sent %v", got.Duration(), info.Duration())
	}
	t.Logf("sent %v of speech, Deepgram received %v in %d pages", info.Duration(), got.Duration(), got.Pages)

	pieces := int(got.Duration().Milliseconds()+deepgramtest.PieceMs-1) / deepgramtest.PieceMs
	waitFor(t, "every final segment in the database", func() bool { return len(l.transcript(t)) == pieces })
	segs := l.transcript(t)
	for i, s := range segs {
		if s.Text != deepgramtest.Text(0, i) || s.SpeakerIdentity != "alice" || s.SpeakerName != "Алиса" || s.Language != "ru" || s.TrackID != alice.pub.SID() {
			t.Errorf("segment %d: %+v", i, s)
		}
		if s.EndMs <= s.StartMs || (i > 0 && s.StartMs != segs[i-1].EndMs) {
			t.Errorf("segment %d spans %d–%d ms after %d–%d", i, s.StartMs, s.EndMs, segs[max(0, i-1)].StartMs, segs[max(0, i-1)].EndMs)
		}
		if i < len(segs)-1 && s.EndMs-s.StartMs != deepgramtest.PieceMs {
			t.Errorf("segment %d is %d ms long", i, s.EndMs-s.StartMs)
		}
	}
	if lateBy := time.Duration(segs[0].StartMs) * time.Millisecond; lateBy > 15*time.Second {
		t.Errorf("the first segment starts %v into the lecture", lateBy)
	}

	// Every piece reached the listener as an interim caption, then as the final one of the
	// same segment, sent on behalf of the speaker.
	waitFor(t, "the captions", func() bool { return len(l.received()) >= 2*pieces-1 })
	bySeg := map[string][]received{}
	for _, r := range l.received() {
		if r.sender != "alice" || r.info.Attributes[agent.AttrTrackID] != alice.pub.SID() || r.info.Topic != agent.TranscriptionTopic {
			t.Errorf("caption from %q with %v", r.sender, r.info.Attributes)
		}
		id := r.info.Attributes[agent.AttrSegmentID]
		bySeg[id] = append(bySeg[id], r)
	}
	for i, s := range segs {
		rs := bySeg[s.SegmentID]
		last := rs[len(rs)-1]
		if last.info.Attributes[agent.AttrFinal] != "true" || last.text != s.Text {
			t.Errorf("segment %d: the last caption was %q final=%s", i, last.text, last.info.Attributes[agent.AttrFinal])
		}
		if i < len(segs)-1 && (len(rs) != 2 || rs[0].info.Attributes[agent.AttrFinal] != "false" || rs[0].text != s.Text) {
			t.Errorf("segment %d: captions %+v, want an interim then the final", i, rs)
		}
	}
}

// The OpenAI-compatible endpoint gets whole Ogg/Opus files, cut at most MaxChunk long, and
// each answer becomes a caption and a segment.
func TestCaptionsThroughOpenAICompatibleEndpoint(t *testing.T) {
	speech, info := speechOgg(t)
	oa := openaitest.StartTranscriptions(t)
	stt, err := openai.NewTranscriber(openai.TranscriberConfig{BaseURL: oa.URL, APIKey: openaitest.Key, Model: "whisper-1", MaxChunk: 3 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	l := newLecture(t)
	l.runAgent(t, "one", stt, "openai")
	alice := l.speak(t, "alice", "Алиса", speech)
	alice.finish(t)

	waitFor(t, "the last chunk", func() bool {
		var total time.Duration
		for _, u := range oa.Uploads() {
			total += u.Info.Duration()
		}
		return total >= info.Duration()-time.Second
	})
	ups := oa.Uploads()
	if len(ups) < 2 {
		t.Fatalf("%d files uploaded, want the speech cut in chunks of at most 3 s", len(ups))
	}
	for i, u := range ups {
		if u.Info.Duration() > 3*time.Second+100*time.Millisecond {
			t.Errorf("chunk %d is %v long", i, u.Info.Duration())
		}
		if u.Fields["model"] != "whisper-1" || u.Fields["language"] != "ru" || u.Fields["response_format"] != "verbose_json" {
			t.Errorf("chunk %d fields %v", i, u.Fields)
		}
	}
	waitFor(t, "every chunk's segment", func() bool { return len(l.transcript(t)) == len(ups) })
	for i, s := range l.transcript(t) {
		if s.Text != openaitest.Text(i) || s.SpeakerIdentity != "alice" {
			t.Errorf("segment %d: %+v", i, s)
		}
	}
	waitFor(t, "a final caption per chunk", func() bool { return len(l.received()) == len(ups) })
	for _, r := range l.received() {
		if r.sender != "alice" || r.info.Attributes[agent.AttrFinal] != "true" {
			t.Errorf("caption %q from %q final=%s", r.text, r.sender, r.info.Attributes[agent.AttrFinal])
		}
	}
}

// One assistant per room: a second process waits until the first one lets go, then takes over;
// the assistant comes back after the video server restarts, and leaves when the lecture ends.
func TestOneAssistantPerRoomThroughRestartsAndTheEnd(t *testing.T) {
	speech, _ := speechOgg(t)
	_, stt := fakeDeepgram(t)
	ctx := context.Background()
	l := newLecture(t)
	stopA := l.runAgent(t, "a", stt, "deepgram")
	b, _ := l.startAgent(t, "b", stt, "deepgram")
	time.Sleep(1500 * time.Millisecond) // longer than a lease and a reconcile
	if l.hasAgent(t, "agent-b") {
		t.Fatal("a second assistant joined a room that has one")
	}
	stopA()
	waitFor(t, "the second assistant to take over", func() bool { return l.hasAgent(t, "agent-b") && !l.hasAgent(t, "agent-a") })

	// LiveKit dies and its supervisor starts it again: the room is gone until our server makes
	// it again (as it does when the host reconnects); then the assistant is back.
	if err := syscall.Kill(l.srv.Supervisor.PID(), syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "LiveKit to restart", func() bool {
		if l.srv.Supervisor.Starts() < 2 {
			return false
		}
		_, err := l.client.ListRooms(ctx)
		return err == nil
	})
	waitFor(t, "the room to be made again", func() bool {
		_, err := l.client.CreateRoom(ctx, livekit.RoomSpec{Name: l.room.LectureID})
		return err == nil
	})
	waitFor(t, "the assistant to rejoin", func() bool { return l.hasAgent(t, "agent-b") })
	bob := l.speak(t, "bob2", "Борис", speech)
	bob.finish(t)
	waitFor(t, "captions after the restart", func() bool {
		for _, s := range l.transcript(t) {
			if s.SpeakerIdentity == "bob2" {
				return true
			}
		}
		return false
	})

	// The lecture ends: the assistant leaves and lets the room go.
	if _, err := l.db.EndRoom(ctx, l.room.ID, l.room.LectureID, time.Now()); err != nil {
		t.Fatal(err)
	}
	if err := l.client.DeleteRoom(ctx, l.room.LectureID); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the assistant to leave", func() bool { return b.Rooms() == 0 && b.Tracks() == 0 })
	waitFor(t, "the lease to be released", func() bool {
		ok, err := l.db.ClaimAgentRoom(ctx, l.room.LectureID, "someone", time.Now(), time.Now().Add(time.Second))
		return err == nil && ok
	})
}

// flakyStore fails every call while down, as a database that restarts does.
type flakyStore struct {
	agent.Store
	down atomic.Bool
}

var errDown = domain.Errorf(domain.EUnavailable, "the database is restarting")

func (f *flakyStore) Room(ctx context.Context, id string) (*domain.Room, error) {
	if f.down.Load() {
		return nil, errDown
	}
	return f.Store.Room(ctx, id)
}

func (f *flakyStore) ClaimAgentRoom(ctx context.Context, roomID, holder string, now, until time.Time) (bool, error) {
	if f.down.Load() {
		return false, errDown
	}
	return f.Store.ClaimAgentRoom(ctx, roomID, holder, now, until)
}

func (f *flakyStore) BeatAgent(ctx context.Context, w domain.AgentWorker) error {
	if f.down.Load() {
		return errDown
	}
	return f.Store.BeatAgent(ctx, w)
}

// A database that does not answer for a while does not make the assistant leave: captions
// go on, and the lease is renewed once it answers.
func TestDatabaseOutageKeepsTheAssistant(t *testing.T) {
	_, stt := fakeDeepgram(t)
	l := newLecture(t)
	store := &flakyStore{Store: l.db}
	a, _ := l.startAgentWith(t, agent.Deps{Store: store, STT: stt, STTName: "deepgram"},
		agent.Options{ID: "one", Reconcile: 200 * time.Millisecond, LeaseTTL: time.Second})
	sid := func() string {
		ps, err := l.client.ListParticipants(context.Background(), l.room.Call())
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range ps {
			if p.Identity == "agent-one" {
				return p.SID
			}
		}
		return ""
	}
	waitFor(t, "the assistant to join", func() bool { return sid() != "" })
	joined := sid()
	if err := a.Health(); err != nil {
		t.Fatalf("health before the outage: %v", err)
	}
	store.down.Store(true)
	time.Sleep(4 * time.Second) // twenty reconciles, four leases long
	if got := sid(); got != joined {
		t.Fatalf("the assistant left during the outage (connection %q, was %q)", got, joined)
	}
	if err := a.Health(); err == nil || !strings.Contains(err.Error(), "database") {
		t.Errorf("health during the outage: %v", err)
	}
	store.down.Store(false)
	time.Sleep(600 * time.Millisecond) // a few reconciles: the lease is renewed
	if ok, err := l.db.ClaimAgentRoom(context.Background(), l.room.LectureID, "other", time.Now(), time.Now().Add(time.Second)); err != nil || ok {
		t.Fatalf("another process could take the room after the outage: %v %v", ok, err)
	}
	if got := sid(); got != joined {
		t.Fatalf("the assistant rejoined after the outage (connection %q, was %q)", got, joined)
	}
	if err := a.Health(); err != nil {
		t.Errorf("health after the outage: %v", err)
	}
}

// A room announced on the bus is joined at once, not at the next look at LiveKit's list.
func TestAnnouncedRoomIsJoinedAtOnce(t *testing.T) {
	_, stt := fakeDeepgram(t)
	l := newLecture(t)
	bus := memory.NewBus()
	defer bus.Close()
	a, stop := l.startAgentWith(t, agent.Deps{STT: stt, STTName: "deepgram", Bus: bus},
		agent.Options{ID: "one", Reconcile: time.Minute, LeaseTTL: 3 * time.Minute})
	defer stop()
	waitFor(t, "the assistant in the first room", func() bool { return l.hasAgent(t, "agent-one") })

	// A second room goes live after the assistant's last look.
	now := time.Now().UTC()
	r := domain.Room{ID: uuid.NewString(), LectureID: uuid.NewString(), Code: "abc-defg-hjm", OwnerID: l.room.OwnerID, Name: "Chemistry",
		MaxParticipants: 50, Status: domain.RoomCreated, CreatedAt: now, UpdatedAt: now}
	if err := l.db.CreateRoom(context.Background(), r); err != nil {
		t.Fatal(err)
	}
	if _, err := l.db.StartRoom(context.Background(), r.ID, r.LectureID, now); err != nil {
		t.Fatal(err)
	}
	if _, err := l.client.CreateRoom(context.Background(), livekit.RoomSpec{Name: r.LectureID}); err != nil {
		t.Fatal(err)
	}
	if err := bus.Publish(context.Background(), domain.TopicLiveRooms, []byte(r.LectureID)); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the assistant in the announced room", func() bool { return a.Rooms() == 2 }) // well before the minute
}

// A ban moves the call to a new video room (classroom/callmove.go: a new call epoch, the new
// room made, rooms:live announced, the old room deleted). The assistant follows the lecture
// there at once, under the same lease, and captions a speaker in the new room.
func TestAssistantFollowsAMovedCall(t *testing.T) {
	speech, _ := speechOgg(t)
	_, stt := fakeDeepgram(t)
	l := newLecture(t)
	bus := memory.NewBus()
	defer bus.Close()
	a, stop := l.startAgentWith(t, agent.Deps{STT: stt, STTName: "deepgram", Bus: bus},
		agent.Options{ID: "one", Reconcile: time.Minute, LeaseTTL: 3 * time.Minute})
	defer stop()
	waitFor(t, "the assistant in the call", func() bool { return l.hasAgent(t, "agent-one") })

	ctx := context.Background()
	old := l.room.Call()
	if _, err := l.db.RotateCall(ctx, l.room.LectureID); err != nil {
		t.Fatal(err)
	}
	var err error
	if l.room, err = l.db.Room(ctx, l.room.ID); err != nil {
		t.Fatal(err)
	}
	if l.room.Call() == old {
		t.Fatalf("the call is still named %q after the move", old)
	}
	moved := time.Now()
	if _, err := l.client.CreateRoom(ctx, livekit.RoomSpec{Name: l.room.Call()}); err != nil {
		t.Fatal(err)
	}
	if err := bus.Publish(ctx, domain.TopicLiveRooms, []byte(l.room.LectureID)); err != nil {
		t.Fatal(err)
	}
	if err := l.client.DeleteRoom(ctx, old); err != nil {
		t.Fatal(err)
	}
	// Well before the next reconcile (a minute): the announcement woke it.
	waitFor(t, "the assistant in the moved call", func() bool { return l.hasAgent(t, "agent-one") })
	t.Logf("the assistant was in the moved call %v after the move", time.Since(moved).Round(time.Millisecond))
	waitFor(t, "the assistant in the moved call alone", func() bool { return a.Rooms() == 1 })
	if ok, err := l.db.ClaimAgentRoom(ctx, l.room.LectureID, "another", time.Now(), time.Now().Add(time.Minute)); err != nil || ok {
		t.Errorf("another process could claim the moved lecture (%t, %v): the assistant gave its lease up", ok, err)
	}

	l.listen(t)
	alice := l.speak(t, "alice", "Алиса", speech)
	waitFor(t, "a caption of the speaker in the moved call", func() bool {
		for _, r := range l.received() {
			if r.sender == "alice" {
				return true
			}
		}
		return false
	})
	alice.finish(t)
}
