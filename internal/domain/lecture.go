package domain

import (
	"context"
	"time"
)

// TranscriptSegment is one final piece of what a speaker said. Times count from the start of
// the lecture.
type TranscriptSegment struct {
	ID              string
	RoomID          string
	SegmentID       string // the caption's lk.segment_id: a re-sent final is stored once
	SpeakerIdentity string
	SpeakerName     string
	TrackID         string
	StartMs         int64
	EndMs           int64
	Text            string
	Language        string
	CreatedAt       time.Time
}

// Summary statuses and kinds.
const (
	SummaryPending = "PENDING"
	SummaryRunning = "RUNNING"
	SummaryReady   = "READY"
	SummaryFailed  = "FAILED"

	SummaryLLM        = "llm"        // written by a language model
	SummaryExtractive = "extractive" // sentences picked from the transcript itself
)

// LectureArtifact is what the lecture left: its summary (1:1 with the room).
type LectureArtifact struct {
	RoomID          string
	SummaryStatus   string
	SummaryKind     string
	SummaryMarkdown string
	SummaryError    string
	Language        string
	UpdatedAt       time.Time
}

// LectureStore keeps transcripts and summaries.
type LectureStore interface {
	// AppendTranscript stores a final segment; false when its segment id was stored already.
	AppendTranscript(ctx context.Context, s TranscriptSegment) (bool, error)
	// Transcript lists the room's segments in time order.
	Transcript(ctx context.Context, roomID string) ([]TranscriptSegment, error)
	Artifact(ctx context.Context, roomID string) (*LectureArtifact, error)
	// SetSummary records the summary's state.
	SetSummary(ctx context.Context, a LectureArtifact) error
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
}

// LLM is a chat-completions model (OpenAI or any compatible server).
type LLM interface {
	// Complete answers prompt under the system instructions.
	Complete(ctx context.Context, system, prompt string) (string, error)
}

// DriveStore keeps hosts' Google Drive connections; the refresh token is stored encrypted.
type DriveStore interface {
	SetDriveToken(ctx context.Context, userID, encryptedToken, scope string, at time.Time) error
	// DriveToken is the user's encrypted refresh token; ENotFound when not connected.
	DriveToken(ctx context.Context, userID string) (string, error)
}

// ShareStore keeps a lecture page's share link: only the hash of its token is stored.
type ShareStore interface {
	// SetShareToken sets (or with "" clears) the hash of the lecture's share token.
	SetShareToken(ctx context.Context, roomID, tokenHash string, at time.Time) error
	// ShareToken is the lecture's share token hash, "" when sharing is off.
	ShareToken(ctx context.Context, roomID string) (string, error)
}
