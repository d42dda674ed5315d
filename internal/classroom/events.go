package classroom

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/liveserver/liveserver/internal/domain"
)

// Event types on a room's stream. Payloads are the structs below, in JSON.
const (
	EvLobbyKnock     = "lobby.knock"     // host: a guest asks to enter (LobbyEntryView)
	EvLobbyDecided   = "lobby.decided"   // host: an entry was approved or rejected (LobbyEntryView)
	EvLobbyDecision  = "lobby.decision"  // the guest: its own entry's decision (LobbyEntryView)
	EvRemoved        = "removed"         // the guest: it was removed (RemovedView)
	EvParticipantOut = "participant.out" // all: someone was removed (RemovedView)
	EvRoomState      = "room.state"      // all: locked, chat, files, status (RoomStateView)
	EvHand           = "hand"            // all: a hand went up or down (HandView)
	EvModeration     = "moderation"      // all: mute, stop publishing (ModerationView)
)

// LobbyEntryView is a lobby entry as the host and the guest see it.
type LobbyEntryView struct {
	EntryID   string `json:"entryId"`
	Identity  string `json:"identity"`
	Name      string `json:"name"`
	Status    string `json:"status"`
	CreatedAt string `json:"createdAt"`
}

// LobbyView is the entry as the host and the guest see it.
func LobbyView(e *domain.LobbyEntry) LobbyEntryView {
	return LobbyEntryView{EntryID: e.ID, Identity: e.SessionID, Name: e.Name, Status: string(e.Status),
		CreatedAt: e.CreatedAt.Format(timeFormat)}
}

// RemovedView says who left the call against their will, and why: kicked, banned or panic.
type RemovedView struct {
	Identity string `json:"identity"`
	Name     string `json:"name"`
	Reason   string `json:"reason"`
}

// RoomStateView is the state of a room that everyone in it may know.
type RoomStateView struct {
	Status string `json:"status"`
	// LectureID is the lecture the state is about: the live one, or the one that just ended.
	LectureID    string `json:"lectureId"`
	Locked       bool   `json:"locked"`
	ChatEnabled  bool   `json:"chatEnabled"`
	FilesEnabled bool   `json:"filesEnabled"`
}

func roomState(r *domain.Room) RoomStateView {
	return RoomStateView{Status: string(r.Status), LectureID: r.LectureID, Locked: r.Locked, ChatEnabled: r.ChatEnabled, FilesEnabled: r.FilesEnabled}
}

// HandView is one hand going up or down.
type HandView struct {
	Identity string `json:"identity"`
	Name     string `json:"name"`
	Raised   bool   `json:"raised"`
	RaisedAt string `json:"raisedAt,omitempty"`
}

// ModerationView is a moderation action everyone may see.
type ModerationView struct {
	Action   string `json:"action"`
	Identity string `json:"identity,omitempty"`
}

// Topic is the bus topic of a room's events.
func Topic(roomID string) string { return "room:" + roomID }

// outbox collects the events of one transaction, to publish once it committed.
type outbox struct {
	s      *Service
	events []domain.Event
}

// add stores an event in st's transaction, to be published after commit.
func (o *outbox) add(ctx context.Context, st domain.Store, roomID, typ, audience string, payload any) error {
	b, err := json.Marshal(payload)
	if err != nil {
		return fmt.Errorf("event %s: %w", typ, err)
	}
	e, err := st.AppendEvent(ctx, domain.Event{RoomID: roomID, Type: typ, Audience: audience, Payload: b, CreatedAt: o.s.now()})
	if err != nil {
		return err
	}
	o.events = append(o.events, e)
	return nil
}

// publish sends committed events to the bus. A failure loses nothing: streams that miss the
// message learn of the gap or catch up from the database when they reconnect.
func (o *outbox) publish(ctx context.Context) {
	if o.s.bus == nil {
		return
	}
	for _, e := range o.events {
		b, _ := json.Marshal(e)
		if err := o.s.bus.Publish(ctx, Topic(e.RoomID), b); err != nil {
			o.s.log.WarnContext(ctx, "publish event", "room", e.RoomID, "seq", e.Seq, "err", err)
		}
	}
	o.events = nil
}

// inTx runs fn in a transaction with an outbox, and publishes the outbox after commit.
func (s *Service) inTx(ctx context.Context, fn func(st domain.Store, out *outbox) error) error {
	out := &outbox{s: s}
	if err := s.store.InTx(ctx, func(st domain.Store) error { return fn(st, out) }); err != nil {
		return err
	}
	out.publish(ctx)
	return nil
}
