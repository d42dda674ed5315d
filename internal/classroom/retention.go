package classroom

import (
	"context"
	"time"
)

// The event log's retention (issue #15 item 9). room_events exists for resumes: a client that
// lost its stream asks for what it missed after Last-Event-ID. A resume comes within minutes
// (the browser retries after 2 s, every stream ends after 30 minutes), or after a laptop slept
// over a weekend; nothing reads events older than that. So the log keeps a span of time, not a
// number of events: a count would cut a busy hall's resume after a short drop (a class knocking
// and raising hands writes thousands of events an hour) and keep a quiet room's events for
// ever. Chat, files, the moderation log and the lecture pages live in their own tables; only
// the stream reads the log. A resume from before the retention gets a fresh snapshot marked
// Reset (streams.go), never a partial replay.

const (
	// DefaultEventRetention is how long the log keeps an event: a week covers a weekend away.
	DefaultEventRetention = 7 * 24 * time.Hour
	// CompactEvery is how often serve compacts the log: events outlive the retention by at
	// most this.
	CompactEvery = time.Hour
	// DefaultCompactBatch is how many events one statement deletes: on SQLite one batch holds the
	// write lock for about 18 ms (docs/performance.md), so writers wait about that long behind it.
	DefaultCompactBatch = 2000
	// compactMaxPause caps the rest between two batches.
	compactMaxPause = time.Second
)

// CompactEvents deletes the events older than the retention, the oldest first, a batch at a
// time. After each batch it rests as long as the batch took, so the compaction takes at most
// half of the database's write time and a backlog of millions of rows (the first run after an
// upgrade) never holds a long lock. It returns how many events it deleted; ctx stops it between
// batches.
func (s *Service) CompactEvents(ctx context.Context) (int, error) {
	cutoff := s.now().Add(-s.opts.EventRetention)
	total := 0
	for {
		start := time.Now()
		n, err := s.store.DeleteEventsBefore(ctx, cutoff, s.opts.CompactBatch)
		total += n
		if err != nil || n < s.opts.CompactBatch {
			return total, err
		}
		pause := time.NewTimer(min(time.Since(start), compactMaxPause))
		select {
		case <-ctx.Done():
			pause.Stop()
			return total, ctx.Err()
		case <-pause.C:
		}
	}
}
