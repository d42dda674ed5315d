package agent

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/liveserver/liveserver/internal/domain"
	"github.com/liveserver/liveserver/internal/livekit"
)

// Store is what the assistant reads and writes: the rooms, their transcripts and the leases
// that share the rooms between assistant processes.
type Store interface {
	Room(ctx context.Context, id string) (*domain.Room, error)
	Lecture(ctx context.Context, id string) (*domain.Lecture, error)
	AppendTranscript(ctx context.Context, s domain.TranscriptSegment) (bool, error)
	domain.AgentStore
}

// RoomLister lists the video server's rooms (domain.SFU has it).
type RoomLister interface {
	RoomNames(ctx context.Context) ([]string, error)
}

// Deps are the assistant's parts.
type Deps struct {
	Store   Store
	STT     domain.STT // never nil: with captions off the assistant does not run
	STTName string     // "deepgram", "openai": for the admin panel
	LiveKit livekit.Config
	Rooms   RoomLister
	Bus     domain.Bus // optional: hears rooms going live before the next reconcile
	Log     *slog.Logger
}

// Options tune the assistant; zero values take the defaults.
type Options struct {
	// ID names this process in leases and heartbeats; random when empty.
	ID string
	// Language is the lecture language asked of the STT provider ("ru", "en"); empty lets
	// the provider detect it where it can.
	Language string
	// Name is the assistant's display name in the call.
	Name string
	// Reconcile is how often the room list is compared with the video server's and leases
	// are renewed; 2 s when zero.
	Reconcile time.Duration
	// LeaseTTL is how long a room stays with a process that stopped renewing; 10 s when zero.
	// A room whose assistant died is taken over within LeaseTTL + Reconcile.
	LeaseTTL time.Duration
	// FlushTimeout bounds how long a track that ended waits for its last final results;
	// 10 s when zero.
	FlushTimeout time.Duration
	Now          func() time.Time
}

// Agent is the captioning assistant: it keeps one session in every live room it holds the
// lease of, and one STT stream for every microphone track in them.
type Agent struct {
	d Deps
	o Options

	started  time.Time
	tracks   atomic.Int64
	wake     chan struct{}
	lastList atomic.Int64 // unix ns of the last room list LiveKit answered
	lastBeat atomic.Int64 // unix ns of the last heartbeat the database took

	mu      sync.Mutex
	rooms   map[string]*roomSession // by lecture: the calls it is in or joining
	leaving map[string]bool         // lectures whose call is being left
	leaves  sync.WaitGroup
}

// New checks the parts and fills in the defaults.
func New(d Deps, o Options) (*Agent, error) {
	if d.Store == nil || d.STT == nil || d.Rooms == nil {
		return nil, errors.New("agent: store, STT and room lister are required")
	}
	if err := d.LiveKit.Validate(); err != nil {
		return nil, fmt.Errorf("agent: %w", err)
	}
	if d.Log == nil {
		d.Log = slog.New(slog.DiscardHandler)
	}
	if o.ID == "" {
		b := make([]byte, 6)
		if _, err := rand.Read(b); err != nil {
			return nil, fmt.Errorf("agent: id: %w", err)
		}
		o.ID = hex.EncodeToString(b)
	}
	if o.Name == "" {
		o.Name = "AI assistant"
	}
	if o.Reconcile <= 0 {
		o.Reconcile = 2 * time.Second
	}
	if o.LeaseTTL <= 0 {
		o.LeaseTTL = 10 * time.Second
	}
	if o.LeaseTTL < 2*o.Reconcile {
		return nil, fmt.Errorf("agent: lease TTL %v must be at least twice the reconcile interval %v", o.LeaseTTL, o.Reconcile)
	}
	if o.FlushTimeout <= 0 {
		o.FlushTimeout = 10 * time.Second
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return &Agent{d: d, o: o, wake: make(chan struct{}, 1), rooms: map[string]*roomSession{}, leaving: map[string]bool{}}, nil
}

// Tracks is how many microphone tracks are being transcribed now.
func (a *Agent) Tracks() int { return int(a.tracks.Load()) }

// Rooms is how many rooms the assistant is in now.
func (a *Agent) Rooms() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	n := 0
	for _, s := range a.rooms {
		if s.connected() {
			n++
		}
	}
	return n
}

