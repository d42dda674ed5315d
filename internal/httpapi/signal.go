package httpapi

import (
	"bufio"
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"net/http/httputil"
	"net/netip"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/liveserver/liveserver/internal/domain"
)

// LiveKit's signalling through our own origin (issue #13): the browser opens LiveKit's
// websocket on the address it loaded the page from, and we forward it to LiveKit. A school then
// opens one HTTPS port (ours) and LiveKit's media ports; LiveKit needs no certificate or origin
// of its own.
//
// Only the paths a LiveKit client opens for signalling are forwarded, never the Twirp API
// (/twirp/...) or anything else LiveKit serves. These are livekit-server v1.13.5's
// (pkg/service/rtcservice.go); livekit-client 2.23 appends "rtc" or "rtc/v1" to the URL it is
// given and "validate" to either when a connection fails (src/api/utils.go), and
// server-sdk-go v2.19 opens /rtc and /rtc/validate (signalling/signallingbase.go).
var signalPaths = []string{"/rtc", "/rtc/v1", "/rtc/validate", "/rtc/v1/validate"}

const (
	// signalAttemptsPerIP bounds how often one address may open signalling per minute. A class
	// behind one school address joins at once and reconnects after a network change, so it is
	// generous; each attempt costs LiveKit a token check, which is what authorises.
	signalAttemptsPerIP = 300
	// signalIdle ends a forwarded websocket that carried nothing from the client for this long.
	// LiveKit's clients ping every 5 s and LiveKit drops them after 15 s without one, so only
	// a dead connection stays this quiet; it would otherwise hold two sockets until TCP
	// keepalive notices.
	signalIdle = 60 * time.Second
	// signalWriteTimeout bounds one write to a client that stopped reading.
	signalWriteTimeout = 30 * time.Second
	// signalUpgradeTimeout is how long LiveKit may take to answer the websocket upgrade: it
	// answers once the participant's session has started, after up to three tries of 3, 6 and
	// 9 s.
	signalUpgradeTimeout = 30 * time.Second
)

// signalRoutes registers the forwarded paths; without a LiveKit to forward to there are none
// and they fall through to the web app like any unknown page.
func (s *Server) signalRoutes(m *http.ServeMux) {
	if s.signal == nil {
		return
	}
	for _, p := range signalPaths {
		m.Handle("GET "+p, http.HandlerFunc(s.forwardSignal))
	}
}

