package auth

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"golang.org/x/oauth2"

	"github.com/zoom-presence/zoom-presence/zoom/zoomsim"
)

// newTestSession returns a session for sim's app with an in-memory store.
func newTestSession(sim *zoomsim.Server, store Store) *Session {
	cfg := Config{ClientID: testClientID, RedirectURL: "http://127.0.0.1:1/callback", OAuthURL: sim.OAuthURL()}
	return NewSession(cfg, store, slog.New(slog.DiscardHandler))
}

// signedInStore returns a store that holds tok.
func signedInStore(t *testing.T, tok *oauth2.Token) *MemoryStore {
	t.Helper()
	store := &MemoryStore{}
	if err := store.Save(tok); err != nil {
		t.Fatal(err)
	}
	return store
}

// getPresence reads the presence through client and returns the status.
func getPresence(client *http.Client, apiURL string) (int, error) {
	resp, err := client.Get(apiURL + "/users/me/presence_status")
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode, nil
}

// setPresence sends a presence update with a body that http.NewRequest
// can read again.
func setPresence(client *http.Client, apiURL, status string) (*http.Response, error) {
	req, err := http.NewRequest(http.MethodPut, apiURL+"/users/me/presence_status", strings.NewReader(`{"status":"`+status+`"}`))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp, nil
}

func TestSessionSignIn(t *testing.T) {
	redirect := testRedirectURL(t)
	sim := startSim(t, zoomsim.Options{RedirectURL: redirect})
	store := &MemoryStore{}
	s := NewSession(Config{ClientID: testClientID, RedirectURL: redirect, OAuthURL: sim.OAuthURL()}, store, slog.New(slog.DiscardHandler))
	open, _ := browser()

	if s.SignedIn() {
		t.Fatal("SignedIn before sign-in")
	}
	if err := s.SignIn(t.Context(), open); err != nil {
		t.Fatalf("SignIn: %v", err)
	}

	if !s.SignedIn() {
		t.Errorf("SignedIn = false after sign-in")
	}
	stored, err := store.Load()
	if err != nil {
		t.Fatalf("store after sign-in: %v", err)
	}
	if stored.RefreshToken == "" {
		t.Errorf("stored token has no refresh token")
	}
	status, err := getPresence(s.Client(), sim.APIURL())
	if err != nil || status != http.StatusOK {
		t.Errorf("GET presence after sign-in: %d %v, want 200", status, err)
	}
}

func TestSessionFreshStatePerSignIn(t *testing.T) {
	redirect := testRedirectURL(t)
	sim := startSim(t, zoomsim.Options{RedirectURL: redirect})
	s := NewSession(Config{ClientID: testClientID, RedirectURL: redirect, OAuthURL: sim.OAuthURL()}, &MemoryStore{}, slog.New(slog.DiscardHandler))

	for range 2 {
		open, _ := browser()
		if err := s.SignIn(t.Context(), open); err != nil {
			t.Fatalf("SignIn: %v", err)
		}
	}

	auths := requestsTo(sim, "/oauth/authorize")
	if len(auths) != 2 {
		t.Fatalf("authorize requests = %d, want 2", len(auths))
	}
	q1, _ := url.ParseQuery(auths[0].Query)
	q2, _ := url.ParseQuery(auths[1].Query)
	if q1.Get("state") == q2.Get("state") {
		t.Errorf("both sign-ins used state %q", q1.Get("state"))
	}
	if q1.Get("code_challenge") == q2.Get("code_challenge") {
		t.Errorf("both sign-ins used code challenge %q", q1.Get("code_challenge"))
	}
}

