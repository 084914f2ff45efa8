package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/zalando/go-keyring"
	"golang.org/x/oauth2"

	"github.com/zoom-presence/zoom-presence/auth"
	"github.com/zoom-presence/zoom-presence/internal/desktoptest"
	"github.com/zoom-presence/zoom-presence/zoom"
	"github.com/zoom-presence/zoom-presence/zoom/zoomsim"
)

// oauthProxy is a loopback reverse proxy in front of the simulator's
// OAuth endpoints. It records every secret that passes through it, so
// that a test can search the app's files for them, and it can hold
// token requests back, so that a test can act while a refresh is under
// way. Its methods are safe for concurrent use.
type oauthProxy struct {
	URL string

	// TokenRequests receives a value, without blocking, each time a
	// request reaches the token endpoint, before it is held back.
	TokenRequests chan struct{}

	mu         sync.Mutex
	secrets    map[string]string
	tokenDelay time.Duration
}

func startOAuthProxy(t *testing.T, sim *zoomsim.Server) *oauthProxy {
	t.Helper()

	target, err := url.Parse(sim.URL())
	if err != nil {
		t.Fatalf("parse the simulator URL: %v", err)
	}
	p := &oauthProxy{TokenRequests: make(chan struct{}, 100), secrets: map[string]string{}}
	reverse := httputil.NewSingleHostReverseProxy(target)
	reverse.ModifyResponse = p.recordResponse

	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/oauth/token" || r.URL.Path == "/oauth/revoke" {
			body, _ := io.ReadAll(r.Body)
			r.Body = io.NopCloser(bytes.NewReader(body))
			form, _ := url.ParseQuery(string(body))
			for _, name := range []string{"code", "code_verifier", "refresh_token", "client_secret", "token"} {
				p.record(name, form.Get(name))
			}
			if _, secret, ok := r.BasicAuth(); ok {
				p.record("client_secret", secret)
			}
		}
		if r.URL.Path == "/oauth/token" {
			select {
			case p.TokenRequests <- struct{}{}:
			default:
			}
			// A request whose client went away is dropped here, so that
			// the simulator never rotates a token that no client receives.
			select {
			case <-time.After(p.delay()):
			case <-r.Context().Done():
				return
			}
		}
		reverse.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	p.URL = srv.URL
	return p
}

// recordResponse records the tokens of a token response and the code in
// the redirect of an authorize response.
func (p *oauthProxy) recordResponse(resp *http.Response) error {
	switch resp.Request.URL.Path {
	case "/oauth/authorize":
		if location, err := url.Parse(resp.Header.Get("Location")); err == nil {
			p.record("code", location.Query().Get("code"))
		}
	case "/oauth/token":
		body, err := io.ReadAll(resp.Body)
		if err != nil {
			return err
		}
		resp.Body = io.NopCloser(bytes.NewReader(body))
		var tokens struct {
			AccessToken  string `json:"access_token"`
			RefreshToken string `json:"refresh_token"`
		}
		if json.Unmarshal(body, &tokens) == nil {
			p.record("access token", tokens.AccessToken)
			p.record("refresh token", tokens.RefreshToken)
		}
	}
	return nil
}

