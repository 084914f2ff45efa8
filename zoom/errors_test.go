package zoom

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"
)

// checkNow is the arrival time of every response in these tests.
var checkNow = time.Date(2025, 3, 27, 4, 0, 0, 0, time.UTC)

// Tokens that requests carry in these tests. Error text must never
// contain them.
const (
	testOpaqueToken = "zpt_0123456789abcdefSECRETtoken"
	testJWT         = "eyJhbGciOiJIUzUxMiJ9.eyJzdWIiOiJtZSJ9.c2lnbmF0dXJlU0VDUkVU"
)

// errorReply is a response that a test server sends.
type errorReply struct {
	status int
	// header keys are written as given, so lower-case names reach the
	// client as Zoom sometimes sends them.
	header map[string]string
	body   string
}

// fetchReply starts a server that sends reply and returns the response
// to a GET that carries testOpaqueToken as a bearer token.
func fetchReply(t *testing.T, reply errorReply) *http.Response {
	t.Helper()

	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		for key, value := range reply.header {
			w.Header()[key] = []string{value}
		}
		w.WriteHeader(reply.status)
		_, _ = io.WriteString(w, reply.body)
	}))
	t.Cleanup(srv.Close)

	req, err := http.NewRequest(http.MethodGet, srv.URL+"/v2/users/me/presence_status?x=1", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+testOpaqueToken)

	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatalf("GET test server: %v", err)
	}
	t.Cleanup(func() { _ = resp.Body.Close() })
	return resp
}

func jsonHeader() map[string]string {
	return map[string]string{"Content-Type": "application/json;charset=UTF-8"}
}

const nginx502 = `<html>
<head><title>502 Bad Gateway</title></head>
<body>
<center><h1>502 Bad Gateway</h1></center>
<hr><center>nginx</center>
</body>
</html>
`

