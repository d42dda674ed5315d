// Package config turns the environment into a validated Config. Every variable is documented in
// .env.example; secrets may also come from a file named by the variable with a _FILE suffix.
package config

import (
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/mail"
	"net/netip"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Config is everything the server reads from its environment.
type Config struct {
	ListenAddr string // LISTEN_ADDR
	DataDir    string // DATA_DIR
	// DatabaseURL is a PostgreSQL URL; empty means SQLite in DataDir.
	DatabaseURL string
	RedisURL    string // REDIS_URL; empty means the in-process bus and limiter

	LiveKitURL       string // LIVEKIT_URL; empty means the embedded dev server
	LiveKitAPIKey    string
	LiveKitAPISecret string
	// The embedded dev server, used when LiveKitURL is empty.
	LiveKitDevServer   bool   // LIVEKIT_DEV_SERVER=on|off; off runs without video
	LiveKitDevPort     int    // LIVEKIT_DEV_PORT: signalling port; 0 picks free ports
	LiveKitAdvertiseIP string // LIVEKIT_ADVERTISE_IP: a LAN address so a class on the network can join
	LiveKitServerBin   string // LIVEKIT_SERVER_BIN: the livekit-server binary (installed there if missing)
	// LiveKitTURNCert and LiveKitTURNKey (LIVEKIT_TURN_TLS_CERT, LIVEKIT_TURN_TLS_KEY: PEM file
	// paths) add TURN over TLS on port 443 of LIVEKIT_ADVERTISE_IP to the dev server, for
	// clients whose network passes no UDP and that cannot do ICE/TCP.
	LiveKitTURNCert string
	LiveKitTURNKey  string
	// LiveKitSignalViaApp forwards LiveKit's signalling (/rtc) through this server, so browsers
	// reach LiveKit on the app's own origin (LIVEKIT_SIGNAL_VIA_APP=on|off; on by default for the
	// dev server, off for a LIVEKIT_URL such as LiveKit Cloud, which has its own TLS).
	LiveKitSignalViaApp bool

	// Shared files: on S3-compatible storage when S3Endpoint is set, else under DataDir/files.
	S3Endpoint  string // S3_ENDPOINT: host:port or URL (http:// means no TLS)
	S3Bucket    string // S3_BUCKET
	S3AccessKey string // S3_ACCESS_KEY
	S3SecretKey string // S3_SECRET_KEY
	S3Region    string // S3_REGION
	S3PathStyle bool   // S3_PATH_STYLE: bucket in the path (MinIO), not the host name
	MaxUploadMB int    // MAX_UPLOAD_MB

	// Storage quotas in MB (0: unlimited), counted from the database: every room's files,
	// every host's rooms together, the whole instance.
	RoomQuotaMB     int // ROOM_QUOTA_MB
	HostQuotaMB     int // HOST_QUOTA_MB
	InstanceQuotaMB int // INSTANCE_QUOTA_MB
	// DiskFreeMarginMB is the free space kept on DATA_DIR's file system when files are on
	// disk: uploads are refused below it (DISK_FREE_MARGIN_MB; 0: no guard).
	DiskFreeMarginMB int

	// The summary's language model: an OpenAI-compatible chat-completions endpoint; none means
	// extractive summaries.
	LLMBaseURL string // LLM_BASE_URL, e.g. https://api.openai.com/v1
	LLMAPIKey  string // LLM_API_KEY
	LLMModel   string // LLM_MODEL

	// The captioning assistant's speech-to-text: none (captions off), deepgram, or openai (any
	// OpenAI-compatible /v1/audio/transcriptions endpoint).
	STTProvider    string // STT_PROVIDER
	STTLanguage    string // STT_LANGUAGE: the lectures' language, e.g. ru or en; "" (auto) lets the provider detect it
	DeepgramAPIKey string // DEEPGRAM_API_KEY
	DeepgramURL    string // DEEPGRAM_URL: wss://api.deepgram.com by default
	DeepgramModel  string // DEEPGRAM_MODEL
	STTBaseURL     string // STT_BASE_URL: the OpenAI-compatible server, e.g. https://api.openai.com/v1
	STTAPIKey      string // STT_API_KEY
	STTModel       string // STT_MODEL
	// AgentInServe runs the assistant inside `serve` (AGENT_IN_SERVE=on|off); production runs
	// it as `liveserver agent` processes instead.
	AgentInServe bool
	// AgentListenAddr is where `liveserver agent` answers /healthz, /readyz and /metrics
	// (AGENT_LISTEN_ADDR); "off" serves nothing.
	AgentListenAddr string

	// Google Drive export: an OAuth client of the instance (Google Cloud console, type "web
	// application", redirect URI PublicURL + /api/drive/callback). Unset: no Drive export.
	GoogleClientID     string // GOOGLE_CLIENT_ID
	GoogleClientSecret string // GOOGLE_CLIENT_SECRET
	// PublicURL is where browsers reach the instance (PUBLIC_URL; https://DOMAIN by default).
	// Empty after Load in LAN mode when unset: the server derives it from the LAN address it
	// finds and the port it listens on.
	PublicURL string

	// TLS is how the server itself speaks HTTPS (TLS=auto|acme|lan|off), resolved: auto is
	// acme with DOMAIN and off without. Behind a proxy that terminates TLS it is off.
	TLS           string
	HTTPSAddr     string // HTTPS_ADDR: the HTTPS listener in ACME mode (LISTEN_ADDR is unused there)
	HTTPAddr      string // HTTP_ADDR: ACME http-01 challenges and the redirect to https
	ACMEDirectory string // ACME_DIRECTORY: the ACME server's directory URL
	ACMEEmail     string // ACME_EMAIL: the CA's contact for the certificate (optional)
	// ACMECAFile names a PEM file of roots that sign the ACME server's own HTTPS certificate (a
	// private ACME CA such as step-ca); empty: the system's roots.
	ACMECAFile string // ACME_CA_FILE
	// LANIP is the address students reach this machine at in LAN mode (LAN_IP); empty: the
	// first private address of an interface that is up.
	LANIP string

	// AuthSecret signs guest cookies. Empty in dev mode: one is generated and kept in DataDir.
	AuthSecret string

	Domain         string         // DOMAIN: the public host name; when set, cookies are Secure
	DevAccessKey   string         // DEV_ACCESS_KEY: asked once, then a cookie (only without DOMAIN)
	AllowedIPs     []netip.Prefix // ALLOWED_IPS (only without DOMAIN)
	TrustedProxies []netip.Prefix // TRUSTED_PROXIES: whose X-Forwarded-For we believe

	// Registration is REGISTRATION: auto (the admin panel's switch, which starts open on
	// loopback and closed on a reachable address), open (the switch starts open), or closed
	// (never: accounts come from the admin panel or `liveserver user create`).
	Registration string
	BanByIP      bool          // BAN_BY_IP: a ban also matches the guest's address
	SessionTTL   time.Duration // SESSION_TTL
	// EventRetention is how long the room event log keeps an event for resumes
	// (ROOM_EVENTS_RETENTION, at least an hour: twice a stream's lifetime, so an ordinary
	// reconnect is always replayed); a resume from before gets a fresh snapshot.
	EventRetention time.Duration

	MetricsToken string // METRICS_TOKEN: when set, /metrics asks for it as a bearer token

	LogLevel  string // LOG_LEVEL: debug|info|warn|error
	LogFormat string // LOG_FORMAT: text|json
}

// SQLitePath is the database file used when DatabaseURL is empty.
func (c *Config) SQLitePath() string { return filepath.Join(c.DataDir, "liveserver.db") }

// SecureCookies reports whether cookies must carry the Secure flag: only behind TLS, which a
// configured public domain implies.
func (c *Config) SecureCookies() bool { return c.Domain != "" || c.TLS == TLSLAN }

// The values of REGISTRATION.
const (
	RegistrationAuto   = "auto"
	RegistrationOpen   = "open"
	RegistrationClosed = "closed"
)

// Reachable reports whether computers other than this one can reach the server: it listens on
// more than loopback (":3000", "0.0.0.0", a LAN address, a host name), or serves a public
// DOMAIN. On a reachable server the first administrator is not whoever registers first.
func (c *Config) Reachable() bool {
	if c.Domain != "" || c.TLS == TLSACME {
		return true
	}
	host, _, err := net.SplitHostPort(c.ListenAddr)
	if err != nil {
		return true
	}
	if strings.EqualFold(host, "localhost") {
		return false
	}
	a, err := netip.ParseAddr(host)
	return err != nil || !a.IsLoopback()
}

// The resolved values of TLS.
const (
	TLSOff  = "off"
	TLSACME = "acme"
	TLSLAN  = "lan"
)

// LetsEncrypt is the default ACME_DIRECTORY: Let's Encrypt's production directory.
const LetsEncrypt = "https://acme-v02.api.letsencrypt.org/directory"

// Load reads the environment through getenv and validates it. The error names every bad
// variable, so an operator fixes them all in one go.
func Load(getenv func(string) string) (*Config, error) {
	l := loader{getenv: getenv}
	c := &Config{
		ListenAddr:         l.str("LISTEN_ADDR", ":3000"),
		DataDir:            l.str("DATA_DIR", "./data"),
		DatabaseURL:        l.secret("DATABASE_URL"),
		RedisURL:           l.secret("REDIS_URL"),
		LiveKitURL:         l.str("LIVEKIT_URL", ""),
		LiveKitAPIKey:      l.secret("LIVEKIT_API_KEY"),
		LiveKitAPISecret:   l.secret("LIVEKIT_API_SECRET"),
		LiveKitDevServer:   l.choice("LIVEKIT_DEV_SERVER", "on", "on", "off") == "on",
		LiveKitDevPort:     l.port("LIVEKIT_DEV_PORT", 7880),
		LiveKitAdvertiseIP: l.str("LIVEKIT_ADVERTISE_IP", ""),
		LiveKitServerBin:   l.str("LIVEKIT_SERVER_BIN", filepath.Join(".tools", "bin", "livekit-server")),
		S3Endpoint:         l.str("S3_ENDPOINT", ""),
		S3Bucket:           l.str("S3_BUCKET", "liveserver"),
		S3AccessKey:        l.secret("S3_ACCESS_KEY"),
		S3SecretKey:        l.secret("S3_SECRET_KEY"),
		S3Region:           l.str("S3_REGION", "us-east-1"),
		S3PathStyle:        l.choice("S3_PATH_STYLE", "on", "on", "off") == "on",
		MaxUploadMB:        l.intIn("MAX_UPLOAD_MB", 50, 1, 4096),
		RoomQuotaMB:        l.intIn("ROOM_QUOTA_MB", 2048, 0, maxQuotaMB),
		HostQuotaMB:        l.intIn("HOST_QUOTA_MB", 10240, 0, maxQuotaMB),
		InstanceQuotaMB:    l.intIn("INSTANCE_QUOTA_MB", 0, 0, maxQuotaMB),
		DiskFreeMarginMB:   l.intIn("DISK_FREE_MARGIN_MB", 1024, 0, maxQuotaMB),
		LLMBaseURL:         l.str("LLM_BASE_URL", ""),
		LLMAPIKey:          l.secret("LLM_API_KEY"),
		LLMModel:           l.str("LLM_MODEL", "gpt-4o-mini"),
		STTProvider:        l.choice("STT_PROVIDER", "none", "none", "deepgram", "openai"),
		STTLanguage:        l.str("STT_LANGUAGE", "ru"),
		DeepgramAPIKey:     l.secret("DEEPGRAM_API_KEY"),
		DeepgramURL:        l.str("DEEPGRAM_URL", "wss://api.deepgram.com"),
		DeepgramModel:      l.str("DEEPGRAM_MODEL", "nova-3"),
		STTBaseURL:         l.str("STT_BASE_URL", ""),
		STTAPIKey:          l.secret("STT_API_KEY"),
		STTModel:           l.str("STT_MODEL", "whisper-1"),
		AgentInServe:       l.choice("AGENT_IN_SERVE", "on", "on", "off") == "on",
		AgentListenAddr:    l.str("AGENT_LISTEN_ADDR", ":3001"),
		GoogleClientID:     l.str("GOOGLE_CLIENT_ID", ""),
		GoogleClientSecret: l.secret("GOOGLE_CLIENT_SECRET"),
		PublicURL:          l.str("PUBLIC_URL", ""),
		AuthSecret:         l.secret("AUTH_SECRET"),
		Domain:             l.str("DOMAIN", ""),
		TLS:                l.choice("TLS", "auto", "auto", TLSACME, TLSLAN, TLSOff),
		HTTPSAddr:          l.str("HTTPS_ADDR", ":443"),
		HTTPAddr:           l.str("HTTP_ADDR", ":80"),
		ACMEDirectory:      l.str("ACME_DIRECTORY", LetsEncrypt),
		ACMEEmail:          l.str("ACME_EMAIL", ""),
		ACMECAFile:         l.str("ACME_CA_FILE", ""),
		LANIP:              l.str("LAN_IP", ""),
		DevAccessKey:       l.secret("DEV_ACCESS_KEY"),
		AllowedIPs:         l.prefixes("ALLOWED_IPS"),
		TrustedProxies:     l.prefixes("TRUSTED_PROXIES"),
		Registration:       l.choice("REGISTRATION", RegistrationAuto, RegistrationAuto, RegistrationOpen, RegistrationClosed),
		BanByIP:            l.choice("BAN_BY_IP", "off", "on", "off") == "on",
		SessionTTL:         l.duration("SESSION_TTL", 30*24*time.Hour, time.Minute, 365*24*time.Hour),
		EventRetention:     l.duration("ROOM_EVENTS_RETENTION", 7*24*time.Hour, time.Hour, 3650*24*time.Hour),
		MetricsToken:       l.secret("METRICS_TOKEN"),
		LogLevel:           l.choice("LOG_LEVEL", "info", "debug", "info", "warn", "error"),
		LogFormat:          l.choice("LOG_FORMAT", "text", "text", "json"),
	}
	c.LiveKitTURNCert, c.LiveKitTURNKey = l.str("LIVEKIT_TURN_TLS_CERT", ""), l.str("LIVEKIT_TURN_TLS_KEY", "")
	c.LiveKitSignalViaApp = l.choice("LIVEKIT_SIGNAL_VIA_APP", signalDefault(c.LiveKitURL, c.LiveKitDevServer), "on", "off") == "on"
	c.validate(&l)
	if len(l.errs) > 0 {
		return nil, fmt.Errorf("configuration: %w", errors.Join(l.errs...))
	}
	return c, nil
}

// maxQuotaMB bounds the quota variables: a petabyte, far above any disk, far below overflow.
const maxQuotaMB = 1 << 30

func (c *Config) validate(l *loader) {
	// A quota set above the one it sits inside would never be reached: a mistake, most likely
	// a digit too many or too few. Only when the operator set both: a default gives way.
	set := func(name string) bool { return l.str(name, "") != "" }
	if set("ROOM_QUOTA_MB") && set("HOST_QUOTA_MB") && c.RoomQuotaMB > 0 && c.HostQuotaMB > 0 && c.RoomQuotaMB > c.HostQuotaMB {
		l.fail("ROOM_QUOTA_MB", fmt.Sprintf("(%d) must not exceed HOST_QUOTA_MB (%d); 0 is unlimited", c.RoomQuotaMB, c.HostQuotaMB))
	}
	if set("HOST_QUOTA_MB") && set("INSTANCE_QUOTA_MB") && c.HostQuotaMB > 0 && c.InstanceQuotaMB > 0 && c.HostQuotaMB > c.InstanceQuotaMB {
		l.fail("HOST_QUOTA_MB", fmt.Sprintf("(%d) must not exceed INSTANCE_QUOTA_MB (%d); 0 is unlimited", c.HostQuotaMB, c.InstanceQuotaMB))
	}
	if _, _, err := net.SplitHostPort(c.ListenAddr); err != nil {
		l.fail("LISTEN_ADDR", "must be host:port, such as :3000 or 127.0.0.1:3000")
	}
	if c.AgentListenAddr != "off" {
		if _, _, err := net.SplitHostPort(c.AgentListenAddr); err != nil {
			l.fail("AGENT_LISTEN_ADDR", "must be host:port, such as :3001, or off")
		}
	}
	if c.DataDir == "" {
		l.fail("DATA_DIR", "must not be empty")
	}
	if c.DatabaseURL != "" {
		u, err := url.Parse(c.DatabaseURL)
		if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
			l.fail("DATABASE_URL", "must be a postgres:// URL (leave it unset for SQLite)")
		}
	}
	if c.RedisURL != "" {
		u, err := url.Parse(c.RedisURL)
		if err != nil || (u.Scheme != "redis" && u.Scheme != "rediss") {
			l.fail("REDIS_URL", "must be a redis:// or rediss:// URL")
		}
	}
	if c.LiveKitURL != "" {
		u, err := url.Parse(c.LiveKitURL)
		if err != nil || (u.Scheme != "ws" && u.Scheme != "wss" && u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			l.fail("LIVEKIT_URL", "must be a ws://, wss://, http:// or https:// URL")
		}
		if c.LiveKitAPIKey == "" {
			l.fail("LIVEKIT_API_KEY", "is required when LIVEKIT_URL is set")
		}
		if c.LiveKitAPISecret == "" {
			l.fail("LIVEKIT_API_SECRET", "is required when LIVEKIT_URL is set")
		}
	}
	if c.LiveKitAdvertiseIP != "" {
		a, err := netip.ParseAddr(c.LiveKitAdvertiseIP)
		if err != nil || !a.Is4() || a.IsLoopback() || a.IsUnspecified() {
			l.fail("LIVEKIT_ADVERTISE_IP", "must be this machine's IPv4 address on the class's network, such as 192.168.1.20")
		}
	}
	if c.LiveKitTURNCert != "" || c.LiveKitTURNKey != "" {
		switch {
		case c.LiveKitTURNCert == "" || c.LiveKitTURNKey == "":
			l.fail("LIVEKIT_TURN_TLS_CERT", "and LIVEKIT_TURN_TLS_KEY go together (TURN over TLS needs a certificate and its key)")
		case c.LiveKitAdvertiseIP == "" || c.LiveKitURL != "":
			l.fail("LIVEKIT_TURN_TLS_CERT", "is for the dev server in LAN mode: set LIVEKIT_ADVERTISE_IP (the certificate must name that address) and leave LIVEKIT_URL unset")
		default:
			for name, path := range map[string]string{"LIVEKIT_TURN_TLS_CERT": c.LiveKitTURNCert, "LIVEKIT_TURN_TLS_KEY": c.LiveKitTURNKey} {
				if _, err := os.Stat(path); err != nil {
					l.fail(name, "cannot be read: "+err.Error())
				}
			}
		}
	}
	if c.LiveKitSignalViaApp && c.LiveKitURL == "" && !c.LiveKitDevServer {
		l.fail("LIVEKIT_SIGNAL_VIA_APP", "is on, but there is no LiveKit to forward to (LIVEKIT_URL is unset and LIVEKIT_DEV_SERVER=off): set it to off, or configure LiveKit")
	}
	if c.S3Endpoint != "" && (c.S3AccessKey == "" || c.S3SecretKey == "") {
		l.fail("S3_ACCESS_KEY", "and S3_SECRET_KEY are required when S3_ENDPOINT is set")
	}
	c.validateTLS(l)
	if c.PublicURL == "" {
		switch {
		case c.TLS == TLSLAN:
			// Derived at start from the LAN address and the listener's port.
		case c.Domain != "":
			c.PublicURL = "https://" + c.Domain
		default:
			_, port, _ := net.SplitHostPort(c.ListenAddr)
			c.PublicURL = "http://localhost:" + port
		}
	} else if u, err := url.Parse(c.PublicURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		l.fail("PUBLIC_URL", "must be the instance's address, such as https://live.example.com")
	} else if u.Scheme != "https" && c.TLS != TLSOff {
		l.fail("PUBLIC_URL", "must be an https:// address when the server speaks TLS itself (TLS="+c.TLS+")")
	}
	if c.GoogleClientID != "" && c.GoogleClientSecret == "" {
		l.fail("GOOGLE_CLIENT_SECRET", "is required with GOOGLE_CLIENT_ID")
	}
	if c.LLMBaseURL != "" {
		if u, err := url.Parse(c.LLMBaseURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			l.fail("LLM_BASE_URL", "must be an http:// or https:// URL such as https://api.openai.com/v1")
		}
	}
	switch c.STTProvider {
	case "deepgram":
		if c.DeepgramAPIKey == "" {
			l.fail("DEEPGRAM_API_KEY", "is required when STT_PROVIDER=deepgram")
		}
		if u, err := url.Parse(c.DeepgramURL); err != nil || (u.Scheme != "wss" && u.Scheme != "ws" && u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			l.fail("DEEPGRAM_URL", "must be a wss:// (or https://) URL such as wss://api.deepgram.com")
		}
	case "openai":
		if u, err := url.Parse(c.STTBaseURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			l.fail("STT_BASE_URL", "must be an http:// or https:// URL such as https://api.openai.com/v1 when STT_PROVIDER=openai")
		}
	}
	if strings.EqualFold(c.STTLanguage, "auto") {
		c.STTLanguage = ""
	} else if !validLanguage(c.STTLanguage) {
		l.fail("STT_LANGUAGE", "must be a language code such as ru or en, or auto")
	}
	if c.AuthSecret != "" && len(c.AuthSecret) < 32 {
		l.fail("AUTH_SECRET", "must be at least 32 characters (try: openssl rand -hex 32)")
	}
	if c.Domain != "" {
		if strings.ContainsAny(c.Domain, "/: ") {
			l.fail("DOMAIN", "must be a bare host name such as live.example.com")
		}
		if c.AuthSecret == "" {
			l.fail("AUTH_SECRET", "is required when DOMAIN is set (every replica must share it)")
		}
	}
}

