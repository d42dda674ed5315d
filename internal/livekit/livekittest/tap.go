package livekittest

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/coder/websocket"
	"github.com/livekit/protocol/auth"
	lkproto "github.com/livekit/protocol/livekit"
	"google.golang.org/protobuf/proto"
)

// TokenTap stands between clients and LiveKit and keeps every access token that passes: the
// ones clients connect with and the ones LiveKit sends them on the signalling connection
// (RefreshToken, sent at once on joining, every few minutes, and after each change of the
// participant's rights). It is what a guest who keeps every token it ever held has. Connect
// clients to URL instead of LiveKit's address; media still flows directly.
type TokenTap struct {
	URL string

	upstream *url.URL
	mu       sync.Mutex
	tokens   []string
	seen     map[string]bool
}

// NewTokenTap starts a tap in front of the LiveKit server at livekitURL (ws:// or http://).
func NewTokenTap(t testing.TB, livekitURL string) *TokenTap {
	t.Helper()
	up, err := url.Parse(strings.Replace(livekitURL, "ws", "http", 1))
	if err != nil {
		t.Fatal(err)
	}
	tp := &TokenTap{upstream: up, seen: map[string]bool{}}
	rp := httputil.NewSingleHostReverseProxy(up)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.EqualFold(r.Header.Get("Upgrade"), "websocket") {
			tp.relay(t, w, r)
			return
		}
		rp.ServeHTTP(w, r)
	}))
	t.Cleanup(func() { srv.CloseClientConnections(); srv.Close() })
	tp.URL = strings.Replace(srv.URL, "http", "ws", 1)
	return tp
}

// Tokens lists the distinct tokens seen so far, in the order they were first seen.
func (tp *TokenTap) Tokens() []string {
	tp.mu.Lock()
	defer tp.mu.Unlock()
	return append([]string(nil), tp.tokens...)
}

func (tp *TokenTap) keep(token string) {
	if token == "" {
		return
	}
	tp.mu.Lock()
	defer tp.mu.Unlock()
	if !tp.seen[token] {
		tp.seen[token] = true
		tp.tokens = append(tp.tokens, token)
	}
}

// relay joins a client's signalling websocket to LiveKit's, reading what LiveKit sends.
func (tp *TokenTap) relay(t testing.TB, w http.ResponseWriter, r *http.Request) {
	token := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
	if token == "" {
		token = r.URL.Query().Get("access_token")
	}
	tp.keep(token)
	target := *tp.upstream
	target.Scheme = strings.Replace(target.Scheme, "http", "ws", 1)
	target.Path, target.RawQuery = r.URL.Path, r.URL.RawQuery
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	hdr := http.Header{}
	if a := r.Header.Get("Authorization"); a != "" {
		hdr.Set("Authorization", a)
	}
	up, resp, err := websocket.Dial(ctx, target.String(), &websocket.DialOptions{HTTPHeader: hdr})
	if err != nil {
		status := http.StatusBadGateway
		if resp != nil {
			status = resp.StatusCode // LiveKit's own refusal (401 for a bad token)
		}
		http.Error(w, err.Error(), status)
		return
	}
	defer up.CloseNow()
	down, err := websocket.Accept(w, r, nil)
	if err != nil {
		return
	}
	defer down.CloseNow()
	up.SetReadLimit(-1)
	down.SetReadLimit(-1)
	go func() {
		defer cancel()
		for {
			typ, msg, err := down.Read(ctx)
			if err != nil || up.Write(ctx, typ, msg) != nil {
				return
			}
		}
	}()
	for {
		typ, msg, err := up.Read(ctx)
		if err != nil {
			return
		}
		if typ == websocket.MessageBinary {
			var res lkproto.SignalResponse
			if proto.Unmarshal(msg, &res) == nil {
				tp.keep(res.GetRefreshToken())
			}
		}
		if down.Write(ctx, typ, msg) != nil {
			return
		}
	}
}

// TokenRights reads the rights a token grants, checked with the deployment's secret.
func TokenRights(token, secret string) (canSubscribe, canPublish bool, err error) {
	v, err := auth.ParseAPIToken(token)
	if err != nil {
		return false, false, err
	}
	_, g, err := v.Verify(secret)
	if err != nil {
		return false, false, err
	}
	return g.Video.GetCanSubscribe(), g.Video.GetCanPublish(), nil
}

// TokenRoom says which video room a token opens.
func TokenRoom(token, secret string) (string, error) {
	v, err := auth.ParseAPIToken(token)
	if err != nil {
		return "", err
	}
	_, g, err := v.Verify(secret)
	if err != nil {
		return "", err
	}
	return g.Video.Room, nil
}
