// Package blobtest is the test suite every domain.Blobs must pass: the disk store and the S3
// one run the same tests.
package blobtest

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/liveserver/liveserver/internal/domain"
)

// Run tests the store.
func Run(t *testing.T, b domain.Blobs) {
	ctx := context.Background()
	t.Run("put, get, delete", func(t *testing.T) {
		want := make([]byte, 3<<20+17) // more than one read buffer, not a round size
		rand.Read(want)
		if err := b.Put(ctx, "rooms/r1/a", bytes.NewReader(want), -1, "application/pdf"); err != nil {
			t.Fatal(err)
		}
		rc, info, err := b.Get(ctx, "rooms/r1/a")
		if err != nil {
			t.Fatal(err)
		}
		got, _ := io.ReadAll(rc)
		rc.Close()
		if !bytes.Equal(got, want) || info.Size != int64(len(want)) {
			t.Fatalf("got %d bytes (info %d), want %d", len(got), info.Size, len(want))
		}
		if err := b.Delete(ctx, "rooms/r1/a"); err != nil {
			t.Fatal(err)
		}
		if _, _, err := b.Get(ctx, "rooms/r1/a"); domain.ErrorCode(err) != domain.ENotFound {
			t.Fatalf("after delete: %v", err)
		}
		if err := b.Delete(ctx, "rooms/r1/a"); err != nil {
			t.Fatalf("deleting twice: %v", err)
		}
	})
	t.Run("a failing reader stores nothing", func(t *testing.T) {
		boom := errors.New("client went away")
		r := io.MultiReader(strings.NewReader(strings.Repeat("x", 1<<20)), errReader{boom})
		if err := b.Put(ctx, "rooms/r1/broken", r, -1, "text/plain"); !errors.Is(err, boom) {
			t.Fatalf("Put = %v, want the reader's error", err)
		}
		b.Delete(ctx, "rooms/r1/broken") // what callers do after a failed Put
		if _, _, err := b.Get(ctx, "rooms/r1/broken"); domain.ErrorCode(err) != domain.ENotFound {
			t.Fatalf("a failed upload left something: %v", err)
		}
	})
	t.Run("missing", func(t *testing.T) {
		if _, _, err := b.Get(ctx, "rooms/none/none"); domain.ErrorCode(err) != domain.ENotFound {
			t.Fatalf("Get of a missing blob = %v", err)
		}
	})
	t.Run("ping", func(t *testing.T) {
		if err := b.Ping(ctx); err != nil {
			t.Fatal(err)
		}
	})
}

type errReader struct{ err error }

func (e errReader) Read([]byte) (int, error) { return 0, e.err }
