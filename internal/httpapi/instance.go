package httpapi

import (
	"crypto/sha256"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/liveserver/liveserver/internal/domain"
)

// instanceInfo tells the web app how browsers reach this instance. Everything in it is public:
// a visitor who can load the page already knows the address.
type instanceInfo struct {
	// PublicURL is the address invite and share links are made from (PUBLIC_URL).
	PublicURL string `json:"publicUrl"`
	// TLS is the server's TLS mode: lan (its own CA), acme, or off (plain, or behind a proxy).
	TLS string `json:"tls"`
	// In LAN mode: where students download the CA, its name and its SHA-256 fingerprint, to
	// compare with what their device shows before they trust it.
	CAURL         string `json:"caUrl,omitempty"`
	CAFingerprint string `json:"caFingerprint,omitempty"`
	// RegistrationOpen: anyone may register a host account (the web app shows "register"
	// links only then). NeedsSetup: the server has no administrator yet; the setup link in its
	// log makes one.
	RegistrationOpen bool `json:"registrationOpen"`
	NeedsSetup       bool `json:"needsSetup"`
}

// GET /api/instance: public.
func (s *Server) instance(w http.ResponseWriter, r *http.Request) error {
	info := instanceInfo{PublicURL: s.opts.PublicURL, TLS: s.opts.TLS}
	if s.localCA != nil {
		info.CAURL, info.CAFingerprint = "/ca.crt", fingerprint(s.localCA)
	}
	st, err := s.svc.Registration(r.Context())
	if err != nil {
		return err
	}
	info.RegistrationOpen, info.NeedsSetup = st.Open, st.NeedsSetup
	writeJSON(w, http.StatusOK, info)
	return nil
}

// GET /ca.crt: the LAN mode's CA certificate, public (students install it before they can
// reach anything else safely). DER with the type phones recognise, so they offer to install it.
func (s *Server) caCertificate(w http.ResponseWriter, r *http.Request) error {
	if s.localCA == nil {
		return domain.Errorf(domain.ENotFound, "This instance has no certificate authority of its own (it is not in LAN mode).")
	}
	h := w.Header()
	h.Set("Content-Type", "application/x-x509-ca-cert")
	h.Set("Content-Disposition", `attachment; filename="liveserver-ca.crt"`)
	h.Set("Content-Length", strconv.Itoa(len(s.localCA)))
	h.Set("Cache-Control", "no-cache")
	w.Write(s.localCA)
	return nil
}

// fingerprint is the SHA-256 of a certificate as browsers and phones show it: AB:CD:...
func fingerprint(der []byte) string {
	sum := sha256.Sum256(der)
	parts := make([]string, len(sum))
	for i, b := range sum {
		parts[i] = fmt.Sprintf("%02X", b)
	}
	return strings.Join(parts, ":")
}
