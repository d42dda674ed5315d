package main

import (
	"bufio"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	lksdk "github.com/livekit/server-sdk-go/v2"
	"github.com/pion/webrtc/v4"
	"github.com/pion/webrtc/v4/pkg/media"

	"github.com/liveserver/liveserver/internal/livekit/livekittest"
	"github.com/liveserver/liveserver/internal/ogg"
	"github.com/liveserver/liveserver/internal/ogg/oggtest"
)

// A class on a real network, in miniature: our server and its dev LiveKit on one side of a
// veth pair, advertising the veth address (LAN mode); two Go bots with the stock LiveKit SDK on
// the other side, in a network namespace of their own. The bots reach LiveKit's signalling only
// through our server's origin (the client side drops TCP to LiveKit's own signalling port), one
// publishes speech, the other receives it. Then the same with UDP dropped on the client side,
// as a school firewall does: media must still arrive, over TCP.
//
// Both namespaces are private and the addresses (10.200.7.0/30) exist only on the veth, so no
// packet leaves them (DESIGN §6). BenchmarkMediaAcrossVeth times the same rounds for
// docs/performance.md; the test asserts no timing.
func TestMediaAcrossVethThroughOurOrigin(t *testing.T) {
	c := newVethClass(t)
	for _, mode := range []struct {
		name     string
		blockUDP bool
		want     string // the local candidate media must take: a UDP host one, or the TLS relay
	}{{"udp", false, "udp host"}, {"udp dropped", true, "udp relay"}} {
		t.Run(mode.name, func(t *testing.T) {
			if mode.blockUDP {
				c.dropUDP(t)
			}
			pub, got := c.round(t)
			if got.Packets < botWantPackets || got.Known < got.Packets*9/10 {
				t.Fatalf("received %d packets, %d of them the speech sent; want %d, nearly all", got.Packets, got.Known, botWantPackets)
			}
			if got.Protocol != mode.want || pub.Protocol != mode.want {
				t.Fatalf("media over %s (receiver) and %s (publisher), want %s", got.Protocol, pub.Protocol, mode.want)
			}
			// ICE/TCP, which browsers use when UDP is blocked, is on offer on the LAN address.
			// (The Go SDK cannot take it: pion gathers UDP only unless told otherwise, and the
			// SDK does not tell it; that is why this side goes through TURN over TLS.)
			if want := fmt.Sprintf("%s:%d", c.n.serverIP, vethDevPort+1); got.TCPOffered != want {
				t.Errorf("LiveKit offered ICE/TCP at %q, want %s", got.TCPOffered, want)
			}
			t.Logf("%s: receiver joined in %d ms, first audio frame %d ms after it began to connect (%s); publisher joined in %d ms",
				mode.name, got.JoinMs, got.FirstFrameMs, got.Candidate, pub.JoinMs)
		})
	}
}

// BenchmarkMediaAcrossVeth: how long a student waits for the first audio frame, with UDP and
// with UDP dropped (TURN over TLS), from the moment its client begins to connect.
//
//	go test ./cmd/liveserver -run '^$' -bench MediaAcrossVeth -benchtime 5x   # as root
func BenchmarkMediaAcrossVeth(b *testing.B) {
	c := newVethClass(b)
	for _, mode := range []struct {
		name     string
		blockUDP bool
	}{{"udp", false}, {"udp-dropped", true}} {
		if mode.blockUDP {
			c.dropUDP(b)
		}
		b.Run(mode.name, func(b *testing.B) {
			var first, join []float64
			for range b.N {
				_, got := c.round(b)
				first, join = append(first, float64(got.FirstFrameMs)), append(join, float64(got.JoinMs))
			}
			slices.Sort(first)
			slices.Sort(join)
			b.ReportMetric(first[len(first)/2], "ms-first-frame(median)")
			b.ReportMetric(first[len(first)-1], "ms-first-frame(max)")
			b.ReportMetric(join[len(join)/2], "ms-join(median)")
			b.ReportMetric(0, "ns/op")
		})
	}
}

// vethDevPort is the dev LiveKit's signalling port. Fixed, so that the client side can refuse
// it: this namespace is ours alone, so it is free.
const vethDevPort = 7880

// vethClass is the server side set up, a host and a guest signed in to a live room.
type vethClass struct {
	n               *veth
	base, room      string
	host, guest     *session
	oggPath, caFile string
	udpDropped      bool
}

