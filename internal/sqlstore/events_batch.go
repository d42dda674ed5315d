package sqlstore

import (
	"context"
	"database/sql"
	"strings"

	"github.com/liveserver/liveserver/internal/domain"
)

// eventInsertChunk is how many events one INSERT writes: few statements for a whole lobby's
// decision, well within both dialects' limits on parameters (6 per row).
const eventInsertChunk = 100

// AppendEvents numbers a transaction's events with one bump of each room's counter per run of
// events of that room, and stores them with multi-row inserts. The counter's row lock orders
// commits exactly as AppendEvent's does.
func (db *DB) AppendEvents(ctx context.Context, evs []domain.Event) ([]domain.Event, error) {
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		for start := 0; start < len(evs); {
			end := start + 1
			for end < len(evs) && evs[end].RoomID == evs[start].RoomID {
				end++
			}
			run := evs[start:end]
			var last int64
			if err := db.queryRow(ctx, tx, `UPDATE rooms SET last_event_seq = last_event_seq + ? WHERE id = ? RETURNING last_event_seq`,
				len(run), run[0].RoomID).Scan(&last); err != nil {
				return err
			}
			for i := range run {
				run[i].Seq = last - int64(len(run)-1-i)
			}
			for c := 0; c < len(run); c += eventInsertChunk {
				chunk := run[c:min(c+eventInsertChunk, len(run))]
				args := make([]any, 0, 6*len(chunk))
				for _, e := range chunk {
					args = append(args, e.RoomID, e.Seq, e.Type, e.Audience, string(e.Payload), e.CreatedAt)
				}
				q := `INSERT INTO room_events (room_id, seq, type, audience, payload, created_at) VALUES ` +
					strings.TrimSuffix(strings.Repeat("(?, ?, ?, ?, ?, ?), ", len(chunk)), ", ")
				if _, err := db.exec(ctx, tx, q, args...); err != nil {
					return err
				}
			}
			start = end
		}
		return nil
	})
	return evs, translate(err, "room")
}
