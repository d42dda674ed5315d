package httpapi

import (
	"bufio"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"runtime/debug"
	"strings"
	"time"

	"github.com/liveserver/liveserver/internal/domain"
	"github.com/liveserver/liveserver/internal/logging"
)

// requestID gives every request an id (a sane X-Request-ID from a proxy, or a new one), puts it
// in the context for the logger and echoes it in the response.
func requestID(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := r.Header.Get("X-Request-ID")
		if !saneRequestID(id) {
			var b [8]byte
			rand.Read(b[:])
			id = hex.EncodeToString(b[:])
		}
		w.Header().Set("X-Request-ID", id)
		next.ServeHTTP(w, r.WithContext(logging.WithRequestID(r.Context(), id)))
	})
}

func saneRequestID(id string) bool {
	if id == "" || len(id) > 64 {
		return false
	}
	for _, c := range id {
		if !(c == '-' || c == '_' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
			return false
		}
	}
	return true
}

// statusWriter remembers the status for the access log. Unwrap lets http.ResponseController
// reach the real writer (flushes and deadlines for event streams).
type statusWriter struct {
	http.ResponseWriter
	status int
	bytes  int64
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	w.bytes += int64(n)
	return n, err
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// Hijack hands the connection over (a forwarded websocket) and logs it as switched protocols:
// the 101 is written on the raw connection, past this writer.
func (w *statusWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	c, brw, err := http.NewResponseController(w.ResponseWriter).Hijack()
	if err == nil && w.status == 0 {
		w.status = http.StatusSwitchingProtocols
	}
	return c, brw, err
}

// accessLog logs one line per request, and turns a panic into a logged 500.
func (s *Server) accessLog(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		defer func() {
			if p := recover(); p != nil {
				if p == http.ErrAbortHandler {
					panic(p)
				}
				s.log.ErrorContext(r.Context(), "panic", "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
				if sw.status == 0 {
					s.writeError(sw, r, domain.Errorf(domain.EInternal, "internal error"))
				}
			}
			took := time.Since(start)
			s.log.InfoContext(r.Context(), "http", "method", r.Method, "path", r.URL.Path, "status", sw.status,
				"bytes", sw.bytes, "took", took.Round(time.Microsecond), "ip", s.clientIP(r))
			if s.metrics != nil {
				// A stream's duration is how long someone stayed, not how fast we answered.
				stream := sw.Header().Get("Content-Type") == "text/event-stream" || sw.status == http.StatusSwitchingProtocols
				s.metrics.ObserveRequest(r.Pattern, r.Method, sw.status, took, stream)
			}
		}()
		next.ServeHTTP(sw, r)
	})
}

// securityHeaders sets the headers every response carries. The app's own pages get their
// Content-Security-Policy from the web handler's needs: scripts and styles from us only, media
// and WebSockets to LiveKit.
func (s *Server) securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		h.Set("Permissions-Policy", "camera=(self), microphone=(self), display-capture=(self), geolocation=()")
		if isAPI(r) {
			h.Set("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'")
		} else {
			h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data: blob:; media-src 'self' blob:; "+
				"style-src 'self' 'unsafe-inline'; connect-src "+s.connectSrc+"; worker-src 'self' blob:; frame-ancestors 'none'; base-uri 'none'; form-action 'self'")
		}
		// Only for a domain: LAN mode's HTTPS is reached at addresses (where browsers ignore HSTS)
		// or at localhost, which HSTS would keep from plain `make run` for a year.
		if s.opts.HSTS {
			h.Set("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
		}
		next.ServeHTTP(w, r)
	})
}

// crossOrigin refuses state-changing requests that a browser sent from another site (CSRF):
// Go's CrossOriginProtection reads Sec-Fetch-Site and Origin; requests without them (curl,
// servers) pass, and cookies are SameSite=Lax besides.
func (s *Server) crossOrigin(next http.Handler) http.Handler {
	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.writeError(w, r, domain.Errorf(domain.EForbidden, "Cross-origin request refused."))
	}))
	return cop.Handler(next)
}

// clientIP is the address a request came from. X-Forwarded-For is believed only from
// TRUSTED_PROXIES, read right to left, so a client cannot forge its own address.
func (s *Server) clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	addr, err := netip.ParseAddr(host)
	if err != nil {
		return host
	}
	addr = addr.Unmap()
	if !inPrefixes(addr, s.opts.TrustedProxies) {
		return addr.String()
	}
	hops := strings.Split(strings.Join(r.Header.Values("X-Forwarded-For"), ","), ",")
	for i := len(hops) - 1; i >= 0; i-- {
		a, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
		if err != nil {
			break
		}
		a = a.Unmap()
		if !inPrefixes(a, s.opts.TrustedProxies) {
			return a.String()
		}
		addr = a
	}
	return addr.String()
}

func inPrefixes(a netip.Addr, ps []netip.Prefix) bool {
	for _, p := range ps {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// connectSources is what the app's pages may connect to: this server, and the LiveKit server
// (its WebSocket and its HTTP checks); LiveKit Cloud answers from per-region hosts of its domain.
func connectSources(livekitURL string) string {
	u, err := url.Parse(livekitURL)
	if livekitURL == "" || err != nil || u.Host == "" {
		return "'self'"
	}
	host := u.Host
	if strings.HasSuffix(u.Hostname(), ".livekit.cloud") {
		host = "*.livekit.cloud"
	}
	ws, web := "ws://", "http://"
	if u.Scheme == "wss" || u.Scheme == "https" {
		ws, web = "wss://", "https://"
	}
	return "'self' " + ws + host + " " + web + host
}
