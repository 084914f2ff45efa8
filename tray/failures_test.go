package tray

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"golang.org/x/oauth2"

	"github.com/zoom-presence/zoom-presence/zoom"
	"github.com/zoom-presence/zoom-presence/zoom/zoomsim"
)

// syncBuffer is a bytes.Buffer for a log handler that the Sender's
// goroutine writes while the test reads.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) lines() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return strings.Split(strings.TrimSpace(b.buf.String()), "\n")
}

// TestFailureNotifications sends one choice through a Sender to a
// simulator that fails it once, for every error Zoom documents for the
// presence update and for the bodies seen from Zoom and proxies that
// Zoom does not document. Each failure must give exactly one
// notification, in plain words, and exactly one warning log line that
// names the HTTP status and Zoom's code.
func TestFailureNotifications(t *testing.T) {
	huge := strings.Repeat("Service temporarily overloaded. ", 5<<20/32) // 5 MiB

	tests := []struct {
		name       string
		setup      func(*zoomsim.Server)
		wantTitle  string
		wantBody   string
		httpStatus int // 0 for a failure without a response
		code       int // 0 when the body carries none
	}{
		{
			name:       "5301 not signed in to a Zoom client",
			setup:      func(s *zoomsim.Server) { s.SetSignedOut(true) },
			wantTitle:  titleNotChanged,
			wantBody:   "Open the Zoom app",
			httpStatus: 400, code: 5301,
		},
		{
			name:       "5411 no permission",
			setup:      func(s *zoomsim.Server) { s.FailNext(1, zoomsim.FaultNoPermission) },
			wantTitle:  titleNotChanged,
			wantBody:   "not allowed to set Away",
			httpStatus: 400, code: 5411,
		},
		{
			name:       "1001 user not found",
			setup:      func(s *zoomsim.Server) { s.FailNext(1, zoomsim.FaultUserNotFound) },
			wantTitle:  titleNotChanged,
			wantBody:   "does not know the signed-in user",
			httpStatus: 404, code: 1001,
		},
		{
			name: "124 invalid token",
			setup: func(s *zoomsim.Server) {
				s.FailNext(1, zoomsim.Fault{Status: 401, Code: 124, Message: "Invalid access token."})
			},
			wantTitle:  titleSignIn,
			wantBody:   "Sign in to Zoom…",
			httpStatus: 401, code: 124,
		},
		{
			name: "104 missing scope",
			setup: func(s *zoomsim.Server) {
				s.FailNext(1, zoomsim.Fault{Status: 400, Code: 104, Message: "Invalid access token, does not contain scopes:[user:update:presence_status]."})
			},
			wantTitle:  titleNotChanged,
			wantBody:   "lacks the presence scopes",
			httpStatus: 400, code: 104,
		},
		{
			name: "4700 missing granular scope",
			setup: func(s *zoomsim.Server) {
				s.FailNext(1, zoomsim.Fault{Status: 400, Code: 4700, Message: "Invalid access token, does not contain scopes:[user:update:presence_status]."})
			},
			wantTitle:  titleNotChanged,
			wantBody:   "lacks the presence scopes",
			httpStatus: 400, code: 4700,
		},
		{
			name: "300 validation failed",
			setup: func(s *zoomsim.Server) {
				s.FailNext(1, zoomsim.Fault{Status: 400, Code: 300, Message: "Validation Failed."})
			},
			wantTitle:  titleNotChanged,
			wantBody:   "Zoom rejected Away: Validation Failed.",
			httpStatus: 400, code: 300,
		},
		{
			name:       "429 with an RFC 3339 Retry-After",
			setup:      func(s *zoomsim.Server) { s.RateLimitNext(1) },
			wantTitle:  titleDelayed,
			wantBody:   "one status change a minute",
			httpStatus: 429,
		},
		{
			name: "429 with Retry-After in seconds",
			setup: func(s *zoomsim.Server) {
				s.FailNext(1, zoomsim.Fault{Status: 429, RetryAfter: "30"})
			},
			wantTitle:  titleDelayed,
			wantBody:   "one status change a minute",
			httpStatus: 429,
		},
		{
			name:       "429 daily limit",
			setup:      func(s *zoomsim.Server) { s.FailNext(1, zoomsim.Fault{Status: 429, RateLimitType: "Daily-limit"}) },
			wantTitle:  titleDelayed,
			wantBody:   "used its daily API requests",
			httpStatus: 429,
		},
		{
			name:       "500 with an empty text/plain body",
			setup:      func(s *zoomsim.Server) { s.FailNext(1, zoomsim.FaultServerError) },
			wantTitle:  titleDelayed,
			wantBody:   "server problem (HTTP status 500)",
			httpStatus: 500,
		},
		{
			name:       "502 with an HTML page",
			setup:      func(s *zoomsim.Server) { s.FailNext(1, zoomsim.FaultBadGateway) },
			wantTitle:  titleDelayed,
			wantBody:   "server problem (HTTP status 502)",
			httpStatus: 502,
		},
		{
			name: "503 with a 5 MiB body",
			setup: func(s *zoomsim.Server) {
				s.FailNext(1, zoomsim.Fault{Status: 503, ContentType: "text/plain", Body: huge})
			},
			wantTitle:  titleDelayed,
			wantBody:   "server problem (HTTP status 503)",
			httpStatus: 503,
		},
		{
			name: "400 with a 5 MiB body",
			setup: func(s *zoomsim.Server) {
				s.FailNext(1, zoomsim.Fault{Status: 400, ContentType: "text/plain", Body: huge})
			},
			wantTitle:  titleNotChanged,
			wantBody:   "Zoom rejected Away: Service temporarily overloaded.",
			httpStatus: 400,
		},
		{
			name: "JSON with unescaped quotes",
			setup: func(s *zoomsim.Server) {
				s.FailNext(1, zoomsim.Fault{Status: 400, Body: `{"code":104,"message":"Invalid access token, does not contain scopes:["user:update:presence_status"]."}`})
			},
			wantTitle:  titleNotChanged,
			wantBody:   "lacks the presence scopes",
			httpStatus: 400, code: 104,
		},
		{
			name:      "dropped connection",
			setup:     func(s *zoomsim.Server) { s.FailNext(1, zoomsim.FaultDrop) },
			wantTitle: titleDelayed,
			wantBody:  "could not be reached",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				messages, warnings := failOnce(t, tt.setup)

				if len(messages) != 1 {
					t.Fatalf("notifications = %d, want 1: %+v", len(messages), messages)
				}
				msg := messages[0]
				if msg.Title != tt.wantTitle {
					t.Errorf("title = %q, want %q", msg.Title, tt.wantTitle)
				}
				if !strings.Contains(msg.Body, tt.wantBody) {
					t.Errorf("body = %q, want it to contain %q", msg.Body, tt.wantBody)
				}
				if strings.ContainsAny(msg.Body, "<>{}") {
					t.Errorf("body = %q, want plain words without markup or JSON", msg.Body)
				}
				if len(msg.Body) > 400 {
					t.Errorf("body has %d bytes, want at most 400", len(msg.Body))
				}

				if len(warnings) != 1 {
					t.Fatalf("warning log lines = %d, want 1:\n%s", len(warnings), strings.Join(warnings, "\n"))
				}
				line := warnings[0]
				if tt.httpStatus != 0 && !strings.Contains(line, "http_status="+strconv.Itoa(tt.httpStatus)) {
					t.Errorf("log line lacks http_status=%d: %s", tt.httpStatus, line)
				}
				if tt.httpStatus == 0 && strings.Contains(line, "http_status=") {
					t.Errorf("log line of a failure without a response has an HTTP status: %s", line)
				}
				if tt.code != 0 && !strings.Contains(line, "code="+strconv.Itoa(tt.code)) {
					t.Errorf("log line lacks code=%d: %s", tt.code, line)
				}
				if len(line) > 2000 {
					t.Errorf("log line has %d bytes, want the body cut short", len(line))
				}
			})
		})
	}
}

