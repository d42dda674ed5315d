package domain

import "time"

// Role is a signed-in user's role on the whole instance. Guests have no account and no Role.
type Role string

const (
	RoleAdmin Role = "ADMIN"
	RoleHost  Role = "HOST"
)

// User is a host or an admin: someone with an account.
type User struct {
	ID           string
	Email        string // stored lower-cased; unique
	Name         string
	Role         Role
	PasswordHash string
	Disabled     bool
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// IsAdmin reports whether u may act on the whole instance.
func (u *User) IsAdmin() bool { return u != nil && u.Role == RoleAdmin }

// Session is a signed-in browser. Only the SHA-256 of its token is stored.
type Session struct {
	TokenHash  string // hex SHA-256 of the cookie's token
	UserID     string
	CreatedAt  time.Time
	ExpiresAt  time.Time
	LastSeenAt time.Time
}

// RoomStatus is where a room is in its life.
type RoomStatus string

const (
	RoomCreated RoomStatus = "CREATED" // made, not started yet
	RoomLive    RoomStatus = "LIVE"    // started: the LiveKit room exists
	RoomEnded   RoomStatus = "ENDED"   // ended for all; the lecture page takes over
)

// Room is a virtual classroom owned by one host.
type Room struct {
	ID              string
	Code            string // the invite code, e.g. "abc-defg-hjk"; not the ID
	OwnerID         string
	Name            string
	LobbyEnabled    bool
	PINHash         string // empty when the room has no PIN
	ChatEnabled     bool
	FilesEnabled    bool
	MaxParticipants int
	Locked          bool
	Status          RoomStatus
	CreatedAt       time.Time
	UpdatedAt       time.Time
	StartedAt       *time.Time
	EndedAt         *time.Time
}

// HasPIN reports whether joining needs a PIN.
func (r *Room) HasPIN() bool { return r.PINHash != "" }

// Actor is whoever makes a request: a signed-in user, or nobody yet. Guests join later issues.
type Actor struct {
	User *User
	IP   string // client address, for rate limits and the ban's secondary signal
}

// SignedIn reports whether the actor has an account session.
func (a Actor) SignedIn() bool { return a.User != nil }

// CanManage reports whether the actor may read and change the room: its owner or an admin.
func (a Actor) CanManage(r *Room) bool {
	return a.User != nil && (a.User.IsAdmin() || a.User.ID == r.OwnerID)
}
