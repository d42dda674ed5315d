package domain

import (
	"context"
	"time"
)

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

// ModerationFilter narrows the moderation log.
type ModerationFilter struct {
	RoomID string
	Action string
	// BeforeID pages: entries that come after this one, newest first, by (created_at, id), so
	// entries written in the same instant are neither skipped nor repeated. Empty: the newest.
	BeforeID string
	Limit    int
}

// BanStore keeps who may never come back to a room.
type BanStore interface {
	CreateBan(ctx context.Context, b Ban) error
	// ActiveBan finds a ban that is not lifted matching any of the non-empty keys.
	ActiveBan(ctx context.Context, roomID, sessionID, fingerprint, ip string) (*Ban, error)
	// LiftBans lifts the identity's bans and says how many.
	LiftBans(ctx context.Context, roomID, identity string, at time.Time) (int, error)
}

// ModerationStore keeps the moderation log (the admin panel reads it through AdminStore).
type ModerationStore interface {
	AppendModeration(ctx context.Context, m ModerationEntry) error
}
