package agent

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync/atomic"
	"time"

	"github.com/google/uuid"
	"github.com/pion/interceptor"
	"github.com/pion/rtp"
	"github.com/pion/webrtc/v4"

	"github.com/liveserver/liveserver/internal/domain"
	"github.com/liveserver/liveserver/internal/ogg"
)

// rtpReader is where a track's packets come from (*webrtc.TrackRemote).
type rtpReader interface {
	ReadRTP() (*rtp.Packet, interceptor.Attributes, error)
}

var _ rtpReader = (*webrtc.TrackRemote)(nil)

// reopenAfter is the wait before a failed STT stream is opened again.
const reopenAfter = 2 * time.Second

// trackPipeline transcribes one microphone track: RTP → Ogg/Opus → STT stream → captions in
// the room and final segments in the database.
type trackPipeline struct {
	s        *roomSession
	remote   rtpReader
	trackSID string
	identity string
	name     string
	log      *slog.Logger
	streams  int // STT streams opened so far
	// budget keeps the track's audio at real time across all its streams.
	budget *audioBudget
}

// run reads the track until it ends. A stream that fails for good (the provider is down) is
// replaced by a new one after a pause; the audio in between is not transcribed. After a jump
// of the track's clock (a microphone unmuted) a new stream starts at once, so that times keep
// following the clock.
func (t *trackPipeline) run() {
	t.log = t.s.a.d.Log.With("room", t.s.room.ID, "participant", t.identity, "track", t.trackSID)
	t.log.Info("transcribing track")
	t.budget = newAudioBudget(t.s.a.o.Now)
	defer func() {
		if t.budget.dropped > 0 {
			t.log.Warn("audio beyond real time was not transcribed", "dropped", ogg.SampleDuration(t.budget.dropped))
		}
	}()
	var carry *heldPacket
	for {
		more, next := t.stream(carry)
		if !more {
			return
		}
		if carry = next; carry != nil {
			continue
		}
		select {
		case <-t.s.ctx.Done():
			return
		case <-time.After(reopenAfter):
		}
	}
}

// stream runs one STT stream, starting with carry when it is set. It reports whether the track
// goes on (the stream failed, or the clock jumped: then next is the packet to start with).
func (t *trackPipeline) stream(carry *heldPacket) (more bool, next *heldPacket) {
	a := t.s.a
	st, err := a.d.STT.Open(t.s.ctx, domain.STTOptions{Language: a.o.Language})
	if err != nil {
		t.log.Warn("open speech-to-text stream", "err", err)
		return t.s.ctx.Err() == nil, nil
	}
	var zero atomic.Int64 // unix ms of the stream's time zero: when its first audio arrived
	t.streams++
	prefix := fmt.Sprintf("%s-%s-%d", t.trackSID, a.o.ID, t.streams)
	done := make(chan struct{})
	go func() {
		defer close(done)
		t.results(st, &zero, prefix)
	}()

	aw, err := newAudioWriter(sttWriter{st})
	if err == nil {
		aw.budget = t.budget
	}
	if err == nil && carry != nil {
		zero.Store(time.Now().UnixMilli())
		err = aw.Start(carry)
	}
	more = true // unless the track ends
	for err == nil {
		select {
		case <-done: // the stream failed for good
			err = st.Err()
			if err == nil {
				err = fmt.Errorf("results ended early")
			}
			continue
		default:
		}
		pkt, _, rerr := t.remote.ReadRTP()
		if rerr != nil {
			more = false // the track ended: unpublished, left, or the assistant leaves
			break
		}
		arrived := time.Now()
		var wrote bool
		if wrote, err = aw.Push(pkt); wrote && zero.Load() == 0 {
			zero.Store(arrived.UnixMilli())
		}
	}
	switch {
	case errors.Is(err, errClockJump):
		next = aw.Held()
		t.log.Info("the track's clock jumped (a microphone unmuted?): a new stream starts")
	case err != nil:
		t.log.Warn("speech-to-text stream failed", "err", err)
	default:
		if _, ferr := aw.Flush(); ferr != nil {
			t.log.Warn("flush audio", "err", ferr)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), a.o.FlushTimeout)
	defer cancel()
	if cerr := st.Close(ctx); cerr != nil && (err == nil || next != nil) {
		t.log.Warn("close speech-to-text stream", "err", cerr)
	}
	<-done
	return more && t.s.ctx.Err() == nil, next
}

// results turns the stream's results into captions and stored segments. Interim results of a
// piece and its final one share a segment id, unique in the room: prefix (the track, this
// process, the stream's number) and the piece's number.
func (t *trackPipeline) results(st domain.STTStream, zero *atomic.Int64, prefix string) {
	a := t.s.a
	seg := 0
	shown := false // an interim caption of the current piece is on screen
	for r := range st.Results() {
		text := strings.TrimSpace(r.Text)
		base := zero.Load()
		if base == 0 {
			base = a.o.Now().UnixMilli()
		}
		id := fmt.Sprintf("%s-%d", prefix, seg)
		final := r.Final
		if final {
			seg++
		}
		if text == "" && !(final && shown) {
			continue
		}
		shown = !final
		t.caption(Caption{SegmentID: id, SpeakerIdentity: t.identity, TrackID: t.trackSID, Text: text, Final: final})
		if final && text != "" {
			offset := base - t.s.started.UnixMilli()
			lang := r.Language
			if lang == "" {
				lang = a.o.Language
			}
			t.store(domain.TranscriptSegment{ID: uuid.NewString(), RoomID: t.s.room.ID, LectureID: t.s.room.LectureID, SegmentID: id,
				SpeakerIdentity: t.identity, SpeakerName: t.name, TrackID: t.trackSID,
				StartMs: max(0, offset+r.StartMs), EndMs: max(0, offset+r.EndMs), Text: text, Language: lang, CreatedAt: a.o.Now()})
		}
	}
}

func (t *trackPipeline) caption(c Caption) {
	pub := t.s.publisher()
	if pub == nil || t.s.ended() {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := pub.Publish(ctx, c); err != nil {
		t.log.Warn("publish caption", "err", err)
	}
}

// store keeps a final segment, retrying a failing database a few times: the caption was
// shown, the transcript must have it too.
func (t *trackPipeline) store(seg domain.TranscriptSegment) {
	wait := 200 * time.Millisecond
	for try := 1; ; try++ {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		_, err := t.s.a.d.Store.AppendTranscript(ctx, seg)
		cancel()
		if err == nil {
			return
		}
		if try == 5 || domain.ErrorCode(err) == domain.ENotFound {
			t.log.Error("store transcript segment", "segment", seg.SegmentID, "err", err)
			return
		}
		time.Sleep(wait)
		wait *= 2
	}
}

// sttWriter hands the Ogg writer's pages to the stream.
type sttWriter struct{ st domain.STTStream }

func (w sttWriter) Write(p []byte) (int, error) {
	if err := w.st.Write(p); err != nil {
		return 0, err
	}
	return len(p), nil
}
