// Package ogg reads and rewrites Ogg pages of an Ogg/Opus stream (RFC 3533, RFC 7845) without
// decoding any audio: enough to split written bytes into pages, know their granule positions,
// and cut a stream into standalone files (the headers plus some pages, granules rebased). A
// Clock follows a stream's time; a Replay keeps what a receiver that lost the stream needs to
// be sent again. Both STT clients (internal/deepgram and internal/openai) use them.
package ogg

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"time"
)

// SampleRate is the rate every Opus granule position counts in, whatever the input rate was.
const SampleRate = 48000

// Header type flags.
const (
	FlagContinued = 0x01 // the page starts with the rest of a packet from the previous page
	FlagBOS       = 0x02 // first page of the logical stream
	FlagEOS       = 0x04 // last page of the logical stream
)

const headerLen = 27

// ErrShort means the bytes end inside a page.
var ErrShort = errors.New("ogg: incomplete page")

// Page is one Ogg page. Raw is the whole page; the other fields are parsed from it.
type Page struct {
	Raw     []byte
	Type    byte
	Granule int64 // -1 when no packet ends on this page
	Serial  uint32
	Seq     uint32
	Lacing  []byte // the segment table
}

// Parse reads the page at the start of b and returns it with its length. It returns ErrShort
// when b holds only part of a page, and another error when b does not start with a valid page.
func Parse(b []byte) (Page, int, error) {
	if len(b) < headerLen {
		if !bytes.HasPrefix([]byte("OggS"), b[:min(len(b), 4)]) {
			return Page{}, 0, errors.New(`ogg: no "OggS" capture pattern`)
		}
		return Page{}, 0, ErrShort
	}
	if string(b[:4]) != "OggS" {
		return Page{}, 0, errors.New(`ogg: no "OggS" capture pattern`)
	}
	if b[4] != 0 {
		return Page{}, 0, fmt.Errorf("ogg: unknown version %d", b[4])
	}
	nseg := int(b[26])
	if len(b) < headerLen+nseg {
		return Page{}, 0, ErrShort
	}
	n := headerLen + nseg
	for _, l := range b[headerLen : headerLen+nseg] {
		n += int(l)
	}
	if len(b) < n {
		return Page{}, 0, ErrShort
	}
	raw := b[:n:n]
	p := Page{
		Raw:     raw,
		Type:    raw[5],
		Granule: int64(binary.LittleEndian.Uint64(raw[6:14])),
		Serial:  binary.LittleEndian.Uint32(raw[14:18]),
		Seq:     binary.LittleEndian.Uint32(raw[18:22]),
		Lacing:  raw[headerLen : headerLen+nseg],
	}
	return p, n, nil
}

// Payload is the page's packet data.
func (p Page) Payload() []byte { return p.Raw[headerLen+len(p.Lacing):] }

// Continued says the page starts with the rest of a packet begun on an earlier page.
func (p Page) Continued() bool { return p.Type&FlagContinued != 0 }

// EndsPacket says the page's last packet ends on it (the next page starts a new packet).
func (p Page) EndsPacket() bool {
	return len(p.Lacing) == 0 || p.Lacing[len(p.Lacing)-1] < 255
}

// PacketSizes returns the sizes of the packet pieces on the page, in order, from the segment
// table alone (the first may be the end of a packet begun earlier, the last may go on in the
// next page).
func (p Page) PacketSizes() []int {
	var sizes []int
	cur, open := 0, false
	for _, l := range p.Lacing {
		cur += int(l)
		open = true
		if l < 255 {
			sizes = append(sizes, cur)
			cur, open = 0, false
		}
	}
	if open {
		sizes = append(sizes, cur)
	}
	return sizes
}

// CRCOK says the page's checksum is right.
func (p Page) CRCOK() bool {
	want := binary.LittleEndian.Uint32(p.Raw[22:26])
	return checksum(p.Raw, true) == want
}

// Rewrite returns a copy of p with another granule position, sequence number and header type,
// and a fresh checksum.
func Rewrite(p Page, granule int64, seq uint32, typ byte) Page {
	raw := bytes.Clone(p.Raw)
	raw[5] = typ
	binary.LittleEndian.PutUint64(raw[6:14], uint64(granule))
	binary.LittleEndian.PutUint32(raw[18:22], seq)
	binary.LittleEndian.PutUint32(raw[22:26], checksum(raw, true))
	q, _, _ := Parse(raw)
	return q
}

