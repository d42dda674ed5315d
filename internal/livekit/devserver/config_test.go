package devserver_test

import (
	"strings"
	"testing"

	"github.com/liveserver/liveserver/internal/livekit/devserver"
)

var testCfg = devserver.Config{
	APIKey:         "devkey",
	APISecret:      "0123456789abcdef0123456789abcdef",
	Port:           7880,
	RTCUDPPort:     7882,
	TURNUDPPort:    3478,
	RelayPortStart: 30000,
	RelayPortEnd:   30007,
	WebhookURLs:    []string{"http://127.0.0.1:3000/api/livekit/webhook"},
}

// The loopback config is DESIGN §7 to the letter; the server decodes it
// strictly, and the supervisor tests prove it starts.
func TestLoopbackYAML(t *testing.T) {
	got, err := testCfg.YAML()
	if err != nil {
		t.Fatal(err)
	}
	want := `port: 7880
bind_addresses:
    - 127.0.0.1
rtc:
    udp_port: 7882
    tcp_port: 0
    use_external_ip: false
    node_ip: 127.0.0.1
    enable_loopback_candidate: true
    stun_servers:
        - 127.0.0.1:3478
    ips:
        includes:
            - 127.0.0.1/32
    interfaces:
        includes:
            - lo
turn:
    enabled: true
    udp_port: 3478
    bind_addresses:
        - 127.0.0.1
    relay_range_start: 30000
    relay_range_end: 30007
    allow_restricted_peer_cidrs:
        - 127.0.0.0/8
room:
    auto_create: false
keys:
    devkey: 0123456789abcdef0123456789abcdef
webhook:
    api_key: devkey
    urls:
        - http://127.0.0.1:3000/api/livekit/webhook
logging:
    level: info
`
	if string(got) != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	if u := testCfg.URL(); u != "ws://127.0.0.1:7880" {
		t.Errorf("URL() = %q", u)
	}
}

func TestLANYAML(t *testing.T) {
	c := testCfg
	c.AdvertiseIP = "192.168.1.20"
	c.WebhookURLs = nil
	got, err := c.YAML()
	if err != nil {
		t.Fatal(err)
	}
	s := string(got)
	for _, want := range []string{
		"bind_addresses:\n    - 127.0.0.1\n    - 192.168.1.20\n",
		"node_ip: 192.168.1.20\n",
		"stun_servers:\n        - 192.168.1.20:3478\n",
		"includes:\n            - 192.168.1.20/32\n",
		"allow_restricted_peer_cidrs:\n        - 192.168.1.20/32\n",
		"tcp_port: 0\n",
	} {
		if !strings.Contains(s, want) {
			t.Errorf("LAN config lacks %q:\n%s", want, s)
		}
	}
	for _, unwanted := range []string{"interfaces:", "webhook:"} {
		if strings.Contains(s, unwanted) {
			t.Errorf("LAN config has %q:\n%s", unwanted, s)
		}
	}
	if u := c.URL(); u != "ws://192.168.1.20:7880" {
		t.Errorf("URL() = %q", u)
	}
}

// In LAN mode a TCP media port lets students whose network drops UDP still get audio and
// video (ICE/TCP); it is offered on the LAN address only, like the UDP port.
func TestLANYAMLWithTCP(t *testing.T) {
	c := testCfg
	c.AdvertiseIP, c.RTCTCPPort = "192.168.1.20", 7881
	got, err := c.YAML()
	if err != nil {
		t.Fatal(err)
	}
	s := string(got)
	for _, want := range []string{"tcp_port: 7881\n", "udp_port: 7882\n", "includes:\n            - 192.168.1.20/32\n"} {
		if !strings.Contains(s, want) {
			t.Errorf("LAN config lacks %q:\n%s", want, s)
		}
	}
}

