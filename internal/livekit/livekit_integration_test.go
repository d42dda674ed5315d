package livekit_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	lkproto "github.com/livekit/protocol/livekit"
	lksdk "github.com/livekit/server-sdk-go/v2"

	"github.com/liveserver/liveserver/internal/livekit"
	"github.com/liveserver/liveserver/internal/livekit/livekittest"
)

func newClient(t *testing.T, srv livekittest.Server) *livekit.Client {
	t.Helper()
	c, err := livekit.NewClient(srv.Config)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func testContext(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func TestTokensAgainstServer(t *testing.T) {
	srv := livekittest.Start(t)
	ctx := testContext(t)
	c := newClient(t, srv)
	for _, name := range []string{"room-a", "room-b"} {
		if _, err := c.CreateRoom(ctx, livekit.RoomSpec{Name: name, EmptyTimeout: time.Minute, MaxParticipants: 0, Metadata: ""}); err != nil {
			t.Fatal(err)
		}
	}

	t.Run("host token joins", func(t *testing.T) {
		host := mustJoin(t, srv, livekit.TokenRequest{
			Room: "room-a", Identity: "host", Name: "Teacher", TTL: time.Minute,
			CanPublish: true, CanSubscribe: true, CanPublishData: true, RoomAdmin: true,
		})
		if host.Room.Name() != "room-a" {
			t.Errorf("joined %q", host.Room.Name())
		}
		ps, err := c.ListParticipants(ctx, "room-a")
		if err != nil {
			t.Fatal(err)
		}
		if !hasIdentity(ps, "host") {
			t.Errorf("host not listed: %+v", ps)
		}
	})

	t.Run("a room that was never created cannot be joined", func(t *testing.T) {
		// auto_create is off in our config: a token outliving its lecture cannot bring the
		// room back.
		tok, err := srv.Config.Token(guest("room-never", "stray"))
		if err != nil {
			t.Fatal(err)
		}
		if b, err := join(t, srv.Config.URL, tok); err == nil {
			t.Fatalf("joined %q, which does not exist", b.Room.Name())
		}
	})

	t.Run("token for another room stays out of this one", func(t *testing.T) {
		other := mustJoin(t, srv, guest("room-b", "stranger"))
		if other.Room.Name() != "room-b" {
			t.Errorf("token for room-b joined %q", other.Room.Name())
		}
		ps, err := c.ListParticipants(ctx, "room-a")
		if err != nil {
			t.Fatal(err)
		}
		if hasIdentity(ps, "stranger") {
			t.Error("room-b's token got into room-a")
		}
	})

	// Each must be refused for its own reason, not because of ICE.
	refused := map[string]struct{ token, reason string }{
		"expired token": {handToken(t, srv.Config.APIKey, srv.Config.APISecret, "room-a", "late", -10*time.Minute), "expired"},
		"wrong secret":  {handToken(t, srv.Config.APIKey, "wrong-secret-wrong-secret-wrong-secret", "room-a", "forger", time.Minute), "signature is invalid"},
	}
	for name, tc := range refused {
		t.Run(name+" is refused", func(t *testing.T) {
			b, err := join(t, srv.Config.URL, tc.token)
			if err == nil {
				t.Fatalf("joined %q", b.Room.Name())
			}
			if !strings.Contains(err.Error(), tc.reason) {
				t.Errorf("refused with %v, want a reason containing %q", err, tc.reason)
			}
			ps, err := c.ListParticipants(ctx, "room-a")
			if err != nil {
				t.Fatal(err)
			}
			if hasIdentity(ps, "late") || hasIdentity(ps, "forger") {
				t.Errorf("refused token is listed: %+v", ps)
			}
		})
	}
}

// handToken signs a join token by hand, because the library cannot mint
// an expired token.
func handToken(t *testing.T, key, secret, room, identity string, validFor time.Duration) string {
	t.Helper()
	now := time.Now()
	claims := jwt.MapClaims{
		"iss": key, "sub": identity,
		"nbf": now.Add(-time.Hour).Unix(), "exp": now.Add(validFor).Unix(),
		"video": map[string]any{"roomJoin": true, "room": room},
	}
	tok, err := jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString([]byte(secret))
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func hasIdentity(ps []livekit.Participant, identity string) bool {
	return slices.ContainsFunc(ps, func(p livekit.Participant) bool { return p.Identity == identity })
}

func TestClientAgainstServer(t *testing.T) {
	srv := livekittest.Start(t)
	ctx := testContext(t)
	c := newClient(t, srv)

	room, err := c.CreateRoom(ctx, livekit.RoomSpec{Name: "lecture-1", EmptyTimeout: 5 * time.Minute, MaxParticipants: 30, Metadata: `{"title":"Maths"}`})
	if err != nil {
		t.Fatal(err)
	}
	if room.Name != "lecture-1" || room.SID == "" || room.MaxParticipants != 30 || room.EmptyTimeout != 5*time.Minute || room.Metadata != `{"title":"Maths"}` {
		t.Errorf("created room %+v", room)
	}
	rooms, err := c.ListRooms(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(rooms, func(r livekit.Room) bool { return r.Name == "lecture-1" && r.SID == room.SID }) {
		t.Fatalf("ListRooms = %+v", rooms)
	}

	ann := mustJoin(t, srv, guest("lecture-1", "ann"))
	mustJoin(t, srv, livekit.TokenRequest{
		Room: "lecture-1", Identity: "assistant", Name: "AI", TTL: time.Minute,
		CanSubscribe: true, CanPublishData: true, Hidden: true, Agent: true, Kind: livekit.KindAgent,
	})

	ps, err := c.ListParticipants(ctx, "lecture-1")
	if err != nil {
		t.Fatal(err)
	}
	if len(ps) != 2 {
		t.Fatalf("ListParticipants = %+v", ps)
	}
	for _, p := range ps {
		switch p.Identity {
		case "ann":
			if p.Name != "Guest ann" || p.SID == "" || p.Hidden || p.Kind != "" || p.CanPublish || p.JoinedAt.IsZero() {
				t.Errorf("ann = %+v", p)
			}
			if time.Since(p.JoinedAt) > time.Minute || time.Until(p.JoinedAt) > time.Minute {
				t.Errorf("ann joined at %v", p.JoinedAt)
			}
		case "assistant":
			if !p.Hidden || p.Kind != livekit.KindAgent {
				t.Errorf("assistant = %+v", p)
			}
		default:
			t.Errorf("unexpected participant %+v", p)
		}
	}

	t.Run("SetCanPublish keeps the other permissions", func(t *testing.T) {
		if err := c.SetCanPublish(ctx, "lecture-1", "ann", true); err != nil {
			t.Fatal(err)
		}
		p, err := c.GetParticipant(ctx, "lecture-1", "ann")
		if err != nil {
			t.Fatal(err)
		}
		if !p.CanPublish {
			t.Error("canPublish not granted")
		}
		if err := c.SetCanPublish(ctx, "lecture-1", "assistant", false); err != nil {
			t.Fatal(err)
		}
		a, err := c.GetParticipant(ctx, "lecture-1", "assistant")
		if err != nil {
			t.Fatal(err)
		}
		if a.CanPublish || !a.Hidden {
			t.Errorf("after SetCanPublish(false) the assistant is %+v; hidden must stay", a)
		}
	})

	t.Run("missing participant and track", func(t *testing.T) {
		if err := c.SetCanPublish(ctx, "lecture-1", "nobody", false); !errors.Is(err, livekit.ErrParticipantNotFound) {
			t.Errorf("SetCanPublish(nobody) = %v", err)
		}
		if err := c.MuteTrack(ctx, "lecture-1", "nobody", "TR_x", true); !errors.Is(err, livekit.ErrParticipantNotFound) {
			t.Errorf("MuteTrack(nobody) = %v", err)
		}
		if err := c.MuteTrack(ctx, "lecture-1", "ann", "TR_x", true); !errors.Is(err, livekit.ErrTrackNotFound) {
			t.Errorf("MuteTrack(unknown track) = %v", err)
		}
		if _, err := c.GetParticipant(ctx, "no-such-room", "ann"); !errors.Is(err, livekit.ErrParticipantNotFound) {
			t.Errorf("GetParticipant in unknown room = %v", err)
		}
		if ps, err := c.ListParticipants(ctx, "no-such-room"); err != nil || len(ps) != 0 {
			t.Errorf("ListParticipants(unknown room) = %v, %v", ps, err)
		}
	})

	t.Run("RemoveParticipant disconnects the bot", func(t *testing.T) {
		if err := c.RemoveParticipant(ctx, "lecture-1", "ann"); err != nil {
			t.Fatal(err)
		}
		ann.WaitGone(t, lksdk.ParticipantRemoved, lkproto.DisconnectReason_PARTICIPANT_REMOVED)
		if err := c.RemoveParticipant(ctx, "lecture-1", "ann"); err != nil {
			t.Errorf("removing someone already gone: %v", err)
		}
	})

	t.Run("DeleteRoom disconnects everyone", func(t *testing.T) {
		bob := mustJoin(t, srv, guest("lecture-1", "bob"))
		if err := c.DeleteRoom(ctx, "lecture-1"); err != nil {
			t.Fatal(err)
		}
		bob.WaitGone(t, lksdk.OtherReason, lkproto.DisconnectReason_ROOM_DELETED)
		rooms, err := c.ListRooms(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if slices.ContainsFunc(rooms, func(r livekit.Room) bool { return r.Name == "lecture-1" }) {
			t.Errorf("room still listed: %+v", rooms)
		}
		if err := c.DeleteRoom(ctx, "lecture-1"); err != nil {
			t.Errorf("deleting it again: %v", err)
		}
		if err := c.DeleteRoom(ctx, "never-existed"); err != nil {
			t.Errorf("deleting an unknown room: %v", err)
		}
	})
}
