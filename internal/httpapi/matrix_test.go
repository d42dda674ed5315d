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
