package domain

import (
	"context"
	"time"
)

// DriveStore keeps hosts' Google Drive connections; the refresh token is stored encrypted.
type DriveStore interface {
	SetDriveToken(ctx context.Context, userID, encryptedToken, scope string, at time.Time) error
	// DriveToken is the user's encrypted refresh token; ENotFound when not connected.
	DriveToken(ctx context.Context, userID string) (string, error)
}