// newSignalProxy forwards to LiveKit at upstream (ws://, wss://, http:// or https://).
func (s *Server) newSignalProxy(upstream string) (*httputil.ReverseProxy, error) {
	u, err := url.Parse(upstream)
	if err != nil {
		return nil, err
	}
	switch u.Scheme {
	case "ws", "http":
		u.Scheme = "http"
	case "wss", "https":
		u.Scheme = "https"
	default:
		return nil, errors.New("livekit signal upstream must be a ws://, wss://, http:// or https:// URL")
	}
	if u.Host == "" {
		return nil, errors.New("livekit signal upstream has no host")
	}
	base := strings.TrimSuffix(u.Path, "/")
	return &httputil.ReverseProxy{
		Rewrite: func(pr *httputil.ProxyRequest) {
			out := pr.Out
			// Forwarding headers from the client are already dropped (Rewrite does that).
			out.URL.Scheme, out.URL.Host, out.Host = u.Scheme, u.Host, ""
			out.URL.Path, out.URL.RawPath = base+pr.In.URL.Path, ""
			// Our cookies and keys are none of LiveKit's business. LiveKit believes these
			// headers as the client's address: it gets the one we worked out.
			for _, h := range []string{"Cookie", "X-Dev-Access-Key", "X-Real-IP", "CF-Connecting-IP"} {
				out.Header.Del(h)
			}
			out.Header.Set("X-Forwarded-For", s.clientIP(pr.In))
		},
		Transport: &http.Transport{
			Proxy:                 nil, // never an HTTP_PROXY from the environment
			DialContext:           (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
			TLSHandshakeTimeout:   10 * time.Second,
			ResponseHeaderTimeout: signalUpgradeTimeout,
			MaxIdleConns:          8,
			IdleConnTimeout:       90 * time.Second,
		},
		ModifyResponse: func(res *http.Response) error {
			// LiveKit lets any site read its validate answers; ours are for our pages only.
			res.Header.Del("Access-Control-Allow-Origin")
			return nil
		},
		ErrorHandler: s.signalError,
		// What ReverseProxy logs by itself names no URL; upstream errors go through signalError.
		ErrorLog: slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
	}, nil
}

// forwardSignal forwards one signalling request to LiveKit. LiveKit checks the access token
// (in the query or the Authorization header); we check that a browser comes from our own
// pages and that one address does not hammer LiveKit.
func (s *Server) forwardSignal(w http.ResponseWriter, r *http.Request) {
	if !s.signalOriginOK(r) {
		s.writeError(w, r, domain.Errorf(domain.EForbidden, "Cross-origin request refused."))
		return
	}
	if r.ContentLength != 0 || len(r.TransferEncoding) > 0 {
		s.writeError(w, r, domain.Invalid("body", "Signalling requests have no body."))
		return
	}
	if s.limiter != nil {
		ok, retry, err := s.limiter.Allow(r.Context(), "rtc:ip:"+signalIPKey(s.clientIP(r)), signalAttemptsPerIP, time.Minute)
		switch {
		case err != nil:
			// LiveKit's token check still guards the call: better a class that joins than a
			// limiter outage that keeps everyone out.
			s.log.WarnContext(r.Context(), "rate limiter unavailable for signalling", "err", err)
		case !ok:
			s.writeError(w, r, &domain.Error{Code: domain.ERateLimited, Message: "Too many connection attempts. Please wait and try again.", RetryAfter: retry})
			return
		}
	}
	s.signal.ServeHTTP(&signalWriter{ResponseWriter: w, conns: &s.signalConns}, r)
}

// signalError answers a request LiveKit could not take. The error may hold the upstream URL,
// whose query carries the access token, so only its cause is logged.
func (s *Server) signalError(w http.ResponseWriter, r *http.Request, err error) {
	if sw, ok := w.(*signalWriter); ok && sw.hijacked {
		return // the websocket ended; the client has its answer already
	}
	if errors.Is(err, context.Canceled) || r.Context().Err() != nil {
		return // the client went away
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	s.log.WarnContext(r.Context(), "livekit signalling: video server unreachable", "path", r.URL.Path, "err", err)
	s.writeError(w, r, domain.Errorf(domain.EUnavailable, "The video server is not reachable. Please try again in a moment."))
}

// signalOriginOK lets a browser through only from our own pages: from the origin it reached
// us on, or from PUBLIC_URL (behind a proxy that rewrites Host). Browsers always send Origin on
// a websocket; other clients (the Go SDK, bots) send none and only have their token.
func (s *Server) signalOriginOK(r *http.Request) bool {
	origin := r.Header.Get("Origin")
	if origin == "" {
		return true
	}
	u, err := url.Parse(origin)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return false
	}
	if strings.EqualFold(u.Host, r.Host) {
		return true
	}
	p, err := url.Parse(s.opts.PublicURL)
	return err == nil && strings.EqualFold(p.Scheme, u.Scheme) && strings.EqualFold(p.Host, u.Host)
}

// signalURL is the LiveKit address a client gets when signalling goes through us: the origin it
// reached us on. A browser's Origin is exactly the page's origin (same-origin, as crossOrigin
// has made sure for this POST); clients without one get the scheme and host they used.
// PUBLIC_URL is not used: it defaults to localhost, which a class on the LAN cannot reach.
func (s *Server) signalURL(r *http.Request) string {
	if o := r.Header.Get("Origin"); o != "" {
		if u, err := url.Parse(o); err == nil && u.Host != "" && (u.Path == "" || u.Path == "/") && (u.Scheme == "http" || u.Scheme == "https") {
			return wsScheme(u.Scheme == "https") + u.Host
		}
	}
	return wsScheme(s.requestIsTLS(r)) + r.Host
}

func wsScheme(secure bool) string {
	if secure {
		return "wss://"
	}
	return "ws://"
}

// requestIsTLS reports whether the client reached us over TLS: directly, or through a trusted
// proxy that says so.
func (s *Server) requestIsTLS(r *http.Request) bool {
	if r.TLS != nil {
		return true
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return false
	}
	a, err := netip.ParseAddr(host)
	return err == nil && inPrefixes(a.Unmap(), s.opts.TrustedProxies) && strings.EqualFold(r.Header.Get("X-Forwarded-Proto"), "https")
}

// signalIPKey groups IPv6 clients by /64, which one household or school usually gets whole.
func signalIPKey(ip string) string {
	a, err := netip.ParseAddr(ip)
	if err != nil || !a.Is6() || a.Is4In6() {
		return ip
	}
	p, _ := a.Prefix(64)
	return p.String()
}

// signalWriter gives ReverseProxy a connection with idle and write deadlines when it takes the
// client's connection over for the websocket: net/http sets none after the headers (the server
// has no read or write timeout, for event streams).
type signalWriter struct {
	http.ResponseWriter
	hijacked bool
	conns    *hijackedConns
}

func (w *signalWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

func (w *signalWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	c, brw, err := http.NewResponseController(w.ResponseWriter).Hijack()
	if err != nil {
		return nil, nil, err
	}
	w.hijacked = true
	dc := &deadlineConn{Conn: c, conns: w.conns}
	w.conns.add(dc)
	return dc, brw, nil
}

// hijackedConns are the websockets the proxy holds: http.Server's Shutdown does not close
// hijacked connections, so Server.Close does.
type hijackedConns struct {
	mu  sync.Mutex
	set map[*deadlineConn]struct{}
}

func (h *hijackedConns) add(c *deadlineConn) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.set == nil {
		h.set = map[*deadlineConn]struct{}{}
	}
	h.set[c] = struct{}{}
}

func (h *hijackedConns) remove(c *deadlineConn) {
	h.mu.Lock()
	defer h.mu.Unlock()
	delete(h.set, c)
}

// closeAll ends every websocket still forwarded.
func (h *hijackedConns) closeAll() {
	h.mu.Lock()
	conns := make([]*deadlineConn, 0, len(h.set))
	for c := range h.set {
		conns = append(conns, c)
	}
	h.mu.Unlock()
	for _, c := range conns {
		c.Close()
	}
}

// deadlineConn renews its read deadline on every read (an idle limit) and bounds each write.
type deadlineConn struct {
	net.Conn
	conns *hijackedConns
}

func (c *deadlineConn) Close() error {
	c.conns.remove(c)
	return c.Conn.Close()
}

func (c *deadlineConn) Read(p []byte) (int, error) {
	if err := c.Conn.SetReadDeadline(time.Now().Add(signalIdle)); err != nil {
		return 0, err
	}
	return c.Conn.Read(p)
}

func (c *deadlineConn) Write(p []byte) (int, error) {
	if err := c.Conn.SetWriteDeadline(time.Now().Add(signalWriteTimeout)); err != nil {
		return 0, err
	}
	return c.Conn.Write(p)
}

// CloseWrite passes LiveKit's end of the stream on to the client, as ReverseProxy does for a
// plain TCP connection.
func (c *deadlineConn) CloseWrite() error {
	if cw, ok := c.Conn.(interface{ CloseWrite() error }); ok {
		return cw.CloseWrite()
	}
	return c.Conn.Close()
}
