package auth

import (
	"bytes"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/zoom-presence/zoom-presence/zoom/zoomsim"
)

const testClientID = "test-client-id"

// startSim starts a simulator on 127.0.0.1 and closes it when the test
// ends.
func startSim(t *testing.T, opts zoomsim.Options) *zoomsim.Server {
	t.Helper()

	if opts.ClientID == "" {
		opts.ClientID = testClientID
	}
	sim := zoomsim.New(opts)
	if err := sim.Start("127.0.0.1:0"); err != nil {
		t.Fatalf("start simulator: %v", err)
	}
	t.Cleanup(func() { _ = sim.Close() })
	return sim
}

// freePort returns a port on host that was free a moment ago. It picks
// from below Linux's default ephemeral range (32768-60999), so that the
// client side of another connection is unlikely to take the port before
// the test listens on it.
func freePort(t *testing.T, host string) string {
	t.Helper()

	for range 100 {
		port := strconv.Itoa(20000 + rand.IntN(12000))
		ln, err := net.Listen("tcp", net.JoinHostPort(host, port))
		if err != nil {
			continue
		}
		_ = ln.Close()
		return port
	}
	t.Fatalf("no free port found on %s", host)
	return ""
}

// testRedirectURL returns a redirect URL on a free port of 127.0.0.1.
func testRedirectURL(t *testing.T) string {
	return "http://127.0.0.1:" + freePort(t, "127.0.0.1") + "/callback"
}

// newTestLogger returns a logger that writes Debug and above to a buffer
// that the test can read.
func newTestLogger() (*slog.Logger, *syncBuffer) {
	buf := &syncBuffer{}
	return slog.New(slog.NewTextHandler(buf, &slog.HandlerOptions{Level: slog.LevelDebug})), buf
}

type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// browserResult is the response that the stand-in browser got.
type browserResult struct {
	status int
	body   string
	err    error
}

// browser returns a stand-in for the system's browser opener: it follows
// the authorization URL through the simulator's redirect to the loopback
// server with a real HTTP client, and sends the final page on the
// returned channel.
func browser() (open func(string) error, result <-chan browserResult) {
	ch := make(chan browserResult, 1)
	open = func(authURL string) error {
		// A client of its own, so that no connection from an earlier
		// sign-in on the same port is reused.
		transport := &http.Transport{}
		defer transport.CloseIdleConnections()
		ch <- get(&http.Client{Transport: transport}, authURL, "")
		return nil
	}
	return open, ch
}

// get sends a GET request, with host as the Host header if it is not "".
func get(client *http.Client, rawURL, host string) browserResult {
	req, err := http.NewRequest(http.MethodGet, rawURL, nil)
	if err != nil {
		return browserResult{err: err}
	}
	if host != "" {
		req.Host = host
	}
	resp, err := client.Do(req)
	if err != nil {
		return browserResult{err: err}
	}
	defer resp.Body.Close()

	body, err := io.ReadAll(resp.Body)
	return browserResult{status: resp.StatusCode, body: string(body), err: err}
}

// noRedirectClient stops at the first redirect, so that a test can read
// the code and state from the simulator's Location header.
var noRedirectClient = &http.Client{
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
}

// authorize sends the authorization request to the simulator and returns
// the redirect URL with the code and state, without following it.
func authorize(t *testing.T, authURL string) string {
	t.Helper()

	resp, err := noRedirectClient.Get(authURL)
	if err != nil {
		t.Errorf("authorize: %v", err)
		return ""
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound {
		t.Errorf("authorize: status %d, want 302", resp.StatusCode)
	}
	return resp.Header.Get("Location")
}

// requestsTo returns the recorded requests for path.
func requestsTo(sim *zoomsim.Server, path string) []zoomsim.Request {
	var out []zoomsim.Request
	for _, r := range sim.Requests() {
		if r.Path == path {
			out = append(out, r)
		}
	}
	return out
}

// requestsAfter returns the recorded requests after the first n.
func requestsAfter(sim *zoomsim.Server, n int) []zoomsim.Request {
	return sim.Requests()[n:]
}

func summarize(reqs []zoomsim.Request) string {
	var b strings.Builder
	for _, r := range reqs {
		b.WriteString(r.Method + " " + r.Path + " " + http.StatusText(r.Status) + "\n")
	}
	return b.String()
}
