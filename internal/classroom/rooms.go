package classroom

import (
	"context"
	"crypto/rand"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/liveserver/liveserver/internal/domain"
)

// Room settings' bounds.
const (
	DefaultMaxParticipants = 100
	MaxMaxParticipants     = 1000
	minPIN, maxPIN         = 6, 8 // a 4-digit PIN falls to a few addresses in hours; older ones keep working
	// lookupsPerIP bounds invite-code lookups per address and minute. A lecture hall behind a
	// school's NAT is one address, and every student's join and room pages look the code up:
	// 1,000 students need 2,000 and more. Guessing gains little at this rate: a code is 10 of
	// 23 letters (4·10¹³), so one address finds one of 10,000 rooms in about 2.6 years, and the
	// room's lobby and PIN stand behind the code.
	lookupsPerIP = 3000
)

// RoomPatch is a room's settings: for a new room, nil means the default (lobby, chat and files
// on, no PIN, 100 places; the name is required); for a change, nil keeps the setting. An empty
// PIN removes it.
type RoomPatch struct {
	Name            *string
	LobbyEnabled    *bool
	PIN             *string
	ChatEnabled     *bool
	FilesEnabled    *bool
	MaxParticipants *int
}

// roomsPerHour bounds how many rooms one account creates: a teacher makes a few a term, a
// script filling the database makes thousands.
const roomsPerHour = 30

// CreateRoom makes a room owned by the signed-in actor.
func (s *Service) CreateRoom(ctx context.Context, actor domain.Actor, patch RoomPatch) (*domain.Room, error) {
	if !actor.SignedIn() {
		return nil, domain.Errorf(domain.EUnauthorized, "Please sign in.")
	}
	if err := s.limit(ctx, "create-room:"+actor.User.ID, roomsPerHour, time.Hour); err != nil {
		return nil, err
	}
	now := s.now()
	r := domain.Room{ID: uuid.NewString(), LectureID: uuid.NewString(), OwnerID: actor.User.ID, LobbyEnabled: true, ChatEnabled: true,
		FilesEnabled: true, MaxParticipants: DefaultMaxParticipants, Status: domain.RoomCreated, CreatedAt: now, UpdatedAt: now}
	if patch.Name == nil {
		patch.Name = new(string) // required: the check below says so
	}
	if err := s.applyPatch(&r, patch); err != nil {
		return nil, err
	}
	// A clash of 45 random bits is rare enough that a few tries always suffice.
	for range 5 {
		r.Code = newRoomCode()
		err := s.store.CreateRoom(ctx, r)
		if domain.ErrorCode(err) == domain.EConflict {
			continue
		}
		if err != nil {
			return nil, err
		}
		s.log.InfoContext(ctx, "room created", "room", r.ID, "owner", r.OwnerID)
		return &r, nil
	}
	return nil, domain.Errorf(domain.EInternal, "Could not pick a free invite code.")
}

// Rooms lists the actor's own rooms, newest first.
func (s *Service) Rooms(ctx context.Context, actor domain.Actor) ([]domain.Room, error) {
	if !actor.SignedIn() {
		return nil, domain.Errorf(domain.EUnauthorized, "Please sign in.")
	}
	return s.store.RoomsByOwner(ctx, actor.User.ID)
}

// Room returns a room its owner or an admin may manage.
func (s *Service) Room(ctx context.Context, actor domain.Actor, id string) (*domain.Room, error) {
	if !actor.SignedIn() {
		return nil, domain.Errorf(domain.EUnauthorized, "Please sign in.")
	}
	if !validID(id) {
		return nil, domain.Errorf(domain.ENotFound, "Room not found.")
	}
	r, err := s.store.Room(ctx, id)
	if err != nil {
		return nil, err
	}
	if !actor.CanManage(r) {
		return nil, domain.Errorf(domain.EForbidden, "This room belongs to another host.")
	}
	return r, nil
}

// Lectures lists the lectures a room has had (the live one included), the latest first, for
// its owner or an admin.
func (s *Service) Lectures(ctx context.Context, actor domain.Actor, roomID string) ([]domain.Lecture, error) {
	r, err := s.Room(ctx, actor, roomID)
	if err != nil {
		return nil, err
	}
	return s.store.Lectures(ctx, r.ID)
}

// UpdateRoom changes a room's settings.
func (s *Service) UpdateRoom(ctx context.Context, actor domain.Actor, id string, p RoomPatch) (*domain.Room, error) {
	r, err := s.Room(ctx, actor, id)
	if err != nil {
		return nil, err
	}
	// Validate (and hash a new PIN) before taking the lock, on a copy.
	patched := *r
	if err := s.applyPatch(&patched, p); err != nil {
		return nil, err
	}
	err = s.inTx(ctx, func(st domain.Store, out *outbox) error {
		// Patch the room as it is now, so a concurrent lock or panic is not undone.
		if r, err = st.RoomForUpdate(ctx, id); err != nil {
			return err
		}
		copyPatched(r, &patched, p)
		r.UpdatedAt = s.now()
		if err := st.UpdateRoom(ctx, r); err != nil {
			return err
		}
		// Chat and files switches reach everyone in the room at once.
		return out.add(ctx, st, r.ID, EvRoomState, domain.AudienceAll, roomState(r))
	})
	if err != nil {
		return nil, err
	}
	return r, nil
}

