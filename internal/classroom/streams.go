package classroom

import (
	"context"
	"errors"
	"time"

	"github.com/liveserver/liveserver/internal/domain"
)

// Event streams (DESIGN §5), without HTTP: a Stream is one viewer following one room. It
// subscribes to the bus first, then takes the snapshot, then checks the viewer's right once
// more, then plays what the viewer missed (after Last-Event-ID) and the live events, dropping
// ids it already passed. Nothing is lost between the two, and a right lost at any moment after
// the first check ends the stream: before the snapshot the second check refuses it, after it
// the event that took the right away reaches the stream (the guest's "removed", a change of
// the user's account on its user topic). Every stream also ends after a lifetime, so that the
// client comes back with Last-Event-ID and is authorised afresh.
//
// The log keeps only the events of the retention (retention.go), so what a resume asks for may
// be gone. Every page read from the database must continue the numbers without a hole, up to
// the last event the stream knows of; where it does not, the stream replays nothing of it and
// hands out a fresh snapshot marked Reset instead (at the opening, or as an event of its own
// later), then goes on after that snapshot: never a replay that silently skips events.

const (
	// DefaultStreamLifetime is how long a stream lasts before the client must reconnect.
	DefaultStreamLifetime = 30 * time.Minute
	// backlogPage is how many missed events one database read returns.
	backlogPage = 500
)

// Why a stream ended. ErrStreamDone is the natural end (the guest was removed, a waiting
// guest's request was decided); the others ask the client to reconnect (and be checked again).
var (
	ErrStreamDone    = errors.New("stream done")
	ErrStreamExpired = errors.New("stream lifetime reached")
	ErrStreamRevoked = errors.New("the viewer lost the right to this stream")
	ErrStreamCutOff  = errors.New("stream fell behind or the bus closed")
)

// UserTopic is the bus topic of changes to one account (disabled, role changed): the streams
// that account opened listen to it and check their right again.
func UserTopic(userID string) string { return "user:" + userID }

// WaitingTopic carries the room's events that every waiting guest sees (its state), and
// GuestTopic those for one identity: waiting guests' streams listen to these two instead of
// the room's whole topic, so a class knocking at once is not handed each other's knocks.
func WaitingTopic(roomID string) string { return "room:" + roomID + ":waiting" }

// GuestTopic is the topic of the room's events for one identity (see WaitingTopic).
func GuestTopic(roomID, identity string) string { return "room:" + roomID + ":to:" + identity }

// StreamRequest is what a client asks for: the room's events or a waiting guest's lobby
// stream, resumed after LastEventID when HasLastEventID.
type StreamRequest struct {
	RoomID         string
	Lobby          bool
	LastEventID    int64
	HasLastEventID bool
}

// Stream is one open event stream. Next hands out its events; Close releases it.
type Stream struct {
	s     *Service
	actor domain.Actor
	req   StreamRequest
	v     *Viewer

	// Snapshot is the state the stream starts with; its Seq is where the events continue.
	Snapshot *Snapshot
	// Decided is a waiting guest whose request was decided before it listened: there is
	// nothing to stream (the lobby list or a join tells the outcome).
	Decided bool

	// sub is the room's topic, or for a waiting guest the room's state (WaitingTopic), with
	// ownSub its own events (GuestTopic): a waiting guest is never handed the others' events.
	sub, ownSub domain.Subscription
	userSub     domain.Subscription // the signed-in viewer's account changes; nil for guests
	expire      *time.Timer
	frame       []byte // the frame of the last event read from the database

	last    int64          // the highest id passed (sent, or not for this viewer)
	want    int64          // the highest id known to be in the log: the backlog must reach it
	backlog []domain.Event // read from the database, not yet passed
	more    bool           // the last backlog page was full: read on
	end     error          // set once the stream has ended
}

