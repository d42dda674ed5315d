package classroom_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/liveserver/liveserver/internal/classroom"
	"github.com/liveserver/liveserver/internal/domain"
	"github.com/liveserver/liveserver/internal/memory"
	"github.com/liveserver/liveserver/internal/sqlstore"
	"github.com/liveserver/liveserver/internal/sqlstore/sqlstoretest"
)

// The event log's retention: compaction deletes only what is older, in batches; a resume from
// before what is kept gets a fresh snapshot, never a partial replay; a deleted message stays
// deleted.

// countingStore records every batch of the compaction.
type countingStore struct {
	domain.Store
	mu      sync.Mutex
	batches []int // what each DeleteEventsBefore deleted
	limits  []int // what each asked for
}

func (c *countingStore) DeleteEventsBefore(ctx context.Context, cutoff time.Time, limit int) (int, error) {
	n, err := c.Store.DeleteEventsBefore(ctx, cutoff, limit)
	c.mu.Lock()
	c.batches, c.limits = append(c.batches, n), append(c.limits, limit)
	c.mu.Unlock()
	return n, err
}

// retentionWorld is a stream world on dialect d whose clock the test moves.
func retentionWorld(t *testing.T, d sqlstore.Dialect, batch int) (*streamWorld, *countingStore, func(time.Duration)) {
	t.Helper()
	db := sqlstoretest.Open(t, d)
	store := &countingStore{Store: db}
	bus := memory.NewBus()
	t.Cleanup(func() { bus.Close() })
	var now atomic.Int64
	now.Store(time.Now().UnixMicro())
	clock := func() time.Time { return time.UnixMicro(now.Load()) }
	svc, err := classroom.New(classroom.Deps{Store: store, Limiter: memory.NewLimiter(time.Now), Bus: bus, Log: slog.New(slog.DiscardHandler)},
		classroom.Options{Registration: classroom.RegistrationOpen, Hash: classroom.FastHashParams, Now: clock, CompactBatch: batch})
	if err != nil {
		t.Fatal(err)
	}
	w := &streamWorld{t: t, svc: svc, db: db}
	w.admin = w.register("admin@school.ru")
	w.host = w.register("host@school.ru")
	if w.room, err = svc.CreateRoom(t.Context(), w.host, classroom.RoomPatch{Name: ptr("Физика"), LobbyEnabled: ptr(false)}); err != nil {
		t.Fatal(err)
	}
	return w, store, func(d time.Duration) { now.Add(d.Microseconds()) }
}

func (w *streamWorld) hand(actor domain.Actor, raised bool) {
	w.t.Helper()
	if err := w.svc.RaiseHand(w.t.Context(), actor, w.room.ID, raised); err != nil {
		w.t.Fatal(err)
	}
}

func (w *streamWorld) seqs() []int64 {
	w.t.Helper()
	evs, err := w.db.EventsAfter(w.t.Context(), w.room.ID, 0, 10000)
	if err != nil {
		w.t.Fatal(err)
	}
	var out []int64
	for _, e := range evs {
		out = append(out, e.Seq)
	}
	return out
}

func (w *streamWorld) lastSeq() int64 {
	w.t.Helper()
	r, err := w.db.Room(w.t.Context(), w.room.ID)
	if err != nil {
		w.t.Fatal(err)
	}
	return r.LastEventSeq
}

func (w *streamWorld) resume(actor domain.Actor, after int64) *classroom.Stream {
	w.t.Helper()
	return w.open(actor, classroom.StreamRequest{LastEventID: after, HasLastEventID: true})
}

// The compaction deletes the events older than the retention and nothing newer, a bounded
// batch per statement; chat stays in its own table.
func TestCompactionDeletesOnlyTheOldInBatches(t *testing.T) {
	sqlstoretest.Each(t, func(t *testing.T, d sqlstore.Dialect) {
		w, store, advance := retentionWorld(t, d, 3)
		g := w.guest("Аня")
		for range 7 {
			w.chat(g, "старое")
		}
		advance(classroom.DefaultEventRetention + time.Minute)
		w.chat(g, "новое")
		w.hand(g, true)
		n, err := w.svc.CompactEvents(t.Context())
		if err != nil || n != 7 {
			t.Fatalf("compaction deleted %d, %v; want the 7 old events", n, err)
		}
		if want := []int{3, 3, 1}; len(store.batches) != 3 || store.batches[0] != 3 || store.batches[1] != 3 || store.batches[2] != 1 {
			t.Fatalf("batches %v, want %v", store.batches, want)
		}
		for _, l := range store.limits {
			if l != 3 {
				t.Fatalf("a batch asked for %d events, want at most 3", l)
			}
		}
		if got := w.seqs(); len(got) != 2 || got[0] != 8 || got[1] != 9 {
			t.Fatalf("the log keeps %v, want [8 9]", got)
		}
		if n, err := w.svc.CompactEvents(t.Context()); err != nil || n != 0 {
			t.Fatalf("again: %d, %v; want nothing", n, err)
		}
		// Just inside the retention is kept.
		advance(classroom.DefaultEventRetention - time.Minute)
		if n, err := w.svc.CompactEvents(t.Context()); err != nil || n != 0 {
			t.Fatalf("a minute before the retention: %d deleted, %v; want none", n, err)
		}
		msgs, err := w.svc.ChatHistory(t.Context(), w.host, w.room.ID, "", 100)
		if err != nil || len(msgs) != 8 {
			t.Fatalf("chat history %d messages, %v; want all 8", len(msgs), err)
		}
	})
}

