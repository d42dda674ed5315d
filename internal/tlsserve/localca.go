// Package tlsserve gives the server its own HTTPS: a certificate from an ACME CA (Let's
// Encrypt) for a domain, or, for a class on a local network without one, a certificate from a
// small certificate authority that the server makes once and that the students' browsers trust.
package tlsserve

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"math/big"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

const (
	caLifetime     = 20 * 365 * 24 * time.Hour
	serverLifetime = 365 * 24 * time.Hour // Apple's limit for any TLS server certificate is 825 days
	// renewWithin re-issues the server certificate when less than this is left.
	renewWithin = 30 * 24 * time.Hour
	// backdate covers clocks of students' devices a little behind ours.
	backdate = time.Hour
)

// privateRanges are the addresses the local CA may sign for: a student who trusts it trusts
// it for this machine's names and for local networks only, so the CA's key (on the teacher's
// computer) cannot stand in for sites on the internet.
var privateRanges = []string{"10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "127.0.0.0/8",
	"169.254.0.0/16", "::1/128", "fc00::/7", "fe80::/10"}

// LocalCA is the LAN mode's certificate authority, kept in a folder: ca.crt and ca.key, and
// the server certificate it signed, server.crt and server.key.
type LocalCA struct {
	dir  string
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
}

// OpenLocalCA loads the CA kept in dir, making it (and dir) on first use. host names the CA
// ("LiveServer local CA <host>") and, with "localhost", is the one host name it may sign for;
// besides private addresses it may sign for addrs, this machine's addresses when it is made (a
// network of public addresses).
func OpenLocalCA(dir, host string, addrs []netip.Addr) (*LocalCA, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	ca := &LocalCA{dir: dir}
	cert, key, err := readPair(ca.path("ca.crt"), ca.path("ca.key"))
	switch {
	case err == nil:
		ca.cert, ca.key = cert, key
		return ca, nil
	case !errors.Is(err, fs.ErrNotExist):
		return nil, fmt.Errorf("the local CA in %s: %w (remove the folder to make a new one; students then install it again)", dir, err)
	}
	if ca.key, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader); err != nil {
		return nil, err
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber:          serial(),
		Subject:               pkix.Name{CommonName: "LiveServer local CA " + host, Organization: []string{"LiveServer"}},
		NotBefore:             now.Add(-backdate),
		NotAfter:              now.Add(caLifetime),
		IsCA:                  true,
		BasicConstraintsValid: true,
		MaxPathLenZero:        true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		// Not critical: a platform that does not know name constraints still accepts the CA,
		// and those that do (browsers, Go) hold it to them.
		PermittedDNSDomains: permittedNames(host),
	}
	for _, r := range privateRanges {
		_, n, _ := net.ParseCIDR(r)
		tmpl.PermittedIPRanges = append(tmpl.PermittedIPRanges, n)
	}
	for _, a := range addrs {
		if a = a.Unmap().WithZone(""); a.IsValid() && !ipPermitted(tmpl, a) {
			ip := net.IP(a.AsSlice())
			tmpl.PermittedIPRanges = append(tmpl.PermittedIPRanges, &net.IPNet{IP: ip, Mask: net.CIDRMask(a.BitLen(), a.BitLen())})
		}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &ca.key.PublicKey, ca.key)
	if err != nil {
		return nil, err
	}
	if ca.cert, err = x509.ParseCertificate(der); err != nil {
		return nil, err
	}
	if err := writePair(ca.path("ca.crt"), ca.path("ca.key"), [][]byte{der}, ca.key); err != nil {
		return nil, err
	}
	return ca, nil
}

// permittedNames are the DNS names the CA signs for: the host, its .local (mDNS) name and
// localhost.
func permittedNames(host string) []string {
	names := []string{"localhost"}
	if h := strings.ToLower(strings.TrimSuffix(host, ".")); h != "" && h != "localhost" {
		names = append(names, h)
		if !strings.Contains(h, ".") {
			names = append(names, h+".local")
		}
	}
	return names
}

// Certificate is the CA's certificate (DER), what a student installs.
func (ca *LocalCA) Certificate() []byte { return ca.cert.Raw }

// Cert is the parsed CA certificate.
func (ca *LocalCA) Cert() *x509.Certificate { return ca.cert }

func (ca *LocalCA) path(name string) string { return filepath.Join(ca.dir, name) }

// ServerCert returns a certificate for the given addresses and host names, signed by the CA:
// the one kept from before when it covers exactly these names and is far from expiry, a new one
// otherwise. Names the CA may not sign for are left out and returned, for a warning.
func (ca *LocalCA) ServerCert(ips []netip.Addr, names []string) (*tls.Certificate, []string, error) {
	ips, names, refused := ca.allowed(ips, names)
	if len(ips) == 0 && len(names) == 0 {
		return nil, refused, errors.New("no address or name to make the server certificate for")
	}
	if cert, key, err := readPair(ca.path("server.crt"), ca.path("server.key")); err == nil &&
		time.Until(cert.NotAfter) > renewWithin && sameNames(cert, ips, names) && cert.CheckSignatureFrom(ca.cert) == nil {
		return &tls.Certificate{Certificate: [][]byte{cert.Raw, ca.cert.Raw}, PrivateKey: key, Leaf: cert}, refused, nil
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, refused, err
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber: serial(),
		Subject:      pkix.Name{Organization: []string{"LiveServer"}},
		NotBefore:    now.Add(-backdate),
		NotAfter:     now.Add(serverLifetime),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		DNSNames:     names,
	}
	for _, ip := range ips {
		tmpl.IPAddresses = append(tmpl.IPAddresses, net.IP(ip.AsSlice()))
	}
	if len(names) > 0 {
		tmpl.Subject.CommonName = names[0]
	} else {
		tmpl.Subject.CommonName = ips[0].String()
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, &key.PublicKey, ca.key)
	if err != nil {
		return nil, refused, err
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, refused, err
	}
	if err := writePair(ca.path("server.crt"), ca.path("server.key"), [][]byte{der}, key); err != nil {
		return nil, refused, err
	}
	return &tls.Certificate{Certificate: [][]byte{der, ca.cert.Raw}, PrivateKey: key, Leaf: leaf}, refused, nil
}

