package domain

import (
	"context"
	"encoding/json"
	"time"
)

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

// EventStore keeps the durable copy of every room event.
type EventStore interface {
	// AppendEvent gives e the room's next sequence number and stores it.
	AppendEvent(ctx context.Context, e Event) (Event, error)
	// AppendEvents gives each event its room's next sequence number, in order, and stores
	// them all; it numbers the slice in place and returns it.
	AppendEvents(ctx context.Context, evs []Event) ([]Event, error)
	// EventsAfter lists the room's events with seq > after, in order, at most limit.
	EventsAfter(ctx context.Context, roomID string, after int64, limit int) ([]Event, error)
	// DeleteEventsBefore deletes at most limit events (of any room) created before cutoff,
	// oldest first, and says how many: the log's retention, applied a batch at a time. A
	// room's numbers go on from its counter, so what is left of its log is a run without holes
	// that ends at the room's last event, and a reader can tell what it no longer holds.
	DeleteEventsBefore(ctx context.Context, cutoff time.Time, limit int) (int, error)
	// RewriteEvents turns the room's events of type typ whose payload's "id" is subject (a
	// UUID) into events of type newType with payload, keeping their numbers: what may not be
	// replayed any more (a deleted message's text) leaves the log, and a reader resuming from
	// before it still learns what happened. It says how many events it rewrote.
	RewriteEvents(ctx context.Context, roomID, typ, subject, newType string, payload []byte) (int, error)
}
