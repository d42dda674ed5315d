package main

import (
	"io"
	"net/http"
	"strings"
	"testing"
)

// /metrics shows what the server did, in Prometheus's format, to the holder of METRICS_TOKEN.
func TestMetrics(t *testing.T) {
	base, stop := startServe(t, map[string]string{"DATA_DIR": t.TempDir(), "LISTEN_ADDR": "127.0.0.1:0",
		"LIVESERVER_INSECURE_FAST_HASH": "1", "LIVEKIT_DEV_SERVER": "off", "METRICS_TOKEN": "scrape-me"})
	defer stop()
	host := newSession(t, base)
	host.call("POST", "/api/auth/register", `{"email":"host@school.ru","password":"correct horse","name":"Анна"}`, 201)
	id := host.call("POST", "/api/rooms", `{"name":"M"}`, 201)["id"].(string)
	host.call("GET", "/api/rooms/"+id, "", 200)
	host.call("GET", "/api/nope", "", 404)

	resp, err := http.Get(base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 401 {
		t.Fatalf("/metrics without the token = %d", resp.StatusCode)
	}
	req, _ := http.NewRequest("GET", base+"/metrics", nil)
	req.Header.Set("Authorization", "Bearer scrape-me")
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	text := string(b)
	for _, want := range []string{
		`liveserver_http_requests_total{method="POST",route="POST /api/auth/register",status="201"} 1`,
		`liveserver_http_requests_total{method="GET",route="GET /api/rooms/{roomId}",status="200"} 1`,
		`liveserver_http_request_duration_seconds_count{route="POST /api/rooms"} 1`,
		`liveserver_rooms{status="CREATED"} 1`,
		`liveserver_jobs{status="QUEUED"} 0`,
		`liveserver_event_streams_open 0`,
		`go_goroutines`,
	} {
		if !strings.Contains(text, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
}
