package httpapi

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/liveserver/liveserver/internal/classroom"
)

// Event streams (DESIGN §5): one Server-Sent Events stream per client and room. The rules
// (classroom.Stream) decide what the stream carries and when it ends, and hand each event as
// its frame; this file only writes the opening and the frames, beats while idle, bounds each write in time and keeps the number of streams per
// session and per address within limits.

// sseWriteTimeout bounds one write: a client that stops reading does not hold a stream.
const sseWriteTimeout = 10 * time.Second

func (s *Server) roomEvents(w http.ResponseWriter, r *http.Request) error {
	return s.stream(w, r, false)
}

func (s *Server) lobbyStream(w http.ResponseWriter, r *http.Request) error {
	return s.stream(w, r, true)
}

// sseWriter writes to one client, each chunk flushed at once and bounded in time.
type sseWriter struct {
	w  http.ResponseWriter
	rc *http.ResponseController
}

func (sw *sseWriter) write(chunk []byte) error {
	sw.rc.SetWriteDeadline(time.Now().Add(sseWriteTimeout))
	if _, err := sw.w.Write(chunk); err != nil {
		return err
	}
	return sw.rc.Flush()
}

var (
	sseRetry = []byte("retry: 2000\n\n")
	ssePing  = []byte(": ping\n\n")
)

func (s *Server) stream(w http.ResponseWriter, r *http.Request, lobby bool) error {
	actor, err := s.actor(r)
	if err != nil {
		return err
	}
	release, err := s.streams.acquire(s.streamSession(r), actor.IP)
	if err != nil {
		return err
	}
	defer release()
	ctx := r.Context()
	req := classroom.StreamRequest{RoomID: r.PathValue("roomId"), Lobby: lobby}
	req.LastEventID, req.HasLastEventID = lastEventID(r)
	st, err := openOffStack(func() (*classroom.Stream, error) { return s.svc.OpenStream(ctx, actor, req) })
	if err != nil {
		return err
	}
	defer st.Close()
	if st.Decided {
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
	// The server's read timeout does not cut the stream: net/http clears the read deadline
	// once a bodiless request is read (TestStreamOutlivesServerTimeouts); the rules end the
	// stream at the latest after its lifetime.
	sw := &sseWriter{w: w, rc: http.NewResponseController(w)}
	if s.metrics != nil {
		s.metrics.StreamOpened()
		defer s.metrics.StreamClosed()
	}
	opening := append(sseRetry[:len(sseRetry):len(sseRetry)], st.Snapshot.Frame()...)
	if sw.write(opening) != nil {
		return nil
	}
	beat := time.NewTicker(s.beat)
	defer beat.Stop()
	for {
		e, err := st.Next(ctx, beat.C)
		if err != nil {
			return s.endStream(ctx, st, err)
		}
		if e.Frame == nil {
			if sw.write(ssePing) != nil {
				return nil
			}
			continue
		}
		// The frame was built once for every stream of the room (classroom/frames.go).
		if sw.write(e.Frame) != nil {
			return nil
		}
		if s.metrics != nil {
			s.metrics.Delivered()
		}
	}
}

// openOffStack runs a stream's opening on a goroutine of its own. The opening reads the
// database, and the SQLite driver's calls run deep: on the stream's own goroutine they would
// grow its stack for the whole life of the stream, thousands of times over.
func openOffStack(open func() (*classroom.Stream, error)) (*classroom.Stream, error) {
	type result struct {
		st  *classroom.Stream
		err error
	}
	done := make(chan result, 1)
	go func() {
		st, err := open()
		done <- result{st, err}
	}()
	r := <-done
	return r.st, r.err
}

// endStream logs why a stream stopped where that is news: the response has started, so
// errors can only be logged.
func (s *Server) endStream(ctx context.Context, st *classroom.Stream, err error) error {
	switch {
	case ctx.Err() != nil, errors.Is(err, classroom.ErrStreamDone), errors.Is(err, classroom.ErrStreamExpired):
	case errors.Is(err, classroom.ErrStreamCutOff), errors.Is(err, classroom.ErrStreamRevoked):
		s.log.InfoContext(ctx, "event stream ended", "room", st.Viewer().RoomID, "why", err)
	default:
		s.log.WarnContext(ctx, "event stream ended", "room", st.Viewer().RoomID, "err", err)
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
	if strings.Trim(v, "0123456789") != "" { // digits only: no sign, no "-0"
		return 0, false
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 0 {
		return 0, false
	}
	return n, true
}