func TestCheckResponseErrors(t *testing.T) {
	type want struct {
		code         int
		message      string
		notSignedIn  bool
		noPermission bool
		unauthorized bool
		missingScope bool
		retryable    bool
	}
	tests := []struct {
		name  string
		reply errorReply
		want  want
	}{
		{
			name:  "invalid token",
			reply: errorReply{401, jsonHeader(), `{"code":124,"message":"Invalid access token."}`},
			want:  want{code: 124, message: "Invalid access token.", unauthorized: true},
		},
		{
			name:  "user not found",
			reply: errorReply{404, jsonHeader(), `{"code":1001,"message":"User does not exist: me."}`},
			want:  want{code: 1001, message: "User does not exist: me."},
		},
		{
			name:  "not signed in",
			reply: errorReply{400, jsonHeader(), `{"code":5301,"message":"Request to update the presence status of this user failed."}`},
			want:  want{code: 5301, message: "Request to update the presence status of this user failed.", notSignedIn: true},
		},
		{
			name:  "no permission",
			reply: errorReply{400, jsonHeader(), `{"code":5411,"message":"Unauthorized request. You do not have permission to update the presence status of this user."}`},
			want:  want{code: 5411, message: "Unauthorized request. You do not have permission to update the presence status of this user.", noPermission: true},
		},
		{
			name:  "scope 104",
			reply: errorReply{400, jsonHeader(), `{"code":104,"message":"Invalid access token, does not contain scopes:[user:write]."}`},
			want:  want{code: 104, message: "Invalid access token, does not contain scopes:[user:write].", missingScope: true},
		},
		{
			name:  "scope 4700",
			reply: errorReply{401, jsonHeader(), `{"code":4700,"message":"Invalid access token, does not contain scopes:[user:update:presence_status]."}`},
			want:  want{code: 4700, message: "Invalid access token, does not contain scopes:[user:update:presence_status].", unauthorized: true, missingScope: true},
		},
		{
			name:  "unescaped quotes",
			reply: errorReply{400, jsonHeader(), `{"code":104,"message":"Invalid access token, does not contain scopes:["user:update:presence_status", "user:read:presence_status"]."}`},
			want:  want{code: 104, message: `Invalid access token, does not contain scopes:["user:update:presence_status", "user:read:presence_status"].`, missingScope: true},
		},
		{
			name:  "unescaped quotes then key",
			reply: errorReply{400, jsonHeader(), `{"message":"scope "user:read" is missing", "code": 4700}`},
			want:  want{code: 4700, message: `scope "user:read" is missing`, missingScope: true},
		},
		{
			name:  "field errors",
			reply: errorReply{400, jsonHeader(), `{"code":300,"message":"Validation Failed.","errors":[{"field":"duration","message":"Invalid field."},"status is required"]}`},
			want:  want{code: 300, message: "Validation Failed. (duration: Invalid field., status is required)"},
		},
		{
			name:  "code as string",
			reply: errorReply{401, jsonHeader(), `{"code":"124","message":"Invalid access token."}`},
			want:  want{code: 124, message: "Invalid access token.", unauthorized: true},
		},
		{
			name:  "server error json",
			reply: errorReply{500, jsonHeader(), `{"code":500,"message":"Internal Error"}`},
			want:  want{code: 500, message: "Internal Error", retryable: true},
		},
		{
			name:  "empty text/plain",
			reply: errorReply{400, map[string]string{"Content-Type": "text/plain"}, ""},
			want:  want{},
		},
		{
			name:  "empty 401",
			reply: errorReply{401, map[string]string{"Content-Type": "text/plain;charset=UTF-8"}, ""},
			want:  want{unauthorized: true},
		},
		{
			name:  "nginx 502",
			reply: errorReply{502, map[string]string{"Content-Type": "text/html"}, nginx502},
			want:  want{message: "502 Bad Gateway", retryable: true},
		},
		{
			name:  "html without title",
			reply: errorReply{503, map[string]string{"Content-Type": "text/html; charset=utf-8"}, "<html><script>var x = 1;</script><body><p>Service&nbsp;down</p>\n<p>for  maintenance</p></body></html>"},
			want:  want{message: "Service down for maintenance", retryable: true},
		},
		{
			name:  "html sniffed",
			reply: errorReply{504, map[string]string{"Content-Type": ""}, nginx502},
			want:  want{message: "502 Bad Gateway", retryable: true},
		},
		{
			name:  "plain text",
			reply: errorReply{403, map[string]string{"Content-Type": "text/plain"}, "Forbidden\r\n\tby proxy\n"},
			want:  want{message: "Forbidden by proxy"},
		},
		{
			name:  "binary body",
			reply: errorReply{400, map[string]string{"Content-Type": "application/octet-stream"}, "\x00\x01\x02\xff"},
			want:  want{},
		},
		{
			name:  "408",
			reply: errorReply{408, jsonHeader(), `{"code":408,"message":"Request timeout"}`},
			want:  want{code: 408, message: "Request timeout", retryable: true},
		},
		{
			name:  "304",
			reply: errorReply{304, nil, ""},
			want:  want{},
		},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := fetchReply(t, tt.reply)

			err := CheckResponse(resp, checkNow)

			var errResp *ErrorResponse
			if !errors.As(err, &errResp) {
				t.Fatalf("CheckResponse = %v (%T), want *ErrorResponse", err, err)
			}
			if errResp.StatusCode != tt.reply.status {
				t.Errorf("StatusCode = %d, want %d", errResp.StatusCode, tt.reply.status)
			}
			if errResp.Code != tt.want.code {
				t.Errorf("Code = %d, want %d", errResp.Code, tt.want.code)
			}
			if errResp.Message != tt.want.message {
				t.Errorf("Message = %q, want %q", errResp.Message, tt.want.message)
			}
			if errResp.Method != http.MethodGet {
				t.Errorf("Method = %q, want GET", errResp.Method)
			}
			if errResp.Path != "/v2/users/me/presence_status" {
				t.Errorf("Path = %q, want /v2/users/me/presence_status", errResp.Path)
			}
			if got := IsNotSignedIn(err); got != tt.want.notSignedIn {
				t.Errorf("IsNotSignedIn = %v, want %v", got, tt.want.notSignedIn)
			}
			if got := IsNoPermission(err); got != tt.want.noPermission {
				t.Errorf("IsNoPermission = %v, want %v", got, tt.want.noPermission)
			}
			if got := IsUnauthorized(err); got != tt.want.unauthorized {
				t.Errorf("IsUnauthorized = %v, want %v", got, tt.want.unauthorized)
			}
			if got := IsMissingScope(err); got != tt.want.missingScope {
				t.Errorf("IsMissingScope = %v, want %v", got, tt.want.missingScope)
			}
			if got := IsRetryable(err); got != tt.want.retryable {
				t.Errorf("IsRetryable = %v, want %v", got, tt.want.retryable)
			}
			if strings.Contains(err.Error(), testOpaqueToken) {
				t.Errorf("Error() contains the access token: %q", err.Error())
			}
		})
	}
}

