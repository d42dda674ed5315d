package httpapi

import (
	"net/http"
	"path"
	"strings"

	"github.com/liveserver/liveserver/internal/domain"
)

// routes lists every route of the server. Paths follow DESIGN §4.
func (s *Server) routes() {
	m := s.mux

	m.Handle("GET /healthz", http.HandlerFunc(s.healthz))
	m.Handle("GET /readyz", http.HandlerFunc(s.readyz))
	m.Handle("GET /metrics", s.handle(s.serveMetrics))
	m.Handle("GET /api/instance", s.handle(s.instance))
	m.Handle("GET /ca.crt", s.handle(s.caCertificate))

	m.Handle("POST /api/auth/register", s.handle(s.register))
	m.Handle("POST /api/auth/login", s.handle(s.login))
	m.Handle("POST /api/auth/logout", s.handle(s.logout))
	m.Handle("GET /api/auth/me", s.handle(s.me))
	m.Handle("POST /api/setup", s.handle(s.setup))

	m.Handle("GET /api/rooms", s.handle(s.listRooms))
	m.Handle("POST /api/rooms", s.handle(s.createRoom))
	m.Handle("GET /api/rooms/by-code/{code}", s.handle(s.roomByCode))
	m.Handle("GET /api/rooms/{roomId}", s.handle(s.getRoom))
	m.Handle("PATCH /api/rooms/{roomId}", s.handle(s.updateRoom))
	m.Handle("DELETE /api/rooms/{roomId}", s.handle(s.deleteRoom))
	m.Handle("POST /api/rooms/{roomId}/start", s.handle(s.startRoom))
	m.Handle("POST /api/rooms/{roomId}/end", s.handle(s.endRoom))

	// GET /api/rooms/{roomId}/X would clash with GET /api/rooms/by-code/{code} in ServeMux (neither
	// is more specific), so these are dispatched by name; by-code stays the more specific one.
	s.roomGets = map[string]handlerFunc{
		"lobby":    s.lobbyQueue,   // GET /api/rooms/{roomId}/lobby
		"lectures": s.roomLectures, // GET /api/rooms/{roomId}/lectures
		"events":   s.roomEvents,   // GET /api/rooms/{roomId}/events
		"chat":     s.chatHistory,  // GET /api/rooms/{roomId}/chat
		"files":    s.listFiles,    // GET /api/rooms/{roomId}/files
	}
	m.Handle(roomGetPattern, s.handle(func(w http.ResponseWriter, r *http.Request) error {
		if h, ok := s.roomGets[r.PathValue("resource")]; ok {
			return h(w, r)
		}
		return s.noRoute(w, r)
	}))
	m.Handle("POST /api/rooms/{roomId}/join", s.handle(s.join))
	m.Handle("GET /api/rooms/{roomId}/lobby/stream", s.handle(s.lobbyStream))
	m.Handle("POST /api/rooms/{roomId}/lobby", s.handle(s.lobbyDecide))
	m.Handle("POST /api/rooms/{roomId}/moderate", s.handle(s.moderate))
	m.Handle("POST /api/rooms/{roomId}/hand-raise", s.handle(s.handRaise))

	m.Handle("POST /api/rooms/{roomId}/chat", s.handle(s.sendChat))
	m.Handle("DELETE /api/rooms/{roomId}/chat/{messageId}", s.handle(s.deleteChat))
	m.Handle("POST /api/rooms/{roomId}/files", s.handle(s.uploadFile))
	m.Handle("GET /api/rooms/{roomId}/files/{fileId}", s.handle(s.downloadFile))
	m.Handle("DELETE /api/rooms/{roomId}/files/{fileId}", s.handle(s.deleteFile))

	m.Handle("GET /api/admin/rooms", s.handle(s.adminRooms))
	m.Handle("GET /api/admin/users", s.handle(s.adminUsers))
	m.Handle("POST /api/admin/users", s.handle(s.adminCreateUser))
	m.Handle("PATCH /api/admin/users/{userId}", s.handle(s.adminUpdateUser))
	m.Handle("GET /api/admin/settings", s.handle(s.adminSettings))
	m.Handle("PATCH /api/admin/settings", s.handle(s.adminUpdateSettings))
	m.Handle("GET /api/admin/moderation-log", s.handle(s.adminModerationLog))
	m.Handle("GET /api/admin/health", s.handle(s.adminHealth))
	m.Handle("GET /api/admin/storage", s.handle(s.adminStorage))

	m.Handle("GET /api/lectures/{lectureId}", s.handle(s.lecturePage))
	m.Handle("GET /api/lectures/{lectureId}/export", s.handle(s.lectureExport))
	m.Handle("POST /api/lectures/{lectureId}/export/drive", s.handle(s.driveExport))
	m.Handle("POST /api/lectures/{lectureId}/share", s.handle(s.lectureShare))
	m.Handle("GET /api/drive/connect", s.handle(s.driveConnect))
	m.Handle("GET /api/drive/callback", s.handle(s.driveCallback))

	m.Handle("POST /api/livekit/token", s.handle(s.livekitToken))
	m.Handle("POST /api/livekit/webhook", s.handle(s.livekitWebhook))
	s.signalRoutes(m) // GET /rtc, /rtc/v1 and their /validate, forwarded to LiveKit

	// Anything else under /api/ is a JSON 404 or 405, never the web app's page.
	m.Handle("/api/", s.handle(s.noRoute))
	if s.web != nil {
		// "GET /" would conflict with "/api/" in ServeMux's precedence rules, so the web app
		// takes every method and refuses all but GET and HEAD itself.
		m.Handle("/", s.webApp())
	}
}

func (s *Server) webApp() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "Method not allowed", http.StatusMethodNotAllowed)
			return
		}
		s.web.ServeHTTP(w, r)
	})
}

// roomGetPattern dispatches the GET sub-resources of a room by name.
const roomGetPattern = "GET /api/rooms/{roomId}/{resource}"

// noRoute answers an /api/ request that no route takes: 405 with Allow when the path exists
// for other methods, 404 otherwise.
func (s *Server) noRoute(w http.ResponseWriter, r *http.Request) error {
	var allow []string
	for _, method := range []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete} {
		probe := r.Clone(r.Context())
		probe.Method = method
		_, pattern := s.mux.Handler(probe)
		if pattern == roomGetPattern {
			if _, ok := s.roomGets[path.Base(r.URL.Path)]; !ok {
				continue
			}
		} else if pattern == "/api/" || pattern == "" {
			continue
		}
		allow = append(allow, method)
	}
	if len(allow) > 0 {
		w.Header().Set("Allow", strings.Join(allow, ", "))
		writeJSON(w, http.StatusMethodNotAllowed, errorBody{Error: errorDetail{Code: "method_not_allowed",
			Message: "This method is not allowed here; use " + strings.Join(allow, ", ") + "."}})
		return nil
	}
	return domain.Errorf(domain.ENotFound, "There is no such API route.")
}
