package livekit_test

import (
	"errors"
	"testing"
	"time"

	"github.com/livekit/protocol/auth"
	lkproto "github.com/livekit/protocol/livekit"

	"github.com/liveserver/liveserver/internal/livekit"
)

var unitConfig = livekit.Config{URL: "ws://127.0.0.1:7880", APIKey: "unitkey", APISecret: "unit-secret-unit-secret-unit-secret"}

func TestTokenValidation(t *testing.T) {
	valid := livekit.TokenRequest{Room: "r", Identity: "i", TTL: time.Minute}
	tests := map[string]func(*livekit.TokenRequest){
		"empty room":     func(r *livekit.TokenRequest) { r.Room = "" },
		"empty identity": func(r *livekit.TokenRequest) { r.Identity = "" },
		"zero TTL":       func(r *livekit.TokenRequest) { r.TTL = 0 },
		"negative TTL":   func(r *livekit.TokenRequest) { r.TTL = -time.Second },
		"TTL too long":   func(r *livekit.TokenRequest) { r.TTL = livekit.MaxTokenTTL + time.Second },
		"unknown kind":   func(r *livekit.TokenRequest) { r.Kind = "robot" },
	}
	for name, mutate := range tests {
		r := valid
		mutate(&r)
		if _, err := unitConfig.Token(r); !errors.Is(err, livekit.ErrInvalidTokenRequest) {
			t.Errorf("%s: err = %v, want ErrInvalidTokenRequest", name, err)
		}
	}
	if _, err := unitConfig.Token(valid); err != nil {
		t.Fatalf("valid request: %v", err)
	}
	if _, err := (livekit.Config{}).Token(valid); err == nil {
		t.Error("minting without key and secret succeeded")
	}
}

// The grants must say exactly what the request said, with false written
// out: LiveKit reads a missing canPublish as true.
func TestTokenGrants(t *testing.T) {
	tests := map[string]livekit.TokenRequest{
		"guest": {
			Room: "room-1", Identity: "sess-1", Name: "Ann", Metadata: `{"a":1}`, TTL: 10 * time.Minute,
			CanSubscribe: true, CanPublishData: true,
		},
		"agent": {
			Room: "room-1", Identity: "agent-1", Name: "Assistant", TTL: time.Hour,
			CanPublish: true, CanSubscribe: true, CanPublishData: true, Hidden: true, Agent: true, Kind: livekit.KindAgent,
		},
		"host": {
			Room: "room-1", Identity: "host-1", TTL: livekit.MaxTokenTTL,
			CanPublish: true, CanSubscribe: true, CanPublishData: true, RoomAdmin: true,
		},
	}
	for name, req := range tests {
		t.Run(name, func(t *testing.T) {
			before := time.Now()
			jwt, err := unitConfig.Token(req)
			if err != nil {
				t.Fatal(err)
			}
			v, err := auth.ParseAPIToken(jwt)
			if err != nil {
				t.Fatal(err)
			}
			if v.APIKey() != unitConfig.APIKey {
				t.Errorf("issuer %q, want %q", v.APIKey(), unitConfig.APIKey)
			}
			claims, grants, err := v.Verify(unitConfig.APISecret)
			if err != nil {
				t.Fatal(err)
			}
			if _, _, err := v.Verify("another-secret"); err == nil {
				t.Error("token verifies with another secret")
			}
			if got := claims.ExpiresAt.Time; got.Before(before.Add(req.TTL).Add(-time.Second)) || got.After(time.Now().Add(req.TTL).Add(time.Second)) {
				t.Errorf("expires at %v, want about now+%v", got, req.TTL)
			}
			g := grants.Video
			if grants.Identity != req.Identity || grants.Name != req.Name || grants.Metadata != req.Metadata {
				t.Errorf("identity/name/metadata = %q/%q/%q", grants.Identity, grants.Name, grants.Metadata)
			}
			if !g.RoomJoin || g.Room != req.Room {
				t.Errorf("roomJoin=%v room=%q", g.RoomJoin, g.Room)
			}
			if g.CanPublish == nil || *g.CanPublish != req.CanPublish ||
				g.CanSubscribe == nil || *g.CanSubscribe != req.CanSubscribe ||
				g.CanPublishData == nil || *g.CanPublishData != req.CanPublishData {
				t.Errorf("publish/subscribe/data flags not explicit or wrong: %+v", g)
			}
			if g.RoomAdmin != req.RoomAdmin || g.Hidden != req.Hidden || g.Agent != req.Agent {
				t.Errorf("admin/hidden/agent = %v/%v/%v", g.RoomAdmin, g.Hidden, g.Agent)
			}
			if g.RoomCreate || g.RoomList || g.RoomRecord {
				t.Errorf("server-side grants leaked into a participant token: %+v", g)
			}
			wantKind := lkproto.ParticipantInfo_STANDARD
			if req.Kind == livekit.KindAgent {
				wantKind = lkproto.ParticipantInfo_AGENT
			}
			if k := grants.GetParticipantKind(); k != wantKind {
				t.Errorf("kind %v, want %v", k, wantKind)
			}
		})
	}
}
