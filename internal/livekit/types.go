package livekit

import (
	"strings"
	"time"

	lkproto "github.com/livekit/protocol/livekit"
)

// Room is a LiveKit room as the rest of the program sees it.
type Room struct {
	Name            string
	SID             string
	Metadata        string
	NumParticipants int
	MaxParticipants int
	EmptyTimeout    time.Duration
	CreatedAt       time.Time
}

// Participant is one connection in a room. Hidden participants (the AI
// assistant) are included; filter them out of head counts.
type Participant struct {
	Identity string
	Name     string
	SID      string
	Hidden   bool
	// Kind is "" for people, KindAgent for agents, and LiveKit's kind in
	// lower case ("egress", "ingress", "sip", ...) for the rest.
	Kind         string
	CanPublish   bool
	CanSubscribe bool
	JoinedAt     time.Time
	Tracks       []Track
}

// Track is one published track.
type Track struct {
	SID string
	// Kind is "audio", "video" or "data".
	Kind string
	// Source is "microphone", "camera", "screen_share",
	// "screen_share_audio" or "unknown".
	Source string
	Name   string
	Muted  bool
}

func roomFromProto(r *lkproto.Room) Room {
	return Room{
		Name:            r.GetName(),
		SID:             r.GetSid(),
		Metadata:        r.GetMetadata(),
		NumParticipants: int(r.GetNumParticipants()),
		MaxParticipants: int(r.GetMaxParticipants()),
		EmptyTimeout:    time.Duration(r.GetEmptyTimeout()) * time.Second,
		CreatedAt:       unixTime(r.GetCreationTimeMs(), r.GetCreationTime()),
	}
}

func participantFromProto(p *lkproto.ParticipantInfo) Participant {
	out := Participant{
		Identity:     p.GetIdentity(),
		Name:         p.GetName(),
		SID:          p.GetSid(),
		Hidden:       p.GetPermission().GetHidden(),
		Kind:         kindString(p.GetKind()),
		CanPublish:   p.GetPermission().GetCanPublish(),
		CanSubscribe: p.GetPermission().GetCanSubscribe(),
		JoinedAt:     unixTime(p.GetJoinedAtMs(), p.GetJoinedAt()),
	}
	for _, t := range p.GetTracks() {
		out.Tracks = append(out.Tracks, Track{
			SID:    t.GetSid(),
			Kind:   strings.ToLower(t.GetType().String()),
			Source: strings.ToLower(t.GetSource().String()),
			Name:   t.GetName(),
			Muted:  t.GetMuted(),
		})
	}
	return out
}

func kindString(k lkproto.ParticipantInfo_Kind) string {
	if k == lkproto.ParticipantInfo_STANDARD {
		return ""
	}
	return strings.ToLower(k.String())
}

// unixTime prefers LiveKit's millisecond field and falls back to seconds;
// zero means LiveKit did not say.
func unixTime(ms, sec int64) time.Time {
	switch {
	case ms > 0:
		return time.UnixMilli(ms).UTC()
	case sec > 0:
		return time.Unix(sec, 0).UTC()
	}
	return time.Time{}
}