// Splitter turns a byte stream into whole pages, keeping an incomplete tail for the next Push.
type Splitter struct {
	buf []byte
	err error
}

// Push adds bytes and returns the pages they complete. Bytes that do not start a page end the
// stream (there is no finding the next page in a stream of pages without gaps): Push returns
// the pages before them with the error, and the same error, without pages, from then on.
func (s *Splitter) Push(b []byte) ([]Page, error) {
	if s.err != nil {
		return nil, s.err
	}
	s.buf = append(s.buf, b...)
	var pages []Page
	off := 0
	for off < len(s.buf) {
		p, n, err := Parse(s.buf[off:])
		if errors.Is(err, ErrShort) {
			break
		}
		if err != nil {
			s.err = err
			break
		}
		p, _, _ = Parse(bytes.Clone(p.Raw)) // own the bytes: s.buf is reused
		pages = append(pages, p)
		off += n
	}
	s.buf = append(s.buf[:0], s.buf[off:]...)
	return pages, s.err
}

// Pending is how many bytes of an incomplete page are held.
func (s *Splitter) Pending() int { return len(s.buf) }

// OpusHead is the identification header's fields that matter here.
type OpusHead struct {
	Channels int
	PreSkip  int // samples at 48 kHz the decoder drops from the start
}

// ParseOpusHead reads the identification header from the stream's first page.
func ParseOpusHead(p Page) (OpusHead, error) {
	d := p.Payload()
	if len(d) < 19 || string(d[:8]) != "OpusHead" {
		return OpusHead{}, errors.New("ogg: first page is not an OpusHead")
	}
	return OpusHead{Channels: int(d[9]), PreSkip: int(binary.LittleEndian.Uint16(d[10:12]))}, nil
}

// IsOpusTags says the page carries the comment header.
func IsOpusTags(p Page) bool { return bytes.HasPrefix(p.Payload(), []byte("OpusTags")) }

// PacketSamples is an Opus packet's duration in 48 kHz samples, from its TOC byte (RFC 6716
// §3.1); 0 for an empty or malformed packet.
func PacketSamples(pkt []byte) int {
	if len(pkt) == 0 {
		return 0
	}
	cfg := int(pkt[0] >> 3)
	var frame int // in 1/400 s (2.5 ms) units
	switch {
	case cfg < 12: // SILK: 10, 20, 40, 60 ms
		frame = []int{4, 8, 16, 24}[cfg%4]
	case cfg < 16: // hybrid: 10, 20 ms
		frame = []int{4, 8}[cfg%2]
	default: // CELT: 2.5, 5, 10, 20 ms
		frame = []int{1, 2, 4, 8}[cfg%4]
	}
	var count int
	switch pkt[0] & 3 {
	case 0:
		count = 1
	case 1, 2:
		count = 2
	default:
		if len(pkt) < 2 {
			return 0
		}
		count = int(pkt[1] & 0x3f)
	}
	return frame * count * 120
}

// Info describes a validated stream.
type Info struct {
	Pages       int
	Head        OpusHead
	Samples     int64 // sum of the audio packets' durations
	LastGranule int64
	Packets     []int // audio packet sizes
}

// Duration is the playable length: the last granule minus the pre-skip.
func (i Info) Duration() time.Duration { return SampleDuration(i.LastGranule - int64(i.Head.PreSkip)) }