// snapshotOf decodes a snapshot frame.
func snapshotOf(t *testing.T, frame []byte) classroom.Snapshot {
	t.Helper()
	data, ok := bytes.CutPrefix(frame, []byte("event: snapshot\ndata: "))
	var snap classroom.Snapshot
	if !ok || json.Unmarshal(bytes.TrimSpace(data), &snap) != nil {
		t.Fatalf("not a snapshot frame: %q", frame)
	}
	return snap
}

// A resume from before what the log keeps gets a fresh, current snapshot marked Reset and no
// replay; a resume from the last deleted id on (what it needs is all kept) gets the replay.
func TestResumeBeforeRetentionGetsSnapshot(t *testing.T) {
	sqlstoretest.Each(t, func(t *testing.T, d sqlstore.Dialect) {
		w, _, advance := retentionWorld(t, d, 0)
		g, h := w.guest("Аня"), w.guest("Боря")
		w.chat(g, "раз")
		w.hand(g, true) // the snapshot must show it though its event is gone
		w.chat(g, "два")
		oldest := w.seqs()
		advance(classroom.DefaultEventRetention + time.Hour)
		w.hand(h, true)
		w.chat(h, "три")
		if n, err := w.svc.CompactEvents(t.Context()); err != nil || n != len(oldest) {
			t.Fatalf("compacted %d, %v; want %d", n, err, len(oldest))
		}
		for _, from := range []int64{0, oldest[0], oldest[len(oldest)-1] - 1} {
			seq := w.lastSeq()
			st := w.resume(g, from)
			snap := st.Snapshot
			if !snap.Reset || snap.Seq != seq {
				t.Fatalf("resume from %d: reset %v at %d, want a reset snapshot at %d", from, snap.Reset, snap.Seq, seq)
			}
			if len(snap.Hands) != 2 {
				t.Fatalf("resume from %d: snapshot hands %+v, want both raised hands", from, snap.Hands)
			}
			quiet(t, st) // nothing replayed, not even what is kept
			w.chat(g, "живое")
			if e := next(t, st); e.Seq != seq+1 || e.Type() != classroom.EvChatMessage {
				t.Fatalf("resume from %d: then %d %s, want the live %d", from, e.Seq, e.Type(), seq+1)
			}
			st.Close()
		}
		// From the last deleted id: everything after it is kept, so it is replayed.
		first := w.seqs()[0]
		st := w.resume(g, first-1)
		if st.Snapshot.Reset {
			t.Fatalf("resume from %d (all after it kept) got a reset", first-1)
		}
		if e := next(t, st); e.Seq != first || e.Type() != classroom.EvHand {
			t.Fatalf("replay starts %d %s, want %d hand", e.Seq, e.Type(), first)
		}
		// A resume from an id this log never gave is a reset too.
		if st := w.resume(g, 1<<40); !st.Snapshot.Reset {
			t.Fatal("resume from an unknown id: no reset")
		}
		// A new stream (no Last-Event-ID) is no reset.
		if st := w.open(g, classroom.StreamRequest{}); st.Snapshot.Reset {
			t.Fatal("a new stream is marked reset")
		}
	})
}

