package livekittest

import (
	"sync/atomic"
	"testing"
	"time"

	"github.com/livekit/protocol/livekit"
	lksdk "github.com/livekit/server-sdk-go/v2"
	"github.com/pion/webrtc/v4"
)

// Receiver is a bot that takes everything the call offers it: it subscribes to every track
// and counts the media packets and data packets that reach it.
type Receiver struct {
	Room *lksdk.Room
	// Gone receives the reason once the server disconnects the bot.
	Gone    chan lksdk.DisconnectionReason
	media   atomic.Int64
	data    atomic.Int64
	tracks  atomic.Int64
	started time.Time
	joined  time.Time // when the SDK counted itself connected; zero if it never did
}

// Media, Data and Tracks say how many RTP packets, data packets and subscribed tracks came.
func (r *Receiver) Media() int64  { return r.media.Load() }
func (r *Receiver) Data() int64   { return r.data.Load() }
func (r *Receiver) Tracks() int64 { return r.tracks.Load() }

// Receive connects a receiving bot with token. The error is the connection's: a server that
// sends the bot away before it counts itself connected makes it fail, with the receiver's
// counts still valid.
func Receive(t testing.TB, url, token string) (*Receiver, error) {
	t.Helper()
	RequireLoopbackOnly(t)
	r := &Receiver{Gone: make(chan lksdk.DisconnectionReason, 1), started: time.Now()}
	cb := lksdk.NewRoomCallback()
	cb.OnDisconnectedWithReason = func(reason lksdk.DisconnectionReason) {
		select {
		case r.Gone <- reason:
		default:
		}
	}
	cb.OnTrackSubscribed = func(track *webrtc.TrackRemote, _ *lksdk.RemoteTrackPublication, _ *lksdk.RemoteParticipant) {
		r.tracks.Add(1)
		go func() {
			for {
				if _, _, err := track.ReadRTP(); err != nil {
					return
				}
				r.media.Add(1)
			}
		}()
	}
	cb.OnDataPacket = func(lksdk.DataPacket, lksdk.DataReceiveParams) { r.data.Add(1) }
	room, err := lksdk.ConnectToRoomWithToken(url, token, cb, lksdk.WithAutoSubscribe(true))
	if err == nil {
		r.joined = time.Now()
	}
	if room != nil {
		r.Room = room
		t.Cleanup(room.Disconnect)
	}
	return r, err
}

// WaitRemoved waits until the server sends the bot away and says how long after the connect
// began that was, and how long after the SDK counted itself connected (zero when it never
// did: sent away before the connect finished, which counts as removed at the call).
func (r *Receiver) WaitRemoved(t testing.TB, within time.Duration) (sinceStart, sinceJoined time.Duration) {
	t.Helper()
	if r.Room == nil || r.joined.IsZero() {
		return time.Since(r.started), 0
	}
	select {
	case <-r.Gone:
		if got := r.Room.DisconnectReason(); got != livekit.DisconnectReason_PARTICIPANT_REMOVED {
			t.Errorf("disconnected with %v, want PARTICIPANT_REMOVED", got)
		}
		return time.Since(r.started), time.Since(r.joined)
	case <-time.After(within):
		t.Fatalf("still in the call %v after connecting", within)
		return 0, 0
	}
}

// Connected says whether the SDK counted itself connected.
func (r *Receiver) Connected() bool { return r.Room != nil && !r.joined.IsZero() }

// WaitGone waits until the server ends the bot's connection, however it does (a removal, the
// room deleted under it), and says why.
func (r *Receiver) WaitGone(t testing.TB, within time.Duration) livekit.DisconnectReason {
	t.Helper()
	if !r.Connected() {
		return livekit.DisconnectReason_UNKNOWN_REASON
	}
	select {
	case <-r.Gone:
		return r.Room.DisconnectReason()
	case <-time.After(within):
		t.Fatalf("still in the call %v after connecting", within)
		return 0
	}
}
