package classroom

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/liveserver/liveserver/internal/domain"
)

const (
	// tokenTTL is short: a token only opens the connection (LiveKit refreshes it for a connected
	// client), and a leaked one is useless soon.
	tokenTTL = 10 * time.Minute
	// emptyTimeout closes a started room that nobody joins, ending the lecture.
	emptyTimeout = 30 * time.Minute
	// departureTimeout is how long the video room outlives its last participant before the
	// lecture counts as over: long enough for a teacher whose network dropped, or who reloaded,
	// to come back (LiveKit's default of 20 s is not).
	departureTimeout = 15 * time.Minute
)

var errNoSFU = domain.Errorf(domain.EUnavailable, "No video server is configured on this instance.")

// StartRoom makes the room live: the video room exists and guests may be let in.
func (s *Service) StartRoom(ctx context.Context, actor domain.Actor, id string) (*domain.Room, error) {
	r, err := s.Room(ctx, actor, id)
	if err != nil {
		return nil, err
	}
	if r.Status == domain.RoomEnded {
		return nil, domain.Errorf(domain.ERoomEnded, "This lecture has ended; create a new room for the next one.")
	}
	if s.sfu == nil {
		return nil, errNoSFU
	}
	if err := s.createSFURoom(ctx, r); err != nil {
		return nil, err
	}
	if err := s.markLive(ctx, r.ID, s.now()); err != nil {
		return nil, err
	}
	s.announceLive(ctx, r.ID)
	s.log.InfoContext(ctx, "room started", "room", r.ID, "by", actor.User.ID)
	return s.store.Room(ctx, r.ID)
}

// createSFURoom makes (or keeps) the room's video room.
func (s *Service) createSFURoom(ctx context.Context, r *domain.Room) error {
	meta, _ := json.Marshal(map[string]string{"roomId": r.ID, "name": r.Name})
	// The captioning assistant does not count: LiveKit leaves participants of kind AGENT out of
	// the limit.
	if err := s.sfu.CreateRoom(ctx, domain.SFURoom{Name: r.ID, EmptyTimeout: emptyTimeout, DepartureTimeout: departureTimeout,
		MaxParticipants: r.MaxParticipants, Metadata: string(meta)}); err != nil {
		s.log.ErrorContext(ctx, "create video room", "room", r.ID, "err", err)
		return domain.Errorf(domain.EUnavailable, "The video server cannot be reached. Try again in a moment.")
	}
	return nil
}

// EndRoom ends the lecture for everyone: the room is ENDED (no token is issued any more), its
// summary is queued, and the video room is closed, which disconnects every participant.
// Ending twice is harmless and retries the disconnect.
func (s *Service) EndRoom(ctx context.Context, actor domain.Actor, id string) (*domain.Room, error) {
	r, err := s.Room(ctx, actor, id)
	if err != nil {
		return nil, err
	}
	if err := s.markEnded(ctx, r.ID, s.now()); err != nil {
		return nil, err
	}
	s.log.InfoContext(ctx, "room ended", "room", r.ID, "by", actor.User.ID)
	if s.sfu != nil {
		if err := s.sfu.DeleteRoom(ctx, r.ID); err != nil {
			s.log.ErrorContext(ctx, "close video room", "room", r.ID, "err", err)
			return nil, domain.Errorf(domain.EUnavailable, "The lecture has ended, but the video server could not be told to disconnect everyone. Try again.")
		}
	}
	return s.store.Room(ctx, r.ID)
}

// CallToken is what a browser or bot needs to connect to the call.
type CallToken struct {
	Token string
	URL   string
}

