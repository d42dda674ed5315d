package devserver

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strconv"

	"gopkg.in/yaml.v3"
)

// MinSecretLen is the shortest API secret livekit-server accepts without
// complaining (outside its --dev mode, which we do not use: it turns on
// debug logging and pprof).
const MinSecretLen = 32

// Config describes one dev livekit-server. Zero ports are not allowed in
// the generated file; WithFreePorts fills them in.
type Config struct {
	APIKey    string
	APISecret string

	// Port serves signalling (websocket) and the RoomService API.
	Port int
	// RTCUDPPort is the single UDP port all WebRTC media is muxed on.
	RTCUDPPort int
	// TURNUDPPort is the built-in TURN/STUN server. The Go SDK needs it on
	// loopback to gather any ICE candidate at all (DESIGN §7); LiveKit also
	// hands it to clients as their STUN server instead of public ones.
	TURNUDPPort int
	// RelayPortStart and RelayPortEnd bound the TURN relay ports.
	RelayPortStart int
	RelayPortEnd   int
	// RTCTCPPort carries WebRTC media over TCP (ICE/TCP) for clients whose network drops UDP.
	// Only with AdvertiseIP; zero means none. LiveKit listens on it on every interface (it has
	// no bind setting for it) and offers it only on AdvertiseIP, so a loopback-only server never
	// has one: that is why the file says tcp_port: 0 there.
	RTCTCPPort int
	// TURNTLSPort, TURNCertFile and TURNKeyFile add TURN over TLS on AdvertiseIP (LAN mode only),
	// for clients that can reach neither UDP nor ICE/TCP: the Go SDK (pion gathers UDP only)
	// and networks that pass nothing but TLS. The certificate must name AdvertiseIP (an IP SAN),
	// the TURN domain. LiveKit v1.13.5 tells clients the built-in TURN/TLS is on port 443 of that
	// domain whatever tls_port says (pkg/service/roommanager.go), so TURNTLSPort is 443 unless a
	// TLS forwarder on 443 passes to it.
	TURNTLSPort  int
	TURNCertFile string
	TURNKeyFile  string

	// AdvertiseIP, when empty, keeps the server loopback-only: it listens
	// on 127.0.0.1, offers only 127.0.0.1 candidates and takes media only on
	// lo. Set it to this machine's LAN IPv4 address so that a class on the
	// same network can join; the server then listens on that address as
	// well as loopback and offers it to clients.
	AdvertiseIP string

	// SignalOnLoopback keeps signalling and the RoomService API on 127.0.0.1 even with
	// AdvertiseIP, for when our server forwards the signalling (LIVEKIT_SIGNAL_VIA_APP): the
	// LAN then reaches LiveKit's media ports only, and URL is the loopback address.
	SignalOnLoopback bool

	// WebhookURLs receive signed events (signed with APIKey). Optional.
	WebhookURLs []string

	// DepartureTimeoutSeconds is how long a room outlives its last participant
	// before room_finished; zero keeps LiveKit's default (20 s).
	DepartureTimeoutSeconds int

	// LogLevel defaults to "info".
	LogLevel string
}

// URL is the websocket address clients use (our server, when it forwards signalling).
func (c Config) URL() string {
	host := c.host()
	if c.SignalOnLoopback {
		host = loopback
	}
	return "ws://" + net.JoinHostPort(host, strconv.Itoa(c.Port))
}

// host is the address clients reach the server on.
func (c Config) host() string {
	if c.AdvertiseIP != "" {
		return c.AdvertiseIP
	}
	return loopback
}

const loopback = "127.0.0.1"

