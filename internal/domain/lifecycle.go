package domain

import (
	"context"
	"time"
)

// LifecycleStore records what happens to rooms while they run.
type LifecycleStore interface {
	// StartRoom makes the room's current lecture LIVE (a CREATED room, or an ENDED one, whose
	// next lecture opens) if that is still lectureID; false when the room was LIVE already, or
	// its current lecture is another (a late webhook of an ended lecture reopens nothing).
	StartRoom(ctx context.Context, id, lectureID string, at time.Time) (bool, error)
	// EndRoom makes a room and its current lecture ENDED, closes the lecture's open
	// attendance, lowers the room's hands, and in the same transaction creates the lecture's
	// artifact, queues its summary job and makes the room's next lecture (CREATED) current.
	// False when it had ended already, or its current lecture is not lectureID.
	EndRoom(ctx context.Context, id, lectureID string, at time.Time) (bool, error)
	// Lecture reads one lecture.
	Lecture(ctx context.Context, id string) (*Lecture, error)
	// Lectures lists the room's lectures that have started (live or ended), the latest first.
	Lectures(ctx context.Context, roomID string) ([]Lecture, error)
	// RotateCall moves the lecture's call epoch on and returns the new one (see CallName).
	RotateCall(ctx context.Context, lectureID string) (int, error)
	// LiveRoomIDs lists the rooms that are LIVE.
	LiveRoomIDs(ctx context.Context) ([]string, error)
}
