package livekit

import (
	"fmt"
	"time"

	"github.com/livekit/protocol/auth"
	lkproto "github.com/livekit/protocol/livekit"
)

// MaxTokenTTL caps how long a minted token stays valid. Guest tokens are
// meant to be short; a day is the most any caller (the agent included) gets,
// so a leaked token cannot live on for weeks.
const MaxTokenTTL = 24 * time.Hour

// KindAgent marks the AI assistant; LiveKit then treats the participant as
// an agent (kind AGENT), which is what lets it send captions on behalf of a
// speaker (DESIGN §7).
const KindAgent = "agent"

// TokenRequest describes one participant's access to one room.
type TokenRequest struct {
	Room     string
	Identity string
	Name     string
	Metadata string
	// TTL is how long the token may be used to join; it must be in
	// (0, MaxTokenTTL]. LiveKit refreshes the token of a connected client by
	// itself, so a short TTL does not cut a lecture short.
	TTL time.Duration

	CanPublish     bool
	CanSubscribe   bool
	CanPublishData bool
	RoomAdmin      bool
	Hidden         bool
	Agent          bool
	// Kind is "" for people and KindAgent for the assistant.
	Kind string
}

func (r TokenRequest) validate() error {
	switch {
	case r.Room == "":
		return fmt.Errorf("%w: room is empty", ErrInvalidTokenRequest)
	case r.Identity == "":
		return fmt.Errorf("%w: identity is empty", ErrInvalidTokenRequest)
	case r.TTL <= 0:
		return fmt.Errorf("%w: TTL %v must be positive", ErrInvalidTokenRequest, r.TTL)
	case r.TTL > MaxTokenTTL:
		return fmt.Errorf("%w: TTL %v exceeds the maximum of %v", ErrInvalidTokenRequest, r.TTL, MaxTokenTTL)
	case r.Kind != "" && r.Kind != KindAgent:
		return fmt.Errorf("%w: unknown kind %q", ErrInvalidTokenRequest, r.Kind)
	}
	return nil
}

// Token mints a signed access token (a JWT) for r with c's key and secret.
// Permission flags left false are written as explicit false: LiveKit's
// defaults for missing flags are permissive (publish and subscribe allowed).
func (c Config) Token(r TokenRequest) (string, error) {
	if err := r.validate(); err != nil {
		return "", err
	}
	if c.APIKey == "" || c.APISecret == "" {
		return "", fmt.Errorf("livekit: mint token: API key or secret is empty")
	}
	grant := &auth.VideoGrant{
		RoomJoin:  true,
		Room:      r.Room,
		RoomAdmin: r.RoomAdmin,
		Hidden:    r.Hidden,
		Agent:     r.Agent,
	}
	grant.SetCanPublish(r.CanPublish)
	grant.SetCanSubscribe(r.CanSubscribe)
	grant.SetCanPublishData(r.CanPublishData)

	at := auth.NewAccessToken(c.APIKey, c.APISecret).
		SetIdentity(r.Identity).
		SetName(r.Name).
		SetMetadata(r.Metadata).
		SetValidFor(r.TTL).
		SetVideoGrant(grant)
	if r.Kind == KindAgent {
		at.SetKind(lkproto.ParticipantInfo_AGENT)
	}
	jwt, err := at.ToJWT()
	if err != nil {
		return "", fmt.Errorf("livekit: mint token for %q in room %q: %w", r.Identity, r.Room, err)
	}
	return jwt, nil
}
