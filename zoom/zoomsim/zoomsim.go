// Package zoomsim is an in-memory stand-in for the parts of Zoom that
// zoom-presence uses: the presence status endpoints of the REST API and the
// OAuth authorize, token and revoke endpoints.
//
// A Server simulates one Zoom user, addressed as "me", and one OAuth app.
// Tests reach it over loopback HTTP after Start, or in the calling goroutine
// through Transport, which lets tests under testing/synctest use fake time.
// The app's sandbox mode runs it so that a person can try the app without a
// Zoom account.
//
// The server follows Zoom's published API reference and OAuth guides. Where
// Zoom documents no behavior, the simulator picks the stricter choice, so
// that a client which works against it also works against Zoom. A comment
// marks each such choice.
package zoomsim

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/zoom-presence/zoom-presence/zoom"
)

// Defaults for the zero values of Options.
const (
	DefaultTokenLifetime  = time.Hour
	DefaultUpdateInterval = time.Minute
	DefaultTokenSize      = 64
	DefaultScope          = "user:read:presence_status user:update:presence_status"
)

// MinTokenSize is the smallest token length in characters that Options
// accepts. Smaller values of TokenSize are raised to it.
const MinTokenSize = 40

// AuthCodeLifetime is how long an authorization code can be exchanged, as
// Zoom documents it.
const AuthCodeLifetime = 5 * time.Minute

// maxBodyBytes bounds the request body the server reads, because no
// request to these endpoints carries more than a few hundred bytes.
const maxBodyBytes = 1 << 20

// Options configures a Server. The zero value is a public client with any
// client ID, 1-hour access tokens and one presence update per minute.
type Options struct {
	// ClientID is the OAuth client ID that authorize, token and revoke
	// requests must carry. Empty accepts any non-empty client ID.
	ClientID string

	// ClientSecret makes the app a confidential client, which must
	// authenticate at the token and revoke endpoints with HTTP Basic
	// client_id:secret or with a client_secret form field. Empty makes it a
	// public client, which sends client_id in the form, sends no
	// Authorization header and must use PKCE.
	ClientSecret string

	// RedirectURL is the redirect URL registered for the app. When set,
	// authorize requests must carry exactly this redirect_uri (scheme,
	// host, port and path). Empty accepts any absolute http or https URL.
	RedirectURL string

	// Scope is the scope string returned in token responses. Empty means
	// DefaultScope.
	Scope string

	// TokenLifetime is how long an access token is valid. Zero means
	// DefaultTokenLifetime.
	TokenLifetime time.Duration

	// TokenSize is the length in characters of each access and refresh
	// token. Zero means DefaultTokenSize. Set it to a few thousand to test
	// how a keyring copes with large secrets.
	TokenSize int

	// UpdateInterval is the minimum time between two accepted presence
	// updates. Zero means DefaultUpdateInterval, and a negative value turns
	// the limit off.
	UpdateInterval time.Duration

	// Logger receives a Debug record for each request and state change.
	// The records never contain tokens, codes, verifiers or secrets. Nil
	// discards them.
	Logger *slog.Logger
}

// Server is a simulated Zoom: an http.Handler for the presence and OAuth
// endpoints plus methods that let a test inspect and steer it. Create it
// with New. It is safe for concurrent use.
type Server struct {
	opts Options
	log  *slog.Logger
	mux  *http.ServeMux

	mu         sync.Mutex
	requests   []Request
	updates    []PresenceUpdate
	user       userState
	faults     []pendingFault
	latency    time.Duration
	daily      dailyCount
	auth       authState
	httpServer *http.Server
	listener   net.Listener
}

// Request is one HTTP request the server received, with its secrets
// removed.
type Request struct {
	Time   time.Time
	Method string
	Path   string

	// Query is the query string. Every value except those of the OAuth
	// parameters that are not secret (response_type, client_id,
	// redirect_uri, state, code_challenge, code_challenge_method, scope,
	// grant_type, token_type_hint) reads REDACTED.
	Query string

	// Header holds the request headers except Authorization.
	Header http.Header

	// AuthScheme is the scheme of the Authorization header, such as
	// "Bearer" or "Basic", or "" when the request had none.
	AuthScheme string

	// Body is the request body. The body of an OAuth request is recorded
	// as a form with the same redaction as Query, because it carries the
	// authorization code, verifier, tokens or client secret. Other bodies
	// are recorded as sent.
	Body []byte

	// Status is the HTTP status of the response, or 0 while the request is
	// still being served.
	Status int
}

// New returns a Server configured by opts. It does not listen: call Start,
// or serve it through Transport or any http.Server.
func New(opts Options) *Server {
	if opts.TokenLifetime == 0 {
		opts.TokenLifetime = DefaultTokenLifetime
	}
	if opts.UpdateInterval == 0 {
		opts.UpdateInterval = DefaultUpdateInterval
	}
	if opts.TokenSize == 0 {
		opts.TokenSize = DefaultTokenSize
	}
	if opts.TokenSize < MinTokenSize {
		opts.TokenSize = MinTokenSize
	}
	if opts.Scope == "" {
		opts.Scope = DefaultScope
	}

	logger := opts.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}

	s := &Server{
		opts: opts,
		log:  logger.With("component", "zoomsim"),
		mux:  http.NewServeMux(),
		user: userState{status: zoom.StatusAvailable},
		auth: newAuthState(),
	}
	s.mux.HandleFunc("GET /v2/users/{userId}/presence_status", s.handleGetPresence)
	s.mux.HandleFunc("PUT /v2/users/{userId}/presence_status", s.handlePutPresence)
	s.mux.HandleFunc("GET /oauth/authorize", s.handleAuthorize)
	s.mux.HandleFunc("POST /oauth/token", s.handleToken)
	s.mux.HandleFunc("POST /oauth/revoke", s.handleRevoke)
	s.mux.HandleFunc("GET /{$}", s.handleStatusPage)
	s.mux.HandleFunc("POST /faults", s.handleFaults)
	return s
}

