// Package disk is domain.Blobs on the local file system: the default on one machine.
package disk

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/liveserver/liveserver/internal/domain"
)

// Blobs keeps each blob in a file under a root folder, named by its key.
type Blobs struct {
	root string
	// margin is the free space kept on the root's file system: a write that would leave less
	// is refused, or stopped (ENoSpace). Zero keeps none.
	margin int64
}

var _ domain.Blobs = (*Blobs)(nil)

// New keeps blobs under root, creating it.
func New(root string) (*Blobs, error) {
	if err := os.MkdirAll(root, 0o750); err != nil {
		return nil, fmt.Errorf("blob folder: %w", err)
	}
	abs, err := filepath.Abs(root)
	if err != nil {
		return nil, err
	}
	return &Blobs{root: abs}, nil
}

// WithFreeMargin keeps margin bytes free on the folder's file system (the database's too,
// when it lives beside it): uploads are refused below it, and one that brings the free space
// below it stops and leaves nothing.
func (b *Blobs) WithFreeMargin(margin int64) *Blobs {
	b.margin = max(margin, 0)
	return b
}

// Space is the folder's file system's free space against the margin.
func (b *Blobs) Space(ctx context.Context) (domain.DiskSpace, error) {
	free, total, err := statfs(b.root)
	if err != nil {
		return domain.DiskSpace{}, fmt.Errorf("free space of %s: %w", b.root, err)
	}
	return domain.DiskSpace{Free: free, Total: total, Margin: b.margin}, nil
}

// errNoSpace is what an upload gets below the margin: the figures are for the log only
// (domain.ErrorMessage gives the client the sentence alone).
func errNoSpace(free, margin int64) error {
	return fmt.Errorf("%w (free space %d MiB, margin %d MiB)",
		domain.Errorf(domain.ENoSpace, "The server is short of disk space, so uploads are paused. Please tell its administrator."), free>>20, margin>>20)
}

// guardCheckEvery is how many bytes a write goes between two looks at the free space; in
// between, what it wrote since the last look counts against what was free then.
const guardCheckEvery = 1 << 20

// guardedWriter stops a write once the file system's free space would fall below the margin.
type guardedWriter struct {
	w       io.Writer
	dir     string
	margin  int64
	free    int64 // at the last look
	allowed int64 // what may still be written until the next look
	since   int64 // written since the last look
}

func (g *guardedWriter) look() error {
	free, _, err := statfs(g.dir)
	if err != nil {
		return fmt.Errorf("free space of %s: %w", g.dir, err)
	}
	g.free, g.allowed, g.since = free, free-g.margin, 0
	if g.allowed <= 0 {
		return errNoSpace(free, g.margin)
	}
	return nil
}

func (g *guardedWriter) Write(p []byte) (int, error) {
	if g.since >= guardCheckEvery {
		if err := g.look(); err != nil {
			return 0, err
		}
	}
	if g.since+int64(len(p)) > g.allowed {
		return 0, errNoSpace(g.free-g.since, g.margin)
	}
	n, err := g.w.Write(p)
	g.since += int64(n)
	return n, err
}

// path maps a key to its file. Keys are made by the server ("rooms/ID/UUID"); anything that
// could leave the root is refused all the same.
func (b *Blobs) path(key string) (string, error) {
	if key == "" || strings.Contains(key, "\\") || strings.HasPrefix(key, "/") {
		return "", fmt.Errorf("blob key %q is not valid", key)
	}
	for _, part := range strings.Split(key, "/") {
		if part == "" || part == "." || part == ".." {
			return "", fmt.Errorf("blob key %q is not valid", key)
		}
	}
	return filepath.Join(b.root, filepath.FromSlash(key)), nil
}

// Put writes to a temporary file next to the target and renames it into place once complete,
// so a reader never sees half a file and a failed upload leaves nothing.
func (b *Blobs) Put(ctx context.Context, key string, r io.Reader, size int64, contentType string) error {
	p, err := b.path(key)
	if err != nil {
		return err
	}
	var dst io.Writer
	var guard *guardedWriter
	if b.margin > 0 {
		// Refused before anything is written, folders included.
		guard = &guardedWriter{dir: b.root, margin: b.margin}
		if err := guard.look(); err != nil {
			return err
		}
	}
	if err := os.MkdirAll(filepath.Dir(p), 0o750); err != nil {
		return fmt.Errorf("put %s: %w", key, err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(p), ".upload-*")
	if err != nil {
		return fmt.Errorf("put %s: %w", key, err)
	}
	defer os.Remove(tmp.Name()) // a no-op after the rename
	dst = tmp
	if guard != nil {
		guard.w, dst = tmp, guard
	}
	n, err := io.Copy(dst, ctxReader{ctx, r})
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("put %s: %w", key, err)
	}
	if size >= 0 && n != size {
		return fmt.Errorf("put %s: got %d bytes, want %d", key, n, size)
	}
	if err := os.Rename(tmp.Name(), p); err != nil {
		return fmt.Errorf("put %s: %w", key, err)
	}
	return nil
}

func (b *Blobs) Get(ctx context.Context, key string) (io.ReadCloser, domain.BlobInfo, error) {
	p, err := b.path(key)
	if err != nil {
		return nil, domain.BlobInfo{}, err
	}
	f, err := os.Open(p)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, domain.BlobInfo{}, domain.Errorf(domain.ENotFound, "The file's content is missing.")
	}
	if err != nil {
		return nil, domain.BlobInfo{}, fmt.Errorf("get %s: %w", key, err)
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, domain.BlobInfo{}, fmt.Errorf("get %s: %w", key, err)
	}
	return f, domain.BlobInfo{Size: st.Size()}, nil
}

func (b *Blobs) Delete(ctx context.Context, key string) error {
	p, err := b.path(key)
	if err != nil {
		return err
	}
	if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("delete %s: %w", key, err)
	}
	return nil
}

// Ping checks that the folder is there and writable.
func (b *Blobs) Ping(ctx context.Context) error {
	f, err := os.CreateTemp(b.root, ".ping-*")
	if err != nil {
		return fmt.Errorf("blob folder: %w", err)
	}
	f.Close()
	return os.Remove(f.Name())
}

// ctxReader stops a copy when the request is cancelled.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}

// Root is the folder the blobs live in.
func (b *Blobs) Root() string { return b.root }
