package zoom

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"io"
	"mime"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Zoom API error codes, sent in the "code" field of an error body.
const (
	// CodeMissingScope means the access token lacks a scope the call
	// needs. Zoom sends it with HTTP 400 or 401.
	CodeMissingScope = 104
	// CodeInvalidToken means the access token is invalid or expired.
	CodeInvalidToken = 124
	// CodeUserNotFound means the user in the path does not exist.
	CodeUserNotFound = 1001
	// CodeNotSignedIn means the update or read failed, typically because
	// the user is not signed in to a Zoom desktop or mobile app.
	CodeNotSignedIn = 5301
	// CodeNoPermission means the token may not change this user's
	// presence.
	CodeNoPermission = 5411
	// CodeMissingGranularScope means the access token lacks a granular
	// scope the call needs, such as user:update:presence_status.
	CodeMissingGranularScope = 4700
)

// Values of RateLimitError.Type, from Zoom's X-RateLimit-Type header.
const (
	// RateLimitQPS means too many requests per second.
	RateLimitQPS = "QPS"
	// RateLimitDaily means the account used its requests for the day.
	RateLimitDaily = "Daily-limit"
)

const (
	// maxErrorBody is how much of an error body CheckResponse reads to
	// find the code and message. Zoom's JSON errors are short, so a body
	// beyond this size is a proxy page or garbage.
	maxErrorBody = 64 << 10

	// maxDrain is how much more of an error body CheckResponse discards
	// before closing it. Reading a short body to its end lets net/http
	// reuse the connection, while a body past this size costs more to
	// read than a new connection.
	maxDrain = 256 << 10

	// maxMessageRunes caps ErrorResponse.Message and RateLimitError.Message.
	maxMessageRunes = 300

	// maxFieldErrors caps the entries of an "errors" array kept in a
	// message.
	maxFieldErrors = 5
)

// ErrorResponse is a non-2xx response from the Zoom API other than 429.
// CheckResponse removes the request's Authorization credentials, bearer
// tokens and JWTs from Message, so that a server echoing the access token
// does not put it into logs.
type ErrorResponse struct {
	// StatusCode is the HTTP status, such as 400.
	StatusCode int
	// Code is Zoom's error code, such as CodeNotSignedIn, or 0 when the
	// body has none.
	Code int
	// Message is Zoom's message, or a short excerpt of a body that is not
	// Zoom JSON, or "" for an empty body. It has at most 300 characters.
	Message string
	// Method and Path describe the request, without host or query.
	Method string
	Path   string
}

// Error returns the request, the HTTP status, Zoom's code and message,
// and for known codes what the user can do about it.
func (e *ErrorResponse) Error() string {
	var b strings.Builder
	b.WriteString("zoom: ")
	if e.Method != "" || e.Path != "" {
		b.WriteString(strings.TrimSpace(e.Method + " " + e.Path))
		b.WriteString(": ")
	}
	b.WriteString(strconv.Itoa(e.StatusCode))
	if text := http.StatusText(e.StatusCode); text != "" {
		b.WriteString(" " + text)
	}
	if e.Code != 0 {
		fmt.Fprintf(&b, " (code %d)", e.Code)
	}

	writeSentences(&b, e.Message, e.hint())
	return b.String()
}

// hint returns what the user can do next, or "" when nothing helps.
func (e *ErrorResponse) hint() string {
	switch {
	case e.StatusCode == http.StatusBadRequest && e.Code == CodeNotSignedIn:
		return "Sign in to the Zoom desktop or mobile app, then try again"
	case e.Code == CodeNoPermission:
		return "Ask your Zoom account admin for permission to change your status"
	case e.Code == CodeMissingScope || e.Code == CodeMissingGranularScope:
		return "Sign in to Zoom again and allow access to your presence status"
	case e.StatusCode == http.StatusUnauthorized || e.Code == CodeInvalidToken:
		return "Sign in to Zoom again"
	case e.StatusCode >= 500:
		return "Zoom or a proxy on the way failed, try again later"
	}
	return ""
}

