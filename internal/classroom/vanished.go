package classroom

import (
	"context"
	"sync"
	"time"
)

// VanishedAfter is how long a LIVE room may be missing from the video server before it is
// ended here: LiveKit closes an empty room by then (emptyTimeout), and a host coming back after
// a video server restart has made it again long before (the token request does).
const VanishedAfter = emptyTimeout

// EndVanished ends the LIVE rooms the video server has not had for at least after: their
// room_finished webhook never reached us (our server was down while LiveKit gave up retrying).
// Call it periodically; each call compares our records with the video server's room list. It
// says how many rooms it ended.
func (s *Service) EndVanished(ctx context.Context, after time.Duration) (int, error) {
	if s.sfu == nil {
		return 0, nil
	}
	// Our records first: a room started in between is in the video server before it is LIVE.
	live, err := s.store.LiveRoomIDs(ctx)
	if err != nil {
		return 0, err
	}
	names, err := s.sfu.RoomNames(ctx)
	if err != nil {
		return 0, err
	}
	calls := make(map[string]bool, len(names))
	for _, n := range names {
		calls[n] = true
	}
	// A video room is named by the lecture and its call epoch; the absences are counted per room.
	exists := make(map[string]bool, len(live))
	lecture := make(map[string]string, len(live))
	for _, id := range live {
		r, err := s.store.Room(ctx, id)
		if err != nil {
			return 0, err
		}
		exists[id], lecture[id] = calls[r.Call()], r.LectureID
	}
	now := s.now()
	ended := 0
	for _, id := range s.vanished.overdue(live, exists, now, after) {
		if err := s.markEnded(ctx, id, lecture[id], now); err != nil {
			return ended, err
		}
		s.vanished.forget(id)
		ended++
		s.log.InfoContext(ctx, "room ended: the video server has not had it for", "room", id, "after", after)
	}
	return ended, nil
}

// absences remembers since when each LIVE room has been missing from the video server. It is
// the only state the rules keep in memory: losing it (a restart) only delays an ending.
type absences struct {
	mu    sync.Mutex
	since map[string]time.Time
}

// overdue records which of the live rooms exist at now and returns those missing for at least
// after. Rooms no longer live are forgotten.
func (a *absences) overdue(live []string, exists map[string]bool, now time.Time, after time.Duration) []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.since == nil {
		a.since = map[string]time.Time{}
	}
	stillLive := make(map[string]bool, len(live))
	var due []string
	for _, id := range live {
		stillLive[id] = true
		if exists[id] {
			delete(a.since, id)
			continue
		}
		since, seen := a.since[id]
		if !seen {
			a.since[id] = now
			continue
		}
		if now.Sub(since) >= after {
			due = append(due, id)
		}
	}
	for id := range a.since {
		if !stillLive[id] {
			delete(a.since, id)
		}
	}
	return due
}

// forget drops a room that was ended.
func (a *absences) forget(id string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	delete(a.since, id)
}