// signalDefault forwards signalling for the embedded dev server only: an external LiveKit
// (LiveKit Cloud, a cluster) has its own address and TLS certificate.
func signalDefault(livekitURL string, devServer bool) string {
	if livekitURL == "" && devServer {
		return "on"
	}
	return "off"
}

// validateTLS resolves TLS=auto and checks what the chosen mode reads.
func (c *Config) validateTLS(l *loader) {
	if c.TLS == "auto" {
		c.TLS = TLSOff
		if c.Domain != "" {
			c.TLS = TLSACME
		}
	}
	switch c.TLS {
	case TLSACME:
		if c.Domain == "" {
			l.fail("TLS", "=acme needs DOMAIN, the host name the certificate is for")
		}
		if _, _, err := net.SplitHostPort(c.HTTPSAddr); err != nil {
			l.fail("HTTPS_ADDR", "must be host:port, such as :443")
		}
		if _, _, err := net.SplitHostPort(c.HTTPAddr); err != nil {
			l.fail("HTTP_ADDR", "must be host:port, such as :80 (ACME's http-01 challenge comes to port 80)")
		}
		if u, err := url.Parse(c.ACMEDirectory); err != nil || u.Scheme != "https" || u.Host == "" {
			l.fail("ACME_DIRECTORY", "must be the https:// URL of an ACME directory, such as "+LetsEncrypt)
		}
		if c.ACMEEmail != "" {
			if a, err := mail.ParseAddress(c.ACMEEmail); err != nil || a.Address != c.ACMEEmail {
				l.fail("ACME_EMAIL", "must be an e-mail address such as admin@example.com")
			}
		}
		if c.ACMECAFile != "" {
			b, err := os.ReadFile(c.ACMECAFile)
			if err != nil {
				l.fail("ACME_CA_FILE", "cannot be read: "+err.Error())
			} else if !x509.NewCertPool().AppendCertsFromPEM(b) {
				l.fail("ACME_CA_FILE", "holds no PEM certificate")
			}
		}
	case TLSLAN:
		if c.LANIP != "" {
			a, err := netip.ParseAddr(c.LANIP)
			if err != nil || a.IsLoopback() || a.IsUnspecified() || a.IsMulticast() || a.Zone() != "" {
				l.fail("LAN_IP", "must be this machine's address on the class's network, such as 192.168.1.20")
			}
		}
	}
}

