package domain

import (
	"context"
	"time"
)

// Store is the durable state of the instance. Implementations translate driver errors at their
// boundary: a missing row is ENotFound, a unique violation EConflict (EEmailTaken for e-mails).
type Store interface {
	UserStore
	SessionStore
	RoomStore
	LifecycleStore
	LobbyStore
	ContentStore
	LectureStore
	DriveStore
	ShareStore
	JobStore
	AdminStore
	AgentStore
	EventStore
	Transactor
	// Ping reports whether the database answers.
	Ping(ctx context.Context) error
}

// UserStore keeps accounts.
type UserStore interface {
	// CreateUser inserts u. With promoteFirst, the very first user of the instance becomes
	// ADMIN whatever u.Role says; the decision is race-free across replicas. It returns the
	// stored user.
	CreateUser(ctx context.Context, u User, promoteFirst bool) (*User, error)
	UserByID(ctx context.Context, id string) (*User, error)
	UserByEmail(ctx context.Context, email string) (*User, error)
	// UpdateUser writes u's name, role, password hash and disabled flag.
	UpdateUser(ctx context.Context, u *User) error
}

// SessionStore keeps signed-in browsers.
type SessionStore interface {
	CreateSession(ctx context.Context, s Session) error
	// SessionUser returns the live session with that token hash and its user; ENotFound when
	// there is none or it expired at now.
	SessionUser(ctx context.Context, tokenHash string, now time.Time) (*Session, *User, error)
	// TouchSession records activity, and extends the expiry to expiresAt.
	TouchSession(ctx context.Context, tokenHash string, seen, expiresAt time.Time) error
	DeleteSession(ctx context.Context, tokenHash string) error
	// DeleteUserSessions signs the user out everywhere.
	DeleteUserSessions(ctx context.Context, userID string) error
	// DeleteExpiredSessions removes sessions expired at now and says how many.
	DeleteExpiredSessions(ctx context.Context, now time.Time) (int64, error)
}

// RoomStore keeps rooms. Deleting a room deletes everything of the room.
type RoomStore interface {
	CreateRoom(ctx context.Context, r Room) error // EConflict when the code is taken
	Room(ctx context.Context, id string) (*Room, error)
	// RoomForUpdate reads the room for a change in this transaction, keeping others from
	// changing it meanwhile.
	RoomForUpdate(ctx context.Context, id string) (*Room, error)
	RoomByCode(ctx context.Context, code string) (*Room, error)
	// RoomsByOwner lists the owner's rooms, newest first.
	RoomsByOwner(ctx context.Context, ownerID string) ([]Room, error)
	// UpdateRoom writes the room's settings (name, lobby, PIN, chat, files, max, locked).
	UpdateRoom(ctx context.Context, r *Room) error
	DeleteRoom(ctx context.Context, id string) error
}

// Limiter counts attempts per key in a fixed window. Allow records one attempt and reports
// whether it is within limit; when not, retryAfter says when the window frees up.
type Limiter interface {
	Allow(ctx context.Context, key string, limit int, window time.Duration) (ok bool, retryAfter time.Duration, err error)
	// Undo takes back one attempt recorded in the current window (a correct PIN does not use
	// up the budget of wrong ones); it never goes below zero.
	Undo(ctx context.Context, key string) error
}

// Bus carries messages between the replicas of the server (Redis pub/sub) or within one
// process (the default). It is at-most-once: whatever must not be lost has a durable copy in
// the Store, and a subscriber told of a gap re-reads it from there.
type Bus interface {
	// Publish sends msg to every current subscriber of topic, on every replica.
	Publish(ctx context.Context, topic string, msg []byte) error
	// Subscribe starts delivering topic's messages. The subscription is live when Subscribe
	// returns: a message published after that is delivered (or a gap is reported).
	Subscribe(ctx context.Context, topic string) (Subscription, error)
	// Ping reports whether the bus works (for /readyz).
	Ping(ctx context.Context) error
}

