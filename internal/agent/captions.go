// Package agent is LiveServer's AI assistant: the hidden participant of kind
// AGENT that captions a live room (DESIGN §3 "AI assistant", §7 "Audio and
// the agent").
package agent

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"time"
	"unicode/utf8"

	"github.com/livekit/protocol/livekit"
	lksdk "github.com/livekit/server-sdk-go/v2"
)

// Text stream conventions read by useTranscriptions in
// @livekit/components-react (and written by LiveKit's own agents).
const (
	TranscriptionTopic = "lk.transcription"
	AttrSegmentID      = "lk.segment_id"
	AttrTrackID        = "lk.transcribed_track_id"
	AttrFinal          = "lk.transcription_final"
)

// maxChunkSize is the most text bytes put in one stream chunk: the SDK's
// own limit (lksdk.STREAM_CHUNK_SIZE, 15 000 bytes), which keeps a packet
// well under the data channel's message size.
const maxChunkSize = lksdk.STREAM_CHUNK_SIZE

// Caption is one update of one speaker's caption segment. Interim updates
// and the final one of a segment share SegmentID, which must be unique in
// the room (the browser groups by it and ignores the sender).
type Caption struct {
	SegmentID       string
	SpeakerIdentity string // the participant who spoke; the caption is shown as theirs
	TrackID         string // SID of the microphone track that was transcribed
	Text            string // the whole segment so far, not a delta
	Final           bool
}

// CaptionPublisher sends captions into the room the agent is connected to.
//
// Why not LocalParticipant.SendText: the SDK's text stream writer waits for
// the data channel buffer to drain on every Write and Close (about 200 ms
// each on loopback), and it always sends as the agent itself, so a hidden
// agent's captions reach the browser with sender "". Instead each caption
// is one text stream whose header, chunk(s) and trailer are published as
// reliable data packets with participant_identity set to the speaker;
// LiveKit keeps that identity because the agent's token carries the Agent
// grant (kind AGENT). One stream per update, with lk.transcription_final in
// the header: the browser hook re-renders on chunks, not on the trailer.
type CaptionPublisher struct {
	room *lksdk.Room
}

// NewCaptionPublisher binds a publisher to the agent's connected room.
func NewCaptionPublisher(room *lksdk.Room) *CaptionPublisher {
	return &CaptionPublisher{room: room}
}

// Warm opens the agent's publishing connection now. The SDK sets it up
// lazily on the first data packet, which made the first caption about
// 0.7 s late on loopback; call Warm once after joining. It sends one empty
// user packet addressed to the agent itself, so nobody else sees it.
func (p *CaptionPublisher) Warm(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	self := p.room.LocalParticipant.Identity()
	err := p.room.LocalParticipant.PublishDataPacket(&lksdk.UserDataPacket{Topic: "lk.agent.warm"},
		lksdk.WithDataPublishReliable(true), lksdk.WithDataPublishDestination([]string{self}))
	if err != nil {
		return fmt.Errorf("agent: warm up data channel: %w", err)
	}
	return nil
}

// Publish sends c as one text stream on topic lk.transcription on behalf of
// c.SpeakerIdentity. It does not wait for delivery; the packets go out on
// the reliable (ordered) data channel. Safe for concurrent use: packets of
// concurrent streams may interleave, each stream's own stay in order.
func (p *CaptionPublisher) Publish(ctx context.Context, c Caption) error {
	switch {
	case c.SegmentID == "":
		return errors.New("agent: publish caption: segment id is empty")
	case c.SpeakerIdentity == "":
		return fmt.Errorf("agent: publish caption %s: speaker identity is empty", c.SegmentID)
	case !utf8.ValidString(c.Text):
		return fmt.Errorf("agent: publish caption %s: text is not valid UTF-8", c.SegmentID)
	}
	streamID, err := newStreamID()
	if err != nil {
		return fmt.Errorf("agent: publish caption %s: %w", c.SegmentID, err)
	}
	final := "false"
	if c.Final {
		final = "true"
	}
	total := uint64(len(c.Text))
	packets := []*livekit.DataPacket{{Value: &livekit.DataPacket_StreamHeader{StreamHeader: &livekit.DataStream_Header{
		StreamId:    streamID,
		Timestamp:   time.Now().UnixMilli(),
		Topic:       TranscriptionTopic,
		MimeType:    "text/plain",
		TotalLength: &total,
		Attributes: map[string]string{
			AttrSegmentID: c.SegmentID,
			AttrTrackID:   c.TrackID,
			AttrFinal:     final,
		},
		ContentHeader: &livekit.DataStream_Header_TextHeader{TextHeader: &livekit.DataStream_TextHeader{
			OperationType: livekit.DataStream_CREATE,
		}},
	}}}}
	for i, chunk := range splitUTF8(c.Text, maxChunkSize) {
		packets = append(packets, &livekit.DataPacket{Value: &livekit.DataPacket_StreamChunk{StreamChunk: &livekit.DataStream_Chunk{
			StreamId:   streamID,
			ChunkIndex: uint64(i),
			Content:    []byte(chunk),
		}}})
	}
	packets = append(packets, &livekit.DataPacket{Value: &livekit.DataPacket_StreamTrailer{StreamTrailer: &livekit.DataStream_Trailer{
		StreamId: streamID,
	}}})

	to := p.receivers()
	if len(to) == 0 {
		return nil // nobody may read it
	}
	for _, pkt := range packets {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("agent: publish caption %s: %w", c.SegmentID, err)
		}
		pkt.ParticipantIdentity = c.SpeakerIdentity
		if err := p.room.LocalParticipant.PublishDataPacket(onBehalf{pkt}, lksdk.WithDataPublishReliable(true),
			lksdk.WithDataPublishDestination(to)); err != nil {
			return fmt.Errorf("agent: publish caption %s for %s: %w", c.SegmentID, c.SpeakerIdentity, err)
		}
	}
	return nil
}

// receivers are the participants allowed to receive the call. LiveKit hands data packets to
// everyone connected, also to a guest that reconnected with a token it kept after a kick, and
// is in the call until our server removes it; such a guest has no right to receive (guest
// tokens carry none; our server grants it to admitted guests), so captions are addressed only
// to those who have it.
func (p *CaptionPublisher) receivers() []string {
	var to []string
	for _, rp := range p.room.GetRemoteParticipants() {
		if rp.Permissions().GetCanSubscribe() {
			to = append(to, rp.Identity())
		}
	}
	return to
}

// onBehalf hands a ready DataPacket to PublishDataPacket, which takes any
// value with a ToProto method.
type onBehalf struct{ pkt *livekit.DataPacket }

func (o onBehalf) ToProto() *livekit.DataPacket { return o.pkt }

// splitUTF8 cuts s into pieces of at most max bytes without splitting a
// character (s must be valid UTF-8). An empty s gives no pieces.
func splitUTF8(s string, max int) []string {
	var out []string
	for len(s) > max {
		k := max
		for k > 0 && !utf8.RuneStart(s[k]) {
			k--
		}
		out = append(out, s[:k])
		s = s[k:]
	}
	if s != "" {
		out = append(out, s)
	}
	return out
}

func newStreamID() (string, error) {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return "CAP_" + hex.EncodeToString(b), nil
}