// validLanguage accepts a BCP 47 tag of letters and hyphens, such as ru, en or en-US.
func validLanguage(s string) bool {
	if len(s) < 2 || len(s) > 12 {
		return false
	}
	for _, r := range s {
		if (r < 'a' || r > 'z') && (r < 'A' || r > 'Z') && r != '-' {
			return false
		}
	}
	return true
}

// Captions reports whether the assistant has a speech-to-text provider to caption with.
func (c *Config) Captions() bool { return c.STTProvider != "none" }

type loader struct {
	getenv func(string) string
	errs   []error
}

func (l *loader) fail(name, msg string) {
	l.errs = append(l.errs, fmt.Errorf("%s %s", name, msg))
}

func (l *loader) str(name, def string) string {
	if v := strings.TrimSpace(l.getenv(name)); v != "" {
		return v
	}
	return def
}

// secret reads NAME, or the file named by NAME_FILE (trailing newline trimmed). Both set is an
// error: the operator meant one of them.
func (l *loader) secret(name string) string {
	v, file := l.getenv(name), strings.TrimSpace(l.getenv(name+"_FILE"))
	if file == "" {
		return strings.TrimSpace(v)
	}
	if v != "" {
		l.fail(name, "and "+name+"_FILE are both set; keep one")
		return ""
	}
	b, err := os.ReadFile(file)
	if err != nil {
		l.fail(name+"_FILE", "cannot be read: "+err.Error())
		return ""
	}
	return strings.TrimRight(string(b), "\r\n")
}

