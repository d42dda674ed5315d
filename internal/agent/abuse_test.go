package agent_test

import (
	"context"
	"sync"
	"testing"
	"time"

	lkproto "github.com/livekit/protocol/livekit"
	lksdk "github.com/livekit/server-sdk-go/v2"
	"github.com/pion/webrtc/v4"
	"github.com/pion/webrtc/v4/pkg/media"

	"github.com/liveserver/liveserver/internal/domain"
	"github.com/liveserver/liveserver/internal/livekit"
	"github.com/liveserver/liveserver/internal/ogg"
)

// meterSTT measures what a provider would bill: the audio of every stream, and how many
// streams were open at once.
type meterSTT struct {
	mu       sync.Mutex
	open     int
	mostOpen int
	streams  []*meteredStream
}

type meteredStream struct {
	m       *meterSTT
	mu      sync.Mutex
	audio   []byte
	results chan domain.STTResult
	closed  bool
}

func (m *meterSTT) Open(context.Context, domain.STTOptions) (domain.STTStream, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.open++
	m.mostOpen = max(m.mostOpen, m.open)
	s := &meteredStream{m: m, results: make(chan domain.STTResult)}
	m.streams = append(m.streams, s)
	return s, nil
}

func (s *meteredStream) Write(p []byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.audio = append(s.audio, p...)
	return nil
}

func (s *meteredStream) Results() <-chan domain.STTResult { return s.results }
func (s *meteredStream) Err() error                       { return nil }

func (s *meteredStream) Close(context.Context) error {
	s.mu.Lock()
	if !s.closed {
		s.closed = true
		close(s.results)
	}
	s.mu.Unlock()
	s.m.mu.Lock()
	s.m.open--
	s.m.mu.Unlock()
	return nil
}

// billed is the audio all streams received, and the most streams open at once.
func (m *meterSTT) billed(t *testing.T) (time.Duration, int) {
	t.Helper()
	m.mu.Lock()
	defer m.mu.Unlock()
	var total time.Duration
	for _, s := range m.streams {
		s.mu.Lock()
		audio := append([]byte(nil), s.audio...)
		s.mu.Unlock()
		if info, err := ogg.Validate(audio, false); err == nil {
			total += info.Duration()
		}
	}
	return total, m.mostOpen
}

// A publisher chooses its own RTP timestamps: mallory publishes two microphones whose
// timestamps jump by 4.9 s on every 20 ms packet (each jump just short of the one that ends a
// stream, so every gap would be filled with silence). The provider gets one microphone of
// hers, and no more audio than time passed, plus the slack.
func TestAssistantSendsNoMoreThanRealTime(t *testing.T) {
	l := newLecture(t)
	stt := &meterSTT{}
	l.runAgent(t, "meter", stt, "meter")
	room := l.join(t, livekit.TokenRequest{Identity: "mallory", Name: "Mallory", CanPublish: true, CanSubscribe: true})
	var tracks []*lksdk.LocalSampleTrack
	for _, name := range []string{"mic-1", "mic-2"} {
		tr, err := lksdk.NewLocalSampleTrack(webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeOpus, ClockRate: 48000, Channels: 2})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := room.LocalParticipant.PublishTrack(tr, &lksdk.TrackPublicationOptions{Name: name, Source: lkproto.TrackSource_MICROPHONE}); err != nil {
			t.Fatal(err)
		}
		tracks = append(tracks, tr)
	}
	waitFor(t, "the assistant to transcribe mallory", func() bool { _, open := stt.billed(t); return open > 0 })
	start := time.Now()
	tick := time.NewTicker(20 * time.Millisecond)
	for time.Since(start) < 4*time.Second {
		<-tick.C
		for _, tr := range tracks {
			// A sample's duration is how far the next packet's timestamp moves.
			_ = tr.WriteSample(media.Sample{Data: []byte{0xf8, 0xff, 0xfe}, Duration: 4900 * time.Millisecond}, nil)
		}
	}
	tick.Stop()
	elapsed := time.Since(start)
	for _, p := range room.LocalParticipant.TrackPublications() {
		_ = room.LocalParticipant.UnpublishTrack(p.SID())
	}
	waitFor(t, "the streams to close", func() bool {
		stt.mu.Lock()
		defer stt.mu.Unlock()
		return stt.open == 0
	})
	sent, most := stt.billed(t)
	slack := 6 * time.Second // the budget's: maxFill (5 s) plus a second
	t.Logf("%v of audio billed for %v of publishing; at most %d streams open at once", sent, elapsed, most)
	if most > 1 {
		t.Errorf("%d streams open at once for one participant, want one microphone transcribed", most)
	}
	if sent > elapsed+slack+time.Second {
		t.Errorf("the provider got %v of audio for %v of publishing", sent, elapsed)
	}
}
