package main

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/zoom-presence/zoom-presence/auth"
	"github.com/zoom-presence/zoom-presence/internal/desktoptest"
	"github.com/zoom-presence/zoom-presence/zoom"
	"github.com/zoom-presence/zoom-presence/zoom/zoomsim"
)

const e2eClientID = "e2e-client"

// desktop is a private Linux desktop with the Zoom simulator, in which the
// built binary runs as a person would run it.
type desktop struct {
	bus           *desktoptest.Bus
	watcher       *desktoptest.Watcher
	notifications *desktoptest.Notifications
	keyring       *desktoptest.Keyring
	sim           *zoomsim.Server
	proxy         *oauthProxy
	binary        string
	env           []string
	openerLog     string
	cacheDir      string
	configDir     string
}

func startDesktop(t *testing.T) *desktop {
	t.Helper()
	return startDesktopWith(t, zoomsim.Options{ClientID: e2eClientID})
}

// startDesktopWith is startDesktop with a simulator configured by opts.
func startDesktopWith(t *testing.T, opts zoomsim.Options) *desktop {
	t.Helper()
	desktoptest.Require(t, "dbus-daemon", "gnome-keyring-daemon")

	d := &desktop{}
	d.bus = desktoptest.StartBus(t)
	d.watcher = desktoptest.StartWatcher(t, d.bus)
	d.notifications = desktoptest.StartNotifications(t, d.bus)
	d.keyring = desktoptest.StartKeyring(t, d.bus)

	d.sim = zoomsim.New(opts)
	if err := d.sim.Start("127.0.0.1:0"); err != nil {
		t.Fatalf("start the Zoom simulator: %v", err)
	}
	t.Cleanup(func() { _ = d.sim.Close() })
	d.proxy = startOAuthProxy(t, d.sim)

	d.binary = desktoptest.Build(t, ".", "zoom-presence")
	d.openerLog = filepath.Join(t.TempDir(), "opener.log")
	d.cacheDir = t.TempDir()
	d.configDir = t.TempDir()
	d.env = append(os.Environ(), d.keyring.Env()...)
	d.env = append(d.env,
		"PATH="+desktoptest.InstallOpener(t)+":"+os.Getenv("PATH"),
		desktoptest.OpenerLogEnv+"="+d.openerLog,
		"XDG_CACHE_HOME="+d.cacheDir,
		"XDG_CONFIG_HOME="+d.configDir,
		"ZOOM_CLIENT_ID=", "ZOOM_CLIENT_SECRET=",
	)

	// In-process keyring reads go through the same private bus.
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", d.bus.Address)
	return d
}

// start runs the binary with its flags pointed at the simulator and waits
// for its tray item.
func (d *desktop) start(t *testing.T, redirectURL string) (*desktoptest.Process, desktoptest.Item) {
	t.Helper()

	process := d.launch(t, redirectURL)

	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	defer cancel()
	item, err := d.watcher.WaitForItem(ctx)
	if err != nil {
		t.Fatalf("tray item never registered: %v\n%s", err, process.Output())
	}
	return process, item
}

// launch runs the binary with its flags pointed at the simulator, with
// the OAuth requests going through d.proxy, and does not wait for it.
func (d *desktop) launch(t *testing.T, redirectURL string) *desktoptest.Process {
	t.Helper()

	cmd := exec.Command(d.binary,
		"-client-id", e2eClientID,
		"-redirect-url", redirectURL,
		"-api-url", d.sim.APIURL(),
		"-oauth-url", d.proxy.URL,
		"-log-level", "debug",
	)
	cmd.Env = d.env
	return desktoptest.StartProcess(t, cmd)
}

