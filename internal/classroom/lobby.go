package classroom

import (
	"context"

	"github.com/google/uuid"
	"github.com/liveserver/liveserver/internal/domain"
)

// LobbyQueue is the room's waiting guests, in the order they knocked.
func (s *Service) LobbyQueue(ctx context.Context, actor domain.Actor, roomID string) ([]domain.LobbyEntry, error) {
	r, err := s.Room(ctx, actor, roomID)
	if err != nil {
		return nil, err
	}
	return s.store.LobbyEntries(ctx, r.LectureID, domain.LobbyPending)
}

// LobbyDecision approves or rejects one waiting guest (entryID) or all of them (entryID "").
type LobbyDecision struct {
	EntryID string
	All     bool
	Approve bool
	// Unlock unlocks a locked room first, in the same transaction as the approval: the host's
	// one click for a guest who knocked while the room was locked.
	Unlock bool
}

// DecideLobby carries out the host's decision. Only pending entries change; an approval binds
// the guest's admission to that very entry. Nobody is approved into a locked room, and a guest
// banned while waiting is rejected instead. It returns the entries it decided.
func (s *Service) DecideLobby(ctx context.Context, actor domain.Actor, roomID string, d LobbyDecision) ([]domain.LobbyEntry, error) {
	r, err := s.Room(ctx, actor, roomID)
	if err != nil {
		return nil, err
	}
	if r.Status == domain.RoomEnded {
		return nil, domain.Errorf(domain.ERoomEnded, "This lecture has ended.")
	}
	var targets []domain.LobbyEntry
	if d.All {
		if targets, err = s.store.LobbyEntries(ctx, r.LectureID, domain.LobbyPending); err != nil {
			return nil, err
		}
	} else {
		if !validID(d.EntryID) {
			return nil, domain.Errorf(domain.ENotFound, "No such lobby entry.")
		}
		e, err := s.store.LobbyEntry(ctx, d.EntryID)
		if err != nil && domain.ErrorCode(err) != domain.ENotFound {
			return nil, err
		}
		if err != nil || e.RoomID != r.ID {
			return nil, domain.Errorf(domain.ENotFound, "No such lobby entry.")
		}
		if e.Status != domain.LobbyPending {
			return nil, domain.Errorf(domain.EConflict, "This guest's request was already decided.")
		}
		targets = []domain.LobbyEntry{*e}
	}
	var decided []domain.LobbyEntry
	err = s.inTx(ctx, func(st domain.Store, out *outbox) error {
		// The lock may have come meanwhile (another replica, a panic): decide on the room as it is.
		cur, err := st.RoomForUpdate(ctx, r.ID)
		if err != nil {
			return err
		}
		if d.Unlock && d.Approve && cur.Locked {
			if err := s.unlockFor(ctx, st, out, actor, cur); err != nil {
				return err
			}
		}
		if d.Approve && cur.Locked {
			return domain.Errorf(domain.ERoomLocked, "The room is locked; unlock it to let guests in.")
		}
		for i := range targets {
			e := &targets[i]
			status := domain.LobbyRejected
			if d.Approve {
				status = domain.LobbyApproved
				// Every key: the guest is not in yet.
				keys := domain.BanKeys{SessionID: e.SessionID, DeviceID: e.DeviceID, Fingerprint: e.Fingerprint, IP: e.IP}
				if err := s.checkBan(ctx, st, r.ID, keys); domain.ErrorCode(err) == domain.EBanned {
					status = domain.LobbyRejected
				} else if err != nil {
					return err
				}
			}
			if ok, err := s.decideEntry(ctx, st, out, r, e, status, actor.User.ID); err != nil {
				return err
			} else if ok {
				decided = append(decided, *e)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if !d.All && len(decided) == 0 {
		return nil, domain.Errorf(domain.EConflict, "This guest's request was already decided.")
	}
	s.log.InfoContext(ctx, "lobby decided", "room", r.ID, "count", len(decided), "approve", d.Approve, "by", actor.User.ID)
	return decided, nil
}

// decideEntry moves one pending entry and tells the host's and the guest's streams.
func (s *Service) decideEntry(ctx context.Context, st domain.Store, out *outbox, r *domain.Room, e *domain.LobbyEntry, status domain.LobbyStatus, by string) (bool, error) {
	now := s.now()
	ok, err := st.DecideLobbyEntry(ctx, e.ID, status, by, now)
	if err != nil || !ok {
		return false, err // decided meanwhile by another click or replica
	}
	e.Status, e.DecidedAt, e.DecidedBy = status, &now, by
	if status == domain.LobbyApproved {
		if err := st.Admit(ctx, domain.Admission{ID: uuid.NewString(), RoomID: r.ID, LectureID: r.LectureID, Identity: e.SessionID, Name: e.Name,
			Kind: domain.KindGuest, Fingerprint: e.Fingerprint, DeviceID: e.DeviceID, LobbyEntryID: e.ID, AdmittedAt: now}); err != nil {
			return false, err
		}
	}
	v := LobbyView(e)
	if err := out.add(ctx, st, r.ID, EvLobbyDecided, domain.AudienceHost, v); err != nil {
		return false, err
	}
	return true, out.add(ctx, st, r.ID, EvLobbyDecision, domain.AudienceOf(e.SessionID), v)
}

// unlockFor unlocks the room as part of the host's "unlock and admit".
func (s *Service) unlockFor(ctx context.Context, st domain.Store, out *outbox, actor domain.Actor, cur *domain.Room) error {
	cur.Locked, cur.UpdatedAt = false, s.now()
	if err := st.UpdateRoom(ctx, cur); err != nil {
		return err
	}
	if err := out.add(ctx, st, cur.ID, EvRoomState, domain.AudienceAll, roomState(cur)); err != nil {
		return err
	}
	return s.logAction(ctx, st, actor, cur, ActUnlock, "", "", nil)
}
