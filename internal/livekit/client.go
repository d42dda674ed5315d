package livekit

import (
	"context"
	"errors"
	"fmt"
	"time"

	lkproto "github.com/livekit/protocol/livekit"
	lksdk "github.com/livekit/server-sdk-go/v2"
	"github.com/twitchtv/twirp"
)

// Client calls LiveKit's RoomService. It is safe for concurrent use.
type Client struct {
	rs *lksdk.RoomServiceClient
}

// NewClient returns a Client for cfg. It does not contact the server.
func NewClient(cfg Config) (*Client, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	return &Client{rs: lksdk.NewRoomServiceClient(cfg.HTTPURL(), cfg.APIKey, cfg.APISecret)}, nil
}

// RoomSpec describes a room to create. Zero timeouts mean LiveKit's defaults (empty: 5 min,
// departure: 20 s); zero MaxParticipants means no limit.
type RoomSpec struct {
	Name             string
	EmptyTimeout     time.Duration // how long a room nobody joined lives
	DepartureTimeout time.Duration // how long a room outlives its last participant
	MaxParticipants  int
	Metadata         string
}

// CreateRoom creates the room, or returns the existing one of that name
// (LiveKit's CreateRoom is idempotent).
func (c *Client) CreateRoom(ctx context.Context, spec RoomSpec) (Room, error) {
	name := spec.Name
	if name == "" {
		return Room{}, errors.New("livekit: create room: name is empty")
	}
	if spec.EmptyTimeout < 0 || spec.DepartureTimeout < 0 || spec.MaxParticipants < 0 {
		return Room{}, fmt.Errorf("livekit: create room %q: negative timeout or maxParticipants", name)
	}
	r, err := c.rs.CreateRoom(ctx, &lkproto.CreateRoomRequest{
		Name:             name,
		EmptyTimeout:     uint32(spec.EmptyTimeout / time.Second),
		DepartureTimeout: uint32(spec.DepartureTimeout / time.Second),
		MaxParticipants:  uint32(spec.MaxParticipants),
		Metadata:         spec.Metadata,
	})
	if err != nil {
		return Room{}, fmt.Errorf("livekit: create room %q: %w", name, err)
	}
	return roomFromProto(r), nil
}

// DeleteRoom ends the room for everyone (clients see ROOM_DELETED). A room
// that does not exist is not an error, so "end for all" can be retried.
func (c *Client) DeleteRoom(ctx context.Context, name string) error {
	_, err := c.rs.DeleteRoom(ctx, &lkproto.DeleteRoomRequest{Room: name})
	if err != nil && !isNotFound(err) {
		return fmt.Errorf("livekit: delete room %q: %w", name, err)
	}
	return nil
}

// ListRooms returns every active room.
func (c *Client) ListRooms(ctx context.Context) ([]Room, error) {
	res, err := c.rs.ListRooms(ctx, &lkproto.ListRoomsRequest{})
	if err != nil {
		return nil, fmt.Errorf("livekit: list rooms: %w", err)
	}
	rooms := make([]Room, 0, len(res.GetRooms()))
	for _, r := range res.GetRooms() {
		rooms = append(rooms, roomFromProto(r))
	}
	return rooms, nil
}

// ListParticipants returns everyone in the room, hidden ones included. An
// unknown room gives an empty list (LiveKit's behaviour, DESIGN §7).
func (c *Client) ListParticipants(ctx context.Context, room string) ([]Participant, error) {
	res, err := c.rs.ListParticipants(ctx, &lkproto.ListParticipantsRequest{Room: room})
	if err != nil {
		if isNotFound(err) {
			return []Participant{}, nil
		}
		return nil, fmt.Errorf("livekit: list participants of %q: %w", room, err)
	}
	out := make([]Participant, 0, len(res.GetParticipants()))
	for _, p := range res.GetParticipants() {
		out = append(out, participantFromProto(p))
	}
	return out, nil
}

// GetParticipant returns one participant, or ErrParticipantNotFound.
func (c *Client) GetParticipant(ctx context.Context, room, identity string) (Participant, error) {
	p, err := c.getParticipant(ctx, room, identity)
	if err != nil {
		return Participant{}, err
	}
	return participantFromProto(p), nil
}

// RemoveParticipant disconnects the participant (the client sees
// PARTICIPANT_REMOVED). A participant that is not in the room is not an
// error: the caller wanted it gone and it is. Keeping it out for good is
// the caller's job (revoke its approval; LiveKit itself does not ban).
func (c *Client) RemoveParticipant(ctx context.Context, room, identity string) error {
	_, err := c.rs.RemoveParticipant(ctx, &lkproto.RoomParticipantIdentity{Room: room, Identity: identity})
	if err != nil && !isNotFound(err) {
		return fmt.Errorf("livekit: remove %q from %q: %w", identity, room, err)
	}
	return nil
}