// OpenStream checks the actor's right to the stream and opens it.
func (s *Service) OpenStream(ctx context.Context, actor domain.Actor, req StreamRequest) (*Stream, error) {
	v, err := s.streamViewer(ctx, actor, req)
	if err != nil {
		return nil, err
	}
	if s.bus == nil {
		return nil, domain.Errorf(domain.EUnavailable, "Live updates are not available.")
	}
	st := &Stream{s: s, actor: actor, req: req, v: v}
	if err := st.subscribe(ctx); err != nil {
		st.Close()
		return nil, domain.Errorf(domain.EUnavailable, "Live updates are not available right now.")
	}
	if st.Snapshot, err = s.Snapshot(ctx, v); err != nil {
		st.Close()
		return nil, err
	}
	// The right is checked again now that the stream listens and has its snapshot: whatever
	// took it away before this check is seen here, whatever after it comes as an event.
	if err := st.recheck(ctx); err != nil {
		st.Close()
		return nil, err
	}
	snap := st.Snapshot
	if v.Waiting && snap.Entry != nil && snap.Entry.Status != string(domain.LobbyPending) {
		st.Decided, st.end = true, ErrStreamDone
		return st, nil
	}
	st.last, st.want = snap.Seq, snap.Seq
	if req.HasLastEventID {
		if req.LastEventID <= snap.Seq {
			st.last = req.LastEventID
		} else {
			// An id this log never gave (a database restored from a backup): nothing to replay.
			snap.Reset = true
		}
	}
	st.more = st.last < snap.Seq
	if st.more {
		// The first page is read now: if the log no longer holds what the client missed, the
		// snapshot it is about to get says so, and nothing is replayed.
		if err := st.readBacklog(ctx); errors.Is(err, errCompacted) {
			st.last, st.backlog, st.more, snap.Reset = snap.Seq, nil, false, true
		} else if err != nil {
			st.Close()
			return nil, err
		}
	}
	st.expire = time.NewTimer(s.opts.StreamLifetime)
	return st, nil
}

// subscribe subscribes the stream to its topics.
func (st *Stream) subscribe(ctx context.Context) error {
	var err error
	bus, v := st.s.bus, st.v
	if v.Waiting {
		if st.sub, err = bus.Subscribe(ctx, WaitingTopic(v.RoomID)); err != nil {
			return err
		}
		if st.ownSub, err = bus.Subscribe(ctx, GuestTopic(v.RoomID, v.Identity)); err != nil {
			return err
		}
	} else if st.sub, err = bus.Subscribe(ctx, Topic(v.RoomID)); err != nil {
		return err
	}
	if st.actor.SignedIn() {
		st.userSub, err = bus.Subscribe(ctx, UserTopic(st.actor.User.ID))
	}
	return err
}

// streamViewer is who may follow the stream asked for, as the rules see them now.
func (s *Service) streamViewer(ctx context.Context, actor domain.Actor, req StreamRequest) (*Viewer, error) {
	if req.Lobby {
		v, _, err := s.LobbyViewer(ctx, actor, req.RoomID)
		return v, err
	}
	v, _, err := s.RoomViewer(ctx, actor, req.RoomID)
	return v, err
}

// recheck asks the rules again whether the stream's viewer may follow it: a signed-in
// viewer's account is read afresh (disabled, role), a guest's admission too.
func (st *Stream) recheck(ctx context.Context) error {
	actor := st.actor
	if actor.SignedIn() {
		u, err := st.s.store.UserByID(ctx, actor.User.ID)
		if err != nil {
			return err
		}
		if u.Disabled {
			return domain.Errorf(domain.EUnauthorized, "Please sign in.")
		}
		actor.User = u
	}
	v, err := st.s.streamViewer(ctx, actor, st.req)
	if err != nil {
		return err
	}
	if v.IsHost != st.v.IsHost || v.Identity != st.v.Identity || v.Waiting != st.v.Waiting {
		return domain.Errorf(domain.EForbidden, "You may no longer follow this room.")
	}
	return nil
}

// Viewer is who follows the stream.
func (st *Stream) Viewer() *Viewer { return st.v }

// Close ends the stream and releases its subscriptions; calling it again does nothing.
func (st *Stream) Close() {
	for _, sub := range []domain.Subscription{st.sub, st.ownSub, st.userSub} {
		if sub != nil {
			sub.Close()
		}
	}
	if st.expire != nil {
		st.expire.Stop()
	}
	if st.end == nil {
		st.end = ErrStreamDone
	}
}

