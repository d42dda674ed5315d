package classroom

import (
	"context"
	"time"

	"github.com/liveserver/liveserver/internal/domain"
)

// confirmJoin answers LiveKit's report that someone joined the call. LiveKit cannot revoke a
// token, and refreshes the token of a connected client with the rights it has then: a guest
// may hold tokens from before a kick, a ban or a stop. So the report is checked against our
// records every time (call is the video room the report is about):
//   - a guest whose admission holds gets its rights in the call now: receiving (no guest token
//     carries it), and publishing exactly as recorded (a stop survives any token);
//   - anyone else is sent away at once, and leaves no attendance row: a removed guest
//     reconnecting in a loop does not fill the attendance with connections that never were.
func (s *Service) confirmJoin(ctx context.Context, r *domain.Room, call string, a domain.Attendance, at time.Time) error {
	identity := a.Identity
	host, guest, err := s.inCallAs(ctx, r, identity)
	if err != nil {
		return err
	}
	if !host && guest == nil {
		if s.sfu == nil {
			return nil
		}
		s.log.WarnContext(ctx, "removing a participant without admission from the call", "room", r.ID, "identity", identity)
		return s.sfu.RemoveParticipant(ctx, call, identity)
	}
	a.JoinedAt = &at
	if err := s.store.RecordAttendance(ctx, a); err != nil {
		return err
	}
	if guest == nil || s.sfu == nil {
		return nil
	}
	// A stop (or allow) may be written between our read and the video server's change: read
	// the record again after each change until they agree, so the last word is the record's.
	can := guest.CanPublish
	for range 3 {
		if err := s.sfu.ConfirmGuest(ctx, call, identity, can); err != nil {
			return err
		}
		now, err := s.store.Admission(ctx, r.LectureID, identity)
		if domain.ErrorCode(err) == domain.ENotFound {
			return nil
		}
		if err != nil || !now.Active() {
			return err // revoked meanwhile: the removal disconnects it
		}
		if now.CanPublish == can {
			return nil
		}
		can = now.CanPublish
	}
	return nil
}

// inCallAs says whether identity may be in the room's call: as a host, or as a guest whose
// admission holds (then guest is that admission).
func (s *Service) inCallAs(ctx context.Context, r *domain.Room, identity string) (host bool, guest *domain.Admission, err error) {
	if s.isHostIdentity(ctx, r, identity) {
		return true, nil, nil
	}
	g, err := s.activeGuest(ctx, s.store, r, identity)
	switch domain.ErrorCode(err) {
	case "":
		return false, g, nil
	case domain.ENotAdmitted, domain.EBanned:
		return false, nil, nil
	}
	return false, nil, err
}

// recordDeparture closes the attendance row of a connection that had one. A connection sent
// away on arrival has none and gets none; a departure reported before its arrival (webhooks
// out of order) is kept when the identity may be in the call, so the arrival completes it.
func (s *Service) recordDeparture(ctx context.Context, r *domain.Room, a domain.Attendance, at time.Time) error {
	rows, err := s.store.AttendanceOf(ctx, a.LectureID)
	if err != nil {
		return err
	}
	known := false
	for _, row := range rows {
		known = known || row.SID == a.SID
	}
	if !known {
		host, guest, err := s.inCallAs(ctx, r, a.Identity)
		if err != nil || (!host && guest == nil) {
			return err
		}
	}
	a.LeftAt = &at
	return s.store.RecordAttendance(ctx, a)
}

// recordLateArrival keeps the arrival of someone who may be in the call, reported after the
// lecture ended.
func (s *Service) recordLateArrival(ctx context.Context, r *domain.Room, a domain.Attendance, at time.Time) error {
	host, guest, err := s.inCallAs(ctx, r, a.Identity)
	if err != nil || (!host && guest == nil) {
		return err
	}
	a.JoinedAt = &at
	return s.store.RecordAttendance(ctx, a)
}
