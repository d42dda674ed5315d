package ogg_test

import (
	"encoding/binary"
	"testing"

	"github.com/liveserver/liveserver/internal/ogg"
)

// Streams built byte by byte, for cases opusenc does not make (and for fuzz seeds): one
// serial, CELT 20 ms packets (TOC 0xf8, 960 samples each).

const frame = 960 // samples of one test packet

func packet(size int) []byte {
	p := make([]byte, size)
	p[0] = 0xf8
	for i := 1; i < size; i++ {
		p[i] = byte(i)
	}
	return p
}

// page builds one page of packet pieces; when open is set the last piece goes on in the next
// page (its length must then be a multiple of 255).
func page(t testing.TB, seq uint32, typ byte, granule int64, open bool, pieces ...[]byte) ogg.Page {
	t.Helper()
	var lacing, payload []byte
	for i, pc := range pieces {
		n := len(pc)
		for ; n >= 255; n -= 255 {
			lacing = append(lacing, 255)
		}
		if !open || i < len(pieces)-1 {
			lacing = append(lacing, byte(n))
		} else if n != 0 {
			t.Fatalf("an open piece of %d bytes", len(pc))
		}
		payload = append(payload, pc...)
	}
	raw := make([]byte, 27, 27+len(lacing)+len(payload))
	copy(raw, "OggS")
	raw[26] = byte(len(lacing))
	binary.LittleEndian.PutUint32(raw[14:18], 0x5eed)
	raw = append(append(raw, lacing...), payload...)
	p, n, err := ogg.Parse(raw)
	if err != nil || n != len(raw) {
		t.Fatalf("built page: %v", err)
	}
	return ogg.Rewrite(p, granule, seq, typ)
}

func opusHead(preSkip uint16) []byte {
	b := []byte("OpusHead\x01\x01\x00\x00\x80\xbb\x00\x00\x00\x00\x00")
	binary.LittleEndian.PutUint16(b[10:12], preSkip)
	return b
}

func opusTags() []byte { return []byte("OpusTags\x04\x00\x00\x00test\x00\x00\x00\x00") }

// headers are a stream's first two pages.
func headers(t testing.TB, preSkip uint16) []ogg.Page {
	return []ogg.Page{
		page(t, 0, ogg.FlagBOS, 0, false, opusHead(preSkip)),
		page(t, 1, 0, 0, false, opusTags()),
	}
}

// stream is the headers and n audio pages of one packet each, granules counting 960 a page.
func stream(t testing.TB, preSkip uint16, n int) []ogg.Page {
	pages := headers(t, preSkip)
	for k := 1; k <= n; k++ {
		pages = append(pages, page(t, uint32(1+k), 0, int64(k*frame), false, packet(3+k%40)))
	}
	return pages
}

func join(pages []ogg.Page) []byte {
	var b []byte
	for _, p := range pages {
		b = append(b, p.Raw...)
	}
	return b
}

func TestBuiltStreamsAndSeedsValidate(t *testing.T) {
	for i, s := range seeds(t)[:2] {
		if _, err := ogg.Validate(s, i == 1); err != nil {
			t.Errorf("seed %d: %v", i, err)
		}
	}
}
