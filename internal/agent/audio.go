package agent

import (
	"errors"
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

// maxFill is the longest gap written back in as silence (DTX pauses and lost packets are far
// shorter). A longer jump of the RTP clock is a microphone that was muted or paused: filling it
// would send the STT provider minutes of silence at once (billed as audio), so the writer stops
// with errClockJump and the track starts a new stream at the packet after the jump.
const maxFill = 5 * ogg.SampleRate

// minStream is how much audio a stream carries before a clock jump may end it (one second).
const minStream = ogg.SampleRate

// errClockJump says the RTP clock jumped by more than maxFill; Held has the packet.
var errClockJump = errors.New("agent: the track's clock jumped")

// heldPacket is a packet not yet written.
type heldPacket struct {
	data []byte
	ts   uint32
}

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
	wrote  int64  // samples written in all (audio and silence)
	fresh  bool   // nothing written yet
	held   *heldPacket
	// budget keeps the audio at real time (nil: no limit, for tests of the clock alone).
	budget *audioBudget
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

// Held is the packet after a clock jump (see errClockJump), for the next stream to start with.
func (a *audioWriter) Held() *heldPacket { return a.held }

// Start writes the first packet of a stream that begins after a clock jump.
func (a *audioWriter) Start(p *heldPacket) error { return a.write(p.data, p.ts) }

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
			if errors.Is(err, errClockJump) {
				a.held = &heldPacket{data: append([]byte(nil), s.Data...), ts: s.PacketTimestamp}
			}
			return wrote, err
		}
		wrote = true
	}
	return wrote, nil
}

func (a *audioWriter) write(pkt []byte, ts uint32) error {
	if !a.fresh {
		// Fill the gap between where the stream is and where this packet belongs.
		gap := ts - a.next
		if int32(gap) > maxFill {
			if a.wrote >= minStream {
				return errClockJump
			}
			// Too soon after the last start: a publisher jumping on every packet must not open
			// a stream for each. The packet follows on without the silence.
			gap = 0
		}
		if int32(gap) > 0 && a.frame > 0 {
			for ; gap >= a.frame; gap -= a.frame {
				if !a.allow(int64(a.frame)) {
					break // beyond real time: the rest of the gap is left out
				}
				if err := a.w.WriteRTP(&rtp.Packet{Payload: []byte{a.toc}}); err != nil {
					return fmt.Errorf("agent: write silence: %w", err)
				}
				a.filled += int64(a.frame)
				a.wrote += int64(a.frame)
			}
		}
	}
	if n := ogg.PacketSamples(pkt); !a.allow(int64(n)) {
		// A publisher sending more audio than time passes (long frames sent fast): the packet
		// is left out, and the clock goes on as if it had been written.
		if !a.fresh {
			a.next = ts + uint32(n)
		}
		return nil
	}
	if err := a.w.WriteRTP(&rtp.Packet{Payload: pkt}); err != nil {
		return fmt.Errorf("agent: write opus packet: %w", err)
	}
	a.fresh = false
	a.wrote += int64(ogg.PacketSamples(pkt))
	a.toc = pkt[0] &^ 0x03
	a.frame = uint32(ogg.PacketSamples([]byte{a.toc}))
	a.next = ts + uint32(ogg.PacketSamples(pkt))
	return nil
}

// allow books n samples in the budget, if there is one.
func (a *audioWriter) allow(n int64) bool { return a.budget == nil || a.budget.take(n) }