// Token gives the room's owner (or an admin) a host token, and an admitted guest a guest
// token, for the live room.
func (s *Service) Token(ctx context.Context, actor domain.Actor, roomID string) (*CallToken, error) {
	if !validID(roomID) {
		return nil, domain.Invalid("roomId", "The room id is not valid.")
	}
	r, err := s.store.Room(ctx, roomID)
	if err != nil {
		return nil, err
	}
	host := actor.CanManage(r)
	var grant domain.TokenGrant
	if host {
		meta, _ := json.Marshal(map[string]string{"role": "host"})
		grant = domain.TokenGrant{Identity: actor.User.ID, Name: actor.User.Name, Metadata: string(meta), RoomAdmin: true, CanPublish: true}
	} else {
		a, err := s.activeGuest(ctx, s.store, r, actor.GuestSession, actor.IP)
		if err != nil {
			return nil, err
		}
		meta, _ := json.Marshal(map[string]string{"role": "guest"})
		grant = domain.TokenGrant{Identity: a.Identity, Name: a.Name, Metadata: string(meta), CanPublish: a.CanPublish}
	}
	switch r.Status {
	case domain.RoomEnded:
		return nil, domain.Errorf(domain.ERoomEnded, "This lecture has ended.")
	case domain.RoomCreated:
		return nil, domain.Errorf(domain.ERoomNotLive, "The lecture has not started yet.")
	}
	if !host && r.Locked {
		return nil, domain.Errorf(domain.ERoomLocked, "The host has locked the room.")
	}
	if s.sfu == nil {
		return nil, errNoSFU
	}
	// The video room may be gone while the lecture is live (the video server restarted); it
	// does not come back by itself on join, so make sure it is there.
	if err := s.createSFURoom(ctx, r); err != nil {
		return nil, err
	}
	if host {
		// Hosts in the call (the owner, or an admin helping) are known by identity, so that
		// moderation never treats them as guests.
		if err := s.store.Admit(ctx, domain.Admission{ID: uuid.NewString(), RoomID: r.ID, Identity: actor.User.ID,
			UserID: actor.User.ID, Name: actor.User.Name, Kind: domain.KindHost, AdmittedAt: s.now()}); err != nil {
			return nil, err
		}
	}
	grant.Room, grant.TTL = r.ID, tokenTTL
	grant.CanSubscribe, grant.CanPublishData = true, true
	tok, err := s.sfu.Token(grant)
	if err != nil {
		return nil, fmt.Errorf("mint token: %w", err)
	}
	return &CallToken{Token: tok, URL: s.sfu.URL()}, nil
}

// activeGuest is the guest identity's admission to the room, if it still holds: granted through
// an approved lobby entry of this very session, and no ban on the session or the browser since.
func (s *Service) activeGuest(ctx context.Context, st domain.Store, r *domain.Room, identity, ip string) (*domain.Admission, error) {
	notIn := domain.Errorf(domain.ENotAdmitted, "Join this room through its invite link.")
	if identity == "" {
		return nil, notIn
	}
	a, err := st.Admission(ctx, r.ID, identity)
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
	if err := s.checkBan(ctx, st, r.ID, identity, a.Fingerprint, ip); err != nil {
		return nil, err
	}
	return a, nil
}

// mayBeInCall reports whether identity may be connected to the room's call: a host (the owner,
// or a host recorded when their token was issued) or a guest whose admission holds.
func (s *Service) mayBeInCall(ctx context.Context, r *domain.Room, identity string) (bool, error) {
	if s.isHostIdentity(ctx, r, identity) {
		return true, nil
	}
	_, err := s.activeGuest(ctx, s.store, r, identity, "")
	switch domain.ErrorCode(err) {
	case "":
		return true, nil
	case domain.ENotAdmitted, domain.EBanned:
		return false, nil
	}
	return false, err
}

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
	if !validID(ev.Room) {
		return nil // not one of our rooms (a shared LiveKit deployment)
	}
	r, err := s.store.Room(ctx, ev.Room)
	if domain.ErrorCode(err) == domain.ENotFound {
		return nil
	}
	if err != nil {
		return err
	}
	switch ev.Type {
	case domain.EventRoomStarted:
		if r.Status == domain.RoomEnded {
			return s.closeEnded(ctx, r)
		}
		if err := s.markLive(ctx, r.ID, at); err != nil {
			return err
		}
		s.announceLive(ctx, r.ID)
		return nil
	case domain.EventRoomFinished:
		if r.Status != domain.RoomLive {
			return nil
		}
		if err := s.markEnded(ctx, r.ID, at); err != nil {
			return err
		}
		s.log.InfoContext(ctx, "room finished in the video server", "room", r.ID)
		return nil
	case domain.EventParticipantJoined, domain.EventParticipantLeft:
		if ev.ParticipantKind == domain.ParticipantAgent || ev.ParticipantSID == "" {
			return nil
		}
		a := domain.Attendance{RoomID: r.ID, SID: ev.ParticipantSID, Identity: ev.ParticipantIdentity, Name: ev.ParticipantName}
		if ev.Type == domain.EventParticipantJoined {
			a.JoinedAt = &at
		} else {
			a.LeftAt = &at
		}
		if err := s.store.RecordAttendance(ctx, a); err != nil {
			return err
		}
		if ev.Type != domain.EventParticipantJoined {
			return nil
		}
		if r.Status == domain.RoomEnded {
			// Someone reconnected with a token still valid; the lecture is over.
			return s.closeEnded(ctx, r)
		}
		// LiveKit cannot revoke a token, and refreshes the token of a connected client: a guest
		// removed a moment ago may still hold one. Whoever joins without a valid admission is
		// sent away again at once.
		ok, err := s.mayBeInCall(ctx, r, ev.ParticipantIdentity)
		if err != nil || ok || s.sfu == nil {
			return err
		}
		s.log.WarnContext(ctx, "removing a participant without admission from the call", "room", r.ID, "identity", ev.ParticipantIdentity)
		return s.sfu.RemoveParticipant(ctx, r.ID, ev.ParticipantIdentity)
	}
	return nil
}