// Subscription is one subscriber's view of a topic.
type Subscription interface {
	// C delivers messages in publish order. A nil message is a gap: messages may have been
	// lost (e.g. the connection to Redis dropped and came back), so the subscriber re-reads
	// what it must not miss from the Store. C is closed when the subscription ends: by Close,
	// by its context, or because the subscriber fell too far behind (Err says which).
	C() <-chan []byte
	// Err is why C was closed: nil after Close or the context's end, ErrSlowSubscriber when
	// the subscriber's queue overflowed.
	Err() error
	// Close ends the subscription and releases its resources; it is safe to call twice.
	Close() error
}

// LifecycleStore records what happens to rooms while they run.
type LifecycleStore interface {
	// StartRoom makes a CREATED room LIVE; false when it was not CREATED.
	StartRoom(ctx context.Context, id string, at time.Time) (bool, error)
	// EndRoom makes a room ENDED, closes its open attendance, and in the same transaction
	// creates its lecture artifact and queues the summary job. False when it had ended already.
	EndRoom(ctx context.Context, id string, at time.Time) (bool, error)
	// LiveRoomIDs lists the rooms that are LIVE.
	LiveRoomIDs(ctx context.Context) ([]string, error)
	// RecordAttendance merges one connection's times: the earliest join and the latest leave
	// win, so duplicates and any order of events give the same result.
	RecordAttendance(ctx context.Context, a Attendance) error
	// AttendanceOf lists a room's connections, earliest join first.
	AttendanceOf(ctx context.Context, roomID string) ([]Attendance, error)
	// JobsOf lists a room's background jobs.
	JobsOf(ctx context.Context, roomID string) ([]Job, error)
	// MarkWebhook records an event id; false when it was recorded before.
	MarkWebhook(ctx context.Context, id, event, room string, at time.Time) (bool, error)
	// WebhookSeen reports whether the event id was recorded.
	WebhookSeen(ctx context.Context, id string) (bool, error)
}

// SFU is the video server (LiveKit), seen from the rules.
type SFU interface {
	// URL is the address browsers and bots connect to.
	URL() string
	// Token mints an access token.
	Token(g TokenGrant) (string, error)
	// CreateRoom makes (or keeps) the video room.
	CreateRoom(ctx context.Context, spec SFURoom) error
	// DeleteRoom disconnects everyone and closes the room; an unknown room is not an error.
	DeleteRoom(ctx context.Context, name string) error
	// Participants lists who is connected, hidden ones (the assistant) included.
	Participants(ctx context.Context, room string) ([]SFUParticipant, error)
	// RoomNames lists the video rooms that exist now.
	RoomNames(ctx context.Context) ([]string, error)
	// RemoveParticipant disconnects one identity; one that is not there is not an error.
	RemoveParticipant(ctx context.Context, room, identity string) error
	// MuteMicrophone mutes the identity's audio tracks and says how many.
	MuteMicrophone(ctx context.Context, room, identity string) (int, error)
	// SetCanPublish allows or stops the identity's publishing (camera, microphone, screen);
	// stopping unpublishes its tracks at once.
	SetCanPublish(ctx context.Context, room, identity string, canPublish bool) error
}

// SFURoom is how a video room is made.
type SFURoom struct {
	Name string
	// EmptyTimeout closes a room nobody joined; DepartureTimeout one whose last participant left.
	EmptyTimeout     time.Duration
	DepartureTimeout time.Duration
	MaxParticipants  int
	Metadata         string
}

// SFUParticipant is one connection in the video room.
type SFUParticipant struct {
	Identity string
	Name     string
	Hidden   bool
	Kind     string // "" for people, "agent" for the assistant
}

// IsPerson says whether the participant is someone in the class: not the hidden captioning
// assistant (nor another hidden service).
func (p SFUParticipant) IsPerson() bool { return !p.Hidden && p.Kind != ParticipantAgent }

// ParticipantAgent is the video server's kind of the captioning assistant.
const ParticipantAgent = "agent"