func TestCheckResponseRateLimit(t *testing.T) {
	tests := []struct {
		name         string
		header       map[string]string
		body         string
		wantType     string
		wantWait     time.Duration
		wantHasWait  bool
		wantMessage  string
		wantErrorEnd string
	}{
		{
			name:         "rfc 3339",
			header:       map[string]string{"Retry-After": "2025-03-27T04:01:30Z", "X-RateLimit-Type": "QPS", "Content-Type": "application/json"},
			body:         `{"code":429,"message":"You have reached the maximum per-second rate limit for this API. Try again later."}`,
			wantType:     RateLimitQPS,
			wantWait:     90 * time.Second,
			wantHasWait:  true,
			wantMessage:  "You have reached the maximum per-second rate limit for this API. Try again later.",
			wantErrorEnd: "Try again later. Retry after 1m30s.",
		},
		{
			name:         "seconds",
			header:       map[string]string{"Retry-After": "30"},
			wantWait:     30 * time.Second,
			wantHasWait:  true,
			wantErrorEnd: "zoom: rate limit exceeded: Retry after 30s.",
		},
		{
			name:         "missing",
			header:       map[string]string{"X-RateLimit-Type": "QPS"},
			wantType:     RateLimitQPS,
			wantErrorEnd: "zoom: rate limit exceeded (QPS): Wait before sending the next request.",
		},
		{
			name:        "past time",
			header:      map[string]string{"Retry-After": "2025-03-27T03:59:00Z"},
			wantWait:    0,
			wantHasWait: true,
		},
		{
			name:        "lower-case daily",
			header:      map[string]string{"retry-after": "2025-03-28T00:00:00Z", "x-ratelimit-type": "Daily-limit", "x-ratelimit-category": "Medium"},
			body:        `{"code":429,"message":"You have reached the maximum daily rate limit for this API."}`,
			wantType:    RateLimitDaily,
			wantWait:    20 * time.Hour,
			wantHasWait: true,
			wantMessage: "You have reached the maximum daily rate limit for this API.",
		},
		{
			name:   "invalid",
			header: map[string]string{"Retry-After": "soon"},
		},
		{
			name:        "empty text/plain",
			header:      map[string]string{"Retry-After": "60", "Content-Type": "text/plain"},
			wantWait:    time.Minute,
			wantHasWait: true,
		},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := fetchReply(t, errorReply{http.StatusTooManyRequests, tt.header, tt.body})

			err := CheckResponse(resp, checkNow)

			var rateLimit *RateLimitError
			if !errors.As(err, &rateLimit) {
				t.Fatalf("CheckResponse = %v (%T), want *RateLimitError", err, err)
			}
			if rateLimit.Type != tt.wantType {
				t.Errorf("Type = %q, want %q", rateLimit.Type, tt.wantType)
			}
			if rateLimit.HasRetryAfter != tt.wantHasWait {
				t.Errorf("HasRetryAfter = %v, want %v", rateLimit.HasRetryAfter, tt.wantHasWait)
			}
			if rateLimit.RetryAfter != tt.wantWait {
				t.Errorf("RetryAfter = %v, want %v", rateLimit.RetryAfter, tt.wantWait)
			}
			if rateLimit.Message != tt.wantMessage {
				t.Errorf("Message = %q, want %q", rateLimit.Message, tt.wantMessage)
			}
			if !strings.HasSuffix(err.Error(), tt.wantErrorEnd) {
				t.Errorf("Error() = %q, want it to end with %q", err.Error(), tt.wantErrorEnd)
			}
			if !IsRetryable(err) {
				t.Error("IsRetryable = false, want true")
			}
			if IsUnauthorized(err) {
				t.Error("IsUnauthorized = true, want false")
			}
		})
	}
}