func newVethClass(tb testing.TB) *vethClass {
	bin := livekittest.Binary(tb)
	livekittest.RequireLoopbackOnly(tb) // the veth goes into this private namespace, never the host's
	requireNetnsTools(tb)
	speech := oggtest.Speech(tb, "en", `Hello class. <break time="300ms"/> Today we talk about waves and light, and how sound travels through the air.`)
	c := &vethClass{oggPath: filepath.Join(tb.TempDir(), "speech.ogg")}
	if err := os.WriteFile(c.oggPath, speech, 0o600); err != nil {
		tb.Fatal(err)
	}
	c.n = newVeth(tb)
	// TURN over TLS for the UDP-blocked rounds: the Go SDK (pion) gathers UDP only, so ICE/TCP
	// is for browsers; a TLS TURN relay is how a Go client gets through. The bots trust the
	// test CA through SSL_CERT_FILE.
	var cert, key string
	c.caFile, cert, key = turnCert(tb, c.n.serverIP)
	vars := map[string]string{"DATA_DIR": tb.TempDir(), "LISTEN_ADDR": c.n.serverIP + ":0",
		"LIVESERVER_INSECURE_FAST_HASH": "1", "LIVEKIT_SERVER_BIN": bin, "LIVEKIT_DEV_PORT": strconv.Itoa(vethDevPort),
		"LIVEKIT_ADVERTISE_IP": c.n.serverIP, "LIVEKIT_TURN_TLS_CERT": cert, "LIVEKIT_TURN_TLS_KEY": key}
	// A LAN address is reachable: the host is made on the command line, not by registering.
	if err := run(context.Background(), []string{"liveserver", "user", "create", "--email", "host@school.ru", "--name", "Анна", "--password-file", "-"},
		envOf(vars), strings.NewReader("correct horse\n"), io.Discard, io.Discard); err != nil {
		tb.Fatal(err)
	}
	base, stop := startServe(tb, vars)
	tb.Cleanup(stop) // before the veth goes (cleanups run last first)
	c.base = base

	c.host = newSession(tb, base)
	c.host.call("POST", "/api/auth/login", `{"email":"host@school.ru","password":"correct horse"}`, 200)
	c.room = c.host.call("POST", "/api/rooms", `{"name":"Физика","lobbyEnabled":false}`, 201)["id"].(string)
	c.host.call("POST", "/api/rooms/"+c.room+"/start", "", 200)
	c.guest = newSession(tb, base)
	c.guest.call("POST", "/api/rooms/"+c.room+"/join", `{"name":"Борис","fingerprint":"fp-veth-guest-01"}`, 200)

	// Signalling only through us: LiveKit keeps its signalling port on loopback when we
	// forward (SignalOnLoopback), and the client side drops it besides.
	c.n.clientNft(tb, "add table inet lsclient",
		"add chain inet lsclient out { type filter hook output priority 0; policy accept; }",
		fmt.Sprintf("add rule inet lsclient out ip daddr %s tcp dport %d drop", c.n.serverIP, vethDevPort))
	return c
}

// dropUDP makes the client side drop UDP both ways, as a school firewall does.
func (c *vethClass) dropUDP(tb testing.TB) {
	c.n.clientNft(tb, "add rule inet lsclient out meta l4proto udp drop",
		"add chain inet lsclient in { type filter hook input priority 0; policy accept; }",
		"add rule inet lsclient in meta l4proto udp drop")
}

// round joins a publishing host bot and, once it publishes, a receiving guest bot, and returns
// their reports.
func (c *vethClass) round(tb testing.TB) (pub, sub botReport) {
	body := `{"roomId":"` + c.room + `"}`
	pubTok := c.host.call("POST", "/api/livekit/token", body, 200)
	subTok := c.guest.call("POST", "/api/livekit/token", body, 200)
	url := pubTok["url"].(string)
	if url != "ws://"+strings.TrimPrefix(c.base, "http://") {
		tb.Fatalf("token url %q, want our own origin %s", url, c.base)
	}
	env := func(mode string, tok map[string]any) map[string]string {
		return map[string]string{"LIVESERVER_TEST_BOT": mode, "BOT_URL": url, "BOT_TOKEN": tok["token"].(string),
			"BOT_OGG": c.oggPath, "SSL_CERT_FILE": c.caFile}
	}
	p := c.n.startBot(tb, env("publish", pubTok))
	pub = p.await(tb, "published")
	s := c.n.startBot(tb, env("receive", subTok))
	sub = s.await(tb, "received")
	p.stop(tb)
	s.stop(tb)
	return pub, sub
}

