package httpapi_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/liveserver/liveserver/internal/sqlstore"
	"github.com/liveserver/liveserver/internal/sqlstore/sqlstoretest"
)

// What a client sees of the storage quotas and the free-space guard: 507 with the JSON error,
// the quota named in it with its use; and the admin's view of the storage.
func TestStorageQuotasOverHTTP(t *testing.T) {
	sqlstoretest.Each(t, func(t *testing.T, d sqlstore.Dialect) {
		e := newEnv(t, d, map[string]string{"ROOM_QUOTA_MB": "1", "HOST_QUOTA_MB": "2"})
		admin := e.client()
		admin.register("admin@school.ru", "Admin")
		host := e.client()
		h := host.register("host@school.ru", "Анна")
		r := host.createRoom(map[string]any{"name": "Квоты", "lobbyEnabled": false, "filesEnabled": true})
		g, _ := guestIn(t, e, host, r.ID, "Гость", "fp-quota-0001")

		want(t, host.upload(r.ID, "a.txt", bytes.Repeat([]byte("a"), 700<<10)), http.StatusCreated)
		got := g.upload(r.ID, "b.txt", bytes.Repeat([]byte("b"), 400<<10))
		want(t, got, http.StatusInsufficientStorage, "quota_exceeded")
		var body struct {
			Error struct {
				Code, Message string
				Details       struct {
					Quota                 string
					UsedBytes, LimitBytes int64
				}
			}
		}
		if err := json.Unmarshal(got.body, &body); err != nil {
			t.Fatal(err)
		}
		if dt := body.Error.Details; dt.Quota != "room" || dt.UsedBytes != 700<<10 || dt.LimitBytes != 1<<20 ||
			!strings.Contains(body.Error.Message, "room's storage quota") || !strings.Contains(body.Error.Message, "0.7 MB of 1 MB used") {
			t.Fatalf("error = %+v", body.Error)
		}
		if n := e.blobCount(t); n != 1 {
			t.Fatalf("%d blobs, want 1", n)
		}
		// The host's second room: its own room quota, the host's together.
		r2 := host.createRoom(map[string]any{"name": "Вторая"})
		want(t, host.upload(r2.ID, "c.txt", bytes.Repeat([]byte("c"), 1<<20)), http.StatusCreated)
		want(t, host.upload(r2.ID, "d.txt", []byte("d")), http.StatusInsufficientStorage, "quota_exceeded")
		r3 := host.createRoom(map[string]any{"name": "Третья"})
		got = host.upload(r3.ID, "e.txt", bytes.Repeat([]byte("e"), 400<<10))
		want(t, got, http.StatusInsufficientStorage, "quota_exceeded")
		if !strings.Contains(string(got.body), `"quota":"host"`) {
			t.Fatalf("body %s, want the host quota", got.body)
		}

		// The admin's view: who may ask, and what it says.
		for _, c := range []struct {
			c      *client
			status int
		}{{e.client(), http.StatusUnauthorized}, {host, http.StatusForbidden}, {g, http.StatusUnauthorized}, {admin, http.StatusOK}} {
			want(t, c.c.do("GET", "/api/admin/storage", nil), c.status)
		}
		var st struct {
			UsedBytes int64
			Quotas    struct{ RoomBytes, HostBytes, InstanceBytes int64 }
			Disk      *struct{ FreeBytes, TotalBytes, MarginBytes int64 }
			Hosts     []struct {
				UserID, Email string
				Bytes         int64
			}
		}
		admin.do("GET", "/api/admin/storage", nil).json(t, &st)
		if st.UsedBytes != 700<<10+1<<20 || st.Quotas.RoomBytes != 1<<20 || st.Quotas.HostBytes != 2<<20 || st.Quotas.InstanceBytes != 0 ||
			st.Disk == nil || st.Disk.FreeBytes <= 0 || st.Disk.TotalBytes < st.Disk.FreeBytes ||
			len(st.Hosts) != 1 || st.Hosts[0].UserID != h.ID || st.Hosts[0].Bytes != st.UsedBytes {
			t.Fatalf("storage = %+v", st)
		}
		var rooms []struct {
			ID          string
			StoredBytes int64
		}
		admin.do("GET", "/api/admin/rooms", nil).json(t, &rooms)
		stored := map[string]int64{}
		for _, x := range rooms {
			stored[x.ID] = x.StoredBytes
		}
		if stored[r.ID] != 700<<10 || stored[r2.ID] != 1<<20 || stored[r3.ID] != 0 {
			t.Fatalf("stored per room = %v", stored)
		}
	})
}

func TestUploadBelowTheFreeSpaceMarginIs507(t *testing.T) {
	var st syscall.Statfs_t
	if err := syscall.Statfs(t.TempDir(), &st); err != nil {
		t.Fatal(err)
	}
	// A gigabyte above what is free now on the file system of the tests' folders.
	margin := int64(st.Bavail)*int64(st.Bsize)>>20 + 1024
	e := newEnv(t, sqlstore.SQLite, map[string]string{"DISK_FREE_MARGIN_MB": strconv.FormatInt(margin, 10)})
	host := e.client()
	host.register("host@school.ru", "Анна")
	r := host.createRoom(map[string]any{"name": "Полный диск"})
	got := host.upload(r.ID, "a.pdf", pdf)
	want(t, got, http.StatusInsufficientStorage, "insufficient_storage")
	if !strings.Contains(string(got.body), "short of disk space") || strings.Contains(string(got.body), e.blobs.Root()) {
		t.Fatalf("body %s", got.body)
	}
	if n := e.blobCount(t); n != 0 {
		t.Fatalf("%d blobs left", n)
	}
}
