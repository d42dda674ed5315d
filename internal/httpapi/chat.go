package httpapi

import (
	"net/http"
	"strconv"

	"github.com/liveserver/liveserver/internal/classroom"
	"github.com/liveserver/liveserver/internal/domain"
)

// chatMessageJSON is a message in the API: {id, clientId, identity, name, text, createdAt}.
type chatMessageJSON = classroom.ChatView

// sendChat takes {text, clientId} from an admitted participant; a retry with the same clientId
// answers with the message already stored.
func (s *Server) sendChat(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Text     string `json:"text"`
		ClientID string `json:"clientId"`
	}
	if err := decode(w, r, &in); err != nil {
		return err
	}
	actor, err := s.actor(r)
	if err != nil {
		return err
	}
	m, created, err := s.svc.SendChat(r.Context(), actor, r.PathValue("roomId"), in.Text, in.ClientID)
	if err != nil {
		return err
	}
	status := http.StatusCreated
	if !created {
		status = http.StatusOK // a retry of a message already stored
	}
	writeJSON(w, status, classroom.ChatViewOf(m))
	return nil
}

// chatHistory answers ?before=<messageId>&limit=N with a page of older messages, oldest first.
func (s *Server) chatHistory(w http.ResponseWriter, r *http.Request) error {
	actor, err := s.actor(r)
	if err != nil {
		return err
	}
	limit := 0
	if v := r.URL.Query().Get("limit"); v != "" {
		if limit, err = strconv.Atoi(v); err != nil || limit < 1 {
			return domain.Invalid("limit", "The limit must be a positive number.")
		}
	}
	msgs, err := s.svc.ChatHistory(r.Context(), actor, r.PathValue("roomId"), r.URL.Query().Get("before"), limit)
	if err != nil {
		return err
	}
	out := make([]chatMessageJSON, len(msgs))
	for i := range msgs {
		out[i] = classroom.ChatViewOf(&msgs[i])
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (s *Server) deleteChat(w http.ResponseWriter, r *http.Request) error {
	actor, err := s.actor(r)
	if err != nil {
		return err
	}
	if err := s.svc.DeleteChat(r.Context(), actor, r.PathValue("roomId"), r.PathValue("messageId")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
