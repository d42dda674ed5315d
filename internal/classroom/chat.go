package classroom

import (
	"context"
	"encoding/json"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/liveserver/liveserver/internal/domain"
)

// Chat limits.
const (
	MaxChatText      = 2000
	chatPerSender    = 10 // messages per chatWindow per sender
	chatWindow       = 10 * time.Second
	chatPageDefault  = 50
	chatPageMax      = 200
	maxClientIDBytes = 64
)

// Chat events.
const (
	EvChatMessage = "chat.message" // all: a new message (ChatView)
	EvChatDeleted = "chat.deleted" // all: {id}
)

// ChatView is a message as everyone sees it.
type ChatView struct {
	ID        string `json:"id"`
	ClientID  string `json:"clientId"`
	Identity  string `json:"identity"`
	Name      string `json:"name"`
	Host      bool   `json:"host"`
	Text      string `json:"text"`
	CreatedAt string `json:"createdAt"`
}

// ChatViewOf is the message as clients see it.
func ChatViewOf(m *domain.ChatMessage) ChatView {
	return ChatView{ID: m.ID, ClientID: m.ClientID, Identity: m.SenderIdentity, Name: m.SenderName, Host: m.FromHost, Text: m.Text,
		CreatedAt: m.CreatedAt.Format(timeFormat)}
}

// SendChat stores a message, then announces it on the room's stream (the same transaction
// writes both, so a reconnecting client finds it). A retry with the same clientId returns the
// stored message and announces nothing again.
func (s *Service) SendChat(ctx context.Context, actor domain.Actor, roomID, text, clientID string) (*domain.ChatMessage, bool, error) {
	v, r, err := s.RoomViewer(ctx, actor, roomID)
	if err != nil {
		return nil, false, err
	}
	text, err = cleanChatText(text)
	if err != nil {
		return nil, false, err
	}
	if clientID == "" {
		clientID = uuid.NewString()
	} else if len(clientID) > maxClientIDBytes || strings.IndexFunc(clientID, func(c rune) bool { return c <= ' ' || c > '~' }) >= 0 {
		return nil, false, domain.Invalid("clientId", "The clientId must be at most %d printable ASCII characters.", maxClientIDBytes)
	}
	if r.Status == domain.RoomEnded {
		return nil, false, domain.Errorf(domain.ERoomEnded, "This lecture has ended; its chat is read-only.")
	}
	if !v.IsHost && !r.ChatEnabled {
		return nil, false, domain.Errorf(domain.EChatOff, "The host has turned the chat off.")
	}
	if err := s.limit(ctx, "chat:"+r.ID+":"+v.Identity, chatPerSender, chatWindow); err != nil {
		return nil, false, err
	}
	m := domain.ChatMessage{ID: uuid.NewString(), RoomID: r.ID, LectureID: r.LectureID, SenderIdentity: v.Identity, SenderName: v.Name,
		FromHost: v.IsHost, ClientID: clientID, Text: text, CreatedAt: s.now()}
	var stored *domain.ChatMessage
	var created bool
	err = s.inTx(ctx, func(st domain.Store, out *outbox) error {
		if stored, created, err = st.CreateChatMessage(ctx, m); err != nil || !created {
			return err
		}
		return out.add(ctx, st, r.ID, EvChatMessage, domain.AudienceAll, ChatViewOf(stored))
	})
	if err != nil {
		return nil, false, err
	}
	return stored, created, nil
}

// ChatHistory pages through the room's chat, newest page first (each page oldest first).
func (s *Service) ChatHistory(ctx context.Context, actor domain.Actor, roomID, before string, limit int) ([]domain.ChatMessage, error) {
	_, r, err := s.RoomViewer(ctx, actor, roomID)
	if err != nil {
		return nil, err
	}
	if limit <= 0 {
		limit = chatPageDefault
	}
	if limit > chatPageMax {
		return nil, domain.Invalid("limit", "The page size must be at most %d.", chatPageMax)
	}
	if before != "" && !validID(before) {
		return nil, domain.Invalid("before", "The before cursor must be a message id.")
	}
	return s.store.ChatMessages(ctx, r.LectureID, before, limit)
}

// DeleteChat removes a message; the host (or an admin) may.
func (s *Service) DeleteChat(ctx context.Context, actor domain.Actor, roomID, messageID string) error {
	r, err := s.Room(ctx, actor, roomID)
	if err != nil {
		return err
	}
	if !validID(messageID) {
		return domain.Errorf(domain.ENotFound, "No such message.")
	}
	return s.inTx(ctx, func(st domain.Store, out *outbox) error {
		ok, err := st.DeleteChatMessage(ctx, r.LectureID, messageID, s.now(), actor.User.ID)
		if err != nil {
			return err
		}
		if !ok {
			return domain.Errorf(domain.ENotFound, "No such message.")
		}
		// The message's own event leaves the log too: a stream resuming from before it (from 0
		// included) replays its deletion, never its text.
		gone, err := json.Marshal(map[string]string{"id": messageID})
		if err != nil {
			return err
		}
		if _, err := st.RewriteEvents(ctx, r.ID, EvChatMessage, messageID, EvChatDeleted, gone); err != nil {
			return err
		}
		if err := out.add(ctx, st, r.ID, EvChatDeleted, domain.AudienceAll, map[string]string{"id": messageID}); err != nil {
			return err
		}
		return s.logAction(ctx, st, actor, r, "delete_message", "", "", map[string]string{"messageId": messageID})
	})
}

// viewerName is the name others see for the viewer: the account's, or the one the guest gave.
// cleanChatText allows line breaks and tabs but no other control or invisible format characters.
func cleanChatText(v string) (string, error) {
	v = strings.TrimSpace(v)
	if !utf8.ValidString(v) {
		return "", domain.Invalid("text", "The message is not valid UTF-8 text.")
	}
	if v == "" {
		return "", domain.Invalid("text", "The message is empty.")
	}
	if n := utf8.RuneCountInString(v); n > MaxChatText {
		return "", domain.Invalid("text", "The message is %d characters long; the limit is %d.", n, MaxChatText)
	}
	for _, r := range v {
		if (unicode.IsControl(r) && r != '\n' && r != '\t') || unicode.Is(unicode.Cf, r) && r != '\u200d' {
			return "", domain.Invalid("text", "The message contains characters that are not allowed.")
		}
	}
	return v, nil
}