// Validate reports the first problem, naming the field.
func (c Config) Validate() error {
	if c.APIKey == "" {
		return errors.New("devserver: APIKey is empty")
	}
	if len(c.APISecret) < MinSecretLen {
		return fmt.Errorf("devserver: APISecret must be at least %d characters", MinSecretLen)
	}
	for name, p := range map[string]int{
		"Port": c.Port, "RTCUDPPort": c.RTCUDPPort, "TURNUDPPort": c.TURNUDPPort,
		"RelayPortStart": c.RelayPortStart, "RelayPortEnd": c.RelayPortEnd,
	} {
		if p <= 0 || p > 65535 {
			return fmt.Errorf("devserver: %s %d is not a port", name, p)
		}
	}
	if c.RTCTCPPort != 0 {
		if c.AdvertiseIP == "" {
			return errors.New("devserver: RTCTCPPort needs AdvertiseIP (a loopback-only server listens on no TCP media port)")
		}
		if c.RTCTCPPort < 0 || c.RTCTCPPort > 65535 || c.RTCTCPPort == c.Port {
			return fmt.Errorf("devserver: RTCTCPPort %d is not a free port of its own", c.RTCTCPPort)
		}
	}
	if c.TURNTLSPort != 0 || c.TURNCertFile != "" || c.TURNKeyFile != "" {
		switch {
		case c.AdvertiseIP == "":
			return errors.New("devserver: TURN over TLS needs AdvertiseIP (its certificate names that address)")
		case c.TURNTLSPort <= 0 || c.TURNTLSPort > 65535:
			return fmt.Errorf("devserver: TURNTLSPort %d is not a port", c.TURNTLSPort)
		case c.TURNCertFile == "" || c.TURNKeyFile == "":
			return errors.New("devserver: TURN over TLS needs both TURNCertFile and TURNKeyFile")
		}
	}
	if c.RelayPortEnd <= c.RelayPortStart {
		// LiveKit replaces an empty range with 30000-40000 on all of the
		// relay address; we never want that by accident.
		return fmt.Errorf("devserver: relay range %d-%d is empty", c.RelayPortStart, c.RelayPortEnd)
	}
	if c.AdvertiseIP != "" {
		a, err := netip.ParseAddr(c.AdvertiseIP)
		if err != nil || !a.Is4() {
			return fmt.Errorf("devserver: AdvertiseIP %q is not an IPv4 address", c.AdvertiseIP)
		}
		if a.IsUnspecified() || a.IsLoopback() {
			return fmt.Errorf("devserver: AdvertiseIP %q must be a concrete LAN address (leave it empty for loopback)", c.AdvertiseIP)
		}
	}
	if c.DepartureTimeoutSeconds < 0 {
		return errors.New("devserver: DepartureTimeoutSeconds is negative")
	}
	return nil
}

// The structs below mirror only the keys we set of livekit-server v1.13.5's
// config (pkg/config/config.go and mediatransportutil's rtcconfig). The
// server decodes strictly, so a misspelt key fails at start-up. Fields
// without omitempty are written even when zero on purpose: tcp_port: 0
// overrides the default 7881, which would listen on all interfaces.
type fileConfig struct {
	Port          int               `yaml:"port"`
	BindAddresses []string          `yaml:"bind_addresses"`
	RTC           rtcConfig         `yaml:"rtc"`
	TURN          turnConfig        `yaml:"turn"`
	Room          roomConfig        `yaml:"room"`
	Keys          map[string]string `yaml:"keys"`
	Webhook       *webhookConfig    `yaml:"webhook,omitempty"`
	Logging       loggingConfig     `yaml:"logging"`
}

type rtcConfig struct {
	UDPPort                 int         `yaml:"udp_port"`
	TCPPort                 int         `yaml:"tcp_port"`
	UseExternalIP           bool        `yaml:"use_external_ip"`
	NodeIP                  string      `yaml:"node_ip"`
	EnableLoopbackCandidate bool        `yaml:"enable_loopback_candidate"`
	STUNServers             []string    `yaml:"stun_servers"`
	IPs                     includeList `yaml:"ips"`
	Interfaces              includeList `yaml:"interfaces,omitempty"`
}

type includeList struct {
	Includes []string `yaml:"includes,omitempty"`
}

