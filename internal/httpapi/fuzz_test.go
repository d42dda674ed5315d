package httpapi_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"testing"

	"github.com/liveserver/liveserver/internal/sqlstore"
)

// FuzzJSONBodies sends any body to every route that reads JSON, as a signed-in host (the
// instance's admin) would: the answer is never a 5xx, and every refusal is the JSON error shape
// with a code and a message.
func FuzzJSONBodies(f *testing.F) {
	e := newEnv(f, sqlstore.SQLite, nil)
	host := e.client()
	u := host.register("fuzz@school.ru", "Fuzz")
	r := host.createRoom(map[string]any{"name": "Fuzz"})
	guest := e.client()
	routes := []struct {
		c            *client
		method, path string
	}{
		{e.client(), "POST", "/api/auth/register"},
		{e.client(), "POST", "/api/auth/login"},
		{host, "POST", "/api/rooms"},
		{host, "PATCH", "/api/rooms/" + r.ID},
		{guest, "POST", "/api/rooms/" + r.ID + "/join"},
		{host, "POST", "/api/rooms/" + r.ID + "/lobby"},
		{host, "POST", "/api/rooms/" + r.ID + "/moderate"},
		{guest, "POST", "/api/rooms/" + r.ID + "/hand-raise"},
		{host, "POST", "/api/rooms/" + r.ID + "/chat"},
		{host, "POST", "/api/livekit/token"},
		{host, "POST", "/api/lectures/" + r.LectureID + "/share"},
		{host, "PATCH", "/api/admin/users/" + u.ID},
	}
	for i := range routes {
		for _, body := range []string{`{}`, `{"name":"x","email":"a@b.ru","password":"correct horse"}`, `{"action":"lock"}`,
			`{"entryId":"nope","action":"approve"}`, `{"all":true,"action":"reject"}`, `{"raised":true}`, `{"text":"hi","clientId":"c1"}`,
			`{"roomId":"` + r.ID + `"}`, `{"enabled":true}`, `{"role":"HOST"}`, `{"name":"x","pin":"123456","fingerprint":"abcdefgh12"}`,
			`[]`, `null`, `{"name":1}`, `{"maxParticipants":-1}`, "\xff", `{"a":`} {
			f.Add(uint8(i), []byte(body))
		}
	}
	f.Fuzz(func(t *testing.T, route uint8, body []byte) {
		rt := routes[int(route)%len(routes)]
		req, err := http.NewRequest(rt.method, e.srv.URL+rt.path, bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/json")
		res, err := rt.c.http.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		out, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode >= 500 {
			t.Fatalf("%s %s with %q: %d %s", rt.method, rt.path, body, res.StatusCode, out)
		}
		if res.StatusCode >= 400 {
			var e struct {
				Error struct{ Code, Message string }
			}
			if json.Unmarshal(out, &e) != nil || e.Error.Code == "" || e.Error.Message == "" {
				t.Fatalf("%s %s with %q: %d and a body without the error shape: %s", rt.method, rt.path, body, res.StatusCode, out)
			}
		}
	})
}