func (p *oauthProxy) record(name, value string) {
	if value == "" {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.secrets[fmt.Sprintf("%s %d", name, len(p.secrets))] = value
}

// Secrets returns a copy of the recorded secrets, by a name that says
// what each is.
func (p *oauthProxy) Secrets() map[string]string {
	p.mu.Lock()
	defer p.mu.Unlock()

	secrets := make(map[string]string, len(p.secrets))
	for name, value := range p.secrets {
		secrets[name] = value
	}
	return secrets
}

// SetTokenDelay holds every later token request back for d before it
// reaches the simulator.
func (p *oauthProxy) SetTokenDelay(d time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.tokenDelay = d
}

func (p *oauthProxy) delay() time.Duration {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.tokenDelay
}

// signIn signs in through the stand-in opener and waits for the menu.
func signIn(t *testing.T, item desktoptest.Item, signedInLabel string) {
	t.Helper()

	waitForMenu(t, item, "the signed-out menu", func(root desktoptest.MenuNode) bool {
		return visible(root, "Sign in to Zoom…")
	})
	click(t, item, "Sign in to Zoom…")
	waitForMenu(t, item, "the line "+signedInLabel, func(root desktoptest.MenuNode) bool {
		return visible(root, signedInLabel)
	})
}

// quit chooses Quit and waits for the process and its tray item to go.
func (d *desktop) quit(t *testing.T, item desktoptest.Item, process *desktoptest.Process) {
	t.Helper()

	click(t, item, "Quit")
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	defer cancel()
	if err := process.Wait(ctx); err != nil {
		t.Fatalf("app exit: %v\n%s", err, process.Output())
	}
	if err := d.watcher.WaitForNoItems(ctx); err != nil {
		t.Fatalf("tray item stayed after quit: %v", err)
	}
}

// browserOpens counts the URLs the stand-in opener was given.
func browserOpens(t *testing.T, d *desktop) int {
	t.Helper()

	events, err := desktoptest.ReadOpenerLog(d.openerLog)
	if err != nil {
		t.Fatalf("read the opener log: %v", err)
	}
	opens := 0
	for _, e := range events {
		if e.Msg == "open" {
			opens++
		}
	}
	return opens
}

// assertStillSignedIn waits for the menu to show the simulator's status,
// Busy, while signed in, and checks that this took no new browser sign-in
// and no notification.
func assertStillSignedIn(t *testing.T, d *desktop, item desktoptest.Item) {
	t.Helper()

	waitForMenu(t, item, "Busy checked while signed in", func(root desktoptest.MenuNode) bool {
		busy, _ := root.FindByLabel("Busy")
		return visible(root, "Signed in") && busy.Checked()
	})
	if opens := browserOpens(t, d); opens != 1 {
		t.Errorf("browser opened %d times, want 1", opens)
	}
	if n := len(d.notifications.Received()); n != 0 {
		t.Errorf("notifications = %+v, want none", d.notifications.Received())
	}
}

// assertKeyringEmpty checks that the private keyring contains no token of
// the app. The when argument names the step, for the failure message.
func assertKeyringEmpty(t *testing.T, when string) {
	t.Helper()

	store := auth.NewKeyringStore(keyringService, e2eClientID, 5*time.Second)
	if _, err := store.Load(); !errors.Is(err, auth.ErrNoToken) {
		t.Errorf("keyring %s: %v, want no token", when, err)
	}
}

func countSummary(d *desktop, summary string) int {
	n := 0
	for _, note := range d.notifications.Received() {
		if note.Summary == summary {
			n++
		}
	}
	return n
}

// TestAppKilledAroundRefresh kills the app with SIGKILL at many points
// before, during and after a token refresh, and checks that each restart
// finds a refresh token that the simulator still accepts.
//
// One window cannot be closed by the app. It opens when the simulator
// rotates the refresh token and closes when the app has saved the new
// one. A kill inside it loses the session, because the old token no
// longer works and the new one existed only in the dead process. On
// loopback the window is about as long as the keyring writes, which
// BenchmarkKeyringSave measures (tens of milliseconds with
// gnome-keyring). The proxy holds token requests back before the
// simulator receives them, and drops those whose client died, so every
// kill below lands outside that window on purpose.
func TestAppKilledAroundRefresh(t *testing.T) {
	d := startDesktop(t)
	redirectURL := freeRedirectURL(t)

	process, item := d.start(t, redirectURL)
	signIn(t, item, "Signed in")
	d.quit(t, item, process)

	const tokenDelay = 600 * time.Millisecond
	d.proxy.SetTokenDelay(tokenDelay)

	// after names the event the delay counts from: the start of the
	// process, the token request reaching the proxy, or the new token
	// appearing in the keyring.
	type killPoint struct {
		after string
		delay time.Duration
	}
	var points []killPoint
	for _, ms := range []int{0, 10, 30, 60, 100, 200} {
		points = append(points, killPoint{"start", time.Duration(ms) * time.Millisecond})
	}
	for _, ms := range []int{0, 50, 100, 200, 300, 400} {
		points = append(points, killPoint{"token request", time.Duration(ms) * time.Millisecond})
	}
	for _, ms := range []int{0, 5, 50} {
		points = append(points, killPoint{"saved", time.Duration(ms) * time.Millisecond})
	}

	refreshesSeen := 0
	for _, point := range points {
		// Expired access tokens make the app's first status read get a
		// 401 with code 124, so it refreshes at once.
		d.sim.ExpireTokens()
		before := storedToken(t).refresh
		for len(d.proxy.TokenRequests) > 0 {
			<-d.proxy.TokenRequests
		}

		ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
		process := d.launch(t, redirectURL)
		switch point.after {
		case "token request":
			select {
			case <-d.proxy.TokenRequests:
				refreshesSeen++
			case <-ctx.Done():
				t.Fatalf("kill after token request: no refresh started\n%s", process.Output())
			}
		case "saved":
			// A read can fail while the app replaces the entries, so
			// only a successful read of a new token counts.
			for {
				tok, err := auth.NewKeyringStore(keyringService, e2eClientID, 5*time.Second).Load()
				if err == nil && tok.RefreshToken != before {
					break
				}
				if ctx.Err() != nil {
					t.Fatalf("kill after save: the refreshed token never reached the keyring\n%s", process.Output())
				}
				time.Sleep(2 * time.Millisecond)
			}
			refreshesSeen++
		}
		time.Sleep(point.delay)

		if err := syscall.Kill(process.PID(), syscall.SIGKILL); err != nil {
			t.Fatalf("kill the app (pid %d): %v", process.PID(), err)
		}
		_ = process.Wait(ctx)
		if err := d.watcher.WaitForNoItems(ctx); err != nil {
			t.Fatalf("killed app's tray item stayed: %v", err)
		}
		cancel()
		t.Logf("killed %v after %s", point.delay, point.after)
	}
	if refreshesSeen < 9 {
		t.Errorf("refreshes under way at a kill = %d, want at least 9", refreshesSeen)
	}

	// The last run must read the status with the stored token, which
	// works only when the stored refresh token is the simulator's current
	// one.
	d.proxy.SetTokenDelay(0)
	d.sim.ExpireTokens()
	d.sim.SetPresence(zoom.Presence{Status: zoom.StatusBusy})
	process, item = d.start(t, redirectURL)
	assertStillSignedIn(t, d, item)
	d.quit(t, item, process)
}

// TestAppRefreshRejected checks that a refresh token that Zoom rejects
// with invalid_grant ends the session with one notification, the Sign in
// item, and no token left in the keyring.
func TestAppRefreshRejected(t *testing.T) {
	// "at start" revokes while the app is not running, so that the
	// rejection meets the first status read; "on a click" meets an update.
	for _, when := range []string{"at start", "on a click"} {
		t.Run(when, func(t *testing.T) {
			d := startDesktop(t)
			redirectURL := freeRedirectURL(t)
			process, item := d.start(t, redirectURL)
			signIn(t, item, "Signed in")
			token := storedToken(t)
			if when == "at start" {
				d.quit(t, item, process)
			}

			// Revoking the refresh token at the simulator ends the whole
			// grant, so the next request gets a 401 and the refresh gets
			// invalid_grant.
			form := url.Values{"token": {token.refresh}, "client_id": {e2eClientID}}
			resp, err := http.PostForm(d.sim.OAuthURL()+"/oauth/revoke", form)
			if err != nil {
				t.Fatalf("revoke at the simulator: %v", err)
			}
			_ = resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("revoke at the simulator: HTTP %d", resp.StatusCode)
			}

			if when == "at start" {
				process, item = d.start(t, redirectURL)
			} else {
				click(t, item, "Away")
			}
			waitForMenu(t, item, "the signed-out menu", func(root desktoptest.MenuNode) bool {
				return visible(root, "Sign in to Zoom…") && !visible(root, "Signed in")
			})
			ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
			defer cancel()
			if _, err := d.notifications.WaitFor(ctx, func(n desktoptest.Notification) bool {
				return n.Summary == "Sign in to Zoom again"
			}); err != nil {
				t.Fatalf("no sign-in notification: %v", err)
			}

			// Give a second notification, if the app sent one, time to
			// arrive.
			time.Sleep(time.Second)
			if n := len(d.notifications.Received()); n != 1 {
				t.Errorf("notifications = %d (%+v), want 1", n, d.notifications.Received())
			}
			invalidGrants := 0
			for _, r := range d.sim.Requests() {
				if r.Path == "/oauth/token" && r.Status == http.StatusBadRequest {
					invalidGrants++
				}
			}
			if invalidGrants != 1 {
				t.Errorf("rejected refresh requests = %d, want 1", invalidGrants)
			}
			assertKeyringEmpty(t, "after invalid_grant")

			d.quit(t, item, process)
			assertNoSecrets(t, d, process, token)
		})
	}
}

