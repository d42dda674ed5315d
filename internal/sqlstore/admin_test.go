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

// The moderation log pages by (time, id): entries written in the same instant are neither
// skipped nor repeated across pages.
func TestModerationLogPages(t *testing.T) {
	sqlstoretest.Each(t, func(t *testing.T, d sqlstore.Dialect) {
		ctx := context.Background()
		db := sqlstoretest.Open(t, d)
		u, _ := db.CreateUser(ctx, newUser("a@x.org"), false)
		r := newRoom(u.ID, "abc-defg-hjk")
		if err := db.CreateRoom(ctx, r); err != nil {
			t.Fatal(err)
		}
		want := map[string]bool{}
		for i := range 7 {
			at := t0
			if i >= 5 {
				at = t0.Add(time.Duration(i) * time.Second)
			}
			id := uuid.NewString()
			want[id] = true
			if err := db.AppendModeration(ctx, domain.ModerationEntry{ID: id, RoomID: r.ID, ActorID: u.ID, ActorName: "Anna",
				Action: "kick", TargetIdentity: "g", TargetName: "G", CreatedAt: at}); err != nil {
				t.Fatal(err)
			}
		}
		seen := map[string]bool{}
		before := ""
		for page := 0; ; page++ {
			got, err := db.ModerationLog(ctx, domain.ModerationFilter{RoomID: r.ID, BeforeID: before, Limit: 2})
			if err != nil {
				t.Fatal(err)
			}
			if len(got) == 0 {
				break
			}
			for i, m := range got {
				if seen[m.ID] {
					t.Fatalf("page %d repeats %s", page, m.ID)
				}
				seen[m.ID] = true
				if i > 0 && m.CreatedAt.After(got[i-1].CreatedAt) {
					t.Fatalf("page %d is not newest first", page)
				}
			}
			before = got[len(got)-1].ID
		}
		if len(seen) != len(want) {
			t.Fatalf("paged through %d of %d entries", len(seen), len(want))
		}
		if got, err := db.ModerationLog(ctx, domain.ModerationFilter{BeforeID: uuid.NewString(), Limit: 5}); err != nil || len(got) != 0 {
			t.Fatalf("an unknown cursor gave %d entries, %v", len(got), err)
		}
	})
}
