package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/liveserver/liveserver/internal/classroom"
	"github.com/liveserver/liveserver/internal/domain"
)

// Event streams (DESIGN §5): one Server-Sent Events stream per client and room, carrying typed
// events with the room's sequence number as id. A stream subscribes to the bus first, then
// reads what it missed from the database, then plays live events, dropping ids it already
// sent: nothing is lost between the two. A client that falls behind is cut off and resumes
// with Last-Event-ID.

const (
	// sseWriteTimeout bounds one write: a client that stops reading does not hold a stream.
	sseWriteTimeout = 10 * time.Second
	// backlogPage is how many missed events one database read returns.
	backlogPage = 500
)

// errStreamDone ends a stream after an event that closes it (the guest was removed, the
// waiting guest's request was decided).
var errStreamDone = errors.New("stream done")

func (s *Server) roomEvents(w http.ResponseWriter, r *http.Request) error {
	actor, err := s.actor(r)
	if err != nil {
		return err
	}
	v, _, err := s.svc.RoomViewer(r.Context(), actor, r.PathValue("roomId"))
	if err != nil {
		return err
	}
	return s.stream(w, r, v)
}

func (s *Server) lobbyStream(w http.ResponseWriter, r *http.Request) error {
	actor, err := s.actor(r)
	if err != nil {
		return err
	}
	v, _, err := s.svc.LobbyViewer(r.Context(), actor, r.PathValue("roomId"))
	if err != nil {
		return err
	}
	return s.stream(w, r, v)
}

// sseWriter writes events to one client, each flushed at once and bounded in time.
type sseWriter struct {
	w  http.ResponseWriter
	rc *http.ResponseController
}

func (sw *sseWriter) write(chunk string) error {
	sw.rc.SetWriteDeadline(time.Now().Add(sseWriteTimeout))
	if _, err := fmt.Fprint(sw.w, chunk); err != nil {
		return err
	}
	return sw.rc.Flush()
}

func (sw *sseWriter) event(id int64, typ string, data []byte) error {
	idLine := ""
	if id > 0 {
		idLine = "id: " + strconv.FormatInt(id, 10) + "\n"
	}
	return sw.write(idLine + "event: " + typ + "\ndata: " + string(data) + "\n\n")
}

func (s *Server) stream(w http.ResponseWriter, r *http.Request, v *classroom.Viewer) error {
	if s.bus == nil {
		return domain.Errorf(domain.EUnavailable, "Live updates are not available.")
	}
	ctx := r.Context()
	sub, err := s.bus.Subscribe(ctx, classroom.Topic(v.RoomID))
	if err != nil {
		return domain.Errorf(domain.EUnavailable, "Live updates are not available right now.")
	}
	defer sub.Close()
	snap, err := s.svc.Snapshot(ctx, v)
	if err != nil {
		return err
	}
	last := snap.Seq
	if id, ok := lastEventID(r); ok && id <= snap.Seq {
		last = id
	}

	if v.Waiting && snap.Entry != nil && snap.Entry.Status != string(domain.LobbyPending) {
		// Decided before the guest listened (or a reconnect after the decision): 204 tells
		// EventSource to stop reconnecting; the lobby list or a join says how it was decided.
		w.WriteHeader(http.StatusNoContent)
		return nil
	}
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no") // proxies must not buffer the stream
	w.WriteHeader(http.StatusOK)
	sw := &sseWriter{w: w, rc: http.NewResponseController(w)}
	if s.metrics != nil {
		s.metrics.StreamOpened()
		defer s.metrics.StreamClosed()
	}
	snapJSON, _ := json.Marshal(snap)
	if err := sw.write("retry: 2000\n\n"); err != nil {
		return nil
	}
	if err := sw.event(0, "snapshot", snapJSON); err != nil {
		return nil
	}

	send := func(e *domain.Event) error {
		if e.Seq <= last {
			return nil
		}
		last = e.Seq
		if !v.Sees(e) {
			return nil
		}
		if err := sw.event(e.Seq, e.Type, e.Payload); err != nil {
			return err
		}
		if s.metrics != nil {
			s.metrics.Delivered()
		}
		if v.Ends(e) {
			return errStreamDone
		}
		return nil
	}
	catchUp := func() error {
		for {
			evs, err := s.svc.EventsAfter(ctx, v.RoomID, last, backlogPage)
			if err != nil {
				return err
			}
			for i := range evs {
				if err := send(&evs[i]); err != nil {
					return err
				}
			}
			if len(evs) < backlogPage {
				return nil
			}
		}
	}
	if err := catchUp(); err != nil {
		return s.endStream(ctx, err)
	}
	beat := time.NewTicker(s.beat)
	defer beat.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-beat.C:
			if err := sw.write(": ping\n\n"); err != nil {
				return nil
			}
		case msg, ok := <-sub.C():
			if !ok {
				// Cut off as too slow, or the bus closed: the client reconnects and resumes.
				if err := sub.Err(); err != nil {
					s.log.InfoContext(ctx, "event stream cut off", "room", v.RoomID, "err", err)
				}
				return nil
			}
			var e domain.Event
			if msg == nil || json.Unmarshal(msg, &e) != nil || e.Seq > last+1 {
				// A gap (the bus lost messages, or they arrived out of order): the database has them.
				err = catchUp()
			} else {
				err = send(&e)
			}
			if err != nil {
				return s.endStream(ctx, err)
			}
		}
	}
}

// endStream turns the reason a stream stopped into the handler's result: the response has
// started, so errors can only be logged.
func (s *Server) endStream(ctx context.Context, err error) error {
	if !errors.Is(err, errStreamDone) && ctx.Err() == nil {
		s.log.WarnContext(ctx, "event stream ended", "err", err)
	}
	return nil
}

// lastEventID reads the id a reconnecting EventSource sends (or ?lastEventId= for clients that
// cannot set headers).
func lastEventID(r *http.Request) (int64, bool) {
	v := r.Header.Get("Last-Event-ID")
	if v == "" {
		v = r.URL.Query().Get("lastEventId")
	}
	if v == "" {
		return 0, false
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 0 {
		return 0, false
	}
	return n, true
}
