package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/liveserver/liveserver/internal/config"
	"github.com/liveserver/liveserver/internal/livekit/livekittest"
	"github.com/liveserver/liveserver/internal/sqlstore"
)

// serveLogged runs `liveserver serve` in this process until it logs that it is ready, and
// returns the address it listens on, the URL it tells to open, and a stop function.
func serveLogged(t *testing.T, vars map[string]string) (addr, open string, stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"liveserver", "serve"}, envOf(vars), strings.NewReader(""), io.Discard, pw)
		pw.Close()
	}()
	ready := make(chan [2]string, 1)
	logs := &syncBuffer{}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("serve's log:\n%s", logs.String())
		}
	})
	go func() {
		listening := regexp.MustCompile(`msg=listening addr=(\S+)`)
		opening := regexp.MustCompile(`msg="ready: open (\S+)"`)
		sc := bufio.NewScanner(pr)
		var a string
		for sc.Scan() {
			fmt.Fprintln(logs, sc.Text())
			if m := listening.FindStringSubmatch(sc.Text()); m != nil {
				a = m[1]
			}
			if m := opening.FindStringSubmatch(sc.Text()); m != nil {
				ready <- [2]string{a, m[1]}
			}
		}
		io.Copy(io.Discard, pr)
	}()
	select {
	case r := <-ready:
		return r[0], r[1], func() {
			cancel()
			select {
			case err := <-done:
				if err != nil {
					t.Errorf("serve returned %v after shutdown", err)
				}
			case <-time.After(15 * time.Second):
				t.Error("serve did not stop")
			}
		}
	case err := <-done:
		cancel()
		t.Fatalf("serve exited early: %v", err)
	case <-time.After(30 * time.Second):
		cancel()
		t.Fatal("serve did not get ready")
	}
	return "", "", nil
}

