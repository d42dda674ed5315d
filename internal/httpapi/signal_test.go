package httpapi_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/livekit/protocol/auth"
	lkproto "github.com/livekit/protocol/livekit"
	"google.golang.org/protobuf/proto"

	"github.com/liveserver/liveserver/internal/config"
	"github.com/liveserver/liveserver/internal/domain"
	"github.com/liveserver/liveserver/internal/httpapi"
	"github.com/liveserver/liveserver/internal/instance"
	"github.com/liveserver/liveserver/internal/memory"
	"github.com/liveserver/liveserver/internal/sqlstore"
)

// The browser reaches LiveKit's signalling on our origin: the token answer names the origin the
// page came from, a websocket through us joins the room, the pages' CSP allows no other
// address, a foreign page cannot use us as LiveKit's door, and the access token in the query
// never reaches our log.
func TestSignalThroughOurOrigin(t *testing.T) {
	e := newLiveEnv(t, sqlstore.SQLite, nil)
	host, r := liveRoom(t, e, map[string]any{"name": "Физика"})
	origin := e.srv.URL
	var tok struct{ Token, URL string }
	got := host.do("POST", "/api/livekit/token", map[string]string{"roomId": r.ID}, "Origin", origin)
	want(t, got, http.StatusOK)
	got.json(t, &tok)
	if tok.URL != "ws://"+strings.TrimPrefix(origin, "http://") {
		t.Fatalf("token url %q for a page on %s", tok.URL, origin)
	}
	// Behind a TLS proxy the page is https, and so is its signalling (the browser says the
	// request is same-origin, which crossOrigin believes).
	got = host.do("POST", "/api/livekit/token", map[string]string{"roomId": r.ID}, "Origin", "https://live.school.ru", "Sec-Fetch-Site", "same-origin")
	want(t, got, http.StatusOK)
	got.json(t, &tok)
	if tok.URL != "wss://live.school.ru" {
		t.Fatalf("token url %q for a page on https://live.school.ru", tok.URL)
	}
	// (crossOrigin refuses a foreign page's POST before any of this.)
	want(t, host.do("POST", "/api/livekit/token", map[string]string{"roomId": r.ID}, "Origin", "https://evil.example", "Sec-Fetch-Site", "cross-site"), http.StatusForbidden)

	csp := e.client().do("GET", "/", nil).header.Get("Content-Security-Policy")
	if !strings.Contains(csp, "connect-src 'self';") {
		t.Errorf("CSP %q: the page needs no address but ours", csp)
	}

	// The websocket from our own page joins; from a foreign page, or a garbled Origin, it
	// never reaches LiveKit.
	h := http.Header{"Origin": {origin}}
	if status, body := dialSignal(t, e, "/rtc?access_token="+tok.Token, h, r.LectureID); status != http.StatusSwitchingProtocols {
		t.Fatalf("same-origin websocket: %d %q", status, body)
	}
	for _, o := range []string{"https://evil.example", "null", "file://"} {
		if status, body := dialSignal(t, e, "/rtc?access_token="+tok.Token, http.Header{"Origin": {o}}, r.LectureID); status != http.StatusForbidden {
			t.Errorf("websocket from Origin %q: %d %q, want 403", o, status, body)
		}
	}
	if got := e.client().do("GET", "/rtc/validate?access_token="+tok.Token, nil, "Origin", "https://evil.example"); got.status != http.StatusForbidden {
		t.Errorf("validate from a foreign page: %d %q", got.status, got.body)
	}
	if got := e.client().do("GET", "/rtc/validate?access_token="+tok.Token, "x"); got.status != http.StatusBadRequest {
		t.Errorf("validate with a body: %d %q", got.status, got.body)
	}
	// The Go SDK sends its token in the Authorization header; LiveKit's validate takes it.
	if got := e.client().do("GET", "/rtc/validate", nil, "Authorization", "Bearer "+tok.Token); got.status != http.StatusOK || got.header.Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("validate with a bearer token: %d %q %v", got.status, got.body, got.header)
	}

	// The websocket's line comes once it has closed.
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(e.logs.String(), "path=/rtc status=101") && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	logs := e.logs.String()
	if !strings.Contains(logs, "path=/rtc status=101") {
		t.Errorf("the websocket is not in the access log as switched protocols:\n%s", logs)
	}
	if strings.Contains(logs, tok.Token) || strings.Contains(logs, "access_token") {
		t.Errorf("the access token reached our log:\n%s", logs)
	}
}