func TestCheckResponseSuccess(t *testing.T) {
	for _, status := range []int{200, 201, 204, 299} {
		t.Run(fmt.Sprint(status), func(t *testing.T) {
			resp := fetchReply(t, errorReply{status: status, body: ""})

			if err := CheckResponse(resp, checkNow); err != nil {
				t.Errorf("CheckResponse = %v, want nil", err)
			}
		})
	}
}

func TestCheckResponseNil(t *testing.T) {
	if err := CheckResponse(nil, checkNow); err == nil {
		t.Error("CheckResponse(nil) = nil, want an error")
	}
}

func TestCheckResponseHandBuilt(t *testing.T) {
	// A response built without net/http's parsing keeps header keys as
	// written, and may have no body or request.
	resp := &http.Response{
		StatusCode: http.StatusTooManyRequests,
		Header:     http.Header{"retry-after": {"15"}, "x-ratelimit-type": {"daily-LIMIT"}},
	}

	err := CheckResponse(resp, checkNow)

	var rateLimit *RateLimitError
	if !errors.As(err, &rateLimit) {
		t.Fatalf("CheckResponse = %v (%T), want *RateLimitError", err, err)
	}
	if rateLimit.RetryAfter != 15*time.Second {
		t.Errorf("RetryAfter = %v, want 15s", rateLimit.RetryAfter)
	}
	if !rateLimit.HasRetryAfter {
		t.Error("HasRetryAfter = false, want true")
	}
	if rateLimit.Type != RateLimitDaily {
		t.Errorf("Type = %q, want %q", rateLimit.Type, RateLimitDaily)
	}
}

func TestErrorResponseText(t *testing.T) {
	tests := []struct {
		name string
		err  *ErrorResponse
		want string
	}{
		{
			name: "not signed in",
			err:  &ErrorResponse{StatusCode: 400, Code: 5301, Message: "Request to update the presence status of this user failed.", Method: "PUT", Path: "/v2/users/me/presence_status"},
			want: "zoom: PUT /v2/users/me/presence_status: 400 Bad Request (code 5301): Request to update the presence status of this user failed. Sign in to the Zoom desktop or mobile app, then try again.",
		},
		{
			name: "invalid token",
			err:  &ErrorResponse{StatusCode: 401, Code: 124, Message: "Invalid access token", Method: "GET", Path: "/v2/users/me/presence_status"},
			want: "zoom: GET /v2/users/me/presence_status: 401 Unauthorized (code 124): Invalid access token. Sign in to Zoom again.",
		},
		{
			name: "bad gateway",
			err:  &ErrorResponse{StatusCode: 502, Message: "502 Bad Gateway"},
			want: "zoom: 502 Bad Gateway: 502 Bad Gateway. Zoom or a proxy on the way failed, try again later.",
		},
		{
			name: "no message",
			err:  &ErrorResponse{StatusCode: 404, Code: 1001, Method: "GET", Path: "/v2/users/me/presence_status"},
			want: "zoom: GET /v2/users/me/presence_status: 404 Not Found (code 1001)",
		},
		{
			name: "missing scope",
			err:  &ErrorResponse{StatusCode: 401, Code: 4700, Message: "Invalid access token, does not contain scopes."},
			want: "zoom: 401 Unauthorized (code 4700): Invalid access token, does not contain scopes. Sign in to Zoom again and allow access to your presence status.",
		},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.err.Error(); got != tt.want {
				t.Errorf("Error() =\n%q\nwant\n%q", got, tt.want)
			}
		})
	}
}

