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
	if err := os.MkdirAll(filepath.Dir(p), 0o750); err != nil {
		return fmt.Errorf("put %s: %w", key, err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(p), ".upload-*")
	if err != nil {
		return fmt.Errorf("put %s: %w", key, err)
	}
	defer os.Remove(tmp.Name()) // a no-op after the rename
	n, err := io.Copy(tmp, ctxReader{ctx, r})
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
