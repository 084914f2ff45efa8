package auth

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/oauth2"
)

// shutdownTimeout bounds how long the loopback server waits for the
// browser to receive the result page before it closes the connections.
const shutdownTimeout = 2 * time.Second

// maxErrorTextLen limits how much of the error parameters of a redirect
// goes into an error message.
const maxErrorTextLen = 200

// SignIn signs the user in to Zoom in the browser and returns the token.
//
// SignIn listens on the host, port and path of cfg.RedirectURL and builds
// an authorization URL with a fresh state value and PKCE verifier. It logs
// that URL at Info, so that the user can open it by hand, and calls open
// with it in a new goroutine. SignIn never waits for open, so an opener
// that hangs does no harm. open may be nil. Because open receives the URL, a caller
// that wants to offer the URL itself (in a menu, say) can record it there.
//
// The first redirect whose state matches ends the wait. Redirects with a
// missing or wrong state, requests for other paths and requests with a
// Host header other than the redirect URL's host and port get a short
// HTML page and change nothing. SignIn then exchanges the code for a
// token, shows the result in the browser and stops the server.
//
// SignIn blocks until the token arrives, the user denies access
// ([ErrSignInDenied]), cfg.SignInTimeout passes, or ctx ends. ctx also
// bounds the code exchange. log may be nil for [slog.Default]. SignIn is
// safe to call from several goroutines, but calls with the same
// redirect URL fail with a port-in-use error while another is waiting.
func SignIn(ctx context.Context, cfg Config, open func(authURL string) error, log *slog.Logger) (*oauth2.Token, error) {
	if log == nil {
		log = slog.Default()
	}
	f := &loopbackFlow{
		cfg:    cfg,
		open:   open,
		log:    log,
		listen: net.Listen,
	}
	return f.run(ctx)
}

// loopbackFlow is one sign-in attempt. listen is a field so that tests
// can serve over in-memory connections.
type loopbackFlow struct {
	cfg    Config
	open   func(string) error
	log    *slog.Logger
	listen func(network, address string) (net.Listener, error)
}

func (f *loopbackFlow) run(ctx context.Context) (*oauth2.Token, error) {
	target, err := parseRedirectURL(f.cfg.RedirectURL)
	if err != nil {
		return nil, err
	}

	listeners, err := f.listenAll(target)
	if err != nil {
		return nil, err
	}

	// A fresh state and verifier per attempt mean that a redirect from an
	// earlier attempt, or one forged by another page, cannot complete
	// this one.
	state := rand.Text()
	verifier := oauth2.GenerateVerifier()
	oc := f.cfg.OAuth2()
	authURL := oc.AuthCodeURL(state, oauth2.S256ChallengeOption(verifier))

	timeout := f.cfg.signInTimeout()
	ctx, cancel := context.WithTimeoutCause(ctx, timeout,
		fmt.Errorf("no redirect from Zoom to %s within %v; try signing in again: %w",
			f.cfg.RedirectURL, timeout, context.DeadlineExceeded))
	defer cancel()

	h := &callbackHandler{
		host:     target.host,
		path:     target.path,
		state:    state,
		log:      f.log,
		accepted: make(chan callback, 1),
		done:     make(chan struct{}),
	}
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		ErrorLog:          slog.NewLogLogger(f.log.Handler(), slog.LevelDebug),
	}
	serveErr := make(chan error, len(listeners))
	var wg sync.WaitGroup
	for _, ln := range listeners {
		wg.Go(func() {
			if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
				serveErr <- fmt.Errorf("serve the sign-in redirect on %s: %w", ln.Addr(), err)
			}
		})
	}
	defer func() {
		// A handler that accepted a redirect waits for the result page, so
		// release it before waiting for the server to stop.
		h.finish(pageFailed)
		f.shutdown(srv)
		wg.Wait()
	}()

	f.log.Info("Waiting for Zoom sign-in; open this URL if no browser opens", "url", authURL, "redirect_url", f.cfg.RedirectURL)
	if f.open != nil {
		go f.openBrowser(authURL)
	}

	var cb callback
	select {
	case cb = <-h.accepted:
	case err := <-serveErr:
		return nil, err
	case <-ctx.Done():
		return nil, fmt.Errorf("sign in to Zoom: %w", context.Cause(ctx))
	}

	if err := cb.err(); err != nil {
		if errors.Is(err, ErrSignInDenied) {
			h.finish(pageDenied)
		}
		f.log.Info("Zoom sign-in did not complete", "error", err)
		return nil, err
	}

	f.log.Debug("Exchanging the authorization code", "token_url", oc.Endpoint.TokenURL)
	tok, err := oc.Exchange(ctx, cb.code, oauth2.VerifierOption(verifier))
	if err != nil {
		err = fmt.Errorf("exchange the authorization code at %s: %w", oc.Endpoint.TokenURL, sanitizeTokenError(err))
		f.log.Error("Zoom sign-in failed", "error", err)
		return nil, err
	}
	h.finish(pageSignedIn)
	f.log.Info("Signed in to Zoom", "expiry", tok.Expiry)
	return tok, nil
}

