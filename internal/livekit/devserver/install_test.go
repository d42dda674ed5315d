package devserver_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/liveserver/liveserver/internal/livekit/devserver"
)

// An installed binary is used as is, whatever its name: no go tool, no network.
func TestInstallKeepsExistingBinary(t *testing.T) {
	dir := t.TempDir()
	want := filepath.Join(dir, "livekit-1.13")
	if err := os.WriteFile(want, []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	got, err := devserver.Install(context.Background(), want, nil)
	if err != nil || got != want {
		t.Fatalf("Install = %q, %v; want %q", got, err, want)
	}
}

// The real build takes about two minutes and needs the module proxy, so it
// runs only when asked: LIVESERVER_TEST_INSTALL=1.
func TestInstallBuilds(t *testing.T) {
	if os.Getenv("LIVESERVER_TEST_INSTALL") != "1" {
		t.Skip("set LIVESERVER_TEST_INSTALL=1 to build livekit-server with go install")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	dir := t.TempDir()
	path, err := devserver.Install(ctx, filepath.Join(dir, "livekit-1.13"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode()&0o111 == 0 || filepath.Base(path) != "livekit-1.13" {
		t.Fatalf("installed %q: %v %v", path, fi, err)
	}
	leftovers, _ := filepath.Glob(filepath.Join(dir, ".install-*"))
	if len(leftovers) != 0 {
		t.Errorf("temporary build dirs left: %v", leftovers)
	}
}
