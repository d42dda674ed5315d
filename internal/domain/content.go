package domain

import (
	"context"
	"io"
	"time"
)

// ChatMessage is one message of a room's chat. Text is data, never markup.
type ChatMessage struct {
	ID             string
	RoomID         string
	SenderIdentity string
	SenderName     string
	ClientID       string // chosen by the sender's client: a retried send is the same message
	Text           string
	CreatedAt      time.Time
	DeletedAt      *time.Time
}

// SharedFile is a file shared in a room. FileKey names the blob; it is never a URL.
type SharedFile struct {
	ID               string
	RoomID           string
	UploaderIdentity string
	UploaderName     string
	FileKey          string
	Name             string
	Size             int64
	ContentType      string
	SHA256           string
	CreatedAt        time.Time
}

// ContentStore keeps chat messages and shared files.
type ContentStore interface {
	// CreateChatMessage stores m; when the sender already sent a message with m's ClientID in the
	// room, it returns that one and created false.
	CreateChatMessage(ctx context.Context, m ChatMessage) (stored *ChatMessage, created bool, err error)
	// ChatMessages lists up to limit messages that are not deleted, oldest first; with before set,
	// only messages older than that message.
	ChatMessages(ctx context.Context, roomID, before string, limit int) ([]ChatMessage, error)
	DeleteChatMessage(ctx context.Context, roomID, id string, at time.Time, by string) (bool, error)

	CreateSharedFile(ctx context.Context, f SharedFile) error
	SharedFile(ctx context.Context, roomID, id string) (*SharedFile, error)
	SharedFiles(ctx context.Context, roomID string) ([]SharedFile, error)
	DeleteSharedFile(ctx context.Context, roomID, id string) (bool, error)
	// FileKeysOf lists the blob keys of a room's files (to delete them with the room).
	FileKeysOf(ctx context.Context, roomID string) ([]string, error)
}

// BlobInfo describes a stored blob.
type BlobInfo struct {
	Size        int64
	ContentType string
}

// Blobs stores file contents by key: local disk or S3-compatible storage.
type Blobs interface {
	// Put stores r under key. size is the exact length, or -1 when unknown (streamed).
	Put(ctx context.Context, key string, r io.Reader, size int64, contentType string) error
	// Get opens the blob; ENotFound when there is none.
	Get(ctx context.Context, key string) (io.ReadCloser, BlobInfo, error)
	// Delete removes the blob; a missing one is not an error.
	Delete(ctx context.Context, key string) error
	// Ping reports whether the storage answers (for /readyz).
	Ping(ctx context.Context) error
}
