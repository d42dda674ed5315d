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
	// LastEventSeq is the number of the room's latest event (read-only: AppendEvent bumps it).
	LastEventSeq int64
	CreatedAt    time.Time
	UpdatedAt    time.Time
	StartedAt    *time.Time
	EndedAt      *time.Time
}

// HasPIN reports whether joining needs a PIN.
func (r *Room) HasPIN() bool { return r.PINHash != "" }

// Actor is whoever makes a request: a signed-in user, a guest (a browser with a guest
// session), both, or nobody yet.
type Actor struct {
	User *User
	// GuestSession is the guest's sessionId from its signed cookie: its identity in rooms it
	// joins as a guest.
	GuestSession string
	IP           string // client address, for rate limits and the ban's secondary signal
}

// SignedIn reports whether the actor has an account session.
func (a Actor) SignedIn() bool { return a.User != nil }

// CanManage reports whether the actor may read and change the room: its owner or an admin.
func (a Actor) CanManage(r *Room) bool {
	return a.User != nil && (a.User.IsAdmin() || a.User.ID == r.OwnerID)
}

// WebhookEvent is what the video server tells us about a room, already verified.
type WebhookEvent struct {
	ID        string // unique per event; a retried delivery repeats it
	Type      string // one of the Event* constants
	CreatedAt time.Time
	Room      string // the SFU room name: our room's ID
	// The participant, for participant events.
	ParticipantIdentity string
	ParticipantSID      string // one connection of the identity
	ParticipantName     string
	ParticipantKind     string // "" for people, "agent" for the assistant
}

// Webhook event types (LiveKit's names).
const (
	EventRoomStarted       = "room_started"
	EventRoomFinished      = "room_finished"
	EventParticipantJoined = "participant_joined"
	EventParticipantLeft   = "participant_left"
)

// Attendance is one connection of a participant to a live room. Either time may be unknown
// for a while: webhooks arrive in any order.
type Attendance struct {
	RoomID   string
	SID      string
	Identity string
	Name     string
	JoinedAt *time.Time
	LeftAt   *time.Time
}

// TokenGrant is what an SFU access token allows.
type TokenGrant struct {
	Room, Identity, Name, Metadata string
	TTL                            time.Duration
	RoomAdmin                      bool
	CanPublish                     bool
	CanSubscribe                   bool
	CanPublishData                 bool
	Hidden                         bool
	Agent                          bool
}

// Job kinds.
const JobSummary = "summary"

// Job is durable background work (a lecture's summary, an export).
type Job struct {
	ID          string
	Kind        string
	RoomID      string
	Status      string // QUEUED, RUNNING, DONE, FAILED
	Attempts    int
	MaxAttempts int
	RunAt       time.Time
	LastError   string
}
