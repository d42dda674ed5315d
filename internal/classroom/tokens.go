package classroom

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/liveserver/liveserver/internal/domain"
)

// tokenTTL is short: a token only opens the connection (LiveKit refreshes it for a connected
// client), and a leaked one is useless soon.
const tokenTTL = 10 * time.Minute

// CallToken is what a browser or bot needs to connect to the call.
type CallToken struct {
	Token string
	URL   string
}

// Token gives the room's owner (or an admin) a host token, and an admitted guest a guest
// token, for the live room.
func (s *Service) Token(ctx context.Context, actor domain.Actor, roomID string) (*CallToken, error) {
	if !validID(roomID) {
		return nil, domain.Invalid("roomId", "The room id is not valid.")
	}
	r, err := s.store.Room(ctx, roomID)
	if err != nil {
		return nil, err
	}
	host := actor.CanManage(r)
	var grant domain.TokenGrant
	if host {
		meta, _ := json.Marshal(map[string]string{"role": "host"})
		grant = domain.TokenGrant{Identity: actor.User.ID, Name: actor.User.Name, Metadata: string(meta), RoomAdmin: true, CanPublish: true}
	} else {
		a, err := s.activeGuest(ctx, s.store, r, actor.GuestSession)
		if err != nil {
			return nil, err
		}
		meta, _ := json.Marshal(map[string]string{"role": "guest"})
		grant = domain.TokenGrant{Identity: a.Identity, Name: a.Name, Metadata: string(meta), CanPublish: a.CanPublish}
	}
	switch {
	case r.Status == domain.RoomEnded && host:
		return nil, domain.Errorf(domain.ERoomEnded, "This lecture has ended.")
	case r.Status == domain.RoomEnded:
		// A guest admitted between lectures is admitted to the next one (the room's current
		// lecture), which has not started: it waits as before the first lecture.
		return nil, domain.Errorf(domain.ERoomNotLive, "The lecture has not started yet.")
	case r.Status == domain.RoomCreated:
		return nil, domain.Errorf(domain.ERoomNotLive, "The lecture has not started yet.")
	}
	if !host && r.Locked {
		return nil, domain.Errorf(domain.ERoomLocked, "The host has locked the room.")
	}
	if s.sfu == nil {
		return nil, errNoSFU
	}
	// The video room may be gone while the lecture is live (the video server restarted); it
	// does not come back by itself on join, so make sure it is there.
	if err := s.createSFURoom(ctx, r); err != nil {
		return nil, err
	}
	if host {
		// Hosts in the call (the owner, or an admin helping) are known by identity, so that
		// moderation never treats them as guests.
		if err := s.store.Admit(ctx, domain.Admission{ID: uuid.NewString(), RoomID: r.ID, LectureID: r.LectureID, Identity: actor.User.ID,
			UserID: actor.User.ID, Name: actor.User.Name, Kind: domain.KindHost, AdmittedAt: s.now()}); err != nil {
			return nil, err
		}
	}
	grant.Room, grant.TTL = r.Call(), tokenTTL
	// Only hosts send data into the call: the web app sends none, and a guest could otherwise
	// send lk.transcription streams that show as captions under its name.
	grant.CanPublishData = host
	// A guest's token does not let it receive anything: LiveKit cannot revoke a token (and
	// refreshes a connected client's), so a token must be worth nothing once its admission is
	// gone. The right to receive comes from our server when LiveKit reports the guest joined and
	// the admission still holds (confirmJoin in webhooks.go).
	grant.CanSubscribe = host
	tok, err := s.sfu.Token(grant)
	if err != nil {
		return nil, fmt.Errorf("mint token: %w", err)
	}
	return &CallToken{Token: tok, URL: s.sfu.URL()}, nil
}