// RateLimitError is a 429 response from the Zoom API. Zoom accepts one
// presence update per user per minute and limits each account per second
// and per day.
type RateLimitError struct {
	// Type is RateLimitQPS, RateLimitDaily, another value of the
	// X-RateLimit-Type header as sent, or "" when the header is absent.
	Type string
	// RetryAfter is how long to wait before the next request, from the
	// Retry-After header. It is valid only when HasRetryAfter is true.
	RetryAfter time.Duration
	// HasRetryAfter reports whether the response had a valid Retry-After
	// header. When it is false, the caller picks its own wait.
	HasRetryAfter bool
	// Message is Zoom's message, if the body has one.
	Message string
}

// Error returns the limit that was hit and when to retry.
func (e *RateLimitError) Error() string {
	var b strings.Builder
	b.WriteString("zoom: rate limit exceeded")
	if e.Type != "" {
		b.WriteString(" (" + e.Type + ")")
	}

	next := "Wait before sending the next request"
	if e.HasRetryAfter {
		next = "Retry after " + e.RetryAfter.Round(time.Second).String()
	}
	writeSentences(&b, e.Message, next)
	return b.String()
}

// writeSentences appends ": message. hint." to b, leaving out empty parts.
func writeSentences(b *strings.Builder, message, hint string) {
	if message == "" && hint == "" {
		return
	}
	b.WriteString(": ")

	if message != "" {
		b.WriteString(message)
		if hint == "" {
			return
		}
		if !strings.HasSuffix(message, ".") && !strings.HasSuffix(message, "!") && !strings.HasSuffix(message, "?") {
			b.WriteString(".")
		}
		b.WriteString(" ")
	}
	b.WriteString(hint + ".")
}

// CheckResponse returns nil for a 2xx response and leaves its body
// unread. For any other status it reads at most 64 KiB of the body,
// drains a little more so the connection can be reused, closes the body,
// and returns a *RateLimitError for 429 or an *ErrorResponse otherwise.
// It never returns nil for a non-2xx response. now is the time the
// response arrived, used to turn a Retry-After time into a wait.
//
// CheckResponse removes the request's Authorization credentials, bearer
// tokens and JWTs from the messages it returns, in case a server or proxy
// echoes them.
func CheckResponse(resp *http.Response, now time.Time) error {
	if resp == nil {
		return errors.New("zoom: no HTTP response")
	}
	if resp.StatusCode >= 200 && resp.StatusCode <= 299 {
		return nil
	}

	body := readErrorBody(resp.Body)
	code, message := parseErrorBody(body, header(resp.Header, "Content-Type"))

	// Redact before truncating, so that a cut cannot leave most of a token
	// behind in a form the patterns no longer match.
	message = truncate(redact(message, resp.Request), maxMessageRunes)

	if resp.StatusCode == http.StatusTooManyRequests {
		retryAfter, ok := ParseRetryAfter(header(resp.Header, "Retry-After"), now)
		return &RateLimitError{
			Type:          rateLimitType(header(resp.Header, "X-RateLimit-Type")),
			RetryAfter:    retryAfter,
			HasRetryAfter: ok,
			Message:       message,
		}
	}

	errResp := &ErrorResponse{
		StatusCode: resp.StatusCode,
		Code:       code,
		Message:    message,
	}
	if resp.Request != nil {
		errResp.Method = resp.Request.Method
		if resp.Request.URL != nil {
			errResp.Path = resp.Request.URL.EscapedPath()
		}
	}
	return errResp
}

// readErrorBody returns up to maxErrorBody bytes of body, then discards
// up to maxDrain more and closes it. A read error ends the body early.
func readErrorBody(body io.ReadCloser) []byte {
	if body == nil {
		return nil
	}
	defer body.Close()

	data, _ := io.ReadAll(io.LimitReader(body, maxErrorBody))
	_, _ = io.Copy(io.Discard, io.LimitReader(body, maxDrain))
	return data
}

// header returns the first value of the header name. Unlike
// http.Header.Get it also finds keys that are not in canonical form,
// which a hand-built http.Response may contain.
func header(h http.Header, name string) string {
	if v := h.Get(name); v != "" {
		return v
	}
	for key, values := range h {
		if strings.EqualFold(key, name) && len(values) > 0 {
			return values[0]
		}
	}
	return ""
}

