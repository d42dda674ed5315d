package classroom

import (
	"context"

	"github.com/liveserver/liveserver/internal/domain"
)

// activeGuest is the guest identity's admission to the room, if it still holds: granted through
// an approved lobby entry of this very session, and no ban on the session or its device since.
// A ban's fingerprint and address are not checked here: classmates on lab machines or behind
// one school address share them, and banning one must not throw the others out (they refuse
// only a new knock, in Join and at the host's approval).
func (s *Service) activeGuest(ctx context.Context, st domain.Store, r *domain.Room, identity string) (*domain.Admission, error) {
	notIn := domain.Errorf(domain.ENotAdmitted, "Join this room through its invite link.")
	if identity == "" {
		return nil, notIn
	}
	a, err := st.Admission(ctx, r.LectureID, identity)
	if domain.ErrorCode(err) == domain.ENotFound || (err == nil && (!a.Active() || a.Kind != domain.KindGuest)) {
		return nil, notIn
	}
	if err != nil {
		return nil, err
	}
	e, err := st.LobbyEntry(ctx, a.LobbyEntryID)
	if domain.ErrorCode(err) == domain.ENotFound || (err == nil && (e.Status != domain.LobbyApproved || e.SessionID != identity)) {
		return nil, notIn
	}
	if err != nil {
		return nil, err
	}
	if err := s.checkBan(ctx, st, r.ID, domain.BanKeys{SessionID: identity, DeviceID: a.DeviceID}); err != nil {
		return nil, err
	}
	return a, nil
}
