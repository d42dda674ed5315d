package sqlstore

import (
	"context"
	"time"

	"github.com/liveserver/liveserver/internal/domain"
)

// ClaimAgentRoom takes a free or run-out lease, or renews the holder's own, in one statement:
// of two processes claiming at once, the second one's conflict update re-checks the row and
// matches nothing.
func (db *DB) ClaimAgentRoom(ctx context.Context, lectureID, holder string, now, until time.Time) (bool, error) {
	res, err := db.exec(ctx, db.x, `INSERT INTO agent_lectures (lecture_id, holder, claimed_at, lease_until) VALUES (?, ?, ?, ?)
		ON CONFLICT (lecture_id) DO UPDATE SET holder = excluded.holder, lease_until = excluded.lease_until,
		  claimed_at = CASE WHEN agent_lectures.holder = excluded.holder THEN agent_lectures.claimed_at ELSE excluded.claimed_at END
		WHERE agent_lectures.holder = excluded.holder OR agent_lectures.lease_until < ?`,
		lectureID, holder, now, until, now)
	return affected(res, err, "agent lease")
}

func (db *DB) AgentHolds(ctx context.Context, lectureID string, now time.Time) (bool, error) {
	var n int
	err := db.queryRow(ctx, db.x, `SELECT COUNT(*) FROM agent_lectures WHERE lecture_id = ? AND lease_until > ?`, lectureID, now).Scan(&n)
	return n > 0, translate(err, "agent lease")
}

func (db *DB) ReleaseAgentRoom(ctx context.Context, lectureID, holder string) error {
	_, err := db.exec(ctx, db.x, `DELETE FROM agent_lectures WHERE lecture_id = ? AND holder = ?`, lectureID, holder)
	return translate(err, "agent lease")
}

func (db *DB) BeatAgent(ctx context.Context, w domain.AgentWorker) error {
	_, err := db.exec(ctx, db.x, `INSERT INTO agent_workers (id, stt, started_at, seen_at, rooms, tracks) VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET stt = excluded.stt, seen_at = excluded.seen_at, rooms = excluded.rooms, tracks = excluded.tracks`,
		w.ID, w.STT, w.StartedAt, w.SeenAt, w.Rooms, w.Tracks)
	return translate(err, "agent worker")
}

func (db *DB) AgentWorkers(ctx context.Context, since time.Time) ([]domain.AgentWorker, error) {
	return list(ctx, db, "agent workers", func(r rowScanner) (*domain.AgentWorker, error) {
		var w domain.AgentWorker
		err := r.Scan(&w.ID, &w.STT, &w.StartedAt, &w.SeenAt, &w.Rooms, &w.Tracks)
		w.StartedAt, w.SeenAt = w.StartedAt.UTC(), w.SeenAt.UTC()
		return &w, err
	}, `SELECT id, stt, started_at, seen_at, rooms, tracks FROM agent_workers WHERE seen_at >= ? ORDER BY started_at, id`, since)
}
