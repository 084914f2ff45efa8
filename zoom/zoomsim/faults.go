package zoomsim

import (
	"encoding/json"
	"net/http"
	"strings"
	"time"
)

// Fault is an error response that the presence endpoints send in place of
// their usual response. Queue faults with FailNext.
//
// TODO: Add slow responses and dropped connections, which a Fault cannot
// express yet.
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
