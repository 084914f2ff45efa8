package auth

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/zoom-presence/zoom-presence/zoom/zoomsim"
)

func TestSignInPublicClient(t *testing.T) {
	redirect := testRedirectURL(t)
	sim := startSim(t, zoomsim.Options{RedirectURL: redirect})
	cfg := Config{ClientID: testClientID, RedirectURL: redirect, OAuthURL: sim.OAuthURL()}
	open, result := browser()

	tok, err := SignIn(t.Context(), cfg, open, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatalf("SignIn: %v", err)
	}

	if tok.AccessToken == "" || tok.RefreshToken == "" {
		t.Errorf("token has an empty access or refresh token")
	}
	if tok.Expiry.IsZero() {
		t.Errorf("token has no expiry")
	}
	page := <-result
	if page.status != http.StatusOK || !strings.Contains(page.body, "Signed in to Zoom. You can close this tab.") {
		t.Errorf("browser got %d %q, want 200 and the success page", page.status, page.body)
	}

	auths := requestsTo(sim, "/oauth/authorize")
	if len(auths) != 1 {
		t.Fatalf("authorize requests = %d, want 1", len(auths))
	}
	q, _ := url.ParseQuery(auths[0].Query)
	if q.Get("code_challenge_method") != "S256" || q.Get("code_challenge") == "" {
		t.Errorf("authorize query %q lacks an S256 code challenge", auths[0].Query)
	}
	if q.Get("state") == "" {
		t.Errorf("authorize query %q lacks state", auths[0].Query)
	}

	tokens := requestsTo(sim, "/oauth/token")
	if len(tokens) != 1 {
		t.Fatalf("token requests = %d, want 1", len(tokens))
	}
	if tokens[0].AuthScheme != "" {
		t.Errorf("token request has an Authorization header (%s); a public client sends none", tokens[0].AuthScheme)
	}
	form, _ := url.ParseQuery(string(tokens[0].Body))
	if form.Get("client_id") != testClientID {
		t.Errorf("token request client_id = %q, want %q", form.Get("client_id"), testClientID)
	}
	if !form.Has("code_verifier") {
		t.Errorf("token request has no code_verifier")
	}
	if form.Get("redirect_uri") != redirect {
		t.Errorf("token request redirect_uri = %q, want %q", form.Get("redirect_uri"), redirect)
	}
}

func TestSignInConfidentialClient(t *testing.T) {
	redirect := testRedirectURL(t)
	sim := startSim(t, zoomsim.Options{RedirectURL: redirect, ClientSecret: "test-secret"})
	cfg := Config{ClientID: testClientID, ClientSecret: "test-secret", RedirectURL: redirect, OAuthURL: sim.OAuthURL()}
	open, _ := browser()

	if _, err := SignIn(t.Context(), cfg, open, slog.New(slog.DiscardHandler)); err != nil {
		t.Fatalf("SignIn: %v", err)
	}

	tokens := requestsTo(sim, "/oauth/token")
	if len(tokens) != 1 {
		t.Fatalf("token requests = %d, want 1", len(tokens))
	}
	if tokens[0].AuthScheme != "Basic" {
		t.Errorf("token request auth scheme = %q, want Basic", tokens[0].AuthScheme)
	}
	form, _ := url.ParseQuery(string(tokens[0].Body))
	if form.Has("client_secret") {
		t.Errorf("token request has client_secret in the form as well as in the header")
	}
}

func TestSignInBadRedirectURL(t *testing.T) {
	for _, tc := range []struct{ name, raw string }{
		{"https", "https://127.0.0.1:8765/callback"},
		{"host name", "http://example.com:8765/callback"},
		{"LAN address", "http://192.168.1.2:8765/callback"},
		{"no port", "http://127.0.0.1/callback"},
		{"port zero", "http://127.0.0.1:0/callback"},
		{"port too large", "http://127.0.0.1:70000/callback"},
		{"no scheme", "127.0.0.1:8765"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			opened := false
			open := func(string) error { opened = true; return nil }

			_, err := SignIn(t.Context(), Config{ClientID: testClientID, RedirectURL: tc.raw, OAuthURL: "http://127.0.0.1:1"}, open, slog.New(slog.DiscardHandler))
			if err == nil {
				t.Fatal("SignIn succeeded, want an error")
			}
			if !strings.Contains(err.Error(), "redirect URL") {
				t.Errorf("error %q does not name the redirect URL", err)
			}
			if opened {
				t.Errorf("SignIn opened the browser despite the invalid redirect URL")
			}
		})
	}
}

