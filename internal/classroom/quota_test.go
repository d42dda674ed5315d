package classroom_test

import (
	"bytes"
	"errors"
	"io"
	"io/fs"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/liveserver/liveserver/internal/classroom"
	"github.com/liveserver/liveserver/internal/disk"
	"github.com/liveserver/liveserver/internal/domain"
	"github.com/liveserver/liveserver/internal/memory"
	"github.com/liveserver/liveserver/internal/sqlstore"
	"github.com/liveserver/liveserver/internal/sqlstore/sqlstoretest"
)

// Storage quotas and the disk's free-space guard, on a real database (each dialect) and a real
// blob folder.

const kib = 1 << 10

type quotaWorld struct {
	t     *testing.T
	svc   *classroom.Service
	blobs *disk.Blobs
	admin domain.Actor
}

func newQuotaWorld(t *testing.T, d sqlstore.Dialect, q classroom.Quotas) *quotaWorld {
	t.Helper()
	db := sqlstoretest.Open(t, d)
	bus := memory.NewBus()
	t.Cleanup(func() { bus.Close() })
	blobs, err := disk.New(filepath.Join(t.TempDir(), "files"))
	if err != nil {
		t.Fatal(err)
	}
	svc, err := classroom.New(classroom.Deps{Store: db, Limiter: memory.NewLimiter(time.Now), Bus: bus, Blobs: blobs, Log: slog.New(slog.DiscardHandler)},
		classroom.Options{Registration: classroom.RegistrationOpen, Hash: classroom.FastHashParams, Quotas: q})
	if err != nil {
		t.Fatal(err)
	}
	w := &quotaWorld{t: t, svc: svc, blobs: blobs}
	w.admin = w.host("admin@school.ru") // the first account is the admin
	return w
}

func (w *quotaWorld) host(email string) domain.Actor {
	w.t.Helper()
	in, err := w.svc.Register(w.t.Context(), domain.Actor{IP: "10.0.0.1"}, classroom.RegisterInput{Email: email, Password: "correct horse", Name: "N " + email})
	if err != nil {
		w.t.Fatal(err)
	}
	return domain.Actor{User: in.User, IP: "10.0.0.1"}
}

func (w *quotaWorld) room(host domain.Actor) *domain.Room {
	w.t.Helper()
	r, err := w.svc.CreateRoom(w.t.Context(), host, classroom.RoomPatch{Name: ptr("Комната")})
	if err != nil {
		w.t.Fatal(err)
	}
	return r
}

// countingReader counts what the rules took of an upload.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// text is size bytes that sniff as plain text.
func text(size int) []byte { return bytes.Repeat([]byte("a"), size) }

// upload shares size bytes in the room and says how many of them the rules read.
func (w *quotaWorld) upload(host domain.Actor, r *domain.Room, size int) (int64, error) {
	w.t.Helper()
	c := &countingReader{r: bytes.NewReader(text(size))}
	_, err := w.svc.UploadFile(w.t.Context(), host, r.ID, "notes.txt", c)
	return c.n, err
}

// blobs are the files in the blob folder: what stays on disk.
func (w *quotaWorld) blobCount() int {
	n := 0
	filepath.WalkDir(w.blobs.Root(), func(_ string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			n++
		}
		return nil
	})
	return n
}

// overQuota checks that err is the quota error naming quota with used bytes of limit.
func overQuota(t *testing.T, err error, quota string, used, limit int64) {
	t.Helper()
	var de *domain.Error
	if !errors.As(err, &de) || de.Code != domain.EQuotaExceeded {
		t.Fatalf("err = %v, want %s", err, domain.EQuotaExceeded)
	}
	d, ok := de.Details.(domain.QuotaDetails)
	if !ok || d != (domain.QuotaDetails{Quota: quota, UsedBytes: used, LimitBytes: limit}) {
		t.Fatalf("details = %#v, want the %s quota with %d of %d used", de.Details, quota, used, limit)
	}
	if !strings.Contains(de.Message, map[string]string{"room": "room's", "host": "host's", "instance": "server's"}[quota]) ||
		!strings.Contains(de.Message, " used") {
		t.Fatalf("message %q does not say which quota and how much is used", de.Message)
	}
}

