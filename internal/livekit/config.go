package livekit

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
)

// Config is what every part of this package needs to talk to one LiveKit
// deployment (a dev server, a self-hosted cluster or LiveKit Cloud).
type Config struct {
	// URL is the websocket address clients connect to: ws://host:port or
	// wss://host.
	URL       string
	APIKey    string
	APISecret string
}

// Validate reports the first problem with c, naming the field, so that a bad
// environment fails at start-up rather than on the first request.
func (c Config) Validate() error {
	if c.URL == "" {
		return errors.New("livekit: URL is empty")
	}
	u, err := url.Parse(c.URL)
	if err != nil {
		return fmt.Errorf("livekit: URL %q: %w", c.URL, err)
	}
	if u.Scheme != "ws" && u.Scheme != "wss" {
		return fmt.Errorf("livekit: URL %q: scheme must be ws or wss", c.URL)
	}
	if u.Host == "" {
		return fmt.Errorf("livekit: URL %q has no host", c.URL)
	}
	if c.APIKey == "" {
		return errors.New("livekit: API key is empty")
	}
	if c.APISecret == "" {
		return errors.New("livekit: API secret is empty")
	}
	return nil
}

// HTTPURL is the http(s) form of URL, which the RoomService (Twirp over
// HTTP) needs: ws → http, wss → https. Other schemes are returned unchanged.
func (c Config) HTTPURL() string {
	switch {
	case strings.HasPrefix(c.URL, "wss://"):
		return "https://" + strings.TrimPrefix(c.URL, "wss://")
	case strings.HasPrefix(c.URL, "ws://"):
		return "http://" + strings.TrimPrefix(c.URL, "ws://")
	}
	return c.URL
}
