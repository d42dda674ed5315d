// Package httpapi is LiveServer's HTTP interface: every route in routes.go, one file per
// resource. A handler decodes the request, calls one rule of the classroom and encodes the
// answer; it holds no SQL and no LiveKit calls.
package httpapi

import (
	"context"
	"log/slog"
	"math"
	"net/http"
	"net/http/httputil"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/liveserver/liveserver/internal/classroom"
	"github.com/liveserver/liveserver/internal/domain"
	"github.com/liveserver/liveserver/internal/lecture"
	"github.com/liveserver/liveserver/internal/metrics"
)

// Check is one dependency that /readyz asks.
type Check struct {
	Name string
	Ping func(context.Context) error
}

// Options are the HTTP interface's settings, from the instance's configuration.
type Options struct {
	// PublicURL is where browsers reach the instance (invite and share links).
	PublicURL string
	// TLS is how the instance serves HTTPS (config.TLS*: off, acme, lan), for the web app.
	TLS string
	// SecureCookies marks cookies Secure with the __Host- prefix: behind TLS.
	SecureCookies bool
	// HSTS sends Strict-Transport-Security: for a public domain only (LAN mode's HTTPS is
	// reached at addresses, where browsers ignore it, or at localhost, which it would keep from
	// plain `make run` for a year).
	HSTS bool
	// AuthSecret signs guest cookies.
	AuthSecret string
	// DevAccessKey and AllowedIPs keep a development instance private (see devaccess.go);
	// both empty turn that protection off.
	DevAccessKey string
	AllowedIPs   []netip.Prefix
	// TrustedProxies are the proxies whose X-Forwarded-For is believed.
	TrustedProxies []netip.Prefix
	// MaxUpload is the largest shared file in bytes.
	MaxUpload int64
	// MetricsToken, when set, is the bearer token /metrics asks for.
	MetricsToken string
	// Captions says whether the assistant captions calls (a speech-to-text provider is set).
	Captions bool
	// LiveKitURL is where browsers reach LiveKit; the pages' CSP lets them connect there only.
	LiveKitURL string
	// LiveKitSignal, when set, is LiveKit's address (ws:// or wss://) that its signalling paths
	// are forwarded to (signal.go): browsers then reach LiveKit on our own origin, the token
	// answer names it, and the pages' CSP allows no other. Empty forwards nothing.
	LiveKitSignal string
	// Heartbeat is how often an idle event stream sends a comment; 15 s when zero.
	Heartbeat time.Duration
	// StreamsPerSession and StreamsPerAddress cap the event streams open at once on this
	// replica; DefaultStreamsPerSession and DefaultStreamsPerAddress when zero.
	StreamsPerSession, StreamsPerAddress int
}

// Deps is what the HTTP interface needs.
type Deps struct {
	Log       *slog.Logger
	Classroom *classroom.Service
	Limiter   domain.Limiter
	Checks    []Check      // for /readyz
	Web       http.Handler // the browser app; nil serves nothing outside /api
	// Webhooks verifies the video server's webhooks; nil when there is no video server.
	Webhooks WebhookReceiver
	// Bus delivers room events to the event streams.
	Bus domain.Bus
	// Lectures serves the lecture pages and exports.
	Lectures *lecture.Service
	// Metrics, when set, counts requests and streams and serves /metrics.
	Metrics *metrics.Metrics
	// LocalCA is the LAN mode's CA certificate (DER), served at /ca.crt; nil in other modes.
	LocalCA []byte
}

// WebhookReceiver verifies a webhook request (signature over the raw body) and returns its
// event; a bad signature is domain.EUnauthorized.
type WebhookReceiver interface {
	ReceiveWebhook(r *http.Request) (domain.WebhookEvent, error)
}

// Server is the HTTP interface; it is an http.Handler.
type Server struct {
	opts       Options
	log        *slog.Logger
	svc        *classroom.Service
	limiter    domain.Limiter
	checks     []Check
	ready      readyChecks // /readyz's latest round
	web        http.Handler
	hooks      WebhookReceiver
	bus        domain.Bus
	beat       time.Duration
	lectures   *lecture.Service
	metrics    *metrics.Metrics
	connectSrc string
	signal     *httputil.ReverseProxy // nil: LiveKit's signalling is not forwarded
	// signalConns are the signalling websockets being forwarded, which Close ends.
	signalConns hijackedConns
	localCA     []byte
	streams     *streamLimits
	mux         *http.ServeMux
	// roomGets are the GET sub-resources of a room, by name (see routes).
	roomGets map[string]handlerFunc
	handler  http.Handler
}

