package desktoptest

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"
	"github.com/pkg/browser"
	"github.com/zalando/go-keyring"
)

// waitTimeout bounds every wait in these tests, so that a broken tool
// fails the test with a message instead of hanging until the test binary
// times out. It is not a performance requirement.
const waitTimeout = 30 * time.Second

func waitContext(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(t.Context(), waitTimeout)
	t.Cleanup(cancel)
	return ctx
}

func TestTrayProbe(t *testing.T) {
	bus := StartBus(t)
	watcher := StartWatcher(t, bus)
	notifications := StartNotifications(t, bus)
	keyringDaemon := StartKeyring(t, bus)
	ctx := waitContext(t)

	probePath := Build(t, "./testdata/trayprobe", "trayprobe")
	cmd := exec.Command(probePath)
	cmd.Env = append(os.Environ(), keyringDaemon.Env()...)
	probe := StartProcess(t, cmd)

	item, err := watcher.WaitForItem(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := probe.WaitForOutput(ctx, "ready\n"); err != nil {
		t.Fatal(err)
	}

	props, err := item.Properties(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if props.Status != "Active" {
		t.Errorf("Status = %q, want Active", props.Status)
	}
	if props.Menu != "/StatusNotifierItem/menu" {
		t.Errorf("Menu = %q, want /StatusNotifierItem/menu", props.Menu)
	}
	if !props.HasIcon() {
		t.Errorf("HasIcon() = false, want true; icons: %d", len(props.Icons))
	}
	if props.ID == "" {
		t.Error("Id is empty")
	}

	// The probe has printed "ready", so onReady has set the tooltip.
	// NOTE: fyne.io/systray v1.12.2 runs onReady while it exports its
	// properties, and drops a tooltip set between reading the initial
	// values and publishing them, so this check can fail in rare runs.
	if props.ToolTipTitle != "Probe: ready" {
		t.Errorf("tooltip title = %q, want %q", props.ToolTipTitle, "Probe: ready")
	}

	root, err := item.Layout(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("menu:\n%s", root)

	var labels []string
	for _, child := range root.Children {
		labels = append(labels, child.Label)
	}
	wantLabels := []string{"First", "Disabled", "", "Check me", "More", "Notify", "Quit"}
	if !slices.Equal(labels, wantLabels) {
		t.Errorf("top-level labels = %q, want %q", labels, wantLabels)
	}

	if separator := root.Children[2]; separator.Type != "separator" {
		t.Errorf("third item has type %q, want separator", separator.Type)
	}
	if disabled, _ := root.FindByLabel("Disabled"); disabled.Enabled {
		t.Error("Disabled item is enabled")
	}
	if first, _ := root.FindByLabel("First"); !first.Enabled || !first.Visible || first.ToggleType != "" {
		t.Errorf("First item: enabled %t, visible %t, toggle type %q; want true, true, empty", first.Enabled, first.Visible, first.ToggleType)
	}

	more, ok := root.FindByLabel("More")
	if !ok {
		t.Fatal("no More item")
	}
	if more.ChildrenDisplay != "submenu" {
		t.Errorf("More has children-display %q, want submenu", more.ChildrenDisplay)
	}
	var subLabels []string
	for _, child := range more.Children {
		subLabels = append(subLabels, child.Label)
	}
	if want := []string{"Sub one", "Sub two"}; !slices.Equal(subLabels, want) {
		t.Errorf("submenu labels = %q, want %q", subLabels, want)
	}

	check, ok := root.FindByLabel("Check me")
	if !ok {
		t.Fatal("no Check me item")
	}
	if check.ToggleType != "checkmark" || check.Checked() {
		t.Errorf("Check me: toggle type %q, checked %t; want checkmark, false", check.ToggleType, check.Checked())
	}

	// A click on a submenu item reaches the program.
	if _, err := item.ClickLabel(ctx, "Sub two"); err != nil {
		t.Fatal(err)
	}
	if err := probe.WaitForOutput(ctx, "clicked: Sub two\n"); err != nil {
		t.Fatal(err)
	}

	// A click on the checkbox makes the program check it, which the
	// menu shows.
	if err := item.Click(ctx, check.ID); err != nil {
		t.Fatal(err)
	}
	root, err = item.WaitForMenu(ctx, func(root MenuNode) bool {
		node, _ := root.FindByID(check.ID)
		return node.Checked()
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := probe.WaitForOutput(ctx, "checked: true\n"); err != nil {
		t.Fatal(err)
	}

	// A disabled item cannot be clicked through ClickLabel.
	if _, err := item.ClickLabel(ctx, "Disabled"); err == nil {
		t.Error("ClickLabel(Disabled) succeeded, want an error")
	}

	// beeep sends the notification over the private bus.
	if _, err := item.ClickLabel(ctx, "Notify"); err != nil {
		t.Fatal(err)
	}
	got, err := notifications.WaitFor(ctx, func(n Notification) bool { return n.Summary == "Probe summary" })
	if err != nil {
		t.Fatal(err)
	}
	if got.Body != "Probe body" {
		t.Errorf("notification body = %q, want %q", got.Body, "Probe body")
	}
	if got.AppName != "trayprobe" {
		t.Errorf("notification app name = %q, want trayprobe", got.AppName)
	}
	if got.ID == 0 {
		t.Error("notification ID is 0")
	}
	if err := probe.WaitForOutput(ctx, "notified: ok\n"); err != nil {
		t.Fatal(err)
	}

	// When the tray host restarts, the program registers again.
	if err := watcher.Close(); err != nil {
		t.Fatal(err)
	}
	watcher = StartWatcher(t, bus)
	item, err = watcher.WaitForItem(ctx)
	if err != nil {
		t.Fatal(err)
	}

	// Quit ends the program, and its item leaves the watcher.
	if _, err := item.ClickLabel(ctx, "Quit"); err != nil {
		t.Fatal(err)
	}
	if err := probe.Wait(ctx); err != nil {
		t.Errorf("probe exit: %v", err)
	}
	if err := probe.WaitForOutput(ctx, "exit\n"); err != nil {
		t.Error(err)
	}
	if err := watcher.WaitForNoItems(ctx); err != nil {
		t.Error(err)
	}
}

func TestBusActivatesNothing(t *testing.T) {
	bus := StartBus(t)
	conn := bus.Connect(t)

	var names []string
	err := conn.BusObject().CallWithContext(waitContext(t), "org.freedesktop.DBus.ListActivatableNames", 0).Store(&names)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"org.freedesktop.DBus"}; !slices.Equal(names, want) {
		t.Errorf("activatable names = %q, want %q", names, want)
	}
}

func TestBusStop(t *testing.T) {
	bus := StartBus(t)
	if err := bus.Stop(); err != nil {
		t.Errorf("Stop: %v", err)
	}

	// Stop has reaped the daemon, so its PID is gone.
	if _, err := os.Stat(filepath.Join("/proc", strconv.Itoa(bus.PID()))); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("dbus-daemon pid %d still exists after Stop (stat: %v)", bus.PID(), err)
	}
	if _, err := dbus.Connect(bus.Address); err == nil {
		t.Error("connecting to a stopped bus succeeded")
	}
}

func TestBusCleanupStopsDaemon(t *testing.T) {
	var pid int
	t.Run("bus", func(t *testing.T) {
		pid = StartBus(t).PID()
	})

	if _, err := os.Stat(filepath.Join("/proc", strconv.Itoa(pid))); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("dbus-daemon pid %d still exists after cleanup (stat: %v)", pid, err)
	}
}

func TestWatcherByBusName(t *testing.T) {
	bus := StartBus(t)
	watcher := StartWatcher(t, bus)
	ctx := waitContext(t)

	client, err := bus.dial()
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()

	signals := make(chan *dbus.Signal, 8)
	client.Signal(signals)
	err = client.AddMatchSignal(dbus.WithMatchInterface(watcherIface), dbus.WithMatchMember("StatusNotifierItemRegistered"))
	if err != nil {
		t.Fatal(err)
	}

	const name = "org.kde.StatusNotifierItem-1-1"
	requestName(t, client, name)
	watcherObj := client.Object(watcherName, watcherPath)
	if err := watcherObj.CallWithContext(ctx, watcherIface+".RegisterStatusNotifierItem", 0, name).Err; err != nil {
		t.Fatal(err)
	}

	item, err := watcher.WaitForItem(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if item.Service != name || item.Path != defaultItemPath {
		t.Errorf("item = %s %s, want %s %s", item.Service, item.Path, name, defaultItemPath)
	}

	var registered []string
	if err := watcherObj.CallWithContext(ctx, "org.freedesktop.DBus.Properties.Get", 0, watcherIface, "RegisteredStatusNotifierItems").Store(&registered); err != nil {
		t.Fatal(err)
	}
	if want := []string{name + "/StatusNotifierItem"}; !slices.Equal(registered, want) {
		t.Errorf("RegisteredStatusNotifierItems = %q, want %q", registered, want)
	}

	// The bus also sends NameAcquired to the client, without a match.
	for registeredSignal := false; !registeredSignal; {
		select {
		case sig := <-signals:
			if sig.Name != watcherIface+".StatusNotifierItemRegistered" {
				continue
			}
			registeredSignal = true
			if len(sig.Body) != 1 || sig.Body[0] != name+"/StatusNotifierItem" {
				t.Errorf("StatusNotifierItemRegistered body = %v, want [%s/StatusNotifierItem]", sig.Body, name)
			}
		case <-ctx.Done():
			t.Fatal("no StatusNotifierItemRegistered signal")
		}
	}

	// Registering again does not add a second entry.
	if err := watcherObj.CallWithContext(ctx, watcherIface+".RegisterStatusNotifierItem", 0, name).Err; err != nil {
		t.Fatal(err)
	}
	if items := watcher.Items(); len(items) != 1 {
		t.Errorf("after a second registration: %d items, want 1", len(items))
	}

	// Releasing the name unregisters the item.
	if _, err := client.ReleaseName(name); err != nil {
		t.Fatal(err)
	}
	if err := watcher.WaitForNoItems(ctx); err != nil {
		t.Error(err)
	}
}

func TestWatcherByPath(t *testing.T) {
	bus := StartBus(t)
	watcher := StartWatcher(t, bus)
	ctx := waitContext(t)

	client, err := bus.dial()
	if err != nil {
		t.Fatal(err)
	}
	watcherObj := client.Object(watcherName, watcherPath)
	if err := watcherObj.CallWithContext(ctx, watcherIface+".RegisterStatusNotifierItem", 0, "/custom/item").Err; err != nil {
		t.Fatal(err)
	}

	item, err := watcher.WaitForItem(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if item.Service != client.Names()[0] || item.Path != "/custom/item" {
		t.Errorf("item = %s %s, want %s /custom/item", item.Service, item.Path, client.Names()[0])
	}

	// Closing the connection unregisters the item.
	client.Close()
	if err := watcher.WaitForNoItems(ctx); err != nil {
		t.Error(err)
	}
}

func TestWatcherUnknownName(t *testing.T) {
	bus := StartBus(t)
	watcher := StartWatcher(t, bus)
	conn := bus.Connect(t)

	err := conn.Object(watcherName, watcherPath).CallWithContext(waitContext(t), watcherIface+".RegisterStatusNotifierItem", 0, "org.example.Nobody").Err
	if err == nil {
		t.Error("registering an unowned name succeeded, want an error")
	}
	if items := watcher.Items(); len(items) != 0 {
		t.Errorf("items = %v, want none", items)
	}
}

func TestNotificationsHang(t *testing.T) {
	bus := StartBus(t)
	notifications := StartNotifications(t, bus)
	conn := bus.Connect(t)
	obj := conn.Object(notificationsName, notificationsPath)

	notify := func(ctx context.Context, summary string) *dbus.Call {
		return obj.CallWithContext(ctx, notificationsIface+".Notify", 0,
			"test", uint32(0), "", summary, "body", []string{}, map[string]dbus.Variant{}, int32(-1))
	}

	notifications.SetHang(true)
	heldCall := obj.Go(notificationsIface+".Notify", 0, make(chan *dbus.Call, 1),
		"test", uint32(0), "", "held", "body", []string{}, map[string]dbus.Variant{}, int32(-1))

	ctx := waitContext(t)
	if _, err := notifications.WaitFor(ctx, func(n Notification) bool { return n.Summary == "held" }); err != nil {
		t.Fatal(err)
	}
	select {
	case <-heldCall.Done:
		t.Fatalf("held Notify call returned (err %v) while the server hangs", heldCall.Err)
	default:
	}

	notifications.SetHang(false)
	select {
	case call := <-heldCall.Done:
		var id uint32
		if err := call.Store(&id); err != nil || id == 0 {
			t.Errorf("held Notify call: id %d, err %v; want a non-zero id", id, err)
		}
	case <-ctx.Done():
		t.Fatal("held Notify call got no reply after SetHang(false)")
	}

	var id uint32
	if err := notify(ctx, "second").Store(&id); err != nil {
		t.Fatal(err)
	}
	if id != 2 {
		t.Errorf("second notification id = %d, want 2", id)
	}
	if received := notifications.Received(); len(received) != 2 {
		t.Errorf("received %d notifications, want 2", len(received))
	}

	var capabilities []string
	if err := obj.CallWithContext(ctx, notificationsIface+".GetCapabilities", 0).Store(&capabilities); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(capabilities, []string{"body"}) {
		t.Errorf("capabilities = %q, want [body]", capabilities)
	}
}

func TestKeyringRoundTrip(t *testing.T) {
	bus := StartBus(t)
	StartKeyring(t, bus)

	// go-keyring uses dbus.SessionBus, which connects to this address.
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", bus.Address)

	const service, user = "zoom-presence-test", "me"
	if err := keyring.Set(service, user, "value-1"); err != nil {
		t.Fatalf("Set: %v", err)
	}
	got, err := keyring.Get(service, user)
	if err != nil {
		t.Fatalf("Get: %v", err)
	}
	if got != "value-1" {
		t.Errorf("Get = %q, want value-1", got)
	}

	if err := keyring.Delete(service, user); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	if _, err := keyring.Get(service, user); !errors.Is(err, keyring.ErrNotFound) {
		t.Errorf("Get after Delete: err = %v, want %v", err, keyring.ErrNotFound)
	}
}

func TestKeyringStopped(t *testing.T) {
	bus := StartBus(t)
	keyringDaemon := StartKeyring(t, bus)
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", bus.Address)

	if err := keyringDaemon.Stop(); err != nil {
		t.Errorf("Stop: %v", err)
	}

	// The bus drops the daemon's names when it notices the closed
	// socket, which can come a moment after the process has exited.
	conn := bus.Connect(t)
	ctx := waitContext(t)
	for {
		var hasOwner bool
		if err := conn.BusObject().CallWithContext(ctx, "org.freedesktop.DBus.NameHasOwner", 0, secretsName).Store(&hasOwner); err != nil {
			t.Fatal(err)
		}
		if !hasOwner {
			break
		}
		time.Sleep(namePollInterval)
	}

	_, err := keyring.Get("zoom-presence-test", "me")
	if err == nil || errors.Is(err, keyring.ErrNotFound) {
		t.Errorf("Get with no Secret Service: err = %v, want a failure other than ErrNotFound", err)
	}
	t.Logf("Get with no Secret Service: %v", err)
}

func TestKeyringLocked(t *testing.T) {
	bus := StartBus(t)
	keyringDaemon := StartKeyring(t, bus)
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", bus.Address)

	const service, user = "zoom-presence-test", "me"
	if err := keyring.Set(service, user, "value-1"); err != nil {
		t.Fatalf("Set: %v", err)
	}
	if err := keyringDaemon.Lock(waitContext(t)); err != nil {
		t.Fatal(err)
	}

	// With no prompter on the bus, unlocking fails instead of waiting
	// for a user.
	done := make(chan error, 1)
	go func() {
		_, err := keyring.Get(service, user)
		done <- err
	}()
	select {
	case err := <-done:
		if err == nil {
			t.Error("Get from a locked keyring succeeded, want an error")
		}
		t.Logf("Get from a locked keyring: %v", err)
	case <-time.After(waitTimeout):
		t.Fatal("Get from a locked keyring did not return")
	}
}

func TestOpenerFollowsRedirects(t *testing.T) {
	dir := InstallOpener(t)
	logPath := filepath.Join(t.TempDir(), "opener.log")

	var callbacks atomic.Int32
	mux := http.NewServeMux()
	mux.HandleFunc("/authorize", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/callback?code=secret-code&state=abc", http.StatusFound)
	})
	mux.HandleFunc("/callback", func(w http.ResponseWriter, r *http.Request) {
		callbacks.Add(1)
		w.Write([]byte("signed in"))
	})
	server := httptest.NewServer(mux)
	defer server.Close()

	t.Setenv("PATH", dir+string(os.PathListSeparator)+os.Getenv("PATH"))
	t.Setenv(OpenerLogEnv, logPath)
	if err := browser.OpenURL(server.URL + "/authorize?state=abc"); err != nil {
		t.Fatalf("browser.OpenURL: %v", err)
	}
	if n := callbacks.Load(); n != 1 {
		t.Errorf("callback requests = %d, want 1", n)
	}

	events, err := ReadOpenerLog(logPath)
	if err != nil {
		t.Fatal(err)
	}
	var msgs []string
	for _, event := range events {
		msgs = append(msgs, event.Msg)
	}
	if want := []string{"open", "redirect", "response"}; !slices.Equal(msgs, want) {
		t.Fatalf("opener log messages = %q, want %q", msgs, want)
	}
	if events[1].Status != http.StatusFound {
		t.Errorf("redirect status = %d, want 302", events[1].Status)
	}
	if final := events[2]; final.Status != http.StatusOK || !strings.HasPrefix(final.URL, server.URL+"/callback?") {
		t.Errorf("final response: %d %s, want 200 %s/callback?...", final.Status, final.URL, server.URL)
	}

	data, err := os.ReadFile(logPath)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(data), "secret-code") {
		t.Errorf("opener log contains the authorization code:\n%s", data)
	}
	if !strings.Contains(string(data), "state=abc") {
		t.Errorf("opener log lacks the state parameter:\n%s", data)
	}
}

func TestOpenerRejects(t *testing.T) {
	dir := InstallOpener(t)

	var requests atomic.Int32
	mux := http.NewServeMux()
	mux.HandleFunc("/away", func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		// 192.0.2.0/24 is reserved for documentation and never routed.
		http.Redirect(w, r, "http://192.0.2.1/", http.StatusFound)
	})
	mux.HandleFunc("/missing", func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		http.NotFound(w, r)
	})
	server := httptest.NewServer(mux)
	defer server.Close()

	tests := []struct {
		name     string
		url      string
		wantExit int
	}{
		{"remote host", "http://192.0.2.1/", 2},
		{"remote name", "https://example.invalid/", 2},
		{"file scheme", "file:///etc/passwd", 2},
		{"remote redirect", server.URL + "/away", 2},
		{"not found", server.URL + "/missing", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			logPath := filepath.Join(t.TempDir(), "opener.log")
			for _, name := range openerNames {
				cmd := exec.Command(filepath.Join(dir, name), tt.url)
				cmd.Env = append(os.Environ(), OpenerLogEnv+"="+logPath)
				output, err := cmd.CombinedOutput()

				var exitErr *exec.ExitError
				if !errors.As(err, &exitErr) || exitErr.ExitCode() != tt.wantExit {
					t.Errorf("%s %s: %v, want exit status %d; output:\n%s", name, tt.url, err, tt.wantExit, output)
				}
			}

			events, err := ReadOpenerLog(logPath)
			if err != nil {
				t.Fatal(err)
			}
			if len(events) == 0 || !slices.ContainsFunc(events, func(e OpenerEvent) bool { return e.Msg == "rejected" || e.Msg == "failed" || e.Msg == "response" }) {
				t.Errorf("opener log has no outcome: %+v", events)
			}
		})
	}

	if n := requests.Load(); n != int32(2*len(openerNames)) {
		t.Errorf("server requests = %d, want %d", n, 2*len(openerNames))
	}
}