func TestSessionLoad(t *testing.T) {
	sim := startSim(t, zoomsim.Options{})

	empty := newTestSession(sim, &MemoryStore{})
	if err := empty.Load(); !errors.Is(err, ErrNoToken) {
		t.Errorf("Load from an empty store = %v, want ErrNoToken", err)
	}
	if empty.SignedIn() {
		t.Errorf("SignedIn after loading nothing")
	}
	if _, err := getPresence(empty.Client(), sim.APIURL()); !errors.Is(err, ErrSignInRequired) {
		t.Errorf("request while signed out = %v, want ErrSignInRequired", err)
	}

	s := newTestSession(sim, signedInStore(t, sim.IssueToken()))
	if err := s.Load(); err != nil {
		t.Fatalf("Load: %v", err)
	}
	if !s.SignedIn() {
		t.Errorf("SignedIn = false after Load")
	}
	if status, err := getPresence(s.Client(), sim.APIURL()); err != nil || status != http.StatusOK {
		t.Errorf("GET presence after Load: %d %v, want 200", status, err)
	}
	if n := len(requestsTo(sim, "/oauth/token")); n != 0 {
		t.Errorf("token requests = %d, want 0 for a fresh token", n)
	}
}

// eventLog records store writes and API requests in one sequence.
type eventLog struct {
	mu     sync.Mutex
	events []string
}

func (l *eventLog) add(e string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.events = append(l.events, e)
}

func (l *eventLog) snapshot() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.events)
}

func (l *eventLog) index(e string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	for i, x := range l.events {
		if x == e {
			return i
		}
	}
	return -1
}

// recordingStore is a MemoryStore that logs each Save with its access
// token.
type recordingStore struct {
	MemoryStore
	log     *eventLog
	saveErr error
}

func (s *recordingStore) Save(t *oauth2.Token) error {
	s.log.add("save " + t.AccessToken)
	if s.saveErr != nil {
		return s.saveErr
	}
	return s.MemoryStore.Save(t)
}

// recordingTransport logs the Bearer token of each API request.
type recordingTransport struct {
	base http.RoundTripper
	log  *eventLog
}

func (t recordingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if bearer, ok := strings.CutPrefix(req.Header.Get("Authorization"), "Bearer "); ok {
		t.log.add("request " + bearer)
	}
	return t.base.RoundTrip(req)
}

func TestSessionRefreshSavesFirst(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sim := zoomsim.New(zoomsim.Options{ClientID: testClientID})
		events := &eventLog{}
		first := sim.IssueToken()
		store := &recordingStore{log: events}
		if err := store.MemoryStore.Save(first); err != nil {
			t.Fatal(err)
		}
		s := newTestSession(sim, store)
		s.cfg.OAuthURL = "http://127.0.0.1"
		s.oauth = s.cfg.OAuth2()
		s.Transport = recordingTransport{base: sim.Transport(), log: events}
		if err := s.Load(); err != nil {
			t.Fatal(err)
		}
		api := "http://127.0.0.1/v2"

		// One minute before expiry the token counts as expired.
		time.Sleep(zoomsim.DefaultTokenLifetime - earlyRefresh)
		status, err := getPresence(s.Client(), api)
		if err != nil || status != http.StatusOK {
			t.Fatalf("GET presence at the early refresh time: %d %v", status, err)
		}

		second, err := store.Load()
		if err != nil {
			t.Fatal(err)
		}
		if second.RefreshToken == first.RefreshToken {
			t.Errorf("stored refresh token did not change after the refresh")
		}
		saved, used := events.index("save "+second.AccessToken), events.index("request "+second.AccessToken)
		if saved < 0 || used < 0 || saved > used {
			t.Errorf("events %q: want the new token saved before its first use", events.snapshot())
		}
		if events.index("request "+first.AccessToken) >= 0 {
			t.Errorf("the expiring access token was sent: %q", events.snapshot())
		}

		// The next refresh must use the rotated refresh token; the old one
		// no longer works.
		time.Sleep(zoomsim.DefaultTokenLifetime)
		if status, err := getPresence(s.Client(), api); err != nil || status != http.StatusOK {
			t.Fatalf("GET presence after the second refresh: %d %v", status, err)
		}
		if n := len(requestsTo(sim, "/oauth/token")); n != 2 {
			t.Errorf("token requests = %d, want 2", n)
		}
	})
}

// blockingStore is a MemoryStore whose Save waits for release.
type blockingStore struct {
	MemoryStore
	log     *eventLog
	release chan struct{}
}

func (s *blockingStore) Save(t *oauth2.Token) error {
	s.log.add("save " + t.AccessToken)
	<-s.release
	return s.MemoryStore.Save(t)
}

