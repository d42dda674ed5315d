package classroom

import (
	"cmp"
	"context"
	"encoding/json"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/liveserver/liveserver/internal/domain"
)

// Moderation actions (DESIGN §4).
const (
	ActKick           = "kick"
	ActBan            = "ban"
	ActUnban          = "unban"
	ActMute           = "mute"
	ActMuteAll        = "mute_all"
	ActStopPublishing = "stop_publishing"
	ActAllowPublish   = "allow_publishing"
	ActLock           = "lock"
	ActUnlock         = "unlock"
	ActPanic          = "panic"
	ActLowerHand      = "lower_hand"
)

// needsTarget says which actions name a participant.
var needsTarget = map[string]bool{ActKick: true, ActBan: true, ActUnban: true, ActMute: true,
	ActStopPublishing: true, ActAllowPublish: true, ActLowerHand: true, ActMuteAll: false, ActLock: false, ActUnlock: false, ActPanic: false}

// ModerationResult says what an action did, so the host sees it.
type ModerationResult struct {
	Action   string `json:"action"`
	Identity string `json:"identity,omitempty"`
	Locked   bool   `json:"locked"`
	// Counts, where the action touches several people.
	Removed  int `json:"removed"`
	Rejected int `json:"rejected"`
	Muted    int `json:"muted"`
	// Panic turns these off.
	ChatEnabled  bool `json:"chatEnabled"`
	FilesEnabled bool `json:"filesEnabled"`
}

// Moderate carries out one action of the host (or an admin) in the room, in our records and
// in the video room, and writes it to the moderation log.
func (s *Service) Moderate(ctx context.Context, actor domain.Actor, roomID, action, identity string) (*ModerationResult, error) {
	r, err := s.Room(ctx, actor, roomID)
	if err != nil {
		return nil, err
	}
	target, known := needsTarget[action]
	if !known {
		return nil, domain.Invalid("action", "Unknown action %q.", action)
	}
	if target && identity == "" {
		return nil, domain.Invalid("identity", "The action %q needs the identity of a participant.", action)
	}
	if !target && identity != "" {
		return nil, domain.Invalid("identity", "The action %q takes no identity.", action)
	}
	if target && len(identity) > 128 {
		return nil, domain.Invalid("identity", "No such participant.")
	}
	if target && s.isHostIdentity(ctx, r, identity) && action != ActLowerHand {
		return nil, domain.Errorf(domain.EForbidden, "The host cannot be removed, banned or muted.")
	}
	res := &ModerationResult{Action: action, Identity: identity}
	switch action {
	case ActKick, ActBan:
		err = s.remove(ctx, actor, r, identity, action, res)
	case ActUnban:
		err = s.unban(ctx, actor, r, identity)
	case ActMute, ActStopPublishing, ActAllowPublish:
		err = s.silence(ctx, actor, r, identity, action, res)
	case ActMuteAll:
		err = s.muteAll(ctx, actor, r, res)
	case ActLock, ActUnlock:
		err = s.setLocked(ctx, actor, r, action == ActLock)
	case ActPanic:
		err = s.panicButton(ctx, actor, r, res)
	case ActLowerHand:
		err = s.lowerHand(ctx, actor, r, identity)
	}
	if err != nil {
		return nil, err
	}
	after, err := s.store.Room(ctx, r.ID)
	if err != nil {
		return nil, err
	}
	res.Locked, res.ChatEnabled, res.FilesEnabled = after.Locked, after.ChatEnabled, after.FilesEnabled
	s.log.InfoContext(ctx, "moderation", "room", r.ID, "action", action, "target", identity, "by", actor.User.ID)
	return res, nil
}

// isHostIdentity reports whether identity is the room's owner, or a host (an admin) whose
// host token was issued for this room.
func (s *Service) isHostIdentity(ctx context.Context, r *domain.Room, identity string) bool {
	if identity == r.OwnerID {
		return true
	}
	a, err := s.store.Admission(ctx, r.LectureID, identity)
	return err == nil && a.Active() && a.Kind == domain.KindHost
}

// logAction writes one moderation log line in st's transaction.
func (s *Service) logAction(ctx context.Context, st domain.Store, actor domain.Actor, r *domain.Room, action, identity, name string, detail any) error {
	d, _ := json.Marshal(detail)
	if detail == nil {
		d = []byte("{}")
	}
	return st.AppendModeration(ctx, domain.ModerationEntry{ID: uuid.NewString(), RoomID: r.ID, ActorID: actor.User.ID,
		ActorName: actor.User.Name, Action: action, TargetIdentity: identity, TargetName: name, Detail: string(d), CreatedAt: s.now()})
}

