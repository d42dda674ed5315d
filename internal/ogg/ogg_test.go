package ogg_test

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/liveserver/liveserver/internal/ogg"
	"github.com/liveserver/liveserver/internal/ogg/oggtest"
)

func TestRealStreamValidatesAndSplitsAnywhere(t *testing.T) {
	data := oggtest.Speech(t, "ru", `Привет, это тест. <break time="1500ms"/> Вторая фраза.`)
	info, err := ogg.Validate(data, true)
	if err != nil {
		t.Fatal(err)
	}
	if info.Head.PreSkip != 312 || info.Head.Channels != 1 {
		t.Errorf("head %+v", info.Head)
	}
	// The packets' TOC durations and the last granule agree to within one packet.
	if d := info.Samples - info.LastGranule; d < 0 || d > 960 {
		t.Errorf("samples %d, last granule %d", info.Samples, info.LastGranule)
	}
	if info.Duration() < 3*time.Second || info.Duration() > 8*time.Second {
		t.Errorf("duration %v", info.Duration())
	}
	whole := oggtest.Pages(t, data)
	// Any split of the bytes gives the same pages.
	var s ogg.Splitter
	var got []ogg.Page
	for off := 0; off < len(data); off += 777 {
		ps, err := s.Push(data[off:min(off+777, len(data))])
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, ps...)
	}
	if len(got) != len(whole) || s.Pending() != 0 {
		t.Fatalf("%d pages, want %d (%d pending)", len(got), len(whole), s.Pending())
	}
	for i := range got {
		if !bytes.Equal(got[i].Raw, whole[i].Raw) {
			t.Fatalf("page %d differs", i)
		}
	}
	if _, _, err := ogg.Parse([]byte("RIFF....")); err == nil || err == ogg.ErrShort {
		t.Errorf("not Ogg: %v", err)
	}
}

func TestCutMakesAStandaloneFile(t *testing.T) {
	data := oggtest.Speech(t, "en", `One two three four five six seven eight nine ten.`, "--max-delay", "100")
	pages := oggtest.Pages(t, data)
	if len(pages) < 10 {
		t.Fatalf("only %d pages", len(pages))
	}
	mid := pages[5:9]
	base := pages[4].Granule
	cut := ogg.Cut(pages[0], pages[1], mid, base, true)
	info, err := ogg.Validate(cut, true)
	if err != nil {
		t.Fatal(err)
	}
	if want := mid[len(mid)-1].Granule - base; info.LastGranule != want {
		t.Errorf("last granule %d, want %d", info.LastGranule, want)
	}
	oggtest.Decode(t, cut)
	// Without rebasing, the granules run ahead of the audio: not a file that starts at zero.
	if _, err := ogg.Validate(ogg.Cut(pages[0], pages[1], mid, 0, true), true); err == nil || !strings.Contains(err.Error(), "runs ahead") {
		t.Errorf("unrebased cut: %v", err)
	}
	// A damaged byte fails the checksum.
	bad := bytes.Clone(cut)
	bad[len(bad)-1] ^= 1
	if _, err := ogg.Validate(bad, true); err == nil || !strings.Contains(err.Error(), "checksum") {
		t.Errorf("damaged: %v", err)
	}
}

func TestPacketSizesShowPauses(t *testing.T) {
	data := oggtest.Speech(t, "ru", `Привет. <break time="2000ms"/> Пока.`, "--max-delay", "20", "--set-ctl-int", "4016=1")
	info, err := ogg.Validate(data, true)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("packet sizes: %v", info.Packets)
}