func TestSessionRefreshNoUseBeforeSave(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sim := zoomsim.New(zoomsim.Options{ClientID: testClientID})
		events := &eventLog{}
		store := &blockingStore{log: events, release: make(chan struct{})}
		tok := sim.IssueToken()
		tok.Expiry = time.Now().Add(-time.Minute)
		if err := store.MemoryStore.Save(tok); err != nil {
			t.Fatal(err)
		}
		s := newTestSession(sim, store)
		s.cfg.OAuthURL = "http://127.0.0.1"
		s.oauth = s.cfg.OAuth2()
		s.Transport = recordingTransport{base: sim.Transport(), log: events}
		if err := s.Load(); err != nil {
			t.Fatal(err)
		}

		var wg sync.WaitGroup
		for range 2 {
			wg.Go(func() {
				if status, err := getPresence(s.Client(), "http://127.0.0.1/v2"); err != nil || status != http.StatusOK {
					t.Errorf("GET presence: %d %v", status, err)
				}
			})
		}
		synctest.Wait()

		// One caller is saving the new token; neither may have sent it.
		if got := events.snapshot(); len(got) != 1 || !strings.HasPrefix(got[0], "save ") {
			t.Errorf("events while the save is pending = %q, want only the save", got)
		}
		close(store.release)
		wg.Wait()
		if n := len(requestsTo(sim, "/oauth/token")); n != 1 {
			t.Errorf("token requests = %d, want 1", n)
		}
	})
}

func TestSessionRefreshSaveFails(t *testing.T) {
	sim := startSim(t, zoomsim.Options{})
	tok := sim.IssueToken()
	tok.Expiry = time.Now().Add(-time.Minute)
	store := &recordingStore{log: &eventLog{}}
	if err := store.MemoryStore.Save(tok); err != nil {
		t.Fatal(err)
	}
	store.saveErr = errors.New("keyring is locked")
	log, logs := newTestLogger()
	s := NewSession(Config{ClientID: testClientID, OAuthURL: sim.OAuthURL()}, store, log)
	if err := s.Load(); err != nil {
		t.Fatal(err)
	}

	status, err := getPresence(s.Client(), sim.APIURL())

	if err != nil || status != http.StatusOK {
		t.Fatalf("GET presence when saving fails: %d %v, want 200 with the unsaved token", status, err)
	}
	if !strings.Contains(logs.String(), "keyring is locked") {
		t.Errorf("the save error was not logged:\n%s", logs)
	}
}

func TestSessionConcurrentRefresh(t *testing.T) {
	sim := startSim(t, zoomsim.Options{})
	tok := sim.IssueToken()
	tok.Expiry = time.Now().Add(-time.Minute)
	s := newTestSession(sim, signedInStore(t, tok))
	if err := s.Load(); err != nil {
		t.Fatal(err)
	}

	const callers = 20
	var wg sync.WaitGroup
	errs := make(chan error, callers)
	for range callers {
		wg.Go(func() {
			status, err := getPresence(s.Client(), sim.APIURL())
			if err == nil && status != http.StatusOK {
				err = errors.New(http.StatusText(status))
			}
			errs <- err
		})
	}
	wg.Wait()
	close(errs)

	for err := range errs {
		if err != nil {
			t.Errorf("concurrent GET presence: %v", err)
		}
	}
	if n := len(requestsTo(sim, "/oauth/token")); n != 1 {
		t.Errorf("token requests = %d, want exactly 1 for %d concurrent callers", n, callers)
	}
}

