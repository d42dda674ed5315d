package domain

import (
	"context"
	"time"
)

// Limiter counts attempts per key in a fixed window. Allow records one attempt and reports
// whether it is within limit; when not, retryAfter says when the window frees up.
type Limiter interface {
	Allow(ctx context.Context, key string, limit int, window time.Duration) (ok bool, retryAfter time.Duration, err error)
	// Undo takes back one attempt recorded in the current window (a correct PIN does not use
	// up the budget of wrong ones); it never goes below zero.
	Undo(ctx context.Context, key string) error
}
