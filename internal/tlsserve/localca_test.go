package tlsserve

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/x509"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

func addrs(s ...string) []netip.Addr {
	out := make([]netip.Addr, len(s))
	for i, a := range s {
		out[i] = netip.MustParseAddr(a)
	}
	return out
}

// The CA is made once and kept; the server certificate chains to it, covers the asked names,
// is kept while they stay the same and re-issued when they change.
func TestLocalCA(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "tls")
	ca, err := OpenLocalCA(dir, "teacher-pc", addrs("192.168.1.20"))
	if err != nil {
		t.Fatal(err)
	}
	c := ca.Cert()
	pub, ok := c.PublicKey.(*ecdsa.PublicKey)
	if !ok || pub.Curve != elliptic.P256() || !c.IsCA || c.Subject.CommonName != "LiveServer local CA teacher-pc" ||
		time.Until(c.NotAfter) < 10*365*24*time.Hour {
		t.Fatalf("CA = %v %v, until %v", c.Subject, c.PublicKey, c.NotAfter)
	}
	if st, err := os.Stat(filepath.Join(dir, "ca.key")); err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("ca.key: %v %v", st, err)
	}
	again, err := OpenLocalCA(dir, "renamed-pc", nil)
	if err != nil || !again.Cert().Equal(c) {
		t.Fatalf("the CA was not kept: %v", err)
	}

	ips := addrs("192.168.1.20", "127.0.0.1", "::1")
	cert, refused, err := ca.ServerCert(ips, []string{"localhost", "Teacher-PC", "teacher-pc.local"})
	if err != nil || len(refused) != 0 {
		t.Fatalf("ServerCert: %v, refused %v", err, refused)
	}
	roots := x509.NewCertPool()
	roots.AddCert(c)
	for _, name := range []string{"192.168.1.20", "127.0.0.1", "::1", "localhost", "teacher-pc", "teacher-pc.local"} {
		if _, err := cert.Leaf.Verify(x509.VerifyOptions{Roots: roots, DNSName: name}); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	if _, err := cert.Leaf.Verify(x509.VerifyOptions{Roots: roots, DNSName: "192.168.1.21"}); err == nil {
		t.Error("certificate valid for an address it was not made for")
	}

	// Same names (in another order): the same certificate. Another address: a new one.
	same, _, err := again.ServerCert(addrs("::1", "127.0.0.1", "192.168.1.20", "192.168.1.20"), []string{"teacher-pc.local", "localhost", "teacher-pc"})
	if err != nil || !same.Leaf.Equal(cert.Leaf) {
		t.Fatalf("certificate re-issued for the same names: %v", err)
	}
	moved, _, err := again.ServerCert(addrs("10.0.0.5", "127.0.0.1"), []string{"localhost"})
	if err != nil || moved.Leaf.Equal(cert.Leaf) || !slices.ContainsFunc(moved.Leaf.IPAddresses, func(ip net.IP) bool {
		a, _ := netip.AddrFromSlice(ip)
		return a.Unmap() == netip.MustParseAddr("10.0.0.5")
	}) {
		t.Fatalf("certificate not re-issued for a new address: %v %v", moved.Leaf.IPAddresses, err)
	}
}

// The CA signs for private addresses, the addresses it was made with and this machine's names
// only: trusting it does not let it stand in for sites on the internet.
func TestLocalCAIsConstrained(t *testing.T) {
	ca, err := OpenLocalCA(t.TempDir(), "teacher-pc", addrs("203.0.113.7"))
	if err != nil {
		t.Fatal(err)
	}
	cert, refused, err := ca.ServerCert(addrs("203.0.113.7", "8.8.8.8", "10.1.2.3"), []string{"teacher-pc", "www.google.com"})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(refused, []string{"8.8.8.8", "www.google.com"}) {
		t.Fatalf("refused = %v", refused)
	}
	if len(cert.Leaf.IPAddresses) != 2 || !slices.Equal(cert.Leaf.DNSNames, []string{"teacher-pc"}) {
		t.Fatalf("certificate for %v %v", cert.Leaf.IPAddresses, cert.Leaf.DNSNames)
	}
	if !ca.Permits(netip.MustParseAddr("192.168.0.9")) || ca.Permits(netip.MustParseAddr("1.1.1.1")) {
		t.Error("Permits disagrees with the constraints")
	}
	// Even a certificate made with the CA's key outside ServerCert fails verification.
	roots := x509.NewCertPool()
	roots.AddCert(ca.Cert())
	tmpl := &x509.Certificate{SerialNumber: serial(), NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		DNSNames: []string{"www.google.com"}, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(nil, tmpl, ca.cert, &ca.key.PublicKey, ca.key)
	if err != nil {
		t.Fatal(err)
	}
	forged, _ := x509.ParseCertificate(der)
	if _, err := forged.Verify(x509.VerifyOptions{Roots: roots, DNSName: "www.google.com"}); err == nil {
		t.Fatal("a certificate for www.google.com verifies under the local CA")
	}
}

// A damaged CA folder is reported, not silently replaced (students would have to install a
// new CA).
func TestLocalCADamaged(t *testing.T) {
	dir := t.TempDir()
	if _, err := OpenLocalCA(dir, "pc", nil); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, "ca.key"), []byte("garbage"), 0o600)
	if _, err := OpenLocalCA(dir, "pc", nil); err == nil {
		t.Fatal("a damaged CA key was accepted")
	}
}

func TestLANAddrs(t *testing.T) {
	got := LANAddrs([]Iface{
		{Name: "lo", Up: true, Loopback: true, Addrs: addrs("127.0.0.1", "::1")},
		{Name: "docker0", Up: true, Addrs: addrs("172.17.0.1")},
		{Name: "eth1", Up: false, Addrs: addrs("192.168.5.5")},
		{Name: "wlan0", Up: true, Addrs: addrs("fe80::1", "2001:db8::20", "192.168.1.20")},
		{Name: "eth0", Up: true, Addrs: addrs("198.51.100.4", "10.0.0.7", "192.168.1.20")},
	})
	want := addrs("192.168.1.20", "10.0.0.7", "198.51.100.4", "2001:db8::20", "172.17.0.1")
	if !slices.Equal(got, want) {
		t.Fatalf("LANAddrs = %v, want %v", got, want)
	}
	if got := LANAddrs([]Iface{{Name: "lo", Up: true, Loopback: true, Addrs: addrs("127.0.0.1")}}); len(got) != 0 {
		t.Fatalf("loopback only: %v", got)
	}
}