// Run captions rooms until ctx ends, then leaves every room (each track's last final
// results are stored first) and gives its leases up.
func (a *Agent) Run(ctx context.Context) {
	a.started = a.o.Now()
	a.lastList.Store(a.started.UnixNano())
	a.lastBeat.Store(a.started.UnixNano())
	a.d.Log.InfoContext(ctx, "assistant started", "agent", a.o.ID, "stt", a.d.STTName)
	if a.d.Bus != nil {
		// Best effort: without the announcements rooms are still found by the reconcile.
		if sub, err := a.d.Bus.Subscribe(ctx, domain.TopicLiveRooms); err != nil {
			a.d.Log.WarnContext(ctx, "rooms going live are not announced to the assistant; it looks every reconcile", "err", err)
		} else {
			defer sub.Close()
			go func() {
				for range sub.C() {
					a.poke()
				}
			}()
		}
	}
	t := time.NewTicker(a.o.Reconcile)
	defer t.Stop()
	for {
		a.reconcile(ctx)
		select {
		case <-ctx.Done():
			a.leaveAll()
			a.d.Log.Info("assistant stopped", "agent", a.o.ID)
			return
		case <-t.C:
		case <-a.wake:
		}
	}
}

func (a *Agent) poke() {
	select {
	case a.wake <- struct{}{}:
	default:
	}
}

// listTimeout bounds one look at LiveKit's room list, so a hanging server does not hold up the
// renewal of the leases.
const listTimeout = 3 * time.Second

// reconcile compares the rooms the assistant is in with the video server's live rooms and our
// records: it joins live rooms it can lease, renews the leases it has, and leaves rooms that
// ended, vanished or were taken over.
func (a *Agent) reconcile(ctx context.Context) {
	if ctx.Err() != nil {
		return
	}
	lctx, cancel := context.WithTimeout(ctx, listTimeout)
	listed, err := a.d.Rooms.RoomNames(lctx)
	cancel()
	if err != nil {
		// The video server is down or restarting: keep the sessions, they reconnect or end
		// by themselves, and the leases are still renewed below.
		a.d.Log.WarnContext(ctx, "list video rooms", "err", err)
	} else {
		a.lastList.Store(a.o.Now().UnixNano())
	}
	live := map[string]bool{}
	for _, name := range listed {
		live[name] = true
	}
	a.mu.Lock()
	held := make(map[string]*roomSession, len(a.rooms))
	for id, s := range a.rooms {
		held[id] = s
	}
	a.mu.Unlock()

	now := a.o.Now()
	for id, s := range held {
		call := s.room.Call()
		room, status := a.lookup(ctx, call)
		if status == roomMoved {
			s = a.move(id, s, room)
		}
		// A room is left when it is over (the connection ended, LiveKit answered without it,
		// or our records say it ended) or another process took its lease. A database or a
		// LiveKit that does not answer keeps it: the lease decides once they answer again.
		over := status == roomOver || (status != roomMoved && (s.ended() || (err == nil && !live[call])))
		if over {
			a.drop(id, s)
			continue
		}
		if ok, err := a.claim(ctx, id, now); err == nil && !ok {
			a.drop(id, s) // another process has it now
		}
	}
	if err == nil {
		for _, name := range listed {
			lectureID, _, ours := domain.ParseCallName(name)
			if !ours || held[lectureID] != nil || a.isLeaving(lectureID) {
				continue
			}
			room, status := a.lookup(ctx, name)
			if status != roomLive {
				continue
			}
			if ok, err := a.claim(ctx, room.LectureID, now); !ok || err != nil {
				continue
			}
			s := newRoomSession(a, room)
			a.mu.Lock()
			a.rooms[room.LectureID] = s
			a.mu.Unlock()
			go s.run()
		}
	}
	a.beat(ctx, now)
}

type roomStatus int

const (
	roomLive    roomStatus = iota
	roomOver               // ended, or not one of ours
	roomUnknown            // the database did not answer
	roomMoved              // live, but its call moved to another video room (a ban)
)