// When our server forwards the signalling, the LAN gets LiveKit's media ports only: signalling
// and the RoomService API stay on loopback.
func TestLANYAMLSignalOnLoopback(t *testing.T) {
	c := testCfg
	c.AdvertiseIP, c.SignalOnLoopback = "192.168.1.20", true
	got, err := c.YAML()
	if err != nil {
		t.Fatal(err)
	}
	s := string(got)
	if !strings.Contains(s, "bind_addresses:\n    - 127.0.0.1\nrtc:") || !strings.Contains(s, "node_ip: 192.168.1.20\n") {
		t.Errorf("config:\n%s", s)
	}
	if u := c.URL(); u != "ws://127.0.0.1:7880" {
		t.Errorf("URL() = %q, want loopback", u)
	}
}

// TURN over TLS on the LAN address, named by the certificate, for UDP-blocked clients that
// cannot do ICE/TCP.
func TestLANYAMLWithTURNTLS(t *testing.T) {
	c := testCfg
	c.AdvertiseIP, c.TURNTLSPort, c.TURNCertFile, c.TURNKeyFile = "192.168.1.20", 443, "/etc/turn/cert.pem", "/etc/turn/key.pem"
	got, err := c.YAML()
	if err != nil {
		t.Fatal(err)
	}
	want := "turn:\n    enabled: true\n    domain: 192.168.1.20\n    cert_file: /etc/turn/cert.pem\n    key_file: /etc/turn/key.pem\n    tls_port: 443\n    udp_port: 3478\n"
	if !strings.Contains(string(got), want) {
		t.Errorf("LAN config lacks\n%s\nin\n%s", want, got)
	}
	if got, _ := testCfg.YAML(); strings.Contains(string(got), "tls_port") || strings.Contains(string(got), "domain") {
		t.Errorf("loopback config has TURN/TLS:\n%s", got)
	}
}

func TestConfigValidate(t *testing.T) {
	bad := map[string]func(*devserver.Config){
		"no key":          func(c *devserver.Config) { c.APIKey = "" },
		"short secret":    func(c *devserver.Config) { c.APISecret = "short" },
		"no port":         func(c *devserver.Config) { c.Port = 0 },
		"empty relay":     func(c *devserver.Config) { c.RelayPortEnd = c.RelayPortStart },
		"LAN IP loopback": func(c *devserver.Config) { c.AdvertiseIP = "127.0.0.1" },
		"LAN IP any":      func(c *devserver.Config) { c.AdvertiseIP = "0.0.0.0" },
		"LAN IP v6":       func(c *devserver.Config) { c.AdvertiseIP = "fd00::2" },
		"LAN IP garbage":  func(c *devserver.Config) { c.AdvertiseIP = "lan" },
		// Loopback-only keeps tcp_port: 0; a TCP media port is for LAN mode only.
		"TCP port on loopback": func(c *devserver.Config) { c.RTCTCPPort = 7881 },
		"TCP port clash": func(c *devserver.Config) {
			c.AdvertiseIP, c.RTCTCPPort = "192.168.1.20", c.Port
		},
		"TURN/TLS on loopback": func(c *devserver.Config) {
			c.TURNTLSPort, c.TURNCertFile, c.TURNKeyFile = 443, "c.pem", "k.pem"
		},
		"TURN/TLS without key": func(c *devserver.Config) {
			c.AdvertiseIP, c.TURNTLSPort, c.TURNCertFile = "192.168.1.20", 443, "c.pem"
		},
		"TURN/TLS without port": func(c *devserver.Config) {
			c.AdvertiseIP, c.TURNCertFile, c.TURNKeyFile = "192.168.1.20", "c.pem", "k.pem"
		},
	}
	for name, mutate := range bad {
		c := testCfg
		mutate(&c)
		if _, err := c.YAML(); err == nil {
			t.Errorf("%s: YAML() succeeded", name)
		}
	}
}

func TestWithFreePorts(t *testing.T) {
	c, err := devserver.Config{APIKey: "k", APISecret: testCfg.APISecret, Port: 7880}.WithFreePorts()
	if err != nil {
		t.Fatal(err)
	}
	if c.Port != 7880 {
		t.Errorf("a set port was replaced: %d", c.Port)
	}
	if c.RTCUDPPort == 0 || c.TURNUDPPort == 0 || c.RelayPortEnd <= c.RelayPortStart {
		t.Errorf("ports not filled: %+v", c)
	}
	if err := c.Validate(); err != nil {
		t.Error(err)
	}
}
