// Package loadtest measures event delivery end to end against real server processes (issue
// #16): LiveServer's own binary (cmd/liveserver) side by side with a floor server
// (./floor) that does nothing but write and flush, in one run, so that our figures read as
// ratios to what the machine can do at all. Each server runs in a process of its own, so its
// CPU and memory (from /proc) are the server's alone; the load generator is this test process.
//
//	go test -run XXX -bench Fanout -benchtime 1x ./internal/loadtest
package loadtest

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/liveserver/liveserver/internal/redis/redistest"
)

const (
	messages   = 200                   // sent per run
	sendEvery  = 50 * time.Millisecond // 20 a second
	senders    = 32                    // guests sending in turn
	sourceIPs  = 32                    // loopback addresses the streams come from (more past 6,000)
	clockTicks = 100                   // USER_HZ: /proc's CPU times are in 1/100 s
)

var (
	buildOnce sync.Once
	binDir    string
	buildErr  error
)

// binaries builds cmd/liveserver and the floor once per run.
func binaries(b *testing.B) (liveserver, floor string) {
	buildOnce.Do(func() {
		binDir, buildErr = os.MkdirTemp("", "loadtest-bin")
		if buildErr != nil {
			return
		}
		for _, p := range []string{"../../cmd/liveserver", "./floor"} {
			out, err := exec.Command("go", "build", "-o", binDir, p).CombinedOutput()
			if err != nil {
				buildErr = fmt.Errorf("go build %s: %v\n%s", p, err, out)
				return
			}
		}
	})
	if buildErr != nil {
		b.Fatal(buildErr)
	}
	return filepath.Join(binDir, "liveserver"), filepath.Join(binDir, "floor")
}

// server is one server process.
type server struct {
	cmd  *exec.Cmd
	base string
}

func freePort(b *testing.B) int {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// start runs bin with args and env until the benchmark ends, and waits until ready answers.
func start(b *testing.B, bin string, port int, ready string, args []string, env ...string) *server {
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), env...)
	var logs bytes.Buffer
	cmd.Stdout, cmd.Stderr = io.Discard, &logs
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { cmd.Process.Signal(syscall.SIGTERM); cmd.Wait() })
	s := &server{cmd: cmd, base: "http://127.0.0.1:" + strconv.Itoa(port)}
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		if resp, err := http.Get(s.base + ready); err == nil {
			resp.Body.Close()
			if resp.StatusCode < 300 {
				return s
			}
		}
		if time.Now().After(deadline) {
			b.Fatalf("%s did not start: %s", bin, logs.String())
		}
	}
}

// stat is the process's resident memory and CPU time so far, from /proc.
func (s *server) stat(b *testing.B) (rss int64, cpu time.Duration) {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", s.cmd.Process.Pid))
	if err != nil {
		b.Fatal(err)
	}
	// Fields after the command name (which is in parentheses): state is field 3.
	f := strings.Fields(string(raw[bytes.LastIndexByte(raw, ')')+2:]))
	utime, _ := strconv.ParseInt(f[11], 10, 64)
	stime, _ := strconv.ParseInt(f[12], 10, 64)
	pages, _ := strconv.ParseInt(f[21], 10, 64)
	return pages * int64(os.Getpagesize()), time.Duration(utime+stime) * time.Second / clockTicks
}

// selfCPU is the load generator's CPU time so far.
func selfCPU() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// transports are one per loopback source address: 32, or enough that no address holds more
// than 150 streams (LiveServer's ceiling is 200 per address).
func transports(n int) []*http.Transport {
	out := make([]*http.Transport, max(sourceIPs, (n+149)/150))
	for i := range out {
		local := &net.TCPAddr{IP: net.IPv4(127, 0, 0, byte(2+i))}
		d := &net.Dialer{LocalAddr: local, Timeout: 10 * time.Second}
		out[i] = &http.Transport{DialContext: d.DialContext, MaxIdleConnsPerHost: n/len(out) + 64, MaxConnsPerHost: 0}
	}
	return out
}

// target is what the generator drives: how to open a stream, how to send message i.
type target interface {
	streamRequest(ctx context.Context, i int) *http.Request
	send(i int) error
}

