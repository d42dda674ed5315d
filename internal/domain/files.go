package domain

import (
	"context"
	"io"
	"time"
)

// SharedFile is a file shared in a room. FileKey names the blob; it is never a URL.
type SharedFile struct {
	ID               string
	RoomID           string
	LectureID        string
	UploaderIdentity string
	UploaderName     string
	FileKey          string
	Name             string
	Size             int64
	ContentType      string
	SHA256           string
	CreatedAt        time.Time
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

// FileStore keeps the records of shared files (their contents are in Blobs).
type FileStore interface {
	CreateSharedFile(ctx context.Context, f SharedFile) error
	SharedFile(ctx context.Context, lectureID, id string) (*SharedFile, error)
	SharedFiles(ctx context.Context, lectureID string) ([]SharedFile, error)
	// RoomFile is a file of any of the room's lectures: the host downloads those of past
	// lectures from their pages.
	RoomFile(ctx context.Context, roomID, id string) (*SharedFile, error)
	DeleteSharedFile(ctx context.Context, lectureID, id string) (bool, error)
	// FileKeysOf lists the blob keys of a room's files (to delete them with the room).
	FileKeysOf(ctx context.Context, roomID string) ([]string, error)
}
