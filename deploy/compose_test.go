// Package deploy holds the production files (docker compose) and checks them without a Docker
// engine: they parse, and every variable they use is documented in .env.example.
package deploy

import (
	"os"
	"regexp"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

var variable = regexp.MustCompile(`\$\{([A-Z][A-Z0-9_]*)`)

func TestComposeFiles(t *testing.T) {
	example, err := os.ReadFile("../.env.example")
	if err != nil {
		t.Fatal(err)
	}
	documented := map[string]bool{}
	for _, line := range strings.Split(string(example), "\n") {
		line = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(line), "#"))
		if name, _, ok := strings.Cut(line, "="); ok && name == strings.ToUpper(name) && !strings.Contains(name, " ") {
			documented[strings.TrimSpace(name)] = true
		}
	}
	wantServices := map[string][]string{
		"docker-compose.yml":      {"postgres", "pgbouncer", "redis", "minio", "livekit", "migrate", "app", "agent"},
		"docker-compose.prod.yml": {"traefik", "app"},
	}
	for file, services := range wantServices {
		b, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		var doc struct {
			Services map[string]yaml.Node `yaml:"services"`
		}
		if err := yaml.Unmarshal(b, &doc); err != nil {
			t.Fatalf("%s does not parse: %v", file, err)
		}
		for _, s := range services {
			if _, ok := doc.Services[s]; !ok {
				t.Errorf("%s has no service %q", file, s)
			}
		}
		for _, m := range variable.FindAllStringSubmatch(string(b), -1) {
			if !documented[m[1]] {
				t.Errorf("%s uses ${%s}, which .env.example does not document", file, m[1])
			}
		}
	}
	// The app runs as two replicas, and its database goes through PgBouncer.
	b, _ := os.ReadFile("docker-compose.yml")
	for _, want := range []string{"replicas: 2", "@pgbouncer:5432/", "POOL_MODE: transaction", "auto_create: false"} {
		if !strings.Contains(string(b), want) {
			t.Errorf("docker-compose.yml lacks %q", want)
		}
	}
}

// The captioning assistant runs as its own service, from the app's image and with the app's
// environment, and the web replicas do not run one inside themselves.
func TestComposeAgent(t *testing.T) {
	b, err := os.ReadFile("docker-compose.yml")
	if err != nil {
		t.Fatal(err)
	}
	type service struct {
		Image       string            `yaml:"image"`
		Command     []string          `yaml:"command"`
		Environment map[string]string `yaml:"environment"` // merge keys (<<) resolved
	}
	var doc struct {
		Services map[string]service `yaml:"services"`
	}
	if err := yaml.Unmarshal(b, &doc); err != nil {
		t.Fatalf("docker-compose.yml does not parse: %v", err)
	}
	app, agent := doc.Services["app"], doc.Services["agent"]
	if got := app.Environment["AGENT_IN_SERVE"]; got != "off" {
		t.Errorf("app: AGENT_IN_SERVE = %q, want off (the agent service captions)", got)
	}
	if agent.Image == "" || agent.Image != app.Image {
		t.Errorf("agent image %q, want the app's %q", agent.Image, app.Image)
	}
	if len(agent.Command) != 1 || agent.Command[0] != "agent" {
		t.Errorf("agent command %q, want [agent]", agent.Command)
	}
	// What `liveserver agent` reads: the app's database and bus, LiveKit, the STT provider.
	for _, name := range []string{"DATABASE_URL", "REDIS_URL", "LIVEKIT_URL", "LIVEKIT_API_KEY", "LIVEKIT_API_SECRET",
		"STT_PROVIDER", "STT_LANGUAGE", "DEEPGRAM_API_KEY", "STT_BASE_URL", "STT_API_KEY"} {
		if agent.Environment[name] == "" {
			t.Errorf("agent service lacks %s", name)
		} else if agent.Environment[name] != app.Environment[name] {
			t.Errorf("%s differs between app (%q) and agent (%q)", name, app.Environment[name], agent.Environment[name])
		}
	}
}

// Behind the proxy the app speaks plain HTTP: TLS=off in both files, or DOMAIN (TLS=auto)
// would make every replica obtain a certificate by ACME itself.
func TestComposeAppTLSOff(t *testing.T) {
	for _, file := range []string{"docker-compose.yml", "docker-compose.prod.yml"} {
		b, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		var doc struct {
			Services map[string]struct {
				Environment map[string]string `yaml:"environment"`
			} `yaml:"services"`
		}
		if err := yaml.Unmarshal(b, &doc); err != nil {
			t.Fatalf("%s does not parse: %v", file, err)
		}
		if got := doc.Services["app"].Environment["TLS"]; got != "off" {
			t.Errorf("%s: app TLS = %q, want off", file, got)
		}
	}
}