// rateLimitType returns the X-RateLimit-Type value in Zoom's spelling.
func rateLimitType(value string) string {
	value = strings.TrimSpace(value)
	switch {
	case strings.EqualFold(value, RateLimitQPS):
		return RateLimitQPS
	case strings.EqualFold(value, RateLimitDaily):
		return RateLimitDaily
	}
	return truncate(cleanText(value), 64)
}

// ParseRetryAfter returns the wait that a Retry-After header value
// requests, measured from now. Zoom sends an RFC 3339 time such as
// "2024-03-27T04:00:00Z", and other servers send a whole number of
// seconds or an HTTP date, so all three forms are accepted. A time in the
// past gives 0. The second result is false for an empty, negative or
// otherwise invalid value.
func ParseRetryAfter(value string, now time.Time) (time.Duration, bool) {
	value = strings.TrimSpace(value)
	if value == "" {
		return 0, false
	}

	if isDigits(value) {
		// A number too large for a Duration is still a request to wait a
		// very long time, which the caller caps, not a missing header.
		seconds, err := strconv.ParseInt(value, 10, 64)
		if err != nil || seconds > int64(maxDuration/time.Second) {
			return maxDuration, true
		}
		return time.Duration(seconds) * time.Second, true
	}

	at, err := time.Parse(time.RFC3339, value)
	if err != nil {
		at, err = http.ParseTime(value)
	}
	if err != nil {
		return 0, false
	}
	return max(at.Sub(now), 0), true
}

const maxDuration = time.Duration(1<<63 - 1)

func isDigits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}

// zoomError is the JSON error body of the Zoom API.
type zoomError struct {
	Code    json.Number       `json:"code"`
	Message string            `json:"message"`
	Errors  []json.RawMessage `json:"errors"`
}

// parseErrorBody returns Zoom's code and a message on one line from an
// error body. It tries JSON first, then a lenient scan for bodies that are
// almost JSON, then the text of a text or HTML body.
func parseErrorBody(body []byte, contentType string) (int, string) {
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) == 0 {
		return 0, ""
	}

	if trimmed[0] == '{' {
		var zerr zoomError
		if err := json.Unmarshal(trimmed, &zerr); err == nil {
			message := joinFieldErrors(cleanText(zerr.Message), zerr.Errors)
			return parseCode(zerr.Code.String()), message
		}

		// Zoom has sent a missing-scope message with unescaped quotes
		// inside it, which no JSON parser accepts.
		code, message, ok := scanErrorBody(trimmed)
		if ok {
			return code, cleanText(message)
		}
	}

	return 0, bodyText(trimmed, contentType)
}

// parseCode returns a JSON number as an int, or 0 when it is not a whole
// number that fits.
func parseCode(number string) int {
	code, err := strconv.Atoi(number)
	if err != nil {
		return 0
	}
	return code
}

// joinFieldErrors appends the entries of Zoom's "errors" array to
// message, as in "Validation Failed. (duration: Invalid field.)".
func joinFieldErrors(message string, fieldErrors []json.RawMessage) string {
	var details []string
	for _, raw := range fieldErrors {
		if len(details) == maxFieldErrors {
			details = append(details, "…")
			break
		}

		var field struct {
			Field   string `json:"field"`
			Message string `json:"message"`
		}
		var text string
		switch {
		case json.Unmarshal(raw, &field) == nil && (field.Field != "" || field.Message != ""):
			text = strings.TrimPrefix(cleanText(field.Field)+": "+cleanText(field.Message), ": ")
		case json.Unmarshal(raw, &text) == nil:
			text = cleanText(text)
		}
		if text != "" {
			details = append(details, text)
		}
	}

	if len(details) == 0 {
		return message
	}
	return strings.TrimSpace(message + " (" + strings.Join(details, ", ") + ")")
}