func TestSignInWrongState(t *testing.T) {
	redirect := testRedirectURL(t)
	sim := startSim(t, zoomsim.Options{RedirectURL: redirect})
	cfg := Config{ClientID: testClientID, RedirectURL: redirect, OAuthURL: sim.OAuthURL()}

	var bad []browserResult
	opened := make(chan struct{})
	open := func(authURL string) error {
		defer close(opened)
		// A stale redirect from an earlier attempt, and one without state.
		bad = append(bad,
			get(http.DefaultClient, redirect+"?code=stale-code&state=stale-state", ""),
			get(http.DefaultClient, redirect+"?code=stale-code", ""),
			get(http.DefaultClient, redirect+"?error=access_denied&state=stale-state", ""))
		get(http.DefaultClient, authURL, "")
		return nil
	}

	_, err := SignIn(t.Context(), cfg, open, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatalf("SignIn after redirects with a wrong state: %v", err)
	}
	<-opened

	for i, page := range bad {
		if page.err != nil {
			t.Errorf("bad redirect %d: %v", i, page.err)
			continue
		}
		if page.status != http.StatusBadRequest {
			t.Errorf("bad redirect %d: status %d, want 400", i, page.status)
		}
		if !strings.Contains(page.body, string(pageBadState)) {
			t.Errorf("bad redirect %d: page %q, want the invalid-link page", i, page.body)
		}
	}
}

func TestSignInDenied(t *testing.T) {
	redirect := testRedirectURL(t)
	sim := startSim(t, zoomsim.Options{RedirectURL: redirect})
	sim.DenyAuthorization(true)
	cfg := Config{ClientID: testClientID, RedirectURL: redirect, OAuthURL: sim.OAuthURL()}
	open, result := browser()

	_, err := SignIn(t.Context(), cfg, open, slog.New(slog.DiscardHandler))
	if !errors.Is(err, ErrSignInDenied) {
		t.Fatalf("SignIn error = %v, want ErrSignInDenied", err)
	}

	page := <-result
	if !strings.Contains(page.body, string(pageDenied)) {
		t.Errorf("browser got %q, want the cancelled page", page.body)
	}
	if n := len(requestsTo(sim, "/oauth/token")); n != 0 {
		t.Errorf("token requests = %d, want 0 after a denial", n)
	}
}

func TestSignInOtherPaths(t *testing.T) {
	redirect := testRedirectURL(t)
	sim := startSim(t, zoomsim.Options{RedirectURL: redirect})
	cfg := Config{ClientID: testClientID, RedirectURL: redirect, OAuthURL: sim.OAuthURL()}
	base := strings.TrimSuffix(redirect, "/callback")

	var pages []browserResult
	var post *http.Response
	opened := make(chan struct{})
	open := func(authURL string) error {
		defer close(opened)
		state := mustQuery(t, authURL).Get("state")
		pages = append(pages,
			get(http.DefaultClient, base+"/favicon.ico", ""),
			get(http.DefaultClient, base+"/", ""),
			get(http.DefaultClient, base+"/callback/extra?state="+state+"&code=x", ""))
		resp, err := http.Post(redirect+"?state="+state+"&code=x", "text/plain", nil)
		if err == nil {
			resp.Body.Close()
			post = resp
		}
		get(http.DefaultClient, authURL, "")
		return nil
	}

	if _, err := SignIn(t.Context(), cfg, open, slog.New(slog.DiscardHandler)); err != nil {
		t.Fatalf("SignIn after requests for other paths: %v", err)
	}
	<-opened

	for i, page := range pages {
		if page.status != http.StatusNotFound {
			t.Errorf("other path %d: status %d, want 404", i, page.status)
		}
		if !strings.Contains(page.body, "<html") {
			t.Errorf("other path %d: body %q is not an HTML page", i, page.body)
		}
	}
	if post == nil || post.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("POST to the redirect URL: %v, want 405", post)
	}
}