// botWantPackets is how much speech the receiver waits for: 2 s of 20 ms packets.
const botWantPackets = 100

// requireNetnsTools skips the test (fails it when LIVESERVER_REQUIRE_LIVEKIT=1) without root
// or without ip and nft (Debian's iproute2 and nftables; .ci/run installs them).
func requireNetnsTools(t testing.TB) {
	t.Helper()
	var missing []string
	if os.Geteuid() != 0 {
		missing = append(missing, "root")
	}
	for _, tool := range []string{"ip", "nft"} {
		if _, err := exec.LookPath(tool); err != nil {
			missing = append(missing, tool)
		}
	}
	if len(missing) == 0 {
		return
	}
	msg := "network namespace test needs " + strings.Join(missing, ", ") + " (apt-get install iproute2 nftables; run as root)"
	if os.Getenv(livekittest.EnvRequire) == "1" {
		t.Fatal(msg)
	}
	t.Skip(msg)
}

// veth is a veth pair from this (private) namespace to a client namespace made for the test.
type veth struct {
	clientNS           string
	serverIP, clientIP string
}

func newVeth(t testing.TB) *veth {
	t.Helper()
	pid := strconv.Itoa(os.Getpid())
	n := &veth{clientNS: "lsclient-" + pid, serverIP: "10.200.7.1", clientIP: "10.200.7.2"}
	ipCmd(t, "netns", "add", n.clientNS)
	t.Cleanup(func() { ipCmd(t, "netns", "del", n.clientNS) })
	ipCmd(t, "link", "add", "lsv-srv", "type", "veth", "peer", "name", "lsv-cli", "netns", n.clientNS)
	t.Cleanup(func() { ipCmd(t, "link", "del", "lsv-srv") }) // takes its peer with it
	ipCmd(t, "addr", "add", n.serverIP+"/30", "dev", "lsv-srv")
	ipCmd(t, "link", "set", "lsv-srv", "up")
	ipCmd(t, "-n", n.clientNS, "addr", "add", n.clientIP+"/30", "dev", "lsv-cli")
	ipCmd(t, "-n", n.clientNS, "link", "set", "lsv-cli", "up")
	ipCmd(t, "-n", n.clientNS, "link", "set", "lo", "up")
	return n
}

func ipCmd(t testing.TB, args ...string) {
	t.Helper()
	if out, err := exec.Command("ip", args...).CombinedOutput(); err != nil {
		t.Fatalf("ip %s: %v: %s", strings.Join(args, " "), err, out)
	}
}

// clientNft applies nft commands in the client namespace.
func (n *veth) clientNft(t testing.TB, cmds ...string) {
	t.Helper()
	for _, c := range cmds {
		args := append([]string{"netns", "exec", n.clientNS, "nft"}, strings.Fields(c)...)
		if out, err := exec.Command("ip", args...).CombinedOutput(); err != nil {
			t.Fatalf("nft %s: %v: %s", c, err, out)
		}
	}
}

// botReport is what a bot prints, one JSON line per step.
type botReport struct {
	Step         string `json:"step"`
	Error        string `json:"error,omitempty"`
	JoinMs       int64  `json:"joinMs"`
	FirstFrameMs int64  `json:"firstFrameMs,omitempty"`
	Packets      int    `json:"packets,omitempty"`
	Known        int    `json:"known,omitempty"`    // packets equal to one of the speech file's
	Protocol     string `json:"protocol,omitempty"` // of the local candidate, and its type
	Candidate    string `json:"candidate,omitempty"`
	TCPOffered   string `json:"tcpOffered,omitempty"` // LiveKit's passive ICE/TCP candidate, if any
}

// bot is this test binary run as a LiveKit bot in the client namespace (see runTestBot).
type bot struct {
	cmd     *exec.Cmd
	stdin   io.WriteCloser
	reports chan botReport
	last    botReport
	stderr  *syncBuffer
	done    chan error
}

