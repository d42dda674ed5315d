package disk

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/liveserver/liveserver/internal/disk/blobtest"
)

func TestBlobs(t *testing.T) {
	b, err := New(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	blobtest.Run(t, b)
}

func TestKeysStayInTheRoot(t *testing.T) {
	root := t.TempDir()
	b, _ := New(filepath.Join(root, "blobs"))
	for _, key := range []string{"../escape", "rooms/../../escape", "/etc/passwd", `rooms\x`, "", "rooms//x", "rooms/./x"} {
		if err := b.Put(context.Background(), key, strings.NewReader("x"), 1, "text/plain"); err == nil {
			t.Errorf("Put(%q) accepted", key)
		}
	}
	if _, err := os.Stat(filepath.Join(root, "escape")); err == nil {
		t.Fatal("a key escaped the root")
	}
}
