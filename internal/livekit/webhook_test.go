package livekit_test

import (
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/livekit/protocol/auth"

	"github.com/liveserver/liveserver/internal/livekit"
)

const joinedBody = `{
  "event": "participant_joined",
  "id": "EV_abc",
  "createdAt": "1764000000",
  "room": {"sid": "RM_1", "name": "room-1", "turnPassword": "do-not-log"},
  "participant": {"sid": "PA_1", "identity": "sess-1", "name": "Ann", "kind": "AGENT"}
}`

func sha(body string) string {
	s := sha256.Sum256([]byte(body))
	return base64.StdEncoding.EncodeToString(s[:])
}

// signed builds the request LiveKit sends: the Authorization header is a
// bare JWT whose sha256 claim is the body's hash.
func signed(t testing.TB, key, secret, body, signedBody string) *http.Request {
	t.Helper()
	tok, err := auth.NewAccessToken(key, secret).SetValidFor(5 * time.Minute).SetSha256(sha(signedBody)).ToJWT()
	if err != nil {
		t.Fatal(err)
	}
	r := httptest.NewRequest(http.MethodPost, "/api/livekit/webhook", strings.NewReader(body))
	r.Header.Set("Authorization", tok)
	r.Header.Set("Content-Type", "application/webhook+json")
	return r
}

func TestWebhookReceive(t *testing.T) {
	v := livekit.NewWebhookVerifier(unitConfig)
	ev, err := v.Receive(signed(t, unitConfig.APIKey, unitConfig.APISecret, joinedBody, joinedBody))
	if err != nil {
		t.Fatal(err)
	}
	want := livekit.Event{
		ID: "EV_abc", Type: livekit.EventParticipantJoined, CreatedAt: time.Unix(1764000000, 0).UTC(),
		Room: "room-1", RoomSID: "RM_1",
		ParticipantIdentity: "sess-1", ParticipantSID: "PA_1", ParticipantName: "Ann", ParticipantKind: livekit.KindAgent,
	}
	if ev != want {
		t.Errorf("got  %+v\nwant %+v", ev, want)
	}
}

// An expired token is made by hand: the library's AccessToken cannot be
// given a past expiry.
func expiredToken(t *testing.T, key, secret, body string, expiredFor time.Duration) string {
	t.Helper()
	now := time.Now()
	claims := jwt.MapClaims{
		"iss":    key,
		"nbf":    now.Add(-time.Hour).Unix(),
		"exp":    now.Add(-expiredFor).Unix(),
		"sha256": sha(body),
	}
	tok, err := jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString([]byte(secret))
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func TestWebhookRejects(t *testing.T) {
	v := livekit.NewWebhookVerifier(unitConfig)
	key, secret := unitConfig.APIKey, unitConfig.APISecret
	tests := map[string]struct {
		req  func(t *testing.T) *http.Request
		want error
	}{
		"wrong secret": {func(t *testing.T) *http.Request {
			return signed(t, key, "forged-secret-forged-secret-forged", joinedBody, joinedBody)
		}, livekit.ErrInvalidSignature},
		"unknown key": {func(t *testing.T) *http.Request {
			return signed(t, "otherkey", secret, joinedBody, joinedBody)
		}, livekit.ErrInvalidSignature},
		"unsigned": {func(t *testing.T) *http.Request {
			return httptest.NewRequest(http.MethodPost, "/", strings.NewReader(joinedBody))
		}, livekit.ErrInvalidSignature},
		"not a JWT": {func(t *testing.T) *http.Request {
			r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(joinedBody))
			r.Header.Set("Authorization", "Bearer nonsense")
			return r
		}, livekit.ErrInvalidSignature},
		"body tampered": {func(t *testing.T) *http.Request {
			tampered := strings.Replace(joinedBody, "sess-1", "sess-2", 1)
			return signed(t, key, secret, tampered, joinedBody)
		}, livekit.ErrInvalidSignature},
		"expired": {func(t *testing.T) *http.Request {
			r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(joinedBody))
			r.Header.Set("Authorization", expiredToken(t, key, secret, joinedBody, 10*time.Minute))
			return r
		}, livekit.ErrInvalidSignature},
		"signed garbage": {func(t *testing.T) *http.Request {
			return signed(t, key, secret, "{not json", "{not json")
		}, livekit.ErrMalformedEvent},
		"signed, no event type": {func(t *testing.T) *http.Request {
			return signed(t, key, secret, `{"id":"EV_1"}`, `{"id":"EV_1"}`)
		}, livekit.ErrMalformedEvent},
		"too large": {func(t *testing.T) *http.Request {
			big := `{"event":"room_started","id":"` + strings.Repeat("x", livekit.MaxWebhookBody) + `"}`
			return signed(t, key, secret, big, big)
		}, livekit.ErrMalformedEvent},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			ev, err := v.Receive(tc.req(t))
			if !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
			if ev != (livekit.Event{}) {
				t.Errorf("event returned with an error: %+v", ev)
			}
		})
	}
}

// The library allows one minute of clock skew; a token only just expired
// still passes. This pins that behaviour so a change is noticed.
func TestWebhookExpiryLeeway(t *testing.T) {
	v := livekit.NewWebhookVerifier(unitConfig)
	r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(joinedBody))
	r.Header.Set("Authorization", expiredToken(t, unitConfig.APIKey, unitConfig.APISecret, joinedBody, 10*time.Second))
	if _, err := v.Receive(r); err != nil {
		t.Fatalf("token expired 10 s ago (inside the 1 min leeway): %v", err)
	}
}

// An error must never carry the body: the room JSON holds turnPassword.
func TestWebhookErrorsDoNotLeakBody(t *testing.T) {
	v := livekit.NewWebhookVerifier(unitConfig)
	_, err := v.Receive(signed(t, unitConfig.APIKey, "forged-secret-forged-secret-forged", joinedBody, joinedBody))
	if err == nil || strings.Contains(err.Error(), "do-not-log") {
		t.Fatalf("err = %v", err)
	}
}