func (l *loader) choice(name, def string, allowed ...string) string {
	v := strings.ToLower(l.str(name, def))
	for _, a := range allowed {
		if v == a {
			return v
		}
	}
	l.fail(name, "must be one of "+strings.Join(allowed, ", "))
	return def
}

func (l *loader) duration(name string, def, min, max time.Duration) time.Duration {
	v := l.str(name, "")
	if v == "" {
		return def
	}
	d, err := time.ParseDuration(v)
	if err != nil {
		if days, derr := strconv.Atoi(strings.TrimSuffix(v, "d")); derr == nil && strings.HasSuffix(v, "d") {
			d, err = time.Duration(days)*24*time.Hour, nil
		}
	}
	if err != nil || d < min || d > max {
		l.fail(name, fmt.Sprintf("must be a duration between %s and %s, such as 720h or 30d", min, max))
		return def
	}
	return d
}

// intIn reads an integer in [min, max].
func (l *loader) intIn(name string, def, min, max int) int {
	v := l.str(name, "")
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < min || n > max {
		l.fail(name, fmt.Sprintf("must be a whole number from %d to %d", min, max))
		return def
	}
	return n
}

// MaxUpload is the upload limit in bytes.
func (c *Config) MaxUpload() int64 { return int64(c.MaxUploadMB) << 20 }