// tlsClient trusts only roots and sends every connection to addr, whatever the URL's host: the
// URL's host is what the certificate must be valid for.
func tlsClient(roots *x509.CertPool, addr string) *http.Client {
	d := &net.Dialer{Timeout: 5 * time.Second}
	return &http.Client{Timeout: 90 * time.Second, Transport: &http.Transport{
		TLSClientConfig:   &tls.Config{RootCAs: roots},
		DisableKeepAlives: true,
		DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
			return d.DialContext(ctx, network, addr)
		},
	}, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

func get(t *testing.T, c *http.Client, url string) (*http.Response, []byte) {
	t.Helper()
	res, err := c.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res, b
}

// LAN mode: the server makes its CA, answers HTTPS with a certificate for the LAN address that
// chains to it, serves that CA at /ca.crt, derives PUBLIC_URL, and keeps both across restarts.
func TestServeLANMode(t *testing.T) {
	dir := t.TempDir()
	vars := map[string]string{"DATA_DIR": dir, "LISTEN_ADDR": "127.0.0.1:0", "TLS": "lan", "LAN_IP": "10.99.0.7",
		"LIVESERVER_INSECURE_FAST_HASH": "1", "LIVEKIT_DEV_SERVER": "off"}
	addr, open, stop := serveLogged(t, vars)
	_, port, _ := net.SplitHostPort(addr)
	if want := "https://10.99.0.7:" + port; open != want {
		t.Errorf("serve says open %s, want %s", open, want)
	}
	caPEM, err := os.ReadFile(filepath.Join(dir, "tls", "ca.crt"))
	if err != nil {
		t.Fatal(err)
	}
	block, _ := pem.Decode(caPEM)
	ca, err := x509.ParseCertificate(block.Bytes)
	if err != nil || !strings.HasPrefix(ca.Subject.CommonName, "LiveServer local CA ") {
		t.Fatalf("DATA_DIR/tls/ca.crt: %v %v", ca.Subject, err)
	}
	roots := x509.NewCertPool()
	roots.AddCert(ca)
	c := tlsClient(roots, addr)
	for _, url := range []string{open + "/healthz", "https://localhost:" + port + "/healthz", "https://127.0.0.1:" + port + "/healthz"} {
		if res, body := get(t, c, url); res.StatusCode != http.StatusOK {
			t.Errorf("%s: %s %s", url, res.Status, body)
		}
	}
	res, der := get(t, c, open+"/ca.crt")
	if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "application/x-x509-ca-cert" || !bytes.Equal(der, ca.Raw) {
		t.Errorf("/ca.crt: %s %q, the CA: %v", res.Status, res.Header.Get("Content-Type"), bytes.Equal(der, ca.Raw))
	}
	var info struct{ PublicURL, TLS, CAURL string }
	_, body := get(t, c, open+"/api/instance")
	if err := json.Unmarshal(body, &info); err != nil || info.PublicURL != open || info.TLS != "lan" || info.CAURL != "/ca.crt" {
		t.Errorf("/api/instance = %s", body)
	}
	// Cookies are Secure (__Host-), but no HSTS: it would pin localhost to HTTPS for a year.
	res, err = tlsClient(roots, addr).Post(open+"/api/auth/register", "application/json",
		strings.NewReader(`{"email":"t@school.ru","password":"correct horse","name":"T"}`))
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if cs := res.Cookies(); res.StatusCode != http.StatusCreated || len(cs) == 0 || cs[0].Name != "__Host-ls_session" || !cs[0].Secure ||
		res.Header.Get("Strict-Transport-Security") != "" {
		t.Errorf("register over LAN HTTPS: %s, cookies %v, HSTS %q", res.Status, cs, res.Header.Get("Strict-Transport-Security"))
	}
	// Nothing answers in plain HTTP, and a client that does not trust the CA is refused.
	// Plain HTTP on the same port is redirected to the public URL.
	plain := &http.Client{Transport: &http.Transport{DisableKeepAlives: true},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	if res, err := plain.Get("http://" + addr + "/join/abc?x=1"); err != nil {
		t.Error(err)
	} else {
		res.Body.Close()
		if res.StatusCode != http.StatusMovedPermanently || res.Header.Get("Location") != open+"/join/abc?x=1" {
			t.Errorf("plain HTTP in LAN mode: %s to %q", res.Status, res.Header.Get("Location"))
		}
	}
	// Except the CA's certificate, which a device that does not trust it yet can fetch without
	// the browser's warning (its fingerprint is what makes it safe).
	if res, err := plain.Get("http://" + addr + "/ca.crt"); err != nil {
		t.Error(err)
	} else {
		der, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "application/x-x509-ca-cert" {
			t.Errorf("/ca.crt in plain HTTP: %s %q", res.Status, res.Header.Get("Content-Type"))
		} else if c, err := x509.ParseCertificate(der); err != nil || !c.IsCA {
			t.Errorf("/ca.crt in plain HTTP is not a CA certificate: %v", err)
		}
	}
	if _, err := tlsClient(x509.NewCertPool(), addr).Get(open + "/healthz"); err == nil {
		t.Error("a client without the CA accepted the certificate")
	}
	// The container's health check speaks HTTPS and trusts the CA.
	check := func(vars map[string]string) error {
		return run(context.Background(), []string{"liveserver", "healthcheck"}, envOf(vars), strings.NewReader(""), io.Discard, io.Discard)
	}
	if err := check(map[string]string{"LISTEN_ADDR": ":" + port, "TLS": "lan", "DATA_DIR": dir}); err != nil {
		t.Errorf("healthcheck in LAN mode: %v", err)
	}
	if err := check(map[string]string{"LISTEN_ADDR": ":" + port, "TLS": "lan", "DATA_DIR": t.TempDir()}); err == nil {
		t.Error("healthcheck passed without the CA")
	}
	leaf := func() []byte {
		b, err := os.ReadFile(filepath.Join(dir, "tls", "server.crt"))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	first := leaf()
	stop()

	// A restart keeps the CA (students installed it) and the certificate (same addresses).
	addr, _, stop = serveLogged(t, vars)
	defer stop()
	again, _ := os.ReadFile(filepath.Join(dir, "tls", "ca.crt"))
	if !bytes.Equal(again, caPEM) || !bytes.Equal(leaf(), first) {
		t.Error("a restart replaced the CA or the server certificate")
	}
	if res, _ := get(t, tlsClient(roots, addr), "https://10.99.0.7/healthz"); res.StatusCode != http.StatusOK {
		t.Errorf("after restart: %s", res.Status)
	}
}

// LAN mode derives PUBLIC_URL and the dev LiveKit's advertised address from the students'
// address unless they are set.
func TestLANDefaults(t *testing.T) {
	lan := netip.MustParseAddr("192.168.1.20")
	for _, tc := range []struct {
		cfg      config.Config
		addr     netip.Addr
		url, ice string
	}{
		{config.Config{}, lan, "https://192.168.1.20:3000", "192.168.1.20"},
		{config.Config{PublicURL: "https://class.local:3000", LiveKitAdvertiseIP: "192.168.1.30"}, lan, "https://class.local:3000", "192.168.1.30"},
		{config.Config{LiveKitURL: "wss://lk.school.ru"}, lan, "https://192.168.1.20:3000", ""},
		{config.Config{}, netip.MustParseAddr("127.0.0.1"), "https://127.0.0.1:3000", ""},
		{config.Config{}, netip.MustParseAddr("fd00::5"), "https://[fd00::5]:3000", ""},
	} {
		c := tc.cfg
		lanDefaults(&c, tc.addr, 3000)
		if c.PublicURL != tc.url || c.LiveKitAdvertiseIP != tc.ice {
			t.Errorf("%+v: PUBLIC_URL %s, advertise %q", tc.cfg, c.PublicURL, c.LiveKitAdvertiseIP)
		}
	}
}

// PEBBLE_BIN names Pebble, the ACME test server (`make pebble`); pebble-challtestsrv lies next
// to it. LIVESERVER_REQUIRE_PEBBLE=1 makes its absence a failure (CI).
const pebbleEnv, requirePebbleEnv = "PEBBLE_BIN", "LIVESERVER_REQUIRE_PEBBLE"

// ACME mode against a real ACME server on loopback: Pebble validates the http-01 challenge on
// HTTP_ADDR (its tls-alpn-01 port is closed, so that is the only way), issues a certificate that
// a client trusting Pebble's root accepts on HTTPS_ADDR, and, its certificates living 20 s, the
// server renews it by itself; HTTP_ADDR redirects to the public URL.
func TestServeACMEWithPebble(t *testing.T) {
	pebble := os.Getenv(pebbleEnv)
	if pebble == "" {
		if os.Getenv(requirePebbleEnv) == "1" {
			t.Fatal(pebbleEnv + " is not set (make pebble installs it into .tools/bin)")
		}
		t.Skip(pebbleEnv + " is not set (make pebble installs it into .tools/bin)")
	}
	challsrv := filepath.Join(filepath.Dir(pebble), "pebble-challtestsrv")
	dir := t.TempDir()
	roots, rootFile := pebbleListenerCert(t, dir)
	port := func() int {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer ln.Close()
		return ln.Addr().(*net.TCPAddr).Port
	}
	acmePort, mgmtPort, dnsPort, dnsMgmtPort, httpPort, httpsPort, deadPort := port(), port(), port(), port(), port(), port(), port()
	cfg, _ := json.Marshal(map[string]any{"pebble": map[string]any{
		"listenAddress": fmt.Sprintf("127.0.0.1:%d", acmePort), "managementListenAddress": fmt.Sprintf("127.0.0.1:%d", mgmtPort),
		"certificate": filepath.Join(dir, "pebble.crt"), "privateKey": filepath.Join(dir, "pebble.key"),
		"httpPort": httpPort, "tlsPort": deadPort, "keyAlgorithm": "ecdsa",
		"retryAfter": map[string]int{"authz": 1, "order": 1},
		"profiles":   map[string]any{"default": map[string]any{"description": "short-lived", "validityPeriod": 20}},
	}})
	os.WriteFile(filepath.Join(dir, "pebble.json"), cfg, 0o600)

	var pebbleLog syncBuffer
	start := func(name string, out io.Writer, env []string, args ...string) {
		cmd := exec.Command(name, args...)
		cmd.Stdout, cmd.Stderr, cmd.Env = out, out, append(os.Environ(), env...)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	}
	// The DNS server answers every name with 127.0.0.1 (and no IPv6), so Pebble's validation
	// comes to our HTTP_ADDR.
	start(challsrv, io.Discard, nil, "-http01", "", "-https01", "", "-tlsalpn01", "", "-doh", "",
		"-dnsserver", fmt.Sprintf("127.0.0.1:%d", dnsPort), "-management", fmt.Sprintf("127.0.0.1:%d", dnsMgmtPort),
		"-defaultIPv4", "127.0.0.1", "-defaultIPv6", "")
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("Pebble's log:\n%s", pebbleLog.String())
		}
	})
	start(pebble, &pebbleLog, []string{"PEBBLE_VA_NOSLEEP=1", "PEBBLE_WFE_NONCEREJECT=0"},
		"-config", filepath.Join(dir, "pebble.json"), "-dnsserver", fmt.Sprintf("127.0.0.1:%d", dnsPort))
	admin := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: roots}}}
	var pebbleRoot []byte
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		if res, err := admin.Get(fmt.Sprintf("https://127.0.0.1:%d/roots/0", mgmtPort)); err == nil {
			pebbleRoot, _ = io.ReadAll(res.Body)
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatal("Pebble did not start")
		}
	}
	admin.CloseIdleConnections()
	issued := x509.NewCertPool()
	if !issued.AppendCertsFromPEM(pebbleRoot) {
		t.Fatalf("Pebble's root: %q", pebbleRoot)
	}

	const domain = "class.liveserver.test"
	public := fmt.Sprintf("https://%s:%d", domain, httpsPort)
	addr, open, stop := serveLogged(t, map[string]string{"DATA_DIR": filepath.Join(dir, "data"), "TLS": "auto", "DOMAIN": domain,
		"AUTH_SECRET": strings.Repeat("a", 32), "HTTPS_ADDR": fmt.Sprintf("127.0.0.1:%d", httpsPort),
		"HTTP_ADDR": fmt.Sprintf("127.0.0.1:%d", httpPort), "PUBLIC_URL": public, "LISTEN_ADDR": "127.0.0.1:1",
		"ACME_DIRECTORY": fmt.Sprintf("https://127.0.0.1:%d/dir", acmePort), "ACME_CA_FILE": rootFile, "ACME_EMAIL": "admin@school.ru",
		"LIVESERVER_INSECURE_FAST_HASH": "1", "LIVEKIT_DEV_SERVER": "off"})
	defer stop()
	if open != public || addr != fmt.Sprintf("127.0.0.1:%d", httpsPort) {
		t.Errorf("serve listens on %s and says open %s", addr, open)
	}

	// The first handshake obtains the certificate.
	c := tlsClient(issued, addr)
	res, page := get(t, c, public+"/")
	if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") {
		t.Fatalf("the page over ACME TLS: %s %q", res.Status, res.Header.Get("Content-Type"))
	}
	first := res.TLS.PeerCertificates[0]
	if !strings.Contains(string(page), "<html") || first.DNSNames[0] != domain {
		t.Errorf("page %.80q, certificate for %v", page, first.DNSNames)
	}
	if !strings.Contains(pebbleLog.String(), "Attempting to validate w/ HTTP") {
		t.Error("Pebble did not validate over http-01")
	}
	if _, err := os.Stat(filepath.Join(dir, "data", "acme", domain)); err != nil {
		t.Errorf("the certificate is not cached in DATA_DIR/acme: %v", err)
	}

	// HTTP_ADDR sends everything else to the public URL.
	plain := &http.Client{Transport: &http.Transport{DisableKeepAlives: true},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	if res, err := plain.Get(fmt.Sprintf("http://127.0.0.1:%d/join/ABC?x=1", httpPort)); err != nil {
		t.Error(err)
	} else {
		res.Body.Close()
		if res.StatusCode != http.StatusMovedPermanently || res.Header.Get("Location") != public+"/join/ABC?x=1" {
			t.Errorf("HTTP_ADDR: %s to %q", res.Status, res.Header.Get("Location"))
		}
	}

	// Renewal: within about two thirds of the 20 s lifetime a new certificate is served.
	for deadline := time.Now().Add(40 * time.Second); ; time.Sleep(time.Second) {
		res, _ := get(t, c, public+"/healthz")
		cert := res.TLS.PeerCertificates[0]
		if cert.SerialNumber.Cmp(first.SerialNumber) != 0 {
			if !cert.NotAfter.After(first.NotAfter) || res.StatusCode != http.StatusOK {
				t.Errorf("renewed certificate until %v (first until %v), %s", cert.NotAfter, first.NotAfter, res.Status)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the certificate was not renewed (until %v)", first.NotAfter)
		}
	}
}

// pebbleListenerCert makes a CA and, signed by it, the certificate Pebble serves its API with;
// the CA is what ACME_CA_FILE names.
func pebbleListenerCert(t *testing.T, dir string) (*x509.CertPool, string) {
	t.Helper()
	caKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	caTmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "test ACME server CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	ca, _ := x509.ParseCertificate(caDER)
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "127.0.0.1"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), DNSNames: []string{"localhost"},
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	kder, _ := x509.MarshalPKCS8PrivateKey(key)
	write := func(name, typ string, b []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: b}), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	write("pebble.crt", "CERTIFICATE", der)
	write("pebble.key", "PRIVATE KEY", kder)
	pool := x509.NewCertPool()
	pool.AddCert(ca)
	return pool, write("acme-ca.pem", "CERTIFICATE", caDER)
}

