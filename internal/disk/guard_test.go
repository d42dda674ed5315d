package disk

import (
	"bytes"
	"context"
	"io"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"

	"github.com/liveserver/liveserver/internal/disk/blobtest"
	"github.com/liveserver/liveserver/internal/domain"
)

// The free-space guard on the real file system of the test's folder: margins are set against
// what statfs says is free right now, so the guard's own look at statfs decides. Other
// programs on the machine change the free space meanwhile, by a few MB at most; each margin
// leaves more than that.

// files lists what the folder holds.
func files(t *testing.T, root string) []string {
	t.Helper()
	var out []string
	filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			out = append(out, p)
		}
		return nil
	})
	return out
}

func freeNow(t *testing.T, dir string) int64 {
	t.Helper()
	free, total, err := statfs(dir)
	if err != nil || free <= 0 || total < free {
		t.Fatalf("statfs(%s) = %d, %d, %v", dir, free, total, err)
	}
	return free
}

// countingReader counts what was taken from it.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// zeros is an endless source of zeros, written for real (not a hole in a sparse file).
type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

func TestFreeSpaceGuardRefusesBelowTheMargin(t *testing.T) {
	root := t.TempDir()
	b, err := New(filepath.Join(root, "files"))
	if err != nil {
		t.Fatal(err)
	}
	b.WithFreeMargin(freeNow(t, root) + 1<<30)
	err = b.Put(context.Background(), "rooms/r1/a", strings.NewReader("hello"), 5, "text/plain")
	if domain.ErrorCode(err) != domain.ENoSpace || !strings.Contains(domain.ErrorMessage(err), "short of disk space") {
		t.Fatalf("Put below the margin = %v, want %s", err, domain.ENoSpace)
	}
	if f := files(t, root); len(f) != 0 {
		t.Fatalf("a refused upload left %v", f)
	}
	sp, err := b.Space(context.Background())
	if err != nil || sp.Margin <= sp.Free || sp.Total < sp.Free {
		t.Fatalf("Space = %+v, %v", sp, err)
	}
}

func TestFreeSpaceGuardStopsAnUploadThatCrossesTheMargin(t *testing.T) {
	root := t.TempDir()
	b, err := New(filepath.Join(root, "files"))
	if err != nil {
		t.Fatal(err)
	}
	const room, stream = 16 << 20, 256 << 20
	var src *countingReader
	for try := 0; ; try++ {
		// The margin leaves room free now; a stream many times that must stop on the way.
		b.WithFreeMargin(freeNow(t, root) - room)
		src = &countingReader{r: io.LimitReader(zeros{}, stream)}
		err = b.Put(context.Background(), "rooms/r1/big", src, -1, "application/octet-stream")
		if src.n > 0 || try == 4 {
			break
		}
		t.Logf("refused before the first byte (the machine's free space fell meanwhile); again")
	}
	if domain.ErrorCode(err) != domain.ENoSpace {
		t.Fatalf("Put across the margin = %v, want %s", err, domain.ENoSpace)
	}
	if src.n == 0 || src.n >= stream {
		t.Fatalf("read %d bytes of %d: the guard did not stop the upload on the way", src.n, stream)
	}
	t.Logf("stopped after %d of %d bytes with %d free above the margin at the start", src.n, stream, room)
	if src.n > room+guardCheckEvery+64<<10 {
		t.Fatalf("wrote %d bytes with %d free above the margin", src.n, room)
	}
	if f := files(t, root); len(f) != 0 {
		t.Fatalf("a stopped upload left %v", f)
	}

	// Far above the margin, uploads go through.
	b.WithFreeMargin(freeNow(t, root) - 1<<30)
	if err := b.Put(context.Background(), "rooms/r1/small", bytes.NewReader(make([]byte, 3<<20)), 3<<20, "application/octet-stream"); err != nil {
		t.Fatal(err)
	}
}

// The guard changes nothing for the blob store's other behaviour.
func TestBlobsWithAMargin(t *testing.T) {
	b, err := New(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	blobtest.Run(t, b.WithFreeMargin(1<<20))
}
