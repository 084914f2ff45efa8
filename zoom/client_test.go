package zoom

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/oauth2"
)

// recordedRequest is what a presence test server received.
type recordedRequest struct {
	method        string
	path          string
	rawQuery      string
	contentType   string
	accept        string
	authorization string
	body          string
}

// presenceServer is a loopback server that records each request and
// responds with a fixed reply.
type presenceServer struct {
	*httptest.Server

	mu       sync.Mutex
	requests []recordedRequest
}

func startPresenceServer(t *testing.T, reply errorReply) *presenceServer {
	t.Helper()

	ps := &presenceServer{}
	ps.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		ps.mu.Lock()
		ps.requests = append(ps.requests, recordedRequest{
			method:        r.Method,
			path:          r.URL.Path,
			rawQuery:      r.URL.RawQuery,
			contentType:   r.Header.Get("Content-Type"),
			accept:        r.Header.Get("Accept"),
			authorization: r.Header.Get("Authorization"),
			body:          string(body),
		})
		ps.mu.Unlock()

		for key, value := range reply.header {
			w.Header()[key] = []string{value}
		}
		w.WriteHeader(reply.status)
		_, _ = io.WriteString(w, reply.body)
	}))
	t.Cleanup(ps.Close)
	return ps
}

func (ps *presenceServer) received() []recordedRequest {
	ps.mu.Lock()
	defer ps.mu.Unlock()
	return append([]recordedRequest(nil), ps.requests...)
}

// newTestClient returns a Client for ps whose requests carry
// testOpaqueToken through an oauth2.Transport, as in the app.
func newTestClient(t *testing.T, ps *presenceServer) *Client {
	t.Helper()

	httpClient := &http.Client{Transport: &oauth2.Transport{
		Source: oauth2.StaticTokenSource(&oauth2.Token{AccessToken: testOpaqueToken, TokenType: "Bearer"}),
		Base:   ps.Client().Transport,
	}}
	client, err := NewClient(httpClient, ps.URL+"/v2")
	if err != nil {
		t.Fatalf("NewClient: %v", err)
	}
	return client
}

func TestNewClientDefaults(t *testing.T) {
	client, err := NewClient(nil, "")
	if err != nil {
		t.Fatalf("NewClient(nil, \"\") = %v", err)
	}

	if client.httpClient != http.DefaultClient {
		t.Error("httpClient is not http.DefaultClient")
	}
	if client.baseURL != DefaultBaseURL {
		t.Errorf("baseURL = %q, want %q", client.baseURL, DefaultBaseURL)
	}
}

func TestNewClientBaseURL(t *testing.T) {
	tests := []struct {
		base    string
		want    string
		wantErr bool
	}{
		{base: "http://127.0.0.1:8080/v2", want: "http://127.0.0.1:8080/v2"},
		{base: "http://127.0.0.1:8080/v2/", want: "http://127.0.0.1:8080/v2"},
		{base: "http://[::1]:8080", want: "http://[::1]:8080"},
		{base: "https://api.zoom.us/v2", want: "https://api.zoom.us/v2"},
		{base: "127.0.0.1:8080/v2", wantErr: true},
		{base: "/v2", wantErr: true},
		{base: "ftp://127.0.0.1/v2", wantErr: true},
		{base: "http:///v2", wantErr: true},
		{base: "http://127.0.0.1/v2?user=x", wantErr: true},
		{base: "http://127.0.0.1/v2#top", wantErr: true},
		{base: "http://user:pass@127.0.0.1/v2", wantErr: true},
		{base: "http://127.0.0.1:port/v2", wantErr: true},
	}

	for _, tt := range tests {
		t.Run(tt.base, func(t *testing.T) {
			client, err := NewClient(nil, tt.base)
			if tt.wantErr {
				if err == nil {
					t.Errorf("NewClient(%q) = nil error, want an error", tt.base)
				}
				return
			}
			if err != nil {
				t.Fatalf("NewClient(%q) = %v", tt.base, err)
			}
			if client.baseURL != tt.want {
				t.Errorf("baseURL = %q, want %q", client.baseURL, tt.want)
			}
		})
	}
}

