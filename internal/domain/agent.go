package domain

import (
	"context"
	"time"
)

// TopicLiveRooms is the bus topic on which a room that has just gone live is announced (the
// message is its id), so the assistant joins at once instead of at its next look at the video
// server's room list.
const TopicLiveRooms = "rooms:live"

// AgentSilentAfter is how long after its last heartbeat an assistant process counts as gone.
const AgentSilentAfter = 15 * time.Second

// AgentWorker is one running assistant process, as its last heartbeat described it.
type AgentWorker struct {
	ID        string
	STT       string // the speech-to-text provider it uses
	StartedAt time.Time
	SeenAt    time.Time
	Rooms     int // rooms it captions
	Tracks    int // microphone tracks it transcribes
}

// AgentStore shares the live lectures (calls) between assistant processes. Each is captioned by
// the holder of its lease; a lease that is not renewed runs out, and another process takes the
// room over.
type AgentStore interface {
	// ClaimAgentRoom takes or renews the room's lease for holder until the given time; false
	// when another holder's lease is still running.
	ClaimAgentRoom(ctx context.Context, lectureID, holder string, now, until time.Time) (bool, error)
	// AgentHolds reports whether an assistant holds the room's lease now: it may still be
	// storing the lecture's last captions.
	AgentHolds(ctx context.Context, lectureID string, now time.Time) (bool, error)
	// ReleaseAgentRoom gives the lease up if holder has it.
	ReleaseAgentRoom(ctx context.Context, lectureID, holder string) error
	// BeatAgent records a worker's heartbeat (and forgets workers silent for long).
	BeatAgent(ctx context.Context, w AgentWorker) error
	// AgentWorkers lists the workers heard from since the given time.
	AgentWorkers(ctx context.Context, since time.Time) ([]AgentWorker, error)
}