func TestCheckResponseRedacts(t *testing.T) {
	tests := []struct {
		name  string
		reply errorReply
	}{
		{
			name:  "json echo",
			reply: errorReply{401, jsonHeader(), `{"code":124,"message":"Invalid access token: ` + testOpaqueToken + `"}`},
		},
		{
			name:  "html echo",
			reply: errorReply{400, map[string]string{"Content-Type": "text/html"}, "<p>Authorization: Bearer " + testOpaqueToken + "</p>"},
		},
		{
			name:  "html entity",
			reply: errorReply{400, map[string]string{"Content-Type": "text/html"}, "<p>token zpt_0123456789&#97;bcdefSECRETtoken</p>"},
		},
		{
			name:  "jwt",
			reply: errorReply{401, map[string]string{"Content-Type": "text/plain"}, "bad token " + testJWT},
		},
		{
			name:  "other bearer",
			reply: errorReply{401, map[string]string{"Content-Type": "text/plain"}, "got Authorization: bearer someOtherLongToken123456 from you"},
		},
		{
			name:  "token at cut",
			reply: errorReply{400, map[string]string{"Content-Type": "text/plain"}, strings.Repeat("a ", 145) + testOpaqueToken},
		},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := fetchReply(t, tt.reply)

			err := CheckResponse(resp, checkNow)

			var errResp *ErrorResponse
			if !errors.As(err, &errResp) {
				t.Fatalf("CheckResponse = %v (%T), want *ErrorResponse", err, err)
			}
			for _, secret := range []string{testOpaqueToken, testJWT, "someOtherLongToken123456", "0123456789abcdef"} {
				if strings.Contains(err.Error(), secret) {
					t.Errorf("Error() contains %q: %q", secret, err.Error())
				}
			}
			if !strings.Contains(errResp.Message, redacted) && !strings.HasSuffix(errResp.Message, "…") {
				t.Errorf("Message = %q, want a %s mark", errResp.Message, redacted)
			}
		})
	}
}

// countingBody records how much of a response body was read and whether
// it was closed.
type countingBody struct {
	io.ReadCloser
	read   int64
	closed bool
}

func (b *countingBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	b.read += int64(n)
	return n, err
}

func (b *countingBody) Close() error {
	b.closed = true
	return b.ReadCloser.Close()
}

func TestCheckResponseHugeBody(t *testing.T) {
	const size = 5 << 20
	tests := []struct {
		name        string
		contentType string
		body        string
		wantMessage string
	}{
		{
			name:        "text",
			contentType: "text/plain",
			body:        strings.Repeat("overloaded ", size/11),
		},
		{
			name:        "html",
			contentType: "text/html",
			body:        "<html><head><title>503 Service Unavailable</title></head><body>" + strings.Repeat("<p>filler</p>", size/13),
			wantMessage: "503 Service Unavailable",
		},
		{
			name:        "json",
			contentType: "application/json",
			body:        `{"code":503,"message":"` + strings.Repeat("x", size) + `"}`,
		},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := fetchReply(t, errorReply{503, map[string]string{"Content-Type": tt.contentType}, tt.body})
			body := &countingBody{ReadCloser: resp.Body}
			resp.Body = body

			err := CheckResponse(resp, checkNow)

			var errResp *ErrorResponse
			if !errors.As(err, &errResp) {
				t.Fatalf("CheckResponse = %v (%T), want *ErrorResponse", err, err)
			}
			if n := utf8.RuneCountInString(errResp.Message); n > maxMessageRunes || n == 0 {
				t.Errorf("Message has %d characters, want 1 to %d", n, maxMessageRunes)
			}
			if tt.wantMessage != "" && errResp.Message != tt.wantMessage {
				t.Errorf("Message = %q, want %q", errResp.Message, tt.wantMessage)
			}
			if body.read > maxErrorBody+maxDrain {
				t.Errorf("read %d bytes of the body, want at most %d", body.read, maxErrorBody+maxDrain)
			}
			if !body.closed {
				t.Error("body not closed")
			}
		})
	}
}