// lookup reads our record of a video room, which is named by its lecture and call epoch
// (domain.CallName), and says whether that lecture is live (its room is, and it is the room's
// current lecture) with this call.
func (a *Agent) lookup(ctx context.Context, name string) (*domain.Room, roomStatus) {
	lectureID, epoch, ok := domain.ParseCallName(name)
	if !ok {
		return nil, roomOver
	}
	l, err := a.d.Store.Lecture(ctx, lectureID)
	var r *domain.Room
	if err == nil {
		r, err = a.d.Store.Room(ctx, l.RoomID)
	}
	switch {
	case domain.ErrorCode(err) == domain.ENotFound:
		return nil, roomOver
	case err != nil:
		a.d.Log.WarnContext(ctx, "read lecture", "lecture", name, "err", err)
		return nil, roomUnknown
	case r.Status != domain.RoomLive || r.LectureID != lectureID:
		return r, roomOver
	case r.CallEpoch != epoch:
		return r, roomMoved
	}
	return r, roomLive
}

// move follows a lecture whose call moved: a session in the new call under the same lease,
// while the old session leaves in the background (its tracks store their last results). The
// new call's tracks have new ids, so their caption segment ids do not meet the old ones.
func (a *Agent) move(lectureID string, old *roomSession, r *domain.Room) *roomSession {
	s := newRoomSession(a, r)
	a.mu.Lock()
	a.rooms[lectureID] = s
	a.mu.Unlock()
	a.d.Log.Info("assistant follows the call", "room", r.ID, "from", old.room.Call(), "to", r.Call())
	go s.run()
	a.leaves.Go(old.leave)
	return s
}

// claim takes or renews the room's lease; an error means the database did not answer.
func (a *Agent) claim(ctx context.Context, id string, now time.Time) (bool, error) {
	ok, err := a.d.Store.ClaimAgentRoom(ctx, id, a.o.ID, now, now.Add(a.o.LeaseTTL))
	if err != nil {
		a.d.Log.WarnContext(ctx, "claim room", "room", id, "err", err)
	}
	return ok, err
}

// drop takes the room off the list at once and leaves it in the background (its tracks may
// take a while to store their last results), then gives the lease up. Until then the room is
// not joined again, so the release cannot free a lease a new session holds.
func (a *Agent) drop(id string, s *roomSession) {
	a.mu.Lock()
	delete(a.rooms, id)
	a.leaving[id] = true
	a.mu.Unlock()
	a.leaves.Go(func() {
		s.leave()
		if err := a.d.Store.ReleaseAgentRoom(context.Background(), id, a.o.ID); err != nil {
			a.d.Log.Warn("release room", "room", id, "err", err)
		}
		a.mu.Lock()
		delete(a.leaving, id)
		a.mu.Unlock()
	})
}

func (a *Agent) isLeaving(id string) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.leaving[id]
}

// leaveAll leaves every room and waits until each has stored its last results.
func (a *Agent) leaveAll() {
	a.mu.Lock()
	rooms := make(map[string]*roomSession, len(a.rooms))
	for id, s := range a.rooms {
		rooms[id] = s
	}
	a.mu.Unlock()
	for id, s := range rooms {
		a.drop(id, s)
	}
	a.leaves.Wait()
}

func (a *Agent) beat(ctx context.Context, now time.Time) {
	w := domain.AgentWorker{ID: a.o.ID, STT: a.d.STTName, StartedAt: a.started, SeenAt: now, Rooms: a.Rooms(), Tracks: a.Tracks()}
	if err := a.d.Store.BeatAgent(ctx, w); err != nil {
		if ctx.Err() == nil {
			a.d.Log.WarnContext(ctx, "agent heartbeat", "err", err)
		}
		return
	}
	a.lastBeat.Store(now.UnixNano())
}

// Health says what keeps the assistant from working, or nil: a database that has not taken a
// heartbeat, or a LiveKit that has not answered, for a few reconciles.
func (a *Agent) Health() error {
	limit := 3*a.o.Reconcile + listTimeout
	now := a.o.Now()
	var errs []error
	if d := now.Sub(time.Unix(0, a.lastBeat.Load())); d > limit {
		errs = append(errs, fmt.Errorf("database: no heartbeat stored for %v", d.Round(time.Second)))
	}
	if d := now.Sub(time.Unix(0, a.lastList.Load())); d > limit {
		errs = append(errs, fmt.Errorf("LiveKit: no room list for %v", d.Round(time.Second)))
	}
	return errors.Join(errs...)
}
