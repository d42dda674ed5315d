package httpapi_test

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	lkproto "github.com/livekit/protocol/livekit"
	"google.golang.org/protobuf/encoding/protojson"

	"github.com/liveserver/liveserver/internal/classroom"
	"github.com/liveserver/liveserver/internal/config"
	"github.com/liveserver/liveserver/internal/disk"
	"github.com/liveserver/liveserver/internal/domain"
	"github.com/liveserver/liveserver/internal/httpapi"
	"github.com/liveserver/liveserver/internal/httpapi/ssetest"
	"github.com/liveserver/liveserver/internal/instance"
	"github.com/liveserver/liveserver/internal/livekit"
	"github.com/liveserver/liveserver/internal/livekit/livekittest"
	"github.com/liveserver/liveserver/internal/memory"
	"github.com/liveserver/liveserver/internal/sqlstore"
	"github.com/liveserver/liveserver/internal/sqlstore/sqlstoretest"
	"github.com/liveserver/liveserver/internal/tlsserve"
	"github.com/liveserver/liveserver/web"
)

// env is a whole HTTP stack on a real database, served by httptest.
type env struct {
	t     testing.TB
	srv   *httptest.Server
	db    *sqlstore.DB
	bus   *memory.Bus
	lk    *livekit.SFU // nil without LiveKit
	blobs *disk.Blobs
	// bodyRead counts the request body bytes the server read, over all requests.
	bodyRead atomic.Int64
	mu       sync.Mutex
	joins    map[string]int // participant_joined webhooks LiveKit sent, by identity
	svc      *classroom.Service
	// lostWebhooks answers LiveKit's webhooks without handing them to the server, as if it
	// had been down while LiveKit gave up retrying.
	lostWebhooks atomic.Bool
	// lkConfig is the LiveKit server's address and keys (zero without LiveKit).
	lkConfig livekit.Config
	// logs holds everything the server logged.
	logs logBuffer
}

// logBuffer is the server's log, written from many goroutines.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// joinsSeen tells how often LiveKit reported the identity as joined.
func (e *env) joinsSeen(identity string) int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.joins[identity]
}

// noteWebhook counts participant_joined events on their way to the server.
func (e *env) noteWebhook(r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		e.t.Errorf("reading a webhook: %v", err)
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	var ev lkproto.WebhookEvent
	if err := (protojson.UnmarshalOptions{DiscardUnknown: true}).Unmarshal(body, &ev); err != nil {
		return // the server answers malformed webhooks itself
	}
	if ev.GetEvent() == "participant_joined" {
		e.mu.Lock()
		e.joins[ev.GetParticipant().GetIdentity()]++
		e.mu.Unlock()
	}
}

// countingBody counts what the server reads of a request body.
type countingBody struct {
	io.ReadCloser
	n *atomic.Int64
}

func (c countingBody) Read(p []byte) (int, error) {
	n, err := c.ReadCloser.Read(p)
	c.n.Add(int64(n))
	return n, err
}

// newEnv starts the server with the given environment variables on top of test defaults.
func newEnv(t testing.TB, d sqlstore.Dialect, vars map[string]string) *env {
	t.Helper()
	return startEnv(t, d, vars, false, envTune{})
}

// envTune changes what newEnvTuned builds: a wrapper around the store (to act between two
// reads of the rules) and the instance's options.
type envTune struct {
	store   func(domain.Store) domain.Store
	options func(*instance.Options)
	server  func(*http.Server) // after httpapi.ConfigureServer
}

// newEnvTuned is newEnv with the changes of tune.
func newEnvTuned(t testing.TB, d sqlstore.Dialect, vars map[string]string, tune envTune) *env {
	t.Helper()
	return startEnv(t, d, vars, false, tune)
}

// newLiveEnv is newEnv with a real LiveKit server whose webhooks come to this server.
func newLiveEnv(t *testing.T, d sqlstore.Dialect, vars map[string]string) *env {
	t.Helper()
	return startEnv(t, d, vars, true, envTune{})
}