// remove kicks (or bans) one guest: the admission and its approval are revoked, so only a new
// knock through the lobby brings them back; a ban also keeps the browser out for good. The
// guest's streams hear it first, then the video server disconnects them.
func (s *Service) remove(ctx context.Context, actor domain.Actor, r *domain.Room, identity, action string, res *ModerationResult) error {
	reason := "kicked"
	if action == ActBan {
		reason = "banned"
	}
	var sameDevice []string // the banned device's other guests, removed with it
	var moved *callMove     // a ban of a guest admitted in the live call moves the call (callmove.go)
	err := s.inTx(ctx, func(st domain.Store, out *outbox) error {
		sameDevice = nil
		name, device, fingerprint, ip := "", "", "", ""
		a, err := st.Admission(ctx, r.LectureID, identity)
		if err == nil {
			name, device, fingerprint = a.Name, a.DeviceID, a.Fingerprint
		} else if domain.ErrorCode(err) != domain.ENotFound {
			return err
		}
		// The lobby entry knows the browser and the address even of a guest never admitted.
		e, err := st.LatestLobbyEntry(ctx, r.LectureID, identity)
		if err == nil {
			name, device = cmp.Or(name, e.Name), cmp.Or(device, e.DeviceID)
			fingerprint, ip = cmp.Or(fingerprint, e.Fingerprint), e.IP
		} else if domain.ErrorCode(err) != domain.ENotFound {
			return err
		}
		if name == "" && action == ActKick {
			return domain.Errorf(domain.ENotFound, "No such participant in this room.")
		}
		// "removed" (with the reason) goes out before the lobby's rejection, which ends a
		// waiting guest's stream: a banned guest learns it was a ban.
		if err := s.revoke(ctx, st, out, r, identity, name, reason); err != nil {
			return err
		}
		if e != nil && e.Status == domain.LobbyPending {
			if _, err := s.decideEntry(ctx, st, out, r, e, domain.LobbyRejected, actor.User.ID); err != nil {
				return err
			}
		}
		if action == ActBan {
			if err := st.CreateBan(ctx, domain.Ban{ID: uuid.NewString(), RoomID: r.ID, Identity: identity, SessionID: identity, DeviceID: device,
				Fingerprint: fingerprint, IP: ip, Name: name, CreatedBy: actor.User.ID, CreatedAt: s.now()}); err != nil {
				return err
			}
			// The same browser under another guest session (cleared cookies, another name) is the
			// same device: it goes too. Classmates who only share the fingerprint or the address stay.
			if sameDevice, err = s.removeDevice(ctx, st, out, r, identity, device); err != nil {
				return err
			}
			if moved, err = s.moveCallTx(ctx, st, out, r, a != nil || len(sameDevice) > 0); err != nil {
				return err
			}
		}
		return s.logAction(ctx, st, actor, r, action, identity, name, nil)
	})
	if err != nil {
		return err
	}
	res.Removed = 1 + len(sameDevice)
	if moved != nil {
		return s.finishMove(ctx, moved) // deleting the old call removes the guests from it
	}
	for _, other := range sameDevice {
		if err := s.sfuRemove(ctx, r, other); err != nil {
			return err
		}
	}
	return s.sfuRemove(ctx, r, identity)
}

// removeDevice revokes the admissions of the device's other guest sessions in the lecture and
// says whose they were.
func (s *Service) removeDevice(ctx context.Context, st domain.Store, out *outbox, r *domain.Room, banned, device string) ([]string, error) {
	if device == "" {
		return nil, nil
	}
	admitted, err := st.Admissions(ctx, r.LectureID)
	if err != nil {
		return nil, err
	}
	var removed []string
	for _, a := range admitted {
		if a.Kind != domain.KindGuest || a.DeviceID != device || a.Identity == banned {
			continue
		}
		if err := s.revoke(ctx, st, out, r, a.Identity, a.Name, "banned"); err != nil {
			return nil, err
		}
		removed = append(removed, a.Identity)
	}
	return removed, nil
}

// revoke takes a guest's admission and approvals back and tells the streams.
func (s *Service) revoke(ctx context.Context, st domain.Store, out *outbox, r *domain.Room, identity, name, reason string) error {
	now := s.now()
	if _, err := st.RevokeAdmission(ctx, r.LectureID, identity, now); err != nil {
		return err
	}
	if err := st.RevokeApprovals(ctx, r.LectureID, identity, now); err != nil {
		return err
	}
	if err := s.lowerRemovedHand(ctx, st, out, r, identity, name); err != nil {
		return err
	}
	v := RemovedView{Identity: identity, Name: name, Reason: reason}
	if err := out.add(ctx, st, r.ID, EvRemoved, domain.AudienceOf(identity), v); err != nil {
		return err
	}
	return out.add(ctx, st, r.ID, EvParticipantOut, domain.AudienceAll, v)
}