// LAN mode with the dev LiveKit: where no LAN address is found (this test's namespace has only
// loopback) PUBLIC_URL falls back to 127.0.0.1; LiveKit, which would not trust the local CA, posts
// its webhooks to a plain loopback listener, and they are applied.
func TestServeLANWithDevLiveKit(t *testing.T) {
	bin := livekittest.Binary(t)
	livekittest.RequireLoopbackOnly(t)
	dir := t.TempDir()
	addr, open, stop := serveLogged(t, map[string]string{"DATA_DIR": dir, "LISTEN_ADDR": "127.0.0.1:0", "TLS": "lan",
		"LIVESERVER_INSECURE_FAST_HASH": "1", "LIVEKIT_SERVER_BIN": bin, "LIVEKIT_DEV_PORT": "0"})
	defer stop()
	if _, port, _ := net.SplitHostPort(addr); open != "https://127.0.0.1:"+port {
		t.Errorf("serve says open %s", open)
	}
	caPEM, err := os.ReadFile(filepath.Join(dir, "tls", "ca.crt"))
	if err != nil {
		t.Fatal(err)
	}
	roots := x509.NewCertPool()
	roots.AppendCertsFromPEM(caPEM)
	jar, _ := cookiejar.New(nil)
	host := &session{t: t, base: open, c: &http.Client{Jar: jar, Timeout: 10 * time.Second,
		Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: roots}, DisableKeepAlives: true}}}
	host.call("POST", "/api/auth/register", `{"email":"host@school.ru","password":"correct horse","name":"Анна"}`, 201)
	room := host.call("POST", "/api/rooms", `{"name":"Физика"}`, 201)
	id, lec := room["id"].(string), room["lectureId"].(string)
	host.call("POST", "/api/rooms/"+id+"/start", "", 200)
	tok := host.call("POST", "/api/livekit/token", `{"roomId":"`+id+`"}`, 200)
	// The token's address is this server's own HTTPS origin, which forwards LiveKit's signalling:
	// the bot trusts the local CA, as a student's device does once it is installed.
	sdkTrusts(t, roots)
	bot, err := livekittest.Join(t, tok["url"].(string), tok["token"].(string))
	if err != nil {
		t.Fatalf("LiveKit refused our host token: %v", err)
	}
	// Leave before serve stops: a signalling connection that our server closes looks like a
	// network failure to the SDK, which would keep trying to resume it.
	defer bot.Room.Disconnect()
	db, err := sqlstore.OpenSQLite(context.Background(), filepath.Join(dir, "liveserver.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	waitFor(t, "attendance from LiveKit's webhook", func() bool {
		att, _ := db.AttendanceOf(context.Background(), lec)
		return len(att) == 1 && att[0].JoinedAt != nil && att[0].Identity == bot.Room.LocalParticipant.Identity()
	})
}

