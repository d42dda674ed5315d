package httpapi

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"strings"
)

// The device cookie: a random id signed with the auth secret, set at the browser's first knock
// and kept for 400 days (the longest browsers keep a cookie), apart from the guest session, so
// that clearing the guest session (or the fingerprint changing, as it does with browser zoom)
// does not get a banned browser past its ban. It identifies the browser profile and grants
// nothing: it is only ever matched against bans.
const deviceCookieMaxAge = 400 * 24 * 3600

// deviceIDLen is the length of a device id: 16 random bytes, base64url without padding.
const deviceIDLen = 22

func (s *Server) deviceCookieName() string { return s.cookieName("ls_device") }

// device returns the verified device id of the request's device cookie, or "".
func (s *Server) device(r *http.Request) string {
	c, err := r.Cookie(s.deviceCookieName())
	if err != nil {
		return ""
	}
	return s.verifyDevice(c.Value)
}

// ensureDevice returns the request's device id, making one (and its cookie) if the browser has
// none, or one that does not verify.
func (s *Server) ensureDevice(w http.ResponseWriter, r *http.Request) string {
	if id := s.device(r); id != "" {
		return id
	}
	b := make([]byte, 16)
	rand.Read(b) // never fails (crypto/rand)
	id := base64.RawURLEncoding.EncodeToString(b)
	http.SetCookie(w, &http.Cookie{Name: s.deviceCookieName(), Value: s.signDevice(id), Path: "/", HttpOnly: true,
		SameSite: http.SameSiteLaxMode, Secure: s.opts.SecureCookies, MaxAge: deviceCookieMaxAge})
	return id
}

func (s *Server) signDevice(id string) string { return id + "." + s.mac("device:"+id) }

// verifyDevice parses a device cookie's value, "id.mac": the id when it is one we made and
// signed, else "". Anything else a browser sends (another shape, another length, a signature
// that does not verify) is no device at all.
func (s *Server) verifyDevice(value string) string {
	id, mac, ok := strings.Cut(value, ".")
	if !ok || len(id) != deviceIDLen || len(mac) != base64.RawURLEncoding.EncodedLen(sha256.Size) {
		return ""
	}
	if raw, err := base64.RawURLEncoding.Strict().DecodeString(id); err != nil || len(raw) != 16 {
		return ""
	}
	if !hmac.Equal([]byte(value), []byte(s.signDevice(id))) {
		return ""
	}
	return id
}