// Next returns the next event the viewer may see, in order, each once. It waits until there
// is one, and returns an event without a frame when idle fires first (time for a heartbeat).
// A frame read from the database is valid until the next call. Once the stream has ended Next
// returns the reason: ErrStreamDone after an event that closes the stream (which Next returned
// before), ErrStreamExpired, ErrStreamRevoked, ErrStreamCutOff, or ctx's error.
func (st *Stream) Next(ctx context.Context, idle <-chan time.Time) (StreamEvent, error) {
	for {
		if st.end != nil {
			return StreamEvent{}, st.end
		}
		if len(st.backlog) == 0 && st.more {
			err := st.readBacklog(ctx)
			if errors.Is(err, errCompacted) {
				return st.resnapshot(ctx)
			}
			if err != nil {
				return StreamEvent{}, st.stop(err)
			}
		}
		if len(st.backlog) > 0 {
			e := &st.backlog[0]
			st.backlog = st.backlog[1:]
			typ := []byte(e.Type)
			if st.pass(e.Seq, []byte(e.Audience), typ) {
				st.frame = appendFrame(st.frame[:0], e)
				return StreamEvent{Seq: e.Seq, Frame: st.frame, typ: typ}, nil
			}
			continue
		}
		var userC, ownC <-chan []byte
		if st.userSub != nil {
			userC = st.userSub.C()
		}
		if st.ownSub != nil {
			ownC = st.ownSub.C()
		}
		var msg []byte
		var ok bool
		select {
		case <-ctx.Done():
			return StreamEvent{}, st.stop(ctx.Err())
		case <-idle:
			return StreamEvent{}, nil
		case <-st.expire.C:
			return StreamEvent{}, st.stop(ErrStreamExpired)
		case _, ok := <-userC:
			if !ok {
				return StreamEvent{}, st.stop(ErrStreamCutOff)
			}
			if err := st.recheck(ctx); err != nil {
				if ctx.Err() != nil {
					return StreamEvent{}, st.stop(ctx.Err())
				}
				return StreamEvent{}, st.stop(ErrStreamRevoked)
			}
			continue
		case msg, ok = <-ownC:
		case msg, ok = <-st.sub.C():
		}
		if !ok {
			// Cut off as too slow, or the bus closed: the client reconnects and resumes.
			return StreamEvent{}, st.stop(ErrStreamCutOff)
		}
		h, valid := parseBusMessage(msg)
		// A gap (the bus lost messages, or they arrived out of order): the database has them.
		// A waiting guest's topics carry only its own events and the room's state, so there a
		// jump in numbers is no gap.
		if msg == nil || !valid || (!st.v.Waiting && h.seq > st.last+1) {
			st.more = true
			if valid {
				st.want = max(st.want, h.seq)
			}
			continue
		}
		if st.pass(h.seq, h.audience, h.typ) {
			return StreamEvent{Seq: h.seq, Frame: h.frame, typ: h.typ}, nil
		}
	}
}

// pass moves the stream past event seq and reports whether the viewer is to be sent it; an
// event that closes the stream is sent, and the next call of Next ends it.
func (st *Stream) pass(seq int64, audience, typ []byte) bool {
	if seq <= st.last {
		return false
	}
	st.last = seq
	if !st.v.seesRaw(audience, typ) {
		return false
	}
	if st.v.endsRaw(audience, typ) {
		st.stop(ErrStreamDone)
	}
	return true
}

// errCompacted is a backlog page with a hole: the retention deleted events the stream has
// not passed yet.
var errCompacted = errors.New("the event log no longer holds the events asked for")

// readBacklog reads the next page of the log after the last id passed. The page must go on
// from there without a hole, and the last page must reach every id the stream knows to exist;
// otherwise the events are no longer kept (errCompacted).
func (st *Stream) readBacklog(ctx context.Context) error {
	evs, err := st.s.store.EventsAfter(ctx, st.v.RoomID, st.last, backlogPage)
	if err != nil {
		return err
	}
	for i := range evs {
		if evs[i].Seq != st.last+1+int64(i) {
			return errCompacted
		}
	}
	full := len(evs) == backlogPage
	if !full && st.last+int64(len(evs)) < st.want {
		return errCompacted
	}
	st.backlog, st.more = evs, full
	return nil
}

// resnapshot is the stream's answer to a hole found after its opening: a fresh snapshot,
// marked Reset, handed out as an event, and the stream goes on after it. A waiting guest whose
// request was decided meanwhile is sent away instead: its reconnect learns the decision.
func (st *Stream) resnapshot(ctx context.Context) (StreamEvent, error) {
	snap, err := st.s.Snapshot(ctx, st.v)
	if err != nil {
		return StreamEvent{}, st.stop(err)
	}
	if st.v.Waiting && snap.Entry != nil && snap.Entry.Status != string(domain.LobbyPending) {
		return StreamEvent{}, st.stop(ErrStreamCutOff)
	}
	snap.Reset = true
	st.Snapshot = snap
	st.last, st.want = max(st.last, snap.Seq), max(st.want, snap.Seq)
	st.backlog, st.more = nil, false
	return StreamEvent{Frame: snap.Frame(), typ: []byte(EvSnapshot)}, nil
}

// stop ends the stream with err (the first reason stays) and releases its subscriptions.
func (st *Stream) stop(err error) error {
	if st.end == nil {
		st.end = err
	}
	st.Close()
	return st.end
}

// publishUserChange tells the streams of an account that it changed, so they check again.
func (s *Service) publishUserChange(ctx context.Context, userID string) {
	if s.bus == nil {
		return
	}
	if err := s.bus.Publish(ctx, UserTopic(userID), []byte(`{"user":"`+userID+`"}`)); err != nil {
		s.log.WarnContext(ctx, "publish user change", "user", userID, "err", err)
	}
}
