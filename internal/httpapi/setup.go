package httpapi

import (
	"net/http"

	"github.com/liveserver/liveserver/internal/classroom"
	"github.com/liveserver/liveserver/internal/domain"
)

// POST /api/setup: anyone holding a setup link (the server's log shows it) makes the first
// administrator and is signed in. The token travels in the body: the link carries it in its
// fragment (/setup#TOKEN), which browsers send to no server, so it is never in an access log
// or a Referer.
func (s *Server) setup(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Token    string `json:"token"`
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
	res, err := s.svc.Setup(r.Context(), actor, classroom.SetupInput{Token: in.Token, Email: in.Email, Password: in.Password, Name: in.Name})
	if err != nil {
		return err
	}
	if old := s.sessionToken(r); old != "" {
		s.svc.Logout(r.Context(), old)
	}
	s.setSessionCookie(w, res.Token, res.ExpiresAt)
	s.setKnownBrowser(w, res.User.Email)
	writeJSON(w, http.StatusCreated, toUserJSON(res.User))
	return nil
}

type settingsJSON struct {
	// RegistrationOpen: anyone may register a host account.
	RegistrationOpen bool `json:"registrationOpen"`
	// RegistrationClosedByConfig: REGISTRATION=closed; the switch cannot open it.
	RegistrationClosedByConfig bool `json:"registrationClosedByConfig"`
}

func toSettingsJSON(st classroom.RegistrationState) settingsJSON {
	return settingsJSON{RegistrationOpen: st.Open, RegistrationClosedByConfig: st.ClosedByConfig}
}

// GET /api/admin/settings: admins.
func (s *Server) adminSettings(w http.ResponseWriter, r *http.Request) error {
	actor, err := s.actor(r)
	if err != nil {
		return err
	}
	st, err := s.svc.AdminSettings(r.Context(), actor)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, toSettingsJSON(st))
	return nil
}

// PATCH /api/admin/settings {registrationOpen}: admins.
func (s *Server) adminUpdateSettings(w http.ResponseWriter, r *http.Request) error {
	actor, err := s.actor(r)
	if err != nil {
		return err
	}
	if err := s.svc.RequireAdmin(actor); err != nil {
		return err
	}
	var in struct {
		RegistrationOpen *bool `json:"registrationOpen"`
	}
	if err := decode(w, r, &in); err != nil {
		return err
	}
	var st classroom.RegistrationState
	if in.RegistrationOpen != nil {
		st, err = s.svc.SetRegistration(r.Context(), actor, *in.RegistrationOpen)
	} else {
		st, err = s.svc.AdminSettings(r.Context(), actor)
	}
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, toSettingsJSON(st))
	return nil
}

// POST /api/admin/users {email, name, password, role?}: admins make an account with an
// initial password, whether or not registration is open.
func (s *Server) adminCreateUser(w http.ResponseWriter, r *http.Request) error {
	actor, err := s.actor(r)
	if err != nil {
		return err
	}
	if err := s.svc.RequireAdmin(actor); err != nil {
		return err
	}
	var in struct {
		Email    string `json:"email"`
		Name     string `json:"name"`
		Password string `json:"password"`
		Role     string `json:"role"`
	}
	if err := decode(w, r, &in); err != nil {
		return err
	}
	u, err := s.svc.AdminCreateUser(r.Context(), actor, classroom.NewUserInput{Email: in.Email, Name: in.Name, Password: in.Password,
		Role: domain.Role(in.Role)})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, toAdminUser(u))
	return nil
}
