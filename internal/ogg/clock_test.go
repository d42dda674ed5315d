package ogg_test

import (
	"math"
	"strings"
	"testing"
	"time"

	"github.com/liveserver/liveserver/internal/ogg"
)

func TestClockTakesTheHeadersThenCountsFromThePreSkip(t *testing.T) {
	var c ogg.Clock
	if c.Ready() || c.Now() != 0 || c.Time(5000) != time.Duration(5000)*time.Second/ogg.SampleRate || c.Cut(nil, 0, true) != nil {
		t.Fatal("the zero Clock is not an empty stream with no pre-skip")
	}
	hs := headers(t, 312)
	audio := page(t, 2, 0, frame, false, packet(10))
	if _, err := c.Add(audio); err == nil || !strings.Contains(err.Error(), "OpusHead") {
		t.Errorf("audio as the first page: %v", err)
	}
	if a, err := c.Add(hs[0]); a || err != nil || c.Ready() {
		t.Fatalf("OpusHead: audio %v, %v", a, err)
	}
	if _, err := c.Add(audio); err == nil || !strings.Contains(err.Error(), "OpusTags") {
		t.Errorf("audio as the second page: %v", err)
	}
	if a, err := c.Add(hs[1]); a || err != nil || !c.Ready() {
		t.Fatalf("OpusTags: audio %v, %v, ready %v", a, err, c.Ready())
	}
	if c.PreSkip() != 312 || c.Head().Channels != 1 {
		t.Errorf("head %+v", c.Head())
	}

	for _, tc := range []struct {
		g    int64
		want time.Duration
	}{
		{-1, 0}, {math.MinInt64, 0}, {0, 0}, {311, 0}, {312, 0},
		{313, time.Second / ogg.SampleRate},
		{312 + 48, time.Millisecond},
		{312 + ogg.SampleRate, time.Second},
		{312 + 3600*ogg.SampleRate, time.Hour},
		{math.MaxInt64, math.MaxInt64}, // 6 million years: the longest Duration, not an overflow
	} {
		if got := c.Time(tc.g); got != tc.want {
			t.Errorf("Time(%d) = %v, want %v", tc.g, got, tc.want)
		}
	}

	if a, err := c.Add(audio); !a || err != nil || c.Position() != frame || c.Now() != 13500*time.Microsecond {
		t.Fatalf("first audio page: audio %v, %v, position %d, now %v", a, err, c.Position(), c.Now())
	}
	// A page where no packet ends leaves the clock where it was.
	if a, err := c.Add(page(t, 3, 0, -1, true, packet(255))); !a || err != nil || c.Position() != frame {
		t.Fatalf("page without a granule: audio %v, %v, position %d", a, err, c.Position())
	}
	// Time never runs backwards: neither an earlier position nor a granule whose top bit is set
	// (a uint64 on the wire, negative as an int64) is taken, and the clock stays as it was.
	if _, err := c.Add(page(t, 4, 0, frame-1, false, packet(4))); err == nil || c.Position() != frame {
		t.Errorf("earlier granule: %v, position %d", err, c.Position())
	}
	if _, err := c.Add(page(t, 4, 0, math.MinInt64, false, packet(4))); err == nil || !strings.Contains(err.Error(), "out of range") || c.Position() != frame {
		t.Errorf("granule with the top bit set: %v, position %d", err, c.Position())
	}
	if _, err := c.Add(page(t, 4, 0, -2, false, packet(4))); err == nil || c.Position() != frame {
		t.Errorf("granule -2: %v, position %d", err, c.Position())
	}
	// The same position again is fine (a page of zero-length packets), and so is the last one.
	for _, g := range []int64{frame, math.MaxInt64, math.MaxInt64} {
		if _, err := c.Add(page(t, 4, 0, g, false, packet(4))); err != nil || c.Position() != g {
			t.Errorf("granule %d: %v, position %d", g, err, c.Position())
		}
	}
	if c.Now() != math.MaxInt64 {
		t.Errorf("now %v", c.Now())
	}
}

func TestClockCutStartsWithItsHeaders(t *testing.T) {
	pages := stream(t, 312, 6)
	var c ogg.Clock
	for _, p := range pages {
		if _, err := c.Add(p); err != nil {
			t.Fatal(err)
		}
	}
	cut := c.Cut(pages[4:], pages[3].Granule, true)
	info, err := ogg.Validate(cut, true)
	if err != nil {
		t.Fatal(err)
	}
	if info.Pages != 2+4 || info.Head.PreSkip != 312 || info.LastGranule != 4*frame {
		t.Errorf("cut %+v", info)
	}
	// The clock's time of the cut's base plus the cut's own time is the original's time.
	if got, want := ogg.SampleDuration(pages[3].Granule)+info.Duration(), c.Now(); got != want {
		t.Errorf("cut ends at %v, the stream at %v", got, want)
	}
}

func TestSampleDurationSaturates(t *testing.T) {
	limit := int64(math.MaxInt64/time.Second) * ogg.SampleRate
	for _, tc := range []struct {
		n    int64
		want time.Duration
	}{
		{math.MinInt64, 0}, {-1, 0}, {0, 0},
		{1, 20833}, {47999, 999979166}, {48000, time.Second}, {48001, time.Second + 20833},
		{limit, math.MaxInt64}, {math.MaxInt64, math.MaxInt64},
	} {
		if got := ogg.SampleDuration(tc.n); got != tc.want {
			t.Errorf("SampleDuration(%d) = %d, want %d", tc.n, got, tc.want)
		}
	}
	// Just below the limit it still counts, and never wraps below a smaller count.
	below := ogg.SampleDuration(limit - 1)
	if below <= ogg.SampleDuration(limit-2) || below <= ogg.SampleDuration(limit-ogg.SampleRate) || below == math.MaxInt64 {
		t.Errorf("SampleDuration(limit-1) = %d", below)
	}
	// Milliseconds of it are what the STT clients used to compute as samples*1000/48000.
	for _, n := range []int64{0, 1, 47, 48, 95, 96, 4800, 123457, 48000 * 7200} {
		if got, want := ogg.SampleDuration(n).Milliseconds(), n*1000/ogg.SampleRate; got != want {
			t.Errorf("%d samples: %d ms, want %d", n, got, want)
		}
	}
}
