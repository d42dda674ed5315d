package devserver

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"time"
)

// ServerModule is the livekit-server we install. Later versions cannot be
// built with go install: their go.mod has replace directives (DESIGN §2).
const ServerModule = "github.com/livekit/livekit-server/cmd/server@v1.13.5"

// BinaryName is the binary's usual file name (.tools/bin/livekit-server). go install names the
// binary after its package directory, "server", which says nothing.
const BinaryName = "livekit-server"

// Install returns dst, the livekit-server binary, building it there with go
// install first when it is missing. A build takes about two minutes on an
// empty module cache; log (nil for none) gets go's progress lines. It needs
// the go tool and the module proxy.
func Install(ctx context.Context, dst string, log *slog.Logger) (string, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	binDir := filepath.Dir(dst)
	if _, err := os.Stat(dst); err == nil {
		return dst, nil
	} else if !errors.Is(err, fs.ErrNotExist) {
		return "", fmt.Errorf("devserver: install: %w", err)
	}
	if err := os.MkdirAll(binDir, 0o755); err != nil {
		return "", fmt.Errorf("devserver: install: %w", err)
	}
	// Building into a private directory and renaming means a concurrent
	// caller never sees a half-written binary.
	tmp, err := os.MkdirTemp(binDir, ".install-")
	if err != nil {
		return "", fmt.Errorf("devserver: install: %w", err)
	}
	defer os.RemoveAll(tmp)

	log.Info("installing livekit-server (about 2 minutes on an empty module cache)", "module", ServerModule, "dir", binDir)
	start := time.Now()
	cmd := exec.CommandContext(ctx, "go", "install", ServerModule)
	// Outside any module and workspace, so our go.mod cannot interfere.
	cmd.Dir = tmp
	cmd.Env = append(os.Environ(), "GOBIN="+tmp, "GOWORK=off", "GOFLAGS=-buildvcs=false")
	out := newLineLogger(log, "go install")
	cmd.Stdout, cmd.Stderr = out, out
	cmd.WaitDelay = 5 * time.Second
	err = cmd.Run()
	out.Flush()
	if err != nil {
		return "", fmt.Errorf("devserver: go install %s: %w", ServerModule, err)
	}
	if err := os.Rename(filepath.Join(tmp, "server"), dst); err != nil {
		return "", fmt.Errorf("devserver: install: %w", err)
	}
	log.Info("installed livekit-server", "path", dst, "took", time.Since(start).Round(time.Second))
	return dst, nil
}