func TestCheckResponseDrainsShortBody(t *testing.T) {
	resp := fetchReply(t, errorReply{400, jsonHeader(), `{"code":5301,"message":"failed"}`})
	body := &countingBody{ReadCloser: resp.Body}
	resp.Body = body

	_ = CheckResponse(resp, checkNow)

	if body.read != int64(len(`{"code":5301,"message":"failed"}`)) {
		t.Errorf("read %d bytes, want the whole body", body.read)
	}
	if !body.closed {
		t.Error("body not closed")
	}
}

func TestParseRetryAfter(t *testing.T) {
	tests := []struct {
		value  string
		want   time.Duration
		wantOK bool
	}{
		{"", 0, false},
		{"   ", 0, false},
		{"30", 30 * time.Second, true},
		{" 30 ", 30 * time.Second, true},
		{"0", 0, true},
		{"-5", 0, false},
		{"1.5", 0, false},
		{"+5", 0, false},
		{"soon", 0, false},
		{"99999999999999999999", maxDuration, true},
		{"9999999999999", maxDuration, true},
		{"2025-03-27T04:01:00Z", time.Minute, true},
		{"2025-03-27T04:00:00.500Z", 500 * time.Millisecond, true},
		{"2025-03-27T06:00:00+02:00", 0, true},
		{"2025-03-27T07:00:00+02:00", time.Hour, true},
		{"2025-03-27T03:00:00Z", 0, true},
		{"2025-03-27 04:01:00", 0, false},
		{"Thu, 27 Mar 2025 04:02:00 GMT", 2 * time.Minute, true},
	}

	for _, tt := range tests {
		t.Run(tt.value, func(t *testing.T) {
			got, ok := ParseRetryAfter(tt.value, checkNow)
			if got != tt.want || ok != tt.wantOK {
				t.Errorf("ParseRetryAfter(%q) = %v, %v, want %v, %v", tt.value, got, ok, tt.want, tt.wantOK)
			}
		})
	}
}

// timeoutError is a net.Error that reports a timeout, as a dialer does.
type timeoutError struct{}

func (timeoutError) Error() string   { return "i/o timeout" }
func (timeoutError) Timeout() bool   { return true }
func (timeoutError) Temporary() bool { return true }

func TestIsRetryable(t *testing.T) {
	tokenErr := errors.New(`oauth2: "invalid_grant" "Invalid Token!"`)
	tests := []struct {
		name string
		err  error
		want bool
	}{
		{"nil", nil, false},
		{"canceled", fmt.Errorf("set: %w", &url.Error{Op: "Put", URL: "http://127.0.0.1/", Err: context.Canceled}), false},
		{"deadline", fmt.Errorf("set: %w", &url.Error{Op: "Put", URL: "http://127.0.0.1/", Err: context.DeadlineExceeded}), true},
		{"dial", &url.Error{Op: "Get", URL: "http://127.0.0.1/", Err: &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connection refused")}}, true},
		{"timeout", &url.Error{Op: "Get", URL: "http://127.0.0.1/", Err: timeoutError{}}, true},
		{"eof", &url.Error{Op: "Get", URL: "http://127.0.0.1/", Err: io.EOF}, true},
		{"token refresh", &url.Error{Op: "Get", URL: "http://127.0.0.1/", Err: tokenErr}, false},
		{"plain", errors.New("invalid status"), false},
		{"500", &ErrorResponse{StatusCode: 500}, true},
		{"503 wrapped", fmt.Errorf("set: %w", &ErrorResponse{StatusCode: 503}), true},
		{"400", &ErrorResponse{StatusCode: 400, Code: CodeNotSignedIn}, false},
		{"401", &ErrorResponse{StatusCode: 401, Code: CodeInvalidToken}, false},
		{"429", &RateLimitError{}, true},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := IsRetryable(tt.err); got != tt.want {
				t.Errorf("IsRetryable(%v) = %v, want %v", tt.err, got, tt.want)
			}
		})
	}
}