func TestRoomQuota(t *testing.T) {
	sqlstoretest.Each(t, func(t *testing.T, d sqlstore.Dialect) {
		w := newQuotaWorld(t, d, classroom.Quotas{Room: 100 * kib})
		h := w.host("host@school.ru")
		r, other := w.room(h), w.room(h)
		if _, err := w.upload(h, r, 60*kib); err != nil {
			t.Fatal(err)
		}
		// Too big for what is left: stopped while streaming, at the quota, and removed.
		n, err := w.upload(h, r, 60*kib)
		overQuota(t, err, "room", 60*kib, 100*kib)
		if n > 41*kib+32*kib {
			t.Fatalf("read %d bytes of an upload with 40 KiB left", n)
		}
		if w.blobCount() != 1 {
			t.Fatalf("%d blobs; the stopped upload's must be gone", w.blobCount())
		}
		// Exactly what is left fits; then the room is full and refused before a byte is stored.
		if _, err := w.upload(h, r, 40*kib); err != nil {
			t.Fatal(err)
		}
		n, err = w.upload(h, r, 1)
		overQuota(t, err, "room", 100*kib, 100*kib)
		if n > 512 {
			t.Fatalf("a full room read %d bytes beyond the first look at the file", n)
		}
		// Another room of the same host has its own quota; deleting makes room again.
		if _, err := w.upload(h, other, 60*kib); err != nil {
			t.Fatal(err)
		}
		files, _ := w.svc.Files(t.Context(), h, r.ID)
		if err := w.svc.DeleteFile(t.Context(), h, r.ID, files[0].ID); err != nil {
			t.Fatal(err)
		}
		if _, err := w.upload(h, r, 50*kib); err != nil {
			t.Fatalf("after a delete: %v", err)
		}
	})
}

func TestHostQuota(t *testing.T) {
	sqlstoretest.Each(t, func(t *testing.T, d sqlstore.Dialect) {
		w := newQuotaWorld(t, d, classroom.Quotas{Room: 1 << 20, Host: 100 * kib})
		h, other := w.host("host@school.ru"), w.host("other@school.ru")
		a, b := w.room(h), w.room(h)
		if _, err := w.upload(h, a, 70*kib); err != nil {
			t.Fatal(err)
		}
		// The second room is empty, but the host's rooms together are over.
		_, err := w.upload(h, b, 40*kib)
		overQuota(t, err, "host", 70*kib, 100*kib)
		if _, err := w.upload(h, b, 30*kib); err != nil {
			t.Fatal(err)
		}
		_, err = w.upload(h, b, 1)
		overQuota(t, err, "host", 100*kib, 100*kib)
		// Another host is not held up.
		if _, err := w.upload(other, w.room(other), 90*kib); err != nil {
			t.Fatal(err)
		}
		if w.blobCount() != 3 {
			t.Fatalf("%d blobs, want 3", w.blobCount())
		}
	})
}

func TestInstanceQuota(t *testing.T) {
	sqlstoretest.Each(t, func(t *testing.T, d sqlstore.Dialect) {
		w := newQuotaWorld(t, d, classroom.Quotas{Instance: 100 * kib})
		h, other := w.host("host@school.ru"), w.host("other@school.ru")
		if _, err := w.upload(h, w.room(h), 80*kib); err != nil {
			t.Fatal(err)
		}
		_, err := w.upload(other, w.room(other), 30*kib)
		overQuota(t, err, "instance", 80*kib, 100*kib)
		if w.blobCount() != 1 {
			t.Fatalf("%d blobs, want 1", w.blobCount())
		}

		rep, err := w.svc.Storage(t.Context(), w.admin)
		if err != nil {
			t.Fatal(err)
		}
		if rep.Used != 80*kib || rep.Quotas.Instance != 100*kib || len(rep.TopHosts) != 1 ||
			rep.TopHosts[0].Email != "host@school.ru" || rep.TopHosts[0].Bytes != 80*kib || rep.Disk == nil || rep.Disk.Free <= 0 {
			t.Fatalf("storage report = %+v", rep)
		}
		rooms, err := w.svc.AdminRooms(t.Context(), w.admin)
		if err != nil {
			t.Fatal(err)
		}
		var stored int64
		for _, r := range rooms {
			stored += r.StoredBytes
		}
		if stored != 80*kib {
			t.Fatalf("rooms hold %d bytes, want %d", stored, 80*kib)
		}
		if _, err := w.svc.Storage(t.Context(), h); domain.ErrorCode(err) != domain.EForbidden {
			t.Fatalf("a host asked for the storage report: %v", err)
		}
	})
}

