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
	LectureID       string
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

// LectureArtifact is what the lecture left: its summary (1:1 with the lecture).
type LectureArtifact struct {
	RoomID          string
	LectureID       string
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
	// Transcript lists the lecture's segments in time order.
	Transcript(ctx context.Context, lectureID string) ([]TranscriptSegment, error)
	Artifact(ctx context.Context, lectureID string) (*LectureArtifact, error)
	// SetSummary records the summary's state.
	SetSummary(ctx context.Context, a LectureArtifact) error
}

// ShareStore keeps a lecture page's share link: only the hash of its token is stored.
type ShareStore interface {
	// SetShareToken sets (or with "" clears) the hash of the lecture's share token.
	SetShareToken(ctx context.Context, lectureID, tokenHash string, at time.Time) error
	// ShareToken is the lecture's share token hash, "" when sharing is off.
	ShareToken(ctx context.Context, lectureID string) (string, error)
}
