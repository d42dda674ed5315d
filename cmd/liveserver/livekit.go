package main

import (
	"context"
	"fmt"
	"net"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/liveserver/liveserver/internal/livekit"
	"github.com/liveserver/liveserver/internal/livekit/devserver"
)

// devAPIKey names the dev server's only key; its secret is generated per instance.
const devAPIKey = "devkey"

// turnRelayPorts is the TURN relay range with TURN over TLS: four per student (two peer
// connections, each with a UDP and a TLS allocation) for a class of 25.
const turnRelayPorts = 100

// devServerReadyTimeout bounds the wait for the dev server; it is ready in about 80 ms.
const devServerReadyTimeout = 30 * time.Second

// startLiveKit returns the SFU the server uses: the LIVEKIT_URL deployment, or a dev
// livekit-server installed (first run only) and supervised next to us, whose webhooks come back
// to webhookHost. With LIVEKIT_DEV_SERVER=off and no LIVEKIT_URL it returns nil: no video.
// Goroutines it starts are tracked by wg and end with ctx.
func (a *app) startLiveKit(ctx context.Context, wg *sync.WaitGroup, webhookHost string) (*livekit.SFU, error) {
	cfg := a.cfg
	if cfg.LiveKitURL != "" {
		return a.deployedLiveKit()
	}
	if !cfg.LiveKitDevServer {
		a.log.Warn("no video server: LIVEKIT_URL is unset and LIVEKIT_DEV_SERVER=off; rooms cannot go live")
		return nil, nil
	}

	secret, err := localSecret(filepath.Join(cfg.DataDir, "livekit_dev_secret"))
	if err != nil {
		return nil, err
	}
	bin, err := devserver.Install(ctx, cfg.LiveKitServerBin, a.log.With("component", "livekit-install"))
	if err != nil {
		return nil, fmt.Errorf("LIVEKIT_SERVER_BIN: no livekit-server and it could not be installed (it needs the go tool and the Go module proxy): %w", err)
	}
	dc := devserver.Config{APIKey: devAPIKey, APISecret: secret, AdvertiseIP: cfg.LiveKitAdvertiseIP,
		WebhookURLs:      []string{"http://" + webhookHost + "/api/livekit/webhook"},
		SignalOnLoopback: cfg.LiveKitSignalViaApp}
	if p := cfg.LiveKitDevPort; p != 0 {
		// Fixed, predictable ports around the signalling port, for a firewall rule in LAN mode.
		dc.Port, dc.RTCUDPPort, dc.TURNUDPPort, dc.RelayPortStart, dc.RelayPortEnd = p, p+2, p+1, p+10, p+17
		if dc.AdvertiseIP != "" {
			// ICE/TCP for students whose network drops UDP: LiveKit's usual 7881, over TCP.
			dc.RTCTCPPort = p + 1
		}
	} else if dc.AdvertiseIP != "" {
		if dc.RTCTCPPort, err = devserver.FreeTCPPort(); err != nil {
			return nil, fmt.Errorf("LiveKit dev server ports: %w", err)
		}
	}
	if cfg.LiveKitTURNCert != "" {
		// LiveKit tells clients its TURN/TLS is on port 443, whatever it listens on.
		dc.TURNTLSPort, dc.TURNCertFile, dc.TURNKeyFile = 443, cfg.LiveKitTURNCert, cfg.LiveKitTURNKey
		// Every client takes a relay port per peer connection and TURN server (UDP and TLS)
		// while it is in the call, whether it needs one or not: eight would serve two students.
		if cfg.LiveKitDevPort != 0 {
			dc.RelayPortEnd = dc.RelayPortStart + turnRelayPorts - 1
		} else if dc.RelayPortStart, err = devserver.FreeUDPRange(turnRelayPorts); err != nil {
			return nil, fmt.Errorf("LiveKit dev server ports: %w", err)
		} else {
			dc.RelayPortEnd = dc.RelayPortStart + turnRelayPorts - 1
		}
	}
	if dc, err = dc.WithFreePorts(); err != nil {
		return nil, fmt.Errorf("LiveKit dev server ports: %w", err)
	}
	sup, err := devserver.NewSupervisor(bin, dc, a.log.With("component", "livekit"), devserver.SupervisorOptions{})
	if err != nil {
		return nil, fmt.Errorf("LiveKit dev server: %w", err)
	}
	failed := make(chan error, 1)
	wg.Go(func() {
		if err := sup.Run(ctx); err != nil {
			a.log.Error("LiveKit dev server stopped", "err", err)
			failed <- err
		}
	})
	select {
	case <-sup.Ready():
	case err := <-failed:
		return nil, fmt.Errorf("LIVEKIT_SERVER_BIN %s: the LiveKit dev server cannot start: %w", bin, err)
	case <-time.After(devServerReadyTimeout):
		// Usually its port is taken: it exits at once and is restarted, again and again.
		return nil, fmt.Errorf("LIVEKIT_DEV_PORT: the LiveKit dev server was not ready after %v (is port %d taken? the log above has its errors)",
			devServerReadyTimeout, dc.Port)
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	a.log.Info("LiveKit dev server ready", "url", dc.URL(), "udp", dc.RTCUDPPort, "tcp", dc.RTCTCPPort)
	return livekit.NewSFU(livekit.Config{URL: dc.URL(), APIKey: devAPIKey, APISecret: secret})
}

// deployedLiveKit is the LIVEKIT_URL deployment.
func (a *app) deployedLiveKit() (*livekit.SFU, error) {
	// Accept the http(s) form too; clients need ws(s).
	url := strings.Replace(strings.Replace(a.cfg.LiveKitURL, "https://", "wss://", 1), "http://", "ws://", 1)
	sfu, err := livekit.NewSFU(livekit.Config{URL: url, APIKey: a.cfg.LiveKitAPIKey, APISecret: a.cfg.LiveKitAPISecret})
	if err != nil {
		return nil, fmt.Errorf("LIVEKIT_URL: %w", err)
	}
	a.log.Info("using LiveKit", "url", url)
	return sfu, nil
}

// webhookHost is where a local LiveKit reaches our listener.
func webhookHost(ln net.Listener) string {
	addr := ln.Addr().(*net.TCPAddr)
	host := "127.0.0.1"
	if !addr.IP.IsUnspecified() {
		host = addr.IP.String()
	}
	return net.JoinHostPort(host, strconv.Itoa(addr.Port))
}