// What we send LiveKit: the path asked for and its query, LiveKit's own Host, the client's
// address as we worked it out (forged ones dropped), and none of our cookies or keys. LiveKit
// being down is a 503, whose log line names no token either.
func TestSignalForwardedRequest(t *testing.T) {
	var mu sync.Mutex
	var seen *http.Request
	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen = r.Clone(context.Background())
		mu.Unlock()
		w.Header().Set("Access-Control-Allow-Origin", "*")
		io.WriteString(w, "success")
	}))
	defer upstream.Close()
	var logs logBuffer
	srv := signalServer(t, "ws://"+strings.TrimPrefix(upstream.URL, "http://")+"/base", &logs)

	req, _ := http.NewRequest("GET", srv.URL+"/rtc/v1/validate?access_token=T0KEN&join_request=abc", nil)
	for k, v := range map[string]string{"Cookie": "ls_session=secret", "X-Dev-Access-Key": "key", "X-Forwarded-For": "6.6.6.6",
		"X-Real-IP": "6.6.6.6", "CF-Connecting-IP": "6.6.6.6", "Forwarded": "for=6.6.6.6", "Authorization": "Bearer T0KEN"} {
		req.Header.Set(k, v)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK || string(body) != "success" || res.Header.Get("Access-Control-Allow-Origin") != "" {
		t.Fatalf("answer %d %q %v", res.StatusCode, body, res.Header)
	}
	mu.Lock()
	r := seen
	mu.Unlock()
	if r.URL.Path != "/base/rtc/v1/validate" || r.URL.RawQuery != "access_token=T0KEN&join_request=abc" || r.Host != strings.TrimPrefix(upstream.URL, "http://") {
		t.Errorf("forwarded %s %s?%s", r.Host, r.URL.Path, r.URL.RawQuery)
	}
	if got := r.Header.Get("X-Forwarded-For"); got != "127.0.0.1" {
		t.Errorf("X-Forwarded-For %q, want the client's own address", got)
	}
	for _, h := range []string{"Cookie", "X-Dev-Access-Key", "X-Real-IP", "CF-Connecting-IP", "Forwarded"} {
		if v := r.Header.Get(h); v != "" {
			t.Errorf("%s forwarded: %q", h, v)
		}
	}
	if r.Header.Get("Authorization") != "Bearer T0KEN" {
		t.Error("the bearer token (how the Go SDK authorises) was not forwarded")
	}

	upstream.Close()
	res, err = http.Get(srv.URL + "/rtc/validate?access_token=T0KEN")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("LiveKit down: %d, want 503", res.StatusCode)
	}
	if l := logs.String(); strings.Contains(l, "T0KEN") || !strings.Contains(l, "video server unreachable") {
		t.Errorf("log:\n%s", l)
	}
}

// One address cannot hammer LiveKit through us.
func TestSignalRateLimit(t *testing.T) {
	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "success") }))
	defer upstream.Close()
	srv := signalServer(t, upstream.URL, &logBuffer{})
	limited := 0
	for range 320 {
		res, err := http.Get(srv.URL + "/rtc/validate")
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, res.Body)
		res.Body.Close()
		if res.StatusCode == http.StatusTooManyRequests {
			limited++
			if res.Header.Get("Retry-After") == "" {
				t.Fatal("429 without Retry-After")
			}
		}
	}
	if limited != 20 {
		t.Errorf("%d of 320 attempts in a minute refused, want the 20 over 300", limited)
	}
}

// signalHandler is our HTTP interface alone, with the default configuration, forwarding
// signalling to upstream.
func signalHandler(t testing.TB, upstream string, logs *logBuffer, limiter domain.Limiter) (http.Handler, *config.Config) {
	t.Helper()
	cfg, err := config.Load(func(k string) string {
		if k == "DATA_DIR" {
			return t.TempDir()
		}
		return ""
	})
	if err != nil {
		t.Fatal(err)
	}
	o := instance.HTTPOptions(cfg, nil, instance.Options{})
	o.LiveKitSignal = upstream
	return httpapi.New(httpapi.Deps{Log: slog.New(slog.NewTextHandler(logs, nil)), Limiter: limiter}, o), cfg
}

// signalServer is signalHandler served.
func signalServer(t *testing.T, upstream string, logs *logBuffer) *httptest.Server {
	t.Helper()
	h, _ := signalHandler(t, upstream, logs, memory.NewLimiter(time.Now))
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv
}

// dialSignal opens a signalling websocket through our server and returns the handshake's
// status. On 101 it reads LiveKit's first message, which must be the join answer for room.
func dialSignal(t *testing.T, e *env, pathAndQuery string, h http.Header, room string) (int, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	c, res, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(e.srv.URL, "http")+pathAndQuery, &websocket.DialOptions{HTTPHeader: h})
	if err != nil {
		if res == nil {
			t.Fatalf("websocket: %v", err)
		}
		body, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(body)
	}
	defer c.CloseNow()
	_, msg, err := c.Read(ctx)
	if err != nil {
		t.Fatalf("first signal message: %v", err)
	}
	var sr lkproto.SignalResponse
	if err := proto.Unmarshal(msg, &sr); err != nil {
		t.Fatalf("first signal message: %v", err)
	}
	if got := sr.GetJoin().GetRoom().GetName(); got != room {
		t.Fatalf("joined %q, want %q (message %v)", got, room, &sr)
	}
	c.Close(websocket.StatusNormalClosure, "")
	return res.StatusCode, ""
}