// scanErrorBody finds "code" and "message" in a body that looks like
// Zoom's JSON but does not parse. The message ends at the first quote
// that is followed by the end of the object or by another key.
func scanErrorBody(body []byte) (int, string, bool) {
	code := 0
	if rest, ok := afterKey(body, "code"); ok {
		rest = bytes.TrimPrefix(rest, []byte(`"`))
		end := 0
		for end < len(rest) && end < 9 && rest[end] >= '0' && rest[end] <= '9' {
			end++
		}
		code, _ = strconv.Atoi(string(rest[:end]))
	}

	rest, ok := afterKey(body, "message")
	if !ok || len(rest) == 0 || rest[0] != '"' {
		return code, "", code != 0
	}
	rest = rest[1:]

	end := len(rest)
	for i := 0; i < len(rest); i++ {
		if rest[i] == '\\' {
			i++
			continue
		}
		if rest[i] == '"' && endsValue(rest[i+1:]) {
			end = i
			break
		}
	}
	return code, unescapeJSON(string(rest[:end])), true
}

// afterKey returns the bytes after `"key":` and any space, or false when
// the key is missing.
func afterKey(body []byte, key string) ([]byte, bool) {
	quoted := []byte(`"` + key + `"`)
	for {
		i := bytes.Index(body, quoted)
		if i < 0 {
			return nil, false
		}
		body = body[i+len(quoted):]

		rest := bytes.TrimLeft(body, " \t\r\n")
		if len(rest) > 0 && rest[0] == ':' {
			return bytes.TrimLeft(rest[1:], " \t\r\n"), true
		}
	}
}

// endsValue reports whether rest, which follows a closing quote, is the
// end of a JSON object or the start of its next key.
func endsValue(rest []byte) bool {
	rest = bytes.TrimLeft(rest, " \t\r\n")
	if len(rest) == 0 || rest[0] == '}' {
		return true
	}
	if rest[0] != ',' {
		return false
	}

	rest = bytes.TrimLeft(rest[1:], " \t\r\n")
	if len(rest) == 0 || rest[0] != '"' {
		return false
	}
	rest = rest[1:]

	name := 0
	for name < len(rest) && name < 64 && (rest[name] == '_' || isASCIILetter(rest[name])) {
		name++
	}
	if name == 0 || name >= len(rest) || rest[name] != '"' {
		return false
	}
	rest = bytes.TrimLeft(rest[name+1:], " \t\r\n")
	return len(rest) > 0 && rest[0] == ':'
}

func isASCIILetter(c byte) bool {
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
}

