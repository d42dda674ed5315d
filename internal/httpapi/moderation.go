package httpapi

import "net/http"

// moderate takes {action, identity} from the room's owner or an admin and answers with what
// the action did.
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
