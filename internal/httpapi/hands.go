package httpapi

import (
	"net/http"

	"github.com/liveserver/liveserver/internal/domain"
)

// handRaise takes {raised} from an admitted participant: its own hand up or down.
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
