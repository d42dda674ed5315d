package agent

import (
	"context"
	"sync"
	"time"

	lkproto "github.com/livekit/protocol/livekit"
	lksdk "github.com/livekit/server-sdk-go/v2"
	"github.com/pion/webrtc/v4"

	"github.com/liveserver/liveserver/internal/domain"
	"github.com/liveserver/liveserver/internal/livekit"
)

// tokenTTL is how long the assistant's token may be used to join; LiveKit refreshes it while
// the assistant stays connected.
const tokenTTL = time.Hour

// roomSession is the assistant's presence in one room: its connection and its tracks.
type roomSession struct {
	a       *Agent
	room    *domain.Room
	started time.Time // the lecture's start, which transcript times count from

	ctx    context.Context // ends when the session leaves
	cancel context.CancelFunc
	tracks sync.WaitGroup
	gone   chan struct{} // closed when the connection ended (or never came)
	ran    chan struct{} // closed when run returned

	mu     sync.Mutex
	lk     *lksdk.Room
	pub    *CaptionPublisher
	follow map[string]bool // track SIDs being transcribed
	// speaking maps each participant to the one microphone track of theirs being
	// transcribed: a participant publishing several microphones is billed for one.
	speaking map[string]string
}

func newRoomSession(a *Agent, r *domain.Room) *roomSession {
	ctx, cancel := context.WithCancel(context.Background())
	started := a.o.Now()
	if r.StartedAt != nil {
		started = *r.StartedAt
	}
	return &roomSession{a: a, room: r, started: started, ctx: ctx, cancel: cancel, gone: make(chan struct{}), ran: make(chan struct{}), follow: map[string]bool{},
		speaking: map[string]string{}}
}

// run joins the room. A failed join ends the session; the next reconcile tries again.
func (s *roomSession) run() {
	defer close(s.ran)
	log := s.a.d.Log.With("room", s.room.ID, "lecture", s.room.LectureID, "call", s.room.Call())
	var once sync.Once
	markGone := func() { once.Do(func() { close(s.gone) }) }

	token, err := s.a.d.LiveKit.Token(livekit.TokenRequest{Room: s.room.Call(), Identity: "agent-" + s.a.o.ID, Name: s.a.o.Name,
		TTL: tokenTTL, CanSubscribe: true, CanPublishData: true, Hidden: true, Agent: true, Kind: livekit.KindAgent})
	if err != nil {
		log.Error("assistant token", "err", err)
		markGone()
		return
	}
	cb := lksdk.NewRoomCallback()
	cb.OnTrackPublished = func(pub *lksdk.RemoteTrackPublication, rp *lksdk.RemoteParticipant) { s.subscribe(pub, rp) }
	cb.OnTrackSubscribed = func(t *webrtc.TrackRemote, pub *lksdk.RemoteTrackPublication, rp *lksdk.RemoteParticipant) {
		s.startTrack(t, pub, rp)
	}
	cb.OnTrackUnpublished = func(pub *lksdk.RemoteTrackPublication, rp *lksdk.RemoteParticipant) {
		s.release(pub.SID(), rp.Identity())
	}
	cb.OnDisconnectedWithReason = func(r lksdk.DisconnectionReason) {
		log.Info("assistant left the room", "reason", string(r))
		markGone()
	}
	room, err := lksdk.ConnectToRoomWithToken(s.a.d.LiveKit.URL, token, cb, lksdk.WithAutoSubscribe(false))
	if err != nil {
		log.Warn("assistant could not join", "err", err)
		markGone()
		return
	}
	s.mu.Lock()
	s.lk, s.pub = room, NewCaptionPublisher(room)
	s.mu.Unlock()
	if s.ctx.Err() != nil { // left while joining
		room.Disconnect()
		markGone()
		return
	}
	log.Info("assistant joined the room", "agent", s.a.o.ID)
	if err := s.pub.Warm(s.ctx); err != nil {
		log.Warn("assistant data channel", "err", err)
	}
	// Tracks published before the join: OnTrackPublished may have fired for them before the
	// callbacks could see the room, so look again; subscribing twice does no harm.
	for _, rp := range room.GetRemoteParticipants() {
		for _, p := range rp.TrackPublications() {
			if pub, ok := p.(*lksdk.RemoteTrackPublication); ok {
				s.subscribe(pub, rp)
			}
		}
	}
}

