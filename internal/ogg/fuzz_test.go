package ogg_test

import (
	"bytes"
	"errors"
	"math"
	"testing"
	"time"

	"github.com/liveserver/liveserver/internal/ogg"
)

// Fuzz seeds: a small whole stream, one with a packet across two pages, and broken bits.
func seeds(f testing.TB) [][]byte {
	hs := headers(f, 312)
	long := packet(300)
	spanning := join(append(hs,
		page(f, 2, 0, frame, false, packet(8), packet(2)),
		page(f, 3, 0, -1, true, long[:255]),
		page(f, 4, ogg.FlagContinued, 3*frame, false, long[255:]),
		page(f, 5, ogg.FlagEOS, 4*frame, false, packet(1)),
	))
	whole := join(stream(f, 312, 6))
	return [][]byte{
		whole,
		spanning,
		whole[:len(whole)-7], // ends inside a page
		append([]byte("OggS\x01"), make([]byte, 40)...), // unknown version
		[]byte("RIFF\x00\x00\x00\x00WAVE"),
		{},
	}
}

// split pushes data through a Splitter in pieces cut at the given offsets.
func split(data []byte, cuts ...int) ([]ogg.Page, int, error) {
	var s ogg.Splitter
	var pages []ogg.Page
	var err error
	prev := 0
	for _, c := range append(cuts, len(data)) {
		c = min(max(c, prev), len(data))
		var ps []ogg.Page
		ps, err = s.Push(data[prev:c])
		pages = append(pages, ps...)
		prev = c
	}
	return pages, s.Pending(), err
}

// FuzzSplitter: however the bytes are cut, the same pages and the same error come out, and
// every page's parts (segment table, packets, headers) are read without a panic.
func FuzzSplitter(f *testing.F) {
	for i, s := range seeds(f) {
		f.Add(s, uint16(i*97), uint16(len(s)/2))
	}
	f.Fuzz(func(t *testing.T, data []byte, a, b uint16) {
		whole, pending, err := split(data)
		pieces, pending2, err2 := split(data, int(a)%(len(data)+1), int(b)%(len(data)+1))
		if (err == nil) != (err2 == nil) || errors.Is(err, ogg.ErrShort) || errors.Is(err2, ogg.ErrShort) {
			t.Fatalf("errors: at once %v, in pieces %v", err, err2)
		}
		if len(whole) != len(pieces) || (err == nil && pending != pending2) {
			t.Fatalf("at once %d pages (%d pending), in pieces %d (%d pending)", len(whole), pending, len(pieces), pending2)
		}
		n := 0
		for i, p := range whole {
			if !bytes.Equal(p.Raw, pieces[i].Raw) {
				t.Fatalf("page %d differs", i)
			}
			if !bytes.Equal(p.Raw, data[n:n+len(p.Raw)]) {
				t.Fatalf("page %d is not the bytes at %d", i, n)
			}
			n += len(p.Raw)
			sum := 0
			for _, size := range p.PacketSizes() {
				sum += size
			}
			if sum != len(p.Payload()) {
				t.Fatalf("page %d: packet sizes add up to %d, payload %d", i, sum, len(p.Payload()))
			}
			_ = p.CRCOK()
			_ = p.EndsPacket()
			_ = p.Continued()
			_, _ = ogg.ParseOpusHead(p)
			_ = ogg.IsOpusTags(p)
			off := 0
			for _, size := range p.PacketSizes() {
				if ogg.PacketSamples(p.Payload()[off:off+size]) < 0 {
					t.Fatal("negative packet duration")
				}
				off += size
			}
		}
		if err == nil && n+pending != len(data) {
			t.Fatalf("%d bytes in pages and %d pending of %d", n, pending, len(data))
		}
	})
}

