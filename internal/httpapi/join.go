package httpapi

import (
	"net/http"

	"github.com/liveserver/liveserver/internal/classroom"
	"github.com/liveserver/liveserver/internal/domain"
)

// join is the guest at the door: 200 {status: "admitted"} or 202 {status: "pending", entryId}.
func (s *Server) join(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Name        string `json:"name"`
		PIN         string `json:"pin"`
		Fingerprint string `json:"fingerprint"`
	}
	if err := decode(w, r, &in); err != nil {
		return err
	}
	actor, err := s.actor(r)
	if err != nil {
		return err
	}
	actor.GuestSession = s.ensureGuestSession(w, r)
	res, err := s.svc.Join(r.Context(), actor, r.PathValue("roomId"), classroom.JoinInput{Name: in.Name, PIN: in.PIN, Fingerprint: in.Fingerprint})
	if err != nil {
		return err
	}
	if res.Admitted {
		writeJSON(w, http.StatusOK, map[string]string{"status": "admitted", "identity": actor.GuestSession})
		return nil
	}
	if res.Locked {
		writeLockedKnock(w, res.Entry.ID, actor.GuestSession)
		return nil
	}
	writeJSON(w, http.StatusAccepted, map[string]string{"status": "pending", "entryId": res.Entry.ID, "identity": actor.GuestSession})
	return nil
}

// writeLockedKnock answers a knock on a locked room: the error room_locked, as before, with the
// request the host now sees beside it, so the guest can wait on the lobby stream.
func writeLockedKnock(w http.ResponseWriter, entryID, identity string) {
	writeJSON(w, http.StatusLocked, struct {
		Error    errorDetail `json:"error"`
		Status   string      `json:"status"`
		EntryID  string      `json:"entryId"`
		Identity string      `json:"identity"`
	}{errorDetail{Code: domain.ERoomLocked, Message: "The host has locked the room. The host sees your request and can let you in."},
		"pending", entryID, identity})
}

type lobbyEntryJSON = classroom.LobbyEntryView

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

func (s *Server) moderate(w http.ResponseWriter, r *http.Request) error {
	actor, err := s.roomManager(r)
	if err != nil {
		return err
	}
	var in struct {
		Action   string `json:"action"`
		Identity string `json:"identity"`
	}
	if err := decode(w, r, &in); err != nil {
		return err
	}
	res, err := s.svc.Moderate(r.Context(), actor, r.PathValue("roomId"), in.Action, in.Identity)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, res)
	return nil
}

func (s *Server) handRaise(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Raised *bool `json:"raised"`
	}
	if err := decode(w, r, &in); err != nil {
		return err
	}
	if in.Raised == nil {
		return domain.Invalid("raised", "Say whether the hand is raised: {\"raised\": true} or false.")
	}
	actor, err := s.actor(r)
	if err != nil {
		return err
	}
	if err := s.svc.RaiseHand(r.Context(), actor, r.PathValue("roomId"), *in.Raised); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
