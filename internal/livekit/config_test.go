package livekit_test

import (
	"testing"

	"github.com/liveserver/liveserver/internal/livekit"
)

func TestConfigHTTPURL(t *testing.T) {
	for in, want := range map[string]string{
		"ws://127.0.0.1:7880":    "http://127.0.0.1:7880",
		"wss://lk.example.org":   "https://lk.example.org",
		"https://lk.example.org": "https://lk.example.org",
	} {
		if got := (livekit.Config{URL: in}).HTTPURL(); got != want {
			t.Errorf("HTTPURL(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestConfigValidate(t *testing.T) {
	ok := livekit.Config{URL: "ws://127.0.0.1:7880", APIKey: "k", APISecret: "s"}
	if err := ok.Validate(); err != nil {
		t.Fatalf("valid config: %v", err)
	}
	for name, c := range map[string]livekit.Config{
		"no URL":      {APIKey: "k", APISecret: "s"},
		"http scheme": {URL: "http://127.0.0.1:7880", APIKey: "k", APISecret: "s"},
		"no host":     {URL: "ws://", APIKey: "k", APISecret: "s"},
		"no key":      {URL: "ws://h", APISecret: "s"},
		"no secret":   {URL: "ws://h", APIKey: "k"},
	} {
		if err := c.Validate(); err == nil {
			t.Errorf("%s: Validate() = nil", name)
		}
	}
}