// FuzzValidate: Validate never panics, and what it accepts is a stream the rest of the package
// can work with: a Clock takes every page, and a cut of all its audio validates the same.
func FuzzValidate(f *testing.F) {
	for _, s := range seeds(f) {
		f.Add(s, false)
		f.Add(s, true)
	}
	f.Fuzz(func(t *testing.T, data []byte, eos bool) {
		info, err := ogg.Validate(data, eos)
		if err != nil {
			return
		}
		if info.Pages < 2 || info.Duration() < 0 || len(info.Packets) > info.Pages*255 {
			t.Fatalf("info %+v", info)
		}
		pages, pending, err := split(data)
		if err != nil || pending != 0 || len(pages) != info.Pages {
			t.Fatalf("split: %d pages of %d, %d pending, %v", len(pages), info.Pages, pending, err)
		}
		var c ogg.Clock
		for _, p := range pages {
			if _, err := c.Add(p); err != nil {
				t.Fatalf("the clock refuses page %d of a valid stream: %v", p.Seq, err)
			}
		}
		cut := c.Cut(pages[2:], 0, true)
		again, err := ogg.Validate(cut, len(pages) > 2) // no audio page: none to mark EOS
		if err != nil {
			t.Fatalf("a cut of the whole valid stream: %v", err)
		}
		timed := false // an audio page has a granule position
		for _, p := range pages[2:] {
			timed = timed || p.Granule != -1
		}
		if again.Samples != info.Samples || again.Pages != info.Pages || (timed && again.LastGranule != info.LastGranule) {
			t.Fatalf("cut %+v, stream %+v", again, info)
		}
	})
}

// FuzzClock feeds a Clock whatever pages the bytes hold (checksums are not its business): it
// never panics, a refused page leaves it as it was, and its time never runs backwards.
func FuzzClock(f *testing.F) {
	for _, s := range seeds(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		pages, _, _ := split(data)
		var c ogg.Clock
		var now time.Duration
		for _, p := range pages {
			before, ready := c.Position(), c.Ready()
			audio, err := c.Add(p)
			if err != nil {
				if c.Position() != before || c.Ready() != ready || audio {
					t.Fatalf("a refused page changed the clock: %d → %d", before, c.Position())
				}
				continue
			}
			if audio != ready {
				t.Fatalf("page %d: audio %v with headers in %v", p.Seq, audio, ready)
			}
			if c.Position() < before || c.Position() < 0 || c.Now() < now {
				t.Fatalf("time ran backwards: position %d → %d, now %v → %v", before, c.Position(), now, c.Now())
			}
			now = c.Now()
			if g := p.Granule; audio && g != -1 && (c.Time(g) != now || c.Time(g-1) > now || (g < math.MaxInt64 && c.Time(g+1) < now)) {
				t.Fatalf("Time around granule %d is not monotonic", g)
			}
		}
		if c.Ready() != (c.Cut(nil, 0, false) != nil) {
			t.Fatal("Cut without headers, or none with them")
		}
	})
}

// FuzzReplay feeds a Replay the pages the bytes hold, with acks and restarts where plan says:
// it never panics, and every restart is a fresh stream of whole pages that starts with the
// headers, numbers its pages from 0 and never starts in the middle of a packet.
func FuzzReplay(f *testing.F) {
	for _, s := range seeds(f) {
		f.Add(s, []byte{0, 1, 2, 0, 1, 1, 2})
	}
	f.Fuzz(func(t *testing.T, data, plan []byte) {
		pages, _, _ := split(data)
		var r ogg.Replay
		for i, p := range pages {
			_, _ = r.Add(p)
			if len(plan) == 0 {
				continue
			}
			switch step := plan[i%len(plan)]; step % 3 {
			case 1:
				c := r.Clock()
				r.Ack(c.Now() - time.Duration(step)*time.Millisecond)
			case 2:
				out, start := r.Restart()
				c := r.Clock()
				checkRestart(t, out, r.Kept(), c.Ready())
				if start < 0 || start > ogg.SampleDuration(c.Position()) {
					t.Fatalf("restart at %v with the stream at %v", start, c.Now())
				}
			}
		}
	})
}

func checkRestart(t *testing.T, out []byte, kept int, ready bool) {
	t.Helper()
	if !ready {
		if out != nil {
			t.Fatal("a restart before the headers sends something")
		}
		return
	}
	got, pending, err := split(out)
	if err != nil || pending != 0 || len(got) != 2+kept {
		t.Fatalf("restart: %d pages for %d kept, %d bytes pending, %v", len(got), kept, pending, err)
	}
	if _, err := ogg.ParseOpusHead(got[0]); err != nil || !ogg.IsOpusTags(got[1]) {
		t.Fatal("restart does not start with the headers")
	}
	for i, p := range got {
		if p.Seq != uint32(i) || !p.CRCOK() || (i == 0) != (p.Type&ogg.FlagBOS != 0) {
			t.Fatalf("restart page %d: seq %d, type %#x, checksum ok %v", i, p.Seq, p.Type, p.CRCOK())
		}
		if p.Granule < -1 {
			t.Fatalf("restart page %d: granule %d", i, p.Granule)
		}
	}
	if kept > 0 && got[2].Continued() {
		t.Fatal("restart starts in the middle of a packet")
	}
}