// Validate checks that data is one whole, standalone Ogg/Opus stream starting at time zero:
// every page starts with "OggS" and has a right checksum, one serial number, sequence numbers
// counting from 0 without gaps, a BOS flag on the first page only, OpusHead alone on the first
// page and OpusTags on the second, non-decreasing granule positions that never run ahead of
// the audio the packets carry (a stream cut from the middle of another without rebasing does),
// no packet left open at the end, and an EOS flag on the last page when requireEOS is set.
func Validate(data []byte, requireEOS bool) (Info, error) {
	var info Info
	var serial uint32
	var lastGranule int64
	var pkt []byte
	var npkt int
	var last Page
	for off := 0; off < len(data); {
		p, n, err := Parse(data[off:])
		if err != nil {
			return info, fmt.Errorf("page %d at byte %d: %w", info.Pages, off, err)
		}
		off += n
		i := info.Pages
		if !p.CRCOK() {
			return info, fmt.Errorf("page %d: bad checksum", i)
		}
		if i == 0 {
			serial = p.Serial
		} else if p.Serial != serial {
			return info, fmt.Errorf("page %d: serial %d, want %d", i, p.Serial, serial)
		}
		if p.Seq != uint32(i) {
			return info, fmt.Errorf("page %d: sequence number %d", i, p.Seq)
		}
		if (p.Type&FlagBOS != 0) != (i == 0) {
			return info, fmt.Errorf("page %d: BOS flag %v", i, p.Type&FlagBOS != 0)
		}
		if (p.Type&FlagContinued != 0) != (len(pkt) > 0) {
			return info, fmt.Errorf("page %d: continued flag does not match the previous page", i)
		}
		switch i {
		case 0:
			if info.Head, err = ParseOpusHead(p); err != nil {
				return info, err
			}
			if p.Granule != 0 {
				return info, errors.New("page 0: OpusHead page with a granule position")
			}
		case 1:
			if !IsOpusTags(p) {
				return info, errors.New("page 1: no OpusTags")
			}
		}
		payload := p.Payload()
		for _, l := range p.Lacing {
			pkt = append(pkt, payload[:l]...)
			payload = payload[l:]
			if l < 255 {
				if npkt >= 2 { // packets 0 and 1 are OpusHead and OpusTags
					info.Samples += int64(PacketSamples(pkt))
					info.Packets = append(info.Packets, len(pkt))
				}
				npkt++
				pkt = pkt[:0]
			}
		}
		if i == 0 && npkt != 1 {
			return info, errors.New("page 0: OpusHead must be alone on the first page")
		}
		if p.Granule != -1 {
			if p.Granule < lastGranule {
				return info, fmt.Errorf("page %d: granule %d after %d", i, p.Granule, lastGranule)
			}
			if i >= 2 && p.Granule > info.Samples {
				return info, fmt.Errorf("page %d: granule %d runs ahead of the %d samples carried so far", i, p.Granule, info.Samples)
			}
			lastGranule = p.Granule
		}
		last = p
		info.Pages++
	}
	if info.Pages < 2 {
		return info, fmt.Errorf("only %d pages: no Opus headers", info.Pages)
	}
	if len(pkt) > 0 {
		return info, errors.New("the last packet is not finished")
	}
	if requireEOS && last.Type&FlagEOS == 0 {
		return info, errors.New("no EOS flag on the last page")
	}
	info.LastGranule = lastGranule
	return info, nil
}

var crcTable = func() (t [256]uint32) {
	for i := range t {
		r := uint32(i) << 24
		for range 8 {
			if r&0x80000000 != 0 {
				r = r<<1 ^ 0x04c11db7
			} else {
				r <<= 1
			}
		}
		t[i] = r
	}
	return t
}()

// checksum is Ogg's CRC-32 (polynomial 0x04c11db7, no reflection, initial 0), taken with the
// page's CRC field counted as zero when skipField is set.
func checksum(b []byte, skipField bool) uint32 {
	var crc uint32
	for i, c := range b {
		if skipField && i >= 22 && i < 26 {
			c = 0
		}
		crc = crc<<8 ^ crcTable[byte(crc>>24)^c]
	}
	return crc
}

// Cut builds a standalone stream from the two header pages and some audio pages of another
// stream: granule positions minus base (the granule of the page before the first one kept, so
// the new stream starts at time zero), sequence numbers counting on from the headers, and EOS
// on the last page when eos is set. The first audio page must not continue a packet.
func Cut(head, tags Page, audio []Page, base int64, eos bool) []byte {
	var b bytes.Buffer
	b.Write(Rewrite(head, 0, 0, FlagBOS).Raw)
	b.Write(Rewrite(tags, 0, 1, tags.Type&FlagContinued).Raw)
	for i, p := range audio {
		b.Write(Rebase(p, base, uint32(2+i), eos && i == len(audio)-1).Raw)
	}
	return b.Bytes()
}

// Rebase rewrites one audio page for a stream that starts at granule base, as page number seq.
func Rebase(p Page, base int64, seq uint32, eos bool) Page {
	g := p.Granule
	if g != -1 {
		g -= base
	}
	typ := p.Type &^ (FlagBOS | FlagEOS)
	if eos {
		typ |= FlagEOS
	}
	return Rewrite(p, g, seq, typ)
}