// allowed splits the names into those the CA's constraints permit and the rest (as text), with
// duplicates removed and in a stable order.
func (ca *LocalCA) allowed(ips []netip.Addr, names []string) ([]netip.Addr, []string, []string) {
	var okIPs []netip.Addr
	var okNames, refused []string
	for _, ip := range ips {
		ip = ip.Unmap().WithZone("")
		if slices.Contains(okIPs, ip) {
			continue
		}
		if ipPermitted(ca.cert, ip) {
			okIPs = append(okIPs, ip)
		} else {
			refused = append(refused, ip.String())
		}
	}
	for _, n := range names {
		n = strings.ToLower(strings.TrimSuffix(n, "."))
		if n == "" || slices.Contains(okNames, n) {
			continue
		}
		if namePermitted(ca.cert, n) {
			okNames = append(okNames, n)
		} else {
			refused = append(refused, n)
		}
	}
	slices.SortFunc(okIPs, func(a, b netip.Addr) int { return a.Compare(b) })
	slices.Sort(okNames)
	return okIPs, okNames, refused
}

func ipPermitted(ca *x509.Certificate, ip netip.Addr) bool {
	if len(ca.PermittedIPRanges) == 0 {
		return true
	}
	for _, n := range ca.PermittedIPRanges {
		if n.Contains(net.IP(ip.AsSlice())) {
			return true
		}
	}
	return false
}

// namePermitted follows RFC 5280: a constraint permits the name itself and its subdomains.
func namePermitted(ca *x509.Certificate, name string) bool {
	if len(ca.PermittedDNSDomains) == 0 {
		return true
	}
	for _, d := range ca.PermittedDNSDomains {
		if name == d || strings.HasSuffix(name, "."+d) {
			return true
		}
	}
	return false
}

// sameNames reports whether cert was made for exactly these (sorted, distinct) names.
func sameNames(cert *x509.Certificate, ips []netip.Addr, names []string) bool {
	have := make([]netip.Addr, 0, len(cert.IPAddresses))
	for _, ip := range cert.IPAddresses {
		a, _ := netip.AddrFromSlice(ip)
		have = append(have, a.Unmap())
	}
	slices.SortFunc(have, func(a, b netip.Addr) int { return a.Compare(b) })
	dns := slices.Clone(cert.DNSNames)
	slices.Sort(dns)
	return slices.Equal(have, ips) && slices.Equal(dns, names)
}

func serial() *big.Int {
	n, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		panic(err) // crypto/rand does not fail on supported platforms
	}
	return n
}

// readPair reads a PEM certificate and its PEM (PKCS #8) ECDSA key.
func readPair(certPath, keyPath string) (*x509.Certificate, *ecdsa.PrivateKey, error) {
	cb, err := os.ReadFile(certPath)
	if err != nil {
		return nil, nil, err
	}
	kb, err := os.ReadFile(keyPath)
	if err != nil {
		return nil, nil, err
	}
	cblock, _ := pem.Decode(cb)
	kblock, _ := pem.Decode(kb)
	if cblock == nil || cblock.Type != "CERTIFICATE" || kblock == nil || kblock.Type != "PRIVATE KEY" {
		return nil, nil, fmt.Errorf("%s or %s is not PEM", certPath, keyPath)
	}
	cert, err := x509.ParseCertificate(cblock.Bytes)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", certPath, err)
	}
	k, err := x509.ParsePKCS8PrivateKey(kblock.Bytes)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", keyPath, err)
	}
	key, ok := k.(*ecdsa.PrivateKey)
	if !ok || !key.PublicKey.Equal(cert.PublicKey) {
		return nil, nil, fmt.Errorf("%s does not hold the key of %s", keyPath, certPath)
	}
	return cert, key, nil
}

// writePair writes the key first (0600), then the certificate, each through a temporary file
// so a crash never leaves half a file.
func writePair(certPath, keyPath string, ders [][]byte, key *ecdsa.PrivateKey) error {
	kder, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return err
	}
	if err := writeFile(keyPath, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kder}), 0o600); err != nil {
		return err
	}
	var buf bytes.Buffer
	for _, der := range ders {
		pem.Encode(&buf, &pem.Block{Type: "CERTIFICATE", Bytes: der})
	}
	return writeFile(certPath, buf.Bytes(), 0o644)
}

func writeFile(path string, b []byte, mode os.FileMode) error {
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, b, mode); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// Permits reports whether the CA may sign for the address.
func (ca *LocalCA) Permits(a netip.Addr) bool { return ipPermitted(ca.cert, a.Unmap().WithZone("")) }
