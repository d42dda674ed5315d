package agent

import (
	"time"

	"github.com/liveserver/liveserver/internal/ogg"
)

// budgetSlack is how far ahead of real time one track's audio may run: the longest gap filled
// with silence (maxFill) plus a second of jitter. A microphone that was quiet (DTX) sends
// nothing, and the gap is written back in at once when it speaks again; that is the burst the
// slack covers.
const budgetSlack = maxFill + ogg.SampleRate

// audioBudget keeps one track's audio (packets and the silence written between them) at real
// time: a token bucket filled at 48 000 samples a second, holding at most budgetSlack. Over
// any stretch of time T, at most T of audio plus the slack goes to the STT provider, whatever
// the publisher's RTP timestamps or frame sizes claim. It lives as long as the track, across
// the track's streams.
type audioBudget struct {
	now     func() time.Time
	last    time.Time
	credit  float64 // samples that may still be sent
	dropped int64   // samples refused
}

func newAudioBudget(now func() time.Time) *audioBudget {
	return &audioBudget{now: now, last: now(), credit: budgetSlack}
}

// take reports whether n more samples may be sent, and books them if so.
func (b *audioBudget) take(n int64) bool {
	t := b.now()
	if d := t.Sub(b.last); d > 0 {
		b.credit = min(budgetSlack, b.credit+d.Seconds()*ogg.SampleRate)
	}
	b.last = t
	if float64(n) > b.credit {
		b.dropped += n
		return false
	}
	b.credit -= float64(n)
	return true
}
