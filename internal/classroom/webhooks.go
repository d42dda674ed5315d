package classroom

import (
	"context"
	"time"

	"github.com/liveserver/liveserver/internal/domain"
)

// HandleWebhook applies one verified event from the video server. Each step is idempotent and
// order-independent, so a retried or late delivery changes nothing; the event id is recorded
// only after it was applied, so a failure is retried by the sender.
func (s *Service) HandleWebhook(ctx context.Context, ev domain.WebhookEvent) error {
	if ev.ID == "" {
		return domain.Invalid("id", "The event has no id.")
	}
	if seen, err := s.store.WebhookSeen(ctx, ev.ID); err != nil || seen {
		return err
	}
	at := ev.CreatedAt.UTC().Truncate(time.Microsecond)
	if at.IsZero() {
		at = s.now()
	}
	if err := s.applyWebhook(ctx, ev, at); err != nil {
		return err
	}
	_, err := s.store.MarkWebhook(ctx, ev.ID, ev.Type, ev.Room, s.now())
	return err
}

func (s *Service) applyWebhook(ctx context.Context, ev domain.WebhookEvent, at time.Time) error {
	// A video room is named by its lecture and the call's epoch.
	lectureID, epoch, ok := domain.ParseCallName(ev.Room)
	if !ok {
		return nil // not one of our rooms (a shared LiveKit deployment)
	}
	l, err := s.store.Lecture(ctx, lectureID)
	if domain.ErrorCode(err) == domain.ENotFound {
		return nil
	}
	if err != nil {
		return err
	}
	r, err := s.store.Room(ctx, l.RoomID)
	if err != nil {
		return err
	}
	// Only the room's current lecture may be live; a call of an ended one is closed again.
	current := r.LectureID == l.ID
	if epoch != l.CallEpoch {
		// A call the lecture moved away from (a ban moved it on): its room was deleted, and
		// whatever it reports now is its closing (departures, room_finished) or someone back on
		// a token issued before the move.
		return s.staleCall(ctx, ev, r, l, at)
	}
	switch ev.Type {
	case domain.EventRoomStarted:
		if !current {
			return s.closeEnded(ctx, ev.Room)
		}
		if err := s.markLive(ctx, r.ID, l.ID, at); err != nil {
			return err
		}
		s.announceLive(ctx, l.ID)
		return nil
	case domain.EventRoomFinished:
		if !current || r.Status != domain.RoomLive {
			return nil
		}
		if err := s.markEnded(ctx, r.ID, l.ID, at); err != nil {
			return err
		}
		s.log.InfoContext(ctx, "room finished in the video server", "room", r.ID)
		return nil
	case domain.EventParticipantJoined, domain.EventParticipantLeft:
		if ev.ParticipantKind == domain.ParticipantAgent || ev.ParticipantSID == "" {
			return nil
		}
		a := domain.Attendance{RoomID: r.ID, LectureID: l.ID, SID: ev.ParticipantSID, Identity: ev.ParticipantIdentity, Name: ev.ParticipantName}
		if ev.Type == domain.EventParticipantLeft {
			return s.recordDeparture(ctx, r, a, at)
		}
		if !current || r.Status == domain.RoomEnded {
			// A late report of someone who was there counts; then, whoever it is, the lecture
			// is over (someone may have reconnected with a token still valid).
			if current {
				if err := s.recordLateArrival(ctx, r, a, at); err != nil {
					return err
				}
			}
			return s.closeEnded(ctx, ev.Room)
		}
		return s.confirmJoin(ctx, r, ev.Room, a, at)
	}
	return nil
}

func (s *Service) closeEnded(ctx context.Context, call string) error {
	if s.sfu == nil {
		return nil
	}
	s.log.WarnContext(ctx, "activity in an ended lecture's call; closing it again", "call", call)
	return s.sfu.DeleteRoom(ctx, call)
}