func TestSessionInvalidGrant(t *testing.T) {
	sim := startSim(t, zoomsim.Options{})
	tok := sim.IssueToken()
	tok.Expiry = time.Now().Add(-time.Minute)
	tok.RefreshToken = "refresh-token-that-zoom-does-not-know"
	store := signedInStore(t, tok)
	s := newTestSession(sim, store)
	var ended []error
	s.OnSignedOut = func(err error) { ended = append(ended, err) }
	if err := s.Load(); err != nil {
		t.Fatal(err)
	}

	_, err := getPresence(s.Client(), sim.APIURL())

	if !errors.Is(err, ErrSignInRequired) {
		t.Fatalf("GET presence with a rejected refresh token = %v, want ErrSignInRequired", err)
	}
	var te *TokenError
	if !errors.As(err, &te) || te.Code != "invalid_grant" {
		t.Errorf("error %v does not carry the invalid_grant TokenError", err)
	}
	if s.SignedIn() {
		t.Errorf("SignedIn after invalid_grant")
	}
	if _, err := store.Load(); !errors.Is(err, ErrNoToken) {
		t.Errorf("store after invalid_grant: %v, want ErrNoToken", err)
	}
	if len(ended) != 1 || !errors.Is(ended[0], ErrSignInRequired) {
		t.Errorf("OnSignedOut calls = %v, want one with ErrSignInRequired", ended)
	}

	// Later requests fail at once without asking Zoom again.
	before := len(sim.Requests())
	if _, err := getPresence(s.Client(), sim.APIURL()); !errors.Is(err, ErrSignInRequired) {
		t.Errorf("second request = %v, want ErrSignInRequired", err)
	}
	if extra := requestsAfter(sim, before); len(extra) != 0 {
		t.Errorf("requests after the session ended:\n%s", summarize(extra))
	}
}

func TestSession401RefreshesOnce(t *testing.T) {
	sim := startSim(t, zoomsim.Options{UpdateInterval: -1})
	s := newTestSession(sim, signedInStore(t, sim.IssueToken()))
	if err := s.Load(); err != nil {
		t.Fatal(err)
	}
	sim.ExpireTokens()

	resp, err := setPresence(s.Client(), sim.APIURL(), "Away")

	if err != nil {
		t.Fatalf("PUT presence with a token Zoom expired: %v", err)
	}
	if resp.StatusCode != http.StatusNoContent {
		t.Errorf("PUT presence status = %d, want 204 after the retry", resp.StatusCode)
	}
	reqs := sim.Requests()
	want := []string{"PUT /v2/users/me/presence_status 401", "POST /oauth/token 200", "PUT /v2/users/me/presence_status 204"}
	if got := requestLines(reqs); !slices.Equal(got, want) {
		t.Fatalf("requests = %q, want %q", got, want)
	}
	if !bytes.Equal(reqs[0].Body, reqs[2].Body) || len(reqs[2].Body) == 0 {
		t.Errorf("retry body %q differs from the first body %q", reqs[2].Body, reqs[0].Body)
	}
}

func TestSession401RetriesOnlyOnce(t *testing.T) {
	sim := startSim(t, zoomsim.Options{UpdateInterval: -1})
	s := newTestSession(sim, signedInStore(t, sim.IssueToken()))
	if err := s.Load(); err != nil {
		t.Fatal(err)
	}
	sim.FailNext(3, zoomsim.Fault{Status: http.StatusUnauthorized, Code: 124, Message: "Invalid access token."})

	resp, err := setPresence(s.Client(), sim.APIURL(), "Away")

	if err != nil {
		t.Fatalf("PUT presence: %v", err)
	}
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("status = %d, want the second 401 passed to the caller", resp.StatusCode)
	}
	want := []string{"PUT /v2/users/me/presence_status 401", "POST /oauth/token 200", "PUT /v2/users/me/presence_status 401"}
	if got := requestLines(sim.Requests()); !slices.Equal(got, want) {
		t.Errorf("requests = %q, want %q", got, want)
	}
}

func TestSession401BodyNotRereadable(t *testing.T) {
	sim := startSim(t, zoomsim.Options{UpdateInterval: -1})
	s := newTestSession(sim, signedInStore(t, sim.IssueToken()))
	if err := s.Load(); err != nil {
		t.Fatal(err)
	}
	sim.ExpireTokens()
	req, err := http.NewRequest(http.MethodPut, sim.APIURL()+"/users/me/presence_status",
		io.NopCloser(strings.NewReader(`{"status":"Away"}`)))
	if err != nil {
		t.Fatal(err)
	}

	resp, err := s.Client().Do(req)

	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("status = %d, want 401 without a retry", resp.StatusCode)
	}
	want := []string{"PUT /v2/users/me/presence_status 401"}
	if got := requestLines(sim.Requests()); !slices.Equal(got, want) {
		t.Errorf("requests = %q, want %q", got, want)
	}
}

