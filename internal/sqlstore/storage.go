package sqlstore

import (
	"context"

	"github.com/liveserver/liveserver/internal/domain"
)

// The sums are cast to BIGINT: PostgreSQL's SUM of a BIGINT is NUMERIC.

func (db *DB) StorageUse(ctx context.Context, roomID string) (domain.StorageUse, error) {
	var u domain.StorageUse
	err := db.queryRow(ctx, db.x, `SELECT
		(SELECT CAST(COALESCE(SUM(size), 0) AS BIGINT) FROM stored_content WHERE room_id = ?),
		(SELECT CAST(COALESCE(SUM(c.size), 0) AS BIGINT) FROM stored_content c JOIN rooms r ON r.id = c.room_id
			WHERE r.owner_id = (SELECT owner_id FROM rooms WHERE id = ?)),
		(SELECT CAST(COALESCE(SUM(size), 0) AS BIGINT) FROM stored_content)`, roomID, roomID).Scan(&u.Room, &u.Host, &u.Instance)
	return u, translate(err, "storage")
}

// storageLockKey names the advisory lock of the storage quotas in PostgreSQL.
const storageLockKey = 0x5107a6e

// LockStorage takes a transaction-scoped advisory lock in PostgreSQL (it ends with the
// transaction, so it works through PgBouncer in transaction mode). SQLite needs none: every
// transaction here takes the database's write lock at BEGIN (txlock=immediate), so
// transactions that write are one at a time already.
func (db *DB) LockStorage(ctx context.Context) error {
	if db.dialect != Postgres {
		return nil
	}
	_, err := db.exec(ctx, db.x, `SELECT pg_advisory_xact_lock(?)`, int64(storageLockKey))
	return translate(err, "storage lock")
}

func (db *DB) StorageByOwner(ctx context.Context, limit int) ([]domain.OwnerStorage, error) {
	rows, err := db.query(ctx, db.x, `SELECT r.owner_id, CAST(SUM(c.size) AS BIGINT) AS bytes FROM stored_content c
		JOIN rooms r ON r.id = c.room_id GROUP BY r.owner_id ORDER BY bytes DESC, r.owner_id LIMIT ?`, limit)
	if err != nil {
		return nil, translate(err, "storage")
	}
	defer rows.Close()
	out := []domain.OwnerStorage{}
	for rows.Next() {
		var o domain.OwnerStorage
		if err := rows.Scan(&o.UserID, &o.Bytes); err != nil {
			return nil, translate(err, "storage")
		}
		out = append(out, o)
	}
	return out, translate(rows.Err(), "storage")
}

func (db *DB) StorageByRoom(ctx context.Context) (map[string]int64, error) {
	rows, err := db.query(ctx, db.x, `SELECT room_id, CAST(SUM(size) AS BIGINT) FROM stored_content GROUP BY room_id`)
	if err != nil {
		return nil, translate(err, "storage")
	}
	defer rows.Close()
	out := map[string]int64{}
	for rows.Next() {
		var id string
		var n int64
		if err := rows.Scan(&id, &n); err != nil {
			return nil, translate(err, "storage")
		}
		out[id] = n
	}
	return out, translate(rows.Err(), "storage")
}
