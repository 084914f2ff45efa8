package auth

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"golang.org/x/oauth2"
)

const (
	// earlyRefresh is how long before expiry a token is refreshed, so
	// that a request never leaves with a token that expires on the way.
	earlyRefresh = time.Minute

	// refreshTimeout bounds one refresh request. The refresh runs
	// without the caller's cancellation: if a cancelled request aborted
	// it after Zoom had rotated the refresh token, the new token would be
	// lost and with it the session.
	refreshTimeout = 30 * time.Second
)

// Session is the signed-in state of one Zoom user: the current token, the
// [Store] that keeps it between runs, and an HTTP client that
// authenticates with it. A Session is safe for concurrent use.
type Session struct {
	// OnSignedOut, if not nil, is called each time the session goes from
	// signed in to signed out: with nil after SignOut, and with an error
	// wrapping ErrSignInRequired when Zoom rejects the refresh token. It
	// is called from the goroutine that noticed, with no lock held, so it
	// may call Session methods. It should return quickly because it may
	// hold up an HTTP request. Set it before calling any method.
	OnSignedOut func(err error)

	// Transport sends the API requests of Client and the session's token
	// and revoke requests. Nil means http.DefaultTransport. Set it before
	// calling any method.
	Transport http.RoundTripper

	cfg    Config
	oauth  *oauth2.Config
	store  Store
	log    *slog.Logger
	client *http.Client

	// sem is held for each change of the token (refresh, sign-in,
	// sign-out), so that there is at most one refresh at a time. It is a
	// channel so that waiting can end with the request's context.
	sem chan struct{}

	mu        sync.Mutex // guards tok and refreshAt
	tok       *oauth2.Token
	refreshAt time.Time // zero: never refresh
}

// NewSession returns a signed-out session for the app cfg that keeps its
// token in store. Call Load to restore a stored token. log may be nil for
// [slog.Default].
func NewSession(cfg Config, store Store, log *slog.Logger) *Session {
	if log == nil {
		log = slog.Default()
	}
	s := &Session{
		cfg:   cfg,
		oauth: cfg.OAuth2(),
		store: store,
		log:   log,
		sem:   make(chan struct{}, 1),
	}
	s.client = &http.Client{Transport: &transport{session: s}}
	return s
}

// Load restores the token from the store. It returns an error wrapping
// ErrNoToken when none is stored, or the store's error, such as one
// wrapping ErrCorruptToken or ErrKeyringTimeout. Load blocks while a
// refresh runs and for as long as the store takes.
func (s *Session) Load() error {
	s.sem <- struct{}{}
	defer func() { <-s.sem }()

	tok, err := s.store.Load()
	if errors.Is(err, ErrNoToken) {
		s.log.Debug("No stored Zoom token")
		return err
	}
	if err != nil {
		s.log.Error("Could not load the stored Zoom token", "error", err)
		return err
	}

	s.setToken(tok, false)
	s.log.Info("Restored the Zoom sign-in", "expiry", tok.Expiry)
	return nil
}

// SignIn signs the user in through the browser with [SignIn] and stores
// the new token, replacing any earlier one. open receives the
// authorization URL; see SignIn for how it is called.
//
// If only saving fails, SignIn returns that error but the session is
// signed in until the program exits. SignIn blocks like the package-level
// SignIn, and ctx must live until it returns.
func (s *Session) SignIn(ctx context.Context, open func(authURL string) error) error {
	tok, err := SignIn(s.withHTTPClient(ctx), s.cfg, open, s.log)
	if err != nil {
		return err
	}

	// Wait without ctx: the token is already issued, and dropping it now
	// would waste the sign-in.
	s.sem <- struct{}{}
	saveErr := s.store.Save(tok)
	s.setToken(tok, true)
	<-s.sem

	if saveErr != nil {
		s.log.Error("Signed in to Zoom, but could not save the token; sign in again after a restart", "error", saveErr)
		return fmt.Errorf("signed in, but could not save the Zoom token, so you will have to sign in again after a restart: %w", saveErr)
	}
	return nil
}

