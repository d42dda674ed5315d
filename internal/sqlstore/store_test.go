package sqlstore_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/liveserver/liveserver/internal/domain"
	"github.com/liveserver/liveserver/internal/sqlstore"
	"github.com/liveserver/liveserver/internal/sqlstore/sqlstoretest"
)

var t0 = time.Date(2026, 11, 25, 10, 0, 0, 123456000, time.UTC)

func newUser(email string) domain.User {
	return domain.User{ID: uuid.NewString(), Email: email, Name: "Anna", Role: domain.RoleHost,
		PasswordHash: "hash", CreatedAt: t0, UpdatedAt: t0}
}

func newRoom(owner, code string) domain.Room {
	return domain.Room{ID: uuid.NewString(), LectureID: uuid.NewString(), Code: code, OwnerID: owner, Name: "Physics", LobbyEnabled: true,
		ChatEnabled: true, FilesEnabled: true, MaxParticipants: 50, Status: domain.RoomCreated, CreatedAt: t0, UpdatedAt: t0}
}

func code(err error) string { return domain.ErrorCode(err) }

func TestUsers(t *testing.T) {
	sqlstoretest.EachStore(t, func(t *testing.T, d sqlstore.Dialect) {
		ctx := context.Background()
		db := sqlstoretest.Open(t, d)

		first, err := db.CreateUser(ctx, newUser("First@Example.com"), true)
		if err != nil {
			t.Fatal(err)
		}
		if first.Role != domain.RoleAdmin || first.Email != "first@example.com" {
			t.Fatalf("first user = %+v, want ADMIN with lower-cased e-mail", first)
		}
		second, err := db.CreateUser(ctx, newUser("second@example.com"), true)
		if err != nil {
			t.Fatal(err)
		}
		if second.Role != domain.RoleHost {
			t.Fatalf("second user role = %s, want HOST", second.Role)
		}
		if _, err := db.CreateUser(ctx, newUser("SECOND@example.com"), false); code(err) != domain.EEmailTaken {
			t.Fatalf("duplicate e-mail: err = %v, want %s", err, domain.EEmailTaken)
		}

		got, err := db.UserByEmail(ctx, "FIRST@example.COM")
		if err != nil {
			t.Fatal(err)
		}
		if got.ID != first.ID || !got.CreatedAt.Equal(t0) || got.Disabled {
			t.Fatalf("UserByEmail = %+v, want %+v", got, first)
		}
		got.Disabled, got.Name, got.UpdatedAt = true, "Анна", t0.Add(time.Hour)
		if err := db.UpdateUser(ctx, got); err != nil {
			t.Fatal(err)
		}
		again, err := db.UserByID(ctx, first.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !again.Disabled || again.Name != "Анна" || !again.UpdatedAt.Equal(t0.Add(time.Hour)) {
			t.Fatalf("after update = %+v", again)
		}
		if _, err := db.UserByID(ctx, "nope"); code(err) != domain.ENotFound {
			t.Fatalf("missing user: err = %v", err)
		}
		if err := db.UpdateUser(ctx, &domain.User{ID: "nope"}); code(err) != domain.ENotFound {
			t.Fatalf("update missing user: err = %v", err)
		}
	})
}

// Of many concurrent first registrations, exactly one becomes ADMIN.
func TestFirstUserRace(t *testing.T) {
	sqlstoretest.EachStore(t, func(t *testing.T, d sqlstore.Dialect) {
		db := sqlstoretest.Open(t, d)
		const n = 8
		roles := make(chan domain.Role, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				u, err := db.CreateUser(context.Background(), newUser(uuid.NewString()+"@x.org"), true)
				if err != nil {
					t.Error(i, err)
					return
				}
				roles <- u.Role
			}()
		}
		wg.Wait()
		close(roles)
		admins := 0
		for r := range roles {
			if r == domain.RoleAdmin {
				admins++
			}
		}
		if admins != 1 {
			t.Fatalf("%d admins among %d concurrent first users, want 1", admins, n)
		}
	})
}

