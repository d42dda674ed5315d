package main

import (
	"strings"
	"testing"

	"github.com/liveserver/liveserver/internal/config"
)

// A public instance whose /metrics has no token is told so at start; one on this computer only,
// or with the token, is not.
func TestStartupWarnsOfOpenMetrics(t *testing.T) {
	for _, c := range []struct {
		vars map[string]string
		warn bool
	}{
		{map[string]string{}, false},
		{map[string]string{"DOMAIN": "live.school.ru", "AUTH_SECRET": strings.Repeat("s", 32), "TLS": "off"}, true},
		{map[string]string{"DOMAIN": "live.school.ru", "AUTH_SECRET": strings.Repeat("s", 32), "TLS": "off", "METRICS_TOKEN": "t0ken-t0ken-t0ken"}, false},
		{map[string]string{"TLS": "lan", "LAN_IP": "192.168.1.20"}, true},
	} {
		c.vars["DATA_DIR"] = t.TempDir()
		cfg, err := config.Load(envOf(c.vars))
		if err != nil {
			t.Fatal(err)
		}
		got := strings.Join(startupWarnings(cfg), "\n")
		if strings.Contains(got, "METRICS_TOKEN") != c.warn {
			t.Errorf("%v: warnings %q", c.vars, got)
		}
	}
}