// freeRedirectURL returns a loopback redirect URL on a port that was free
// a moment ago.
func freeRedirectURL(t *testing.T) string {
	t.Helper()

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("find a free port: %v", err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	_ = ln.Close()
	return fmt.Sprintf("http://127.0.0.1:%d/callback", port)
}

func waitForMenu(t *testing.T, item desktoptest.Item, what string, match func(desktoptest.MenuNode) bool) desktoptest.MenuNode {
	t.Helper()

	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	defer cancel()
	root, err := item.WaitForMenu(ctx, match)
	if err != nil {
		t.Fatalf("menu never showed %s: %v", what, err)
	}
	return root
}

func click(t *testing.T, item desktoptest.Item, label string) {
	t.Helper()

	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	if _, err := item.ClickLabel(ctx, label); err != nil {
		t.Fatalf("click %q: %v", label, err)
	}
}

func visible(root desktoptest.MenuNode, label string) bool {
	node, ok := root.FindByLabel(label)
	return ok && node.Visible
}

// checkedLabels returns the labels of every checked item in the tree.
func checkedLabels(node desktoptest.MenuNode) []string {
	var labels []string
	if node.Checked() {
		labels = append(labels, node.Label)
	}
	for _, child := range node.Children {
		labels = append(labels, checkedLabels(child)...)
	}
	return labels
}

// waitingLine returns the label of the disabled line that shows what is
// waiting to be sent.
func waitingLine(root desktoptest.MenuNode) string {
	for _, node := range root.Children {
		if strings.HasPrefix(node.Label, "Waiting") || strings.HasPrefix(node.Label, "Nothing waiting") ||
			strings.HasPrefix(node.Label, "Sending") || strings.HasPrefix(node.Label, "Retrying") {
			return node.Label
		}
	}
	return ""
}

func TestAppSignInAndSetAway(t *testing.T) {
	d := startDesktop(t)
	redirectURL := freeRedirectURL(t)
	process, item := d.start(t, redirectURL)

	root := waitForMenu(t, item, "the signed-out menu", func(root desktoptest.MenuNode) bool {
		return visible(root, "Sign in to Zoom…")
	})
	wantTop := []string{"Available", "Busy", "Do not disturb", "Away", "Out of office", "In a calendar event", "Presenting", "In a Zoom meeting", "On a call"}
	for i, label := range wantTop {
		if root.Children[i].Label != label {
			t.Errorf("menu item %d = %q, want %q", i, root.Children[i].Label, label)
		}
	}
	dnd, _ := root.FindByLabel("Do not disturb")
	var durations []string
	for _, child := range dnd.Children {
		durations = append(durations, child.Label)
	}
	if got, want := strings.Join(durations, ", "), "20 minutes, 30 minutes, 1 hour, 2 hours, 4 hours, 8 hours, 24 hours"; got != want {
		t.Errorf("Do not disturb submenu = %q, want %q", got, want)
	}

	// Sign in through the stand-in browser, which follows the redirect
	// to the app's loopback listener.
	click(t, item, "Sign in to Zoom…")
	waitForMenu(t, item, "the signed-in menu", func(root desktoptest.MenuNode) bool {
		away, _ := root.FindByLabel("Away")
		return visible(root, "Signed in") && visible(root, "Sign out") && !visible(root, "Sign in to Zoom…") && away.Enabled
	})

	// The first update meets a 429 with a short Retry-After: the app must
	// tell the user, wait, and send the choice again.
	d.sim.FailNext(1, zoomsim.Fault{Status: http.StatusTooManyRequests, RetryAfter: "2", RateLimitType: "QPS"})
	click(t, item, "Away")

	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	defer cancel()
	note, err := d.notifications.WaitFor(ctx, func(n desktoptest.Notification) bool {
		return n.Summary == "Zoom status change delayed"
	})
	if err != nil {
		t.Fatalf("no notification for the 429: %v; received %+v", err, d.notifications.Received())
	}
	if !strings.Contains(note.Body, "one status change a minute") {
		t.Errorf("429 notification body = %q, want the one-a-minute rule explained", note.Body)
	}

	root = waitForMenu(t, item, "Away checked", func(root desktoptest.MenuNode) bool {
		away, _ := root.FindByLabel("Away")
		return away.Checked()
	})
	if got := checkedLabels(root); len(got) != 1 || got[0] != "Away" {
		t.Errorf("checked items = %v, want only Away", got)
	}

	var bodies []string
	for _, u := range d.sim.PresenceUpdates() {
		bodies = append(bodies, fmt.Sprintf("%d %s", u.Status, u.Body))
	}
	if want := []string{`429 {"status":"Away"}`, `204 {"status":"Away"}`}; strings.Join(bodies, "; ") != strings.Join(want, "; ") {
		t.Errorf("simulator received %q, want %q", bodies, want)
	}
	if got := d.sim.Presence().Status; got != zoom.StatusAway {
		t.Errorf("simulator status = %q, want %q", got, zoom.StatusAway)
	}

	props, err := item.Properties(ctx)
	if err != nil {
		t.Fatalf("read the tray item's properties: %v", err)
	}
	if props.ToolTipTitle != "Zoom: Away" {
		t.Errorf("tooltip = %q, want %q", props.ToolTipTitle, "Zoom: Away")
	}

	// A second choice within the minute waits for Zoom's window, and the
	// menu shows when it goes out.
	click(t, item, "Busy")
	root = waitForMenu(t, item, "Busy waiting", func(root desktoptest.MenuNode) bool {
		return strings.HasPrefix(waitingLine(root), "Waiting: Busy at ")
	})
	if node, _ := root.FindByLabel(waitingLine(root)); node.Enabled {
		t.Errorf("waiting line %q is enabled, want it disabled", node.Label)
	}
	if got := len(d.sim.PresenceUpdates()); got != 2 {
		t.Errorf("simulator received %d updates, want 2: Busy must wait for the one-minute window", got)
	}

	token := storedToken(t)
	click(t, item, "Quit")
	if err := process.Wait(ctx); err != nil {
		t.Errorf("app exit: %v\n%s", err, process.Output())
	}
	assertNoSecrets(t, d, process, token)
}

func TestAppStaysSignedInAfterRestart(t *testing.T) {
	d := startDesktop(t)
	redirectURL := freeRedirectURL(t)

	process, item := d.start(t, redirectURL)
	waitForMenu(t, item, "the signed-out menu", func(root desktoptest.MenuNode) bool {
		return visible(root, "Sign in to Zoom…")
	})
	click(t, item, "Sign in to Zoom…")
	waitForMenu(t, item, "the signed-in menu", func(root desktoptest.MenuNode) bool {
		return visible(root, "Signed in")
	})
	click(t, item, "Quit")
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	defer cancel()
	if err := process.Wait(ctx); err != nil {
		t.Fatalf("first run exit: %v", err)
	}
	if err := d.watcher.WaitForNoItems(ctx); err != nil {
		t.Fatalf("first run's tray item stayed: %v", err)
	}

	// The second run finds the token in the keyring and reads the status
	// without opening the browser again.
	d.sim.SetPresence(zoom.Presence{Status: zoom.StatusBusy})
	process, item = d.start(t, redirectURL)
	waitForMenu(t, item, "Busy checked while signed in", func(root desktoptest.MenuNode) bool {
		busy, _ := root.FindByLabel("Busy")
		return visible(root, "Signed in") && busy.Checked()
	})
	waitForTooltip(t, item, "Zoom: Busy")

	opens := 0
	events, err := desktoptest.ReadOpenerLog(d.openerLog)
	if err != nil {
		t.Fatalf("read the opener log: %v", err)
	}
	for _, e := range events {
		if e.Msg == "open" {
			opens++
		}
	}
	if opens != 1 {
		t.Errorf("browser opened %d times over two runs, want 1", opens)
	}

	// Sign out revokes the token at Zoom and removes it from the keyring.
	token := storedToken(t)
	click(t, item, "Sign out")
	waitForMenu(t, item, "the signed-out menu", func(root desktoptest.MenuNode) bool {
		return visible(root, "Sign in to Zoom…")
	})
	waitForRevoke(t, d.sim)
	store := auth.NewKeyringStore(keyringService, e2eClientID, 5*time.Second)
	if _, err := store.Load(); err == nil {
		t.Errorf("keyring still holds a token after sign-out")
	}

	click(t, item, "Quit")
	if err := process.Wait(ctx); err != nil {
		t.Errorf("second run exit: %v", err)
	}
	assertNoSecrets(t, d, process, token)
}

// storedToken reads the token that the app saved, through the same
// private Secret Service.
func storedToken(t *testing.T) *zoomToken {
	t.Helper()

	store := auth.NewKeyringStore(keyringService, e2eClientID, 5*time.Second)
	token, err := store.Load()
	if err != nil {
		t.Fatalf("read the stored token: %v", err)
	}
	if token.AccessToken == "" || token.RefreshToken == "" {
		t.Fatalf("stored token is incomplete: access %d bytes, refresh %d bytes", len(token.AccessToken), len(token.RefreshToken))
	}
	return &zoomToken{access: token.AccessToken, refresh: token.RefreshToken}
}

type zoomToken struct{ access, refresh string }

func waitForRevoke(t *testing.T, sim *zoomsim.Server) {
	t.Helper()

	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		for _, r := range sim.Requests() {
			if r.Path == "/oauth/revoke" && r.Method == http.MethodPost && r.Status == http.StatusOK {
				if r.Query != "" {
					t.Errorf("revoke request had a query string %q, want the token in the form body", r.Query)
				}
				return
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Errorf("no successful revoke request reached the simulator")
}

// assertNoSecrets searches the app's output, its log file, the cache and
// config folders, the notifications and the opener's log for the token
// values, and for every token, code, verifier and client secret that
// passed through d.proxy. token may be nil when the keyring holds none.
func assertNoSecrets(t *testing.T, d *desktop, process *desktoptest.Process, token *zoomToken) {
	t.Helper()

	secrets := d.proxy.Secrets()
	if token != nil {
		secrets["stored access token"] = token.access
		secrets["stored refresh token"] = token.refresh
	}
	texts := map[string]string{"output": process.Output()}
	for i, n := range d.notifications.Received() {
		texts[fmt.Sprintf("notification %d", i)] = n.Summary + "\n" + n.Body
	}
	if opener, err := os.ReadFile(d.openerLog); err == nil {
		texts["opener log"] = string(opener)
	}
	for _, dir := range []string{d.cacheDir, d.configDir} {
		_ = filepath.WalkDir(dir, func(path string, entry os.DirEntry, err error) error {
			if err != nil || entry.IsDir() {
				return nil
			}
			data, readErr := os.ReadFile(path)
			if readErr == nil {
				texts[path] = string(data)
			}
			return nil
		})
	}
	logPath := filepath.Join(d.cacheDir, "zoom-presence", "zoom-presence.log")
	if !strings.Contains(texts[logPath], "zoom-presence starting") {
		t.Errorf("log file %s is missing or lacks the start line", logPath)
	}

	for where, text := range texts {
		for name, secret := range secrets {
			if strings.Contains(text, secret) {
				t.Errorf("%s contains the %s", where, name)
			}
		}
	}
}

// waitForTooltip polls the tray item's tooltip until it reads want.
func waitForTooltip(t *testing.T, item desktoptest.Item, want string) {
	t.Helper()

	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	var got string
	for ctx.Err() == nil {
		props, err := item.Properties(ctx)
		if err == nil {
			got = props.ToolTipTitle
			if got == want {
				return
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Errorf("tooltip = %q, want %q", got, want)
}