// run opens n streams on t, sends the messages, and reports latency, loss and CPU and memory
// of the server processes.
func run(b *testing.B, t target, procs []*server, n int) {
	trs := transports(n)
	defer func() {
		for _, tr := range trs {
			tr.CloseIdleConnections()
		}
	}()
	rss0 := rssOf(b, procs)
	// arrivals[s][m] is when stream s got message m, in ns after t0.
	arrivals := make([][]int64, n)
	var got atomic.Int64
	t0 := time.Now()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var readers sync.WaitGroup
	opened := make(chan error, n)
	sem := make(chan struct{}, 64)
	for s := range n {
		arrivals[s] = make([]int64, messages)
		sem <- struct{}{}
		readers.Add(1)
		go func() {
			defer readers.Done()
			req := t.streamRequest(ctx, s)
			resp, err := (&http.Client{Transport: trs[s%len(trs)]}).Do(req)
			<-sem
			if err == nil && resp.StatusCode != http.StatusOK {
				err = fmt.Errorf("stream %d: %s", s, resp.Status)
				resp.Body.Close()
			}
			opened <- err
			if err != nil {
				return
			}
			defer resp.Body.Close()
			br := bufio.NewReaderSize(resp.Body, 4096)
			for {
				line, err := br.ReadSlice('\n')
				if err != nil {
					return
				}
				// Message i's data holds "m-<i>-".
				if k := bytes.Index(line, []byte("m-")); k >= 0 && bytes.HasPrefix(line, []byte("data: ")) {
					rest := line[k+2:]
					j := bytes.IndexByte(rest, '-')
					if m, err := strconv.Atoi(string(rest[:max(j, 0)])); err == nil && m < messages && arrivals[s][m] == 0 {
						arrivals[s][m] = int64(time.Since(t0))
						got.Add(1)
					}
				}
			}
		}()
	}
	for range n {
		if err := <-opened; err != nil {
			b.Fatal(err)
		}
	}
	time.Sleep(time.Second) // the servers settle after the opening burst
	rss1 := rssOf(b, procs)
	cpu0, gen0, w0 := cpuOf(b, procs), selfCPU(), time.Now()
	sent := make([]int64, messages)
	// sendTook is each send call's own time: for LiveServer the chat message's transaction,
	// which the floor has none of; its event is published before the call returns.
	sendTook := make([]int64, 0, messages)
	for m := range messages {
		time.Sleep(time.Until(w0.Add(time.Duration(m) * sendEvery)))
		sent[m] = int64(time.Since(t0))
		if err := t.send(m); err != nil {
			b.Fatal(err)
		}
		sendTook = append(sendTook, int64(time.Since(t0))-sent[m])
	}
	for deadline := time.Now().Add(60 * time.Second); got.Load() < int64(n*messages) && time.Now().Before(deadline); {
		time.Sleep(10 * time.Millisecond)
	}
	wall := time.Since(w0)
	cpu, gen := cpuOf(b, procs)-cpu0, selfCPU()-gen0
	cancel()
	readers.Wait()

	lat := make([]int64, 0, n*messages)
	for s := range arrivals {
		for m, at := range arrivals[s] {
			if at > 0 {
				lat = append(lat, at-sent[m])
			}
		}
	}
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	if len(lat) == 0 {
		b.Fatal("nothing delivered")
	}
	ms := func(ns int64) float64 { return float64(ns) / 1e6 }
	b.ReportMetric(ms(lat[len(lat)/2]), "ms-p50")
	b.ReportMetric(ms(lat[len(lat)*99/100]), "ms-p99")
	b.ReportMetric(float64(n*messages-len(lat)), "lost")
	sort.Slice(sendTook, func(i, j int) bool { return sendTook[i] < sendTook[j] })
	b.ReportMetric(ms(sendTook[len(sendTook)/2]), "ms-send-p50")
	b.ReportMetric(100*cpu.Seconds()/wall.Seconds(), "server-cpu-%")
	b.ReportMetric(float64(cpu.Nanoseconds())/float64(len(lat)), "server-ns/delivery")
	b.ReportMetric(100*gen.Seconds()/wall.Seconds(), "generator-cpu-%")
	b.ReportMetric(float64(rss1-rss0)/float64(n)/1024, "server-KiB/stream")
}

func rssOf(b *testing.B, procs []*server) int64 {
	var sum int64
	for _, p := range procs {
		r, _ := p.stat(b)
		sum += r
	}
	return sum
}

func cpuOf(b *testing.B, procs []*server) time.Duration {
	var sum time.Duration
	for _, p := range procs {
		_, c := p.stat(b)
		sum += c
	}
	return sum
}

// floorTarget drives the floor server.
type floorTarget struct{ s *server }

func (f floorTarget) streamRequest(ctx context.Context, _ int) *http.Request {
	req, _ := http.NewRequestWithContext(ctx, "GET", f.s.base+"/stream", nil)
	return req
}

func (f floorTarget) send(m int) error {
	resp, err := http.Post(f.s.base+"/send?text=m-"+strconv.Itoa(m)+"-", "text/plain", nil)
	if err != nil {
		return err
	}
	resp.Body.Close()
	return nil
}

// liveTarget drives LiveServer: a room without lobby, n admitted guests whose streams are on
// the first replica, messages sent by 32 of them in turn through the last.
type liveTarget struct {
	streamsOn, sendsTo *server
	room               string
	guests             []string // each guest's cookie
	client             *http.Client
}

