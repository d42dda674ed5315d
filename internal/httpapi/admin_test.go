package httpapi_test

import (
	"net/http"
	"testing"

	"github.com/liveserver/liveserver/internal/sqlstore"
	"github.com/liveserver/liveserver/internal/sqlstore/sqlstoretest"
)

func TestAdmin(t *testing.T) {
	sqlstoretest.Each(t, func(t *testing.T, d sqlstore.Dialect) {
		e := newEnv(t, d, nil)
		admin := e.client()
		me := admin.register("admin@school.ru", "Admin")
		host := e.client()
		h := host.register("host@school.ru", "Анна")
		r := host.createRoom(map[string]any{"name": "Чужая комната", "lobbyEnabled": false})
		g, a := guestIn(t, e, host, r.ID, "Гость", "fp-admin-0001")
		_ = g
		want(t, host.do("POST", "/api/rooms/"+r.ID+"/moderate", map[string]any{"action": "kick", "identity": a.Identity}), http.StatusOK)
		want(t, host.do("POST", "/api/rooms/"+r.ID+"/moderate", map[string]any{"action": "lock"}), http.StatusOK)

		// Every admin route refuses everyone but admins.
		for _, rt := range []struct{ method, path string }{{"GET", "/api/admin/rooms"}, {"GET", "/api/admin/users"},
			{"PATCH", "/api/admin/users/" + h.ID}, {"GET", "/api/admin/moderation-log"}, {"GET", "/api/admin/health"},
			{"GET", "/api/admin/storage"}} {
			var body any
			if rt.method == "PATCH" {
				body = map[string]any{"disabled": true}
			}
			want(t, e.client().do(rt.method, rt.path, body), http.StatusUnauthorized)
			want(t, host.do(rt.method, rt.path, body), http.StatusForbidden)
		}

		var rooms []struct {
			ID, Name, OwnerEmail string
			ParticipantsNow      int
			ParticipantsTotal    int
		}
		admin.do("GET", "/api/admin/rooms", nil).json(t, &rooms)
		if len(rooms) != 1 || rooms[0].ID != r.ID || rooms[0].OwnerEmail != "host@school.ru" {
			t.Fatalf("rooms = %+v", rooms)
		}
		var log []struct{ Action, RoomID, TargetIdentity, ActorName string }
		admin.do("GET", "/api/admin/moderation-log?action=kick", nil).json(t, &log)
		if len(log) != 1 || log[0].TargetIdentity != a.Identity || log[0].ActorName != "Анна" {
			t.Fatalf("log = %+v", log)
		}
		admin.do("GET", "/api/admin/moderation-log?roomId="+r.ID, nil).json(t, &log)
		if len(log) != 2 || log[0].Action != "lock" {
			t.Fatalf("room log = %+v", log)
		}
		want(t, admin.do("GET", "/api/admin/moderation-log?limit=9999", nil), http.StatusBadRequest)
		want(t, admin.do("GET", "/api/admin/moderation-log?before=not-an-id", nil), http.StatusBadRequest)

		var health map[string]struct{ Status string }
		admin.do("GET", "/api/admin/health", nil).json(t, &health)
		if health["database"].Status != "ok" || health["agent"].Status == "" {
			t.Fatalf("health = %+v", health)
		}

		// Disabling a host ends their sessions at once; enabling lets them log in again.
		want(t, host.do("GET", "/api/auth/me", nil), http.StatusOK)
		want(t, admin.do("PATCH", "/api/admin/users/"+h.ID, map[string]any{"disabled": true}), http.StatusOK)
		want(t, host.do("GET", "/api/auth/me", nil), http.StatusUnauthorized)
		want(t, host.do("POST", "/api/auth/login", map[string]string{"email": "host@school.ru", "password": "correct horse"}), http.StatusForbidden, "account_disabled")
		want(t, admin.do("PATCH", "/api/admin/users/"+h.ID, map[string]any{"disabled": false, "role": "ADMIN"}), http.StatusOK)
		want(t, host.do("POST", "/api/auth/login", map[string]string{"email": "host@school.ru", "password": "correct horse"}), http.StatusOK)

		// The instance keeps an admin: nobody removes their own rights; the last one stays.
		want(t, admin.do("PATCH", "/api/admin/users/"+me.ID, map[string]any{"disabled": true}), http.StatusConflict, "own_admin_rights")
		want(t, host.do("PATCH", "/api/admin/users/"+me.ID, map[string]any{"role": "HOST"}), http.StatusOK)
		want(t, admin.do("PATCH", "/api/admin/users/"+h.ID, map[string]any{"role": "HOST"}), http.StatusForbidden) // no longer admin
		want(t, host.do("PATCH", "/api/admin/users/"+h.ID, map[string]any{"role": "HOST"}), http.StatusConflict, "own_admin_rights")
		want(t, host.do("PATCH", "/api/admin/users/"+me.ID, map[string]any{"role": "OWNER"}), http.StatusBadRequest)
		want(t, host.do("PATCH", "/api/admin/users/00000000-0000-4000-8000-000000000000", map[string]any{"disabled": true}), http.StatusNotFound)
	})
}