// ServeHTTP serves one request and records it. Requests for the status
// page at "/" and its fault form at "/faults" are not recorded, so that a
// browser refreshing it does not fill the record.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/" || r.URL.Path == "/faults" {
		s.mux.ServeHTTP(w, r)
		return
	}

	// The body is read up front so that it can be recorded and still be
	// parsed by the handler.
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBodyBytes+1))
	if err != nil {
		s.log.Debug("read request body failed", "method", r.Method, "path", r.URL.Path, "error", err)
		http.Error(w, "reading the request body failed", http.StatusBadRequest)
		return
	}
	r.Body = io.NopCloser(bytes.NewReader(body))

	index := s.beginRequest(r, body)
	sw := &statusWriter{ResponseWriter: w}
	if len(body) > maxBodyBytes {
		http.Error(sw, "request body too large", http.StatusRequestEntityTooLarge)
	} else {
		s.mux.ServeHTTP(sw, r)
	}

	status := sw.statusCode()
	s.mu.Lock()
	s.requests[index].Status = status
	s.mu.Unlock()
	s.log.Debug("served request", "method", r.Method, "path", r.URL.Path, "status", status)
}

// beginRequest appends the redacted request to the record and returns its
// index.
func (s *Server) beginRequest(r *http.Request, body []byte) int {
	header := r.Header.Clone()
	header.Del("Authorization")

	scheme, _, _ := strings.Cut(r.Header.Get("Authorization"), " ")

	rec := Request{
		Time:       time.Now(),
		Method:     r.Method,
		Path:       r.URL.Path,
		Query:      redactQuery(r.URL.RawQuery),
		Header:     header,
		AuthScheme: scheme,
		Body:       redactBody(r.URL.Path, body),
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests = append(s.requests, rec)
	return len(s.requests) - 1
}

// Requests returns a copy of every recorded request, in the order the
// server received them.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()

	out := make([]Request, len(s.requests))
	for i, r := range s.requests {
		r.Header = r.Header.Clone()
		r.Body = bytes.Clone(r.Body)
		out[i] = r
	}
	return out
}

// Start listens on addr, which must be a loopback IP address with a port,
// such as "127.0.0.1:0" or "[::1]:0", and serves in a new goroutine until
// Close. It returns once the listener is open.
func (s *Server) Start(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("start simulator on %q: %w", addr, err)
	}
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("start simulator on %q: host is not a loopback IP address (use 127.0.0.1:0 or [::1]:0)", addr)
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	if s.listener != nil {
		return fmt.Errorf("start simulator on %q: already started on %s (a Server starts only once)", addr, s.listener.Addr())
	}

	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("start simulator: %w", err)
	}
	srv := &http.Server{
		Handler:           s,
		ReadHeaderTimeout: 10 * time.Second,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelDebug),
	}
	s.listener = ln
	s.httpServer = srv

	go func() {
		err := srv.Serve(ln)
		if !errors.Is(err, http.ErrServerClosed) {
			s.log.Debug("simulator stopped serving", "addr", ln.Addr().String(), "error", err)
		}
	}()
	s.log.Debug("simulator listening", "addr", ln.Addr().String())
	return nil
}

// URL returns the base URL, such as "http://127.0.0.1:41234", or "" before
// Start.
func (s *Server) URL() string {
	s.mu.Lock()
	defer s.mu.Unlock()

	if s.listener == nil {
		return ""
	}
	return "http://" + s.listener.Addr().String()
}

// APIURL returns the base URL of the REST API, URL()+"/v2", or "" before
// Start.
func (s *Server) APIURL() string {
	base := s.URL()
	if base == "" {
		return ""
	}
	return base + "/v2"
}

// OAuthURL returns the base URL of the OAuth endpoints /oauth/authorize,
// /oauth/token and /oauth/revoke, or "" before Start. It equals URL.
func (s *Server) OAuthURL() string {
	return s.URL()
}

// Close stops listening and closes open connections at once. It returns nil
// when the server was never started or is already closed.
func (s *Server) Close() error {
	s.mu.Lock()
	srv := s.httpServer
	s.httpServer = nil
	s.mu.Unlock()

	if srv == nil {
		return nil
	}
	if err := srv.Close(); err != nil {
		return fmt.Errorf("close simulator: %w", err)
	}
	s.log.Debug("simulator closed")
	return nil
}

// statusWriter records the status code that a handler writes.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

func (w *statusWriter) statusCode() int {
	if w.status == 0 {
		return http.StatusOK
	}
	return w.status
}