func TestSignInBadHost(t *testing.T) {
	redirect := testRedirectURL(t)
	sim := startSim(t, zoomsim.Options{RedirectURL: redirect})
	cfg := Config{ClientID: testClientID, RedirectURL: redirect, OAuthURL: sim.OAuthURL()}
	port := mustURL(t, redirect).Port()

	var rebound, real browserResult
	opened := make(chan struct{})
	open := func(authURL string) error {
		defer close(opened)
		// The real code and state, as a page using DNS rebinding could
		// make the browser send them under its own host name.
		location := authorize(t, authURL)
		rebound = get(http.DefaultClient, location, "attacker.example:"+port)
		real = get(http.DefaultClient, location, "")
		return nil
	}

	if _, err := SignIn(t.Context(), cfg, open, slog.New(slog.DiscardHandler)); err != nil {
		t.Fatalf("SignIn after a request with a foreign Host: %v", err)
	}
	<-opened

	if rebound.status != http.StatusMisdirectedRequest {
		t.Errorf("foreign Host: status %d, want 421", rebound.status)
	}
	if real.status != http.StatusOK {
		t.Errorf("same redirect with the right Host: status %d %q, want 200", real.status, real.body)
	}
}

func TestSignInSecondCallback(t *testing.T) {
	redirect := testRedirectURL(t)
	sim := startSim(t, zoomsim.Options{RedirectURL: redirect})

	// The token endpoint waits until the test has sent the second
	// redirect, so that the first is still being handled.
	exchanging := make(chan struct{})
	release := make(chan struct{})
	var once sync.Once
	gate := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/oauth/token" {
			once.Do(func() { close(exchanging) })
			<-release
		}
		sim.ServeHTTP(w, r)
	}))
	t.Cleanup(gate.Close)
	cfg := Config{ClientID: testClientID, RedirectURL: redirect, OAuthURL: gate.URL}

	var first, second browserResult
	opened := make(chan struct{})
	open := func(authURL string) error {
		defer close(opened)
		location := authorize(t, authURL)
		done := make(chan struct{})
		go func() {
			defer close(done)
			first = get(http.DefaultClient, location, "")
		}()
		<-exchanging
		second = get(http.DefaultClient, location, "")
		close(release)
		<-done
		return nil
	}

	if _, err := SignIn(t.Context(), cfg, open, slog.New(slog.DiscardHandler)); err != nil {
		t.Fatalf("SignIn: %v", err)
	}

	<-opened
	if first.status != http.StatusOK {
		t.Errorf("first redirect: status %d, want 200", first.status)
	}
	if second.status != http.StatusConflict || !strings.Contains(second.body, string(pageAlreadyDone)) {
		t.Errorf("second redirect: %d %q, want 409 and the already-handled page", second.status, second.body)
	}
	if n := len(requestsTo(sim, "/oauth/token")); n != 1 {
		t.Errorf("token requests = %d, want 1", n)
	}
}

func TestSignInPortInUse(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	cfg := Config{ClientID: testClientID, RedirectURL: "http://127.0.0.1:" + port + "/callback", OAuthURL: "http://127.0.0.1:1"}

	_, err = SignIn(t.Context(), cfg, nil, slog.New(slog.DiscardHandler))
	if err == nil {
		t.Fatal("SignIn succeeded on a port in use")
	}
	for _, want := range []string{"port " + port + " is in use", "-redirect-url", "ZOOM_REDIRECT_URL", "Zoom app"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not contain %q", err, want)
		}
	}
}

func TestSignInLocalhost(t *testing.T) {
	port := freePort(t, "127.0.0.1")
	redirect := "http://localhost:" + port + "/callback"
	sim := startSim(t, zoomsim.Options{RedirectURL: redirect})
	cfg := Config{ClientID: testClientID, RedirectURL: redirect, OAuthURL: sim.OAuthURL()}
	ipv6 := hasIPv6Loopback()

	var v4, v6 browserResult
	opened := make(chan struct{})
	open := func(authURL string) error {
		defer close(opened)
		// Both loopback addresses must accept connections, because a
		// browser may resolve localhost to either.
		v4 = get(http.DefaultClient, "http://127.0.0.1:"+port+"/callback", "localhost:"+port)
		if ipv6 {
			v6 = get(http.DefaultClient, "http://[::1]:"+port+"/callback", "localhost:"+port)
		}
		get(http.DefaultClient, authURL, "")
		return nil
	}

	if _, err := SignIn(t.Context(), cfg, open, slog.New(slog.DiscardHandler)); err != nil {
		t.Fatalf("SignIn: %v", err)
	}
	<-opened

	if v4.status != http.StatusBadRequest {
		t.Errorf("127.0.0.1: status %d (%v), want 400 for a redirect without state", v4.status, v4.err)
	}
	if ipv6 && v6.status != http.StatusBadRequest {
		t.Errorf("[::1]: status %d (%v), want 400 for a redirect without state", v6.status, v6.err)
	}
}