func TestSetPresenceRequest(t *testing.T) {
	tests := []struct {
		update Update
		want   string
	}{
		{Update{Status: StatusDoNotDisturb, Minutes: 45}, `{"status":"Do_Not_Disturb","duration":45}`},
		{Update{Status: StatusDoNotDisturb, Minutes: MinDNDMinutes}, `{"status":"Do_Not_Disturb","duration":1}`},
		{Update{Status: StatusDoNotDisturb, Minutes: MaxDNDMinutes}, `{"status":"Do_Not_Disturb","duration":1440}`},
		{Update{Status: StatusAway}, `{"status":"Away"}`},
		{Update{Status: StatusAvailable}, `{"status":"Available"}`},
		{Update{Status: StatusBusy}, `{"status":"Busy"}`},
		{Update{Status: StatusOutOfOffice}, `{"status":"Out_of_Office"}`},
		{Update{Status: StatusInCalendarEvent}, `{"status":"In_Calendar_Event"}`},
		{Update{Status: StatusPresenting}, `{"status":"Presenting"}`},
		{Update{Status: StatusInZoomMeeting}, `{"status":"In_A_Zoom_Meeting"}`},
		{Update{Status: StatusOnCall}, `{"status":"On_A_Call"}`},
	}

	for _, tt := range tests {
		t.Run(tt.update.String(), func(t *testing.T) {
			ps := startPresenceServer(t, errorReply{status: http.StatusNoContent})
			client := newTestClient(t, ps)

			if err := client.SetPresence(t.Context(), tt.update); err != nil {
				t.Fatalf("SetPresence = %v", err)
			}

			requests := ps.received()
			if len(requests) != 1 {
				t.Fatalf("server received %d requests, want 1", len(requests))
			}
			got := requests[0]
			if got.method != http.MethodPut {
				t.Errorf("method = %s, want PUT", got.method)
			}
			if got.path != "/v2/users/me/presence_status" {
				t.Errorf("path = %s, want /v2/users/me/presence_status", got.path)
			}
			if got.rawQuery != "" {
				t.Errorf("query = %q, want none", got.rawQuery)
			}
			if got.body != tt.want {
				t.Errorf("body = %s, want %s", got.body, tt.want)
			}
			if got.contentType != "application/json" {
				t.Errorf("Content-Type = %q, want application/json", got.contentType)
			}
			if got.accept != "application/json" {
				t.Errorf("Accept = %q, want application/json", got.accept)
			}
			if got.authorization != "Bearer "+testOpaqueToken {
				t.Errorf("Authorization = %q, want the bearer token", got.authorization)
			}
		})
	}
}

func TestSetPresenceSuccess(t *testing.T) {
	for _, reply := range []errorReply{
		{status: http.StatusNoContent},
		{status: http.StatusOK, header: jsonHeader(), body: `{"status":"Away"}`},
		{status: http.StatusAccepted, body: strings.Repeat("x", 1<<20)},
	} {
		t.Run(http.StatusText(reply.status), func(t *testing.T) {
			ps := startPresenceServer(t, reply)
			client := newTestClient(t, ps)

			if err := client.SetPresence(t.Context(), Update{Status: StatusAway}); err != nil {
				t.Errorf("SetPresence = %v, want nil", err)
			}
		})
	}
}

func TestSetPresenceInvalid(t *testing.T) {
	tests := []struct {
		name   string
		update Update
	}{
		{"empty", Update{}},
		{"unknown status", Update{Status: "Sleeping"}},
		{"read-only status", Update{Status: StatusOffline}},
		{"read-only meeting", Update{Status: StatusInAMeeting}},
		{"dnd zero", Update{Status: StatusDoNotDisturb}},
		{"dnd negative", Update{Status: StatusDoNotDisturb, Minutes: -5}},
		{"dnd too long", Update{Status: StatusDoNotDisturb, Minutes: MaxDNDMinutes + 1}},
		{"away with minutes", Update{Status: StatusAway, Minutes: 30}},
	}

	ps := startPresenceServer(t, errorReply{status: http.StatusNoContent})
	client := newTestClient(t, ps)

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := client.SetPresence(t.Context(), tt.update)

			if err == nil {
				t.Fatal("SetPresence = nil, want an error")
			}
			if IsRetryable(err) {
				t.Errorf("IsRetryable(%v) = true, want false", err)
			}
		})
	}

	if n := len(ps.received()); n != 0 {
		t.Errorf("server received %d requests, want 0", n)
	}
}