func (n *veth) startBot(t testing.TB, env map[string]string) *bot {
	t.Helper()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("ip", "netns", "exec", n.clientNS, self, "-test.run=^$")
	cmd.Env = os.Environ()
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	b := &bot{cmd: cmd, reports: make(chan botReport, 8), stderr: &syncBuffer{}, done: make(chan error, 1)}
	cmd.Stderr = b.stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if b.stdin, err = cmd.StdinPipe(); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			var r botReport
			if json.Unmarshal(sc.Bytes(), &r) == nil && r.Step != "" {
				b.reports <- r
			}
		}
		close(b.reports)
		b.done <- cmd.Wait()
	}()
	t.Cleanup(func() { b.stop(t) })
	return b
}

// await waits for the bot's report of step.
func (b *bot) await(t testing.TB, step string) botReport {
	t.Helper()
	timeout := time.After(60 * time.Second)
	for {
		select {
		case r, ok := <-b.reports:
			if !ok {
				t.Fatalf("bot ended before %q: %s", step, b.stderr.String())
			}
			if r.Error != "" {
				t.Fatalf("bot: %s\n%s", r.Error, b.stderr.String())
			}
			if r.Step == step {
				b.last = r
				return r
			}
		case <-timeout:
			t.Fatalf("bot did not report %q in 60 s: %s", step, b.stderr.String())
		}
	}
}

// stop closes the bot's stdin, which makes it leave the room and exit.
func (b *bot) stop(t testing.TB) {
	t.Helper()
	if b.stdin == nil {
		return
	}
	b.stdin.Close()
	b.stdin = nil
	select {
	case err := <-b.done:
		if err != nil {
			t.Errorf("bot exited with %v: %s", err, b.stderr.String())
		}
	case <-time.After(15 * time.Second):
		b.cmd.Process.Kill()
		t.Errorf("bot did not exit: %s", b.stderr.String())
	}
}

// runTestBot is the bot's side (the test binary re-run with LIVESERVER_TEST_BOT set, from
// TestMain): join BOT_URL with BOT_TOKEN, then publish BOT_OGG's speech in a loop, or receive
// the first track and compare its packets with the file's. It reports on stdout and leaves when
// stdin closes.
func runTestBot(mode string) int {
	out := json.NewEncoder(os.Stdout)
	fail := func(err error) int {
		out.Encode(botReport{Step: "error", Error: err.Error()})
		return 1
	}
	packets, err := oggPackets(os.Getenv("BOT_OGG"))
	if err != nil {
		return fail(err)
	}
	type frame struct {
		at    time.Time
		known bool
	}
	frames := make(chan frame, 1024)
	known := map[[32]byte]bool{}
	for _, p := range packets {
		known[sha256.Sum256(p)] = true
	}
	cb := lksdk.NewRoomCallback()
	cb.OnTrackSubscribed = func(track *webrtc.TrackRemote, _ *lksdk.RemoteTrackPublication, _ *lksdk.RemoteParticipant) {
		go func() {
			for {
				pkt, _, err := track.ReadRTP()
				if err != nil {
					return
				}
				if len(pkt.Payload) == 0 {
					continue
				}
				select {
				case frames <- frame{time.Now(), known[sha256.Sum256(pkt.Payload)]}:
				default:
				}
			}
		}()
	}
	start := time.Now()
	room, err := lksdk.ConnectToRoomWithToken(os.Getenv("BOT_URL"), os.Getenv("BOT_TOKEN"), cb, lksdk.WithAutoSubscribe(mode == "receive"))
	if err != nil {
		return fail(fmt.Errorf("join: %w", err))
	}
	defer room.Disconnect()
	joined := time.Since(start)

	stopped := make(chan struct{})
	go func() { io.Copy(io.Discard, os.Stdin); close(stopped) }()

	switch mode {
	case "publish":
		track, err := lksdk.NewLocalSampleTrack(webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeOpus, ClockRate: 48000, Channels: 2})
		if err != nil {
			return fail(err)
		}
		if _, err := room.LocalParticipant.PublishTrack(track, &lksdk.TrackPublicationOptions{Name: "microphone"}); err != nil {
			return fail(fmt.Errorf("publish: %w", err))
		}
		go func() {
			// Paced like a live microphone, round and round, until the test ends.
			next := time.Now()
			for {
				for _, p := range packets {
					d := time.Duration(ogg.PacketSamples(p)) * time.Second / 48000
					if err := track.WriteSample(media.Sample{Data: p, Duration: d}, nil); err != nil && !errors.Is(err, io.ErrClosedPipe) {
						return
					}
					next = next.Add(d)
					select {
					case <-stopped:
						return
					case <-time.After(time.Until(next)):
					}
				}
			}
		}()
		proto, cand, tcp := selectedPair(room, 10*time.Second)
		out.Encode(botReport{Step: "published", JoinMs: joined.Milliseconds(), Protocol: proto, Candidate: cand, TCPOffered: tcp})
	case "receive":
		var first time.Time
		n, k := 0, 0
		timeout := time.After(45 * time.Second)
		for n < botWantPackets {
			select {
			case f := <-frames:
				if first.IsZero() {
					first = f.at
				}
				n++
				if f.known {
					k++
				}
			case <-timeout:
				return fail(fmt.Errorf("received %d packets in 45 s", n))
			}
		}
		proto, cand, tcp := selectedPair(room, 5*time.Second)
		out.Encode(botReport{Step: "received", JoinMs: joined.Milliseconds(), FirstFrameMs: first.Sub(start).Milliseconds(),
			Packets: n, Known: k, Protocol: proto, Candidate: cand, TCPOffered: tcp})
	default:
		return fail(fmt.Errorf("unknown bot mode %q", mode))
	}
	<-stopped
	return 0
}