func (s *Service) sfuRemove(ctx context.Context, r *domain.Room, identity string) error {
	if s.sfu == nil || r.Status != domain.RoomLive {
		return nil
	}
	if err := s.sfu.RemoveParticipant(ctx, r.Call(), identity); err != nil {
		s.log.ErrorContext(ctx, "remove from video room", "room", r.ID, "identity", identity, "err", err)
		return domain.Errorf(domain.EUnavailable, "Removed from the room, but the video server could not be told; try again.")
	}
	return nil
}

func (s *Service) unban(ctx context.Context, actor domain.Actor, r *domain.Room, identity string) error {
	return s.inTx(ctx, func(st domain.Store, out *outbox) error {
		n, err := st.LiftBans(ctx, r.ID, identity, s.now())
		if err != nil {
			return err
		}
		if n == 0 {
			return domain.Errorf(domain.ENotFound, "This participant is not banned.")
		}
		return s.logAction(ctx, st, actor, r, ActUnban, identity, "", nil)
	})
}

// silence mutes one participant's microphone, or stops (or allows again) all of their
// publishing. The right to publish is also recorded, so a reload does not bring it back.
func (s *Service) silence(ctx context.Context, actor domain.Actor, r *domain.Room, identity, action string, res *ModerationResult) error {
	if s.sfu == nil {
		return errNoSFU
	}
	if r.Status != domain.RoomLive {
		return domain.Errorf(domain.ERoomNotLive, "The lecture is not live.")
	}
	var err error
	switch action {
	case ActMute:
		res.Muted, err = s.sfu.MuteMicrophone(ctx, r.Call(), identity)
	default:
		can := action == ActAllowPublish
		if _, err := s.store.SetCanPublish(ctx, r.LectureID, identity, can); err != nil {
			return err
		}
		err = s.sfu.SetCanPublish(ctx, r.Call(), identity, can)
	}
	if err != nil {
		s.log.ErrorContext(ctx, "moderate in video room", "room", r.ID, "action", action, "err", err)
		return domain.Errorf(domain.EUnavailable, "The video server could not be told; try again.")
	}
	return s.inTx(ctx, func(st domain.Store, out *outbox) error {
		if err := out.add(ctx, st, r.ID, EvModeration, domain.AudienceAll, ModerationView{Action: action, Identity: identity}); err != nil {
			return err
		}
		return s.logAction(ctx, st, actor, r, action, identity, "", nil)
	})
}

// guestsInCall lists the video room's people who are not hosts (and not the hidden assistant).
func (s *Service) guestsInCall(ctx context.Context, r *domain.Room) ([]domain.SFUParticipant, error) {
	if s.sfu == nil || r.Status != domain.RoomLive {
		return nil, nil
	}
	ps, err := s.sfu.Participants(ctx, r.Call())
	if err != nil {
		s.log.ErrorContext(ctx, "list video room", "room", r.ID, "err", err)
		return nil, domain.Errorf(domain.EUnavailable, "The video server could not be reached; try again.")
	}
	admitted, err := s.store.Admissions(ctx, r.LectureID)
	if err != nil {
		return nil, err
	}
	hosts := map[string]bool{r.OwnerID: true}
	for _, a := range admitted {
		if a.Kind == domain.KindHost {
			hosts[a.Identity] = true
		}
	}
	var out []domain.SFUParticipant
	for _, p := range ps {
		if !p.IsPerson() || hosts[p.Identity] {
			continue
		}
		out = append(out, p)
	}
	return out, nil
}

func (s *Service) muteAll(ctx context.Context, actor domain.Actor, r *domain.Room, res *ModerationResult) error {
	if s.sfu == nil {
		return errNoSFU
	}
	guests, err := s.guestsInCall(ctx, r)
	if err != nil {
		return err
	}
	for _, p := range guests {
		n, err := s.sfu.MuteMicrophone(ctx, r.Call(), p.Identity)
		if err != nil {
			s.log.WarnContext(ctx, "mute", "room", r.ID, "identity", p.Identity, "err", err)
			continue
		}
		res.Muted += n
	}
	return s.inTx(ctx, func(st domain.Store, out *outbox) error {
		if err := out.add(ctx, st, r.ID, EvModeration, domain.AudienceAll, ModerationView{Action: ActMuteAll}); err != nil {
			return err
		}
		return s.logAction(ctx, st, actor, r, ActMuteAll, "", "", map[string]int{"muted": res.Muted})
	})
}

