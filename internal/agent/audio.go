package agent

import (
	"fmt"
	"io"

	"github.com/pion/rtp"
	"github.com/pion/rtp/codecs"
	"github.com/pion/webrtc/v4/pkg/media/oggwriter"
	"github.com/pion/webrtc/v4/pkg/media/samplebuilder"

	"github.com/liveserver/liveserver/internal/ogg"
)

// reorderPackets is how many packets (20 ms each) the sample builder waits for a missing one
// before it gives up on it.
const reorderPackets = 10

// maxGap is the longest silence written back in; a longer jump of the RTP clock (a muted
// track that comes back, a new source) restarts the count instead.
const maxGap = 10 * 60 * ogg.SampleRate

// audioWriter turns one Opus track's RTP packets into an Ogg/Opus stream without decoding:
// pion's sample builder puts the packets back in order, and pion's oggwriter writes each Opus
// packet as a page.
//
// The oggwriter derives granule positions from packet durations, not from RTP timestamps, so
// every packet that never came would shorten the stream and pull the captions' times away
// from the clock. A browser microphone sends nothing while it is quiet (DTX), so the gaps are
// long. Each gap in the RTP clock is therefore filled with empty Opus packets (the TOC byte
// alone: a frame of length zero, which decoders play as silence), of the size the speaker's
// packets have. That silence is also where the OpenAI-compatible transcriber sees a pause.
type audioWriter struct {
	sb     *samplebuilder.SampleBuilder
	w      *oggwriter.OggWriter
	next   uint32 // RTP timestamp the next packet should have
	toc    byte   // the last packet's TOC byte, made code 0, for filler packets
	frame  uint32 // the last packet's duration in samples
	filled int64  // samples of silence written back in
	fresh  bool   // nothing written yet
}

// newAudioWriter writes the Ogg/Opus headers to out (48 kHz, 2 channels: what a subscribed
// WebRTC Opus track is).
func newAudioWriter(out io.Writer) (*audioWriter, error) {
	w, err := oggwriter.NewWith(out, ogg.SampleRate, 2)
	if err != nil {
		return nil, fmt.Errorf("agent: ogg writer: %w", err)
	}
	return &audioWriter{sb: samplebuilder.New(reorderPackets, &codecs.OpusPacket{}, ogg.SampleRate), w: w, fresh: true}, nil
}

// Push takes one RTP packet and writes every packet that is now in order. It reports whether
// anything was written.
func (a *audioWriter) Push(p *rtp.Packet) (bool, error) {
	a.sb.Push(p)
	return a.drain()
}

// Flush writes what the sample builder still holds (at the end of the track).
func (a *audioWriter) Flush() (bool, error) {
	a.sb.Flush()
	return a.drain()
}

func (a *audioWriter) drain() (bool, error) {
	wrote := false
	for s := a.sb.Pop(); s != nil; s = a.sb.Pop() {
		if len(s.Data) == 0 {
			continue
		}
		if err := a.write(s.Data, s.PacketTimestamp); err != nil {
			return wrote, err
		}
		wrote = true
	}
	return wrote, nil
}

func (a *audioWriter) write(pkt []byte, ts uint32) error {
	if !a.fresh {
		// Fill the gap between where the stream is and where this packet belongs.
		if gap := ts - a.next; int32(gap) > 0 && gap <= maxGap && a.frame > 0 {
			for ; gap >= a.frame; gap -= a.frame {
				if err := a.w.WriteRTP(&rtp.Packet{Payload: []byte{a.toc}}); err != nil {
					return fmt.Errorf("agent: write silence: %w", err)
				}
				a.filled += int64(a.frame)
			}
		}
	}
	if err := a.w.WriteRTP(&rtp.Packet{Payload: pkt}); err != nil {
		return fmt.Errorf("agent: write opus packet: %w", err)
	}
	a.fresh = false
	a.toc = pkt[0] &^ 0x03
	a.frame = uint32(ogg.PacketSamples([]byte{a.toc}))
	a.next = ts + uint32(ogg.PacketSamples(pkt))
	return nil
}
