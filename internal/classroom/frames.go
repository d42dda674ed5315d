package classroom

import (
	"bytes"
	"strconv"

	"github.com/liveserver/liveserver/internal/domain"
)

// An event travels on the bus as one line of header and its Server-Sent Events frame, built
// once when it is published:
//
//	<seq> <audience> <type>\n
//	id: <seq>\nevent: <type>\ndata: <payload>\n\n
//
// Every stream of the room, on every replica, reads the header to decide whether its viewer
// sees the event (no JSON decoded per stream) and writes the same frame bytes to its client.
// The text/event-stream frame is part of the API contract (docs/api.md), so the rules own it.

// StreamEvent is one event a stream hands out: its number and its frame, shared with every
// other stream of the room (read it, never change it).
type StreamEvent struct {
	Seq   int64
	Frame []byte
	typ   []byte
}

// Type is the event's type.
func (e StreamEvent) Type() string { return string(e.typ) }

// busMessage is e as the bus carries it.
func busMessage(e *domain.Event) []byte {
	b := make([]byte, 0, 64+2*len(e.Type)+len(e.Audience)+len(e.Payload))
	b = strconv.AppendInt(b, e.Seq, 10)
	b = append(b, ' ')
	b = append(b, e.Audience...)
	b = append(b, ' ')
	b = append(b, e.Type...)
	b = append(b, '\n')
	return appendFrame(b, e)
}

// appendFrame appends e's SSE frame: its id, type and data on one line (JSON has no raw
// newlines).
func appendFrame(b []byte, e *domain.Event) []byte {
	b = append(b, "id: "...)
	b = strconv.AppendInt(b, e.Seq, 10)
	b = append(b, "\nevent: "...)
	b = append(b, e.Type...)
	b = append(b, "\ndata: "...)
	b = append(b, e.Payload...)
	return append(b, "\n\n"...)
}

// header is a bus message's header, its parts pointing into the message.
type header struct {
	seq           int64
	audience, typ []byte
	frame         []byte
}

// parseBusMessage reads msg's header; ok is false for a message that is not an event.
func parseBusMessage(msg []byte) (h header, ok bool) {
	nl := bytes.IndexByte(msg, '\n')
	if nl < 0 {
		return h, false
	}
	line := msg[:nl]
	sp := bytes.IndexByte(line, ' ')
	if sp <= 0 {
		return h, false
	}
	seq, err := strconv.ParseInt(string(line[:sp]), 10, 64)
	if err != nil || seq <= 0 {
		return h, false
	}
	rest := line[sp+1:]
	sp = bytes.IndexByte(rest, ' ')
	if sp <= 0 || sp == len(rest)-1 {
		return h, false
	}
	return header{seq: seq, audience: rest[:sp], typ: rest[sp+1:], frame: msg[nl+1:]}, true
}

// seesRaw is Sees on a header: whether the viewer may receive the event.
func (v *Viewer) seesRaw(audience, typ []byte) bool {
	switch {
	case v.isOwn(audience):
		return true
	case v.Waiting:
		return string(typ) == EvRoomState
	case string(audience) == domain.AudienceAll:
		return true
	case string(audience) == domain.AudienceHost:
		return v.IsHost
	}
	return false
}

// endsRaw is Ends on a header.
func (v *Viewer) endsRaw(audience, typ []byte) bool {
	if !v.isOwn(audience) {
		return false
	}
	return string(typ) == EvRemoved || (v.Waiting && string(typ) == EvLobbyDecision)
}

// isOwn reports whether audience is the viewer's own identity.
func (v *Viewer) isOwn(audience []byte) bool {
	const prefix = "to:"
	return len(audience) == len(prefix)+len(v.Identity) && string(audience[:len(prefix)]) == prefix &&
		string(audience[len(prefix):]) == v.Identity
}
