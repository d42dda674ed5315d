package domain

import (
	"context"
	"time"
)

// HandRaise is one raised hand, in the order hands went up.
type HandRaise struct {
	RoomID   string
	Identity string
	Name     string
	RaisedAt time.Time
}

// HandStore keeps the raised hands of a room, in the order they went up.
type HandStore interface {
	RaiseHand(ctx context.Context, h HandRaise) (bool, error) // false when it was up already
	LowerHand(ctx context.Context, roomID, identity string) (bool, error)
	Hands(ctx context.Context, roomID string) ([]HandRaise, error)
}
