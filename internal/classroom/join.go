package classroom

import (
	"context"
	"net/netip"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/liveserver/liveserver/internal/domain"
)

// Limits of the join flow.
const (
	pinFailuresPerIP   = 5  // wrong PINs a minute from one address
	pinFailuresPerRoom = 20 // wrong PINs a minute against one room, from anywhere: past it, the room is under attack
	// pinTriesUnderAttack is what an address gets a minute while the room is under attack: one
	// try, so that a student typing the right PIN still gets in while thousands of addresses
	// each get one guess instead of five.
	pinTriesUnderAttack = 1
	// pinAlertEvery spaces the host's warnings about one room's PIN.
	pinAlertEvery    = 5 * time.Minute
	knocksPerSession = 10 // lobby requests per 10 minutes from one browser
	knocksPerDevice  = 20 // and from one device, whatever its sessions (a lab machine shared in turn)
	// knocksPerIP is lobby requests per 10 minutes from one address. A lecture hall of 1,000
	// behind a school's NAT is one address, so this only bounds a flood from one machine; one
	// browser's flood is stopped by the per-session limit.
	knocksPerIP  = 2000
	maxGuestName = 50
)

// JoinInput is what a guest gives at the door.
type JoinInput struct {
	Name        string
	PIN         string
	Fingerprint string
}

// JoinResult says whether the guest is in, or waits in the lobby.
type JoinResult struct {
	Admitted bool
	Entry    *domain.LobbyEntry // the waiting (or auto-approved) entry
	// Locked: the room is locked; the guest's request waits for the host to unlock and admit.
	Locked bool
}

// errLocked refuses a guest who cannot wait for the locked room: one already admitted.
var errLocked = domain.Errorf(domain.ERoomLocked, "The host has locked the room; nobody new can join now.")

// Join is the guest's way in (DESIGN §3): the checks run in a fixed order, each with its own
// refusal; then the guest waits in the lobby for the host, or (lobby off) is admitted.
func (s *Service) Join(ctx context.Context, actor domain.Actor, roomID string, in JoinInput) (*JoinResult, error) {
	if actor.GuestSession == "" {
		return nil, domain.Errorf(domain.EInvalid, "The guest session is missing; reload the page.")
	}
	name, err := cleanText("name", in.Name, 1, maxGuestName)
	if err != nil {
		return nil, err
	}
	fp, err := cleanFingerprint(in.Fingerprint)
	if err != nil {
		return nil, err
	}
	if !validID(roomID) {
		return nil, domain.Errorf(domain.ENotFound, "Room not found.")
	}
	r, err := s.store.Room(ctx, roomID)
	if err != nil {
		return nil, err
	}
	// 1. The room exists. A room whose last lecture ended is a course between lectures: the
	// knock waits for the next one (r.LectureID), as a knock before the first lecture does.
	if err := s.checkGuestName(ctx, r, name); err != nil {
		return nil, err
	}
	// 2. Not banned: this browser (its session, its device cookie) never comes back.
	if err := s.checkBan(ctx, s.store, r.ID, domain.BanKeys{SessionID: actor.GuestSession, DeviceID: actor.Device}); err != nil {
		return nil, err
	}
	// Already in (a reload, a second tab of the same browser): no PIN again, no new knock, and
	// the guest's own place is not counted against the room's size. A ban on a classmate who
	// shares this browser's fingerprint or address does not throw this guest out.
	if a, err := s.activeGuest(ctx, s.store, r, actor.GuestSession); err == nil {
		if r.Locked {
			return nil, errLocked // admitted, but no token until the host unlocks
		}
		e, err := s.store.LobbyEntry(ctx, a.LobbyEntryID)
		if err != nil {
			return nil, err
		}
		return &JoinResult{Admitted: true, Entry: e}, nil
	} else if domain.ErrorCode(err) != domain.ENotAdmitted {
		return nil, err
	}
	// A new knock is refused by a ban on this browser's fingerprint or (if configured) address too.
	if err := s.checkBan(ctx, s.store, r.ID, domain.BanKeys{Fingerprint: fp, IP: actor.IP}); err != nil {
		return nil, err
	}
	// 3. The PIN.
	if err := s.checkPIN(ctx, r, actor.IP, in.PIN); err != nil {
		return nil, err
	}
	// 4. Room for one more.
	if err := s.checkCapacity(ctx, r); err != nil {
		return nil, err
	}
	// 5. A locked room lets nobody in, but records the knock (below) for the host to see: only
	// the host's "unlock and admit" lets this guest in.
	if e, err := s.store.LatestLobbyEntry(ctx, r.LectureID, actor.GuestSession); err == nil && e.Status == domain.LobbyPending {
		if r.Locked {
			return &JoinResult{Entry: e, Locked: true}, nil
		}
		if !r.LobbyEnabled {
			// The host switched the lobby off while this guest waited: that lets them in.
			return s.admitWaiting(ctx, r, e)
		}
		return &JoinResult{Entry: e}, nil
	}
	if err := s.limit(ctx, "knock:session:"+actor.GuestSession, knocksPerSession, 10*time.Minute); err != nil {
		return nil, err
	}
	// A browser that clears its session before every knock is still one device (its own signed
	// cookie), unless it clears that too; then only the address's limit is left.
	if actor.Device != "" {
		if err := s.limit(ctx, "knock:device:"+actor.Device, knocksPerDevice, 10*time.Minute); err != nil {
			return nil, err
		}
	}
	if err := s.limit(ctx, "knock:ip:"+ipKey(actor.IP), knocksPerIP, 10*time.Minute); err != nil {
		return nil, err
	}

	now := s.now()
	e := domain.LobbyEntry{ID: uuid.NewString(), RoomID: r.ID, LectureID: r.LectureID, SessionID: actor.GuestSession, DeviceID: actor.Device, Name: name, Fingerprint: fp,
		IP: actor.IP, Status: domain.LobbyPending, CreatedAt: now}
	res := &JoinResult{Entry: &e}
	err = s.inTx(ctx, func(st domain.Store, out *outbox) error {
		// The lock as it is now (a lock may have come since the read above): nobody is let in
		// without the host into a locked room.
		cur, err := st.RoomForUpdate(ctx, r.ID)
		if err != nil {
			return err
		}
		if res.Locked = cur.Locked; cur.Locked {
			return s.knockLocked(ctx, st, out, r, &e)
		}
		if !r.LobbyEnabled {
			// No lobby: the entry is approved at once, so the admission is bound to it like any other.
			e.Status, e.DecidedAt = domain.LobbyApproved, &now
		}
		if err := st.CreateLobbyEntry(ctx, e); err != nil {
			return err
		}
		if r.LobbyEnabled {
			return out.add(ctx, st, r.ID, EvLobbyKnock, domain.AudienceHost, LobbyView(&e))
		}
		res.Admitted = true
		return st.Admit(ctx, domain.Admission{ID: uuid.NewString(), RoomID: r.ID, LectureID: r.LectureID, Identity: e.SessionID, Name: e.Name,
			Kind: domain.KindGuest, Fingerprint: e.Fingerprint, DeviceID: e.DeviceID, LobbyEntryID: e.ID, AdmittedAt: now})
	})
	if err != nil {
		return nil, err
	}
	s.log.InfoContext(ctx, "guest at the door", "room", r.ID, "entry", e.ID, "admitted", res.Admitted, "locked", res.Locked)
	return res, nil
}

