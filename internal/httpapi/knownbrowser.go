package httpapi

import (
	"crypto/hmac"
	"net/http"
	"strings"
)

// The known-browser cookie: set at each sign-in, it proves later that this browser signed in to
// that account before, which gives the browser a login budget of its own (classroom.Login), so
// wrong guesses from elsewhere never lock the teacher out of it. It holds an HMAC of the
// account's e-mail under the auth secret and grants nothing else.
const knownBrowserMaxAge = 365 * 24 * 3600

func (s *Server) knownBrowserCookieName() string { return s.cookieName("ls_known") }

func (s *Server) knownBrowserMark(email string) string {
	return s.mac("known-browser:" + strings.ToLower(strings.TrimSpace(email)))
}

// knownBrowser reports whether the request's browser signed in to the account before.
func (s *Server) knownBrowser(r *http.Request, email string) bool {
	c, err := r.Cookie(s.knownBrowserCookieName())
	return err == nil && hmac.Equal([]byte(c.Value), []byte(s.knownBrowserMark(email)))
}

func (s *Server) setKnownBrowser(w http.ResponseWriter, email string) {
	http.SetCookie(w, &http.Cookie{Name: s.knownBrowserCookieName(), Value: s.knownBrowserMark(email), Path: "/",
		HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: s.opts.SecureCookies, MaxAge: knownBrowserMaxAge})
}