var jsonEscapes = strings.NewReplacer(`\"`, `"`, `\\`, `\`, `\/`, `/`, `\n`, " ", `\r`, " ", `\t`, " ")

func unescapeJSON(s string) string {
	return jsonEscapes.Replace(s)
}

var (
	htmlTitle   = regexp.MustCompile(`(?is)<title[^>]*>(.*?)</title`)
	htmlHidden  = regexp.MustCompile(`(?is)<(script|style)[^>]*>.*?</(script|style)\s*>`)
	htmlTag     = regexp.MustCompile(`(?s)<[^>]*>`)
	htmlComment = regexp.MustCompile(`(?s)<!--.*?-->`)
)

// bodyText returns a readable message for a body that is not Zoom JSON:
// the title or text of an HTML page, or a text body on one line. It
// returns "" for other content types, whose bytes mean nothing to a
// person.
func bodyText(body []byte, contentType string) string {
	mediaType, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		mediaType = ""
	}

	isHTML := strings.Contains(mediaType, "html")
	if mediaType == "" {
		sniffed := http.DetectContentType(body)
		isHTML = strings.HasPrefix(sniffed, "text/html")
		if !isHTML && !strings.HasPrefix(sniffed, "text/plain") {
			return ""
		}
	}
	if isHTML {
		return htmlText(body)
	}

	textual := strings.HasPrefix(mediaType, "text/") || mediaType == "" ||
		strings.Contains(mediaType, "json") || strings.Contains(mediaType, "xml")
	if !textual {
		return ""
	}
	return cleanText(string(body))
}

// htmlText returns the title of an HTML page, or its visible text when it
// has no title.
func htmlText(body []byte) string {
	if m := htmlTitle.FindSubmatch(body); m != nil {
		if title := cleanText(html.UnescapeString(string(htmlTag.ReplaceAll(m[1], nil)))); title != "" {
			return title
		}
	}

	text := htmlComment.ReplaceAll(body, nil)
	text = htmlHidden.ReplaceAll(text, nil)
	text = htmlTag.ReplaceAll(text, []byte(" "))
	return cleanText(html.UnescapeString(string(text)))
}

// cleanText returns s as valid UTF-8 on one line: control characters
// become spaces and runs of white space become one space.
func cleanText(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == '\u2028' || r == '\u2029' {
			return ' '
		}
		return r
	}, s)
	return strings.Join(strings.Fields(s), " ")
}

// truncate cuts s to at most n runes, marking a cut with "…".
func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	runes := []rune(s)
	return strings.TrimSpace(string(runes[:n-1])) + "…"
}

var (
	bearerToken = regexp.MustCompile(`(?i)\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]{16,}`)
	jwtToken    = regexp.MustCompile(`eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*`)
)

const redacted = "[redacted]"

// redact removes from message the credentials of req's Authorization
// header, and anything that looks like a bearer token or a JWT, which is
// the form of Zoom's access tokens.
func redact(message string, req *http.Request) string {
	if message == "" {
		return ""
	}

	if req != nil {
		auth := strings.TrimSpace(req.Header.Get("Authorization"))
		if _, credentials, ok := strings.Cut(auth, " "); ok {
			auth = strings.TrimSpace(credentials)
		}
		if len(auth) >= 8 {
			message = strings.ReplaceAll(message, auth, redacted)
		}
	}

	message = bearerToken.ReplaceAllString(message, "$1 "+redacted)
	return jwtToken.ReplaceAllString(message, redacted)
}

// IsNotSignedIn reports whether err is Zoom's 400 with code 5301, which
// means the user is not signed in to a Zoom desktop or mobile app, so the
// status cannot change until they sign in there.
func IsNotSignedIn(err error) bool {
	var errResp *ErrorResponse
	return errors.As(err, &errResp) &&
		errResp.StatusCode == http.StatusBadRequest && errResp.Code == CodeNotSignedIn
}

// IsNoPermission reports whether err carries Zoom's code 5411: the token
// may not change this user's presence.
func IsNoPermission(err error) bool {
	var errResp *ErrorResponse
	return errors.As(err, &errResp) && errResp.Code == CodeNoPermission
}

// IsUnauthorized reports whether err is a 401 or carries Zoom's code 124,
// both of which mean the access token is invalid or expired and the user
// must sign in again if a refresh does not help.
func IsUnauthorized(err error) bool {
	var errResp *ErrorResponse
	return errors.As(err, &errResp) &&
		(errResp.StatusCode == http.StatusUnauthorized || errResp.Code == CodeInvalidToken)
}

// IsMissingScope reports whether err carries Zoom's code 104 or 4700: the
// token lacks a scope the call needs, so the user must sign in again and
// grant it.
func IsMissingScope(err error) bool {
	var errResp *ErrorResponse
	return errors.As(err, &errResp) &&
		(errResp.Code == CodeMissingScope || errResp.Code == CodeMissingGranularScope)
}

// IsRetryable reports whether the same request may succeed later: true
// for a network failure, a timeout (including an expired context
// deadline), a 5xx or 408 response, and a *RateLimitError once its wait has
// passed. It is false for nil, a canceled context, other 4xx responses, an
// invalid Update, a malformed success body, and errors from an
// http.Client transport that are not network errors, such as a failed
// OAuth token refresh.
func IsRetryable(err error) bool {
	if err == nil || errors.Is(err, context.Canceled) {
		return false
	}

	var rateLimit *RateLimitError
	if errors.As(err, &rateLimit) {
		return true
	}

	var errResp *ErrorResponse
	if errors.As(err, &errResp) {
		return errResp.StatusCode >= 500 || errResp.StatusCode == http.StatusRequestTimeout
	}

	// An error from another layer, such as a failed token refresh, can
	// report itself whether a retry may help.
	var retryable interface{ Retryable() bool }
	if errors.As(err, &retryable) {
		return retryable.Retryable()
	}

	// *url.Error itself implements net.Error, so look at what it wraps:
	// a token source failure inside it is not a network error.
	var urlErr *url.Error
	if errors.As(err, &urlErr) {
		err = urlErr.Err
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return true
	}
	var netErr net.Error
	return errors.As(err, &netErr)
}