// MuteTrack mutes or unmutes one published track. It returns
// ErrParticipantNotFound or ErrTrackNotFound when there is nothing to mute.
// Unmuting someone else only works when the server allows remote unmute
// (room.enable_remote_unmute); LiveKit answers with an error otherwise.
func (c *Client) MuteTrack(ctx context.Context, room, identity, trackSID string, muted bool) error {
	// Looking the participant up first turns "already left" into a quick
	// sentinel; asked directly, LiveKit routes the request to a participant
	// that is not there and only gives up after its RPC timeout.
	p, err := c.getParticipant(ctx, room, identity)
	if err != nil {
		return err
	}
	if !hasTrack(p, trackSID) {
		return fmt.Errorf("livekit: mute %q of %q in %q: %w", trackSID, identity, room, ErrTrackNotFound)
	}
	_, err = c.rs.MutePublishedTrack(ctx, &lkproto.MuteRoomTrackRequest{
		Room:     room,
		Identity: identity,
		TrackSid: trackSID,
		Muted:    muted,
	})
	if err != nil {
		return fmt.Errorf("livekit: mute %q of %q in %q: %w", trackSID, identity, room, mapNotFound(err, ErrParticipantNotFound))
	}
	return nil
}

// MuteAudio mutes every published audio track of the participant, the
// "mute one" moderation action; it returns how many tracks it muted.
func (c *Client) MuteAudio(ctx context.Context, room, identity string) (int, error) {
	p, err := c.getParticipant(ctx, room, identity)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, t := range p.GetTracks() {
		if t.GetType() != lkproto.TrackType_AUDIO || t.GetMuted() {
			continue
		}
		_, err := c.rs.MutePublishedTrack(ctx, &lkproto.MuteRoomTrackRequest{
			Room: room, Identity: identity, TrackSid: t.GetSid(), Muted: true,
		})
		if err != nil {
			return n, fmt.Errorf("livekit: mute %q of %q in %q: %w", t.GetSid(), identity, room, mapNotFound(err, ErrParticipantNotFound))
		}
		n++
	}
	return n, nil
}

// SetCanPublish grants or withdraws the right to publish. Withdrawing it
// unpublishes the participant's tracks at once (DESIGN §7). The other
// permission flags are read first and sent back unchanged, because
// UpdateParticipant replaces the whole permission set; a concurrent change
// of another flag between the read and the write can be lost.
func (c *Client) SetCanPublish(ctx context.Context, room, identity string, canPublish bool) error {
	p, err := c.getParticipant(ctx, room, identity)
	if err != nil {
		return err
	}
	perm := &lkproto.ParticipantPermission{}
	if cur := p.GetPermission(); cur != nil {
		perm = cloneProto(cur)
	}
	perm.CanPublish = canPublish
	_, err = c.rs.UpdateParticipant(ctx, &lkproto.UpdateParticipantRequest{
		Room:       room,
		Identity:   identity,
		Permission: perm,
	})
	if err != nil {
		return fmt.Errorf("livekit: set canPublish=%t for %q in %q: %w", canPublish, identity, room, mapNotFound(err, ErrParticipantNotFound))
	}
	return nil
}

func (c *Client) getParticipant(ctx context.Context, room, identity string) (*lkproto.ParticipantInfo, error) {
	p, err := c.rs.GetParticipant(ctx, &lkproto.RoomParticipantIdentity{Room: room, Identity: identity})
	if err != nil {
		return nil, fmt.Errorf("livekit: get %q in %q: %w", identity, room, mapNotFound(err, ErrParticipantNotFound))
	}
	return p, nil
}

func hasTrack(p *lkproto.ParticipantInfo, sid string) bool {
	for _, t := range p.GetTracks() {
		if t.GetSid() == sid {
			return true
		}
	}
	return false
}

// isNotFound reports LiveKit's "not found" answers, which reach us as Twirp
// errors with code not_found.
func isNotFound(err error) bool {
	var te twirp.Error
	return errors.As(err, &te) && te.Code() == twirp.NotFound
}

// mapNotFound replaces a Twirp not_found with our sentinel so callers can
// use errors.Is; other errors pass through.
func mapNotFound(err, sentinel error) error {
	if isNotFound(err) {
		return fmt.Errorf("%w (%v)", sentinel, err)
	}
	return err
}

// Permission is the whole set of rights a participant has in the call. Flags not named here
// (hidden, recorder, agent session) are written as false.
type Permission struct {
	CanSubscribe   bool
	CanPublish     bool
	CanPublishData bool
}

// SetPermission replaces the participant's rights with p in one call, without reading them
// first, so two writers cannot mix their sets. LiveKit applies it at once: withdrawing
// CanSubscribe ends every subscription, withdrawing CanPublish unpublishes every track, and
// granting CanSubscribe subscribes to what the participant asked for (auto-subscribe
// included). LiveKit then sends the client a refreshed token carrying the new rights.
func (c *Client) SetPermission(ctx context.Context, room, identity string, p Permission) error {
	_, err := c.rs.UpdateParticipant(ctx, &lkproto.UpdateParticipantRequest{
		Room:     room,
		Identity: identity,
		Permission: &lkproto.ParticipantPermission{
			CanSubscribe:   p.CanSubscribe,
			CanPublish:     p.CanPublish,
			CanPublishData: p.CanPublishData,
		},
	})
	if err != nil {
		return fmt.Errorf("livekit: set permission %+v for %q in %q: %w", p, identity, room, mapNotFound(err, ErrParticipantNotFound))
	}
	return nil
}
