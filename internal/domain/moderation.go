package domain

import (
	"context"
	"time"
)

// Ban keeps one browser out of a room for good: matched by session, by device cookie, by
// fingerprint, and (when configured) by address. Fingerprint and address are shared by
// classmates (lab machines, one school NAT), so they only refuse a new knock (classroom.Join).
type Ban struct {
	ID          string
	RoomID      string
	Identity    string
	SessionID   string
	DeviceID    string
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

// BanKeys are what a ban is matched on; an empty key matches nothing.
type BanKeys struct {
	SessionID   string // matches a ban's session or identity
	DeviceID    string
	Fingerprint string
	IP          string
}

// BanStore keeps who may never come back to a room.
type BanStore interface {
	CreateBan(ctx context.Context, b Ban) error
	// ActiveBan finds a ban that is not lifted matching any of the non-empty keys.
	ActiveBan(ctx context.Context, roomID string, k BanKeys) (*Ban, error)
	// LiftBans lifts the identity's bans and says how many.
	LiftBans(ctx context.Context, roomID, identity string, at time.Time) (int, error)
}

// ModerationStore keeps the moderation log (the admin panel reads it through AdminStore).
type ModerationStore interface {
	AppendModeration(ctx context.Context, m ModerationEntry) error
}
