package ogg_test

import (
	"bytes"
	"testing"
	"time"

	"github.com/liveserver/liveserver/internal/ogg"
	"github.com/liveserver/liveserver/internal/ogg/oggtest"
)

// add feeds pages to the replay and returns what the receiver gets.
func add(t *testing.T, r *ogg.Replay, pages []ogg.Page) []byte {
	t.Helper()
	var out []byte
	for _, p := range pages {
		q, err := r.Add(p)
		if err != nil {
			t.Fatalf("page %d: %v", p.Seq, err)
		}
		out = append(out, q.Raw...)
	}
	return out
}

// audioMs is where audio page k (from 1) of stream(t, 312, n) ends: (960k - 312) / 48 ms.
func audioMs(k int) time.Duration {
	return time.Duration(k*frame-312) * time.Second / ogg.SampleRate
}

func TestReplayAfterSeveralAcksSendsWhatIsNotAcknowledged(t *testing.T) {
	pages := stream(t, 312, 40)
	var r ogg.Replay
	// Before a Restart the pages go out as they are.
	if got := add(t, &r, pages[:12]); !bytes.Equal(got, join(pages[:12])) {
		t.Fatal("pages rewritten before any Restart")
	}
	r.Ack(100 * time.Millisecond) // audio pages 1..5 end by 93.5 ms, page 6 at 113.5 ms
	if r.Kept() != 5 {
		t.Fatalf("%d pages kept after the first ack, want 5", r.Kept())
	}
	r.Ack(50 * time.Millisecond) // an earlier ack changes nothing
	if r.Kept() != 5 {
		t.Fatalf("%d pages kept after an earlier ack", r.Kept())
	}
	r.Ack(10 * time.Second) // all 10 written: all dropped
	if r.Kept() != 0 {
		t.Fatalf("%d pages kept after acking everything", r.Kept())
	}
	add(t, &r, pages[12:22]) // audio pages 11..20
	r.Ack(audioMs(15))       // exactly the end of page 15: it is dropped, 16 is not
	if r.Kept() != 5 {
		t.Fatalf("%d pages kept, want 5 (16..20)", r.Kept())
	}

	data, start := r.Restart()
	if start != ogg.SampleDuration(15*frame) || start != 300*time.Millisecond {
		t.Errorf("restart at %v, want 300ms (granule 15*960)", start)
	}
	got := oggtest.Pages(t, data)
	if len(got) != 2+5 || !bytes.Equal(got[0].Payload(), pages[0].Payload()) || !bytes.Equal(got[1].Payload(), pages[1].Payload()) {
		t.Fatalf("restart is %d pages, want the two headers and 5", len(got))
	}
	for j, g := range got[2:] {
		p := pages[2+15+j]
		if !bytes.Equal(g.Payload(), p.Payload()) || g.Granule != p.Granule-15*frame || g.Seq != uint32(2+j) {
			t.Fatalf("replayed page %d: granule %d, seq %d, want page %d rebased", j, g.Granule, g.Seq, p.Seq)
		}
	}
	// Pages after the restart follow on in the fresh stream, which is valid as a whole, and
	// its times plus start are the original's.
	fresh := append(data, add(t, &r, pages[22:30])...)
	info, err := ogg.Validate(fresh, false)
	if err != nil {
		t.Fatalf("fresh stream: %v", err)
	}
	if end := start + info.Duration(); end != audioMs(28) {
		t.Errorf("fresh stream ends at %v in the original, want %v", end, audioMs(28))
	}

	// Acks go on in the original's time; a second restart (another drop) starts later.
	r.Ack(audioMs(24) + time.Millisecond/2)
	if r.Kept() != 4 {
		t.Fatalf("%d pages kept, want 4 (25..28)", r.Kept())
	}
	data, start = r.Restart()
	if start != ogg.SampleDuration(24*frame) {
		t.Errorf("second restart at %v", start)
	}
	// A restart right after another (the new connection failed at once) sends the same.
	if again, at := r.Restart(); !bytes.Equal(again, data) || at != start {
		t.Error("a repeated restart sends something else")
	}
	fresh = append(data, add(t, &r, pages[30:])...) // audio pages 29..40
	info, err = ogg.Validate(fresh, false)
	if err != nil {
		t.Fatalf("second fresh stream: %v", err)
	}
	if info.Pages != 2+4+12 || start+info.Duration() != audioMs(40) {
		t.Errorf("second fresh stream: %d pages ending at %v", info.Pages, start+info.Duration())
	}
}