func TestSession401Concurrent(t *testing.T) {
	sim := startSim(t, zoomsim.Options{})
	s := newTestSession(sim, signedInStore(t, sim.IssueToken()))
	if err := s.Load(); err != nil {
		t.Fatal(err)
	}
	sim.ExpireTokens()

	var wg sync.WaitGroup
	for range 10 {
		wg.Go(func() {
			if status, err := getPresence(s.Client(), sim.APIURL()); err != nil || status != http.StatusOK {
				t.Errorf("GET presence: %d %v", status, err)
			}
		})
	}
	wg.Wait()

	if n := len(requestsTo(sim, "/oauth/token")); n != 1 {
		t.Errorf("token requests = %d, want 1 for callers rejected with the same token", n)
	}
}

func TestSessionSignOut(t *testing.T) {
	for _, secret := range []string{"", "test-secret"} {
		name := "public"
		if secret != "" {
			name = "confidential"
		}
		t.Run(name, func(t *testing.T) {
			sim := startSim(t, zoomsim.Options{ClientSecret: secret})
			tok := sim.IssueToken()
			store := signedInStore(t, tok)
			s := NewSession(Config{ClientID: testClientID, ClientSecret: secret, OAuthURL: sim.OAuthURL()}, store, slog.New(slog.DiscardHandler))
			var ended []error
			s.OnSignedOut = func(err error) { ended = append(ended, err) }
			if err := s.Load(); err != nil {
				t.Fatal(err)
			}

			if err := s.SignOut(t.Context()); err != nil {
				t.Fatalf("SignOut: %v", err)
			}

			revokes := requestsTo(sim, "/oauth/revoke")
			if len(revokes) != 1 {
				t.Fatalf("revoke requests = %d, want 1", len(revokes))
			}
			if revokes[0].Status != http.StatusOK {
				t.Errorf("revoke status = %d, want 200", revokes[0].Status)
			}
			if revokes[0].Query != "" {
				t.Errorf("revoke query = %q, want the token in the body only", revokes[0].Query)
			}
			form, _ := url.ParseQuery(string(revokes[0].Body))
			if !form.Has("token") {
				t.Errorf("revoke body %q has no token", revokes[0].Body)
			}
			wantScheme := ""
			if secret != "" {
				wantScheme = "Basic"
			}
			if revokes[0].AuthScheme != wantScheme {
				t.Errorf("revoke auth scheme = %q, want %q", revokes[0].AuthScheme, wantScheme)
			}

			// Zoom no longer accepts the token.
			bearer := &http.Client{Transport: &oauth2.Transport{Source: oauth2.StaticTokenSource(tok)}}
			if status, _ := getPresence(bearer, sim.APIURL()); status != http.StatusUnauthorized {
				t.Errorf("GET presence with the revoked token: %d, want 401", status)
			}
			if s.SignedIn() {
				t.Errorf("SignedIn after SignOut")
			}
			if _, err := store.Load(); !errors.Is(err, ErrNoToken) {
				t.Errorf("store after SignOut: %v, want ErrNoToken", err)
			}
			if len(ended) != 1 || ended[0] != nil {
				t.Errorf("OnSignedOut calls = %v, want one with nil", ended)
			}
		})
	}
}

func TestSessionSignOutUnreachable(t *testing.T) {
	sim := startSim(t, zoomsim.Options{})
	store := signedInStore(t, sim.IssueToken())
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closedURL := "http://" + ln.Addr().String()
	ln.Close()
	log, logs := newTestLogger()
	s := NewSession(Config{ClientID: testClientID, OAuthURL: closedURL}, store, log)
	if err := s.Load(); err != nil {
		t.Fatal(err)
	}

	if err := s.SignOut(t.Context()); err != nil {
		t.Fatalf("SignOut with Zoom unreachable: %v", err)
	}

	if s.SignedIn() {
		t.Errorf("SignedIn after SignOut")
	}
	if _, err := store.Load(); !errors.Is(err, ErrNoToken) {
		t.Errorf("store after SignOut: %v, want ErrNoToken", err)
	}
	if !strings.Contains(logs.String(), "Could not revoke") {
		t.Errorf("the revoke failure was not logged:\n%s", logs)
	}
}

