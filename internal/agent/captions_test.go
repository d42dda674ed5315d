package agent_test

import (
	"context"
	"maps"
	"os"
	"strings"
	"testing"
	"time"

	lksdk "github.com/livekit/server-sdk-go/v2"

	"github.com/liveserver/liveserver/internal/agent"
	"github.com/liveserver/liveserver/internal/livekit"
	"github.com/liveserver/liveserver/internal/livekit/livekittest"
)

// The tests connect Go bots over WebRTC, so they run in a network namespace
// with only loopback (DESIGN §6).
func TestMain(m *testing.M) {
	os.Exit(livekittest.Main(m))
}

type received struct {
	sender string
	info   lksdk.TextStreamInfo
	text   string
	at     time.Time
}

type fixture struct {
	pub *agent.CaptionPublisher
	got chan received
	// eve is connected without the right to receive (a guest our server has not confirmed);
	// evesGot has what reached her.
	evesGot chan received
	client  *livekit.Client
	room    string
}

// setup starts LiveKit, creates a room, and joins the agent (hidden, kind
// AGENT, Agent grant), the speaker alice and a listener that collects every
// lk.transcription stream.
func setup(t *testing.T) fixture {
	t.Helper()
	return setupWith(t, livekit.TokenRequest{
		Identity: "agent-1", Name: "Captions", Agent: true, Hidden: true, Kind: livekit.KindAgent,
		CanSubscribe: true, CanPublishData: true,
	})
}

