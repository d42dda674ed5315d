package httpapi

import (
	"net/http"
	"time"

	"github.com/liveserver/liveserver/internal/classroom"
	"github.com/liveserver/liveserver/internal/domain"
)

// The session cookie. Behind TLS it takes the __Host- prefix, which browsers only accept
// with Secure, Path=/ and no Domain: no subdomain can plant or read it.
func (s *Server) sessionCookieName() string { return s.cookieName("ls_session") }

// cookieName is name behind TLS with the __Host- prefix (Secure, Path=/, no Domain), for every
// cookie the server sets.
func (s *Server) cookieName(name string) string {
	if s.opts.SecureCookies {
		return "__Host-" + name
	}
	return name
}

func (s *Server) sessionToken(r *http.Request) string {
	c, err := r.Cookie(s.sessionCookieName())
	if err != nil {
		return ""
	}
	return c.Value
}

func (s *Server) setSessionCookie(w http.ResponseWriter, token string, expires time.Time) {
	c := &http.Cookie{Name: s.sessionCookieName(), Value: token, Path: "/", HttpOnly: true,
		SameSite: http.SameSiteLaxMode, Secure: s.opts.SecureCookies}
	if token == "" {
		c.MaxAge = -1
	} else {
		c.Expires = expires
	}
	http.SetCookie(w, c)
}

type userJSON struct {
	ID    string `json:"id"`
	Email string `json:"email"`
	Name  string `json:"name"`
	Role  string `json:"role"`
}

func toUserJSON(u *domain.User) userJSON {
	return userJSON{ID: u.ID, Email: u.Email, Name: u.Name, Role: string(u.Role)}
}

func (s *Server) register(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Email    string `json:"email"`
		Password string `json:"password"`
		Name     string `json:"name"`
	}
	if err := decode(w, r, &in); err != nil {
		return err
	}
	actor, err := s.actor(r)
	if err != nil {
		return err
	}
	res, err := s.svc.Register(r.Context(), actor, classroom.RegisterInput{Email: in.Email, Password: in.Password, Name: in.Name})
	if err != nil {
		return err
	}
	s.setSessionCookie(w, res.Token, res.ExpiresAt)
	s.setKnownBrowser(w, res.User.Email)
	writeJSON(w, http.StatusCreated, toUserJSON(res.User))
	return nil
}

func (s *Server) login(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Email    string `json:"email"`
		Password string `json:"password"`
	}
	if err := decode(w, r, &in); err != nil {
		return err
	}
	actor := domain.Actor{IP: s.clientIP(r)}
	res, err := s.svc.Login(r.Context(), actor, classroom.LoginInput{Email: in.Email, Password: in.Password,
		KnownBrowser: s.knownBrowser(r, in.Email)})
	if err != nil {
		return err
	}
	// A new token at each login; the old session of this browser, if any, ends.
	if old := s.sessionToken(r); old != "" {
		s.svc.Logout(r.Context(), old)
	}
	s.setSessionCookie(w, res.Token, res.ExpiresAt)
	s.setKnownBrowser(w, res.User.Email)
	writeJSON(w, http.StatusOK, toUserJSON(res.User))
	return nil
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request) error {
	if err := s.svc.Logout(r.Context(), s.sessionToken(r)); err != nil {
		return err
	}
	s.setSessionCookie(w, "", time.Time{})
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) me(w http.ResponseWriter, r *http.Request) error {
	actor, err := s.actor(r)
	if err != nil {
		return err
	}
	if !actor.SignedIn() {
		return domain.Errorf(domain.EUnauthorized, "Please sign in.")
	}
	writeJSON(w, http.StatusOK, toUserJSON(actor.User))
	return nil
}
