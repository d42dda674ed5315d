package classroom

import (
	"bytes"
	"strconv"
	"testing"

	"github.com/liveserver/liveserver/internal/domain"
)

// An event's bus message reads back as its number, audience, type and frame, and the
// header's who-sees-what agrees with the viewer's rules on the decoded event.
func TestBusMessageAgreesWithViewer(t *testing.T) {
	viewers := []Viewer{
		{Identity: "u-host", IsHost: true},
		{Identity: "g-1"},
		{Identity: "g-2"},
		{Identity: "g-1", Waiting: true},
		{Identity: "g-2", Waiting: true},
	}
	var seq int64
	for _, aud := range []string{domain.AudienceAll, domain.AudienceHost, domain.AudienceOf("g-1"), domain.AudienceOf("g-11"), domain.AudienceOf("")} {
		for _, typ := range []string{EvRoomState, EvRemoved, EvLobbyDecision, EvLobbyKnock, "chat.message"} {
			seq++
			e := domain.Event{RoomID: "r", Seq: seq, Type: typ, Audience: aud, Payload: []byte(`{"a":"b c"}`)}
			h, ok := parseBusMessage(busMessage(&e))
			if !ok || h.seq != seq || string(h.audience) != aud || string(h.typ) != typ {
				if aud == domain.AudienceOf("") && !ok {
					continue // an empty identity is no audience anyone has
				}
				t.Fatalf("%s %s: header %+v ok %v", aud, typ, h, ok)
			}
			want := "id: " + itoa(seq) + "\nevent: " + typ + "\ndata: {\"a\":\"b c\"}\n\n"
			if !bytes.Equal(h.frame, []byte(want)) {
				t.Fatalf("frame %q, want %q", h.frame, want)
			}
			for _, v := range viewers {
				if got, want := v.seesRaw(h.audience, h.typ), v.Sees(&e); got != want {
					t.Errorf("viewer %+v, %s %s: seesRaw %v, Sees %v", v, aud, typ, got, want)
				}
				if got, want := v.endsRaw(h.audience, h.typ), v.Ends(&e); got != want {
					t.Errorf("viewer %+v, %s %s: endsRaw %v, Ends %v", v, aud, typ, got, want)
				}
			}
		}
	}
	for _, bad := range []string{"", "x", "1 all\n", "0 all t\n", "-1 all t\n", "a all t\n", "1  t\n", "1 all \n", "1 all t"} {
		if _, ok := parseBusMessage([]byte(bad)); ok {
			t.Errorf("parseBusMessage(%q) ok", bad)
		}
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