func TestHelpersWrapped(t *testing.T) {
	err := fmt.Errorf("set Zoom presence to Away: %w", &ErrorResponse{StatusCode: 400, Code: CodeNotSignedIn})

	if !IsNotSignedIn(err) {
		t.Error("IsNotSignedIn = false through a wrap, want true")
	}
	if IsNotSignedIn(&ErrorResponse{StatusCode: 404, Code: CodeNotSignedIn}) {
		t.Error("IsNotSignedIn(404/5301) = true, want false")
	}
	if IsNotSignedIn(nil) {
		t.Error("IsNotSignedIn(nil) = true, want false")
	}
	if IsNoPermission(nil) {
		t.Error("IsNoPermission(nil) = true, want false")
	}
	if IsUnauthorized(nil) {
		t.Error("IsUnauthorized(nil) = true, want false")
	}
	if IsMissingScope(nil) {
		t.Error("IsMissingScope(nil) = true, want false")
	}
}

func FuzzCheckResponse(f *testing.F) {
	f.Add(uint16(400), "application/json", []byte(`{"code":5301,"message":"failed"}`))
	f.Add(uint16(401), "application/json", []byte(`{"code":124,"message":"Invalid access token: `+testOpaqueToken+`"}`))
	f.Add(uint16(400), "application/json", []byte(`{"code":104,"message":"scopes:["user:read"]."}`))
	f.Add(uint16(400), "application/json", []byte(`{"code":300,"message":"Validation Failed.","errors":[{"field":"a","message":"b"},1,"c",null]}`))
	f.Add(uint16(129), "", []byte(`{"code":429,"message":"slow down"}`))
	f.Add(uint16(202), "text/html", []byte(nginx502))
	f.Add(uint16(100), "text/plain", []byte(""))
	f.Add(uint16(0), "text/html; charset=\"", []byte("<title><b>tok</b></title>"))
	f.Add(uint16(3), "application/octet-stream", []byte("\x00\xff\xfe"))
	f.Add(uint16(99), "text/plain", []byte("Bearer "+testJWT+" \u2028 \x1b[31m"))

	f.Fuzz(func(t *testing.T, status uint16, contentType string, body []byte) {
		// Map status onto 300 to 599, every status CheckResponse rejects.
		code := 300 + int(status)%300
		req, err := http.NewRequest(http.MethodPut, "http://127.0.0.1:1/v2/users/me/presence_status", nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Authorization", "Bearer "+testOpaqueToken)
		closer := &countingBody{ReadCloser: io.NopCloser(strings.NewReader(string(body)))}
		resp := &http.Response{
			StatusCode: code,
			Header:     http.Header{"Content-Type": {contentType}, "Retry-After": {string(body)}},
			Body:       closer,
			Request:    req,
		}

		err = CheckResponse(resp, checkNow)

		if err == nil {
			t.Fatalf("CheckResponse(%d) = nil, want an error", code)
		}
		text := err.Error()
		if strings.Contains(text, testOpaqueToken) {
			t.Errorf("Error() contains the access token: %q", text)
		}
		if !closer.closed {
			t.Error("body not closed")
		}

		var message string
		var errResp *ErrorResponse
		var rateLimit *RateLimitError
		switch {
		case errors.As(err, &rateLimit):
			message = rateLimit.Message
			if code != http.StatusTooManyRequests {
				t.Errorf("*RateLimitError for status %d", code)
			}
			if rateLimit.RetryAfter < 0 {
				t.Errorf("RetryAfter = %v, want >= 0", rateLimit.RetryAfter)
			}
		case errors.As(err, &errResp):
			message = errResp.Message
			if errResp.StatusCode != code {
				t.Errorf("StatusCode = %d, want %d", errResp.StatusCode, code)
			}
		default:
			t.Fatalf("CheckResponse = %T, want *ErrorResponse or *RateLimitError", err)
		}

		if n := utf8.RuneCountInString(message); n > maxMessageRunes {
			t.Errorf("Message has %d characters, want at most %d", n, maxMessageRunes)
		}
		if !utf8.ValidString(message) {
			t.Errorf("Message is not valid UTF-8: %q", message)
		}
		if strings.IndexFunc(message, unicode.IsControl) >= 0 {
			t.Errorf("Message contains a control character: %q", message)
		}
	})
}
