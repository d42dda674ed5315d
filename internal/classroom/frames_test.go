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

// Handing a live event to a stream allocates nothing: the header is read in place and the
// frame is the bus message's own bytes.
func TestLiveEventCostsNoAllocation(t *testing.T) {
	e := domain.Event{RoomID: "r", Seq: 123456, Type: "chat.message", Audience: domain.AudienceAll, Payload: []byte(`{"text":"всем"}`)}
	msg := busMessage(&e)
	v := &Viewer{Identity: "g-1"}
	allocs := testing.AllocsPerRun(1000, func() {
		h, ok := parseBusMessage(msg)
		if !ok || !v.seesRaw(h.audience, h.typ) || v.endsRaw(h.audience, h.typ) {
			t.Fatal("the event does not read back")
		}
	})
	if allocs != 0 {
		t.Fatalf("%v allocations per live event, want 0", allocs)
	}
}

// A bus message of any shape is read as an event or refused, never more: its parts lie within
// the message and its number is positive.
func FuzzParseBusMessage(f *testing.F) {
	e := domain.Event{Seq: 7, Type: EvHand, Audience: domain.AudienceOf("g"), Payload: []byte(`{}`)}
	for _, s := range []string{string(busMessage(&e)), "", "1 all t\n", "9223372036854775808 all t\nx", "1 a b c\n\n", `{"seq":1}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, msg []byte) {
		h, ok := parseBusMessage(msg)
		if !ok {
			return
		}
		if h.seq <= 0 || len(h.audience) == 0 || len(h.typ) == 0 || len(h.frame) > len(msg) {
			t.Fatalf("parseBusMessage(%q) = %+v", msg, h)
		}
		if bytes.ContainsAny(h.audience, " \n") || bytes.ContainsRune(h.typ, '\n') {
			t.Fatalf("header parts %q %q run past their field", h.audience, h.typ)
		}
	})
}