// DeleteRoom deletes a room with all of its data.
func (s *Service) DeleteRoom(ctx context.Context, actor domain.Actor, id string) error {
	r, err := s.Room(ctx, actor, id)
	if err != nil {
		return err
	}
	if r.Status == domain.RoomLive {
		return domain.Errorf(domain.EConflict, "The lecture is live: end it before deleting the room.")
	}
	keys, err := s.store.FileKeysOf(ctx, r.ID)
	if err != nil {
		return err
	}
	if err := s.store.DeleteRoom(ctx, r.ID); err != nil {
		return err
	}
	// The rows are gone with the room; its files' contents go after them.
	if s.blobs != nil {
		for _, k := range keys {
			s.dropBlob(k)
		}
	}
	s.log.InfoContext(ctx, "room deleted", "room", r.ID, "by", actor.User.ID, "files", len(keys))
	return nil
}

// RoomByCode is the public lookup behind an invite link. The code is forgiving as people type
// it: any case, with or without dashes and spaces. Look-ups are rate-limited per address so that
// nobody walks the code space (45 bits make that hopeless anyway; the limit keeps logs sane).
func (s *Service) RoomByCode(ctx context.Context, actor domain.Actor, code string) (*domain.Room, error) {
	if err := s.limit(ctx, "bycode:ip:"+ipKey(actor.IP), lookupsPerIP, time.Minute); err != nil {
		return nil, err
	}
	c, ok := normalizeRoomCode(code)
	if !ok {
		return nil, domain.Errorf(domain.ENotFound, "No room has this invite code.")
	}
	r, err := s.store.RoomByCode(ctx, c)
	if domain.ErrorCode(err) == domain.ENotFound {
		return nil, domain.Errorf(domain.ENotFound, "No room has this invite code.")
	}
	return r, err
}

func (s *Service) applyPatch(r *domain.Room, p RoomPatch) error {
	if p.Name != nil {
		name, err := cleanText("name", *p.Name, 1, 100)
		if err != nil {
			return err
		}
		r.Name = name
	}
	if p.MaxParticipants != nil {
		if n := *p.MaxParticipants; n < 2 || n > MaxMaxParticipants {
			return domain.Invalid("maxParticipants", "The participant limit must be between 2 and %d.", MaxMaxParticipants)
		}
		r.MaxParticipants = *p.MaxParticipants
	}
	if p.PIN != nil {
		pin := strings.TrimSpace(*p.PIN)
		switch {
		case pin == "":
			r.PINHash = ""
		case len(pin) < minPIN || len(pin) > maxPIN || strings.Trim(pin, "0123456789") != "":
			return domain.Invalid("pin", "The PIN must be %d to %d digits.", minPIN, maxPIN)
		default:
			h, err := hashSecret(s.opts.Hash, pin)
			if err != nil {
				return err
			}
			r.PINHash = h
		}
	}
	setBool(&r.LobbyEnabled, p.LobbyEnabled)
	setBool(&r.ChatEnabled, p.ChatEnabled)
	setBool(&r.FilesEnabled, p.FilesEnabled)
	return nil
}

// copyPatched copies from src to dst the settings that p changes.
func copyPatched(dst, src *domain.Room, p RoomPatch) {
	if p.Name != nil {
		dst.Name = src.Name
	}
	if p.PIN != nil {
		dst.PINHash = src.PINHash
	}
	if p.MaxParticipants != nil {
		dst.MaxParticipants = src.MaxParticipants
	}
	if p.LobbyEnabled != nil {
		dst.LobbyEnabled = src.LobbyEnabled
	}
	if p.ChatEnabled != nil {
		dst.ChatEnabled = src.ChatEnabled
	}
	if p.FilesEnabled != nil {
		dst.FilesEnabled = src.FilesEnabled
	}
}

func setBool(dst *bool, v *bool) {
	if v != nil {
		*dst = *v
	}
}

// Invite codes look like "abc-defg-hjk": ten letters from an alphabet without the look-alikes
// i, l and o, so they read aloud and type easily, and carry 10·log2(23) ≈ 45 random bits.
const (
	codeAlphabet = "abcdefghjkmnpqrstuvwxyz"
	codeLetters  = 10
)

func newRoomCode() string {
	var b strings.Builder
	buf := make([]byte, 1)
	for n := 0; n < codeLetters; {
		rand.Read(buf)
		// Rejection sampling keeps every letter equally likely.
		if int(buf[0]) >= 256-256%len(codeAlphabet) {
			continue
		}
		if n == 3 || n == 7 {
			b.WriteByte('-')
		}
		b.WriteByte(codeAlphabet[int(buf[0])%len(codeAlphabet)])
		n++
	}
	return b.String()
}

// normalizeRoomCode accepts "ABC DEFG HJK", "abcdefghjk" and "abc-defg-hjk" alike.
func normalizeRoomCode(code string) (string, bool) {
	if len(code) > 40 {
		return "", false
	}
	var letters []byte
	for _, r := range strings.ToLower(code) {
		switch {
		case r == '-' || r == ' ':
		case r < 128 && strings.IndexByte(codeAlphabet, byte(r)) >= 0:
			letters = append(letters, byte(r))
		default:
			return "", false
		}
	}
	if len(letters) != codeLetters {
		return "", false
	}
	return string(letters[:3]) + "-" + string(letters[3:7]) + "-" + string(letters[7:]), true
}