// SignOut ends the session. It deletes the token locally, calls
// OnSignedOut if the session was signed in, and then sends Zoom a request
// to revoke the token. Revocation is best effort: its failure is logged, not
// returned, so SignOut fails only when the store cannot delete the token.
// SignOut waits for a refresh that is running, then blocks until the
// revoke request ends. ctx bounds only that request, which also has a
// time limit of its own.
func (s *Session) SignOut(ctx context.Context) error {
	s.sem <- struct{}{}
	s.mu.Lock()
	tok := s.tok
	s.tok = nil
	s.refreshAt = time.Time{}
	s.mu.Unlock()
	delErr := s.store.Delete()
	<-s.sem

	if tok != nil {
		s.log.Info("Signed out of Zoom")
		if s.OnSignedOut != nil {
			s.OnSignedOut(nil)
		}
		s.revoke(ctx, tok)
	}

	if delErr != nil {
		s.log.Error("Could not delete the stored Zoom token", "error", delErr)
		return fmt.Errorf("sign out of Zoom: %w", delErr)
	}
	return nil
}

// SignedIn reports whether the session has a token. The token may still
// turn out to be revoked at the next request. SignedIn does not block on
// a running refresh.
func (s *Session) SignedIn() bool {
	s.mu.Lock()
	defer s.mu.Unlock()

	return s.tok != nil
}

// Client returns an HTTP client that sends the session's access token as
// a Bearer token. Every call returns the same client, and it follows the
// session through sign-in and sign-out: while signed out, its requests
// fail with an error wrapping ErrSignInRequired.
//
// The client refreshes the token one minute before it expires, with at
// most one refresh at a time, and saves each new token to the store
// before any request uses it. When a response is 401 Unauthorized, it
// refreshes once and sends the request once more, if the request body can
// be read again (http.Request.GetBody, which http.NewRequest sets for
// in-memory bodies).
func (s *Session) Client() *http.Client {
	return s.client
}

// setToken makes tok current. For a token that was just issued the early
// refresh margin shrinks to half its lifetime, so that a server that
// issues short-lived tokens does not cause a refresh on every request.
func (s *Session) setToken(tok *oauth2.Token, justIssued bool) {
	s.mu.Lock()
	defer s.mu.Unlock()

	s.tok = tok
	s.refreshAt = time.Time{}
	if tok.Expiry.IsZero() {
		return
	}
	margin := earlyRefresh
	if lifetime := time.Until(tok.Expiry); justIssued && lifetime/2 < margin {
		margin = lifetime / 2
	}
	s.refreshAt = tok.Expiry.Add(-margin)
}

// usable returns the current token if it is fresh and its access token is
// not rejected. ok is false when a refresh is needed. tok is nil when
// signed out.
func (s *Session) usable(rejected string) (tok *oauth2.Token, ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()

	if s.tok == nil {
		return nil, false
	}
	fresh := s.tok.AccessToken != "" && (s.refreshAt.IsZero() || time.Now().Before(s.refreshAt))
	return s.tok, fresh && s.tok.AccessToken != rejected
}

// token returns a fresh token, refreshing it first if needed. A non-empty
// rejected is an access token that the server refused. If it is still
// the current one, token refreshes even before expiry. If another caller
// has already replaced it, token returns the replacement.
func (s *Session) token(ctx context.Context, rejected string) (*oauth2.Token, error) {
	tok, ok := s.usable(rejected)
	if ok {
		return tok, nil
	}
	if tok == nil {
		return nil, fmt.Errorf("no Zoom token: %w", ErrSignInRequired)
	}

	// The refresh runs on its own goroutine so that a caller whose ctx
	// ends, such as a quitting app, stops waiting at once. Once started,
	// the refresh itself is not cancelled: Zoom may already have rotated
	// the refresh token, and only finishing saves the new one.
	type result struct {
		tok *oauth2.Token
		err error
	}
	done := make(chan result, 1)
	go func() {
		select {
		case s.sem <- struct{}{}:
		case <-ctx.Done():
			done <- result{err: fmt.Errorf("wait for the Zoom token refresh: %w", context.Cause(ctx))}
			return
		}
		tok, ended, err := s.refreshLocked(ctx, rejected)
		<-s.sem

		if ended != nil && s.OnSignedOut != nil {
			s.OnSignedOut(ended)
		}
		done <- result{tok, err}
	}()

	select {
	case r := <-done:
		return r.tok, r.err
	case <-ctx.Done():
		return nil, fmt.Errorf("wait for the Zoom token refresh: %w", context.Cause(ctx))
	}
}

