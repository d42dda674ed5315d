package httpapi_test

import (
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"net/http"
	"strings"
	"testing"

	"github.com/liveserver/liveserver/internal/sqlstore"
)

// Every route of the lobby issue, for every kind of caller.
func TestLobbyAuthorizationMatrix(t *testing.T) {
	e := newLiveEnv(t, sqlstore.SQLite, nil)
	admin := e.client()
	admin.register("admin@school.ru", "Admin") // the first account
	host, r := liveRoom(t, e, map[string]any{"name": "Matrix"})
	_, otherRoom := liveRoom(t, e, map[string]any{"name": "Elsewhere", "lobbyEnabled": false})
	otherHost := e.client()
	otherHost.register("other@school.ru", "Other")

	waiting := e.client()
	want(t, waiting.join(r.ID, "Ждёт", "", "fp-matrix-wait"), http.StatusAccepted)
	admitted := e.client()
	a := admitted.join(r.ID, "Внутри", "", "fp-matrix-in01").joined(t)
	want(t, host.do("POST", "/api/rooms/"+r.ID+"/lobby", map[string]any{"entryId": a.EntryID, "action": "approve"}), http.StatusOK)
	stranger := e.client() // a guest of another room
	want(t, stranger.join(otherRoom.ID, "Чужой", "", "fp-matrix-out1"), http.StatusOK)

	callers := []struct {
		name string
		c    *client
	}{{"anonymous", e.client()}, {"waiting guest", waiting}, {"admitted guest", admitted}, {"other room's guest", stranger},
		{"host", host}, {"other host", otherHost}, {"admin", admin}}
	routes := []struct {
		method, path string
		body         any
		stream       bool
		want         []int // in the order of callers
	}{
		// (Before the reject-all below, which decides the waiting guest's request.)
		{"GET", "/lobby", nil, false, []int{401, 401, 401, 401, 200, 403, 200}},
		{"GET", "/lectures", nil, false, []int{401, 401, 401, 401, 200, 403, 200}},
		// The admitted guest's request is decided: 204 tells its EventSource to stop.
		{"GET", "/lobby/stream", nil, true, []int{404, 200, 204, 404, 404, 404, 404}},
		{"POST", "/lobby", map[string]any{"all": true, "action": "reject"}, false, []int{401, 401, 401, 401, 200, 403, 200}},
		{"GET", "/events", nil, true, []int{403, 403, 200, 403, 200, 403, 200}},
		{"POST", "/moderate", map[string]any{"action": "unlock"}, false, []int{401, 401, 401, 401, 200, 403, 200}},
		{"POST", "/hand-raise", map[string]any{"raised": false}, false, []int{403, 403, 204, 403, 204, 403, 204}},
		{"POST", "/token", nil, false, []int{403, 403, 200, 403, 200, 403, 200}},
	}
	for _, rt := range routes {
		for i, caller := range callers {
			t.Run(caller.name+" "+rt.method+" "+rt.path, func(t *testing.T) {
				path := "/api/rooms/" + r.ID + rt.path
				body := rt.body
				if rt.path == "/token" {
					path, body = "/api/livekit/token", map[string]string{"roomId": r.ID}
				}
				if rt.stream && rt.want[i] == 200 {
					st := caller.c.stream(path)
					st.Next("snapshot")
					st.Close()
					return
				}
				got := caller.c.do(rt.method, path, body)
				want(t, got, rt.want[i])
				if got.status >= 400 && !strings.Contains(string(got.body), `"code"`) {
					t.Fatalf("error without the JSON shape: %s", got.body)
				}
			})
		}
	}
}