func TestReplayCutsOnlyWhereAPacketStarts(t *testing.T) {
	hs := headers(t, 312)
	long := packet(300) // 255 bytes on one page, 45 on the next
	pages := append(hs,
		page(t, 2, 0, frame, false, packet(8)),
		page(t, 3, 0, -1, true, long[:255]), // no packet ends here
		page(t, 4, ogg.FlagContinued, 2*frame, false, long[255:]),
		page(t, 5, 0, 3*frame, false, packet(8)),
	)
	var r ogg.Replay
	add(t, &r, pages[:4]) // up to the page whose packet is not finished yet
	// 20 ms covers page 2 (13.5 ms) and page 3's granule (still 13.5 ms), but page 3 holds the
	// beginning of a packet that ends later: it stays, or a replay would start mid-packet.
	r.Ack(20 * time.Millisecond)
	if r.Kept() != 1 {
		t.Fatalf("%d pages kept, want 1 (the open one)", r.Kept())
	}
	add(t, &r, pages[4:])
	r.Ack(20 * time.Millisecond)
	if r.Kept() != 3 {
		t.Fatalf("%d pages kept, want 3", r.Kept())
	}
	data, start := r.Restart()
	if start != ogg.SampleDuration(frame) {
		t.Errorf("restart at %v", start)
	}
	if _, err := ogg.Validate(data, false); err != nil {
		t.Fatalf("restart: %v", err)
	}
	r.Ack(audioMs(2))
	if r.Kept() != 1 {
		t.Fatalf("%d pages kept after the long packet was acknowledged, want 1", r.Kept())
	}
}

func TestReplayOfAnEmptyOrPartialStream(t *testing.T) {
	var r ogg.Replay
	r.Ack(time.Hour)
	if data, start := r.Restart(); data != nil || start != 0 || r.Kept() != 0 {
		t.Fatalf("empty: %d bytes at %v", len(data), start)
	}
	hs := headers(t, 312)
	if _, err := r.Add(hs[1]); err == nil {
		t.Error("OpusTags taken as the first page")
	}
	// Headers added after a restart are not rewritten.
	if q, err := r.Add(hs[0]); err != nil || !bytes.Equal(q.Raw, hs[0].Raw) {
		t.Fatalf("OpusHead: %v", err)
	}
	if data, _ := r.Restart(); data != nil {
		t.Fatal("a restart with only OpusHead sends something")
	}
	if q, err := r.Add(hs[1]); err != nil || !bytes.Equal(q.Raw, hs[1].Raw) {
		t.Fatalf("OpusTags: %v", err)
	}
	data, start := r.Restart()
	if info, err := ogg.Validate(data, false); err != nil || info.Pages != 2 || start != 0 {
		t.Fatalf("headers only: %+v, %v, start %v", info, err, start)
	}
	// The first audio page after that is page 2 of the fresh stream, at granule 0 + its own.
	q, err := r.Add(page(t, 2, 0, frame, false, packet(5)))
	if err != nil || q.Seq != 2 || q.Granule != frame {
		t.Fatalf("first audio page: %v, seq %d, granule %d", err, q.Seq, q.Granule)
	}
	if _, err := ogg.Validate(append(data, q.Raw...), false); err != nil {
		t.Fatal(err)
	}
	// A page that would run the clock backwards is refused and not kept.
	if _, err := r.Add(page(t, 3, 0, frame-1, false, packet(5))); err == nil || r.Kept() != 1 {
		t.Errorf("backwards page: %v, %d kept", err, r.Kept())
	}
	clock := r.Clock()
	if !clock.Ready() || clock.Position() != frame {
		t.Errorf("clock at %d", clock.Position())
	}
}

func TestReplayOfRealSpeechDecodes(t *testing.T) {
	data := oggtest.Speech(t, "en", `One, two, three, four, five, six, seven, eight.`, "--max-delay", "100")
	pages := oggtest.Pages(t, data)
	var r ogg.Replay
	add(t, &r, pages)
	r.Ack(1500 * time.Millisecond)
	cut, start := r.Restart()
	info, err := ogg.Validate(cut, false)
	if err != nil {
		t.Fatal(err)
	}
	clock := r.Clock()
	// The restart starts where the last dropped page ends (pre-skip included: it is a granule
	// difference), and its duration adds up to the stream's (each rounded down to the ns).
	d := clock.Now() - (start + info.Duration())
	if start < 1400*time.Millisecond || start > 1510*time.Millisecond || d < 0 || d > 1 {
		t.Errorf("restart at %v lasting %v; the stream ends at %v", start, info.Duration(), clock.Now())
	}
	oggtest.Decode(t, cut)
}
