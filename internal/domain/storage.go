package domain

import "context"

// StorageUse is what the instance stores, in bytes, as its database counts it: the room's own
// content, that of every room of the room's owner, and that of the whole instance.
type StorageUse struct {
	Room, Host, Instance int64
}

// OwnerStorage is how many bytes the rooms of one account hold.
type OwnerStorage struct {
	UserID string
	Bytes  int64
}

// StorageStore counts stored bytes for the quotas. The count is one view over every kind of
// stored content (shared files now; recordings join the same view), so each kind counts
// against the same quotas without the rules knowing the kinds.
type StorageStore interface {
	// StorageUse sums the stored bytes of the room, of its owner's rooms and of the instance.
	StorageUse(ctx context.Context, roomID string) (StorageUse, error)
	// LockStorage, inside a transaction, holds every other LockStorage until the transaction
	// ends: the use read after it stays true until this transaction's content is added.
	LockStorage(ctx context.Context) error
	// StorageByOwner lists the accounts holding the most bytes, most first, at most limit.
	StorageByOwner(ctx context.Context, limit int) ([]OwnerStorage, error)
	// StorageByRoom is the stored bytes of each room that holds any.
	StorageByRoom(ctx context.Context) (map[string]int64, error)
}

// DiskSpace is the state of the file system a blob store writes to.
type DiskSpace struct {
	// Free is what an unprivileged writer may still use; Total the file system's size.
	Free, Total int64
	// Margin is the free space the store keeps: writes stop below it.
	Margin int64
}

// BlobSpace is implemented by blob stores on a local file system (not by S3).
type BlobSpace interface {
	Space(ctx context.Context) (DiskSpace, error)
}