func hasIPv6Loopback() bool {
	ln, err := net.Listen("tcp6", "[::1]:0")
	if err != nil {
		return false
	}
	ln.Close()
	return true
}

func TestSignInOpenerHangs(t *testing.T) {
	redirect := testRedirectURL(t)
	sim := startSim(t, zoomsim.Options{RedirectURL: redirect})
	cfg := Config{ClientID: testClientID, RedirectURL: redirect, OAuthURL: sim.OAuthURL()}
	urls := make(chan string, 1)
	log := slog.New(urlCatcher{urls})
	hang := make(chan struct{})
	t.Cleanup(func() { close(hang) })
	open := func(string) error { <-hang; return nil }

	// The user copies the URL from the log into a browser by hand.
	go func() {
		select {
		case u := <-urls:
			get(http.DefaultClient, u, "")
		case <-t.Context().Done():
		}
	}()

	if _, err := SignIn(t.Context(), cfg, open, log); err != nil {
		t.Fatalf("SignIn with a hanging opener: %v", err)
	}
}

// urlCatcher is a slog.Handler that sends the "url" attribute of Info
// records on a channel.
type urlCatcher struct{ urls chan string }

func (urlCatcher) Enabled(context.Context, slog.Level) bool { return true }
func (c urlCatcher) WithAttrs([]slog.Attr) slog.Handler     { return c }
func (c urlCatcher) WithGroup(string) slog.Handler          { return c }

func (c urlCatcher) Handle(_ context.Context, r slog.Record) error {
	if r.Level != slog.LevelInfo {
		return nil
	}
	r.Attrs(func(a slog.Attr) bool {
		if a.Key == "url" {
			select {
			case c.urls <- a.Value.String():
			default:
			}
		}
		return true
	})
	return nil
}

func TestSignInOpenerFails(t *testing.T) {
	redirect := testRedirectURL(t)
	sim := startSim(t, zoomsim.Options{RedirectURL: redirect})
	cfg := Config{ClientID: testClientID, RedirectURL: redirect, OAuthURL: sim.OAuthURL()}
	log, logs := newTestLogger()

	// SignIn logs the opener's error on another goroutine, and the
	// sign-in could finish before that line is written. So the stand-in
	// browser follows the link only once the line appears.
	open := func(authURL string) error {
		go func() {
			for range 1000 {
				if strings.Contains(logs.String(), "no method available") {
					break
				}
				time.Sleep(10 * time.Millisecond)
			}
			get(http.DefaultClient, authURL, "")
		}()
		return errors.New("xdg-open: no method available for opening URLs")
	}

	if _, err := SignIn(t.Context(), cfg, open, log); err != nil {
		t.Fatalf("SignIn: %v", err)
	}
	if !strings.Contains(logs.String(), "no method available") {
		t.Errorf("the opener's error was not logged:\n%s", logs)
	}
}

func TestSignInExchangeFails(t *testing.T) {
	redirect := testRedirectURL(t)
	sim := startSim(t, zoomsim.Options{RedirectURL: redirect, ClientSecret: "right-secret"})
	cfg := Config{ClientID: testClientID, ClientSecret: "wrong-secret", RedirectURL: redirect, OAuthURL: sim.OAuthURL()}
	open, result := browser()

	_, err := SignIn(t.Context(), cfg, open, slog.New(slog.DiscardHandler))

	var te *TokenError
	if !errors.As(err, &te) {
		t.Fatalf("SignIn error = %v, want a *TokenError", err)
	}
	if te.Code != "invalid_client" || te.StatusCode != http.StatusUnauthorized {
		t.Errorf("TokenError = %+v, want 401 invalid_client", te)
	}
	page := <-result
	if page.status != http.StatusBadRequest || !strings.Contains(page.body, string(pageFailed)) {
		t.Errorf("browser got %d %q, want 400 and the failure page", page.status, page.body)
	}
	if n := len(requestsTo(sim, "/oauth/token")); n != 1 {
		t.Errorf("token requests = %d, want exactly 1, because a code works once", n)
	}
}

