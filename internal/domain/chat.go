package domain

import (
	"context"
	"time"
)

// ChatMessage is one message of a room's chat. Text is data, never markup.
type ChatMessage struct {
	ID             string
	RoomID         string
	LectureID      string
	SenderIdentity string
	SenderName     string
	ClientID       string // chosen by the sender's client: a retried send is the same message
	// FromHost: sent by a host of the room (its owner, or an admin in the call); shown with the
	// host badge, which a guest's name alone can never earn.
	FromHost  bool
	Text      string
	CreatedAt time.Time
	DeletedAt *time.Time
}

// ChatStore keeps chat messages.
type ChatStore interface {
	// CreateChatMessage stores m; when the sender already sent a message with m's ClientID in the
	// room, it returns that one and created false.
	CreateChatMessage(ctx context.Context, m ChatMessage) (stored *ChatMessage, created bool, err error)
	// ChatMessages lists up to limit messages that are not deleted, oldest first; with before set,
	// only messages older than that message.
	ChatMessages(ctx context.Context, lectureID, before string, limit int) ([]ChatMessage, error)
	DeleteChatMessage(ctx context.Context, lectureID, id string, at time.Time, by string) (bool, error)
}
