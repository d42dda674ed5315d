package agent

import (
	"bytes"
	"testing"

	"github.com/pion/rtp"

	"github.com/liveserver/liveserver/internal/ogg"
	"github.com/liveserver/liveserver/internal/ogg/oggtest"
)

// opusPackets takes the audio packets out of a whole Ogg/Opus stream.
func opusPackets(t testing.TB, data []byte) [][]byte {
	t.Helper()
	var out [][]byte
	var cur []byte
	for i, p := range oggtest.Pages(t, data) {
		if i < 2 {
			continue
		}
		payload, off := p.Payload(), 0
		sizes := p.PacketSizes()
		for j, n := range sizes {
			cur = append(cur, payload[off:off+n]...)
			off += n
			if j < len(sizes)-1 || p.EndsPacket() {
				out = append(out, cur)
				cur = nil
			}
		}
	}
	return out
}

// rtpOf makes the RTP packets a browser would send for the packets, from timestamp base.
func rtpOf(pkts [][]byte, base uint32) []*rtp.Packet {
	out := make([]*rtp.Packet, len(pkts))
	ts := base
	for i, p := range pkts {
		out[i] = &rtp.Packet{Header: rtp.Header{Version: 2, PayloadType: 111, SequenceNumber: uint16(60000 + i), Timestamp: ts, SSRC: 7}, Payload: p}
		ts += uint32(ogg.PacketSamples(p))
	}
	return out
}

// Packets out of order, and a second of them never sent (as a quiet microphone with DTX
// does), still make one valid stream of the original length, with the gap as empty packets.
func TestAudioWriterKeepsTheClock(t *testing.T) {
	src := oggtest.Speech(t, "en", "One two three four five six seven.")
	info, err := ogg.Validate(src, true)
	if err != nil {
		t.Fatal(err)
	}
	pkts := rtpOf(opusPackets(t, src), 4_294_000_000) // the RTP clock wraps inside the stream
	if len(pkts) < 100 {
		t.Fatalf("only %d packets of speech", len(pkts))
	}
	var sent []*rtp.Packet
	for i, p := range pkts {
		if i >= 40 && i < 90 { // one second not sent
			continue
		}
		sent = append(sent, p)
	}
	sent[10], sent[11] = sent[11], sent[10]
	sent[20], sent[23] = sent[23], sent[20]

	var out bytes.Buffer
	a, err := newAudioWriter(&out)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range sent {
		if _, err := a.Push(p); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := a.Flush(); err != nil {
		t.Fatal(err)
	}
	got, err := ogg.Validate(out.Bytes(), false)
	if err != nil {
		t.Fatalf("the written stream is not valid Ogg/Opus: %v", err)
	}
	if want := int64(len(pkts)) * 960; got.Samples != want {
		t.Fatalf("%d samples written, want %d (%v of speech)", got.Samples, want, info.Duration())
	}
	if a.filled != 50*960 {
		t.Fatalf("%d samples of silence written back, want %d", a.filled, 50*960)
	}
	quiet := 0
	for _, n := range got.Packets {
		if n == 1 {
			quiet++
		}
	}
	if quiet < 50 {
		t.Fatalf("%d one-byte packets, want the 50 of the gap", quiet)
	}
	oggtest.Decode(t, out.Bytes()) // opusdec plays it
}

// discardSTT is an STT stream that takes pages and answers nothing.
type discardSTT struct{ n int }

func (d *discardSTT) Write(p []byte) error { d.n += len(p); return nil }

// The audio path's own cost per RTP packet (20 ms of one speaker): reordering, the Ogg page,
// handing it to the STT stream. The sample builder also holds each packet until the next one
// arrives: one packet (20 ms) of delay by design.
func BenchmarkAudioPath(b *testing.B) {
	src := oggtest.Speech(b, "ru", "Добрый день. Сегодня мы говорим о законах Ньютона.")
	pkts := rtpOf(opusPackets(b, src), 1000)
	var sink discardSTT
	a, err := newAudioWriter(writerFunc(sink.Write))
	if err != nil {
		b.Fatal(err)
	}
	seq, ts := uint16(0), uint32(0)
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		p := *pkts[i%len(pkts)]
		p.SequenceNumber, p.Timestamp = seq, ts
		seq++
		ts += 960
		if _, err := a.Push(&p); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)*50/1e6, "cpu-ms/s-of-audio")
}

type writerFunc func([]byte) error

func (f writerFunc) Write(p []byte) (int, error) {
	if err := f(p); err != nil {
		return 0, err
	}
	return len(p), nil
}
