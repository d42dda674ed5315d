package classroom

import (
	"context"
	"encoding/json"
	"time"

	"github.com/liveserver/liveserver/internal/domain"
)

// Viewer is who follows a room's event stream, and what they may see.
type Viewer struct {
	RoomID   string
	Identity string
	Name     string // shown with what the viewer says or shares (empty for a waiting guest)
	IsHost   bool   // the owner or an admin: sees the lobby queue
	// Waiting is a guest in the lobby: sees only its own decision and the room's state.
	Waiting bool
}

// Sees reports whether the viewer may receive e.
func (v Viewer) Sees(e *domain.Event) bool {
	if v.Waiting {
		return e.Audience == domain.AudienceOf(v.Identity) || e.Type == EvRoomState
	}
	return e.For(v.Identity, v.IsHost)
}

// Ends reports whether e closes the viewer's stream: a guest removed from the room, or a
// waiting guest whose request was decided.
func (v Viewer) Ends(e *domain.Event) bool {
	if e.Audience != domain.AudienceOf(v.Identity) {
		return false
	}
	return e.Type == EvRemoved || (v.Waiting && e.Type == EvLobbyDecision)
}

// RoomViewer checks that the actor may follow the room's events: the owner or an admin, or a
// guest whose admission holds.
func (s *Service) RoomViewer(ctx context.Context, actor domain.Actor, roomID string) (*Viewer, *domain.Room, error) {
	if !validID(roomID) {
		return nil, nil, domain.Errorf(domain.ENotFound, "Room not found.")
	}
	r, err := s.store.Room(ctx, roomID)
	if err != nil {
		return nil, nil, err
	}
	if actor.CanManage(r) {
		return &Viewer{RoomID: r.ID, Identity: actor.User.ID, Name: actor.User.Name, IsHost: true}, r, nil
	}
	a, err := s.activeGuest(ctx, s.store, r, actor.GuestSession)
	if err != nil {
		return nil, nil, err
	}
	return &Viewer{RoomID: r.ID, Identity: a.Identity, Name: a.Name}, r, nil
}

// LobbyViewer checks that the actor is a guest who knocked at this room; it returns the guest's
// latest entry too.
func (s *Service) LobbyViewer(ctx context.Context, actor domain.Actor, roomID string) (*Viewer, *domain.LobbyEntry, error) {
	if !validID(roomID) || actor.GuestSession == "" {
		return nil, nil, domain.Errorf(domain.ENotFound, "You have not asked to join this room.")
	}
	r, err := s.store.Room(ctx, roomID)
	if err != nil {
		return nil, nil, err
	}
	e, err := s.store.LatestLobbyEntry(ctx, r.LectureID, actor.GuestSession)
	if domain.ErrorCode(err) == domain.ENotFound {
		return nil, nil, domain.Errorf(domain.ENotFound, "You have not asked to join this room.")
	}
	if err != nil {
		return nil, nil, err
	}
	return &Viewer{RoomID: roomID, Identity: e.SessionID, Waiting: true}, e, nil
}

// Snapshot is the state a stream starts with, before its events.
type Snapshot struct {
	// Identity is the viewer's own identity in the room (for a guest, its sessionId).
	Identity string           `json:"identity"`
	Room     RoomStateView    `json:"room"`
	Hands    []HandView       `json:"hands"`
	Lobby    []LobbyEntryView `json:"lobby,omitempty"` // the host's queue
	Entry    *LobbyEntryView  `json:"entry,omitempty"` // a waiting guest's own request
	// Seq is the last event included in this state; the stream continues after it.
	Seq int64 `json:"seq"`
	// Reset says that the events after the client's Last-Event-ID are no longer kept (older
	// than the log's retention) and were not replayed: this state replaces them, and what it
	// does not hold (chat, files) is to be read again.
	Reset bool `json:"reset,omitempty"`
}

// EvSnapshot is the type of the snapshot's frame: the stream's opening, and later a fresh
// state (Reset) where the log no longer holds what the stream was to replay.
const EvSnapshot = "snapshot"

