package domain

import "context"

// AdminStore answers the admin panel's questions about the whole instance.
type AdminStore interface {
	// AllRooms lists every room, newest first.
	AllRooms(ctx context.Context) ([]Room, error)
	// Users lists every account, oldest first.
	Users(ctx context.Context) ([]User, error)
	// AttendeeCounts is, per room, how many identities ever joined its call.
	AttendeeCounts(ctx context.Context) (map[string]int, error)
	// ModerationLog lists entries newest first, filtered by room and action when given.
	ModerationLog(ctx context.Context, f ModerationFilter) ([]ModerationEntry, error)
	// JobCounts is how many jobs are in each status.
	JobCounts(ctx context.Context) (map[string]int, error)
	// CountAdmins is how many enabled admins there are.
	CountAdmins(ctx context.Context) (int, error)
}
