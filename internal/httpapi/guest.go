package httpapi

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"strings"

	"github.com/google/uuid"
)

// The guest session: a sessionId (UUID) in an HttpOnly cookie, signed with the auth secret so
// a browser cannot pick another guest's identity. It is the guest's identity in every room.
const guestCookieMaxAge = 30 * 24 * 3600

func (s *Server) guestCookieName() string { return s.cookieName("ls_guest") }

func (s *Server) signGuest(id string) string { return id + "." + s.mac("guest-session:"+id) }

// mac is the auth secret's HMAC of msg, for the values our cookies carry; msg starts with what
// the value is for, so that one cookie's value never passes for another's.
func (s *Server) mac(msg string) string {
	m := hmac.New(sha256.New, []byte(s.opts.AuthSecret))
	m.Write([]byte(msg))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// guestSession returns the verified sessionId of the request's guest cookie, or "".
func (s *Server) guestSession(r *http.Request) string {
	c, err := r.Cookie(s.guestCookieName())
	if err != nil {
		return ""
	}
	id, _, ok := strings.Cut(c.Value, ".")
	if !ok || uuid.Validate(id) != nil || len(id) != 36 {
		return ""
	}
	if !hmac.Equal([]byte(c.Value), []byte(s.signGuest(id))) {
		return ""
	}
	return id
}

// ensureGuestSession returns the request's guest session, making one (and its cookie) if the
// browser has none.
func (s *Server) ensureGuestSession(w http.ResponseWriter, r *http.Request) string {
	if id := s.guestSession(r); id != "" {
		return id
	}
	id := uuid.NewString()
	http.SetCookie(w, &http.Cookie{Name: s.guestCookieName(), Value: s.signGuest(id), Path: "/", HttpOnly: true,
		SameSite: http.SameSiteLaxMode, Secure: s.opts.SecureCookies, MaxAge: guestCookieMaxAge})
	return id
}
