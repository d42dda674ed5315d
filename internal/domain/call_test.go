package domain_test

import (
	"testing"

	"github.com/liveserver/liveserver/internal/domain"
)

const lecture = "c78cb173-77da-466b-abf4-5f4f694be97f"

func TestCallNames(t *testing.T) {
	for _, tc := range []struct {
		name    string
		lecture string
		epoch   int
		ok      bool
	}{
		{lecture, lecture, 0, true}, // epoch 0 is the bare lecture id: calls from before epochs keep their names
		{lecture + ".1", lecture, 1, true},
		{lecture + ".2147483647", lecture, 2147483647, true},
		{lecture + ".0", "", 0, false},  // not canonical: epoch 0 has no suffix
		{lecture + ".01", "", 0, false}, // leading zero
		{lecture + ".", "", 0, false},
		{lecture + ".-1", "", 0, false},
		{lecture + ".+1", "", 0, false},
		{lecture + ".1.2", "", 0, false},
		{lecture + ".2147483648", "", 0, false},
		{lecture + ".99999999999", "", 0, false},
		{"not-a-lecture", "", 0, false},
		{"", "", 0, false},
		{"c78cb173-77da-466b-abf4-5f4f694be97", "", 0, false},
		{"c78cb173x77da-466b-abf4-5f4f694be97f", "", 0, false},
	} {
		l, e, ok := domain.ParseCallName(tc.name)
		if l != tc.lecture || e != tc.epoch || ok != tc.ok {
			t.Errorf("ParseCallName(%q) = %q, %d, %t; want %q, %d, %t", tc.name, l, e, ok, tc.lecture, tc.epoch, tc.ok)
		}
		if tc.ok && domain.CallName(l, e) != tc.name {
			t.Errorf("CallName(%q, %d) = %q, want %q back", l, e, domain.CallName(l, e), tc.name)
		}
	}
	r := domain.Room{LectureID: lecture, CallEpoch: 3}
	if r.Call() != lecture+".3" {
		t.Errorf("Room.Call() = %q", r.Call())
	}
}

// FuzzParseCallName: a video room's name comes from the video server's webhooks and room
// lists. Whatever it is, a name read back is the one CallName makes of its parts, so two
// different names never map to the same call.
func FuzzParseCallName(f *testing.F) {
	for _, s := range []string{lecture, lecture + ".1", lecture + ".0", lecture + ".01", "room", lecture + ".-5", lecture + ".1e3", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		l, e, ok := domain.ParseCallName(name)
		if !ok {
			return
		}
		if e < 0 || domain.CallName(l, e) != name {
			t.Fatalf("ParseCallName(%q) = %q, %d: CallName gives %q", name, l, e, domain.CallName(l, e))
		}
	})
}