func TestSetPresenceErrors(t *testing.T) {
	update := Update{Status: StatusDoNotDisturb, Minutes: 45}

	t.Run("not signed in", func(t *testing.T) {
		ps := startPresenceServer(t, errorReply{400, jsonHeader(), `{"code":5301,"message":"Request to update the presence status of this user failed."}`})
		client := newTestClient(t, ps)

		err := client.SetPresence(t.Context(), update)

		if !IsNotSignedIn(err) {
			t.Fatalf("SetPresence = %v, want a not-signed-in error", err)
		}
		var errResp *ErrorResponse
		if !errors.As(err, &errResp) {
			t.Fatalf("SetPresence = %T, want *ErrorResponse", err)
		}
		if errResp.Method != http.MethodPut {
			t.Errorf("Method = %q, want PUT", errResp.Method)
		}
		want := "set Zoom presence to Do not disturb for 45 minutes: zoom: PUT /v2/users/me/presence_status: 400 Bad Request (code 5301): " +
			"Request to update the presence status of this user failed. Sign in to the Zoom desktop or mobile app, then try again."
		if err.Error() != want {
			t.Errorf("Error() =\n%q\nwant\n%q", err.Error(), want)
		}
	})

	t.Run("rate limited", func(t *testing.T) {
		ps := startPresenceServer(t, errorReply{429, map[string]string{"retry-after": "60", "x-ratelimit-type": "QPS"}, ""})
		client := newTestClient(t, ps)

		err := client.SetPresence(t.Context(), update)

		var rateLimit *RateLimitError
		if !errors.As(err, &rateLimit) {
			t.Fatalf("SetPresence = %v (%T), want *RateLimitError", err, err)
		}
		if rateLimit.RetryAfter != time.Minute {
			t.Errorf("RetryAfter = %v, want 1m", rateLimit.RetryAfter)
		}
		if !rateLimit.HasRetryAfter {
			t.Error("HasRetryAfter = false, want true")
		}
		if rateLimit.Type != RateLimitQPS {
			t.Errorf("Type = %q, want %q", rateLimit.Type, RateLimitQPS)
		}
	})

	t.Run("token echoed", func(t *testing.T) {
		ps := startPresenceServer(t, errorReply{401, jsonHeader(), `{"code":124,"message":"Invalid access token ` + testOpaqueToken + `"}`})
		client := newTestClient(t, ps)

		err := client.SetPresence(t.Context(), update)

		if !IsUnauthorized(err) {
			t.Fatalf("SetPresence = %v, want an unauthorized error", err)
		}
		if strings.Contains(err.Error(), testOpaqueToken) {
			t.Errorf("Error() contains the access token: %q", err.Error())
		}
	})
}