// Quotas are the storage quotas in bytes (0: unlimited): room, host, instance.
func (c *Config) Quotas() (room, host, instance int64) {
	return int64(c.RoomQuotaMB) << 20, int64(c.HostQuotaMB) << 20, int64(c.InstanceQuotaMB) << 20
}

// DiskFreeMargin is the free space kept on the disk blob store's file system, in bytes.
func (c *Config) DiskFreeMargin() int64 { return int64(c.DiskFreeMarginMB) << 20 }

// port reads a TCP port number; 0 is allowed and means "pick a free one".
func (l *loader) port(name string, def int) int {
	v := l.str(name, "")
	if v == "" {
		return def
	}
	p, err := strconv.Atoi(v)
	if err != nil || p < 0 || p > 65000 {
		l.fail(name, "must be a port number (0 picks free ports)")
		return def
	}
	return p
}

// prefixes parses a comma-separated list of IP addresses and CIDR prefixes.
func (l *loader) prefixes(name string) []netip.Prefix {
	var out []netip.Prefix
	for _, item := range strings.Split(l.getenv(name), ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		if p, err := netip.ParsePrefix(item); err == nil {
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(item)
		if err != nil {
			l.fail(name, fmt.Sprintf("has %q, which is neither an IP address nor a CIDR prefix", item))
			continue
		}
		a = a.Unmap()
		out = append(out, netip.PrefixFrom(a, a.BitLen()))
	}
	return out
}
