package domain

import (
	"encoding/json"
	"time"
)

// LobbyStatus is where a guest's request to enter stands.
type LobbyStatus string

const (
	LobbyPending  LobbyStatus = "PENDING"
	LobbyApproved LobbyStatus = "APPROVED"
	LobbyRejected LobbyStatus = "REJECTED"
	// LobbyRevoked is an approval taken back: the guest was kicked or banned and must ask again.
	LobbyRevoked LobbyStatus = "REVOKED"
)

// LobbyEntry is one request of a guest to enter a room. SessionID is the guest's identity.
type LobbyEntry struct {
	ID          string
	RoomID      string
	SessionID   string
	Name        string
	Fingerprint string
	IP          string
	Status      LobbyStatus
	CreatedAt   time.Time
	DecidedAt   *time.Time
	DecidedBy   string
}

// Participant kinds.
const (
	KindHost  = "HOST"
	KindGuest = "GUEST"
	KindAgent = "AGENT"
)

// Admission (the participant history) is the right of one identity to be in a room: to get a
// token, read and write its chat and files, follow its events. A guest's admission is bound to
// the lobby entry that was approved; kicking revokes it.
type Admission struct {
	ID           string
	RoomID       string
	Identity     string
	UserID       string
	Name         string
	Kind         string
	Fingerprint  string
	LobbyEntryID string
	AdmittedAt   time.Time
	RevokedAt    *time.Time
	// CanPublish is false once the host stopped the participant's publishing.
	CanPublish bool
}

// Active reports whether the admission still holds.
func (a *Admission) Active() bool { return a != nil && a.RevokedAt == nil }

// Ban keeps one browser out of a room for good: matched by session, by fingerprint, and (when
// configured) by address.
type Ban struct {
	ID          string
	RoomID      string
	Identity    string
	SessionID   string
	Fingerprint string
	IP          string
	Name        string
	CreatedBy   string
	CreatedAt   time.Time
	LiftedAt    *time.Time
}

// HandRaise is one raised hand, in the order hands went up.
type HandRaise struct {
	RoomID   string
	Identity string
	Name     string
	RaisedAt time.Time
}

// Event audiences: everyone in the room, the host only, or one identity (a prefix and the
// identity).
const (
	AudienceAll  = "all"
	AudienceHost = "host"
	audienceOne  = "to:"
)

// AudienceOf is the audience of one identity.
func AudienceOf(identity string) string { return audienceOne + identity }

// Event is one entry of a room's stream. Seq is the room's own counter, bumped in the
// transaction that writes the event, so ids never let a resuming reader skip one.
type Event struct {
	RoomID    string          `json:"roomId"`
	Seq       int64           `json:"seq"`
	Type      string          `json:"type"`
	Audience  string          `json:"audience"`
	Payload   json.RawMessage `json:"payload"`
	CreatedAt time.Time       `json:"createdAt"`
}

// For reports whether the viewer (an identity; isHost for the owner or an admin) sees e.
func (e *Event) For(identity string, isHost bool) bool {
	switch e.Audience {
	case AudienceAll:
		return true
	case AudienceHost:
		return isHost
	}
	return e.Audience == audienceOne+identity
}

// ModerationEntry is one line of the moderation log: who did what to whom, when.
type ModerationEntry struct {
	ID             string
	RoomID         string
	ActorID        string
	ActorName      string
	Action         string
	TargetIdentity string
	TargetName     string
	Detail         string // JSON
	CreatedAt      time.Time
}