func newLiveTarget(b *testing.B, replicas []*server, n int) *liveTarget {
	lt := &liveTarget{streamsOn: replicas[0], sendsTo: replicas[len(replicas)-1],
		client: &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}}
	host := lt.call(b, lt.sendsTo, "POST", "/api/auth/register", "", map[string]any{"email": "host@school.ru", "password": "correct horse battery", "name": "Host"}, 201)
	var room struct{ ID string }
	json.Unmarshal(lt.call(b, lt.sendsTo, "POST", "/api/rooms", host.cookie, map[string]any{"name": "Load", "lobbyEnabled": false}, 201).body, &room)
	lt.room = room.ID
	lt.guests = make([]string, n)
	var wg sync.WaitGroup
	work := make(chan int)
	for range 8 {
		wg.Go(func() {
			for i := range work {
				// Each guest from an address of its own (through the trusted proxy), so no
				// per-address limit counts them as one; their streams then come from 32.
				r := lt.call(b, lt.sendsTo, "POST", "/api/rooms/"+lt.room+"/join", "", map[string]string{"name": "G" + strconv.Itoa(i), "fingerprint": "fp-load-" + strconv.Itoa(i)}, 200,
					"X-Forwarded-For", fmt.Sprintf("10.%d.%d.%d", i/62500, i/250%250, i%250+1))
				lt.guests[i] = r.cookie
			}
		})
	}
	for i := range n {
		work <- i
	}
	close(work)
	wg.Wait()
	return lt
}

type answer struct {
	body   []byte
	cookie string
}

func (lt *liveTarget) call(b *testing.B, s *server, method, path, cookie string, body any, status int, headers ...string) answer {
	buf, _ := json.Marshal(body)
	req, _ := http.NewRequest(method, s.base+path, bytes.NewReader(buf))
	req.Header.Set("Content-Type", "application/json")
	if cookie != "" {
		req.Header.Set("Cookie", cookie)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := lt.client.Do(req)
	if err != nil {
		b.Error(err)
		return answer{}
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != status {
		b.Errorf("%s %s = %d %s", method, path, resp.StatusCode, out)
	}
	var cookies []string
	for _, c := range resp.Cookies() {
		cookies = append(cookies, c.Name+"="+c.Value)
	}
	return answer{body: out, cookie: strings.Join(cookies, "; ")}
}

func (lt *liveTarget) streamRequest(ctx context.Context, i int) *http.Request {
	req, _ := http.NewRequestWithContext(ctx, "GET", lt.streamsOn.base+"/api/rooms/"+lt.room+"/events", nil)
	req.Header.Set("Cookie", lt.guests[i])
	return req
}

func (lt *liveTarget) send(m int) error {
	buf, _ := json.Marshal(map[string]string{"text": "m-" + strconv.Itoa(m) + "-"})
	req, _ := http.NewRequest("POST", lt.sendsTo.base+"/api/rooms/"+lt.room+"/chat", bytes.NewReader(buf))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Cookie", lt.guests[m%senders])
	resp, err := lt.client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		out, _ := io.ReadAll(resp.Body)
		return fmt.Errorf("chat %d: %d %s", m, resp.StatusCode, out)
	}
	return nil
}

// startLiveServer runs replicas of LiveServer over one SQLite file (and a private Redis with
// more than one).
func startLiveServer(b *testing.B, bin string, replicas int) []*server {
	dir := b.TempDir()
	env := []string{"DATA_DIR=" + dir, "AUTH_SECRET=loadtest-secret-loadtest-secret-loadtest",
		"LIVEKIT_DEV_SERVER=off", "AGENT_LISTEN_ADDR=off", "TRUSTED_PROXIES=127.0.0.0/8", "LOG_LEVEL=warn"}
	if replicas > 1 {
		env = append(env, "REDIS_URL="+redistest.Start(b).URL)
	}
	var out []*server
	for range replicas {
		port := freePort(b)
		out = append(out, start(b, bin, port, "/healthz", []string{"serve"}, append(env, "LISTEN_ADDR=127.0.0.1:"+strconv.Itoa(port))...))
	}
	return out
}

// BenchmarkFanout10k is BenchmarkFanout with 10,000 streams on one replica.
func BenchmarkFanout10k(b *testing.B) {
	live, floor := binaries(b)
	b.Run("floor", func(b *testing.B) {
		port := freePort(b)
		f := start(b, floor, port, "/count", []string{"-addr", "127.0.0.1:" + strconv.Itoa(port)})
		run(b, floorTarget{f}, []*server{f}, 10000)
	})
	b.Run("liveserver", func(b *testing.B) {
		rs := startLiveServer(b, live, 1)
		run(b, newLiveTarget(b, rs, 10000), rs, 10000)
	})
}

// BenchmarkFanout is 200 chat messages (20 a second, 32 senders in turn) to n open streams,
// on the floor and on LiveServer, one after the other in one run, each on a fresh server.
func BenchmarkFanout(b *testing.B) {
	live, floor := binaries(b)
	for _, n := range []int{1000, 5000} {
		b.Run(fmt.Sprintf("%d/floor", n), func(b *testing.B) {
			port := freePort(b)
			f := start(b, floor, port, "/count", []string{"-addr", "127.0.0.1:" + strconv.Itoa(port)})
			run(b, floorTarget{f}, []*server{f}, n)
		})
		b.Run(fmt.Sprintf("%d/liveserver", n), func(b *testing.B) {
			rs := startLiveServer(b, live, 1)
			run(b, newLiveTarget(b, rs, n), rs, n)
		})
		b.Run(fmt.Sprintf("%d/liveserver-redis-2-replicas", n), func(b *testing.B) {
			rs := startLiveServer(b, live, 2)
			run(b, newLiveTarget(b, rs, n), rs, n)
		})
	}
}
