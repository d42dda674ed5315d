package tlsserve

import (
	"crypto/tls"
	"crypto/x509"
	"io"
	"net"
	"net/http"
	"net/netip"
	"testing"
	"time"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// One port, two servers: TLS clients reach the one, plain-HTTP clients the other, a client that
// sends nothing holds up neither, and closing both sides ends everything.
func TestSplit(t *testing.T) {
	ca, err := OpenLocalCA(t.TempDir(), "pc", nil)
	if err != nil {
		t.Fatal(err)
	}
	cert, _, err := ca.ServerCert([]netip.Addr{netip.MustParseAddr("127.0.0.1")}, nil)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := NewSplit(raw, &tls.Config{Certificates: []tls.Certificate{*cert}})
	serve := func(ln net.Listener, body string) (*http.Server, chan error) {
		srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, body) })}
		done := make(chan error, 1)
		go func() { done <- srv.Serve(ln) }()
		return srv, done
	}
	tlsSrv, tlsDone := serve(s.TLS(), "secure")
	plainSrv, plainDone := serve(s.Plain(), "plain")

	// A silent client first: it must not delay the others.
	silent, err := net.Dial("tcp", raw.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer silent.Close()

	roots := x509.NewCertPool()
	roots.AddCert(ca.Cert())
	get := func(c *http.Client, url string) string {
		res, err := c.Get(url)
		if err != nil {
			t.Fatalf("GET %s: %v", url, err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return string(b)
	}
	secure := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: roots}, DisableKeepAlives: true}}
	plain := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	for range 3 {
		if got := get(secure, "https://"+raw.Addr().String()+"/"); got != "secure" {
			t.Fatalf("TLS side answered %q", got)
		}
		if got := get(plain, "http://"+raw.Addr().String()+"/"); got != "plain" {
			t.Fatalf("plain side answered %q", got)
		}
	}

	start := time.Now()
	tlsSrv.Close()
	if _, err := net.DialTimeout("tcp", raw.Addr().String(), time.Second); err != nil {
		t.Fatalf("the port closed with one side still open: %v", err)
	}
	plainSrv.Close()
	for _, done := range []chan error{tlsDone, plainDone} {
		if err := <-done; err != http.ErrServerClosed {
			t.Errorf("Serve returned %v", err)
		}
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("closing waited %v for the silent client", d)
	}
	if _, err := net.DialTimeout("tcp", raw.Addr().String(), time.Second); err == nil {
		t.Error("the port still accepts after both sides closed")
	}
}