func TestGetPresence(t *testing.T) {
	tests := []struct {
		name string
		body string
		want Presence
	}{
		{
			name: "dnd",
			body: `{"status":"Do_Not_Disturb","end_time":"2024-03-27T04:00:00Z","remaining_time":60}`,
			want: Presence{Status: StatusDoNotDisturb, EndTime: time.Date(2024, 3, 27, 4, 0, 0, 0, time.UTC), Remaining: time.Minute},
		},
		{
			name: "dnd offset",
			body: `{"status":"Do_Not_Disturb","end_time":"2024-03-27T06:00:00.5+02:00","remaining_time":90.5}`,
			want: Presence{Status: StatusDoNotDisturb, EndTime: time.Date(2024, 3, 27, 4, 0, 0, 5e8, time.UTC), Remaining: 90500 * time.Millisecond},
		},
		{
			name: "available",
			body: `{"status":"Available"}`,
			want: Presence{Status: StatusAvailable},
		},
		{
			name: "undocumented",
			body: `{"status":"In_A_Meeting"}`,
			want: Presence{Status: StatusInAMeeting},
		},
		{
			name: "unknown",
			body: `{"status":"Focusing_Deeply","extra":{"a":[1,2]}}`,
			want: Presence{Status: "Focusing_Deeply"},
		},
		{
			name: "negative remaining",
			body: `{"status":"Do_Not_Disturb","end_time":"2024-03-27T04:00:00Z","remaining_time":-1}`,
			want: Presence{Status: StatusDoNotDisturb, EndTime: time.Date(2024, 3, 27, 4, 0, 0, 0, time.UTC)},
		},
		{
			name: "null fields",
			body: `{"status":"Away","end_time":null,"remaining_time":null}`,
			want: Presence{Status: StatusAway},
		},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ps := startPresenceServer(t, errorReply{200, jsonHeader(), tt.body})
			client := newTestClient(t, ps)

			got, err := client.GetPresence(t.Context())
			if err != nil {
				t.Fatalf("GetPresence = %v", err)
			}

			if got.Status != tt.want.Status {
				t.Errorf("Status = %q, want %q", got.Status, tt.want.Status)
			}
			if !got.EndTime.Equal(tt.want.EndTime) {
				t.Errorf("EndTime = %v, want %v", got.EndTime, tt.want.EndTime)
			}
			if !got.EndTime.IsZero() && got.EndTime.Location() != time.UTC {
				t.Errorf("EndTime location = %v, want UTC", got.EndTime.Location())
			}
			if got.Remaining != tt.want.Remaining {
				t.Errorf("Remaining = %v, want %v", got.Remaining, tt.want.Remaining)
			}

			requests := ps.received()
			if len(requests) != 1 {
				t.Fatalf("server received %d requests, want 1", len(requests))
			}
			if requests[0].method != http.MethodGet {
				t.Errorf("method = %s, want GET", requests[0].method)
			}
			if requests[0].path != "/v2/users/me/presence_status" {
				t.Errorf("path = %s, want /v2/users/me/presence_status", requests[0].path)
			}
			if requests[0].accept != "application/json" {
				t.Errorf("Accept = %q, want application/json", requests[0].accept)
			}
			if requests[0].body != "" {
				t.Errorf("body = %q, want none", requests[0].body)
			}
		})
	}
}

func TestGetPresenceMalformed(t *testing.T) {
	tests := []struct {
		name string
		body string
	}{
		{"empty", ""},
		{"not json", "<html>OK</html>"},
		{"truncated", `{"status":"Av`},
		{"missing status", `{}`},
		{"null", `null`},
		{"empty status", `{"status":""}`},
		{"status number", `{"status":5}`},
		{"end time", `{"status":"Do_Not_Disturb","end_time":"tomorrow"}`},
		{"remaining string", `{"status":"Do_Not_Disturb","remaining_time":"60"}`},
		{"remaining huge", `{"status":"Do_Not_Disturb","remaining_time":1e300}`},
		{"array", `["Away"]`},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ps := startPresenceServer(t, errorReply{200, jsonHeader(), tt.body})
			client := newTestClient(t, ps)

			got, err := client.GetPresence(t.Context())

			if err == nil {
				t.Fatalf("GetPresence = %+v, nil, want an error", got)
			}
			if got != (Presence{}) {
				t.Errorf("GetPresence = %+v, want the zero Presence", got)
			}
			if !strings.HasPrefix(err.Error(), "invalid Zoom presence response (HTTP 200): ") {
				t.Errorf("Error() = %q, want the invalid response prefix", err.Error())
			}
			if IsRetryable(err) {
				t.Errorf("IsRetryable(%v) = true, want false", err)
			}
		})
	}
}

func TestGetPresenceErrors(t *testing.T) {
	ps := startPresenceServer(t, errorReply{404, jsonHeader(), `{"code":1001,"message":"User does not exist: me."}`})
	client := newTestClient(t, ps)

	_, err := client.GetPresence(t.Context())

	var errResp *ErrorResponse
	if !errors.As(err, &errResp) {
		t.Fatalf("GetPresence = %v (%T), want *ErrorResponse", err, err)
	}
	if errResp.Code != CodeUserNotFound {
		t.Errorf("Code = %d, want %d", errResp.Code, CodeUserNotFound)
	}
	if errResp.Method != http.MethodGet {
		t.Errorf("Method = %q, want GET", errResp.Method)
	}
	if !strings.HasPrefix(err.Error(), "read Zoom presence: zoom: GET ") {
		t.Errorf("Error() = %q, want the read prefix", err.Error())
	}
}