// TestAppKeyringFailures starts the app with a keyring that fails in
// each way seen on Linux desktops, and checks for one notification that
// names the problem, a working sign-in, and no token on disk.
func TestAppKeyringFailures(t *testing.T) {
	tests := []struct {
		name         string
		breakKeyring func(t *testing.T, d *desktop)
		want         string
		// memoryOnly reports whether the sign-in is kept in memory, and
		// so whether the menu reads "Signed in until you quit".
		memoryOnly bool
	}{
		{
			name:         "missing",
			breakKeyring: func(t *testing.T, d *desktop) { mustNot(t, d.keyring.Stop()) },
			want:         "No keyring found: install and unlock GNOME Keyring or KWallet.",
			memoryOnly:   true,
		},
		{
			name: "locked",
			breakKeyring: func(t *testing.T, d *desktop) {
				mustNot(t, d.keyring.Lock(t.Context()))
			},
			want:       "The system keyring is locked",
			memoryOnly: true,
		},
		{
			// A stopped daemon still owns its bus name but never replies,
			// like a Secret Service waiting on an unlock prompt that no
			// one can see.
			name: "hung",
			breakKeyring: func(t *testing.T, d *desktop) {
				pid := d.keyring.PID()
				mustNot(t, syscall.Kill(pid, syscall.SIGSTOP))
				t.Cleanup(func() { _ = syscall.Kill(pid, syscall.SIGCONT) })
			},
			want:       "The system keyring did not respond",
			memoryOnly: true,
		},
		{
			name: "not ours",
			breakKeyring: func(t *testing.T, d *desktop) {
				mustNot(t, keyring.Set(keyringService, e2eClientID, "\xff\xfe not written by zoom-presence"))
			},
			want:       "not one this app wrote",
			memoryOnly: false,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := startDesktop(t)
			tt.breakKeyring(t, d)

			process, item := d.start(t, freeRedirectURL(t))
			ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
			defer cancel()
			note, err := d.notifications.WaitFor(ctx, func(n desktoptest.Notification) bool {
				return strings.Contains(n.Body, tt.want)
			})
			if err != nil {
				t.Fatalf("no keyring notification: %v\n%s", err, process.Output())
			}

			label := "Signed in"
			if tt.memoryOnly {
				label = "Signed in until you quit"
			}
			signIn(t, item, label)
			if got := countSummary(d, note.Summary); got != 1 {
				t.Errorf("notifications titled %q = %d, want 1", note.Summary, got)
			}

			var token *zoomToken
			if !tt.memoryOnly {
				token = storedToken(t)
			}
			d.quit(t, item, process)
			assertNoSecrets(t, d, process, token)
		})
	}
}

