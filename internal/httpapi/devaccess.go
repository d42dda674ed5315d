package httpapi

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"html/template"
	"net/http"
	"net/netip"
	"time"

	"github.com/liveserver/liveserver/internal/domain"
)

// Dev-instance protection (DESIGN §3): without a public DOMAIN, DEV_ACCESS_KEY and ALLOWED_IPS
// keep an instance on a shared network private. The key is asked once, then remembered in a
// cookie that holds an HMAC of the key, never the key itself. Scripts may send the key in the
// X-Dev-Access-Key header instead. Health probes and LiveKit's signed webhooks pass.

const devCookie = "ls_dev_access"

func (s *Server) devProtectionEnabled() bool {
	return s.opts.DevAccessKey != "" || len(s.opts.AllowedIPs) > 0
}

func (s *Server) devProtection(next http.Handler) http.Handler {
	if !s.devProtectionEnabled() {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/healthz", "/readyz", "/metrics", "/api/livekit/webhook":
			next.ServeHTTP(w, r)
			return
		}
		if len(s.opts.AllowedIPs) > 0 {
			// Loopback is this machine, unless it forwards others (a tunnel or proxy here).
			forwarded := r.Header.Get("X-Forwarded-For") != "" || r.Header.Get("Forwarded") != ""
			ip, err := netip.ParseAddr(s.clientIP(r))
			if err != nil || !((ip.IsLoopback() && !forwarded) || inPrefixes(ip, s.opts.AllowedIPs)) {
				s.writeError(w, r, domain.Errorf(domain.EForbidden, "This development server does not accept connections from your address."))
				return
			}
		}
		if s.opts.DevAccessKey == "" {
			next.ServeHTTP(w, r)
			return
		}
		if k := r.Header.Get("X-Dev-Access-Key"); k != "" {
			s.devAccessHeader(w, r, next, k)
			return
		}
		if s.hasDevAccess(r) {
			next.ServeHTTP(w, r)
			return
		}
		if r.URL.Path == "/dev-access" && r.Method == http.MethodPost {
			s.devAccessLogin(w, r)
			return
		}
		if r.Method == http.MethodGet && !isAPI(r) {
			s.devAccessPage(w, http.StatusUnauthorized, "")
			return
		}
		s.writeError(w, r, domain.Errorf(domain.EDevAccess, "This development server needs its access key."))
	})
}

func (s *Server) devToken() string {
	m := hmac.New(sha256.New, []byte(s.opts.DevAccessKey))
	m.Write([]byte("liveserver dev access v1"))
	return hex.EncodeToString(m.Sum(nil))
}

// devAccessHeader lets a script in with the key in X-Dev-Access-Key, limited as the form is:
// wrong keys use up the address's budget (a right one gives its attempt back), and once it is
// used up even the right key waits, so a guesser learns nothing from the answers.
func (s *Server) devAccessHeader(w http.ResponseWriter, r *http.Request, next http.Handler, key string) {
	limitKey := "devaccess:ip:" + s.clientIP(r)
	ok, retry, err := s.limiter.Allow(r.Context(), limitKey, devAccessPerMinute, time.Minute)
	if err == nil && !ok {
		s.writeError(w, r, &domain.Error{Code: domain.ERateLimited, Message: "Too many wrong access keys; wait a minute.", RetryAfter: retry})
		return
	}
	if subtle.ConstantTimeCompare([]byte(key), []byte(s.opts.DevAccessKey)) != 1 {
		s.writeError(w, r, domain.Errorf(domain.EDevAccess, "This development server needs its access key."))
		return
	}
	if err == nil {
		s.limiter.Undo(r.Context(), limitKey)
	}
	next.ServeHTTP(w, r)
}

// devAccessPerMinute is how many access keys one address may try a minute, by form or header.
const devAccessPerMinute = 10

func (s *Server) hasDevAccess(r *http.Request) bool {
	c, err := r.Cookie(devCookie)
	return err == nil && subtle.ConstantTimeCompare([]byte(c.Value), []byte(s.devToken())) == 1
}

func (s *Server) devAccessLogin(w http.ResponseWriter, r *http.Request) {
	ok, retry, err := s.limiter.Allow(r.Context(), "devaccess:ip:"+s.clientIP(r), devAccessPerMinute, time.Minute)
	if err == nil && !ok {
		w.Header().Set("Retry-After", retryAfterSeconds(retry))
		s.devAccessPage(w, http.StatusTooManyRequests, "Слишком много попыток. Подождите минуту. / Too many attempts. Wait a minute.")
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 4<<10)
	key := r.PostFormValue("key")
	if subtle.ConstantTimeCompare([]byte(key), []byte(s.opts.DevAccessKey)) != 1 {
		s.devAccessPage(w, http.StatusUnauthorized, "Неверный ключ. / Wrong key.")
		return
	}
	http.SetCookie(w, &http.Cookie{Name: devCookie, Value: s.devToken(), Path: "/", HttpOnly: true,
		SameSite: http.SameSiteLaxMode, Secure: s.opts.SecureCookies, MaxAge: 30 * 24 * 3600})
	// Always home: a redirect target from the form could be made to leave the site.
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

var devAccessTmpl = template.Must(template.New("dev").Parse(`<!doctype html>
<html lang="ru"><head><meta charset="utf-8"><title>LiveServer</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body style="font-family: sans-serif; max-width: 28rem; margin: 4rem auto; padding: 0 1rem">
<h1>LiveServer</h1>
<p>Это сервер для разработки. Введите ключ доступа.<br><span lang="en">This is a development server. Enter its access key.</span></p>
{{if .Error}}<p role="alert" style="color: #b00020">{{.Error}}</p>{{end}}
<form method="post" action="/dev-access">
<label for="key">Ключ доступа / Access key</label><br>
<input id="key" name="key" type="password" autocomplete="current-password" required autofocus>
<button type="submit">Войти / Enter</button>
</form></body></html>`))

func (s *Server) devAccessPage(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	devAccessTmpl.Execute(w, struct{ Error string }{msg})
}
