package domain

import (
	"context"
	"time"
)

// LifecycleStore records what happens to rooms while they run.
type LifecycleStore interface {
	// StartRoom makes a CREATED room LIVE; false when it was not CREATED.
	StartRoom(ctx context.Context, id string, at time.Time) (bool, error)
	// EndRoom makes a room ENDED, closes its open attendance, and in the same transaction
	// creates its lecture artifact and queues the summary job. False when it had ended already.
	EndRoom(ctx context.Context, id string, at time.Time) (bool, error)
	// LiveRoomIDs lists the rooms that are LIVE.
	LiveRoomIDs(ctx context.Context) ([]string, error)
}