func TestSessionSignOutSignedOut(t *testing.T) {
	sim := startSim(t, zoomsim.Options{})
	s := newTestSession(sim, &MemoryStore{})
	called := false
	s.OnSignedOut = func(error) { called = true }

	if err := s.SignOut(t.Context()); err != nil {
		t.Fatalf("SignOut while signed out: %v", err)
	}
	if called {
		t.Errorf("OnSignedOut called although nobody was signed in")
	}
	if n := len(requestsTo(sim, "/oauth/revoke")); n != 0 {
		t.Errorf("revoke requests = %d, want 0", n)
	}
}

func TestSessionEarlyRefreshShortLifetime(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sim := zoomsim.New(zoomsim.Options{ClientID: testClientID, TokenLifetime: 40 * time.Second})
		s := newTestSession(sim, &MemoryStore{})
		s.cfg.OAuthURL = "http://127.0.0.1"
		s.oauth = s.cfg.OAuth2()
		s.Transport = sim.Transport()
		tok := sim.IssueToken()
		tok.Expiry = time.Now().Add(-time.Second)
		if err := s.store.Save(tok); err != nil {
			t.Fatal(err)
		}
		if err := s.Load(); err != nil {
			t.Fatal(err)
		}

		// A 40-second token is refreshed 20 seconds before expiry, not on
		// every request.
		for range 3 {
			if status, err := getPresence(s.Client(), "http://127.0.0.1/v2"); err != nil || status != http.StatusOK {
				t.Fatalf("GET presence: %d %v", status, err)
			}
		}
		if n := len(requestsTo(sim, "/oauth/token")); n != 1 {
			t.Errorf("token requests = %d, want 1", n)
		}
		time.Sleep(20 * time.Second)
		if _, err := getPresence(s.Client(), "http://127.0.0.1/v2"); err != nil {
			t.Fatal(err)
		}
		if n := len(requestsTo(sim, "/oauth/token")); n != 2 {
			t.Errorf("token requests = %d, want 2 after half the lifetime", n)
		}
	})
}

func requestLines(reqs []zoomsim.Request) []string {
	var out []string
	for _, r := range reqs {
		out = append(out, r.Method+" "+r.Path+" "+strconv.Itoa(r.Status))
	}
	return out
}

func TestSessionRefreshOutlivesCaller(t *testing.T) {
	sim := zoomsim.New(zoomsim.Options{ClientID: testClientID})
	arrived := make(chan struct{}, 1)
	release := make(chan struct{})
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/oauth/token" {
			arrived <- struct{}{}
			<-release
		}
		sim.ServeHTTP(w, r)
	}))
	t.Cleanup(slow.Close)
	t.Cleanup(func() {
		select {
		case <-release:
		default:
			close(release)
		}
	})

	tok := sim.IssueToken()
	tok.Expiry = time.Now().Add(-time.Minute)
	store := signedInStore(t, tok)
	cfg := Config{ClientID: testClientID, RedirectURL: "http://127.0.0.1:1/callback", OAuthURL: slow.URL}
	s := NewSession(cfg, store, slog.New(slog.DiscardHandler))
	if err := s.Load(); err != nil {
		t.Fatal(err)
	}

	ctx, cancel := context.WithCancel(context.Background())
	returned := make(chan error, 1)
	go func() {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, slow.URL+"/v2/users/me/presence_status", nil)
		resp, err := s.Client().Do(req)
		if err == nil {
			resp.Body.Close()
		}
		returned <- err
	}()
	<-arrived
	cancel()

	// The guard only keeps a broken build from hanging the test run.
	select {
	case err := <-returned:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("request error = %v, want context.Canceled", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("request still waiting for the token refresh after its context ended")
	}

	close(release)
	if err := s.WaitRefresh(context.Background()); err != nil {
		t.Fatalf("WaitRefresh: %v", err)
	}
	saved, err := store.Load()
	if err != nil {
		t.Fatalf("load the saved token: %v", err)
	}
	if saved.RefreshToken == tok.RefreshToken {
		t.Errorf("stored refresh token is the old one: the refresh did not finish and save after the caller left")
	}
}