func TestSignInCancel(t *testing.T) {
	redirect := testRedirectURL(t)
	ctx, cancel := context.WithCancel(t.Context())
	cfg := Config{ClientID: testClientID, RedirectURL: redirect, OAuthURL: "http://127.0.0.1:1"}

	_, err := SignIn(ctx, cfg, func(string) error { cancel(); return nil }, slog.New(slog.DiscardHandler))
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("SignIn error = %v, want context.Canceled", err)
	}

	// The port is free again once SignIn has returned.
	ln, err := net.Listen("tcp", mustURL(t, redirect).Host)
	if err != nil {
		t.Fatalf("listen on the redirect port after SignIn: %v", err)
	}
	ln.Close()
}

func TestSignInTimeout(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		listener := newPipeListener()
		f := &loopbackFlow{
			cfg:    Config{ClientID: testClientID, RedirectURL: "http://127.0.0.1:8765/callback", OAuthURL: "http://127.0.0.1:1"},
			log:    slog.New(slog.DiscardHandler),
			listen: func(string, string) (net.Listener, error) { return listener, nil },
		}
		start := time.Now()

		_, err := f.run(t.Context())

		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("run error = %v, want context.DeadlineExceeded", err)
		}
		if !strings.Contains(err.Error(), "5m0s") {
			t.Errorf("error %q does not say how long it waited", err)
		}
		if waited := time.Since(start); waited != DefaultSignInTimeout {
			t.Errorf("waited %v, want %v", waited, DefaultSignInTimeout)
		}
		if !listener.isClosed() {
			t.Errorf("listener still open after the timeout")
		}
	})
}

func TestSignInTimeoutConfigured(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := &loopbackFlow{
			cfg: Config{
				ClientID:      testClientID,
				RedirectURL:   "http://127.0.0.1:8765/callback",
				OAuthURL:      "http://127.0.0.1:1",
				SignInTimeout: 30 * time.Second,
			},
			log:    slog.New(slog.DiscardHandler),
			listen: func(string, string) (net.Listener, error) { return newPipeListener(), nil },
		}
		start := time.Now()

		_, err := f.run(t.Context())

		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("run error = %v, want context.DeadlineExceeded", err)
		}
		if waited := time.Since(start); waited != 30*time.Second {
			t.Errorf("waited %v, want 30s", waited)
		}
	})
}

func TestCallbackErrorText(t *testing.T) {
	for _, tc := range []struct {
		cb   callback
		want string
	}{
		{callback{code: "c"}, ""},
		{callback{errorCode: "access_denied"}, ErrSignInDenied.Error()},
		{callback{errorCode: "server_error", errorDescription: "try later"}, `"server_error": "try later"`},
		{callback{}, "neither a code nor an error"},
	} {
		err := tc.cb.err()
		got := ""
		if err != nil {
			got = err.Error()
		}
		if tc.want == "" && err != nil || tc.want != "" && !strings.Contains(got, tc.want) {
			t.Errorf("%+v: error %q, want %q", tc.cb, got, tc.want)
		}
	}
}

// pipeListener is a net.Listener without a network, whose Accept blocks
// durably under testing/synctest.
type pipeListener struct {
	conns     chan net.Conn
	closed    chan struct{}
	closeOnce sync.Once
}

func newPipeListener() *pipeListener {
	return &pipeListener{conns: make(chan net.Conn), closed: make(chan struct{})}
}

func (l *pipeListener) Accept() (net.Conn, error) {
	select {
	case c := <-l.conns:
		return c, nil
	case <-l.closed:
		return nil, net.ErrClosed
	}
}

func (l *pipeListener) Close() error {
	l.closeOnce.Do(func() { close(l.closed) })
	return nil
}

func (l *pipeListener) isClosed() bool {
	select {
	case <-l.closed:
		return true
	default:
		return false
	}
}

func (l *pipeListener) Addr() net.Addr {
	return &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 8765}
}

func mustURL(t *testing.T, raw string) *url.URL {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func mustQuery(t *testing.T, raw string) url.Values {
	return mustURL(t, raw).Query()
}
