package classroom

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

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
	EvPINAttack      = "pin.attack"      // host: the room's PIN is being guessed (PINAttackView)
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

// outbox collects the events of one transaction, to store at its end and publish once it
// committed.
type outbox struct {
	s      *Service
	events []domain.Event
}

// add queues an event of st's transaction. The events are numbered and stored together when
// the transaction's work is done (AppendEvents: one bump of the room's counter for all of
// them), so a decision on a whole lobby writes its thousand events in a few statements.
func (o *outbox) add(_ context.Context, _ domain.Store, roomID, typ, audience string, payload any) error {
	b, err := json.Marshal(payload)
	if err != nil {
		return fmt.Errorf("event %s: %w", typ, err)
	}
	o.events = append(o.events, domain.Event{RoomID: roomID, Type: typ, Audience: audience, Payload: b, CreatedAt: o.s.now()})
	return nil
}

// store numbers and stores the queued events in st's transaction.
func (o *outbox) store(ctx context.Context, st domain.Store) error {
	if len(o.events) == 0 {
		return nil
	}
	evs, err := st.AppendEvents(ctx, o.events)
	o.events = evs
	return err
}

// publish sends committed events to the bus. A failure loses nothing: streams that miss the
// message learn of the gap or catch up from the database when they reconnect.
func (o *outbox) publish(ctx context.Context) {
	if o.s.bus == nil {
		return
	}
	for i := range o.events {
		e := &o.events[i]
		// The frame is built once here; every stream of the room writes these bytes.
		msg := busMessage(e)
		topics := [2]string{Topic(e.RoomID)}
		if id, ok := strings.CutPrefix(e.Audience, domain.AudienceOf("")); ok {
			topics[1] = GuestTopic(e.RoomID, id)
		} else if e.Type == EvRoomState {
			topics[1] = WaitingTopic(e.RoomID)
		}
		for _, t := range topics {
			if t == "" {
				continue
			}
			if err := o.s.bus.Publish(ctx, t, msg); err != nil {
				o.s.log.WarnContext(ctx, "publish event", "room", e.RoomID, "seq", e.Seq, "err", err)
			}
		}
	}
	o.events = nil
}

// inTx runs fn in a transaction with an outbox, and publishes the outbox after commit.
func (s *Service) inTx(ctx context.Context, fn func(st domain.Store, out *outbox) error) error {
	out := &outbox{s: s}
	err := s.store.InTx(ctx, func(st domain.Store) error {
		if err := fn(st, out); err != nil {
			return err
		}
		return out.store(ctx, st)
	})
	if err != nil {
		return err
	}
	out.publish(ctx)
	return nil
}
