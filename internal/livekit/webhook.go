package livekit

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/livekit/protocol/auth"
	"github.com/livekit/protocol/webhook"
)

// Webhook event types that drive room status, attendance and the
// post-lecture job (DESIGN §3). Others arrive too and are returned as is.
const (
	EventRoomStarted       = webhook.EventRoomStarted
	EventRoomFinished      = webhook.EventRoomFinished
	EventParticipantJoined = webhook.EventParticipantJoined
	EventParticipantLeft   = webhook.EventParticipantLeft
)

// MaxWebhookBody bounds what Receive reads. LiveKit's events are a few KB;
// an endpoint open to the network must not buffer arbitrary uploads.
const MaxWebhookBody = 1 << 20

// Event is the part of a LiveKit webhook LiveServer uses. It deliberately
// leaves out the rest of the room JSON, which carries the TURN password:
// an Event is safe to log, a raw webhook body is not.
type Event struct {
	// ID is unique per event and repeated on retries: dedupe on it.
	ID        string
	Type      string
	CreatedAt time.Time

	Room    string
	RoomSID string

	ParticipantIdentity string
	ParticipantSID      string
	ParticipantName     string
	// ParticipantKind uses the same values as Participant.Kind.
	ParticipantKind string
}

// WebhookVerifier checks LiveKit's signature on incoming webhooks.
type WebhookVerifier struct {
	keys auth.KeyProvider
}

// NewWebhookVerifier accepts webhooks signed with cfg's key and secret, the
// pair named in the server's webhook.api_key setting.
func NewWebhookVerifier(cfg Config) *WebhookVerifier {
	return &WebhookVerifier{keys: auth.NewSimpleKeyProvider(cfg.APIKey, cfg.APISecret)}
}

// Receive verifies and parses one webhook request and closes its body.
//
// Errors: ErrInvalidSignature (answer 401) when the Authorization header is
// missing or not a JWT, the key is unknown, the signature is wrong, the token
// has expired (LiveKit signs webhooks for 5 minutes; the library allows one
// minute of clock skew and rejects tokens without an expiry), or the body's
// sha256 differs from the signed one. ErrMalformedEvent (answer 400) when a
// correctly signed body is not a webhook event, or the body is larger than
// MaxWebhookBody. Any other error means the body could not be read.
func (v *WebhookVerifier) Receive(r *http.Request) (Event, error) {
	body, err := readBody(r)
	if err != nil {
		return Event{}, err
	}

	ev, err := webhook.ReceiveWebhookEvent(withBody(r, body), v.keys)
	if err != nil {
		// ReceiveWebhookEvent reports signature and parse failures alike.
		// Checking the signature alone on the same bytes tells them apart;
		// this second pass costs nothing on the success path.
		if _, sigErr := webhook.Receive(withBody(r, body), v.keys); sigErr != nil {
			return Event{}, fmt.Errorf("%w: %v", ErrInvalidSignature, sigErr)
		}
		return Event{}, fmt.Errorf("%w: %v", ErrMalformedEvent, err)
	}
	if ev.GetEvent() == "" {
		return Event{}, fmt.Errorf("%w: no event type", ErrMalformedEvent)
	}

	out := Event{
		ID:        ev.GetId(),
		Type:      ev.GetEvent(),
		CreatedAt: unixTime(0, ev.GetCreatedAt()),
		Room:      ev.GetRoom().GetName(),
		RoomSID:   ev.GetRoom().GetSid(),
	}
	if p := ev.GetParticipant(); p != nil {
		out.ParticipantIdentity = p.GetIdentity()
		out.ParticipantSID = p.GetSid()
		out.ParticipantName = p.GetName()
		out.ParticipantKind = kindString(p.GetKind())
	}
	return out, nil
}

func readBody(r *http.Request) ([]byte, error) {
	if r.Body == nil {
		return nil, fmt.Errorf("%w: no body", ErrMalformedEvent)
	}
	defer r.Body.Close()
	body, err := io.ReadAll(io.LimitReader(r.Body, MaxWebhookBody+1))
	if err != nil {
		return nil, fmt.Errorf("livekit: read webhook body: %w", err)
	}
	if len(body) > MaxWebhookBody {
		return nil, fmt.Errorf("%w: body larger than %d bytes", ErrMalformedEvent, MaxWebhookBody)
	}
	return body, nil
}

// withBody gives the library a fresh reader over the buffered body.
func withBody(r *http.Request, body []byte) *http.Request {
	r2 := r.Clone(r.Context())
	r2.Body = io.NopCloser(bytes.NewReader(body))
	r2.ContentLength = int64(len(body))
	return r2
}