func (s *Service) closeEnded(ctx context.Context, r *domain.Room) error {
	if s.sfu == nil {
		return nil
	}
	s.log.WarnContext(ctx, "activity in an ended room; closing it again", "room", r.ID)
	return s.sfu.DeleteRoom(ctx, r.ID)
}

// markLive makes a CREATED room LIVE and tells everyone following it.
func (s *Service) markLive(ctx context.Context, roomID string, at time.Time) error {
	return s.transition(ctx, roomID, func(st domain.Store) (bool, error) { return st.StartRoom(ctx, roomID, at) })
}

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
	exists := make(map[string]bool, len(names))
	for _, n := range names {
		exists[n] = true
	}
	now := s.now()
	s.missingMu.Lock()
	defer s.missingMu.Unlock()
	if s.missing == nil {
		s.missing = map[string]time.Time{}
	}
	stillLive := make(map[string]bool, len(live))
	ended := 0
	for _, id := range live {
		stillLive[id] = true
		if exists[id] {
			delete(s.missing, id)
			continue
		}
		since, seen := s.missing[id]
		if !seen {
			s.missing[id] = now
			continue
		}
		if now.Sub(since) < after {
			continue
		}
		if err := s.markEnded(ctx, id, now); err != nil {
			return ended, err
		}
		delete(s.missing, id)
		ended++
		s.log.InfoContext(ctx, "room ended: the video server has not had it since", "room", id, "since", since)
	}
	for id := range s.missing {
		if !stillLive[id] {
			delete(s.missing, id)
		}
	}
	return ended, nil
}

// announceLive tells the captioning assistant that a video room is up, so it joins now rather
// than at its next look at the room list (which it still takes: the bus may lose this).
func (s *Service) announceLive(ctx context.Context, roomID string) {
	if s.bus == nil {
		return
	}
	if err := s.bus.Publish(ctx, domain.TopicLiveRooms, []byte(roomID)); err != nil {
		s.log.WarnContext(ctx, "announce live room", "room", roomID, "err", err)
	}
}

// markEnded ends the room in our records (queuing its summary) and tells everyone following it.
func (s *Service) markEnded(ctx context.Context, roomID string, at time.Time) error {
	return s.transition(ctx, roomID, func(st domain.Store) (bool, error) { return st.EndRoom(ctx, roomID, at) })
}

func (s *Service) transition(ctx context.Context, roomID string, change func(domain.Store) (bool, error)) error {
	return s.inTx(ctx, func(st domain.Store, out *outbox) error {
		changed, err := change(st)
		if err != nil || !changed {
			return err
		}
		r, err := st.Room(ctx, roomID)
		if err != nil {
			return err
		}
		return out.add(ctx, st, roomID, EvRoomState, domain.AudienceAll, roomState(r))
	})
}
