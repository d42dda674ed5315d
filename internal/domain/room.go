package domain

import (
	"context"
	"time"
)

// RoomStatus is where a room is in its life.
type RoomStatus string

const (
	RoomCreated RoomStatus = "CREATED" // made, not started yet
	RoomLive    RoomStatus = "LIVE"    // started: the LiveKit room exists
	RoomEnded   RoomStatus = "ENDED"   // ended for all; the lecture page takes over
)

// Room is a virtual classroom owned by one host.
type Room struct {
	ID              string
	Code            string // the invite code, e.g. "abc-defg-hjk"; not the ID
	OwnerID         string
	Name            string
	LobbyEnabled    bool
	PINHash         string // empty when the room has no PIN
	ChatEnabled     bool
	FilesEnabled    bool
	MaxParticipants int
	Locked          bool
	Status          RoomStatus
	// LectureID is the room's current lecture: the live one, or the next one, which knocks
	// made between lectures wait for. Its id names the call in the video server.
	LectureID string
	// CallEpoch is the current lecture's call epoch (read-only: RotateCall moves it); Call()
	// names the video room.
	CallEpoch int
	// LastEventSeq is the number of the room's latest event (read-only: AppendEvent bumps it).
	LastEventSeq int64
	CreatedAt    time.Time
	UpdatedAt    time.Time
	StartedAt    *time.Time
	EndedAt      *time.Time
}

// Lecture is one session of a room: each start opens one, with its own door (lobby and
// admissions), attendance, chat, files, transcript, summary and call. The room keeps its
// settings, bans and event stream across its lectures.
type Lecture struct {
	ID     string
	RoomID string
	Number int // 1, 2, ... in the room
	Status RoomStatus
	// CallEpoch is moved on by every ban, which moves the call to a new video room (Call()).
	CallEpoch int
	StartedAt *time.Time
	EndedAt   *time.Time
}

// HasPIN reports whether joining needs a PIN.
func (r *Room) HasPIN() bool { return r.PINHash != "" }

// RoomStore keeps rooms. Deleting a room deletes everything of the room.
type RoomStore interface {
	// CreateRoom makes the room and its first lecture, r.LectureID (not started yet);
	// EConflict when the code is taken.
	CreateRoom(ctx context.Context, r Room) error
	Room(ctx context.Context, id string) (*Room, error)
	// RoomForUpdate reads the room for a change in this transaction, keeping others from
	// changing it meanwhile.
	RoomForUpdate(ctx context.Context, id string) (*Room, error)
	RoomByCode(ctx context.Context, code string) (*Room, error)
	// RoomsByOwner lists the owner's rooms, newest first.
	RoomsByOwner(ctx context.Context, ownerID string) ([]Room, error)
	// UpdateRoom writes the room's settings (name, lobby, PIN, chat, files, max, locked).
	UpdateRoom(ctx context.Context, r *Room) error
	DeleteRoom(ctx context.Context, id string) error
}