// failOnce runs a Sender against a simulator prepared by setup and
// chooses Away. It stops the Sender once it has given up or has sent the
// choice after its first retry, and returns the notifications that alerts
// picks from the events and the warning log lines.
func failOnce(t *testing.T, setup func(*zoomsim.Server)) ([]Message, []string) {
	t.Helper()

	sim := zoomsim.New(zoomsim.Options{})
	httpClient := &http.Client{Transport: &oauth2.Transport{
		Source: oauth2.StaticTokenSource(sim.IssueToken()),
		Base:   sim.Transport(),
	}}
	client, err := zoom.NewClient(httpClient, "http://127.0.0.1/v2")
	if err != nil {
		t.Fatalf("NewClient: %v", err)
	}

	logs := &syncBuffer{}
	var mu sync.Mutex
	var messages []Message
	var picker alerts
	sender := zoom.NewSender(client, zoom.SenderOptions{
		Logger:    slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelWarn})),
		Permanent: needsSignIn,
		OnEvent: func(e zoom.Event) {
			mu.Lock()
			defer mu.Unlock()
			if msg, ok := picker.message(e); ok {
				messages = append(messages, msg)
			}
		},
	})

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = sender.Run(ctx)
	}()
	synctest.Wait()

	setup(sim)
	sender.Choose(zoom.Update{Status: zoom.StatusAway})
	time.Sleep(10 * time.Second) // past the debounce and the first 5xx retry
	synctest.Wait()
	cancel()
	<-done

	var warnings []string
	for _, line := range logs.lines() {
		if line != "" {
			warnings = append(warnings, line)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	return messages, warnings
}