// openBrowser runs the caller's opener. It has no context because the
// opener takes none. If the opener never returns, this goroutine stays
// blocked, but SignIn goes on.
func (f *loopbackFlow) openBrowser(authURL string) {
	if err := f.open(authURL); err != nil {
		f.log.Warn("Could not open a browser; open the sign-in URL by hand", "url", authURL, "error", err)
	}
}

// shutdown stops srv, giving the browser a moment to receive the result
// page, then closes what is left.
func (f *loopbackFlow) shutdown(srv *http.Server) {
	ctx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()

	if err := srv.Shutdown(ctx); err != nil {
		f.log.Debug("Closing the sign-in server after the shutdown timeout", "error", err)
		_ = srv.Close()
	}
}

// redirectTarget is the part of the redirect URL that the server matches.
type redirectTarget struct {
	host     string // host:port as in the URL and the Host header
	hostname string
	port     string
	path     string // escaped path, "/" when empty
}

// parseRedirectURL checks that raw is an http URL on a loopback host with
// an explicit port.
func parseRedirectURL(raw string) (redirectTarget, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return redirectTarget{}, fmt.Errorf("invalid redirect URL %q: %w", raw, err)
	}

	if u.Scheme != "http" {
		return redirectTarget{}, fmt.Errorf("invalid redirect URL %q: scheme must be http; use a URL like http://127.0.0.1:8765/callback", raw)
	}

	hostname := u.Hostname()
	ip := net.ParseIP(hostname)
	if !strings.EqualFold(hostname, "localhost") && (ip == nil || !ip.IsLoopback()) {
		return redirectTarget{}, fmt.Errorf("invalid redirect URL %q: host must be 127.0.0.1, ::1 or localhost", raw)
	}

	port, err := strconv.Atoi(u.Port())
	if err != nil || port < 1 || port > 65535 {
		return redirectTarget{}, fmt.Errorf("invalid redirect URL %q: port must be set to a number from 1 to 65535", raw)
	}

	path := u.EscapedPath()
	if path == "" {
		path = "/"
	}
	return redirectTarget{
		host:     u.Host,
		hostname: hostname,
		port:     u.Port(),
		path:     path,
	}, nil
}

// listenAll listens on the redirect URL's address. For localhost it
// listens on both 127.0.0.1 and ::1, because a browser may resolve
// localhost to either. ::1 is skipped when the machine has no IPv6
// loopback address.
func (f *loopbackFlow) listenAll(target redirectTarget) ([]net.Listener, error) {
	type address struct {
		network, addr string
		optional      bool
	}
	var addrs []address
	if strings.EqualFold(target.hostname, "localhost") {
		addrs = []address{
			{"tcp4", net.JoinHostPort("127.0.0.1", target.port), false},
			{"tcp6", net.JoinHostPort("::1", target.port), true},
		}
	} else {
		addrs = []address{{"tcp", net.JoinHostPort(target.hostname, target.port), false}}
	}

	var listeners []net.Listener
	for _, a := range addrs {
		ln, err := f.listen(a.network, a.addr)
		if err != nil && a.optional && isAddrUnavailable(err) {
			f.log.Debug("Skipping a loopback address that this machine lacks", "address", a.addr, "error", err)
			continue
		}
		if err != nil {
			for _, l := range listeners {
				_ = l.Close()
			}
			return nil, listenError(a.addr, target.port, err)
		}
		f.log.Debug("Listening for the sign-in redirect", "address", ln.Addr())
		listeners = append(listeners, ln)
	}
	return listeners, nil
}

func listenError(addr, port string, err error) error {
	if isAddrInUse(err) {
		return &PortInUseError{Addr: addr, Port: port, Err: err}
	}
	return fmt.Errorf("listen on %s for the sign-in redirect: %w", addr, err)
}

// PortInUseError reports that another program listens on the port of the
// redirect URL, so the browser's redirect cannot reach this one.
type PortInUseError struct {
	Addr string // the address SignIn tried to listen on
	Port string
	Err  error // the error from listen
}