func startEnv(t testing.TB, d sqlstore.Dialect, vars map[string]string, withLiveKit bool, tune envTune) *env {
	t.Helper()
	getenv := func(k string) string {
		if v, ok := vars[k]; ok {
			return v
		}
		switch k {
		case "DATA_DIR":
			return t.TempDir()
		case "AUTH_SECRET":
			return "test-secret-test-secret-test-secret"
		case "LISTEN_ADDR":
			// What the test server listens on: loopback, where the first registrant is admin.
			return "127.0.0.1:3000"
		}
		return ""
	}
	cfg, err := config.Load(getenv)
	if err != nil {
		t.Fatal(err)
	}
	db := sqlstoretest.Open(t, d)
	limiter := memory.NewLimiter(time.Now)
	bus := memory.NewBus()
	// The handler is set once LiveKit knows where to send webhooks: to this server.
	var h http.Handler
	e := &env{t: t, db: db, bus: bus, joins: map[string]int{}}
	log := slog.New(slog.NewTextHandler(&e.logs, nil))
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/api/livekit/webhook" {
			e.noteWebhook(r)
			if e.lostWebhooks.Load() {
				w.WriteHeader(http.StatusNoContent)
				return
			}
		}
		r.Body = countingBody{r.Body, &e.bodyRead}
		h.ServeHTTP(w, r)
	}))
	// The timeouts serve sets, so that the tests see what they do to streams.
	httpapi.ConfigureServer(srv.Config)
	if tune.server != nil {
		tune.server(srv.Config)
	}
	srv.Start()
	e.srv = srv
	// Streams end before the server closes, as at a real shutdown.
	t.Cleanup(func() { bus.Close(); srv.CloseClientConnections(); srv.Close() })
	blobs, err := disk.New(filepath.Join(t.TempDir(), "files"))
	if err != nil {
		t.Fatal(err)
	}
	// The free-space guard only where a test asks for it: the default margin would make every
	// upload test depend on this machine's free disk.
	if vars["DISK_FREE_MARGIN_MB"] != "" {
		blobs.WithFreeMargin(cfg.DiskFreeMargin())
	}
	e.blobs = blobs
	var store domain.Store = db
	if tune.store != nil {
		store = tune.store(db)
	}
	ports := instance.Ports{Store: store, Limiter: limiter, Bus: bus, Blobs: blobs, Web: web.Handler(), Log: log}
	if cfg.TLS == config.TLSLAN {
		ca, err := tlsserve.OpenLocalCA(t.TempDir(), "test-host", nil)
		if err != nil {
			t.Fatal(err)
		}
		ports.LocalCA = ca.Certificate()
	}
	if withLiveKit {
		lk := livekittest.Start(t, livekittest.WithWebhookURL(srv.URL+"/api/livekit/webhook"))
		sfu, err := livekit.NewSFU(lk.Config)
		if err != nil {
			t.Fatal(err)
		}
		ports.SFU, e.lk, e.lkConfig = sfu, sfu, lk.Config
	}
	// Built as serve builds it; only the password hashing is cheaper and the heartbeat faster.
	opts := instance.Options{Hash: classroom.FastHashParams, Heartbeat: 200 * time.Millisecond}
	if tune.options != nil {
		tune.options(&opts)
	}
	inst, err := instance.New(cfg, ports, opts)
	if err != nil {
		t.Fatal(err)
	}
	e.svc, h = inst.Classroom, inst.HTTP
	t.Cleanup(inst.HTTP.Close) // before the server closes: the websockets it forwards to LiveKit
	return e
}

// client is one browser: it keeps its own cookies.
type client struct {
	e    *env
	http *http.Client
}

func (e *env) client() *client {
	jar, _ := cookiejar.New(nil)
	return &client{e: e, http: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}}
}

type response struct {
	status int
	header http.Header
	body   []byte
}

// json decodes the body into v, failing the test when it is not JSON.
func (r response) json(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Fatalf("body %q is not JSON: %v", r.body, err)
	}
}

func (r response) errorCode(t testing.TB) string {
	t.Helper()
	var e struct {
		Error struct {
			Code, Message string
		}
	}
	r.json(t, &e)
	if e.Error.Code == "" || e.Error.Message == "" {
		t.Fatalf("error body %s lacks code or message", r.body)
	}
	return e.Error.Code
}

// do sends a request. A body that is a string goes as is, anything else as JSON; JSON bodies
// get the JSON content type unless headers say otherwise.
func (c *client) do(method, path string, body any, headers ...string) response {
	c.e.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	default:
		buf, _ := json.Marshal(b)
		rd = bytes.NewReader(buf)
	}
	req, err := http.NewRequest(method, c.e.srv.URL+path, rd)
	if err != nil {
		c.e.t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := c.http.Do(req)
	if err != nil {
		c.e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return response{status: resp.StatusCode, header: resp.Header, body: b}
}

// want fails the test unless the response has the status (and, if given, the error code).
func want(t testing.TB, r response, status int, code ...string) {
	t.Helper()
	if r.status != status {
		t.Fatalf("status = %d, want %d; body %s", r.status, status, r.body)
	}
	if len(code) > 0 && r.errorCode(t) != code[0] {
		t.Fatalf("error code = %q, want %q; body %s", r.errorCode(t), code[0], r.body)
	}
}

type user struct {
	ID, Email, Name, Role string
}

// register signs a new account in on c.
func (c *client) register(email, name string) user {
	c.e.t.Helper()
	r := c.do("POST", "/api/auth/register", map[string]string{"email": email, "password": "correct horse", "name": name})
	want(c.e.t, r, http.StatusCreated)
	var u user
	r.json(c.e.t, &u)
	return u
}

type room struct {
	ID, Code, Name, Status, OwnerID string
	LectureID                       string // the current lecture
	LobbyEnabled, HasPin            bool
	ChatEnabled, FilesEnabled       bool
	MaxParticipants                 int
	Locked                          bool
}

func (c *client) createRoom(body map[string]any) room {
	c.e.t.Helper()
	r := c.do("POST", "/api/rooms", body)
	want(c.e.t, r, http.StatusCreated)
	var out room
	r.json(c.e.t, &out)
	return out
}

func mustURL(s string) *url.URL {
	u, err := url.Parse(s)
	if err != nil {
		panic(err)
	}
	return u
}

// parseCookie reads the name and value of a Set-Cookie header.
func parseCookie(t *testing.T, setCookie string) *http.Cookie {
	t.Helper()
	c, err := http.ParseSetCookie(setCookie)
	if err != nil {
		t.Fatal(err)
	}
	return &http.Cookie{Name: c.Name, Value: c.Value}
}

// stream opens an SSE GET on c; it fails the test unless the server answers 200.
func (c *client) stream(path string, headers ...string) *ssetest.Stream {
	c.e.t.Helper()
	return ssetest.Open(c.e.t, c.http, c.e.srv.URL+path, headers...)
}

func jsonUnmarshal(data string, v any) error { return json.Unmarshal([]byte(data), v) }