// knockLocked records a knock on a locked room: a waiting entry the host sees, whatever the
// lobby setting, since nobody may be let in without the host while the room is locked.
func (s *Service) knockLocked(ctx context.Context, st domain.Store, out *outbox, r *domain.Room, e *domain.LobbyEntry) error {
	if err := st.CreateLobbyEntry(ctx, *e); err != nil {
		return err
	}
	return out.add(ctx, st, r.ID, EvLobbyKnock, domain.AudienceHost, LobbyView(e))
}

// checkCapacity counts the people in the call now (LiveKit knows; without it, the attendance
// our webhooks recorded), hidden participants (the assistant) not included.
func (s *Service) checkCapacity(ctx context.Context, r *domain.Room) error {
	n := -1
	if r.Status == domain.RoomLive {
		n = s.peopleInCall(ctx, r.LectureID)
	}
	if n < 0 {
		var err error
		if n, err = s.store.ConnectedCount(ctx, r.LectureID); err != nil {
			return err
		}
	}
	if n >= r.MaxParticipants {
		return domain.Errorf(domain.ERoomFull, "The room is full.")
	}
	return nil
}

// admitWaiting approves a waiting entry without the host: only when the lobby is off.
func (s *Service) admitWaiting(ctx context.Context, r *domain.Room, e *domain.LobbyEntry) (*JoinResult, error) {
	err := s.inTx(ctx, func(st domain.Store, out *outbox) error {
		_, err := s.decideEntry(ctx, st, out, r, e, domain.LobbyApproved, "")
		return err
	})
	if err != nil {
		return nil, err
	}
	return &JoinResult{Admitted: true, Entry: e}, nil
}

