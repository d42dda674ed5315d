package livekit_test

import (
	"errors"
	"testing"

	"github.com/liveserver/liveserver/internal/livekit"
)

// FuzzWebhookBody feeds correctly signed requests with any body to the verifier: whatever a
// LiveKit (or someone holding its key) sends, the verifier returns an event or one of its two
// errors, and never panics.
func FuzzWebhookBody(f *testing.F) {
	for _, s := range []string{joinedBody, "", "{}", `{"event":"room_finished","room":{"name":"r"}}`, `{"event":1}`, "null", `{"createdAt":"-1"}`} {
		f.Add(s)
	}
	v := livekit.NewWebhookVerifier(unitConfig)
	f.Fuzz(func(t *testing.T, body string) {
		ev, err := v.Receive(signed(t, unitConfig.APIKey, unitConfig.APISecret, body, body))
		if err != nil {
			if !errors.Is(err, livekit.ErrMalformedEvent) && !errors.Is(err, livekit.ErrInvalidSignature) {
				t.Fatalf("body %q: unexpected error %v", body, err)
			}
			return
		}
		if ev.Type == "" {
			t.Fatalf("body %q: an event without a type was accepted: %+v", body, ev)
		}
	})
}
