package httpapi

import (
	"net/http"

	"github.com/liveserver/liveserver/internal/domain"
)

// livekitToken answers {roomId} with {token, url} for the video call.
func (s *Server) livekitToken(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		RoomID string `json:"roomId"`
	}
	if err := decode(w, r, &in); err != nil {
		return err
	}
	actor, err := s.actor(r)
	if err != nil {
		return err
	}
	tok, err := s.svc.Token(r.Context(), actor, in.RoomID)
	if err != nil {
		return err
	}
	url := tok.URL
	if s.signal != nil {
		url = s.signalURL(r) // LiveKit through our own origin
	}
	// captions says whether the assistant transcribes this instance's calls (STT_PROVIDER).
	writeJSON(w, http.StatusOK, map[string]any{"token": tok.Token, "url": url, "captions": s.opts.Captions})
	return nil
}

// livekitWebhook takes LiveKit's signed events. It answers 2xx only once the event is applied:
// LiveKit retries anything else with the same id.
func (s *Server) livekitWebhook(w http.ResponseWriter, r *http.Request) error {
	if s.hooks == nil {
		return domain.Errorf(domain.EUnavailable, "No video server is configured on this instance.")
	}
	ev, err := s.hooks.ReceiveWebhook(r)
	if err != nil {
		if domain.ErrorCode(err) == domain.EUnauthorized {
			s.log.WarnContext(r.Context(), "webhook refused: bad signature", "ip", s.clientIP(r))
		}
		return err
	}
	if err := s.svc.HandleWebhook(r.Context(), ev); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