func TestSessions(t *testing.T) {
	sqlstoretest.EachStore(t, func(t *testing.T, d sqlstore.Dialect) {
		ctx := context.Background()
		db := sqlstoretest.Open(t, d)
		u, err := db.CreateUser(ctx, newUser("a@x.org"), false)
		if err != nil {
			t.Fatal(err)
		}
		s := domain.Session{TokenHash: "h1", UserID: u.ID, CreatedAt: t0, ExpiresAt: t0.Add(time.Hour), LastSeenAt: t0}
		if err := db.CreateSession(ctx, s); err != nil {
			t.Fatal(err)
		}
		if err := db.CreateSession(ctx, domain.Session{TokenHash: "h2", UserID: u.ID, CreatedAt: t0, ExpiresAt: t0.Add(time.Minute), LastSeenAt: t0}); err != nil {
			t.Fatal(err)
		}
		gs, gu, err := db.SessionUser(ctx, "h1", t0.Add(time.Minute))
		if err != nil {
			t.Fatal(err)
		}
		if gs.UserID != u.ID || gu.Email != "a@x.org" || !gs.ExpiresAt.Equal(t0.Add(time.Hour)) {
			t.Fatalf("SessionUser = %+v %+v", gs, gu)
		}
		// Expiry is exclusive: at the exact expiry instant the session is gone.
		if _, _, err := db.SessionUser(ctx, "h1", t0.Add(time.Hour)); code(err) != domain.ENotFound {
			t.Fatalf("expired session: err = %v", err)
		}
		if err := db.TouchSession(ctx, "h1", t0.Add(time.Minute), t0.Add(2*time.Hour)); err != nil {
			t.Fatal(err)
		}
		if _, _, err := db.SessionUser(ctx, "h1", t0.Add(90*time.Minute)); err != nil {
			t.Fatalf("touched session should live on: %v", err)
		}
		n, err := db.DeleteExpiredSessions(ctx, t0.Add(30*time.Minute))
		if err != nil || n != 1 {
			t.Fatalf("DeleteExpiredSessions = %d, %v; want 1", n, err)
		}
		if err := db.DeleteUserSessions(ctx, u.ID); err != nil {
			t.Fatal(err)
		}
		if _, _, err := db.SessionUser(ctx, "h1", t0); code(err) != domain.ENotFound {
			t.Fatalf("after DeleteUserSessions: err = %v", err)
		}
	})
}

func TestRooms(t *testing.T) {
	sqlstoretest.EachStore(t, func(t *testing.T, d sqlstore.Dialect) {
		ctx := context.Background()
		db := sqlstoretest.Open(t, d)
		u, _ := db.CreateUser(ctx, newUser("a@x.org"), false)
		other, _ := db.CreateUser(ctx, newUser("b@x.org"), false)

		r1 := newRoom(u.ID, "abc-defg-hjk")
		r2 := newRoom(u.ID, "abc-defg-hjm")
		r2.CreatedAt = t0.Add(time.Minute)
		for _, r := range []domain.Room{r1, r2, newRoom(other.ID, "zzz-zzzz-zzz")} {
			if err := db.CreateRoom(ctx, r); err != nil {
				t.Fatal(err)
			}
		}
		dup := newRoom(u.ID, r1.Code)
		if err := db.CreateRoom(ctx, dup); code(err) != domain.EConflict {
			t.Fatalf("duplicate code: err = %v, want conflict", err)
		}
		mine, err := db.RoomsByOwner(ctx, u.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(mine) != 2 || mine[0].ID != r2.ID || mine[1].ID != r1.ID {
			t.Fatalf("RoomsByOwner = %v, want r2, r1", mine)
		}
		got, err := db.RoomByCode(ctx, r1.Code)
		if err != nil {
			t.Fatal(err)
		}
		if got.ID != r1.ID || !got.LobbyEnabled || got.Locked || got.MaxParticipants != 50 || got.StartedAt != nil || got.Status != domain.RoomCreated {
			t.Fatalf("RoomByCode = %+v", got)
		}
		got.Name, got.PINHash, got.Locked, got.ChatEnabled, got.MaxParticipants = "Химия", "pinhash", true, false, 7
		if err := db.UpdateRoom(ctx, got); err != nil {
			t.Fatal(err)
		}
		again, _ := db.Room(ctx, r1.ID)
		if again.Name != "Химия" || !again.HasPIN() || !again.Locked || again.ChatEnabled || again.MaxParticipants != 7 {
			t.Fatalf("after update = %+v", again)
		}
		if err := db.DeleteRoom(ctx, r1.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Room(ctx, r1.ID); code(err) != domain.ENotFound {
			t.Fatalf("deleted room: err = %v", err)
		}
		if err := db.DeleteRoom(ctx, r1.ID); code(err) != domain.ENotFound {
			t.Fatalf("delete twice: err = %v", err)
		}
		if _, err := db.RoomByCode(ctx, "nope"); !errors.As(err, new(*domain.Error)) {
			t.Fatalf("missing code: err = %v", err)
		}
	})
}