// LiveKit's signalling paths, forwarded to LiveKit (signal.go). They are public: LiveKit's
// access token is what authorises, so the callers here are tokens, not sessions. A missing or
// bad token is refused by LiveKit itself, through us; LiveKit's Twirp API and its other paths
// are never forwarded, even with a token that LiveKit would accept.
func TestSignalAuthorizationMatrix(t *testing.T) {
	e := newLiveEnv(t, sqlstore.SQLite, nil)
	host, r := liveRoom(t, e, map[string]any{"name": "Matrix"})
	var tok struct{ Token, URL string }
	host.token(r.ID).json(t, &tok)
	if tok.URL != "ws://"+strings.TrimPrefix(e.srv.URL, "http://") {
		t.Fatalf("token url %q, want this server's own origin %s", tok.URL, e.srv.URL)
	}
	tokens := []struct{ name, token string }{
		{"no token", ""},
		{"garbage token", "not.a.token"},
		{"token of another key", otherKeyToken(t, e, r.LectureID)},
		{"our token", tok.Token},
	}
	join := joinRequestParam(t)
	routes := []struct {
		path, query string
		websocket   bool
		want        []int // in the order of tokens
	}{
		{"/rtc", "", true, []int{401, 401, 401, 101}},
		{"/rtc/v1", "join_request=" + join, true, []int{401, 401, 401, 101}},
		{"/rtc/validate", "", false, []int{401, 401, 401, 200}},
		// v1 wants the join request; LiveKit says so once the token is good.
		{"/rtc/v1/validate", "", false, []int{401, 401, 401, 400}},
		{"/rtc/v1/validate", "join_request=" + join, false, []int{401, 401, 401, 200}},
	}
	for _, rt := range routes {
		for i, tk := range tokens {
			t.Run(rt.path+"?"+rt.query[:min(len(rt.query), 12)]+" "+tk.name, func(t *testing.T) {
				q := rt.query
				if tk.token != "" {
					q += "&access_token=" + tk.token
				}
				var status int
				var body string
				if rt.websocket {
					status, body = dialSignal(t, e, rt.path+"?"+q, nil, r.LectureID)
				} else {
					got := e.client().do("GET", rt.path+"?"+q, nil)
					status, body = got.status, string(got.body)
				}
				if status != rt.want[i] {
					t.Fatalf("status %d, want %d; body %q", status, rt.want[i], body)
				}
				if status == http.StatusOK && body != "success" {
					t.Fatalf("validate said %q, want LiveKit's success", body)
				}
			})
		}
	}

	// Never forwarded: LiveKit's own API, its other paths, and other methods. With the
	// admin token below LiveKit itself answers ListRooms with the room; we must not.
	admin := adminToken(t, e)
	direct := postTwirp(t, strings.Replace(e.lkConfig.URL, "ws://", "http://", 1), admin)
	if direct.status != http.StatusOK || !strings.Contains(string(direct.body), r.ID) {
		t.Fatalf("LiveKit itself: ListRooms = %d %s", direct.status, direct.body)
	}
	if got := postTwirp(t, e.srv.URL, admin); got.status == http.StatusOK || strings.Contains(string(got.body), r.ID) {
		t.Fatalf("/twirp was forwarded: %d %s", got.status, got.body)
	}
	page := e.client().do("GET", "/some/page", nil) // the web app's answer to an unknown page
	for _, path := range []string{"/twirp/livekit.RoomService/ListRooms", "/rtc/", "/rtc/v2", "/rtc/validate/x", "/rtcx", "/agent", "/whip/v1", "/rtc/../twirp/livekit.RoomService/ListRooms"} {
		got := e.client().do("GET", path+"?access_token="+tok.Token, nil, "Authorization", "Bearer "+admin)
		switch {
		case got.status/100 == 3:
			// ServeMux cleans the path first; the clean path is one of those checked here.
			if loc := got.header.Get("Location"); loc != "/twirp/livekit.RoomService/ListRooms?access_token="+tok.Token {
				t.Errorf("GET %s: redirected to %q", path, loc)
			}
		case got.status != page.status || string(got.body) != string(page.body):
			t.Errorf("GET %s: %d %q, want the web app's page", path, got.status, got.body)
		}
	}
	for _, method := range []string{"POST", "PUT", "DELETE"} {
		if got := e.client().do(method, "/rtc/validate?access_token="+tok.Token, nil); got.status != http.StatusMethodNotAllowed {
			t.Errorf("%s /rtc/validate: %d %q, want 405", method, got.status, got.body)
		}
	}
}

// The instance routes are public in every mode; /ca.crt exists in LAN mode only, as DER of the
// type phones offer to install, and /api/instance names it with its fingerprint there.
func TestInstanceRoutesMatrix(t *testing.T) {
	for _, mode := range []string{"off", "lan"} {
		t.Run(mode, func(t *testing.T) {
			vars := map[string]string{"TLS": mode}
			if mode == "lan" {
				vars["PUBLIC_URL"] = "https://192.168.1.20:3000"
			}
			e := newEnv(t, sqlstore.SQLite, vars)
			admin := e.client()
			admin.register("admin@school.ru", "Admin")
			host := e.client()
			host.register("host@school.ru", "Host")
			for name, c := range map[string]*client{"anonymous": e.client(), "host": host, "admin": admin} {
				got := c.do("GET", "/api/instance", nil)
				want(t, got, http.StatusOK)
				var info struct{ PublicURL, TLS, CAURL, CAFingerprint string }
				got.json(t, &info)
				ca := c.do("GET", "/ca.crt", nil)
				if mode == "off" {
					if info.TLS != "off" || info.PublicURL != "http://localhost:3000" || info.CAURL != "" || info.CAFingerprint != "" {
						t.Errorf("%s: instance = %+v", name, info)
					}
					want(t, ca, http.StatusNotFound)
					continue
				}
				if info.TLS != "lan" || info.PublicURL != "https://192.168.1.20:3000" || info.CAURL != "/ca.crt" || len(info.CAFingerprint) != 95 {
					t.Errorf("%s: instance = %+v", name, info)
				}
				want(t, ca, http.StatusOK)
				cert, err := x509.ParseCertificate(ca.body)
				if err != nil || !cert.IsCA || ca.header.Get("Content-Type") != "application/x-x509-ca-cert" {
					t.Errorf("%s: /ca.crt is %q, %v", name, ca.header.Get("Content-Type"), err)
				}
				if sum := sha256.Sum256(ca.body); !strings.HasPrefix(info.CAFingerprint, strings.ToUpper(hex.EncodeToString(sum[:1]))+":") {
					t.Errorf("%s: fingerprint %s is not the served CA's", name, info.CAFingerprint)
				}
				want(t, c.do("POST", "/api/instance", nil), http.StatusMethodNotAllowed)
			}
		})
	}
}
