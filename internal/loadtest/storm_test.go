package loadtest

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// BenchmarkJoinStorm is a class arriving at once (issue #16): 500 guests knock on a lobby room
// at the same moment from 100 addresses, each then listening on its lobby stream; the host
// approves all in one call; each guest asks for its token as its decision arrives. It needs
// the LiveKit binary (LIVEKIT_SERVER_BIN): LiveServer runs it as its embedded dev server.
//
//	LIVEKIT_SERVER_BIN=/path/livekit-server go test -run XXX -bench JoinStorm -benchtime 1x ./internal/loadtest
func BenchmarkJoinStorm(b *testing.B) {
	const guests, addresses = 500, 100
	lkBin := os.Getenv("LIVEKIT_SERVER_BIN")
	if lkBin == "" {
		b.Skip("LIVEKIT_SERVER_BIN is not set")
	}
	live, _ := binaries(b)
	port := freePort(b)
	srv := start(b, live, port, "/readyz", []string{"serve"}, "DATA_DIR="+b.TempDir(),
		"AUTH_SECRET=loadtest-secret-loadtest-secret-loadtest", "LIVEKIT_DEV_SERVER=on", "LIVEKIT_SERVER_BIN="+lkBin,
		"LIVEKIT_DEV_PORT=0", "AGENT_LISTEN_ADDR=off", "TRUSTED_PROXIES=127.0.0.0/8", "LOG_LEVEL=warn",
		"LISTEN_ADDR=127.0.0.1:"+strconv.Itoa(port))
	lt := &liveTarget{sendsTo: srv, client: &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: guests + 64}}}
	host := lt.call(b, srv, "POST", "/api/auth/register", "", map[string]any{"email": "host@school.ru", "password": "correct horse battery", "name": "Host"}, 201)
	var room struct{ ID string }
	json.Unmarshal(lt.call(b, srv, "POST", "/api/rooms", host.cookie, map[string]any{"name": "Storm", "lobbyEnabled": true}, 201).body, &room)
	lt.call(b, srv, "POST", "/api/rooms/"+room.ID+"/start", host.cookie, nil, 200)

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var (
		knocked, cutOff, tokens atomic.Int64
		lastToken               atomic.Int64 // ns after t0
		wg                      sync.WaitGroup
	)
	ready := make(chan struct{}, guests)
	streamOK := make(chan struct{}, guests)
	go0 := make(chan struct{})
	t0 := time.Now()
	var lastKnock atomic.Int64
	for i := range guests {
		wg.Go(func() {
			xff := fmt.Sprintf("10.9.%d.%d", i%addresses/250, i%addresses%250+1)
			ready <- struct{}{}
			<-go0
			r := lt.call(b, srv, "POST", "/api/rooms/"+room.ID+"/join", "", map[string]string{"name": "G" + strconv.Itoa(i), "fingerprint": "fp-storm-" + strconv.Itoa(i)}, 202, "X-Forwarded-For", xff)
			if r.cookie == "" {
				return
			}
			knocked.Add(1)
			storeMax(&lastKnock, int64(time.Since(t0)))
			req, _ := http.NewRequestWithContext(ctx, "GET", srv.base+"/api/rooms/"+room.ID+"/lobby/stream", nil)
			req.Header.Set("Cookie", r.cookie)
			req.Header.Set("X-Forwarded-For", xff)
			resp, err := lt.client.Do(req)
			if err != nil || resp.StatusCode != http.StatusOK {
				b.Errorf("lobby stream: %v %v", err, resp)
				return
			}
			defer resp.Body.Close()
			streamOK <- struct{}{}
			br := bufio.NewReader(resp.Body)
			decided := false
			for !decided {
				line, err := br.ReadSlice('\n')
				if err != nil {
					cutOff.Add(1) // ended before its decision: it would have to reconnect
					return
				}
				decided = bytes.HasPrefix(line, []byte("event: lobby.decision"))
			}
			lt.call(b, srv, "POST", "/api/livekit/token", r.cookie, map[string]string{"roomId": room.ID}, 200, "X-Forwarded-For", xff)
			tokens.Add(1)
			storeMax(&lastToken, int64(time.Since(t0)))
		})
	}
	for range guests {
		<-ready
	}
	t0 = time.Now()
	close(go0)
	for range guests {
		<-streamOK
	}
	// All knocked and listening: the host approves everyone at once.
	approveAt := time.Now()
	res := lt.call(b, srv, "POST", "/api/rooms/"+room.ID+"/lobby", host.cookie, map[string]any{"all": true, "action": "approve"}, 200)
	approveTook := time.Since(approveAt)
	wg.Wait()
	if n := strings.Count(string(res.body), `"entryId"`); n != guests {
		b.Errorf("approve-all decided %d entries, want %d", n, guests)
	}
	ms := func(ns int64) float64 { return float64(ns) / 1e6 }
	b.ReportMetric(ms(lastKnock.Load()), "ms-all-knocked")
	b.ReportMetric(float64(approveTook.Microseconds())/1000, "ms-approve-all")
	b.ReportMetric(ms(lastToken.Load()-int64(approveAt.Sub(t0))), "ms-last-token-after-approve")
	b.ReportMetric(ms(lastToken.Load()), "ms-first-knock-to-last-token")
	b.ReportMetric(float64(cutOff.Load()), "lobby-streams-cut-off")
	b.ReportMetric(float64(tokens.Load()), "tokens")
}

func storeMax(a *atomic.Int64, v int64) {
	for {
		cur := a.Load()
		if v <= cur || a.CompareAndSwap(cur, v) {
			return
		}
	}
}