type turnConfig struct {
	Enabled                  bool     `yaml:"enabled"`
	Domain                   string   `yaml:"domain,omitempty"`
	CertFile                 string   `yaml:"cert_file,omitempty"`
	KeyFile                  string   `yaml:"key_file,omitempty"`
	TLSPort                  int      `yaml:"tls_port,omitempty"`
	UDPPort                  int      `yaml:"udp_port"`
	BindAddresses            []string `yaml:"bind_addresses"`
	RelayRangeStart          int      `yaml:"relay_range_start"`
	RelayRangeEnd            int      `yaml:"relay_range_end"`
	AllowRestrictedPeerCIDRs []string `yaml:"allow_restricted_peer_cidrs"`
}

type roomConfig struct {
	// AutoCreate is always false: a room exists only while we say it is live, so a token that
	// outlives the end of a lecture cannot bring the room back by joining it.
	AutoCreate       bool `yaml:"auto_create"`
	DepartureTimeout int  `yaml:"departure_timeout,omitempty"`
}

type webhookConfig struct {
	APIKey string   `yaml:"api_key"`
	URLs   []string `yaml:"urls"`
}

type loggingConfig struct {
	Level string `yaml:"level"`
}

// YAML renders the livekit-server config file for c.
func (c Config) YAML() ([]byte, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	ip := c.host()
	fc := fileConfig{
		Port:          c.Port,
		BindAddresses: []string{loopback},
		RTC: rtcConfig{
			UDPPort:       c.RTCUDPPort,
			TCPPort:       0,
			UseExternalIP: false,
			NodeIP:        ip,
			// Pion leaves loopback out of ICE unless asked; without it a
			// loopback-only server has no candidate to offer.
			EnableLoopbackCandidate: true,
			STUNServers:             []string{net.JoinHostPort(ip, strconv.Itoa(c.TURNUDPPort))},
			IPs:                     includeList{Includes: []string{ip + "/32"}},
		},
		TURN: turnConfig{
			Enabled:         true,
			UDPPort:         c.TURNUDPPort,
			BindAddresses:   []string{ip},
			RelayRangeStart: c.RelayPortStart,
			RelayRangeEnd:   c.RelayPortEnd,
			// The only peer a relay may reach is this SFU; LiveKit denies
			// loopback and private peers unless they are listed here.
			AllowRestrictedPeerCIDRs: []string{"127.0.0.0/8"},
		},
		Keys:    map[string]string{c.APIKey: c.APISecret},
		Logging: loggingConfig{Level: c.LogLevel},
	}
	if c.AdvertiseIP == "" {
		fc.RTC.Interfaces = includeList{Includes: []string{"lo"}}
	} else {
		// Our own process still reaches the API on loopback; browsers on
		// the LAN use AdvertiseIP, unless their signalling comes through us.
		if !c.SignalOnLoopback {
			fc.BindAddresses = append(fc.BindAddresses, c.AdvertiseIP)
		}
		fc.TURN.AllowRestrictedPeerCIDRs = []string{c.AdvertiseIP + "/32"}
		fc.RTC.TCPPort = c.RTCTCPPort
		if c.TURNTLSPort != 0 {
			// LiveKit accepts an IP address as the TURN domain; clients check it against the
			// certificate's IP SAN.
			fc.TURN.Domain, fc.TURN.TLSPort = c.AdvertiseIP, c.TURNTLSPort
			fc.TURN.CertFile, fc.TURN.KeyFile = c.TURNCertFile, c.TURNKeyFile
		}
	}
	if fc.Logging.Level == "" {
		fc.Logging.Level = "info"
	}
	fc.Room.DepartureTimeout = c.DepartureTimeoutSeconds
	if len(c.WebhookURLs) > 0 {
		fc.Webhook = &webhookConfig{APIKey: c.APIKey, URLs: c.WebhookURLs}
	}
	out, err := yaml.Marshal(fc)
	if err != nil {
		return nil, fmt.Errorf("devserver: render config: %w", err)
	}
	return out, nil
}
