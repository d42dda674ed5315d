package classroom

import (
	"context"
	"time"

	"github.com/liveserver/liveserver/internal/domain"
)

// EvCallMoved tells everyone still allowed in that the call moved to a new video room
// (CallMovedView): fetch a new token and connect to it.
const EvCallMoved = "call.moved"

// CallMovedView names the call's new video room.
type CallMovedView struct {
	LectureID string `json:"lectureId"`
	Call      string `json:"call"`
}

// callMove is a ban's move of the call: the room (with its new epoch) and the call it left.
type callMove struct {
	room *domain.Room
	from string
}

// moveCallTx moves the lecture's call to its next epoch in st's transaction, when a ban needs
// it: the banned guest was admitted in this live lecture, so it may hold tokens of the call,
// among them tokens LiveKit refreshed with the right to receive (LiveKit cannot revoke a
// token). After the move every such token names a video room that is deleted and that the
// video server will not create again on join. The event goes after the guest's "removed",
// which ends the banned guest's own stream, so only those still allowed in hear of the move.
func (s *Service) moveCallTx(ctx context.Context, st domain.Store, out *outbox, r *domain.Room, admitted bool) (*callMove, error) {
	if !admitted || r.Status != domain.RoomLive {
		return nil, nil
	}
	epoch, err := st.RotateCall(ctx, r.LectureID)
	if err != nil {
		return nil, err
	}
	moved := *r
	moved.CallEpoch = epoch
	mv := &callMove{room: &moved, from: domain.CallName(r.LectureID, epoch-1)}
	if err := out.add(ctx, st, r.ID, EvCallMoved, domain.AudienceAll, CallMovedView{LectureID: r.LectureID, Call: moved.Call()}); err != nil {
		return nil, err
	}
	return mv, nil
}

// finishMove makes the call's new video room, wakes the assistant (which follows the lecture
// to it), and deletes the old room at once. Deleting disconnects everyone in it, the banned
// guest with them; the others have heard of the move on their streams or learn it from the
// disconnect (ROOM_DELETED), fetch a token, which names the new room, and connect to it. The
// old room is not kept for them meanwhile: while it exists a replayed token with the right to
// receive is subscribed to the call before our participant_joined check can remove it
// (docs/security.md measured 1-3 audio packets in 3 of 12 replays), so a grace period would
// give back exactly the window the move closes.
func (s *Service) finishMove(ctx context.Context, mv *callMove) error {
	if s.sfu == nil {
		return nil
	}
	// On a context of its own: a host closing the tab must not leave the old room standing.
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	r := mv.room
	// A failure here is not the ban's: the first token request makes the room again.
	if err := s.createSFURoom(sctx, r); err != nil {
		s.log.WarnContext(ctx, "make the moved call's video room", "room", r.ID, "err", err)
	}
	s.announceLive(sctx, r.LectureID)
	if err := s.sfu.DeleteRoom(sctx, mv.from); err != nil {
		s.log.ErrorContext(ctx, "delete the call's old video room", "room", r.ID, "call", mv.from, "err", err)
		return domain.Errorf(domain.EUnavailable, "Banned, but the video server could not be told to close the old call; try again.")
	}
	s.log.InfoContext(ctx, "call moved", "room", r.ID, "from", mv.from, "to", r.Call())
	return nil
}

// staleCall applies a webhook of a call the lecture moved away from. Its departures close
// their attendance rows (the connections were real, before the move); its room_finished ends
// nothing, the lecture goes on in its new call. A start or an arrival there means the old room
// exists again: made by a token request that read the room just before the move. It is
// deleted again, and the arrival leaves no attendance row.
func (s *Service) staleCall(ctx context.Context, ev domain.WebhookEvent, r *domain.Room, l *domain.Lecture, at time.Time) error {
	switch ev.Type {
	case domain.EventParticipantLeft:
		if ev.ParticipantKind == domain.ParticipantAgent || ev.ParticipantSID == "" {
			return nil
		}
		return s.recordDeparture(ctx, r, domain.Attendance{RoomID: r.ID, LectureID: l.ID, SID: ev.ParticipantSID,
			Identity: ev.ParticipantIdentity, Name: ev.ParticipantName}, at)
	case domain.EventRoomStarted, domain.EventParticipantJoined:
		if s.sfu == nil {
			return nil
		}
		s.log.WarnContext(ctx, "activity in a call the lecture moved away from; closing it", "room", r.ID, "call", ev.Room)
		return s.sfu.DeleteRoom(ctx, ev.Room)
	}
	return nil
}