func (s *Service) setLocked(ctx context.Context, actor domain.Actor, r *domain.Room, locked bool) error {
	action := ActUnlock
	if locked {
		action = ActLock
	}
	return s.inTx(ctx, func(st domain.Store, out *outbox) error {
		cur, err := st.RoomForUpdate(ctx, r.ID)
		if err != nil {
			return err
		}
		cur.Locked, cur.UpdatedAt = locked, s.now()
		if err := st.UpdateRoom(ctx, cur); err != nil {
			return err
		}
		if err := out.add(ctx, st, r.ID, EvRoomState, domain.AudienceAll, roomState(cur)); err != nil {
			return err
		}
		return s.logAction(ctx, st, actor, cur, action, "", "", nil)
	})
}

// panicButton answers a raid in one click: lock, reject the whole lobby, take every guest's admission
// back, turn guest chat and uploads off, mute every guest and remove them from the call.
// Unlocking is a separate, deliberate action.
func (s *Service) panicButton(ctx context.Context, actor domain.Actor, r *domain.Room, res *ModerationResult) error {
	err := s.inTx(ctx, func(st domain.Store, out *outbox) error {
		cur, err := st.RoomForUpdate(ctx, r.ID)
		if err != nil {
			return err
		}
		*r = *cur
		r.Locked, r.ChatEnabled, r.FilesEnabled, r.UpdatedAt = true, false, false, s.now()
		if err := st.UpdateRoom(ctx, r); err != nil {
			return err
		}
		pending, err := st.LobbyEntries(ctx, r.LectureID, domain.LobbyPending)
		if err != nil {
			return err
		}
		for i := range pending {
			if ok, err := s.decideEntry(ctx, st, out, r, &pending[i], domain.LobbyRejected, actor.User.ID); err != nil {
				return err
			} else if ok {
				res.Rejected++
			}
		}
		admitted, err := st.Admissions(ctx, r.LectureID)
		if err != nil {
			return err
		}
		revoked := 0
		for _, a := range admitted {
			if a.Kind != domain.KindGuest {
				continue
			}
			if err := s.revoke(ctx, st, out, r, a.Identity, a.Name, "panic"); err != nil {
				return err
			}
			revoked++
		}
		if err := out.add(ctx, st, r.ID, EvRoomState, domain.AudienceAll, roomState(r)); err != nil {
			return err
		}
		return s.logAction(ctx, st, actor, r, ActPanic, "", "", map[string]int{"rejected": res.Rejected, "revoked": revoked})
	})
	if err != nil {
		return err
	}
	// Our records are safe now: nobody can get a token or back in, and whoever reconnects with
	// an old token is removed by the participant_joined check. Then the video room: on a context
	// of its own, so a host closing the tab does not stop it halfway, several at a time.
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	guests, err := s.guestsInCall(sctx, r)
	if err != nil {
		return err
	}
	var mu sync.Mutex
	var wg sync.WaitGroup
	sem := make(chan struct{}, 8)
	for _, p := range guests {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			err := s.sfu.RemoveParticipant(sctx, r.Call(), p.Identity)
			muted := 0
			if err != nil {
				// Not removed: at least silence them.
				s.log.ErrorContext(ctx, "panic: remove", "room", r.ID, "identity", p.Identity, "err", err)
				muted, _ = s.sfu.MuteMicrophone(sctx, r.Call(), p.Identity)
			}
			mu.Lock()
			defer mu.Unlock()
			if err == nil {
				res.Removed++
			}
			res.Muted += muted
		}()
	}
	wg.Wait()
	return nil
}

func (s *Service) lowerHand(ctx context.Context, actor domain.Actor, r *domain.Room, identity string) error {
	return s.inTx(ctx, func(st domain.Store, out *outbox) error {
		down, err := st.LowerHand(ctx, r.ID, identity)
		if err != nil {
			return err
		}
		if !down {
			return domain.Errorf(domain.ENotFound, "This participant's hand is not raised.")
		}
		if err := out.add(ctx, st, r.ID, EvHand, domain.AudienceAll, HandView{Identity: identity, Raised: false}); err != nil {
			return err
		}
		return s.logAction(ctx, st, actor, r, ActLowerHand, identity, "", nil)
	})
}

// lowerRemovedHand lowers a removed guest's hand and tells everyone, so the host's queue does
// not keep it (nor show it again when the guest is let back in).
func (s *Service) lowerRemovedHand(ctx context.Context, st domain.Store, out *outbox, r *domain.Room, identity, name string) error {
	down, err := st.LowerHand(ctx, r.ID, identity)
	if err != nil || !down {
		return err
	}
	return out.add(ctx, st, r.ID, EvHand, domain.AudienceAll, HandView{Identity: identity, Name: name, Raised: false})
}