func TestMenuDefaults(t *testing.T) {
	value := []any{
		int32(0),
		map[string]dbus.Variant{"children-display": dbus.MakeVariant("submenu")},
		[]dbus.Variant{
			dbus.MakeVariant([]any{int32(1), map[string]dbus.Variant{"label": dbus.MakeVariant("Plain")}, []dbus.Variant{}}),
			dbus.MakeVariant([]any{int32(2), map[string]dbus.Variant{
				"label":        dbus.MakeVariant("Off"),
				"enabled":      dbus.MakeVariant(false),
				"visible":      dbus.MakeVariant(false),
				"toggle-type":  dbus.MakeVariant("checkmark"),
				"toggle-state": dbus.MakeVariant(int32(1)),
			}, []dbus.Variant{}}),
			dbus.MakeVariant([]any{int32(3), map[string]dbus.Variant{"type": dbus.MakeVariant("separator")}, []dbus.Variant{}}),
		},
	}

	root, err := parseMenuNode(value)
	if err != nil {
		t.Fatal(err)
	}
	if len(root.Children) != 3 {
		t.Fatalf("root has %d children, want 3", len(root.Children))
	}

	plain := root.Children[0]
	if plain.Label != "Plain" || plain.Type != "standard" || !plain.Enabled || !plain.Visible || plain.ToggleType != "" || plain.ToggleState != -1 {
		t.Errorf("item without properties = %+v, want label Plain, type standard, enabled, visible, no toggle, state -1", plain)
	}

	off := root.Children[1]
	if off.Enabled || off.Visible || off.ToggleType != "checkmark" || !off.Checked() {
		t.Errorf("item with properties = %+v, want disabled, hidden, checked checkmark", off)
	}

	if separator := root.Children[2]; separator.Type != "separator" {
		t.Errorf("separator type = %q", separator.Type)
	}

	if _, err := parseMenuNode([]any{int32(1), "wrong", []dbus.Variant{}}); err == nil {
		t.Error("parsing a malformed node succeeded, want an error")
	}
	if _, err := parseMenuNode([]any{int32(1), map[string]dbus.Variant{"enabled": dbus.MakeVariant("yes")}, []dbus.Variant{}}); err == nil {
		t.Error("parsing enabled of type s succeeded, want an error")
	}
}