// Compaction that deletes, between two backlog pages, events the stream has not passed yet:
// the stream hands out a fresh snapshot as an event and goes on after it, skipping nothing
// silently.
func TestHoleAfterOpeningSendsSnapshot(t *testing.T) {
	sqlstoretest.Each(t, func(t *testing.T, d sqlstore.Dialect) {
		w, _, advance := retentionWorld(t, d, 0)
		g := w.guest("Аня")
		old := time.Now().Add(-classroom.DefaultEventRetention - time.Hour)
		evs := make([]domain.Event, 700)
		for i := range evs {
			evs[i] = domain.Event{RoomID: w.room.ID, Type: classroom.EvHand, Audience: domain.AudienceAll,
				Payload: []byte(`{"identity":"x","name":"x","raised":false}`), CreatedAt: old}
		}
		if _, err := w.db.AppendEvents(t.Context(), evs); err != nil {
			t.Fatal(err)
		}
		advance(time.Minute)
		w.chat(g, "новое")
		st := w.resume(g, 0) // reads the first page (1..500) at the opening
		if st.Snapshot.Reset {
			t.Fatal("reset before anything was compacted")
		}
		if n, err := w.svc.CompactEvents(t.Context()); err != nil || n != 700 {
			t.Fatalf("compacted %d, %v; want 700", n, err)
		}
		for want := int64(1); want <= 500; want++ {
			if e := next(t, st); e.Seq != want {
				t.Fatalf("backlog %d, want %d", e.Seq, want)
			}
		}
		e := next(t, st)
		if e.Type() != classroom.EvSnapshot {
			t.Fatalf("after the first page: %d %s, want a snapshot", e.Seq, e.Type())
		}
		if snap := snapshotOf(t, e.Frame); !snap.Reset || snap.Seq != 701 {
			t.Fatalf("snapshot %+v, want reset at 701", snap)
		}
		quiet(t, st)
		w.chat(g, "живое")
		if e := next(t, st); e.Seq != 702 || e.Type() != classroom.EvChatMessage {
			t.Fatalf("then %d %s, want 702 chat.message", e.Seq, e.Type())
		}
	})
}

// A deleted message stays deleted across compaction: a resume from any id gets its deletion
// or a reset snapshot, never its text, and the history no longer lists it.
func TestDeletedChatStaysDeletedAcrossCompaction(t *testing.T) {
	sqlstoretest.Each(t, func(t *testing.T, d sqlstore.Dialect) {
		w, _, advance := retentionWorld(t, d, 2)
		g := w.guest("Аня")
		w.chat(g, "раз")
		secret, _, err := w.svc.SendChat(t.Context(), g, w.room.ID, "секретный пароль", "")
		if err != nil {
			t.Fatal(err)
		}
		w.chat(g, "два")
		advance(classroom.DefaultEventRetention + time.Hour)
		w.chat(g, "три")
		if err := w.svc.DeleteChat(t.Context(), w.host, w.room.ID, secret.ID); err != nil {
			t.Fatal(err)
		}
		w.chat(g, "четыре")
		if _, err := w.svc.CompactEvents(t.Context()); err != nil {
			t.Fatal(err)
		}
		last := w.seqs()
		for from := int64(0); from <= last[len(last)-1]; from++ {
			st := w.resume(g, from)
			var sawDeletion bool
			for {
				e, err := st.Next(t.Context(), time.After(150*time.Millisecond))
				if err != nil {
					t.Fatal(err)
				}
				if e.Frame == nil {
					break
				}
				if bytes.Contains(e.Frame, []byte("секрет")) {
					t.Fatalf("resume from %d replays the deleted text: %s", from, e.Frame)
				}
				sawDeletion = sawDeletion || e.Type() == classroom.EvChatDeleted
			}
			if from < last[0]-1 && !st.Snapshot.Reset {
				t.Fatalf("resume from %d, before what is kept (%v), got no reset", from, last)
			}
			if from >= last[0]-1 && from < last[0]+1 && !sawDeletion {
				t.Fatalf("resume from %d replays no deletion", from)
			}
			st.Close()
		}
		msgs, err := w.svc.ChatHistory(t.Context(), w.host, w.room.ID, "", 100)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range msgs {
			if m.ID == secret.ID {
				t.Fatal("the history lists the deleted message")
			}
		}
	})
}

// Two transactions of one room may commit in the other order than their clocks read, so the
// compaction can leave a hole inside what it keeps: a replay across it is refused too.
func TestHoleInsideTheLogIsAReset(t *testing.T) {
	sqlstoretest.Each(t, func(t *testing.T, d sqlstore.Dialect) {
		w, _, _ := retentionWorld(t, d, 0)
		g := w.guest("Аня")
		now, old := time.Now(), time.Now().Add(-classroom.DefaultEventRetention-time.Hour)
		var evs []domain.Event
		for _, at := range []time.Time{now, old, now} {
			evs = append(evs, domain.Event{RoomID: w.room.ID, Type: classroom.EvHand, Audience: domain.AudienceAll,
				Payload: []byte(`{"identity":"x","name":"x","raised":false}`), CreatedAt: at})
		}
		if _, err := w.db.AppendEvents(t.Context(), evs); err != nil {
			t.Fatal(err)
		}
		if n, err := w.svc.CompactEvents(t.Context()); err != nil || n != 1 {
			t.Fatalf("compacted %d, %v; want the one old event", n, err)
		}
		if st := w.resume(g, 0); !st.Snapshot.Reset {
			t.Fatal("a replay across the hole at 2 was not refused")
		}
		if st := w.resume(g, 2); st.Snapshot.Reset {
			t.Fatal("a resume after the hole got a reset")
		}
	})
}
