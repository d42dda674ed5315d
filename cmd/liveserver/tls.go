package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/liveserver/liveserver/internal/config"
	"github.com/liveserver/liveserver/internal/tlsserve"
)

// front is where browsers reach the server, by TLS mode: plain HTTP on LISTEN_ADDR (off, or
// behind a proxy that terminates TLS); HTTPS on LISTEN_ADDR with a certificate of the local CA
// (lan); HTTPS on HTTPS_ADDR with an ACME certificate, and HTTP_ADDR for the CA's challenges
// and the redirect to https (acme).
type front struct {
	ln net.Listener // the app as browsers reach it
	// local takes the dev LiveKit's webhooks in plain HTTP on loopback when ln speaks TLS:
	// LiveKit would not trust the local CA, nor an ACME certificate on 127.0.0.1.
	local    net.Listener
	localSrv *http.Server
	httpLn   net.Listener // acme: HTTP_ADDR; lan: plain HTTP on LISTEN_ADDR's port
	httpSrv  *http.Server // the CA's http-01 challenge (acme) and the redirect to https
	// plainCA: the plain-HTTP side also answers GET /ca.crt from the app (lan): a device that
	// does not trust the local CA yet sees only a warning over HTTPS, the page with the CA
	// included; the fingerprint shown over HTTPS is what makes the download safe.
	plainCA bool
	acme    *tlsserve.ACME
	ca      *tlsserve.LocalCA // lan
	log     *slog.Logger
}

// openFront opens the listeners of the configured TLS mode. In LAN mode it also fills what is
// derived from the network: PUBLIC_URL and the dev LiveKit's advertised address.
func (a *app) openFront() (*front, error) {
	cfg := a.cfg
	f := &front{log: a.log}
	var err error
	switch cfg.TLS {
	case config.TLSACME:
		err = a.acmeFront(f)
	case config.TLSLAN:
		err = a.lanFront(f)
	default:
		if f.ln, err = net.Listen("tcp", cfg.ListenAddr); err != nil {
			err = fmt.Errorf("LISTEN_ADDR %s: %w", cfg.ListenAddr, err)
		}
	}
	if err == nil && cfg.TLS != config.TLSOff && cfg.LiveKitURL == "" && cfg.LiveKitDevServer {
		f.local, err = net.Listen("tcp", "127.0.0.1:0")
	}
	if err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}

func (a *app) acmeFront(f *front) error {
	cfg := a.cfg
	var roots *x509.CertPool
	if cfg.ACMECAFile != "" {
		b, err := os.ReadFile(cfg.ACMECAFile)
		if err != nil {
			return fmt.Errorf("ACME_CA_FILE: %w", err)
		}
		roots = x509.NewCertPool()
		roots.AppendCertsFromPEM(b)
	}
	f.acme = tlsserve.NewACME(tlsserve.ACMEConfig{Domain: cfg.Domain, Email: cfg.ACMEEmail, Directory: cfg.ACMEDirectory,
		CacheDir: filepath.Join(cfg.DataDir, "acme"), Roots: roots, Log: a.log.With("component", "acme")})
	raw, err := net.Listen("tcp", cfg.HTTPSAddr)
	if err != nil {
		return fmt.Errorf("HTTPS_ADDR %s: %w", cfg.HTTPSAddr, err)
	}
	f.ln = tls.NewListener(raw, f.acme.TLSConfig())
	if f.httpLn, err = net.Listen("tcp", cfg.HTTPAddr); err != nil {
		return fmt.Errorf("HTTP_ADDR %s (the CA's http-01 challenge and the redirect to https): %w", cfg.HTTPAddr, err)
	}
	f.httpSrv = &http.Server{Handler: f.acme.HTTPHandler(redirectTo(cfg.PublicURL)), ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout: 30 * time.Second, WriteTimeout: 30 * time.Second, IdleTimeout: 60 * time.Second}
	a.log.Info("certificates by ACME", "domain", cfg.Domain, "directory", cfg.ACMEDirectory, "http", f.httpLn.Addr().String())
	return nil
}

// redirectTo sends plain-HTTP visitors to the same path on the public URL: never to the Host
// they sent, so the redirect cannot point elsewhere.
func redirectTo(publicURL string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			http.Error(w, "Use HTTPS: "+publicURL, http.StatusBadRequest)
			return
		}
		uri := r.URL.RequestURI()
		if !strings.HasPrefix(uri, "/") {
			uri = "/" // "GET * HTTP/1.1" and absolute forms: the site's root
		}
		http.Redirect(w, r, publicURL+uri, http.StatusMovedPermanently)
	})
}

