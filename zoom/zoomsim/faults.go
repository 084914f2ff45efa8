package zoomsim

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Fault is an error response that the presence endpoints send in place of
// their usual response, or a connection closed with no response. Queue
// faults with FailNext. For faults that last, see SetLatency,
// SetDailyLimit and SetSignedOut.
type Fault struct {
	// Method selects the presence requests the fault applies to: "PUT"
	// (updates), "GET" (reads) or "*" (both). Empty means "PUT".
	Method string

	// Status is the HTTP status. Zero means 400.
	Status int

	// Code and Message make the JSON body {"code":Code,"message":Message}
	// when Body is empty.
	Code    int
	Message string

	// Body is sent as is in place of the JSON body, for example to send
	// malformed JSON. When Body, Code and Message are all empty, the
	// response has an empty body, as some Zoom errors do.
	Body string

	// ContentType is the Content-Type header. Empty means JSON for a
	// non-empty body and text/plain for an empty one.
	ContentType string

	// RetryAfter is sent as the Retry-After header as is. When it is empty
	// and RetryIn is positive, Retry-After is the RFC 3339 UTC time RetryIn
	// after the request, as Zoom sends it.
	RetryAfter string
	RetryIn    time.Duration

	// RateLimitType is sent as the X-RateLimit-Type header ("QPS" or
	// "Daily-limit") when not empty.
	RateLimitType string

	// Header holds more headers to send. Names are sent as written, so a
	// lower-case name stays lower-case on the wire.
	Header http.Header

	// Drop closes the connection without a response, as a proxy that
	// fails or a network that drops does. Every other field is ignored.
	// Through Transport the request fails with io.ErrUnexpectedEOF.
	Drop bool
}

// Faults for the errors that Zoom documents for the presence endpoints.
var (
	// FaultNoPermission is Zoom's 400 with code 5411: the token's user may
	// not change this user's presence.
	FaultNoPermission = Fault{
		Status:  http.StatusBadRequest,
		Code:    codeNoPermission,
		Message: "Unauthorized request. You do not have permission to update the presence status of this user.",
	}

	// FaultUserNotFound is Zoom's 404 with code 1001: the user does not
	// exist.
	FaultUserNotFound = Fault{
		Status:  http.StatusNotFound,
		Code:    codeUserNotFound,
		Message: "User does not exist: me.",
	}

	// FaultServerError is a 500 with an empty text/plain body.
	FaultServerError = Fault{Status: http.StatusInternalServerError}

	// FaultBadGateway is a 502 with the HTML page of a proxy, as a load
	// balancer in front of Zoom sends.
	FaultBadGateway = Fault{
		Method:      "*",
		Status:      http.StatusBadGateway,
		ContentType: "text/html",
		Body:        "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n</body>\r\n</html>\r\n",
	}

	// FaultDrop closes the connection without a response.
	FaultDrop = Fault{Method: "*", Drop: true}
)

type pendingFault struct {
	fault     Fault
	remaining int
}

// FailNext makes the next n presence requests that match f.Method fail
// with f. The fault applies after the token check, so a request with an
// invalid token still gets 401 and does not use up the fault. Calls queue:
// a request takes the oldest queued fault that matches its method. A
// faulted update changes nothing and starts no update window. n <= 0 does
// nothing.
func (s *Server) FailNext(n int, f Fault) {
	if n <= 0 {
		return
	}
	f.Method = strings.ToUpper(f.Method)
	if f.Method == "" {
		f.Method = http.MethodPut
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, pendingFault{fault: f, remaining: n})
	s.log.Debug("fault queued", "count", n, "method", f.Method, "status", f.Status, "code", f.Code)
}

// RateLimitNext makes the next n presence updates fail with 429 and the
// headers of Zoom's rate limiter: X-RateLimit-Category "Medium", X-RateLimit-Type "QPS"
// and Retry-After one minute after the request, as an RFC 3339 UTC time.
func (s *Server) RateLimitNext(n int) {
	header := http.Header{}
	header.Set("X-RateLimit-Category", "Medium")

	s.FailNext(n, Fault{
		Method:        http.MethodPut,
		Status:        http.StatusTooManyRequests,
		Code:          codeRateLimited,
		Message:       rateLimitMessage,
		RetryIn:       time.Minute,
		RateLimitType: "QPS",
		Header:        header,
	})
}

// ClearFaults drops every queued fault.
func (s *Server) ClearFaults() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = nil
}

// takeFaultLocked removes one use of the oldest fault that matches method.
func (s *Server) takeFaultLocked(method string) (Fault, bool) {
	for i := range s.faults {
		pending := &s.faults[i]
		if pending.fault.Method != "*" && pending.fault.Method != method {
			continue
		}

		f := pending.fault
		pending.remaining--
		if pending.remaining == 0 {
			s.faults = append(s.faults[:i], s.faults[i+1:]...)
		}
		return f, true
	}
	return Fault{}, false
}

// response builds the response for f to a request at now.
func (f Fault) response(now time.Time) apiResponse {
	if f.Drop {
		return apiResponse{drop: true}
	}

	resp := apiResponse{status: f.Status, code: f.Code, header: http.Header{}}
	if resp.status == 0 {
		resp.status = http.StatusBadRequest
	}

	contentType := f.ContentType
	switch {
	case f.Body != "":
		resp.body = []byte(f.Body)
	case f.Code != 0 || f.Message != "":
		resp.body, _ = json.Marshal(errorBody{Code: f.Code, Message: f.Message})
	}
	if contentType == "" && len(resp.body) > 0 {
		contentType = jsonContentType
	}
	if contentType == "" {
		contentType = "text/plain;charset=UTF-8"
	}
	resp.header.Set("Content-Type", contentType)

	switch {
	case f.RetryAfter != "":
		resp.header.Set("Retry-After", f.RetryAfter)
	case f.RetryIn > 0:
		resp.header.Set("Retry-After", formatRetryAfter(now.Add(f.RetryIn)))
	}
	if f.RateLimitType != "" {
		resp.header.Set("X-RateLimit-Type", f.RateLimitType)
	}
	for name, values := range f.Header {
		resp.header[name] = append(resp.header[name], values...)
	}
	return resp
}