// selectedPair describes the room's media connection: the local candidate's protocol and type
// ("udp host", "udp relay"), the pair, and LiveKit's passive ICE/TCP candidate if it offered one.
func selectedPair(room *lksdk.Room, wait time.Duration) (proto, pairDesc, tcpOffered string) {
	deadline := time.Now().Add(wait)
	for {
		for _, pc := range []*webrtc.PeerConnection{room.LocalParticipant.GetSubscriberPeerConnection(), room.LocalParticipant.GetPublisherPeerConnection()} {
			if pc == nil || pc.SCTP() == nil || pc.SCTP().Transport() == nil {
				continue
			}
			pair, err := pc.SCTP().Transport().ICETransport().GetSelectedCandidatePair()
			if err != nil || pair == nil {
				continue
			}
			for _, s := range pc.GetStats() {
				if c, ok := s.(webrtc.ICECandidateStats); ok && c.Type == webrtc.StatsTypeRemoteCandidate && c.Protocol == "tcp" {
					tcpOffered = net.JoinHostPort(c.IP, strconv.Itoa(int(c.Port)))
				}
			}
			return pair.Local.Protocol.String() + " " + pair.Local.Typ.String(),
				pair.Local.Typ.String() + " " + pair.Local.Address + " → " + pair.Remote.Typ.String() + " " +
					net.JoinHostPort(pair.Remote.Address, strconv.Itoa(int(pair.Remote.Port))), tcpOffered
		}
		if time.Now().After(deadline) {
			return "none", "", ""
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// turnCert makes a test CA and a certificate for ip signed by it, as PEM files: the CA's, the
// certificate's and its key's paths.
func turnCert(t testing.TB, ip string) (caFile, certFile, keyFile string) {
	t.Helper()
	dir := t.TempDir()
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	caTmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "LiveServer test CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	ca, _ := x509.ParseCertificate(caDER)
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	leaf := &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: ip},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		IPAddresses: []net.IP{net.ParseIP(ip)}, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, leaf, ca, &key.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	write := func(name, typ string, b []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: b}), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	return write("ca.pem", "CERTIFICATE", caDER), write("turn.pem", "CERTIFICATE", der), write("turn-key.pem", "PRIVATE KEY", keyDER)
}

// oggPackets reads the Opus packets of an Ogg/Opus file, headers left out.
func oggPackets(path string) ([][]byte, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var packets [][]byte
	var partial []byte
	for i := 0; len(data) > 0; i++ {
		p, n, err := ogg.Parse(data)
		if err != nil {
			return nil, err
		}
		data = data[n:]
		if i < 2 { // OpusHead, OpusTags
			continue
		}
		payload := p.Payload()
		sizes := p.PacketSizes()
		for j, size := range sizes {
			piece := payload[:size]
			payload = payload[size:]
			if j == 0 && p.Continued() {
				piece = append(partial, piece...)
				partial = nil
			}
			if j == len(sizes)-1 && !p.EndsPacket() {
				partial = append([]byte(nil), piece...)
				continue
			}
			packets = append(packets, piece)
		}
	}
	if len(packets) == 0 {
		return nil, errors.New("no audio packets in " + path)
	}
	return packets, nil
}