func (a *app) lanFront(f *front) error {
	cfg := a.cfg
	raw, err := net.Listen("tcp", cfg.ListenAddr)
	if err != nil {
		return fmt.Errorf("LISTEN_ADDR %s: %w", cfg.ListenAddr, err)
	}
	f.ln = raw // closed by Close until wrapped
	host, _ := os.Hostname()
	ifs, err := tlsserve.SystemIfaces()
	if err != nil {
		a.log.Warn("cannot list the network interfaces", "err", err)
	}
	lan := tlsserve.LANAddrs(ifs)
	if cfg.LANIP != "" {
		ip := netip.MustParseAddr(cfg.LANIP) // validated by config
		lan = append([]netip.Addr{ip}, slices.DeleteFunc(lan, func(a netip.Addr) bool { return a == ip })...)
	}
	if f.ca, err = tlsserve.OpenLocalCA(filepath.Join(cfg.DataDir, "tls"), host, lan); err != nil {
		return fmt.Errorf("TLS=lan: %w", err)
	}
	// Students use the first address the CA may sign for.
	student := netip.AddrFrom4([4]byte{127, 0, 0, 1})
	if i := slices.IndexFunc(lan, func(a netip.Addr) bool { return f.ca.Permits(a) }); i >= 0 {
		student = lan[i]
	} else {
		a.log.Warn("TLS=lan: no LAN address found; only this computer can join (set LAN_IP, or connect to the class's network and restart)")
	}
	tcp := raw.Addr().(*net.TCPAddr)
	if tcp.IP.IsLoopback() && !student.IsLoopback() {
		a.log.Warn("TLS=lan with LISTEN_ADDR on loopback: other computers cannot connect (LISTEN_ADDR=:3000 listens on every address)",
			"listen", tcp.String())
	}
	lanDefaults(cfg, student, tcp.Port)

	ips := append(slices.Clone(lan), netip.MustParseAddr("127.0.0.1"), netip.IPv6Loopback())
	names := []string{"localhost"}
	if host != "" {
		names = append(names, host)
	}
	if u, err := url.Parse(cfg.PublicURL); err == nil {
		if ip, err := netip.ParseAddr(u.Hostname()); err == nil {
			ips = append(ips, ip)
		} else if u.Hostname() != "" {
			names = append(names, u.Hostname())
		}
	}
	cert, refused, err := f.ca.ServerCert(ips, names)
	if err != nil {
		return fmt.Errorf("TLS=lan: the server certificate: %w", err)
	}
	if len(refused) > 0 {
		a.log.Warn("TLS=lan: the local CA may not sign for these names, which are left out of the certificate (remove DATA_DIR/tls to make a new CA)",
			"names", refused)
	}
	// Plain HTTP on the same port (someone typed http://) is redirected to the public URL.
	split := tlsserve.NewSplit(raw, &tls.Config{Certificates: []tls.Certificate{*cert}, MinVersion: tls.VersionTLS12,
		NextProtos: []string{"h2", "http/1.1"}})
	f.ln, f.httpLn = split.TLS(), split.Plain()
	f.plainCA = true
	f.httpSrv = &http.Server{Handler: redirectTo(cfg.PublicURL), ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout: 30 * time.Second, WriteTimeout: 30 * time.Second, IdleTimeout: 60 * time.Second}
	a.log.Info("HTTPS with the local CA", "ca", f.ca.Cert().Subject.CommonName, "addresses", cert.Leaf.IPAddresses, "names", cert.Leaf.DNSNames)
	return nil
}

// lanDefaults fills what LAN mode derives when it is not set: PUBLIC_URL from the address the
// students use and the listener's port, and the address the dev LiveKit advertises (IPv4 only;
// on loopback it stays loopback-only).
func lanDefaults(cfg *config.Config, student netip.Addr, port int) {
	if cfg.PublicURL == "" {
		cfg.PublicURL = "https://" + net.JoinHostPort(student.String(), strconv.Itoa(port))
	}
	if cfg.LiveKitAdvertiseIP == "" && cfg.LiveKitURL == "" && student.Is4() && !student.IsLoopback() {
		cfg.LiveKitAdvertiseIP = student.String()
	}
}

// localCA is the LAN mode's CA certificate (DER) for the students to install, or nil.
func (f *front) localCA() []byte {
	if f.ca == nil {
		return nil
	}
	return f.ca.Certificate()
}