func (e *PortInUseError) Error() string {
	return fmt.Sprintf("listen on %s for the sign-in redirect: port %s is in use by another program; "+
		"choose a free port in the redirect URL (-redirect-url or ZOOM_REDIRECT_URL) "+
		"and register the same URL on the Zoom app: %v", e.Addr, e.Port, e.Err)
}

func (e *PortInUseError) Unwrap() error { return e.Err }

// callback is the query of the redirect that the handler accepted.
type callback struct {
	code             string
	errorCode        string
	errorDescription string
}

func (c callback) err() error {
	switch {
	case c.errorCode == "access_denied":
		return ErrSignInDenied
	case c.errorCode != "":
		msg := "Zoom returned authorization error " + strconv.Quote(truncate(c.errorCode, maxErrorTextLen))
		if c.errorDescription != "" {
			msg += ": " + strconv.Quote(truncate(c.errorDescription, maxErrorTextLen))
		}
		return errors.New(msg)
	case c.code == "":
		return errors.New("the redirect from Zoom has neither a code nor an error; try signing in again")
	}
	return nil
}

// callbackHandler serves the redirect URL. It hands the first redirect
// with the right state to the flow through accepted, then holds that
// request open until finish names the page to show.
type callbackHandler struct {
	host  string
	path  string
	state string
	log   *slog.Logger

	acceptOnce sync.Once
	accepted   chan callback // buffered, so accepting never blocks

	finishOnce sync.Once
	done       chan struct{} // closed by finish
	result     page          // written before done is closed
}

func (h *callbackHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	// A page on another site can make the browser send requests here
	// through a DNS name that resolves to 127.0.0.1 (DNS rebinding). The
	// browser then sends that name in Host, so reject any other Host.
	if !strings.EqualFold(r.Host, h.host) {
		h.log.Debug("Rejected a request with a foreign Host header", "host", r.Host)
		writePage(w, http.StatusMisdirectedRequest, pageWrongHost)
		return
	}
	if r.URL.EscapedPath() != h.path {
		writePage(w, http.StatusNotFound, pageNotFound)
		return
	}
	if r.Method != http.MethodGet {
		w.Header().Set("Allow", http.MethodGet)
		writePage(w, http.StatusMethodNotAllowed, pageMethodNotAllowed)
		return
	}

	q := r.URL.Query()
	if subtle.ConstantTimeCompare([]byte(q.Get("state")), []byte(h.state)) != 1 {
		h.log.Info("Ignored a sign-in redirect with a missing or wrong state; it may be from an earlier attempt")
		writePage(w, http.StatusBadRequest, pageBadState)
		return
	}

	accepted := false
	h.acceptOnce.Do(func() {
		accepted = true
		h.accepted <- callback{
			code:             q.Get("code"),
			errorCode:        q.Get("error"),
			errorDescription: q.Get("error_description"),
		}
	})
	if !accepted {
		writePage(w, http.StatusConflict, pageAlreadyDone)
		return
	}

	select {
	case <-h.done:
		status := http.StatusOK
		if h.result != pageSignedIn {
			status = http.StatusBadRequest
		}
		writePage(w, status, h.result)
	case <-r.Context().Done():
	}
}

// finish sets the page for the accepted redirect. Only the first call has
// an effect.
func (h *callbackHandler) finish(p page) {
	h.finishOnce.Do(func() {
		h.result = p
		close(h.done)
	})
}

// page is the text of a result page shown in the browser.
type page string

const (
	pageSignedIn         page = "Signed in to Zoom. You can close this tab."
	pageDenied           page = "Sign-in to Zoom was cancelled. You can close this tab."
	pageFailed           page = "Sign-in to Zoom failed. Close this tab and try again from the app."
	pageBadState         page = "This sign-in link is not valid or has expired. Start the sign-in again from the app."
	pageAlreadyDone      page = "This sign-in has already been handled. You can close this tab."
	pageNotFound         page = "Not found."
	pageMethodNotAllowed page = "Only GET requests are accepted here."
	pageWrongHost        page = "This server only answers on its loopback address."
)

func writePage(w http.ResponseWriter, status int, p page) {
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	// The redirect URL carries the authorization code, so keep it out of
	// any Referer header.
	h.Set("Referrer-Policy", "no-referrer")
	w.WriteHeader(status)
	// Every page text is a constant without markup, so it needs no escaping.
	fmt.Fprintf(w, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Zoom presence</title></head>"+
		"<body><p>%s</p></body></html>\n", p)
}