// New returns the HTTP interface over deps.
func New(d Deps, o Options) *Server {
	s := &Server{opts: o, log: d.Log, svc: d.Classroom, limiter: d.Limiter, checks: d.Checks, web: d.Web,
		hooks: d.Webhooks, bus: d.Bus, beat: o.Heartbeat, lectures: d.Lectures, metrics: d.Metrics,
		connectSrc: connectSources(o.LiveKitURL), localCA: d.LocalCA, streams: newStreamLimits(o.StreamsPerSession, o.StreamsPerAddress),
		mux: http.NewServeMux()}
	if s.opts.MaxUpload <= 0 {
		s.opts.MaxUpload = classroom.DefaultMaxUpload
	}
	if s.beat <= 0 {
		s.beat = 15 * time.Second
	}
	if o.LiveKitSignal != "" {
		if p, err := s.newSignalProxy(o.LiveKitSignal); err != nil {
			s.log.Error("LiveKit signalling is not forwarded", "err", err)
		} else {
			s.signal, s.connectSrc = p, "'self'"
		}
	}
	s.routes()
	// Outermost first: every request gets an id and a log line, then headers, then the
	// instance's access rules, then CSRF protection, then the route.
	s.handler = requestID(s.accessLog(s.securityHeaders(s.devProtection(s.crossOrigin(s.mux)))))
	return s
}

// ConfigureServer sets the timeouts of the http.Server that serves s: a client must send its
// request in bounded time and an idle keep-alive connection is closed, while event streams,
// which clear their own read deadline and bound each write, stay open.
func ConfigureServer(srv *http.Server) {
	srv.ReadHeaderTimeout = 10 * time.Second
	srv.ReadTimeout = time.Minute // uploads extend theirs (uploadReadTimeout); streams clear it
	srv.IdleTimeout = 2 * time.Minute
	// No WriteTimeout: event streams stay open; each write sets its own deadline.
}

// uploadReadTimeout is how long an admitted participant may take to send a shared file.
const uploadReadTimeout = 15 * time.Minute

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }

// Close ends what http.Server's Shutdown leaves running: the signalling websockets forwarded
// to LiveKit (hijacked connections are not the server's any more). Call it after Shutdown.
func (s *Server) Close() { s.signalConns.closeAll() }

// handlerFunc is a handler that returns its error; handle writes it in the JSON error shape.
type handlerFunc func(w http.ResponseWriter, r *http.Request) error

func (s *Server) handle(h handlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := h(w, r); err != nil {
			s.writeError(w, r, err)
		}
	})
}

// actor is who makes the request: the signed-in user, if the session cookie is valid.
func (s *Server) actor(r *http.Request) (domain.Actor, error) {
	a := domain.Actor{IP: s.clientIP(r), GuestSession: s.guestSession(r), Device: s.device(r)}
	token := s.sessionToken(r)
	if token == "" {
		return a, nil
	}
	u, err := s.svc.Authenticate(r.Context(), token)
	switch domain.ErrorCode(err) {
	case "":
		a.User = u
	case domain.EUnauthorized:
		// A stale cookie makes the request anonymous; the rules decide whether that is enough.
	default:
		return a, err
	}
	return a, nil
}

// roomManager is the actor of a request on the path's room, checked to be its owner or an
// admin before the body is read, so that a stranger learns nothing from validation errors.
func (s *Server) roomManager(r *http.Request) (domain.Actor, error) {
	actor, err := s.actor(r)
	if err != nil {
		return actor, err
	}
	_, err = s.svc.Room(r.Context(), actor, r.PathValue("roomId"))
	return actor, err
}

func isAPI(r *http.Request) bool { return strings.HasPrefix(r.URL.Path, "/api/") }

func retryAfterSeconds(d time.Duration) string {
	return strconv.Itoa(int(math.Ceil(d.Seconds())))
}