// webhookHost is where the dev LiveKit posts its webhooks, in plain HTTP.
func (f *front) webhookHost() string {
	if f.local != nil {
		return webhookHost(f.local)
	}
	return webhookHost(f.ln)
}

// serve serves the app on the listeners and returns a channel that yields one error: the
// first listener failing, or http.ErrServerClosed once all have stopped after shutdown.
func (f *front) serve(srv *http.Server) <-chan error {
	type pair struct {
		s  *http.Server
		ln net.Listener
	}
	all := []pair{{srv, f.ln}}
	if f.local != nil {
		app := srv.Handler
		f.localSrv = &http.Server{ReadHeaderTimeout: srv.ReadHeaderTimeout, BaseContext: srv.BaseContext,
			Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.Method != http.MethodPost || r.URL.Path != "/api/livekit/webhook" {
					http.NotFound(w, r)
					return
				}
				app.ServeHTTP(w, r)
			})}
		all = append(all, pair{f.localSrv, f.local})
	}
	if f.httpSrv != nil {
		if f.plainCA {
			app, redirect := srv.Handler, f.httpSrv.Handler
			f.httpSrv.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path == "/ca.crt" && (r.Method == http.MethodGet || r.Method == http.MethodHead) {
					app.ServeHTTP(w, r)
					return
				}
				redirect.ServeHTTP(w, r)
			})
		}
		all = append(all, pair{f.httpSrv, f.httpLn})
	}
	each := make(chan error, len(all))
	for _, p := range all {
		if p.s.ErrorLog == nil {
			// Handshakes refused by devices that do not trust the certificate yet are
			// expected in LAN mode: debug lines, not noise on stderr.
			p.s.ErrorLog = slog.NewLogLogger(f.log.Handler(), slog.LevelDebug)
		}
		go func() { each <- p.s.Serve(p.ln) }()
	}
	out := make(chan error, 1)
	go func() {
		sent := false
		for range all {
			if err := <-each; !errors.Is(err, http.ErrServerClosed) && !sent {
				out <- err
				sent = true
			}
		}
		if !sent {
			out <- http.ErrServerClosed
		}
	}()
	return out
}

// shutdown stops the listeners other than the app's (its server's Shutdown stops that one) and
// the ACME client.
func (f *front) shutdown(ctx context.Context) error {
	var errs []error
	for _, s := range []*http.Server{f.localSrv, f.httpSrv} {
		if s != nil {
			errs = append(errs, s.Shutdown(ctx))
		}
	}
	if f.acme != nil {
		f.acme.Close()
	}
	return errors.Join(errs...)
}

// Close releases what openFront opened, for the paths that never serve.
func (f *front) Close() {
	for _, ln := range []net.Listener{f.ln, f.local, f.httpLn} {
		if ln != nil {
			ln.Close()
		}
	}
	if f.acme != nil {
		f.acme.Close()
	}
}

// serveHealthTarget is the /healthz URL of this machine's `serve` and the client to ask it
// with, by TLS mode: plain HTTP on LISTEN_ADDR's port; HTTPS there trusting the local CA (lan);
// HTTPS on HTTPS_ADDR's port with DOMAIN's certificate (acme).
func serveHealthTarget(getenv func(string) string, port string) (string, *http.Client, error) {
	cfg, err := config.Load(getenv)
	if err != nil {
		return "", nil, err
	}
	plain := "http://" + net.JoinHostPort("127.0.0.1", port) + "/healthz"
	tc := &tls.Config{MinVersion: tls.VersionTLS12}
	switch cfg.TLS {
	case config.TLSLAN:
		b, err := os.ReadFile(filepath.Join(cfg.DataDir, "tls", "ca.crt"))
		if err != nil {
			return "", nil, fmt.Errorf("TLS=lan: the local CA: %w", err)
		}
		tc.RootCAs = x509.NewCertPool()
		tc.RootCAs.AppendCertsFromPEM(b)
		return "https" + strings.TrimPrefix(plain, "http"), &http.Client{Transport: &http.Transport{TLSClientConfig: tc, DisableKeepAlives: true}}, nil
	case config.TLSACME:
		_, port, _ := net.SplitHostPort(cfg.HTTPSAddr)
		tc.ServerName = cfg.Domain
		return "https://" + net.JoinHostPort("127.0.0.1", port) + "/healthz", &http.Client{Transport: &http.Transport{TLSClientConfig: tc, DisableKeepAlives: true}}, nil
	}
	return plain, http.DefaultClient, nil
}