func TestClientServerDown(t *testing.T) {
	ps := startPresenceServer(t, errorReply{status: http.StatusNoContent})
	client := newTestClient(t, ps)
	ps.Close()

	err := client.SetPresence(t.Context(), Update{Status: StatusAway})

	if err == nil {
		t.Fatal("SetPresence = nil, want an error")
	}
	if !IsRetryable(err) {
		t.Errorf("IsRetryable(%v) = false, want true", err)
	}
}

func TestClientConnectionDropped(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		conn, _, err := http.NewResponseController(w).Hijack()
		if err != nil {
			t.Errorf("hijack: %v", err)
			return
		}
		_ = conn.Close()
	}))
	t.Cleanup(srv.Close)
	client, err := NewClient(srv.Client(), srv.URL+"/v2")
	if err != nil {
		t.Fatal(err)
	}

	_, err = client.GetPresence(t.Context())

	if err == nil {
		t.Fatal("GetPresence = nil error, want an error")
	}
	if !IsRetryable(err) {
		t.Errorf("IsRetryable(%v) = false, want true", err)
	}
}

func TestGetPresenceBodyCut(t *testing.T) {
	// The server promises 100 bytes and hangs up after 20, as when a
	// connection drops in the middle of the body.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "100")
		_, _ = io.WriteString(w, `{"status":"Availabl`)
	}))
	t.Cleanup(srv.Close)
	client, err := NewClient(srv.Client(), srv.URL+"/v2")
	if err != nil {
		t.Fatal(err)
	}

	_, err = client.GetPresence(t.Context())

	if !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Fatalf("GetPresence = %v, want io.ErrUnexpectedEOF", err)
	}
	if !IsRetryable(err) {
		t.Errorf("IsRetryable(%v) = false, want true", err)
	}
}

func TestClientContextDone(t *testing.T) {
	ps := startPresenceServer(t, errorReply{status: http.StatusNoContent})
	client := newTestClient(t, ps)

	canceled, cancel := context.WithCancel(t.Context())
	cancel()
	expired, cancelExpired := context.WithDeadline(t.Context(), time.Unix(0, 0))
	defer cancelExpired()

	err := client.SetPresence(canceled, Update{Status: StatusAway})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("SetPresence(canceled) = %v, want context.Canceled", err)
	}
	if IsRetryable(err) {
		t.Errorf("IsRetryable(%v) = true, want false", err)
	}

	_, err = client.GetPresence(expired)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("GetPresence(expired) = %v, want context.DeadlineExceeded", err)
	}
	if !IsRetryable(err) {
		t.Errorf("IsRetryable(%v) = false, want true", err)
	}

	if n := len(ps.received()); n != 0 {
		t.Errorf("server received %d requests, want 0", n)
	}
}

func TestClientTokenFailure(t *testing.T) {
	ps := startPresenceServer(t, errorReply{status: http.StatusNoContent})
	tokenErr := errors.New("sign-in required")
	httpClient := &http.Client{Transport: &oauth2.Transport{
		Source: failingTokenSource{tokenErr},
		Base:   ps.Client().Transport,
	}}
	client, err := NewClient(httpClient, ps.URL+"/v2")
	if err != nil {
		t.Fatal(err)
	}

	err = client.SetPresence(t.Context(), Update{Status: StatusAway})

	if !errors.Is(err, tokenErr) {
		t.Errorf("SetPresence = %v, want the token source error", err)
	}
	if IsRetryable(err) {
		t.Errorf("IsRetryable(%v) = true, want false", err)
	}
	if n := len(ps.received()); n != 0 {
		t.Errorf("server received %d requests, want 0", n)
	}
}

// failingTokenSource is an oauth2.TokenSource that fails, as one does
// when Zoom rejects its refresh token.
type failingTokenSource struct{ err error }

func (s failingTokenSource) Token() (*oauth2.Token, error) { return nil, s.err }
