package classroom

import (
	"context"
	"encoding/json"
	"time"

	"github.com/liveserver/liveserver/internal/domain"
)

const (
	// emptyTimeout closes a started room that nobody joins, ending the lecture.
	emptyTimeout = 30 * time.Minute
	// departureTimeout is how long the video room outlives its last participant before the
	// lecture counts as over: long enough for a teacher whose network dropped, or who reloaded,
	// to come back (LiveKit's default of 20 s is not).
	departureTimeout = 15 * time.Minute
)

var errNoSFU = domain.Errorf(domain.EUnavailable, "No video server is configured on this instance.")

// StartRoom makes the room live: its current lecture opens (a room whose last lecture ended
// opens its next one), the lecture's video room exists and guests may be let in.
func (s *Service) StartRoom(ctx context.Context, actor domain.Actor, id string) (*domain.Room, error) {
	r, err := s.Room(ctx, actor, id)
	if err != nil {
		return nil, err
	}
	if s.sfu == nil {
		return nil, errNoSFU
	}
	if err := s.createSFURoom(ctx, r); err != nil {
		return nil, err
	}
	if err := s.markLive(ctx, r.ID, r.LectureID, s.now()); err != nil {
		return nil, err
	}
	s.announceLive(ctx, r.LectureID)
	s.log.InfoContext(ctx, "room started", "room", r.ID, "lecture", r.LectureID, "by", actor.User.ID)
	return s.store.Room(ctx, r.ID)
}

// createSFURoom makes (or keeps) the video room of the room's current lecture. It is named by
// the lecture and its call epoch (domain.CallName), so a token of last week's lecture does not
// open this week's call, nor one issued before a ban the call after it.
func (s *Service) createSFURoom(ctx context.Context, r *domain.Room) error {
	meta, _ := json.Marshal(map[string]string{"roomId": r.ID, "lectureId": r.LectureID, "name": r.Name})
	// The captioning assistant does not count: LiveKit leaves participants of kind AGENT out of
	// the limit.
	if err := s.sfu.CreateRoom(ctx, domain.SFURoom{Name: r.Call(), EmptyTimeout: emptyTimeout, DepartureTimeout: departureTimeout,
		MaxParticipants: r.MaxParticipants, Metadata: string(meta)}); err != nil {
		s.log.ErrorContext(ctx, "create video room", "room", r.ID, "err", err)
		return domain.Errorf(domain.EUnavailable, "The video server cannot be reached. Try again in a moment.")
	}
	return nil
}

// EndRoom ends the lecture for everyone: the room is ENDED (no token is issued any more until
// it starts again, with its next lecture), the lecture's summary is queued, and its video room
// is closed, which disconnects every participant. Ending twice is harmless and retries the
// disconnect of the lecture that was current when it was read.
func (s *Service) EndRoom(ctx context.Context, actor domain.Actor, id string) (*domain.Room, error) {
	r, err := s.Room(ctx, actor, id)
	if err != nil {
		return nil, err
	}
	call := r.Call()
	if r.Status == domain.RoomEnded {
		// Ended already: retry closing the call of the lecture that ended.
		if ls, err := s.store.Lectures(ctx, r.ID); err == nil && len(ls) > 0 {
			call = ls[0].Call()
		}
	} else if err := s.markEnded(ctx, r.ID, r.LectureID, s.now()); err != nil {
		return nil, err
	}
	s.log.InfoContext(ctx, "room ended", "room", r.ID, "lecture", r.LectureID, "by", actor.User.ID)
	if s.sfu != nil {
		if err := s.sfu.DeleteRoom(ctx, call); err != nil {
			s.log.ErrorContext(ctx, "close video room", "room", r.ID, "err", err)
			return nil, domain.Errorf(domain.EUnavailable, "The lecture has ended, but the video server could not be told to disconnect everyone. Try again.")
		}
	}
	return s.store.Room(ctx, r.ID)
}

// markLive opens the room's current lecture, if it is still lectureID, and tells everyone
// following the room.
func (s *Service) markLive(ctx context.Context, roomID, lectureID string, at time.Time) error {
	return s.transition(ctx, roomID, func(st domain.Store) (bool, error) { return st.StartRoom(ctx, roomID, lectureID, at) })
}

// announceLive tells the captioning assistant that a lecture's video room is up, so it joins
// now rather than at its next look at the room list (which it still takes: the bus may lose
// this).
func (s *Service) announceLive(ctx context.Context, lectureID string) {
	if s.bus == nil {
		return
	}
	if err := s.bus.Publish(ctx, domain.TopicLiveRooms, []byte(lectureID)); err != nil {
		s.log.WarnContext(ctx, "announce live room", "lecture", lectureID, "err", err)
	}
}

// markEnded ends the room in our records (queuing its summary) and tells everyone following it.
func (s *Service) markEnded(ctx context.Context, roomID, lectureID string, at time.Time) error {
	return s.transition(ctx, roomID, func(st domain.Store) (bool, error) { return st.EndRoom(ctx, roomID, lectureID, at) })
}

func (s *Service) transition(ctx context.Context, roomID string, change func(domain.Store) (bool, error)) error {
	return s.inTx(ctx, func(st domain.Store, out *outbox) error {
		before, err := st.RoomForUpdate(ctx, roomID)
		if err != nil {
			return err
		}
		changed, err := change(st)
		if err != nil || !changed {
			return err
		}
		r, err := st.Room(ctx, roomID)
		if err != nil {
			return err
		}
		view := roomState(r)
		// The state is about the lecture that changed: on an end, the one that ended (the
		// room's current lecture is its next one by then).
		view.LectureID = before.LectureID
		return out.add(ctx, st, roomID, EvRoomState, domain.AudienceAll, view)
	})
}
