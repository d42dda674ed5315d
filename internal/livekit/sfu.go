package livekit

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/liveserver/liveserver/internal/domain"
)

// SFU is the domain's video server on a LiveKit deployment, and the receiver of its webhooks.
type SFU struct {
	cfg      Config
	client   *Client
	verifier *WebhookVerifier
}

var _ domain.SFU = (*SFU)(nil)

// NewSFU talks to the LiveKit deployment of cfg.
func NewSFU(cfg Config) (*SFU, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	c, err := NewClient(cfg)
	if err != nil {
		return nil, err
	}
	return &SFU{cfg: cfg, client: c, verifier: NewWebhookVerifier(cfg)}, nil
}

// Client is the RoomService wrapper behind s, for the parts of the program that need more than
// the domain asks (moderation, the admin panel).
func (s *SFU) Client() *Client { return s.client }

func (s *SFU) URL() string { return s.cfg.URL }

// Config is the deployment's address, key and secret (the assistant mints its own token).
func (s *SFU) Config() Config { return s.cfg }

func (s *SFU) Token(g domain.TokenGrant) (string, error) {
	r := TokenRequest{Room: g.Room, Identity: g.Identity, Name: g.Name, Metadata: g.Metadata, TTL: g.TTL,
		CanPublish: g.CanPublish, CanSubscribe: g.CanSubscribe, CanPublishData: g.CanPublishData,
		RoomAdmin: g.RoomAdmin, Hidden: g.Hidden, Agent: g.Agent}
	if g.Agent {
		r.Kind = KindAgent
	}
	return s.cfg.Token(r)
}

func (s *SFU) CreateRoom(ctx context.Context, spec domain.SFURoom) error {
	_, err := s.client.CreateRoom(ctx, RoomSpec(spec))
	return err
}

func (s *SFU) DeleteRoom(ctx context.Context, name string) error {
	return s.client.DeleteRoom(ctx, name)
}

// Ping asks LiveKit for its room list: the cheapest authenticated call, so it also proves the
// keys are right.
func (s *SFU) Ping(ctx context.Context) error {
	if _, err := s.client.ListRooms(ctx); err != nil {
		return fmt.Errorf("livekit: %w", err)
	}
	return nil
}

// ReceiveWebhook verifies a webhook request and returns its event. A bad signature is
// domain.EUnauthorized, an unreadable body domain.EInvalid.
func (s *SFU) ReceiveWebhook(r *http.Request) (domain.WebhookEvent, error) {
	ev, err := s.verifier.Receive(r)
	switch {
	case errors.Is(err, ErrInvalidSignature):
		return domain.WebhookEvent{}, domain.Errorf(domain.EUnauthorized, "The webhook's signature is not valid.")
	case errors.Is(err, ErrMalformedEvent):
		return domain.WebhookEvent{}, domain.Errorf(domain.EInvalid, "The webhook's body is not a LiveKit event.")
	case err != nil:
		return domain.WebhookEvent{}, err
	}
	return domain.WebhookEvent{ID: ev.ID, Type: ev.Type, CreatedAt: ev.CreatedAt, Room: ev.Room,
		ParticipantIdentity: ev.ParticipantIdentity, ParticipantSID: ev.ParticipantSID,
		ParticipantName: ev.ParticipantName, ParticipantKind: ev.ParticipantKind}, nil
}

func (s *SFU) Participants(ctx context.Context, room string) ([]domain.SFUParticipant, error) {
	ps, err := s.client.ListParticipants(ctx, room)
	if err != nil {
		return nil, err
	}
	out := make([]domain.SFUParticipant, len(ps))
	for i, p := range ps {
		out[i] = domain.SFUParticipant{Identity: p.Identity, Name: p.Name, Hidden: p.Hidden, Kind: p.Kind,
			CanSubscribe: p.CanSubscribe, CanPublish: p.CanPublish}
	}
	return out, nil
}

func (s *SFU) RoomNames(ctx context.Context) ([]string, error) {
	rooms, err := s.client.ListRooms(ctx)
	if err != nil {
		return nil, err
	}
	names := make([]string, len(rooms))
	for i, r := range rooms {
		names[i] = r.Name
	}
	return names, nil
}

func (s *SFU) RemoveParticipant(ctx context.Context, room, identity string) error {
	return s.client.RemoveParticipant(ctx, room, identity)
}

// MuteMicrophone mutes the identity's audio; one that is gone has nothing to mute.
func (s *SFU) MuteMicrophone(ctx context.Context, room, identity string) (int, error) {
	n, err := s.client.MuteAudio(ctx, room, identity)
	if errors.Is(err, ErrParticipantNotFound) {
		return 0, nil
	}
	return n, err
}

// SetCanPublish changes the identity's permission; one that is gone needs no change.
func (s *SFU) SetCanPublish(ctx context.Context, room, identity string, canPublish bool) error {
	err := s.client.SetCanPublish(ctx, room, identity, canPublish)
	if errors.Is(err, ErrParticipantNotFound) {
		return nil
	}
	return err
}

// ConfirmGuest gives a guest whose admission our server has checked its rights in the call:
// receiving, and publishing as recorded; never data. One that is gone needs nothing.
func (s *SFU) ConfirmGuest(ctx context.Context, room, identity string, canPublish bool) error {
	err := s.client.SetPermission(ctx, room, identity, Permission{CanSubscribe: true, CanPublish: canPublish})
	if errors.Is(err, ErrParticipantNotFound) {
		return nil
	}
	return err
}