// joinRequestParam is the v1 path's join_request: a wrapped JoinRequest with only a client.
func joinRequestParam(t *testing.T) string {
	t.Helper()
	jr, err := proto.Marshal(&lkproto.JoinRequest{ClientInfo: &lkproto.ClientInfo{Sdk: lkproto.ClientInfo_GO}})
	if err != nil {
		t.Fatal(err)
	}
	w, err := proto.Marshal(&lkproto.WrappedJoinRequest{JoinRequest: jr})
	if err != nil {
		t.Fatal(err)
	}
	return base64.URLEncoding.EncodeToString(w)
}

// otherKeyToken is a well-formed join token for room signed by a key LiveKit does not have.
func otherKeyToken(t *testing.T, e *env, room string) string {
	t.Helper()
	at := auth.NewAccessToken(e.lkConfig.APIKey, strings.Repeat("x", 32))
	at.SetIdentity("intruder").SetVideoGrant(&auth.VideoGrant{RoomJoin: true, Room: room})
	jwt, err := at.ToJWT()
	if err != nil {
		t.Fatal(err)
	}
	return jwt
}

// adminToken may list LiveKit's rooms.
func adminToken(t *testing.T, e *env) string {
	t.Helper()
	at := auth.NewAccessToken(e.lkConfig.APIKey, e.lkConfig.APISecret)
	at.SetVideoGrant(&auth.VideoGrant{RoomList: true, RoomAdmin: true})
	jwt, err := at.ToJWT()
	if err != nil {
		t.Fatal(err)
	}
	return jwt
}

// postTwirp asks base's Twirp RoomService for the rooms, as LiveKit's SDKs do.
func postTwirp(t *testing.T, base, token string) response {
	t.Helper()
	req, _ := http.NewRequest("POST", base+"/twirp/livekit.RoomService/ListRooms", bytes.NewReader([]byte("{}")))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return response{status: res.StatusCode, header: res.Header, body: b}
}

// Whatever a client puts in Origin, the request reaches LiveKit only without one or from our
// own origin (the host it reached us on, or PUBLIC_URL); anything else is our 403.
func FuzzSignalOrigin(f *testing.F) {
	for _, s := range []string{"", "null", "http://127.0.0.1", "https://evil.example", "http://LOCALHOST:3000",
		"http://localhost:3000", "ws://127.0.0.1", "http://127.0.0.1:1@evil", "http://[::1", "%zz", "http://127.0.0.1/x"} {
		f.Add(s)
	}
	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "success") }))
	defer upstream.Close()
	var logs logBuffer
	h, cfg := signalHandler(f, upstream.URL, &logs, nil)
	f.Fuzz(func(t *testing.T, origin string) {
		req := httptest.NewRequest("GET", "http://127.0.0.1:3000/rtc/validate?access_token=x", nil)
		req.RemoteAddr = "192.0.2.1:1234"
		if origin != "" {
			req.Header["Origin"] = []string{origin}
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		ours := false
		if u, err := url.Parse(origin); err == nil && (u.Scheme == "http" || u.Scheme == "https") &&
			(strings.EqualFold(u.Host, "127.0.0.1:3000") || strings.EqualFold(u.Scheme+"://"+u.Host, cfg.PublicURL)) {
			ours = true
		}
		switch {
		case w.Code == http.StatusOK && origin != "" && !ours:
			t.Fatalf("Origin %q was forwarded", origin)
		case w.Code == http.StatusForbidden && (origin == "" || ours):
			t.Fatalf("Origin %q was refused", origin)
		case w.Code != http.StatusOK && w.Code != http.StatusForbidden:
			t.Fatalf("Origin %q: status %d %s", origin, w.Code, w.Body)
		}
	})
}

// Close ends the signalling websockets still forwarded, which http.Server's Shutdown leaves
// open (they are hijacked): nothing of a stopped server keeps talking to LiveKit.
func TestCloseEndsForwardedWebsockets(t *testing.T) {
	held := make(chan struct{})
	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := websocket.Accept(w, r, nil)
		if err != nil {
			return
		}
		defer c.CloseNow()
		close(held)
		c.Read(r.Context()) // until the proxy goes away
	}))
	defer upstream.Close()
	var logs logBuffer
	h, _ := signalHandler(t, "ws"+strings.TrimPrefix(upstream.URL, "http"), &logs, memory.NewLimiter(time.Now))
	srv := httptest.NewServer(h)
	defer srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(srv.URL, "http")+"/rtc?access_token=x", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.CloseNow()
	<-held
	h.(*httpapi.Server).Close()
	if _, _, err := c.Read(ctx); err == nil || ctx.Err() != nil {
		t.Fatalf("the websocket is still open after Close (read: %v)", err)
	}
}
