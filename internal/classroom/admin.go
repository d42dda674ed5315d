package classroom

import (
	"context"
	"sync"
	"time"

	"github.com/liveserver/liveserver/internal/domain"
)

func requireAdmin(actor domain.Actor) error {
	if !actor.SignedIn() {
		return domain.Errorf(domain.EUnauthorized, "Please sign in.")
	}
	if !actor.User.IsAdmin() {
		return domain.Errorf(domain.EForbidden, "Only administrators may do this.")
	}
	return nil
}

// AdminRoom is a room as the admin panel lists it.
type AdminRoom struct {
	domain.Room
	OwnerEmail string
	OwnerName  string
	// ParticipantsNow are the people in the call (the assistant and other hidden ones not
	// counted), as LiveKit says; -1 when it cannot be asked.
	ParticipantsNow int
	// ParticipantsTotal are the identities that ever joined the call.
	ParticipantsTotal int
	// StoredBytes is what the room holds against its quota (every lecture's files).
	StoredBytes int64
}

// AdminRooms lists every room of the instance, live and ended.
func (s *Service) AdminRooms(ctx context.Context, actor domain.Actor) ([]AdminRoom, error) {
	if err := requireAdmin(actor); err != nil {
		return nil, err
	}
	rooms, err := s.store.AllRooms(ctx)
	if err != nil {
		return nil, err
	}
	users, err := s.store.Users(ctx)
	if err != nil {
		return nil, err
	}
	byID := map[string]domain.User{}
	for _, u := range users {
		byID[u.ID] = u
	}
	totals, err := s.store.AttendeeCounts(ctx)
	if err != nil {
		return nil, err
	}
	stored, err := s.store.StorageByRoom(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]AdminRoom, len(rooms))
	// LiveKit is asked about the live rooms several at a time: one slow answer must not add
	// its timeout to every other.
	var wg sync.WaitGroup
	sem := make(chan struct{}, 8)
	for i, r := range rooms {
		o := byID[r.OwnerID]
		out[i] = AdminRoom{Room: r, OwnerEmail: o.Email, OwnerName: o.Name, ParticipantsTotal: totals[r.ID], StoredBytes: stored[r.ID]}
		if r.Status == domain.RoomLive {
			wg.Go(func() {
				sem <- struct{}{}
				defer func() { <-sem }()
				out[i].ParticipantsNow = s.peopleInCall(ctx, r.Call())
			})
		}
	}
	wg.Wait()
	return out, nil
}

// peopleInCall counts the call's visible participants; -1 when LiveKit cannot be asked.
func (s *Service) peopleInCall(ctx context.Context, call string) int {
	if s.sfu == nil {
		return -1
	}
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	ps, err := s.sfu.Participants(ctx, call)
	if err != nil {
		s.log.WarnContext(ctx, "count participants", "call", call, "err", err)
		return -1
	}
	n := 0
	for _, p := range ps {
		if p.IsPerson() {
			n++
		}
	}
	return n
}

// Assistants lists the captioning assistant processes heard from lately.
func (s *Service) Assistants(ctx context.Context, actor domain.Actor) ([]domain.AgentWorker, error) {
	if err := requireAdmin(actor); err != nil {
		return nil, err
	}
	return s.store.AgentWorkers(ctx, s.now().Add(-domain.AgentSilentAfter))
}

// Users lists every account.
func (s *Service) Users(ctx context.Context, actor domain.Actor) ([]domain.User, error) {
	if err := requireAdmin(actor); err != nil {
		return nil, err
	}
	return s.store.Users(ctx)
}

// UserPatch changes an account's role or whether it is disabled; nil fields stay.
type UserPatch struct {
	Role     *domain.Role
	Disabled *bool
}

// UpdateUser changes an account. Disabling signs the user out everywhere at once. The instance
// always keeps an enabled admin, and an admin cannot lock themselves out.
func (s *Service) UpdateUser(ctx context.Context, actor domain.Actor, userID string, p UserPatch) (*domain.User, error) {
	if err := requireAdmin(actor); err != nil {
		return nil, err
	}
	if !validID(userID) {
		return nil, domain.Errorf(domain.ENotFound, "No such user.")
	}
	if p.Role != nil && *p.Role != domain.RoleAdmin && *p.Role != domain.RoleHost {
		return nil, domain.Invalid("role", "The role must be ADMIN or HOST.")
	}
	u, err := s.store.UserByID(ctx, userID)
	if err != nil {
		return nil, err
	}
	losesAdmin := u.Role == domain.RoleAdmin && !u.Disabled &&
		((p.Role != nil && *p.Role != domain.RoleAdmin) || (p.Disabled != nil && *p.Disabled))
	if losesAdmin && u.ID == actor.User.ID {
		return nil, domain.Errorf(domain.EOwnAdmin, "You cannot remove your own administrator rights or disable yourself.")
	}
	if losesAdmin {
		n, err := s.store.CountAdmins(ctx)
		if err != nil {
			return nil, err
		}
		if n <= 1 {
			return nil, domain.Errorf(domain.ELastAdmin, "The instance must keep at least one enabled administrator.")
		}
	}
	if p.Role != nil {
		u.Role = *p.Role
	}
	if p.Disabled != nil {
		u.Disabled = *p.Disabled
	}
	u.UpdatedAt = s.now()
	if err := s.store.UpdateUser(ctx, u); err != nil {
		return nil, err
	}
	if u.Disabled {
		if err := s.store.DeleteUserSessions(ctx, u.ID); err != nil {
			return nil, err
		}
	}
	// The account's open streams check their right again (a demoted admin, a disabled host).
	s.publishUserChange(ctx, u.ID)
	s.log.InfoContext(ctx, "user changed", "user", u.ID, "role", u.Role, "disabled", u.Disabled, "by", actor.User.ID)
	return u, nil
}

// ModerationLog reads the instance's moderation log.
func (s *Service) ModerationLog(ctx context.Context, actor domain.Actor, f domain.ModerationFilter) ([]domain.ModerationEntry, error) {
	if err := requireAdmin(actor); err != nil {
		return nil, err
	}
	if f.RoomID != "" && !validID(f.RoomID) {
		return nil, domain.Invalid("roomId", "The room id is not valid.")
	}
	if f.BeforeID != "" && !validID(f.BeforeID) {
		return nil, domain.Invalid("before", "The before id must be the id of a moderation log entry.")
	}
	if f.Limit <= 0 {
		f.Limit = 100
	}
	if f.Limit > 500 {
		return nil, domain.Invalid("limit", "The limit must be at most 500.")
	}
	return s.store.ModerationLog(ctx, f)
}

// RequireAdmin refuses everyone but admins (for routes whose work is not a rule, like health).
func (s *Service) RequireAdmin(actor domain.Actor) error { return requireAdmin(actor) }
