package httpapi

import (
	"strings"
	"testing"
)

// FuzzDeviceCookie reads any device cookie a browser sends: only a value this server signed
// gives a device id, the one it signed; anything else gives none, and never panics.
func FuzzDeviceCookie(f *testing.F) {
	s := &Server{opts: Options{AuthSecret: "fuzz-secret-fuzz-secret-fuzz-secret"}}
	other := &Server{opts: Options{AuthSecret: "another-secret-another-secret-1234"}}
	good := s.signDevice("AAAAAAAAAAAAAAAAAAAAAA")
	for _, v := range []string{"", ".", good, good + ".", good[:len(good)-1], "AAAAAAAAAAAAAAAAAAAAAA", other.signDevice("AAAAAAAAAAAAAAAAAAAAAA"),
		"AAAAAAAAAAAAAAAAAAAAAB" + good[22:], "AAAAAAAAAAAAAAAAAAAA==" + good[22:], strings.Repeat("é", 11) + good[22:]} {
		f.Add(v)
	}
	f.Fuzz(func(t *testing.T, v string) {
		id := s.verifyDevice(v)
		if id == "" {
			return
		}
		if s.signDevice(id) != v || len(id) != deviceIDLen {
			t.Fatalf("%q accepted as device %q, which the server did not sign so", v, id)
		}
		if other.verifyDevice(v) != "" {
			t.Fatalf("%q verifies under two secrets", v)
		}
	})
}
