package domain

import "context"

// Store is the durable state of the instance. Implementations translate driver errors at their
// boundary: a missing row is ENotFound, a unique violation EConflict (EEmailTaken for e-mails).
type Store interface {
	UserStore
	SessionStore
	RoomStore
	LifecycleStore
	AttendanceStore
	WebhookStore
	LobbyStore
	AdmissionStore
	BanStore
	HandStore
	ModerationStore
	ChatStore
	FileStore
	StorageStore
	LectureStore
	DriveStore
	ShareStore
	JobStore
	AdminStore
	AgentStore
	EventStore
	SettingStore
	SetupStore
	Transactor
	// Ping reports whether the database answers.
	Ping(ctx context.Context) error
}

// Transactor runs fn with a Store whose calls form one transaction.
type Transactor interface {
	InTx(ctx context.Context, fn func(Store) error) error
}