// The plain-HTTP side of ACME mode sends visitors to the public URL and nowhere else, whatever
// the request's path looks like ("//evil.example" included).
func FuzzRedirectTo(f *testing.F) {
	for _, s := range []string{"/", "/join/abc", "//evil.example/x", "/a?b=c", "/%2F%2Fevil", "/\\evil", "/@evil.example"} {
		f.Add(s)
	}
	const public = "https://live.school.ru"
	h := redirectTo(public)
	f.Fuzz(func(t *testing.T, uri string) {
		req, err := http.ReadRequest(bufio.NewReader(strings.NewReader("GET " + uri + " HTTP/1.1\r\nHost: evil.example\r\n\r\n")))
		if err != nil {
			return // not a request line a server would accept
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		loc := rec.Header().Get("Location")
		if rec.Code != http.StatusMovedPermanently {
			t.Fatalf("%q: status %d", uri, rec.Code)
		}
		u, err := url.Parse(loc)
		if err != nil || u.Scheme != "https" || u.Host != "live.school.ru" {
			t.Fatalf("%q redirects to %q", uri, loc)
		}
	})
}

// sdkTrusts makes the LiveKit Go SDK, which dials with gorilla's default websocket dialer and
// Go's default HTTP client, trust roots too, until the test ends.
func sdkTrusts(t *testing.T, roots *x509.CertPool) {
	t.Helper()
	dialer, client := websocket.DefaultDialer, http.DefaultClient.Transport
	d := *dialer
	d.TLSClientConfig = &tls.Config{RootCAs: roots}
	websocket.DefaultDialer = &d
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.TLSClientConfig = &tls.Config{RootCAs: roots}
	http.DefaultClient.Transport = tr
	t.Cleanup(func() { websocket.DefaultDialer, http.DefaultClient.Transport = dialer, client })
}