// gate holds every upload that reaches it until n have: each has passed the first quota check
// by then (it reads the first 512 bytes before that check, the rest after).
type gate struct {
	once    sync.Once
	arrived *sync.WaitGroup
	r       io.Reader
	read    int
}

func (g *gate) Read(p []byte) (int, error) {
	if g.read >= 512 {
		g.once.Do(func() {
			g.arrived.Done()
			g.arrived.Wait()
		})
	}
	n, err := g.r.Read(p[:min(len(p), max(512-g.read, 4*kib))])
	g.read += n
	return n, err
}

// Two uploads that both fit what was free when they started, but not together: exactly one
// is kept, the other is refused and its blob removed; the quota is never crossed.
func TestQuotaHoldsForRacingUploads(t *testing.T) {
	sqlstoretest.Each(t, func(t *testing.T, d sqlstore.Dialect) {
		w := newQuotaWorld(t, d, classroom.Quotas{Room: 100 * kib})
		h := w.host("host@school.ru")
		r := w.room(h)
		for round := range 3 {
			var wg, arrived sync.WaitGroup
			arrived.Add(2)
			errs := make([]error, 2)
			for i := range 2 {
				g := &gate{r: bytes.NewReader(text(60 * kib)), arrived: &arrived}
				wg.Go(func() {
					_, errs[i] = w.svc.UploadFile(t.Context(), h, r.ID, "race.txt", g)
				})
			}
			wg.Wait()
			ok := 0
			for _, err := range errs {
				if err == nil {
					ok++
				} else if domain.ErrorCode(err) != domain.EQuotaExceeded {
					t.Fatalf("round %d: %v", round, err)
				}
			}
			files, _ := w.svc.Files(t.Context(), h, r.ID)
			var sum int64
			for _, f := range files {
				sum += f.Size
			}
			if ok != 1 || len(files) != 1 || sum > 100*kib || w.blobCount() != 1 {
				t.Fatalf("round %d: %d kept, %d files of %d bytes, %d blobs; want exactly one", round, ok, len(files), sum, w.blobCount())
			}
			if err := w.svc.DeleteFile(t.Context(), h, r.ID, files[0].ID); err != nil {
				t.Fatal(err)
			}
		}
	})
}

func freeSpace(t *testing.T, dir string) int64 {
	t.Helper()
	var st syscall.Statfs_t
	if err := syscall.Statfs(dir, &st); err != nil {
		t.Fatal(err)
	}
	return int64(st.Bavail) * int64(st.Bsize)
}

// Below the disk's free-space margin uploads are refused with ENoSpace, and leave nothing.
func TestUploadRefusedBelowTheFreeSpaceMargin(t *testing.T) {
	sqlstoretest.Each(t, func(t *testing.T, d sqlstore.Dialect) {
		w := newQuotaWorld(t, d, classroom.Quotas{})
		h := w.host("host@school.ru")
		r := w.room(h)
		w.blobs.WithFreeMargin(freeSpace(t, w.blobs.Root()) + 1<<30)
		_, err := w.upload(h, r, 10*kib)
		if domain.ErrorCode(err) != domain.ENoSpace {
			t.Fatalf("err = %v, want %s", err, domain.ENoSpace)
		}
		// One that starts above the margin and would cross it stops on the way.
		w.blobs.WithFreeMargin(freeSpace(t, w.blobs.Root()) - 4<<20)
		n, err := w.upload(h, r, 24<<20)
		if domain.ErrorCode(err) != domain.ENoSpace || n >= 24<<20 {
			t.Fatalf("err = %v after %d bytes, want %s on the way", err, n, domain.ENoSpace)
		}
		files, _ := w.svc.Files(t.Context(), h, r.ID)
		if len(files) != 0 || w.blobCount() != 0 {
			t.Fatalf("%d files, %d blobs left", len(files), w.blobCount())
		}
		w.blobs.WithFreeMargin(freeSpace(t, w.blobs.Root()) - 1<<30)
		if _, err := w.upload(h, r, 10*kib); err != nil {
			t.Fatal(err)
		}
	})
}
