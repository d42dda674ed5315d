package httpapi_test

import (
	"encoding/json"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/liveserver/liveserver/internal/classroom"
	"github.com/liveserver/liveserver/internal/domain"
	"github.com/liveserver/liveserver/internal/sqlstore"
	"github.com/liveserver/liveserver/internal/sqlstore/sqlstoretest"
)

// What a client sees when it resumes from an event the log no longer keeps: a snapshot with
// "reset": true and no replay (it reloads chat and files); from an event that is kept, the
// snapshot without reset and the replay.
func TestResumePastRetentionGetsResetSnapshot(t *testing.T) {
	sqlstoretest.Each(t, func(t *testing.T, d sqlstore.Dialect) {
		e := newEnv(t, d, map[string]string{"ROOM_EVENTS_RETENTION": "1h"})
		host := e.client()
		host.register("retention@school.ru", "Учитель")
		r := host.createRoom(map[string]any{"name": "Retention", "lobbyEnabled": false})
		g, _ := guestIn(t, e, host, r.ID, "Петя", "fp-retention-01")
		// Three events of two hours ago (as the log holds them after a long weekend).
		old := make([]domain.Event, 3)
		for i := range old {
			old[i] = domain.Event{RoomID: r.ID, Type: classroom.EvHand, Audience: domain.AudienceAll,
				Payload: []byte(`{"identity":"x","name":"x","raised":false}`), CreatedAt: time.Now().Add(-2 * time.Hour)}
		}
		old, err := e.db.AppendEvents(t.Context(), old)
		if err != nil {
			t.Fatal(err)
		}
		want(t, g.do("POST", "/api/rooms/"+r.ID+"/chat", map[string]string{"text": "после выходных"}), http.StatusCreated)
		if n, err := e.svc.CompactEvents(t.Context()); err != nil || n < 3 {
			t.Fatalf("compacted %d, %v; want the 3 old events", n, err)
		}
		type snapshot struct {
			Seq   int64 `json:"seq"`
			Reset bool  `json:"reset"`
		}
		read := func(from int64) (snapshot, func()) {
			st := g.stream("/api/rooms/"+r.ID+"/events", "Last-Event-ID", strconv.FormatInt(from, 10))
			var snap snapshot
			if err := json.Unmarshal([]byte(st.Next("snapshot").Data), &snap); err != nil {
				t.Fatal(err)
			}
			if from == old[0].Seq {
				st.Quiet("chat.message", 500*time.Millisecond)
			} else if ev := st.Next("chat.message"); ev.ID != strconv.FormatInt(old[2].Seq+1, 10) {
				t.Fatalf("replayed chat.message id %s, want %d", ev.ID, old[2].Seq+1)
			}
			return snap, st.Close
		}
		snap, done := read(old[0].Seq)
		done()
		if !snap.Reset || snap.Seq != old[2].Seq+1 {
			t.Fatalf("resume from %d (compacted): snapshot %+v, want reset at %d", old[0].Seq, snap, old[2].Seq+1)
		}
		snap, done = read(old[2].Seq)
		done()
		if snap.Reset {
			t.Fatalf("resume from %d (all after it kept): snapshot %+v, want no reset", old[2].Seq, snap)
		}
	})
}
