package httpapi

import (
	"net/http"

	"github.com/liveserver/liveserver/internal/classroom"
	"github.com/liveserver/liveserver/internal/domain"
)

// lobbyEntryJSON is one request to enter, as the host sees it.
type lobbyEntryJSON = classroom.LobbyEntryView

// lobbyQueue lists the room's pending requests for its owner or an admin.
func (s *Server) lobbyQueue(w http.ResponseWriter, r *http.Request) error {
	actor, err := s.actor(r)
	if err != nil {
		return err
	}
	entries, err := s.svc.LobbyQueue(r.Context(), actor, r.PathValue("roomId"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, lobbyViews(entries))
	return nil
}

func lobbyViews(entries []domain.LobbyEntry) []lobbyEntryJSON {
	out := make([]lobbyEntryJSON, len(entries))
	for i := range entries {
		out[i] = classroom.LobbyView(&entries[i])
	}
	return out
}

// lobbyDecide takes {entryId, action} or {all: true, action}, action "approve",
// "unlock_and_approve" (unlocks a locked room, then approves) or "reject", and answers with the
// entries it decided.
func (s *Server) lobbyDecide(w http.ResponseWriter, r *http.Request) error {
	actor, err := s.roomManager(r)
	if err != nil {
		return err
	}
	var in struct {
		EntryID string `json:"entryId"`
		All     bool   `json:"all"`
		Action  string `json:"action"`
	}
	if err := decode(w, r, &in); err != nil {
		return err
	}
	if in.Action != "approve" && in.Action != "reject" && in.Action != "unlock_and_approve" {
		return domain.Invalid("action", "The action must be \"approve\", \"unlock_and_approve\" or \"reject\".")
	}
	if in.All == (in.EntryID != "") {
		return domain.Invalid("entryId", "Give either an entryId or \"all\": true.")
	}
	decided, err := s.svc.DecideLobby(r.Context(), actor, r.PathValue("roomId"),
		classroom.LobbyDecision{EntryID: in.EntryID, All: in.All, Approve: in.Action != "reject", Unlock: in.Action == "unlock_and_approve"})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, lobbyViews(decided))
	return nil
}
