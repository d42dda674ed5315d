package sqlstore_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/liveserver/liveserver/internal/domain"
	"github.com/liveserver/liveserver/internal/sqlstore"
	"github.com/liveserver/liveserver/internal/sqlstore/sqlstoretest"
)

func storedFile(r domain.Room, size int64) domain.SharedFile {
	return domain.SharedFile{ID: uuid.NewString(), RoomID: r.ID, LectureID: r.LectureID, UploaderIdentity: "u", UploaderName: "U",
		FileKey: "rooms/" + r.ID + "/" + uuid.NewString(), Name: "a.txt", Size: size, ContentType: "text/plain", SHA256: "x", CreatedAt: t0}
}

// The storage counts (room, owner, instance) and the lock that makes a count and the insert
// after it one step: a second LockStorage waits for the first transaction to end, and then
// sees its file. Through PgBouncer in transaction mode too.
func TestStorageCountsAndLock(t *testing.T) {
	sqlstoretest.EachStore(t, func(t *testing.T, d sqlstore.Dialect) {
		ctx := context.Background()
		db := sqlstoretest.Open(t, d)
		a, _ := db.CreateUser(ctx, newUser("a@x.org"), false)
		b, _ := db.CreateUser(ctx, newUser("b@x.org"), false)
		a1, a2, b1 := newRoom(a.ID, "abc-defg-hjk"), newRoom(a.ID, "abc-defg-hjm"), newRoom(b.ID, "abc-defg-hjn")
		for _, r := range []domain.Room{a1, a2, b1} {
			if err := db.CreateRoom(ctx, r); err != nil {
				t.Fatal(err)
			}
		}
		if u, err := db.StorageUse(ctx, a1.ID); err != nil || u != (domain.StorageUse{}) {
			t.Fatalf("empty use = %+v, %v", u, err)
		}
		for _, f := range []domain.SharedFile{storedFile(a1, 5_000_000_000), storedFile(a1, 7), storedFile(a2, 100), storedFile(b1, 1000)} {
			if err := db.CreateSharedFile(ctx, f); err != nil {
				t.Fatal(err)
			}
		}
		if u, err := db.StorageUse(ctx, a1.ID); err != nil || u != (domain.StorageUse{Room: 5_000_000_007, Host: 5_000_000_107, Instance: 5_000_001_107}) {
			t.Fatalf("use = %+v, %v", u, err)
		}
		owners, err := db.StorageByOwner(ctx, 1)
		if err != nil || len(owners) != 1 || owners[0] != (domain.OwnerStorage{UserID: a.ID, Bytes: 5_000_000_107}) {
			t.Fatalf("owners = %+v, %v", owners, err)
		}
		rooms, err := db.StorageByRoom(ctx)
		if err != nil || len(rooms) != 3 || rooms[a2.ID] != 100 || rooms[b1.ID] != 1000 {
			t.Fatalf("rooms = %+v, %v", rooms, err)
		}

		locked, release, done := make(chan struct{}), make(chan struct{}), make(chan domain.StorageUse, 1)
		// A failure below must not leave the first transaction open (the database closes after).
		t.Cleanup(func() {
			select {
			case <-release:
			default:
				close(release)
			}
		})
		go func() {
			db.InTx(ctx, func(st domain.Store) error {
				if err := st.LockStorage(ctx); err != nil {
					t.Error(err)
				}
				close(locked)
				<-release
				return st.CreateSharedFile(ctx, storedFile(b1, 1))
			})
		}()
		<-locked
		go func() {
			db.InTx(ctx, func(st domain.Store) error {
				if err := st.LockStorage(ctx); err != nil {
					t.Error(err)
				}
				u, err := st.StorageUse(ctx, b1.ID)
				if err != nil {
					t.Error(err)
				}
				done <- u
				return nil
			})
		}()
		select {
		case u := <-done:
			t.Fatalf("the second lock was taken while the first was held (read %+v)", u)
		case <-time.After(300 * time.Millisecond):
		}
		close(release)
		if u := <-done; u.Room != 1001 {
			t.Fatalf("after the first transaction, the room holds %d bytes, want 1001", u.Room)
		}
	})
}
