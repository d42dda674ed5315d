package agent

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/pion/interceptor"
	"github.com/pion/rtp"

	"github.com/liveserver/liveserver/internal/domain"
	"github.com/liveserver/liveserver/internal/ogg"
	"github.com/liveserver/liveserver/internal/ogg/oggtest"
	"github.com/liveserver/liveserver/internal/sqlstore"
	"github.com/liveserver/liveserver/internal/sqlstore/sqlstoretest"
)

// packetFeed plays RTP packets, then ends like a track that was unpublished.
type packetFeed struct{ pkts []*rtp.Packet }

func (f *packetFeed) ReadRTP() (*rtp.Packet, interceptor.Attributes, error) {
	if len(f.pkts) == 0 {
		return nil, nil, io.EOF
	}
	p := f.pkts[0]
	f.pkts = f.pkts[1:]
	return p, nil, nil
}

// recordingSTT keeps each stream's audio and answers one final result per stream on Close.
type recordingSTT struct {
	mu      sync.Mutex
	streams []*recordedStream
}

type recordedStream struct {
	n       int
	mu      sync.Mutex
	audio   []byte
	results chan domain.STTResult
}

func (r *recordingSTT) Open(context.Context, domain.STTOptions) (domain.STTStream, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	s := &recordedStream{n: len(r.streams), results: make(chan domain.STTResult, 1)}
	r.streams = append(r.streams, s)
	return s, nil
}

func (s *recordedStream) Write(p []byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.audio = append(s.audio, p...)
	return nil
}

func (s *recordedStream) Results() <-chan domain.STTResult { return s.results }
func (s *recordedStream) Err() error                       { return nil }

func (s *recordedStream) Close(context.Context) error {
	info, err := ogg.Validate(s.audio, false)
	if err == nil {
		s.results <- domain.STTResult{Text: fmt.Sprintf("поток %d", s.n), Final: true, EndMs: info.Duration().Milliseconds()}
	}
	close(s.results)
	return err
}

// A microphone muted for a minute does not send a minute of silence to the provider: the track
// ends its stream at the jump and starts a new one with the packet after it.
func TestClockJumpStartsANewStream(t *testing.T) {
	ctx := context.Background()
	src := oggtest.Speech(t, "ru", "Один, два, три, четыре, пять.")
	pkts := rtpOf(opusPackets(t, src), 1000)
	half := len(pkts) / 2
	for i, p := range pkts {
		p.SequenceNumber = uint16(i)
		if i >= half {
			p.Timestamp += 60 * ogg.SampleRate // unmuted a minute later
		}
	}
	db := sqlstoretest.Open(t, sqlstore.SQLite)
	now := time.Now().UTC()
	owner, err := db.CreateUser(ctx, domain.User{ID: uuid.NewString(), Email: "t@school.ru", Name: "T", Role: domain.RoleHost,
		PasswordHash: "x", CreatedAt: now, UpdatedAt: now}, false)
	if err != nil {
		t.Fatal(err)
	}
	room := domain.Room{ID: uuid.NewString(), LectureID: uuid.NewString(), Code: "abc-defg-hjk", OwnerID: owner.ID, Name: "Mute", MaxParticipants: 5,
		Status: domain.RoomLive, StartedAt: &now, CreatedAt: now, UpdatedAt: now}
	if err := db.CreateRoom(ctx, room); err != nil {
		t.Fatal(err)
	}
	stt := &recordingSTT{}
	a := &Agent{d: Deps{Store: db, STT: stt, Log: slog.New(slog.DiscardHandler)},
		o: Options{Language: "ru", FlushTimeout: time.Second, Now: time.Now}}
	s := newRoomSession(a, &room)
	tr := &trackPipeline{s: s, remote: &packetFeed{pkts: pkts}, trackSID: "TR_mic", identity: "alice", name: "Алиса"}
	tr.run()

	if len(stt.streams) != 2 {
		t.Fatalf("%d streams, want one before the jump and one after", len(stt.streams))
	}
	var total int64
	for i, st := range stt.streams {
		info, err := ogg.Validate(st.audio, false)
		if err != nil {
			t.Fatalf("stream %d: %v", i, err)
		}
		if info.Duration() > 10*time.Second {
			t.Fatalf("stream %d holds %v: the silence of the jump was sent", i, info.Duration())
		}
		total += info.Samples
	}
	// The sample builder keeps at most a few packets of the first stream when the jump comes.
	if want := int64(len(pkts)) * 960; total < want-5*960 || total > want {
		t.Errorf("%d samples sent in all, want about %d", total, want)
	}
	segs, err := db.Transcript(ctx, room.LectureID)
	if err != nil {
		t.Fatal(err)
	}
	if len(segs) != 2 || segs[0].Text != "поток 0" || segs[1].Text != "поток 1" || segs[0].SegmentID == segs[1].SegmentID {
		t.Fatalf("transcript %+v", segs)
	}
}
