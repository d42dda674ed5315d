package domain

import (
	"context"
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

// LobbyEntry is one request of a guest to enter a room. SessionID is the guest's identity;
// DeviceID is the browser's long-lived device cookie ("" for entries older than it).
type LobbyEntry struct {
	ID          string
	RoomID      string
	LectureID   string
	SessionID   string
	DeviceID    string
	Name        string
	Fingerprint string
	IP          string
	Status      LobbyStatus
	CreatedAt   time.Time
	DecidedAt   *time.Time
	DecidedBy   string
}

// LobbyStore keeps who asked to enter a room and what the host decided.
type LobbyStore interface {
	CreateLobbyEntry(ctx context.Context, e LobbyEntry) error
	LobbyEntry(ctx context.Context, id string) (*LobbyEntry, error)
	// LobbyEntries lists a lecture's entries with the status, oldest first.
	LobbyEntries(ctx context.Context, lectureID string, status LobbyStatus) ([]LobbyEntry, error)
	// LatestLobbyEntry is the session's newest entry for the lecture.
	LatestLobbyEntry(ctx context.Context, lectureID, sessionID string) (*LobbyEntry, error)
	// DecideLobbyEntry moves a PENDING entry to status; false when it was not pending.
	DecideLobbyEntry(ctx context.Context, id string, status LobbyStatus, by string, at time.Time) (bool, error)
	// RevokeApprovals turns the session's APPROVED entries for the lecture into REVOKED.
	RevokeApprovals(ctx context.Context, lectureID, sessionID string, at time.Time) error
}