// checkBan refuses the keys that match a ban of the room (the address only when bans are by
// address too). Which keys to give is the caller's choice: fingerprint and address are shared
// by classmates, so they are given only for a guest not in the room yet.
func (s *Service) checkBan(ctx context.Context, st domain.Store, roomID string, k domain.BanKeys) error {
	if !s.opts.BanByIP {
		k.IP = ""
	}
	_, err := st.ActiveBan(ctx, roomID, k)
	switch domain.ErrorCode(err) {
	case "":
		return domain.Errorf(domain.EBanned, "The host has removed you from this room.")
	case domain.ENotFound:
		return nil
	}
	return err
}

// checkPIN counts every attempt before comparing (so parallel guesses cannot race past the
// limit) and gives a correct one back, so a class entering the right PIN behind one school
// address never runs out. Wrong guesses against the room from everywhere put it "under attack":
// the host is told, and each address then has one try a minute, so the right PIN from a
// student's own address keeps working while others guess.
func (s *Service) checkPIN(ctx context.Context, r *domain.Room, ip, pin string) error {
	if !r.HasPIN() {
		return nil
	}
	pin = strings.TrimSpace(pin)
	if pin == "" {
		return domain.Invalid("pin", "This room needs a PIN.")
	}
	var counted []string // what a right PIN gives back
	undo := func() {
		for _, k := range counted {
			s.limiter.Undo(ctx, k)
		}
	}
	allow := func(key string, limit int) (bool, time.Duration, error) {
		ok, retry, err := s.limiter.Allow(ctx, key, limit, time.Minute)
		if err != nil {
			// PIN guessing is what the limit is for: without a limiter, refuse.
			s.log.ErrorContext(ctx, "rate limiter unavailable for PIN", "err", err)
			return false, 0, domain.Errorf(domain.EUnavailable, "Please try again in a moment.")
		}
		if ok {
			counted = append(counted, key)
		}
		return ok, retry, nil
	}
	tooMany := func(retry time.Duration) error {
		undo()
		return &domain.Error{Code: domain.EPINAttempts, Message: "Too many wrong PINs. Please wait and try again.", RetryAfter: retry}
	}
	addr := ipKey(ip)
	if ok, retry, err := allow("pin:ip:"+addr, pinFailuresPerIP); err != nil {
		return err
	} else if !ok {
		return tooMany(retry)
	}
	ok, _, err := allow("pin:room:"+r.ID, pinFailuresPerRoom)
	if err != nil {
		undo()
		return err
	}
	if !ok {
		s.alertPINAttack(ctx, r)
		if ok, retry, err := allow("pin:attack:"+r.ID+":"+addr, pinTriesUnderAttack); err != nil {
			undo()
			return err
		} else if !ok {
			return tooMany(retry)
		}
	}
	right, err := verifySecret(r.PINHash, pin)
	if err != nil {
		return err
	}
	if !right {
		s.log.InfoContext(ctx, "wrong PIN", "room", r.ID)
		return domain.Errorf(domain.EWrongPIN, "The PIN is wrong.")
	}
	undo()
	return nil
}

// alertPINAttack tells the room's host (at most every pinAlertEvery) that its PIN is being
// guessed, so that they can change it.
func (s *Service) alertPINAttack(ctx context.Context, r *domain.Room) {
	if ok, _, err := s.limiter.Allow(ctx, "pin:alert:"+r.ID, 1, pinAlertEvery); err != nil || !ok {
		return
	}
	s.log.WarnContext(ctx, "room's PIN under attack", "room", r.ID)
	err := s.inTx(ctx, func(st domain.Store, out *outbox) error {
		return out.add(ctx, st, r.ID, EvPINAttack, domain.AudienceHost, PINAttackView{WrongPerMinute: pinFailuresPerRoom})
	})
	if err != nil {
		s.log.WarnContext(ctx, "tell the host of the PIN attack", "room", r.ID, "err", err)
	}
}

// PINAttackView tells the host that its room's PIN is being guessed: more than WrongPerMinute
// wrong PINs came in a minute.
type PINAttackView struct {
	WrongPerMinute int `json:"wrongPerMinute"`
}

// ipKey is the address a rate limit counts: an IPv6 client controls a whole /64, so that is
// one key, as an IPv4 address is.
func ipKey(ip string) string {
	a, err := netip.ParseAddr(ip)
	if err != nil || !a.Is6() || a.Is4In6() {
		return ip
	}
	p, _ := a.Prefix(64)
	return p.String()
}

// cleanFingerprint accepts the browser's stable hash: 8 to 128 characters of base64/hex.
func cleanFingerprint(v string) (string, error) {
	if len(v) < 8 || len(v) > 128 {
		return "", domain.Invalid("fingerprint", "The browser fingerprint is missing or malformed.")
	}
	for _, c := range v {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '-' || c == '_' || c == '+' || c == '/' || c == '=' || c == ':') {
			return "", domain.Invalid("fingerprint", "The browser fingerprint is missing or malformed.")
		}
	}
	return v, nil
}