// requireChildEnv makes TestRequire act as the child test binary that
// checks the failing path.
const requireChildEnv = "DESKTOPTEST_REQUIRE_CHILD"

func TestRequire(t *testing.T) {
	if os.Getenv(requireChildEnv) == "1" {
		Require(t, "desktoptest-no-such-tool")
		t.Log("Require returned for a missing tool")
		return
	}

	t.Run("skip", func(t *testing.T) {
		t.Setenv(E2EEnv, "")
		var skipped bool
		t.Run("missing", func(t *testing.T) {
			defer func() { skipped = t.Skipped() }()
			Require(t, "desktoptest-no-such-tool")
		})
		if !skipped {
			t.Error("Require did not skip for a missing tool")
		}
	})

	t.Run("fail", func(t *testing.T) {
		cmd := exec.Command(os.Args[0], "-test.run=^TestRequire$", "-test.v")
		cmd.Env = append(os.Environ(), requireChildEnv+"=1", E2EEnv+"=1")
		output, err := cmd.CombinedOutput()

		var exitErr *exec.ExitError
		if !errors.As(err, &exitErr) {
			t.Fatalf("child test: %v, want a failure exit; output:\n%s", err, output)
		}
		if !strings.Contains(string(output), "desktoptest-no-such-tool not found") {
			t.Errorf("child test output lacks the missing tool:\n%s", output)
		}
		if strings.Contains(string(output), "Require returned") {
			t.Errorf("Require returned instead of failing:\n%s", output)
		}
	})
}
