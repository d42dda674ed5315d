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
	// The device cookie outlives the guest session: a ban holds on to it (device.go).
	actor.Device = s.ensureDevice(w, r)
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
