package main

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"

	"github.com/liveserver/liveserver/internal/deepgram/deepgramtest"
	"github.com/liveserver/liveserver/internal/domain"
	"github.com/liveserver/liveserver/internal/livekit"
	"github.com/liveserver/liveserver/internal/livekit/livekittest"
	"github.com/liveserver/liveserver/internal/ogg/oggtest"
	"github.com/liveserver/liveserver/internal/sqlstore"
)

// envSubcommand makes the test binary run one of the program's subcommands instead of the
// tests: how a test starts `liveserver agent` as a process of its own, to kill it.
const envSubcommand = "LIVESERVER_TEST_SUBCOMMAND"

// agentProcess is `liveserver agent` running as a child process.
type agentProcess struct {
	cmd *exec.Cmd
	out *syncBuffer
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func startAgentProcess(t testing.TB, vars map[string]string) *agentProcess {
	t.Helper()
	cmd := exec.Command(os.Args[0])
	cmd.Env = []string{envSubcommand + "=agent", "PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME")}
	for k, v := range vars {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	p := &agentProcess{cmd: cmd, out: &syncBuffer{}}
	cmd.Stdout, cmd.Stderr = p.out, p.out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
		}
		if t.Failed() {
			t.Logf("agent process output:\n%s", p.out.String())
		}
	})
	return p
}

// freeAddr is a loopback address nobody listens on now.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// The assistant is killed (SIGKILL) in the middle of a lecture and started again: the final
// segments stored before are all still there, and captions resume.
func TestAgentKilledMidLecture(t *testing.T) {
	bin := livekittest.Binary(t)
	livekittest.RequireLoopbackOnly(t)
	speech := oggtest.Speech(t, "ru", `Сегодня мы продолжаем разговор о законах Ньютона. Второй закон связывает силу,
		массу и ускорение. Третий закон говорит, что действие равно противодействию.`)
	dg := deepgramtest.Start(t)
	dir := t.TempDir()
	vars := map[string]string{"DATA_DIR": dir, "LISTEN_ADDR": "127.0.0.1:0", "LIVESERVER_INSECURE_FAST_HASH": "1",
		"LIVEKIT_SERVER_BIN": bin, "LIVEKIT_DEV_PORT": "0", "STT_PROVIDER": "deepgram", "DEEPGRAM_URL": dg.URL,
		"DEEPGRAM_API_KEY": deepgramtest.Key, "AGENT_IN_SERVE": "off",
		// The token's url must be LiveKit's own address: the agent and the RoomService client
		// below talk to LiveKit directly, and our server forwards signalling only, never Twirp.
		"LIVEKIT_SIGNAL_VIA_APP": "off"}
	base, stop := startServe(t, vars)
	defer stop()
	ctx := context.Background()

	host := newSession(t, base)
	host.call("POST", "/api/auth/register", `{"email":"host@school.ru","password":"correct horse","name":"Анна"}`, 201)
	room := host.call("POST", "/api/rooms", `{"name":"Физика"}`, 201)
	id, lec := room["id"].(string), room["lectureId"].(string)
	host.call("POST", "/api/rooms/"+id+"/start", "", 200)
	tok := host.call("POST", "/api/livekit/token", `{"roomId":"`+id+`"}`, 200)
	if tok["captions"] != true {
		t.Fatalf("token = %v, want captions on", tok)
	}
	url := tok["url"].(string)
	secret, err := os.ReadFile(filepath.Join(dir, "livekit_dev_secret"))
	if err != nil {
		t.Fatal(err)
	}
	lkcfg := livekit.Config{URL: url, APIKey: devAPIKey, APISecret: strings.TrimSpace(string(secret))}
	lk, err := livekit.NewClient(lkcfg)
	if err != nil {
		t.Fatal(err)
	}
	agentVars := map[string]string{"LIVEKIT_URL": url, "LIVEKIT_API_KEY": lkcfg.APIKey, "LIVEKIT_API_SECRET": lkcfg.APISecret}
	for k, v := range vars {
		if k != "LISTEN_ADDR" && k != "AGENT_IN_SERVE" {
			agentVars[k] = v
		}
	}
	agents := func() map[string]bool {
		ps, err := lk.ListParticipants(ctx, lec)
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]bool{}
		for _, p := range ps {
			if p.Kind == livekit.KindAgent {
				out[p.Identity] = true
			}
		}
		return out
	}
	db, err := sqlstore.OpenSQLite(ctx, filepath.Join(dir, "liveserver.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	transcript := func() []domain.TranscriptSegment {
		segs, err := db.Transcript(ctx, lec)
		if err != nil {
			t.Fatal(err)
		}
		return segs
	}

	first := startAgentProcess(t, agentVars)
	waitFor(t, "the assistant to join", func() bool { return len(agents()) == 1 })
	before := agents()
	bot, err := livekittest.Join(t, url, tok["token"].(string))
	if err != nil {
		t.Fatal(err)
	}
	pub, sent := livekittest.PublishOgg(t, bot.Room, speech)
	waitFor(t, "a final segment", func() bool { return len(transcript()) >= 1 })
	if err := first.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = first.cmd.Wait()
	kept := transcript()
	if c := dg.Conns(); len(c) != 1 || c[0].CloseStream {
		t.Fatalf("the killed assistant closed its stream: %+v", c)
	}
	<-sent
	if err := bot.Room.LocalParticipant.UnpublishTrack(pub.SID()); err != nil {
		t.Fatal(err)
	}

	// A new process takes the room over once the dead one's lease runs out. It answers probes.
	probe := freeAddr(t)
	agentVars["AGENT_LISTEN_ADDR"] = probe
	second := startAgentProcess(t, agentVars)
	waitFor(t, "a new assistant in the room", func() bool {
		for a := range agents() {
			if !before[a] {
				return true
			}
		}
		return false
	})
	pub2, sent2 := livekittest.PublishOgg(t, bot.Room, speech)
	waitFor(t, "captions to resume", func() bool {
		for _, s := range transcript() {
			if s.TrackID == pub2.SID() {
				return true
			}
		}
		return false
	})
	<-sent2
	if err := run(ctx, []string{"liveserver", "healthcheck", "--agent"}, envOf(map[string]string{"AGENT_LISTEN_ADDR": probe}),
		strings.NewReader(""), io.Discard, io.Discard); err != nil {
		t.Errorf("healthcheck --agent: %v", err)
	}
	res, err := http.Get("http://" + probe + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Errorf("agent /readyz: %s", res.Status)
	}
	res, err = http.Get("http://" + probe + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if !strings.Contains(string(body), "liveserver_agent_process_rooms 1") {
		t.Errorf("agent metrics lack its room:\n%.2000s", body)
	}
	after := map[string]string{}
	for _, s := range transcript() {
		after[s.SegmentID] = s.Text
	}
	for _, s := range kept {
		if after[s.SegmentID] != s.Text {
			t.Errorf("segment %s %q from before the kill is gone", s.SegmentID, s.Text)
		}
	}
	t.Logf("%d segments before the kill, %d in all", len(kept), len(after))

	// A stop signal ends the process cleanly.
	if err := second.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := second.cmd.Wait(); err != nil {
		t.Fatalf("the assistant did not stop cleanly: %v", err)
	}
}
