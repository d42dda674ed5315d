package domain

import (
	"context"
	"time"
)

// Job kinds.
const JobSummary = "summary"

// Job is durable background work (a lecture's summary, an export).
type Job struct {
	ID          string
	Kind        string
	RoomID      string
	LectureID   string
	Status      string // QUEUED, RUNNING, DONE, FAILED
	Attempts    int
	MaxAttempts int
	RunAt       time.Time
	LastError   string
}

// JobStore hands out durable background work with a lease, so that two workers (replicas)
// never run one job at once, and a job whose worker died is taken over when its lease ends.
type JobStore interface {
	// ClaimJob leases the oldest job that is due (queued and run_at passed, or running with an
	// expired lease) to owner until leaseUntil, counting an attempt; ENotFound when none is.
	ClaimJob(ctx context.Context, owner string, now, leaseUntil time.Time) (*Job, error)
	// ExtendLease keeps a running job's lease; ENotFound when owner lost it.
	ExtendLease(ctx context.Context, id, owner string, until time.Time) error
	// FinishJob marks the job DONE; RetryJob queues it again at runAt with the error;
	// FailJob marks it FAILED for good. Each is ENotFound when owner lost the lease.
	FinishJob(ctx context.Context, id, owner string, at time.Time) error
	RetryJob(ctx context.Context, id, owner string, runAt time.Time, lastError string) error
	FailJob(ctx context.Context, id, owner string, at time.Time, lastError string) error
	// JobsOf lists a room's background jobs.
	JobsOf(ctx context.Context, roomID string) ([]Job, error)
}
