package livekittest

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"testing"
	"time"

	"github.com/livekit/protocol/auth"
)

// WebhookEvent is the JSON LiveKit posts, with the fields our receiver reads.
type WebhookEvent struct {
	Event       string           `json:"event"`
	ID          string           `json:"id"`
	CreatedAt   int64            `json:"createdAt"` // Unix seconds, as LiveKit sends it
	Room        *WebhookRoom     `json:"room,omitempty"`
	Participant *WebhookIdentity `json:"participant,omitempty"`
}

// WebhookRoom is the room part of an event.
type WebhookRoom struct {
	Name string `json:"name"`
	SID  string `json:"sid"`
}

// WebhookIdentity is the participant part of an event.
type WebhookIdentity struct {
	SID      string `json:"sid"`
	Identity string `json:"identity"`
	Name     string `json:"name"`
}

// SignWebhook returns the body of ev and the Authorization header LiveKit would send with it:
// a JWT signed with key and secret carrying the body's SHA-256.
func SignWebhook(t testing.TB, key, secret string, ev WebhookEvent) (body []byte, authorization string) {
	t.Helper()
	body, err := json.Marshal(ev)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(body)
	tok, err := auth.NewAccessToken(key, secret).SetValidFor(5 * time.Minute).
		SetSha256(base64.StdEncoding.EncodeToString(sum[:])).ToJWT()
	if err != nil {
		t.Fatal(err)
	}
	return body, tok
}
