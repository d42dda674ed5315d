package domain

import (
	"context"
	"time"
)

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
	// ConfirmGuest gives a connected guest, whose admission was checked after it joined, the
	// right to receive the call and to publish as canPublish says (guest tokens carry neither
	// the right to receive nor, after a stop, to publish: see classroom's tokens.go).
	ConfirmGuest(ctx context.Context, room, identity string, canPublish bool) error
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
	// The rights the connection has now.
	CanSubscribe, CanPublish bool
}

// IsPerson says whether the participant is someone in the class: not the hidden captioning
// assistant (nor another hidden service).
func (p SFUParticipant) IsPerson() bool { return !p.Hidden && p.Kind != ParticipantAgent }

// ParticipantAgent is the video server's kind of the captioning assistant.
const ParticipantAgent = "agent"
