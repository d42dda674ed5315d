package httpapi_test

import (
	"encoding/json"
	"net/http"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/liveserver/liveserver/internal/sqlstore"
	"github.com/liveserver/liveserver/internal/sqlstore/sqlstoretest"
)

var codePattern = regexp.MustCompile(`^[a-hjkmnp-z]{3}-[a-hjkmnp-z]{4}-[a-hjkmnp-z]{3}$`)

func TestRoomLifecycle(t *testing.T) {
	sqlstoretest.Each(t, func(t *testing.T, d sqlstore.Dialect) {
		e := newEnv(t, d, nil)
		e.client().register("admin@school.ru", "Admin") // the first account is the admin
		host := e.client()
		me := host.register("anna@school.ru", "Anna")

		plain := host.createRoom(map[string]any{"name": "Физика"})
		if !codePattern.MatchString(plain.Code) || plain.Status != "CREATED" || plain.OwnerID != me.ID {
			t.Fatalf("room = %+v", plain)
		}
		if !plain.LobbyEnabled || plain.HasPin || !plain.ChatEnabled || !plain.FilesEnabled || plain.MaxParticipants != 100 || plain.Locked {
			t.Fatalf("defaults = %+v; want lobby, chat, files on, no PIN, 100 places, unlocked", plain)
		}
		custom := host.createRoom(map[string]any{"name": "Chemistry", "lobbyEnabled": false, "pin": "004200",
			"chatEnabled": false, "filesEnabled": false, "maxParticipants": 30})
		if custom.LobbyEnabled || !custom.HasPin || custom.ChatEnabled || custom.FilesEnabled || custom.MaxParticipants != 30 {
			t.Fatalf("custom = %+v", custom)
		}
		if custom.Code == plain.Code {
			t.Fatal("two rooms share an invite code")
		}

		var list []room
		r := host.do("GET", "/api/rooms", nil)
		want(t, r, http.StatusOK)
		r.json(t, &list)
		if len(list) != 2 || list[0].ID != custom.ID || list[1].ID != plain.ID {
			t.Fatalf("list = %+v; want newest first", list)
		}
		// A host with no rooms gets an empty array, not null.
		r = e.client().do("GET", "/api/rooms", nil)
		want(t, r, http.StatusUnauthorized)
		other := e.client()
		other.register("boris@school.ru", "Boris")
		r = other.do("GET", "/api/rooms", nil)
		want(t, r, http.StatusOK)
		if strings.TrimSpace(string(r.body)) != "[]" {
			t.Fatalf("empty list = %s, want []", r.body)
		}

		var got room
		r = host.do("GET", "/api/rooms/"+plain.ID, nil)
		want(t, r, http.StatusOK)
		r.json(t, &got)
		if got != plain {
			t.Fatalf("get = %+v, want %+v", got, plain)
		}

		// PATCH changes only what it names; an empty PIN removes the PIN.
		r = host.do("PATCH", "/api/rooms/"+custom.ID, map[string]any{"name": "Химия", "pin": ""})
		want(t, r, http.StatusOK)
		r.json(t, &got)
		if got.Name != "Химия" || got.HasPin || got.MaxParticipants != 30 || got.ChatEnabled {
			t.Fatalf("after patch = %+v", got)
		}
		r = host.do("PATCH", "/api/rooms/"+custom.ID, map[string]any{"pin": "123456", "lobbyEnabled": true, "maxParticipants": 2})
		want(t, r, http.StatusOK)
		r.json(t, &got)
		if !got.HasPin || !got.LobbyEnabled || got.MaxParticipants != 2 || got.Name != "Химия" {
			t.Fatalf("after second patch = %+v", got)
		}

		// The public look-up shows what a guest needs and nothing more, and forgives typing.
		for _, typed := range []string{plain.Code, strings.ToUpper(plain.Code), strings.ReplaceAll(plain.Code, "-", ""),
			strings.ReplaceAll(plain.Code, "-", " ")} {
			r = e.client().do("GET", "/api/rooms/by-code/"+strings.ReplaceAll(typed, " ", "%20"), nil)
			want(t, r, http.StatusOK)
		}
		var public map[string]any
		r.json(t, &public)
		keys := make([]string, 0, len(public))
		for k := range public {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		if strings.Join(keys, ",") != "code,hasPin,id,lobbyEnabled,name,status" {
			t.Fatalf("public room has keys %v", keys)
		}
		if public["id"] != plain.ID || public["name"] != "Физика" || public["status"] != "CREATED" || public["hasPin"] != false {
			t.Fatalf("public room = %v", public)
		}
		for _, bad := range []string{"abc-defg-hjkk", "abc-defg-hj1", "aaa-aaaa-aaa", "abc.defg.hjk", strings.Repeat("a", 100)} {
			want(t, e.client().do("GET", "/api/rooms/by-code/"+bad, nil), http.StatusNotFound, "not_found")
		}

		want(t, host.do("DELETE", "/api/rooms/"+plain.ID, nil), http.StatusNoContent)
		want(t, host.do("GET", "/api/rooms/"+plain.ID, nil), http.StatusNotFound, "not_found")
		want(t, e.client().do("GET", "/api/rooms/by-code/"+plain.Code, nil), http.StatusNotFound)
		want(t, host.do("DELETE", "/api/rooms/"+plain.ID, nil), http.StatusNotFound)
	})
}

func TestRoomBadInput(t *testing.T) {
	e := newEnv(t, sqlstore.SQLite, nil)
	host := e.client()
	host.register("anna@school.ru", "Anna")
	existing := host.createRoom(map[string]any{"name": "Existing"})
	cases := []struct {
		name   string
		body   any
		status int
	}{
		{"malformed JSON", `{"name":`, 400},
		{"missing name", map[string]any{}, 400},
		{"blank name", map[string]any{"name": " \t "}, 400},
		{"long name", map[string]any{"name": strings.Repeat("x", 101)}, 400},
		{"name with newline", map[string]any{"name": "a\nb"}, 400},
		{"name is a number", `{"name": 7}`, 400},
		{"lobby is a string", `{"name": "A", "lobbyEnabled": "yes"}`, 400},
		{"pin is a number", `{"name": "A", "pin": 1234}`, 400},
		{"pin with letters", map[string]any{"name": "A", "pin": "12a4"}, 400},
		{"pin too short", map[string]any{"name": "A", "pin": "123"}, 400},
		{"four digits are no longer enough", map[string]any{"name": "A", "pin": "1234"}, 400},
		{"pin too long", map[string]any{"name": "A", "pin": "123456789"}, 400},
		{"max too small", map[string]any{"name": "A", "maxParticipants": 1}, 400},
		{"max too large", map[string]any{"name": "A", "maxParticipants": 1001}, 400},
		{"max not an integer", `{"name": "A", "maxParticipants": 2.5}`, 400},
		{"unknown field", map[string]any{"name": "A", "ownerId": "x"}, 400},
		{"form body", "name=A", 415},
	}
	for _, tc := range cases {
		t.Run("create/"+tc.name, func(t *testing.T) {
			var headers []string
			if tc.status == 415 {
				headers = []string{"Content-Type", "text/plain"}
			}
			r := host.do("POST", "/api/rooms", tc.body, headers...)
			want(t, r, tc.status)
			r.errorCode(t)
		})
		t.Run("patch/"+tc.name, func(t *testing.T) {
			if tc.name == "missing name" {
				return // PATCH may leave the name out
			}
			var headers []string
			if tc.status == 415 {
				headers = []string{"Content-Type", "text/plain"}
			}
			want(t, host.do("PATCH", "/api/rooms/"+existing.ID, tc.body, headers...), tc.status)
		})
	}
	var list []room
	host.do("GET", "/api/rooms", nil).json(t, &list)
	if len(list) != 1 {
		t.Fatalf("refused requests created rooms: %d rooms", len(list))
	}
	var after room
	host.do("GET", "/api/rooms/"+existing.ID, nil).json(t, &after)
	if after != existing {
		t.Fatalf("refused patches changed the room: %+v", after)
	}
	want(t, host.do("GET", "/api/rooms/not-a-uuid", nil), http.StatusNotFound)
	want(t, host.do("GET", "/api/rooms/00000000-0000-4000-8000-000000000000", nil), http.StatusNotFound)
}

// Every room route, for every kind of caller.
func TestRoomAuthorizationMatrix(t *testing.T) {
	sqlstoretest.Each(t, func(t *testing.T, d sqlstore.Dialect) {
		e := newEnv(t, d, nil)
		admin := e.client()
		if u := admin.register("admin@school.ru", "Admin"); u.Role != "ADMIN" {
			t.Fatal("first user is not admin")
		}
		owner, other := e.client(), e.client()
		owner.register("owner@school.ru", "Owner")
		other.register("other@school.ru", "Other")
		anon := e.client()
		callers := map[string]*client{"anonymous": anon, "owner": owner, "other host": other, "admin": admin}

		type route struct {
			name, method, path string
			body               any
			want               map[string]int
		}
		newRoom := func() room { return owner.createRoom(map[string]any{"name": "R"}) }
		routes := func(r room) []route {
			return []route{
				{"GET rooms", "GET", "/api/rooms", nil, map[string]int{"anonymous": 401, "owner": 200, "other host": 200, "admin": 200}},
				{"POST rooms", "POST", "/api/rooms", map[string]any{"name": "New"}, map[string]int{"anonymous": 401, "owner": 201, "other host": 201, "admin": 201}},
				{"GET rooms/{id}", "GET", "/api/rooms/" + r.ID, nil, map[string]int{"anonymous": 401, "owner": 200, "other host": 403, "admin": 200}},
				{"PATCH rooms/{id}", "PATCH", "/api/rooms/" + r.ID, map[string]any{"name": "Renamed"}, map[string]int{"anonymous": 401, "owner": 200, "other host": 403, "admin": 200}},
				{"GET rooms/by-code/{code}", "GET", "/api/rooms/by-code/" + r.Code, nil, map[string]int{"anonymous": 200, "owner": 200, "other host": 200, "admin": 200}},
				{"DELETE rooms/{id}", "DELETE", "/api/rooms/" + r.ID, nil, map[string]int{"anonymous": 401, "owner": 204, "other host": 403, "admin": 204}},
			}
		}
		for _, who := range []string{"anonymous", "owner", "other host", "admin"} {
			for _, rt := range routes(newRoom()) {
				t.Run(who+" "+rt.name, func(t *testing.T) {
					got := callers[who].do(rt.method, rt.path, rt.body)
					want(t, got, rt.want[who])
				})
			}
		}

		// A refused change leaves the room as it was.
		r := newRoom()
		other.do("PATCH", "/api/rooms/"+r.ID, map[string]any{"name": "Hijacked"})
		other.do("DELETE", "/api/rooms/"+r.ID, nil)
		var after room
		owner.do("GET", "/api/rooms/"+r.ID, nil).json(t, &after)
		if after.Name != "R" {
			t.Fatalf("another host changed the room: %+v", after)
		}
		// Other hosts' rooms never appear in my list.
		var list []room
		other.do("GET", "/api/rooms", nil).json(t, &list)
		for _, x := range list {
			if x.OwnerID != "" && x.ID == r.ID {
				t.Fatal("another host's room listed")
			}
		}
		b, _ := json.Marshal(list)
		if strings.Contains(string(b), r.ID) {
			t.Fatal("another host's room listed")
		}
	})
}

// One account cannot fill the database with rooms: 30 an hour, then 429 with Retry-After.
func TestRoomCreationIsLimitedPerHost(t *testing.T) {
	e := newEnv(t, sqlstore.SQLite, nil)
	host := e.client()
	host.register("many@school.ru", "Many")
	for range 30 {
		host.createRoom(map[string]any{"name": "Комната"})
	}
	r := host.do("POST", "/api/rooms", map[string]any{"name": "Ещё одна"})
	want(t, r, http.StatusTooManyRequests, "rate_limited")
	if r.header.Get("Retry-After") == "" {
		t.Fatal("no Retry-After")
	}
	// Another host is not held up.
	other := e.client()
	other.register("other@school.ru", "Other")
	other.createRoom(map[string]any{"name": "Своя"})
}

// Invite codes cannot be walked: 3,000 lookups a minute per address (a lecture hall behind one
// NAT opens the invite at once), known codes or not.
func TestRoomLookupIsLimitedPerAddress(t *testing.T) {
	e := newEnv(t, sqlstore.SQLite, nil)
	host := e.client()
	host.register("lookup@school.ru", "Lookup")
	r := host.createRoom(map[string]any{"name": "Комната"})
	guest := e.client()
	for i := range 3000 {
		code := r.Code
		if i%2 == 1 {
			code = "abc-defg-hij" // a guess: counted too
		}
		if res := guest.do("GET", "/api/rooms/by-code/"+code, nil); res.status == http.StatusTooManyRequests {
			t.Fatalf("lookup %d refused: %s", i+1, res.body)
		}
	}
	res := guest.do("GET", "/api/rooms/by-code/"+r.Code, nil)
	want(t, res, http.StatusTooManyRequests, "rate_limited")
	if res.header.Get("Retry-After") == "" {
		t.Fatal("no Retry-After")
	}
}