// LobbyStore keeps who asked to enter, who may be in a room, and who may never come back.
type LobbyStore interface {
	CreateLobbyEntry(ctx context.Context, e LobbyEntry) error
	LobbyEntry(ctx context.Context, id string) (*LobbyEntry, error)
	// LobbyEntries lists a room's entries with the status, oldest first.
	LobbyEntries(ctx context.Context, roomID string, status LobbyStatus) ([]LobbyEntry, error)
	// LatestLobbyEntry is the session's newest entry in the room.
	LatestLobbyEntry(ctx context.Context, roomID, sessionID string) (*LobbyEntry, error)
	// DecideLobbyEntry moves a PENDING entry to status; false when it was not pending.
	DecideLobbyEntry(ctx context.Context, id string, status LobbyStatus, by string, at time.Time) (bool, error)
	// RevokeApprovals turns the session's APPROVED entries in the room into REVOKED.
	RevokeApprovals(ctx context.Context, roomID, sessionID string, at time.Time) error

	// Admit records (or renews) an identity's admission.
	Admit(ctx context.Context, a Admission) error
	Admission(ctx context.Context, roomID, identity string) (*Admission, error)
	// Admissions lists the room's admissions that still hold.
	Admissions(ctx context.Context, roomID string) ([]Admission, error)
	// SetCanPublish records whether the admitted identity may publish; false when none holds.
	SetCanPublish(ctx context.Context, roomID, identity string, can bool) (bool, error)
	// RevokeAdmission takes an admission back; false when none held.
	RevokeAdmission(ctx context.Context, roomID, identity string, at time.Time) (bool, error)
	// ConnectedCount is how many identities are in the call now (by the video server's events).
	ConnectedCount(ctx context.Context, roomID string) (int, error)

	CreateBan(ctx context.Context, b Ban) error
	// ActiveBan finds a ban that is not lifted matching any of the non-empty keys.
	ActiveBan(ctx context.Context, roomID, sessionID, fingerprint, ip string) (*Ban, error)
	// LiftBans lifts the identity's bans and says how many.
	LiftBans(ctx context.Context, roomID, identity string, at time.Time) (int, error)

	RaiseHand(ctx context.Context, h HandRaise) (bool, error) // false when it was up already
	LowerHand(ctx context.Context, roomID, identity string) (bool, error)
	Hands(ctx context.Context, roomID string) ([]HandRaise, error)

	AppendModeration(ctx context.Context, m ModerationEntry) error
}

// EventStore keeps the durable copy of every room event.
type EventStore interface {
	// AppendEvent gives e the room's next sequence number and stores it.
	AppendEvent(ctx context.Context, e Event) (Event, error)
	// EventsAfter lists the room's events with seq > after, in order, at most limit.
	EventsAfter(ctx context.Context, roomID string, after int64, limit int) ([]Event, error)
}

// Transactor runs fn with a Store whose calls form one transaction.
type Transactor interface {
	InTx(ctx context.Context, fn func(Store) error) error
}

// AdminStore answers the admin panel's questions about the whole instance.
type AdminStore interface {
	// AllRooms lists every room, newest first.
	AllRooms(ctx context.Context) ([]Room, error)
	// Users lists every account, oldest first.
	Users(ctx context.Context) ([]User, error)
	// AttendeeCounts is, per room, how many identities ever joined its call.
	AttendeeCounts(ctx context.Context) (map[string]int, error)
	// ModerationLog lists entries newest first, filtered by room and action when given.
	ModerationLog(ctx context.Context, f ModerationFilter) ([]ModerationEntry, error)
	// JobCounts is how many jobs are in each status.
	JobCounts(ctx context.Context) (map[string]int, error)
	// CountAdmins is how many enabled admins there are.
	CountAdmins(ctx context.Context) (int, error)
}

// ModerationFilter narrows the moderation log.
type ModerationFilter struct {
	RoomID string
	Action string
	// BeforeID pages: entries that come after this one, newest first, by (created_at, id), so
	// entries written in the same instant are neither skipped nor repeated. Empty: the newest.
	BeforeID string
	Limit    int
}
