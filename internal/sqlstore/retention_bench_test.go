package sqlstore_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/liveserver/liveserver/internal/domain"
	"github.com/liveserver/liveserver/internal/sqlstore"
	"github.com/liveserver/liveserver/internal/sqlstore/sqlstoretest"
)

// BenchmarkCompactEvents measures the retention's compaction on a log of 1M expired events
// (100 rooms) and 100k kept ones, in batches of 2,000 as classroom.CompactEvents deletes
// them: the rows deleted a second while deleting, and the longest batch (on SQLite, the
// longest a writer waits behind the compaction). Run it once per dialect:
//
//	go test -run '^$' -bench BenchmarkCompactEvents -benchtime 1x -timeout 30m ./internal/sqlstore/
func BenchmarkCompactEvents(b *testing.B) {
	const rooms, expired, kept, batch = 100, 1_000_000, 100_000, 2000
	for _, d := range sqlstoretest.Dialects() {
		b.Run(string(d), func(b *testing.B) {
			for range b.N {
				ctx := context.Background()
				db := sqlstoretest.Open(b, d)
				fill(b, db, rooms, expired, kept)
				cutoff := time.Now().Add(-24 * time.Hour)
				b.ResetTimer()
				var busy, longest time.Duration
				total, batches := 0, 0
				for {
					start := time.Now()
					n, err := db.DeleteEventsBefore(ctx, cutoff, batch)
					took := time.Since(start)
					if err != nil {
						b.Fatal(err)
					}
					busy, longest, total, batches = busy+took, max(longest, took), total+n, batches+1
					if n < batch {
						break
					}
				}
				b.StopTimer()
				if total != expired {
					b.Fatalf("deleted %d, want %d", total, expired)
				}
				b.ReportMetric(float64(total)/busy.Seconds(), "rows/s")
				b.ReportMetric(float64(busy.Milliseconds()), "busy-ms")
				b.ReportMetric(float64(longest.Microseconds())/1000, "longest-batch-ms")
				b.ReportMetric(float64(busy.Microseconds())/1000/float64(batches), "mean-batch-ms")
				// A resume's read of the kept log is unaffected: the first page of a room.
				start := time.Now()
				evs, err := db.EventsAfter(ctx, roomName(0), 0, 500)
				if err != nil || len(evs) != 500 {
					b.Fatalf("after compaction: %d events, %v", len(evs), err)
				}
				b.ReportMetric(float64(time.Since(start).Microseconds())/1000, "first-page-ms")
			}
		})
	}
}

func roomName(i int) string { return fmt.Sprintf("00000000-0000-4000-8000-%012d", i) }

// fill writes expired events a week old, then kept ones of now, spread over the rooms.
func fill(b *testing.B, db *sqlstore.DB, rooms, expired, kept int) {
	b.Helper()
	ctx := context.Background()
	u, err := db.CreateUser(ctx, newUser("bench@x.org"), false)
	if err != nil {
		b.Fatal(err)
	}
	for i := range rooms {
		r := newRoom(u.ID, fmt.Sprintf("ben-%04d-xyz", i))
		r.ID = roomName(i)
		if err := db.CreateRoom(ctx, r); err != nil {
			b.Fatal(err)
		}
	}
	start := time.Now()
	old := time.Now().Add(-8 * 24 * time.Hour)
	payload := []byte(`{"id":"6f1c2d3e-4b5a-4c6d-8e7f-901234567890","identity":"guest","name":"Студент","text":"вопрос по теме лекции"}`)
	const perTx = 5000
	for written := 0; written < expired+kept; written += perTx {
		at := old.Add(time.Duration(written) * time.Millisecond)
		if written >= expired {
			at = time.Now()
		}
		evs := make([]domain.Event, perTx)
		for i := range evs {
			evs[i] = domain.Event{RoomID: roomName((written / perTx) % rooms), Type: "chat.message", Audience: domain.AudienceAll, Payload: payload, CreatedAt: at}
		}
		if _, err := db.AppendEvents(ctx, evs); err != nil {
			b.Fatal(err)
		}
	}
	b.Logf("%s: wrote %d events in %s", db.Dialect(), expired+kept, time.Since(start).Round(time.Second))
}
