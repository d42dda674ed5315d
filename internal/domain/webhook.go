package domain

import (
	"context"
	"time"
)

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

// WebhookStore remembers the video server's webhooks already handled (they are retried).
type WebhookStore interface {
	// MarkWebhook records an event id; false when it was recorded before.
	MarkWebhook(ctx context.Context, id, event, room string, at time.Time) (bool, error)
	// WebhookSeen reports whether the event id was recorded.
	WebhookSeen(ctx context.Context, id string) (bool, error)
}