// Frame is the snapshot's Server-Sent Events frame, without id (it is no event of the log).
func (snap *Snapshot) Frame() []byte {
	data, _ := json.Marshal(snap)
	b := make([]byte, 0, len(data)+32)
	b = append(append(append(b, "event: "+EvSnapshot+"\ndata: "...), data...), "\n\n"...)
	return b
}

// Snapshot reads the room's current state as the viewer may see it.
func (s *Service) Snapshot(ctx context.Context, v *Viewer) (*Snapshot, error) {
	r, err := s.store.Room(ctx, v.RoomID)
	if err != nil {
		return nil, err
	}
	// The counter is read with (before) the state: events after it may already show in the
	// state, and clients apply events idempotently; none is missed.
	snap := &Snapshot{Identity: v.Identity, Room: roomState(r), Hands: []HandView{}, Seq: r.LastEventSeq}
	if v.Waiting {
		e, err := s.store.LatestLobbyEntry(ctx, r.LectureID, v.Identity)
		if err != nil {
			return nil, err
		}
		ev := LobbyView(e)
		snap.Entry = &ev
		if r.Status == domain.RoomEnded {
			// The guest waits for the room's next lecture, which has not started (the room's
			// status is its last lecture's).
			snap.Room.Status = string(domain.RoomCreated)
		}
		return snap, nil
	}
	hands, err := s.store.Hands(ctx, r.ID)
	if err != nil {
		return nil, err
	}
	for _, h := range hands {
		snap.Hands = append(snap.Hands, HandView{Identity: h.Identity, Name: h.Name, Raised: true, RaisedAt: h.RaisedAt.Format(timeFormat)})
	}
	if v.IsHost {
		pending, err := s.store.LobbyEntries(ctx, r.LectureID, domain.LobbyPending)
		if err != nil {
			return nil, err
		}
		for i := range pending {
			snap.Lobby = append(snap.Lobby, LobbyView(&pending[i]))
		}
	}
	return snap, nil
}

// handsPerMinute bounds one participant's raising and lowering of its hand.
const handsPerMinute = 20

// RaiseHand raises or lowers the actor's own hand.
func (s *Service) RaiseHand(ctx context.Context, actor domain.Actor, roomID string, raised bool) error {
	v, r, err := s.RoomViewer(ctx, actor, roomID)
	if err != nil {
		return err
	}
	if r.Status == domain.RoomEnded {
		return domain.Errorf(domain.ERoomEnded, "This lecture has ended.")
	}
	// Each change beeps at the host and shows everyone: a hand going up and down in a loop is
	// a flood.
	if err := s.limit(ctx, "hand:"+r.ID+":"+v.Identity, handsPerMinute, time.Minute); err != nil {
		return err
	}
	return s.inTx(ctx, func(st domain.Store, out *outbox) error {
		h := domain.HandRaise{RoomID: r.ID, Identity: v.Identity, Name: v.Name, RaisedAt: s.now()}
		var changed bool
		var err error
		if raised {
			changed, err = st.RaiseHand(ctx, h)
		} else {
			changed, err = st.LowerHand(ctx, r.ID, v.Identity)
		}
		if err != nil || !changed {
			return err // already so: nothing to tell
		}
		view := HandView{Identity: v.Identity, Name: v.Name, Raised: raised}
		if raised {
			view.RaisedAt = h.RaisedAt.Format(timeFormat)
		}
		return out.add(ctx, st, r.ID, EvHand, domain.AudienceAll, view)
	})
}

// timeFormat is RFC 3339 with microseconds, as the JSON of time.Time has it.
const timeFormat = "2006-01-02T15:04:05.999999Z07:00"

// EventsAfter reads the room's events after seq, for a stream that has checked its viewer.
func (s *Service) EventsAfter(ctx context.Context, roomID string, after int64, limit int) ([]domain.Event, error) {
	return s.store.EventsAfter(ctx, roomID, after, limit)
}
