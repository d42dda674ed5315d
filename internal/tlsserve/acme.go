package tlsserve

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"time"

	"golang.org/x/crypto/acme"
	"golang.org/x/crypto/acme/autocert"
)

// ACMEConfig is what obtaining certificates by ACME needs.
type ACMEConfig struct {
	Domain    string
	Email     string // the CA's contact; optional
	Directory string // the ACME directory URL
	CacheDir  string // account key and certificates, kept across restarts (rate limits)
	// Roots verify the ACME server's own HTTPS certificate; nil: the system's roots.
	Roots *x509.CertPool
	Log   *slog.Logger
}

// ACME obtains and renews the certificate of one domain (autocert) and answers the CA's
// challenges: tls-alpn-01 on the HTTPS listener, http-01 through HTTPHandler.
type ACME struct {
	domain    string
	log       *slog.Logger
	m         *autocert.Manager
	transport *http.Transport
	closed    atomic.Bool
}

// errClosed fails the ACME client's connections after Close.
var errClosed = errors.New("tlsserve: ACME client closed")

// NewACME makes the manager; nothing is asked of the CA until the first TLS handshake.
func NewACME(c ACMEConfig) *ACME {
	a := &ACME{domain: c.Domain, log: c.Log}
	dialer := &net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second}
	a.transport = &http.Transport{
		Proxy: http.ProxyFromEnvironment,
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			// autocert has no way to stop its renewal timers: after Close a late one fails here
			// at once and leaves nothing running.
			if a.closed.Load() {
				return nil, errClosed
			}
			return dialer.DialContext(ctx, network, addr)
		},
		TLSClientConfig:     &tls.Config{RootCAs: c.Roots, MinVersion: tls.VersionTLS12},
		TLSHandshakeTimeout: 10 * time.Second,
		IdleConnTimeout:     90 * time.Second,
		ForceAttemptHTTP2:   true,
	}
	a.m = &autocert.Manager{
		Prompt:     autocert.AcceptTOS,
		Cache:      autocert.DirCache(c.CacheDir),
		HostPolicy: autocert.HostWhitelist(c.Domain),
		Email:      c.Email,
		Client: &acme.Client{DirectoryURL: c.Directory, UserAgent: "liveserver",
			HTTPClient: &http.Client{Transport: a.transport, Timeout: 2 * time.Minute}},
	}
	return a
}

// TLSConfig is for the HTTPS listener: the domain's certificate, HTTP/2, and tls-alpn-01.
func (a *ACME) TLSConfig() *tls.Config {
	c := a.m.TLSConfig()
	c.MinVersion = tls.VersionTLS12
	get := c.GetCertificate
	c.GetCertificate = func(hello *tls.ClientHelloInfo) (*tls.Certificate, error) {
		cert, err := get(hello)
		if err != nil {
			// The domain without a certificate is the operator's problem (DNS, ports 80/443, the
			// CA's limits); other names are scanners and mistyped addresses.
			level := slog.LevelDebug
			if strings.EqualFold(strings.TrimSuffix(hello.ServerName, "."), a.domain) {
				level = slog.LevelWarn
			}
			a.log.Log(context.Background(), level, "no TLS certificate", "server_name", hello.ServerName, "err", err)
		}
		return cert, err
	}
	return c
}

// HTTPHandler answers http-01 challenges and hands every other request to fallback (the
// redirect to https).
func (a *ACME) HTTPHandler(fallback http.Handler) http.Handler {
	h := a.m.HTTPHandler(fallback)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// autocert checks Host against the domain as it is; on a port other than 80 (a
		// forwarded one) it carries the port.
		if host, _, err := net.SplitHostPort(r.Host); err == nil {
			r.Host = host
		}
		h.ServeHTTP(w, r)
	})
}

// Close stops the ACME client: no more requests to the CA.
func (a *ACME) Close() {
	a.closed.Store(true)
	a.transport.CloseIdleConnections()
}