func mustNot(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// TestAppSecretsConfidential runs a whole session of a confidential
// client, with a client secret, a refresh and a sign-out, and searches
// every output for the secrets that passed between the app and Zoom.
func TestAppSecretsConfidential(t *testing.T) {
	const clientSecret = "e2e-client-secret-7f3a9c"
	d := startDesktopWith(t, zoomsim.Options{ClientID: e2eClientID, ClientSecret: clientSecret})
	d.env = append(d.env, "ZOOM_CLIENT_SECRET="+clientSecret)
	redirectURL := freeRedirectURL(t)

	process, item := d.start(t, redirectURL)
	signIn(t, item, "Signed in")
	first := storedToken(t)
	d.quit(t, item, process)
	assertNoSecrets(t, d, process, first)

	// The second run refreshes at its first request and then signs out,
	// which sends the refresh token to the revoke endpoint.
	d.sim.ExpireTokens()
	process, item = d.start(t, redirectURL)
	waitForMenu(t, item, "the signed-in menu", func(root desktoptest.MenuNode) bool {
		return visible(root, "Signed in")
	})
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	defer cancel()
	for storedToken(t).refresh == first.refresh {
		if ctx.Err() != nil {
			t.Fatalf("the app never refreshed the expired token\n%s", process.Output())
		}
		time.Sleep(20 * time.Millisecond)
	}
	second := storedToken(t)
	click(t, item, "Sign out")
	waitForRevoke(t, d.sim)
	d.quit(t, item, process)

	secrets := d.proxy.Secrets()
	kinds := map[string]bool{}
	for name := range secrets {
		kinds[name[:strings.LastIndexByte(name, ' ')]] = true
	}
	for _, kind := range []string{"code", "code_verifier", "access token", "refresh token", "client_secret", "token"} {
		if !kinds[kind] {
			t.Errorf("no %s passed through the proxy, so the search below misses it", kind)
		}
	}
	assertNoSecrets(t, d, process, second)
}

// chromiumOpener is a stand-in xdg-open that records each URL in
// $BROWSER_DIR/urls and returns at once, like xdg-open handing the URL
// to a running browser. Once $BROWSER_DIR/go exists, the first copy
// whose URL is the latest one loads it in headless Chromium and writes
// the final page's DOM to $BROWSER_DIR/dom.html.
const chromiumOpener = `#!/bin/sh
dir="$BROWSER_DIR"
printf '%s\n' "$1" >> "$dir/urls"
(
	while [ ! -e "$dir/go" ]; do
		[ -d "$dir" ] || exit 0 # the test ended and removed the folder
		sleep 0.05
	done
	[ "$(tail -n 1 "$dir/urls")" = "$1" ] || exit 0
	mkdir "$dir/lock" 2>/dev/null || exit 0
	timeout 60 chromium --headless --no-sandbox --disable-gpu --no-first-run \
		--disable-background-networking --disable-component-update --disable-sync \
		--disable-quic --user-data-dir="$dir/profile" --dump-dom "$1" \
		> "$dir/dom.tmp" 2> "$dir/chromium.log"
	mv "$dir/dom.tmp" "$dir/dom.html"
) < /dev/null > /dev/null 2>&1 &
exit 0
`

// installChromiumOpener installs chromiumOpener as xdg-open in a new
// directory, points the app's PATH at it and returns BROWSER_DIR.
func installChromiumOpener(t *testing.T, d *desktop) string {
	t.Helper()
	desktoptest.Require(t, "chromium")

	binDir, browserDir := t.TempDir(), t.TempDir()
	if err := os.WriteFile(filepath.Join(binDir, "xdg-open"), []byte(chromiumOpener), 0o755); err != nil {
		t.Fatalf("install the Chromium opener: %v", err)
	}
	// The last PATH wins when os/exec builds the environment.
	d.env = append(d.env, "PATH="+binDir+":"+os.Getenv("PATH"), "BROWSER_DIR="+browserDir)
	return browserDir
}

// waitForURLs waits until the opener has received n URLs and returns them.
func waitForURLs(t *testing.T, browserDir string, n int) []string {
	t.Helper()

	deadline := time.Now().Add(20 * time.Second)
	for {
		data, _ := os.ReadFile(filepath.Join(browserDir, "urls"))
		urls := strings.Fields(string(data))
		if len(urls) >= n {
			return urls
		}
		if time.Now().After(deadline) {
			t.Fatalf("opener received %d URLs, want %d", len(urls), n)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func stateOf(t *testing.T, authURL string) string {
	t.Helper()

	u, err := url.Parse(authURL)
	if err != nil {
		t.Fatalf("parse the sign-in URL: %v", err)
	}
	state := u.Query().Get("state")
	if state == "" {
		t.Fatalf("sign-in URL has no state")
	}
	return state
}

// TestAppSignInChromium signs in with headless Chromium. While the first
// sign-in waits, the test restarts it from the menu, opens the page again
// from the menu, and sends the callback listener hostile requests, which
// must each get a small page and change nothing.
func TestAppSignInChromium(t *testing.T) {
	d := startDesktop(t)
	browserDir := installChromiumOpener(t, d)
	redirectURL := freeRedirectURL(t)
	process, item := d.start(t, redirectURL)

	click(t, item, "Sign in to Zoom…")
	staleState := stateOf(t, waitForURLs(t, browserDir, 1)[0])
	waitForMenu(t, item, "the sign-in page item", func(root desktoptest.MenuNode) bool {
		page, _ := root.FindByLabel("Open sign-in page…")
		return visible(root, "Restart sign-in…") && page.Visible && page.Enabled
	})

	// A new sign-in replaces the first one, whose state must stop working.
	click(t, item, "Restart sign-in…")
	urls := waitForURLs(t, browserDir, 2)
	state := stateOf(t, urls[1])
	if state == staleState {
		t.Fatalf("restarted sign-in reuses the state of the first one")
	}

	callback, err := url.Parse(redirectURL)
	if err != nil {
		t.Fatal(err)
	}
	withQuery := func(path string, query url.Values) string {
		u := *callback
		u.Path = path
		u.RawQuery = query.Encode()
		return u.String()
	}
	hostile := []struct {
		name   string
		method string
		url    string
		host   string
		status int
		text   string
	}{
		{"stale state", "GET", withQuery(callback.Path, url.Values{"code": {"forged"}, "state": {staleState}}), "", http.StatusBadRequest, "not valid or has expired"},
		{"wrong state", "GET", withQuery(callback.Path, url.Values{"code": {"forged"}, "state": {"wrong"}}), "", http.StatusBadRequest, "not valid or has expired"},
		{"missing state", "GET", withQuery(callback.Path, url.Values{"code": {"forged"}}), "", http.StatusBadRequest, "not valid or has expired"},
		{"denied with wrong state", "GET", withQuery(callback.Path, url.Values{"error": {"access_denied"}, "state": {"wrong"}}), "", http.StatusBadRequest, "not valid or has expired"},
		{"favicon", "GET", withQuery("/favicon.ico", nil), "", http.StatusNotFound, "Not found."},
		{"other path", "GET", withQuery("/admin", url.Values{"state": {state}}), "", http.StatusNotFound, "Not found."},
		{"foreign host", "GET", withQuery(callback.Path, url.Values{"code": {"forged"}, "state": {state}}), "rebind.example:" + callback.Port(), http.StatusMisdirectedRequest, "loopback address"},
		{"post", "POST", withQuery(callback.Path, url.Values{"code": {"forged"}, "state": {state}}), "", http.StatusMethodNotAllowed, "Only GET requests are accepted here."},
	}
	for _, h := range hostile {
		req, err := http.NewRequestWithContext(t.Context(), h.method, h.url, nil)
		if err != nil {
			t.Fatal(err)
		}
		if h.host != "" {
			req.Host = h.host
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatalf("%s: %v", h.name, err)
		}
		body, _ := io.ReadAll(resp.Body)
		_ = resp.Body.Close()
		if resp.StatusCode != h.status {
			t.Errorf("%s: HTTP %d, want %d", h.name, resp.StatusCode, h.status)
		}
		if !strings.Contains(string(body), h.text) {
			t.Errorf("%s: page %q, want it to contain %q", h.name, body, h.text)
		}
		if len(body) > 1024 {
			t.Errorf("%s: page is %d bytes, want a small page", h.name, len(body))
		}
		if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
			t.Errorf("%s: Content-Type %q, want text/html", h.name, ct)
		}
	}

	// The page can be opened again by hand from the menu.
	click(t, item, "Open sign-in page…")
	if urls := waitForURLs(t, browserDir, 3); urls[2] != urls[1] {
		t.Errorf("Open sign-in page opened %q, want the current sign-in page %q", urls[2], urls[1])
	}

	for _, r := range d.sim.Requests() {
		if r.Path == "/oauth/token" || r.Path == "/oauth/authorize" {
			t.Errorf("simulator received %s %s before the browser ran", r.Method, r.Path)
		}
	}
	root := waitForMenu(t, item, "the sign-in still waiting", func(root desktoptest.MenuNode) bool {
		return visible(root, "Restart sign-in…")
	})
	if visible(root, "Signed in") {
		t.Errorf("menu shows Signed in before the browser ran")
	}
	if n := len(d.notifications.Received()); n != 0 {
		t.Errorf("notifications = %+v, want none", d.notifications.Received())
	}

	// Now the browser signs in for real. The proxy holds the code
	// exchange back, so that a second callback arrives while the first
	// one is being handled.
	d.proxy.SetTokenDelay(time.Second)
	for len(d.proxy.TokenRequests) > 0 {
		<-d.proxy.TokenRequests
	}
	if err := os.WriteFile(filepath.Join(browserDir, "go"), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	select {
	case <-d.proxy.TokenRequests:
	case <-time.After(60 * time.Second):
		log, _ := os.ReadFile(filepath.Join(browserDir, "chromium.log"))
		t.Fatalf("Chromium never reached the callback; its log:\n%s", log)
	}
	second, err := http.Get(withQuery(callback.Path, url.Values{"code": {"forged"}, "state": {state}}))
	if err != nil {
		t.Fatalf("second callback: %v", err)
	}
	secondBody, _ := io.ReadAll(second.Body)
	_ = second.Body.Close()
	if second.StatusCode != http.StatusConflict || !strings.Contains(string(secondBody), "already been handled") {
		t.Errorf("second callback: HTTP %d %q, want 409 and the already-handled page", second.StatusCode, secondBody)
	}
	d.proxy.SetTokenDelay(0)
	waitForMenu(t, item, "the signed-in menu", func(root desktoptest.MenuNode) bool {
		return visible(root, "Signed in") && !visible(root, "Open sign-in page…")
	})
	domPath := filepath.Join(browserDir, "dom.html")
	deadline := time.Now().Add(60 * time.Second)
	for {
		if dom, err := os.ReadFile(domPath); err == nil {
			if !strings.Contains(string(dom), "Signed in to Zoom. You can close this tab.") {
				t.Errorf("Chromium showed %q, want the success page", dom)
			}
			break
		}
		if time.Now().After(deadline) {
			log, _ := os.ReadFile(filepath.Join(browserDir, "chromium.log"))
			t.Fatalf("Chromium wrote no page; its log:\n%s", log)
		}
		time.Sleep(50 * time.Millisecond)
	}

	// The listener closes after the sign-in, so a late callback with
	// the right state reaches nothing.
	late := withQuery(callback.Path, url.Values{"code": {"forged"}, "state": {state}})
	if resp, err := http.Get(late); err == nil {
		_ = resp.Body.Close()
		t.Errorf("late callback got HTTP %d, want the listener closed", resp.StatusCode)
	}

	token := storedToken(t)
	d.quit(t, item, process)
	assertNoSecrets(t, d, process, token)
}

// TestAppOpenerFails checks that a browser opener that fails or hangs
// does not block the sign-in: a notification gives the address to open
// by hand, and the menu offers to open the page again.
func TestAppOpenerFails(t *testing.T) {
	tests := []struct {
		name   string
		script string
	}{
		{"fails", "#!/bin/sh\necho 'no browser here' >&2\nexit 3\n"},
		// The opener outlives openerTimeout and then ends by itself, so
		// it leaves nothing behind.
		{"hangs", "#!/bin/sh\nexec sleep 15 >/dev/null 2>&1\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := startDesktop(t)
			binDir := t.TempDir()
			for _, name := range []string{"xdg-open", "x-www-browser", "www-browser"} {
				mustNot(t, os.WriteFile(filepath.Join(binDir, name), []byte(tt.script), 0o755))
			}
			d.env = append(d.env, "PATH="+binDir+":"+os.Getenv("PATH"))
			redirectURL := freeRedirectURL(t)
			process, item := d.start(t, redirectURL)

			click(t, item, "Sign in to Zoom…")
			ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
			defer cancel()
			note, err := d.notifications.WaitFor(ctx, func(n desktoptest.Notification) bool {
				return n.Summary == "Open the Zoom sign-in page"
			})
			if err != nil {
				t.Fatalf("no notification about the browser: %v\n%s", err, process.Output())
			}
			i := strings.Index(note.Body, "http://")
			if i < 0 {
				t.Fatalf("notification %q has no address to open", note.Body)
			}
			authURL := note.Body[i:]
			if !strings.HasPrefix(authURL, d.proxy.URL+"/oauth/authorize?") {
				t.Errorf("address %q, want the authorize URL", authURL)
			}
			waitForMenu(t, item, "the sign-in page item", func(root desktoptest.MenuNode) bool {
				page, _ := root.FindByLabel("Open sign-in page…")
				return page.Visible && page.Enabled
			})

			// A person opens the address by hand, which signs in.
			resp, err := http.Get(authURL)
			if err != nil {
				t.Fatalf("open the sign-in address by hand: %v", err)
			}
			_ = resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				t.Errorf("sign-in by hand ended with HTTP %d, want 200", resp.StatusCode)
			}
			waitForMenu(t, item, "the signed-in menu", func(root desktoptest.MenuNode) bool {
				return visible(root, "Signed in")
			})

			token := storedToken(t)
			d.quit(t, item, process)
			assertNoSecrets(t, d, process, token)
		})
	}
}

// largeToken returns a token whose access and refresh tokens are n bytes
// of base64url text each, like a long Zoom JWT.
func largeToken(n int) *oauth2.Token {
	chars := "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	access, refresh := make([]byte, n), make([]byte, n)
	for i := range n {
		access[i] = chars[(i*7)%len(chars)]
		refresh[i] = chars[(i*11+3)%len(chars)]
	}
	return &oauth2.Token{
		AccessToken:  string(access),
		TokenType:    "bearer",
		RefreshToken: string(refresh),
		Expiry:       time.Now().Add(time.Hour).Round(time.Second),
	}
}

// TestKeyringStoreSecretService saves and loads tokens of 1 to 5 KB in a
// real gnome-keyring, and replaces each with the next.
func TestKeyringStoreSecretService(t *testing.T) {
	bus := desktoptest.StartBus(t)
	desktoptest.StartKeyring(t, bus)
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", bus.Address)
	store := auth.NewKeyringStore(keyringService, e2eClientID, 5*time.Second)

	for _, size := range []int{1, 999, 1000, 1001, 2048, 2560, 2561, 3072, 4096, 5120} {
		want := largeToken(size)
		if err := store.Save(want); err != nil {
			t.Fatalf("Save %d-byte tokens: %v", size, err)
		}
		got, err := store.Load()
		if err != nil {
			t.Fatalf("Load %d-byte tokens: %v", size, err)
		}
		if got.AccessToken != want.AccessToken || got.RefreshToken != want.RefreshToken {
			t.Errorf("%d-byte tokens: loaded tokens differ from the saved ones", size)
		}
		if !got.Expiry.Equal(want.Expiry) {
			t.Errorf("%d-byte tokens: expiry %v, want %v", size, got.Expiry, want.Expiry)
		}
	}

	if err := store.Delete(); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	if _, err := store.Load(); !errors.Is(err, auth.ErrNoToken) {
		t.Errorf("Load after Delete: %v, want ErrNoToken", err)
	}
}

// BenchmarkKeyringSave measures one Save to a real gnome-keyring, which
// is the part of a refresh during which a kill loses the session.
func BenchmarkKeyringSave(b *testing.B) {
	bus := desktoptest.StartBus(b)
	desktoptest.StartKeyring(b, bus)
	b.Setenv("DBUS_SESSION_BUS_ADDRESS", bus.Address)
	store := auth.NewKeyringStore(keyringService, e2eClientID, 5*time.Second)

	for _, size := range []int{1000, 3000, 5000} {
		b.Run(fmt.Sprintf("%dB", size), func(b *testing.B) {
			tok := largeToken(size)
			for b.Loop() {
				if err := store.Save(tok); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// TestAppSlowKeyring checks that a keyring that responds late keeps
// neither the tray away nor the sign-in. The tray item appears while the
// keyring is still stopped, and the stored sign-in shows once it responds.
func TestAppSlowKeyring(t *testing.T) {
	d := startDesktop(t)
	redirectURL := freeRedirectURL(t)
	process, item := d.start(t, redirectURL)
	signIn(t, item, "Signed in")
	d.quit(t, item, process)

	pid := d.keyring.PID()
	mustNot(t, syscall.Kill(pid, syscall.SIGSTOP))
	resumed := false
	t.Cleanup(func() {
		if !resumed {
			_ = syscall.Kill(pid, syscall.SIGCONT)
		}
	})
	d.sim.SetPresence(zoom.Presence{Status: zoom.StatusBusy})
	process, item = d.start(t, redirectURL)

	// The tray registered while the keyring could not respond.
	mustNot(t, syscall.Kill(pid, syscall.SIGCONT))
	resumed = true
	assertStillSignedIn(t, d, item)
	if !strings.Contains(process.Output(), "stored sign-in restored") {
		t.Errorf("app did not restore the sign-in after showing the tray; output:\n%s", process.Output())
	}
	d.quit(t, item, process)
}

// TestAppSignOutOffline checks that signing out while Zoom cannot be
// reached still removes the token from the keyring.
func TestAppSignOutOffline(t *testing.T) {
	d := startDesktop(t)
	process, item := d.start(t, freeRedirectURL(t))
	signIn(t, item, "Signed in")
	token := storedToken(t)

	mustNot(t, d.sim.Close())
	click(t, item, "Sign out")
	waitForMenu(t, item, "the signed-out menu", func(root desktoptest.MenuNode) bool {
		return visible(root, "Sign in to Zoom…") && !visible(root, "Signed in")
	})

	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	defer cancel()
	if err := process.WaitForOutput(ctx, "Could not revoke the Zoom token"); err != nil {
		t.Errorf("app logged no failed revoke: %v", err)
	}
	assertKeyringEmpty(t, "after an offline sign-out")
	d.quit(t, item, process)
	assertNoSecrets(t, d, process, token)
}
