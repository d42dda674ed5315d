package ogg

import "time"

// Replay lets a stream be sent again to a receiver that lost it, without resending what the
// receiver has already dealt with. It keeps the header pages and every audio page after the
// last point the receiver acknowledged (by granule position, cut only where a page starts a
// new packet). Restart makes of them a fresh standalone stream that starts at time zero, and
// the pages added after it are rewritten to follow on in that stream; the receiver's times in
// the fresh stream plus the start Restart returned are times in this one.
//
// The zero Replay waits for the OpusHead page. A Replay is not safe for concurrent use.
type Replay struct {
	clock   Clock
	kept    []Page // audio pages not yet acknowledged
	keptAt  int64  // granule position where kept starts (the end of the last page dropped)
	nextSeq uint32 // sequence number after the last page added

	// After a Restart, pages are rewritten for the fresh stream: granule positions minus base,
	// sequence numbers minus seqShift (so the first page after the replay is number 2).
	restarted bool
	base      int64
	seqShift  uint32
}

// Add takes the stream's next page and returns it as the current receiver must get it: as it
// is, or rewritten for the fresh stream after a Restart. It fails as Clock.Add does.
func (r *Replay) Add(p Page) (Page, error) {
	audio, err := r.clock.Add(p)
	if err != nil {
		return Page{}, err
	}
	r.nextSeq = p.Seq + 1
	if !audio {
		return p, nil
	}
	// A page that goes on with a packet whose start is not kept cannot be replayed: a fresh
	// stream must not begin mid-packet. (Ack never cuts before such a page, so only a stream that
	// is broken to begin with has one first.)
	if len(r.kept) > 0 || !p.Continued() {
		r.kept = append(r.kept, p)
	}
	if r.restarted && p.Seq >= 2 {
		p = Rebase(p, r.base, p.Seq-r.seqShift, false)
	}
	return p, nil
}

// Ack says the receiver has dealt with the stream up to time t: the kept pages whose audio
// ends by t are dropped, up to the last one after which a new packet starts.
func (r *Replay) Ack(t time.Duration) {
	drop, at := 0, r.keptAt
	g := r.keptAt
	for i, p := range r.kept {
		if p.Granule != -1 {
			g = p.Granule
		}
		if r.clock.Time(g) > t {
			break
		}
		if !p.EndsPacket() || i+1 < len(r.kept) && r.kept[i+1].Continued() {
			continue // a packet goes on in the next page: cutting here would split it
		}
		drop, at = i+1, g
	}
	if drop > 0 {
		r.kept = append(r.kept[:0:0], r.kept[drop:]...)
		r.keptAt = at
	}
}

// Restart begins a fresh stream for a new receiver: data is the header pages and the kept
// pages rebased to start at time zero (nil before the headers are in), and start is where the
// fresh stream's time zero is in this stream. Pages added from now on are rewritten to follow
// on in the fresh stream.
func (r *Replay) Restart() (data []byte, start time.Duration) {
	data = r.clock.Cut(r.kept, r.keptAt, false)
	r.restarted = true
	r.base = r.keptAt
	first := r.nextSeq // the page that comes after the replay is number 2 of the fresh stream
	if len(r.kept) > 0 {
		first = r.kept[0].Seq
	}
	if first >= 2 {
		r.seqShift = first - 2
	}
	return data, SampleDuration(r.keptAt)
}

// Kept is how many audio pages a Restart would send again.
func (r *Replay) Kept() int { return len(r.kept) }

// Clock is a snapshot of the stream's clock.
func (r *Replay) Clock() Clock { return r.clock }