// WaitRefresh blocks until no token refresh is running, or ctx ends. A
// quitting app calls it so that a refresh to which Zoom may already have
// responded can save the new token before the process exits.
func (s *Session) WaitRefresh(ctx context.Context) error {
	select {
	case s.sem <- struct{}{}:
		<-s.sem
		return nil
	case <-ctx.Done():
		return fmt.Errorf("wait for the Zoom token refresh: %w", context.Cause(ctx))
	}
}

// refreshLocked refreshes the token unless another caller did so while
// this one waited for s.sem, which the caller holds. ended is non-nil when
// the session ended.
func (s *Session) refreshLocked(ctx context.Context, rejected string) (tok *oauth2.Token, ended, err error) {
	old, ok := s.usable(rejected)
	if ok {
		return old, nil, nil
	}
	if old == nil {
		return nil, nil, fmt.Errorf("no Zoom token: %w", ErrSignInRequired)
	}
	if old.RefreshToken == "" {
		err := fmt.Errorf("the Zoom access token expired and there is no refresh token: %w", ErrSignInRequired)
		s.end(err)
		return nil, err, err
	}

	s.log.Debug("Refreshing the Zoom access token", "forced", rejected != "", "expiry", old.Expiry)
	rctx, cancel := context.WithTimeout(s.withHTTPClient(context.WithoutCancel(ctx)), refreshTimeout)
	defer cancel()
	tok, err = s.oauth.TokenSource(rctx, &oauth2.Token{RefreshToken: old.RefreshToken}).Token()
	if err != nil {
		err = sanitizeTokenError(err)
		var te *TokenError
		if errors.As(err, &te) && te.Code == "invalid_grant" {
			err = fmt.Errorf("refresh the Zoom access token at %s: %w: %w", s.oauth.Endpoint.TokenURL, err, ErrSignInRequired)
			s.end(err)
			return nil, err, err
		}
		err = fmt.Errorf("refresh the Zoom access token at %s: %w", s.oauth.Endpoint.TokenURL, err)
		s.log.Error("Could not refresh the Zoom access token", "error", err)
		return nil, nil, err
	}

	// Zoom has already invalidated the old refresh token. The new one is
	// saved before any request uses the new access token, so the stored
	// token is never older than one in use. If saving fails, the new
	// token is still used: dropping it would end the session at once,
	// while keeping it keeps the app working until it exits, and the next
	// refresh tries to save again.
	if err := s.store.Save(tok); err != nil {
		s.log.Error("Could not save the refreshed Zoom token; sign in again after a restart", "error", err)
	}
	s.setToken(tok, true)
	s.log.Info("Refreshed the Zoom access token", "expiry", tok.Expiry)
	return tok, nil, nil
}

// end signs the session out after Zoom stopped accepting its tokens, and
// deletes the stored token, which is now useless. The caller holds s.sem.
func (s *Session) end(reason error) {
	s.mu.Lock()
	s.tok = nil
	s.refreshAt = time.Time{}
	s.mu.Unlock()

	s.log.Warn("Zoom session ended; sign in again", "error", reason)
	if err := s.store.Delete(); err != nil {
		s.log.Error("Could not delete the rejected Zoom token", "error", err)
	}
}

// withHTTPClient returns ctx carrying an HTTP client over s.Transport in
// the way golang.org/x/oauth2 expects, or ctx itself when Transport is nil.
func (s *Session) withHTTPClient(ctx context.Context) context.Context {
	if s.Transport == nil {
		return ctx
	}
	return context.WithValue(ctx, oauth2.HTTPClient, &http.Client{Transport: s.Transport})
}

func (s *Session) baseTransport() http.RoundTripper {
	if s.Transport == nil {
		return http.DefaultTransport
	}
	return s.Transport
}
