package ogg

import (
	"errors"
	"fmt"
	"math"
	"time"
)

// Clock follows one Ogg/Opus stream page by page and says what time it is in it. It keeps the
// two header pages (OpusHead, OpusTags), which every standalone piece cut from the stream must
// start with, and the pre-skip, which the decoder drops from the start: stream time is the
// decoded audio's time, so granule position g is at g minus the pre-skip samples.
//
// The zero Clock waits for the OpusHead page. A Clock holds no references that change after
// the headers are in, so a copy is a snapshot another goroutine may read.
type Clock struct {
	head, tags Page
	headers    int // header pages seen: 0, 1 or 2
	opus       OpusHead
	pos        int64 // granule position of the latest page that had one; 0 before any
}

// Add takes the stream's next page and says whether it is an audio page (false for the two
// header pages). A first page that is not an OpusHead, a second that is not OpusTags, and an
// audio page whose granule position is negative (other than -1, "no packet ends here") or
// lower than an earlier one are errors, and leave the Clock as it was: stream time never runs
// backwards.
func (c *Clock) Add(p Page) (audio bool, err error) {
	switch c.headers {
	case 0:
		h, err := ParseOpusHead(p)
		if err != nil {
			return false, err
		}
		c.head, c.opus, c.headers = p, h, 1
		return false, nil
	case 1:
		if !IsOpusTags(p) {
			return false, errors.New("ogg: second page is not OpusTags")
		}
		c.tags, c.headers = p, 2
		return false, nil
	}
	if p.Granule == -1 {
		return true, nil
	}
	if p.Granule < 0 {
		return false, fmt.Errorf("ogg: page %d: granule position %#x out of range", p.Seq, uint64(p.Granule))
	}
	if p.Granule < c.pos {
		return false, fmt.Errorf("ogg: page %d: granule position %d after %d", p.Seq, p.Granule, c.pos)
	}
	c.pos = p.Granule
	return true, nil
}

// Ready says both header pages are in.
func (c *Clock) Ready() bool { return c.headers == 2 }

// Head is the OpusHead's fields (zero before it came).
func (c *Clock) Head() OpusHead { return c.opus }

// PreSkip is the samples the decoder drops from the start.
func (c *Clock) PreSkip() int64 { return int64(c.opus.PreSkip) }

// Position is the granule position of the latest audio page that had one, 0 before any.
func (c *Clock) Position() int64 { return c.pos }

// Now is the stream time at Position.
func (c *Clock) Now() time.Duration { return c.Time(c.pos) }

// Time is the stream time at granule position g: the decoded audio before it, which is 0 for
// any position within the pre-skip (and for -1).
func (c *Clock) Time(g int64) time.Duration {
	if g <= c.PreSkip() {
		return 0
	}
	return SampleDuration(g - c.PreSkip())
}

// Cut is a standalone stream of the header pages and these audio pages (see the function Cut);
// nil before the headers are in.
func (c *Clock) Cut(audio []Page, base int64, eos bool) []byte {
	if !c.Ready() {
		return nil
	}
	return Cut(c.head, c.tags, audio, base, eos)
}

// SampleDuration is how long n samples at 48 kHz last: 0 for n ≤ 0, and the longest Duration
// for counts beyond it (about 292 years), instead of an overflow.
func SampleDuration(n int64) time.Duration {
	const limit = int64(math.MaxInt64/time.Second) * SampleRate
	switch {
	case n <= 0:
		return 0
	case n >= limit:
		return math.MaxInt64
	}
	return time.Duration(n/SampleRate)*time.Second + time.Duration(n%SampleRate)*time.Second/SampleRate
}