// SetLatency delays every presence response by d, to simulate a slow
// network or a slow Zoom. Zero turns the delay off. A request whose
// context ends during the delay gets no response.
func (s *Server) SetLatency(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.latency = max(d, 0)
	s.log.Debug("latency set", "latency", s.latency)
}

func (s *Server) currentLatency() time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.latency
}

// SetDailyLimit makes the server accept at most n presence requests (reads
// and updates) per UTC day, as Zoom limits the requests of an account per
// day. Beyond it each request gets 429 with X-RateLimit-Type "Daily-limit"
// and Retry-After at the next midnight UTC. n <= 0 turns the limit off.
// Setting a limit starts a new count.
//
// NOTE: Zoom does not document when its daily count resets. Midnight UTC
// is a guess that the simulator states in Retry-After, as Zoom does.
func (s *Server) SetDailyLimit(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.daily = dailyCount{limit: max(n, 0)}
	s.log.Debug("daily limit set", "limit", s.daily.limit)
}

// dailyCount counts the presence requests of the current UTC day.
type dailyCount struct {
	limit int
	day   time.Time
	used  int
}

// takeLocked counts one request at now and returns the 429 response and
// false when the day's requests are spent.
func (c *dailyCount) takeLocked(now time.Time) (apiResponse, bool) {
	if c.limit == 0 {
		return apiResponse{}, true
	}

	day := now.UTC().Truncate(24 * time.Hour)
	if !day.Equal(c.day) {
		c.day, c.used = day, 0
	}
	if c.used >= c.limit {
		resp := jsonError(http.StatusTooManyRequests, codeRateLimited, dailyLimitMessage)
		resp.header.Set("Retry-After", formatRetryAfter(day.Add(24*time.Hour)))
		resp.header.Set("X-RateLimit-Category", "Medium")
		resp.header.Set("X-RateLimit-Type", "Daily-limit")
		return resp, false
	}
	c.used++
	return apiResponse{}, true
}

// FaultsEnv names the environment variable from which the app's sandbox
// mode reads fault switches for ApplyFaults.
const FaultsEnv = "ZOOM_PRESENCE_SANDBOX_FAULTS"

// ApplyFaults sets fault switches from spec, a comma-separated list such
// as "latency=2s,5xx=3,drop=1". The switches are:
//
//	latency=D         delay every presence response by D (SetLatency)
//	5xx=N             the next N requests get 500 with an empty body
//	html=N            the next N requests get 502 with an HTML page
//	drop=N            the next N requests get their connection closed
//	429=N             the next N updates get 429, Retry-After as an RFC 3339 time
//	429-seconds=N     the next N updates get 429, Retry-After in seconds
//	signed-out        the user is signed out of every Zoom client
//	daily-limit=N     accept N requests per UTC day (SetDailyLimit)
//
// N defaults to 1 when "=N" is left out. ApplyFaults applies nothing when
// spec has an invalid entry.
func (s *Server) ApplyFaults(spec string) error {
	var steps []func()
	for entry := range strings.SplitSeq(spec, ",") {
		entry = strings.TrimSpace(entry)
		if entry == "" {
			continue
		}
		step, err := s.faultStep(entry)
		if err != nil {
			return fmt.Errorf("invalid fault %q: %w", entry, err)
		}
		steps = append(steps, step)
	}

	for _, step := range steps {
		step()
	}
	return nil
}

// faultStep parses one entry of an ApplyFaults spec.
func (s *Server) faultStep(entry string) (func(), error) {
	name, value, hasValue := strings.Cut(entry, "=")

	if name == "latency" {
		d, err := time.ParseDuration(value)
		if err != nil || d < 0 {
			return nil, fmt.Errorf("latency must be a duration such as 2s")
		}
		return func() { s.SetLatency(d) }, nil
	}
	if name == "signed-out" {
		if hasValue {
			return nil, fmt.Errorf("signed-out takes no value")
		}
		return func() { s.SetSignedOut(true) }, nil
	}

	n := 1
	if hasValue {
		parsed, err := strconv.Atoi(value)
		if err != nil || parsed < 1 {
			return nil, fmt.Errorf("the count must be a whole number of at least 1")
		}
		n = parsed
	}

	switch name {
	case "5xx":
		return func() { s.FailNext(n, Fault{Method: "*", Status: http.StatusInternalServerError}) }, nil
	case "html":
		return func() { s.FailNext(n, FaultBadGateway) }, nil
	case "drop":
		return func() { s.FailNext(n, FaultDrop) }, nil
	case "429":
		return func() { s.RateLimitNext(n) }, nil
	case "429-seconds":
		return func() {
			s.FailNext(n, Fault{Status: http.StatusTooManyRequests, Code: codeRateLimited, Message: rateLimitMessage, RetryAfter: "60", RateLimitType: "QPS"})
		}, nil
	case "daily-limit":
		return func() { s.SetDailyLimit(n) }, nil
	}
	return nil, fmt.Errorf("unknown switch %q: use latency, 5xx, html, drop, 429, 429-seconds, signed-out or daily-limit", name)
}