// subscribe follows microphone tracks only; cameras and screens cost bandwidth for nothing.
func (s *roomSession) subscribe(pub *lksdk.RemoteTrackPublication, rp *lksdk.RemoteParticipant) {
	if pub.Kind() != lksdk.TrackKindAudio || pub.Source() != lkproto.TrackSource_MICROPHONE || pub.IsSubscribed() {
		return
	}
	s.mu.Lock()
	sid, busy := s.speaking[rp.Identity()]
	if !busy {
		s.speaking[rp.Identity()] = pub.SID() // reserved until it ends or never starts
	}
	s.mu.Unlock()
	if busy && sid != pub.SID() {
		return // one microphone per participant
	}
	if err := pub.SetSubscribed(true); err != nil {
		s.release(pub.SID(), rp.Identity())
		s.a.d.Log.Warn("subscribe to microphone", "room", s.room.ID, "participant", rp.Identity(), "track", pub.SID(), "err", err)
	}
}

// release frees the participant's microphone reservation if it is this track's and the track
// is not being transcribed (it went before it arrived).
func (s *roomSession) release(sid, identity string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.speaking[identity] == sid && !s.follow[sid] {
		delete(s.speaking, identity)
	}
}

func (s *roomSession) startTrack(t *webrtc.TrackRemote, pub *lksdk.RemoteTrackPublication, rp *lksdk.RemoteParticipant) {
	if t.Kind() != webrtc.RTPCodecTypeAudio || pub.Source() != lkproto.TrackSource_MICROPHONE {
		return
	}
	s.mu.Lock()
	if sid, busy := s.speaking[rp.Identity()]; s.follow[pub.SID()] || s.ctx.Err() != nil || (busy && sid != pub.SID()) {
		s.mu.Unlock()
		if busy && sid != pub.SID() {
			_ = pub.SetSubscribed(false)
		}
		return
	}
	s.speaking[rp.Identity()] = pub.SID()
	s.follow[pub.SID()] = true
	s.tracks.Add(1)
	s.mu.Unlock()
	tr := &trackPipeline{s: s, remote: t, trackSID: pub.SID(), identity: rp.Identity(), name: rp.Name()}
	go func() {
		defer s.tracks.Done()
		s.a.tracks.Add(1)
		defer s.a.tracks.Add(-1)
		tr.run()
		s.mu.Lock()
		delete(s.follow, pub.SID())
		if s.speaking[rp.Identity()] == pub.SID() {
			delete(s.speaking, rp.Identity())
		}
		s.mu.Unlock()
		// Another microphone of the same participant may be waiting its turn.
		if s.ctx.Err() == nil {
			for _, p := range rp.TrackPublications() {
				if other, ok := p.(*lksdk.RemoteTrackPublication); ok && other.SID() != pub.SID() {
					s.subscribe(other, rp)
				}
			}
		}
	}()
}

func (s *roomSession) publisher() *CaptionPublisher {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.pub
}

func (s *roomSession) connected() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.lk != nil && !s.ended()
}

func (s *roomSession) ended() bool {
	select {
	case <-s.gone:
		return true
	default:
		return false
	}
}

// leave disconnects and waits until every track has stored its last final results.
func (s *roomSession) leave() {
	s.cancel()
	<-s.ran
	s.mu.Lock()
	room := s.lk
	s.mu.Unlock()
	if room != nil {
		room.Disconnect() // ends every track's ReadRTP
	}
	s.tracks.Wait()
}
