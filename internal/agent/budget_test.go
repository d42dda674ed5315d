package agent

import (
	"context"
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
	"github.com/liveserver/liveserver/internal/sqlstore"
	"github.com/liveserver/liveserver/internal/sqlstore/sqlstoretest"
)

// fakeClock advances only when told.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// pacedFeed plays packets one every 20 ms of the fake clock, as a live publisher does.
type pacedFeed struct {
	clock *fakeClock
	pkts  []*rtp.Packet
}

func (f *pacedFeed) ReadRTP() (*rtp.Packet, interceptor.Attributes, error) {
	if len(f.pkts) == 0 {
		return nil, nil, io.EOF
	}
	f.clock.advance(20 * time.Millisecond)
	p := f.pkts[0]
	f.pkts = f.pkts[1:]
	return p, nil, nil
}

// runTrack transcribes pkts, paced at 20 ms each, and says how much audio the provider got in
// all and over how much time.
func runTrack(t *testing.T, pkts []*rtp.Packet) (sent, elapsed time.Duration, streams int) {
	t.Helper()
	ctx := context.Background()
	db := sqlstoretest.Open(t, sqlstore.SQLite)
	now := time.Now().UTC()
	owner, err := db.CreateUser(ctx, domain.User{ID: uuid.NewString(), Email: "t@school.ru", Name: "T", Role: domain.RoleHost,
		PasswordHash: "x", CreatedAt: now, UpdatedAt: now}, false)
	if err != nil {
		t.Fatal(err)
	}
	room := domain.Room{ID: uuid.NewString(), LectureID: uuid.NewString(), Code: "abc-defg-hjk", OwnerID: owner.ID, Name: "Budget", MaxParticipants: 5,
		Status: domain.RoomLive, StartedAt: &now, CreatedAt: now, UpdatedAt: now}
	if err := db.CreateRoom(ctx, room); err != nil {
		t.Fatal(err)
	}
	clock := &fakeClock{t: now}
	stt := &recordingSTT{}
	a := &Agent{d: Deps{Store: db, STT: stt, Log: slog.New(slog.DiscardHandler)},
		o: Options{Language: "ru", FlushTimeout: time.Second, Now: clock.Now}}
	tr := &trackPipeline{s: newRoomSession(a, &room), remote: &pacedFeed{clock: clock, pkts: pkts}, trackSID: "TR_mic", identity: "mallory", name: "М"}
	tr.run()
	for i, st := range stt.streams {
		info, err := ogg.Validate(st.audio, false)
		if err != nil {
			t.Fatalf("stream %d: %v", i, err)
		}
		sent += info.Duration()
	}
	return sent, clock.Now().Sub(now), len(stt.streams)
}

// A publisher's RTP timestamps and frame sizes are its own to choose. Whatever they claim, the
// provider gets no more audio than time passes, plus the slack.
func TestAudioNeverRunsAheadOfRealTime(t *testing.T) {
	slack := ogg.SampleDuration(budgetSlack)
	const n = 500 // 10 s of packets, one every 20 ms
	cases := map[string]func(i int) (toc byte, ts uint32){
		// Each packet 4.9 s after the last: just under the jump that starts a new stream, so
		// every gap would be filled with silence.
		"timestamps jumping": func(i int) (byte, uint32) { return 0xf8, uint32(i) * (maxFill - 960) },
		// 60 ms frames (SILK, config 3) sent every 20 ms: three times real time.
		"long frames sent fast": func(i int) (byte, uint32) { return 0x18, uint32(i) * 2880 },
		// A jump past the limit on every packet: each would start a new stream.
		"timestamps leaping": func(i int) (byte, uint32) { return 0xf8, uint32(i) * (maxFill + 2*960) },
	}
	for name, packet := range cases {
		t.Run(name, func(t *testing.T) {
			var pkts []*rtp.Packet
			for i := range n {
				toc, ts := packet(i)
				pkts = append(pkts, &rtp.Packet{Header: rtp.Header{SequenceNumber: uint16(i), Timestamp: 1000 + ts}, Payload: []byte{toc, 0xff, 0xfe}})
			}
			sent, elapsed, streams := runTrack(t, pkts)
			t.Logf("%v of audio sent in %v of packets, %d streams", sent, elapsed, streams)
			if sent > elapsed+slack {
				t.Errorf("the provider got %v of audio in %v: more than real time plus %v", sent, elapsed, slack)
			}
			if most := int(elapsed/time.Second) + 1; streams > most {
				t.Errorf("%d streams opened in %v, want at most %d", streams, elapsed, most)
			}
		})
	}
}