// setupWith is setup with the caption sender joining with agentReq.
func setupWith(t *testing.T, agentReq livekit.TokenRequest) fixture {
	t.Helper()
	srv := livekittest.Start(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	client, err := livekit.NewClient(srv.Config)
	if err != nil {
		t.Fatal(err)
	}
	const room = "captions"
	if _, err := client.CreateRoom(ctx, livekit.RoomSpec{Name: room}); err != nil {
		t.Fatal(err)
	}
	join := func(req livekit.TokenRequest) *lksdk.Room {
		t.Helper()
		req.Room, req.TTL = room, time.Minute
		tok, err := srv.Config.Token(req)
		if err != nil {
			t.Fatal(err)
		}
		b, err := livekittest.Join(t, srv.Config.URL, tok)
		if err != nil {
			t.Fatalf("%s could not join: %v", req.Identity, err)
		}
		return b.Room
	}

	got := make(chan received, 64)
	listener := join(livekit.TokenRequest{Identity: "bob", Name: "Bob", CanSubscribe: true})
	if err := listener.RegisterTextStreamHandler(agent.TranscriptionTopic, func(r *lksdk.TextStreamReader, sender string) {
		text := r.ReadAll() // returns once the trailer arrived
		got <- received{sender: sender, info: r.Info, text: text, at: time.Now()}
	}); err != nil {
		t.Fatal(err)
	}
	join(livekit.TokenRequest{Identity: "alice", Name: "Alice", CanPublish: true, CanSubscribe: true, CanPublishData: true})
	evesGot := make(chan received, 64)
	eve := join(livekit.TokenRequest{Identity: "eve", Name: "Eve"})
	if err := eve.RegisterTextStreamHandler(agent.TranscriptionTopic, func(r *lksdk.TextStreamReader, sender string) {
		evesGot <- received{sender: sender, info: r.Info, text: r.ReadAll(), at: time.Now()}
	}); err != nil {
		t.Fatal(err)
	}
	agentRoom := join(agentReq)
	pub := agent.NewCaptionPublisher(agentRoom)
	start := time.Now()
	if err := pub.Warm(ctx); err != nil {
		t.Fatal(err)
	}
	t.Logf("Warm took %v", time.Since(start))
	return fixture{pub: pub, got: got, evesGot: evesGot, client: client, room: room}
}

// publish sends c and waits for the listener to receive one stream.
func (f fixture) publish(t *testing.T, c agent.Caption) received {
	t.Helper()
	start := time.Now()
	if err := f.pub.Publish(context.Background(), c); err != nil {
		t.Fatal(err)
	}
	sent := time.Since(start)
	select {
	case r := <-f.got:
		t.Logf("%s final=%v %d bytes: Publish returned in %v, received %v after the call", c.SegmentID, c.Final, len(c.Text), sent, r.at.Sub(start))
		return r
	case <-time.After(10 * time.Second):
		t.Fatalf("caption %s (final=%v) not received", c.SegmentID, c.Final)
		return received{}
	}
}

func check(t *testing.T, r received, c agent.Caption) {
	t.Helper()
	if r.sender != c.SpeakerIdentity {
		t.Errorf("sender %q, want the speaker %q", r.sender, c.SpeakerIdentity)
	}
	final := "false"
	if c.Final {
		final = "true"
	}
	want := map[string]string{
		agent.AttrSegmentID: c.SegmentID,
		agent.AttrTrackID:   c.TrackID,
		agent.AttrFinal:     final,
	}
	if !maps.Equal(r.info.Attributes, want) {
		t.Errorf("attributes %v, want %v", r.info.Attributes, want)
	}
	if r.text != c.Text {
		t.Errorf("text %q (%d bytes), want %q (%d bytes)", abbrev(r.text), len(r.text), abbrev(c.Text), len(c.Text))
	}
	if r.info.Topic != agent.TranscriptionTopic || r.info.MimeType != "text/plain" {
		t.Errorf("topic %q, mime %q", r.info.Topic, r.info.MimeType)
	}
	if r.info.Size == nil || *r.info.Size != uint64(len(c.Text)) {
		t.Errorf("total size %v, want %d", r.info.Size, len(c.Text))
	}
}

func abbrev(s string) string {
	if len(s) > 60 {
		return s[:60] + "…"
	}
	return s
}

func TestCaptionsArriveAsTheSpeakers(t *testing.T) {
	f := setup(t)
	const track = "TR_AMalice"
	captions := []agent.Caption{
		{SegmentID: "SG_1", SpeakerIdentity: "alice", TrackID: track, Text: "hello every"},
		{SegmentID: "SG_1", SpeakerIdentity: "alice", TrackID: track, Text: "Hello everyone.", Final: true},
		{SegmentID: "SG_2", SpeakerIdentity: "alice", TrackID: track, Text: "Сегодня — ёжики, «Й» и т. д.", Final: true},
		// Over the 15 000-byte chunk limit, with 2-byte characters so a
		// careless split would cut one in half.
		{SegmentID: "SG_3", SpeakerIdentity: "alice", TrackID: track, Text: "a" + strings.Repeat("Ж", 12_000), Final: true},
	}
	var order []string
	for _, c := range captions {
		r := f.publish(t, c)
		check(t, r, c)
		order = append(order, r.info.Attributes[agent.AttrSegmentID]+"/"+r.info.Attributes[agent.AttrFinal])
	}
	if want := "SG_1/false SG_1/true SG_2/true SG_3/true"; strings.Join(order, " ") != want {
		t.Errorf("received %v, want %s", order, want)
	}
}

// A burst of interim updates, as an STT provider sends them, goes out
// without the SDK's per-write waits and arrives whole.
func TestCaptionBurst(t *testing.T) {
	f := setup(t)
	const n = 20
	words := strings.Fields("раз два три четыре пять шесть семь восемь девять десять одиннадцать двенадцать тринадцать четырнадцать пятнадцать шестнадцать семнадцать восемнадцать девятнадцать двадцать")
	want := map[string]agent.Caption{}
	start := time.Now()
	for i := range n {
		c := agent.Caption{SegmentID: "SG_burst", SpeakerIdentity: "alice", TrackID: "TR_AMalice", Text: strings.Join(words[:i+1], " "), Final: i == n-1}
		want[c.Text] = c
		if err := f.pub.Publish(context.Background(), c); err != nil {
			t.Fatal(err)
		}
	}
	published := time.Since(start)
	var last time.Time
	for range n {
		select {
		case r := <-f.got:
			c, ok := want[r.text]
			if !ok {
				t.Fatalf("unexpected or duplicate caption %q", r.text)
			}
			delete(want, r.text)
			check(t, r, c)
			if r.at.After(last) {
				last = r.at
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("%d captions not received", len(want))
		}
	}
	t.Logf("%d updates: all published in %v, all received %v after the first Publish", n, published, last.Sub(start))
}

// The control: without the Agent grant LiveKit replaces the claimed
// identity with the sender's own, so the grant is what makes it work.
func TestNonAgentCannotSpeakForOthers(t *testing.T) {
	f := setupWith(t, livekit.TokenRequest{Identity: "mallory", Name: "Mallory", CanSubscribe: true, CanPublishData: true})
	c := agent.Caption{SegmentID: "SG_x", SpeakerIdentity: "alice", TrackID: "TR_AMalice", Text: "not alice", Final: true}
	if r := f.publish(t, c); r.sender != "mallory" {
		t.Errorf("sender %q, want mallory (LiveKit should not honour the claimed identity)", r.sender)
	}
}

func TestPublishRejectsBadCaptions(t *testing.T) {
	p := agent.NewCaptionPublisher(nil) // validation fails before the room is used
	for _, c := range []agent.Caption{
		{SpeakerIdentity: "alice", Text: "x"},
		{SegmentID: "SG_1", Text: "x"},
		{SegmentID: "SG_1", SpeakerIdentity: "alice", Text: "bad \xff utf-8"},
	} {
		if err := p.Publish(context.Background(), c); err == nil {
			t.Errorf("Publish(%+v) succeeded", c)
		}
	}
}

// LiveKit hands data to everyone connected, also to a guest back on a kept token whom our
// server has not confirmed (it has no right to receive). Captions go only to those who have
// it, and reach a guest once it is given.
func TestCaptionsOnlyForThoseAllowedToReceive(t *testing.T) {
	f := setup(t)
	c := agent.Caption{SegmentID: "SG_eve1", SpeakerIdentity: "alice", TrackID: "TR_A", Text: "Только для своих.", Final: true}
	check(t, f.publish(t, c), c)
	select {
	case r := <-f.evesGot:
		t.Fatalf("a participant without the right to receive got the caption %q", r.text)
	case <-time.After(500 * time.Millisecond):
	}
	if err := f.client.SetPermission(context.Background(), f.room, "eve", livekit.Permission{CanSubscribe: true}); err != nil {
		t.Fatal(err)
	}
	c2 := agent.Caption{SegmentID: "SG_eve2", SpeakerIdentity: "alice", TrackID: "TR_A", Text: "Теперь и тебе.", Final: true}
	deadline := time.Now().Add(10 * time.Second)
	for {
		// The assistant learns of the new right from LiveKit's participant update.
		f.publish(t, c2)
		select {
		case r := <-f.evesGot:
			if r.text != c2.Text {
				t.Fatalf("eve got %q", r.text)
			}
			return
		case <-time.After(200 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatal("the caption never reached eve after she was given the right to receive")
		}
	}
}
