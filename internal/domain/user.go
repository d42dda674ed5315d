package domain

import (
	"context"
	"time"
)

// Role is a signed-in user's role on the whole instance. Guests have no account and no Role.
type Role string

const (
	RoleAdmin Role = "ADMIN"
	RoleHost  Role = "HOST"
)

// User is a host or an admin: someone with an account.
type User struct {
	ID           string
	Email        string // stored lower-cased; unique
	Name         string
	Role         Role
	PasswordHash string
	Disabled     bool
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// IsAdmin reports whether u may act on the whole instance.
func (u *User) IsAdmin() bool { return u != nil && u.Role == RoleAdmin }

// Session is a signed-in browser. Only the SHA-256 of its token is stored.
type Session struct {
	TokenHash  string // hex SHA-256 of the cookie's token
	UserID     string
	CreatedAt  time.Time
	ExpiresAt  time.Time
	LastSeenAt time.Time
}

// UserStore keeps accounts.
type UserStore interface {
	// CreateUser inserts u. With promoteFirst, the very first user of the instance becomes
	// ADMIN whatever u.Role says; the decision is race-free across replicas. It returns the
	// stored user.
	CreateUser(ctx context.Context, u User, promoteFirst bool) (*User, error)
	UserByID(ctx context.Context, id string) (*User, error)
	UserByEmail(ctx context.Context, email string) (*User, error)
	// UpdateUser writes u's name, role, password hash and disabled flag.
	UpdateUser(ctx context.Context, u *User) error
}

// SessionStore keeps signed-in browsers.
type SessionStore interface {
	CreateSession(ctx context.Context, s Session) error
	// SessionUser returns the live session with that token hash and its user; ENotFound when
	// there is none or it expired at now.
	SessionUser(ctx context.Context, tokenHash string, now time.Time) (*Session, *User, error)
	// TouchSession records activity, and extends the expiry to expiresAt.
	TouchSession(ctx context.Context, tokenHash string, seen, expiresAt time.Time) error
	DeleteSession(ctx context.Context, tokenHash string) error
	// DeleteUserSessions signs the user out everywhere.
	DeleteUserSessions(ctx context.Context, userID string) error
	// DeleteExpiredSessions removes sessions expired at now and says how many.
	DeleteExpiredSessions(ctx context.Context, now time.Time) (int64, error)
}
