package domain

import (
	"context"
	"time"
)

// Instance settings an admin changes in the admin panel, by name.
const (
	// SettingRegistration is "open" or "closed": whether anyone may register a host account.
	SettingRegistration = "registration"
)

// SettingStore keeps the instance's settings as named values.
type SettingStore interface {
	// Setting returns the value stored under name; ENotFound when it was never set.
	Setting(ctx context.Context, name string) (string, error)
	// PutSetting stores value under name.
	PutSetting(ctx context.Context, name, value string, at time.Time) error
}

// SetupStore keeps the one-time setup tokens of an instance that has no admin yet. Only the
// SHA-256 of a token is stored. Each running server holds one and renews it; a token whose
// server stopped renewing runs out.
type SetupStore interface {
	// PutSetupToken stores the token (its hash) or extends its expiry.
	PutSetupToken(ctx context.Context, tokenHash string, createdAt, expiresAt time.Time) error
	// DeleteSetupToken forgets one token.
	DeleteSetupToken(ctx context.Context, tokenHash string) error
	// UseSetupToken ends the setup of the instance with a token that is stored and live at
	// now: it deletes every setup token and claims the instance's setup, once. ENotFound when
	// the token is not there (wrong, used or run out); EConflict when the instance was set up
	// already (by a concurrent request with another server's token).
	UseSetupToken(ctx context.Context, tokenHash string, now time.Time) error
}
