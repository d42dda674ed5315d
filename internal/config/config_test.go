package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func envOf(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestDefaults(t *testing.T) {
	c, err := Load(envOf(nil))
	if err != nil {
		t.Fatal(err)
	}
	if c.ListenAddr != ":3000" || c.DataDir != "./data" || c.DatabaseURL != "" || c.Registration != RegistrationAuto || !c.Reachable() ||
		c.SessionTTL != 30*24*time.Hour || c.EventRetention != 7*24*time.Hour || c.SecureCookies() || c.SQLitePath() != "data/liveserver.db" || !c.LiveKitSignalViaApp {
		t.Fatalf("defaults = %+v", c)
	}
	if room, host, inst := c.Quotas(); room != 2<<30 || host != 10<<30 || inst != 0 || c.DiskFreeMargin() != 1<<30 {
		t.Fatalf("quotas = %d, %d, %d, margin %d", room, host, inst, c.DiskFreeMargin())
	}
}

func TestValues(t *testing.T) {
	dir := t.TempDir()
	secret := filepath.Join(dir, "secret")
	os.WriteFile(secret, []byte(strings.Repeat("k", 40)+"\n"), 0o600)
	c, err := Load(envOf(map[string]string{
		"LISTEN_ADDR": "127.0.0.1:8080", "DATABASE_URL": "postgres://u@db/x", "AUTH_SECRET_FILE": secret,
		"DOMAIN": "live.school.ru", "ALLOWED_IPS": "10.0.0.0/8, 192.168.1.7", "REGISTRATION": "Closed",
		"SESSION_TTL": "7d", "LIVEKIT_URL": "wss://lk.school.ru", "LIVEKIT_API_KEY": "k", "LIVEKIT_API_SECRET": "s",
		"BAN_BY_IP": "on", "MAX_UPLOAD_MB": "10", "S3_ENDPOINT": "http://minio:9000", "S3_ACCESS_KEY": "a", "S3_SECRET_KEY": "b",
		"LIVEKIT_DEV_PORT": "0", "LIVEKIT_ADVERTISE_IP": "192.168.1.20", "ROOM_EVENTS_RETENTION": "36h",
		"ROOM_QUOTA_MB": "0", "HOST_QUOTA_MB": "500", "INSTANCE_QUOTA_MB": "2000", "DISK_FREE_MARGIN_MB": "0",
	}))
	if err != nil {
		t.Fatal(err)
	}
	if c.AuthSecret != strings.Repeat("k", 40) || c.Registration != RegistrationClosed || c.SessionTTL != 7*24*time.Hour || c.EventRetention != 36*time.Hour || !c.SecureCookies() {
		t.Fatalf("config = %+v", c)
	}
	if !c.BanByIP || c.MaxUpload() != 10<<20 || c.S3Endpoint != "http://minio:9000" || c.S3Bucket != "liveserver" ||
		!c.S3PathStyle || c.LiveKitDevPort != 0 || c.LiveKitAdvertiseIP != "192.168.1.20" {
		t.Fatalf("config = %+v", c)
	}
	if room, host, inst := c.Quotas(); room != 0 || host != 500<<20 || inst != 2000<<20 || c.DiskFreeMargin() != 0 {
		t.Fatalf("quotas = %d, %d, %d, margin %d", room, host, inst, c.DiskFreeMargin())
	}
	if c.LiveKitSignalViaApp {
		t.Error("signalling is forwarded to a LIVEKIT_URL by default; it has its own TLS")
	}
	if len(c.AllowedIPs) != 2 || c.AllowedIPs[1].String() != "192.168.1.7/32" {
		t.Fatalf("ALLOWED_IPS = %v", c.AllowedIPs)
	}
}

// Loopback-only listeners are the developer's own machine; anything else, or a public domain,
// can be reached by others.
func TestReachable(t *testing.T) {
	for _, tc := range []struct {
		vars map[string]string
		want bool
	}{
		{map[string]string{}, true}, // :3000
		{map[string]string{"LISTEN_ADDR": "127.0.0.1:3000"}, false},
		{map[string]string{"LISTEN_ADDR": "127.8.0.1:3000"}, false},
		{map[string]string{"LISTEN_ADDR": "[::1]:3000"}, false},
		{map[string]string{"LISTEN_ADDR": "localhost:3000"}, false},
		{map[string]string{"LISTEN_ADDR": "0.0.0.0:3000"}, true},
		{map[string]string{"LISTEN_ADDR": "[::]:3000"}, true},
		{map[string]string{"LISTEN_ADDR": "192.168.1.20:3000"}, true},
		{map[string]string{"LISTEN_ADDR": "school-pc:3000"}, true},
		{map[string]string{"LISTEN_ADDR": "127.0.0.1:3000", "TLS": "lan"}, false},
		{map[string]string{"LISTEN_ADDR": ":3000", "TLS": "lan"}, true},
		{map[string]string{"LISTEN_ADDR": "127.0.0.1:3000", "DOMAIN": "live.school.ru", "AUTH_SECRET": strings.Repeat("s", 32), "TLS": "off"}, true},
	} {
		c, err := Load(envOf(tc.vars))
		if err != nil {
			t.Fatal(err)
		}
		if c.Reachable() != tc.want {
			t.Errorf("%v: reachable = %v, want %v", tc.vars, c.Reachable(), tc.want)
		}
	}
}

// Every bad variable is named, all at once.
func TestErrorsNameTheVariable(t *testing.T) {
	_, err := Load(envOf(map[string]string{
		"LISTEN_ADDR": "3000", "DATABASE_URL": "mysql://x", "REDIS_URL": "http://r", "LIVEKIT_URL": "wss://lk",
		"AUTH_SECRET": "short", "DOMAIN": "https://live.school.ru/", "ALLOWED_IPS": "10.0.0.0/8,not-an-ip",
		"REGISTRATION": "maybe", "SESSION_TTL": "forever", "LOG_FORMAT": "xml",
		"DEV_ACCESS_KEY": "a", "DEV_ACCESS_KEY_FILE": "/nonexistent", "BAN_BY_IP": "maybe", "MAX_UPLOAD_MB": "0",
		"S3_ENDPOINT": "minio:9000", "LIVEKIT_DEV_PORT": "99999", "LIVEKIT_ADVERTISE_IP": "127.0.0.1",
		"ROOM_EVENTS_RETENTION": "30m",
	}))
	if err == nil {
		t.Fatal("no error")
	}
	for _, name := range []string{"LISTEN_ADDR", "DATABASE_URL", "REDIS_URL", "LIVEKIT_API_KEY", "LIVEKIT_API_SECRET",
		"AUTH_SECRET", "DOMAIN", "ALLOWED_IPS", "REGISTRATION", "SESSION_TTL", "LOG_FORMAT", "DEV_ACCESS_KEY",
		"BAN_BY_IP", "MAX_UPLOAD_MB", "S3_ACCESS_KEY", "LIVEKIT_DEV_PORT", "LIVEKIT_ADVERTISE_IP", "ROOM_EVENTS_RETENTION"} {
		if !strings.Contains(err.Error(), name) {
			t.Errorf("error does not name %s:\n%v", name, err)
		}
	}
	for env, name := range map[[2]string]string{
		{"STT_PROVIDER", "whisper"}:       "STT_PROVIDER",
		{"STT_PROVIDER", "deepgram"}:      "DEEPGRAM_API_KEY",
		{"STT_PROVIDER", "openai"}:        "STT_BASE_URL",
		{"STT_LANGUAGE", "русский"}:       "STT_LANGUAGE",
		{"AGENT_IN_SERVE", "maybe"}:       "AGENT_IN_SERVE",
		{"AGENT_LISTEN_ADDR", "3001"}:     "AGENT_LISTEN_ADDR",
		{"LIVEKIT_SIGNAL_VIA_APP", "yes"}: "LIVEKIT_SIGNAL_VIA_APP",
		{"ROOM_QUOTA_MB", "-1"}:           "ROOM_QUOTA_MB",
		{"HOST_QUOTA_MB", "1e3"}:          "HOST_QUOTA_MB",
		{"DISK_FREE_MARGIN_MB", "lots"}:   "DISK_FREE_MARGIN_MB",
	} {
		if _, err := Load(envOf(map[string]string{env[0]: env[1]})); err == nil || !strings.Contains(err.Error(), name) {
			t.Errorf("%s=%s: %v", env[0], env[1], err)
		}
	}
	// A quota above the one it sits in is a mistake when the operator set both; a default
	// gives way.
	for name, env := range map[string]map[string]string{
		"ROOM_QUOTA_MB (20000) must not exceed HOST_QUOTA_MB (2000)":     {"ROOM_QUOTA_MB": "20000", "HOST_QUOTA_MB": "2000"},
		"HOST_QUOTA_MB (20000) must not exceed INSTANCE_QUOTA_MB (2000)": {"HOST_QUOTA_MB": "20000", "INSTANCE_QUOTA_MB": "2000"},
	} {
		if _, err := Load(envOf(env)); err == nil || !strings.Contains(err.Error(), name) {
			t.Errorf("%v: %v", env, err)
		}
	}
	if _, err := Load(envOf(map[string]string{"INSTANCE_QUOTA_MB": "5000", "HOST_QUOTA_MB": "0"})); err != nil {
		t.Errorf("an unlimited host quota inside an instance quota: %v", err)
	}
	if _, err := Load(envOf(map[string]string{"HOST_QUOTA_MB": "1000"})); err != nil {
		t.Errorf("the default room quota gives way to a smaller host quota: %v", err)
	}
	c, err := Load(envOf(map[string]string{"STT_PROVIDER": "deepgram", "DEEPGRAM_API_KEY": "k", "STT_LANGUAGE": "en"}))
	if err != nil || !c.Captions() || c.DeepgramURL != "wss://api.deepgram.com" || c.DeepgramModel != "nova-3" || !c.AgentInServe {
		t.Errorf("deepgram config: %+v, %v", c, err)
	}
	if c, err := Load(envOf(map[string]string{"STT_LANGUAGE": "auto"})); err != nil || c.STTLanguage != "" {
		t.Errorf("STT_LANGUAGE=auto: %q, %v", c.STTLanguage, err)
	}
	if c, err := Load(envOf(map[string]string{"LIVEKIT_DEV_SERVER": "off"})); err != nil || c.LiveKitSignalViaApp {
		t.Errorf("no video server: forwarding %v, %v", c.LiveKitSignalViaApp, err)
	}
	if _, err := Load(envOf(map[string]string{"LIVEKIT_DEV_SERVER": "off", "LIVEKIT_SIGNAL_VIA_APP": "on"})); err == nil ||
		!strings.Contains(err.Error(), "LIVEKIT_SIGNAL_VIA_APP is on, but there is no LiveKit") {
		t.Errorf("forwarding to no LiveKit: %v", err)
	}
	for _, env := range []map[string]string{
		{"LIVEKIT_TURN_TLS_CERT": "/etc/ssl/turn.pem"},
		{"LIVEKIT_TURN_TLS_CERT": "/etc/hostname", "LIVEKIT_TURN_TLS_KEY": "/etc/hostname"}, // no LAN address
		{"LIVEKIT_TURN_TLS_CERT": "/nonexistent/c.pem", "LIVEKIT_TURN_TLS_KEY": "/nonexistent/k.pem", "LIVEKIT_ADVERTISE_IP": "192.168.1.20"},
	} {
		if _, err := Load(envOf(env)); err == nil || !strings.Contains(err.Error(), "LIVEKIT_TURN_TLS_") {
			t.Errorf("%v: %v", env, err)
		}
	}
	if _, err := Load(envOf(map[string]string{"AUTH_SECRET_FILE": "/nonexistent/secret"})); err == nil || !strings.Contains(err.Error(), "AUTH_SECRET_FILE") {
		t.Errorf("unreadable secret file: %v", err)
	}
	if _, err := Load(envOf(map[string]string{"DOMAIN": "live.school.ru"})); err == nil || !strings.Contains(err.Error(), "AUTH_SECRET is required") {
		t.Errorf("domain without secret: %v", err)
	}
}

// TLS=auto is ACME with a domain and off without; LAN mode leaves PUBLIC_URL to the server
// and makes cookies Secure; every TLS variable is checked and named.
func TestTLS(t *testing.T) {
	secret := strings.Repeat("s", 32)
	for _, tc := range []struct {
		env        map[string]string
		mode, url  string
		secure     bool
		httpsAddrs [2]string
	}{
		{nil, TLSOff, "http://localhost:3000", false, [2]string{":443", ":80"}},
		{map[string]string{"DOMAIN": "live.school.ru", "AUTH_SECRET": secret}, TLSACME, "https://live.school.ru", true, [2]string{":443", ":80"}},
		{map[string]string{"DOMAIN": "live.school.ru", "AUTH_SECRET": secret, "TLS": "off"}, TLSOff, "https://live.school.ru", true, [2]string{":443", ":80"}},
		{map[string]string{"TLS": "LAN"}, TLSLAN, "", true, [2]string{":443", ":80"}},
		{map[string]string{"TLS": "lan", "PUBLIC_URL": "https://class.local:3000", "LAN_IP": "192.168.1.20"}, TLSLAN, "https://class.local:3000", true, [2]string{":443", ":80"}},
		{map[string]string{"TLS": "acme", "DOMAIN": "a.school.ru", "AUTH_SECRET": secret, "HTTPS_ADDR": "127.0.0.1:8443", "HTTP_ADDR": "127.0.0.1:8080"},
			TLSACME, "https://a.school.ru", true, [2]string{"127.0.0.1:8443", "127.0.0.1:8080"}},
	} {
		c, err := Load(envOf(tc.env))
		if err != nil {
			t.Errorf("%v: %v", tc.env, err)
			continue
		}
		if c.TLS != tc.mode || c.PublicURL != tc.url || c.SecureCookies() != tc.secure || c.HTTPSAddr != tc.httpsAddrs[0] ||
			c.HTTPAddr != tc.httpsAddrs[1] || c.ACMEDirectory != LetsEncrypt {
			t.Errorf("%v: TLS=%q PUBLIC_URL=%q secure=%v %s %s %s", tc.env, c.TLS, c.PublicURL, c.SecureCookies(), c.HTTPSAddr, c.HTTPAddr, c.ACMEDirectory)
		}
	}
	noPEM := filepath.Join(t.TempDir(), "roots.pem")
	os.WriteFile(noPEM, []byte("not a certificate"), 0o600)
	acme := map[string]string{"TLS": "acme", "DOMAIN": "live.school.ru", "AUTH_SECRET": secret}
	for name, bad := range map[string]map[string]string{
		"TLS":            {"TLS": "https"},
		"DOMAIN":         {"TLS": "acme"},
		"HTTPS_ADDR":     {"HTTPS_ADDR": "443"},
		"HTTP_ADDR":      {"HTTP_ADDR": "localhost"},
		"ACME_DIRECTORY": {"ACME_DIRECTORY": "http://acme.example/dir"},
		"ACME_EMAIL":     {"ACME_EMAIL": "admin at school"},
		"ACME_CA_FILE":   {"ACME_CA_FILE": noPEM},
		"LAN_IP":         {"TLS": "lan", "LAN_IP": "127.0.0.1"},
		"PUBLIC_URL":     {"TLS": "lan", "PUBLIC_URL": "http://192.168.1.20:3000"},
	} {
		env := map[string]string{}
		if name != "TLS" && name != "LAN_IP" && name != "PUBLIC_URL" {
			for k, v := range acme {
				env[k] = v
			}
		}
		for k, v := range bad {
			env[k] = v
		}
		if name == "DOMAIN" {
			env = bad
		}
		if _, err := Load(envOf(env)); err == nil || !strings.Contains(err.Error(), name) {
			t.Errorf("%v: %v does not name %s", env, err, name)
		}
	}
	if _, err := Load(envOf(map[string]string{"TLS": "acme", "DOMAIN": "live.school.ru", "AUTH_SECRET": secret,
		"ACME_CA_FILE": "/nonexistent/roots.pem"})); err == nil || !strings.Contains(err.Error(), "ACME_CA_FILE cannot be read") {
		t.Errorf("unreadable ACME_CA_FILE: %v", err)
	}
}
