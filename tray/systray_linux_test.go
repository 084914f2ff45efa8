//go:build !race

// fyne.io/systray v1.12.2 has a data race of its own: the first GetLayout
// starts a goroutine that bumps the menu revision 150 ms later under a
// different lock than GetLayout reads it with. The race detector reports
// it in every run that reads the menu, so these tests skip race builds.

package tray

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"

	"github.com/zoom-presence/zoom-presence/internal/desktoptest"
	"github.com/zoom-presence/zoom-presence/zoom"
)

// fyne.io/systray keeps its state in package variables and runs once per
// process, so each test below runs its tray in a child process: the test
// binary run again with trayChildEnv set to the test's name.
const trayChildEnv = "ZOOM_PRESENCE_TRAY_TEST_CHILD"

// runTrayChild runs the test named name in a child process with the given
// D-Bus session bus address, and fails t with the child's output if the
// child fails.
func runTrayChild(t *testing.T, name, busAddress string) string {
	t.Helper()

	// The deadline only stops a hung child from hanging the test run.
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()

	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^"+name+"$", "-test.v", "-test.count=1")
	cmd.Env = append(os.Environ(),
		trayChildEnv+"="+name,
		"DBUS_SESSION_BUS_ADDRESS="+busAddress,
	)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("child %s failed: %v\n%s", name, err, out)
	}
	return string(out)
}

func isTrayChild(name string) bool {
	return os.Getenv(trayChildEnv) == name
}

func TestTrayNoSessionBus(t *testing.T) {
	if isTrayChild(t.Name()) {
		runTrayWithoutBus(t)
		return
	}

	missing := "unix:path=" + filepath.Join(t.TempDir(), "no-bus")
	out := runTrayChild(t, t.Name(), missing)
	for _, want := range []string{"onExit called", "Run returned"} {
		if !strings.Contains(out, want) {
			t.Errorf("child output lacks %q:\n%s", want, out)
		}
	}
}

func runTrayWithoutBus(t *testing.T) {
	tr := New(slog.New(slog.NewTextHandler(os.Stderr, nil)))
	state := State{}

	tr.Run(func() {
		tr.Build(t.Context(), Menu(state))
		tr.Apply(Menu(state), Tooltip(state), Icon(state))
		tr.Quit()
	}, func() {
		fmt.Println("onExit called")
	})
	fmt.Println("Run returned")
}

func TestTrayOnBus(t *testing.T) {
	if isTrayChild(t.Name()) {
		runTrayOnBus(t)
		return
	}

	runTrayChild(t, t.Name(), desktoptest.StartBus(t).Address)
}

// runTrayOnBus runs the tray on the session bus and drives its menu over
// D-Bus from a second connection, as a tray host would.
func runTrayOnBus(t *testing.T) {
	ctx := t.Context()
	tr := New(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug})))
	state := State{SignedIn: true, Known: true, Presence: zoom.Presence{Status: zoom.StatusAvailable}}

	// GetLayout blocks until onReady returns, so the checks run in their
	// own goroutine.
	done := make(chan struct{})
	tr.Apply(Menu(state), Tooltip(state), Icon(state))
	tr.Run(func() {
		tr.Build(ctx, Menu(state))
		tr.Apply(Menu(state), Tooltip(state), Icon(state))
		go func() {
			defer close(done)
			defer tr.Quit()
			checkTrayOnBus(t, tr, state)
		}()
	}, nil)
	<-done
}

func checkTrayOnBus(t *testing.T, tr *Tray, state State) {
	host, err := dbus.Connect(os.Getenv("DBUS_SESSION_BUS_ADDRESS"))
	if err != nil {
		t.Errorf("connect to the bus: %v", err)
		return
	}
	defer host.Close()

	item := fmt.Sprintf("org.kde.StatusNotifierItem-%d-1", os.Getpid())
	if err := waitForBusName(host, item); err != nil {
		t.Error(err)
		return
	}

	signals := make(chan *dbus.Signal, 256)
	host.Signal(signals)
	if err := host.AddMatchSignal(dbus.WithMatchSender(item)); err != nil {
		t.Errorf("watch tray signals: %v", err)
		return
	}

	menu := host.Object(item, "/StatusNotifierItem/menu")
	layout, err := readMenuLayout(menu)
	if err != nil {
		t.Error(err)
		return
	}

	// The menu shows the model's labels in order, with one check mark.
	var shown []string
	for _, entry := range layout {
		if entry.visible {
			shown = append(shown, entry.label)
		}
	}
	want := visibleMenuLabels(Menu(state))
	if strings.Join(shown, "|") != strings.Join(want, "|") {
		t.Errorf("menu on the bus:\ngot  %q\nwant %q", shown, want)
	}
	for _, entry := range layout {
		if entry.checked != (entry.label == "Available") {
			t.Errorf("item %q checked = %v", entry.label, entry.checked)
		}
	}

	// A click on a disabled item sends nothing, so the first action is
	// the one from the enabled item clicked after it.
	if err := clickMenuItem(menu, layout, "Signed in"); err != nil {
		t.Error(err)
		return
	}
	if err := clickMenuItem(menu, layout, "Away"); err != nil {
		t.Error(err)
		return
	}
	wantAction := Action{Kind: ActionSetStatus, Update: zoom.Update{Status: zoom.StatusAway}}
	if got := <-tr.Actions(); got != wantAction {
		t.Errorf("action = %+v, want %+v", got, wantAction)
	}

	// fyne.io/systray sends no signals until it has exported everything,
	// which may be after the bus name appears. Change the tooltip until a
	// change shows up.
	synced := false
	for i := range 100 {
		title := fmt.Sprintf("sync %d", i)
		tr.Apply(Menu(state), title, Icon(state))
		if _, err := countUntilTooltip(signals, title, 50*time.Millisecond); err == nil {
			synced = true
			break
		}
	}
	if !synced {
		t.Error("tray sent no tooltip signal")
		return
	}

	// Applying a changed state sends updates, and applying it again sends
	// nothing. Each step ends with a tooltip change as a marker: signals
	// from one sender arrive in order, so every signal of the step has
	// arrived once the marker's has.
	state.Presence.Status = zoom.StatusAway
	tr.Apply(Menu(state), "marker 0", Icon(state))
	tr.Apply(Menu(state), "marker 1", Icon(state))
	n, err := countUntilTooltip(signals, "marker 1", time.Minute)
	if err != nil {
		t.Error(err)
		return
	}
	if n == 0 {
		t.Error("changing the status sent no menu or icon updates")
	}

	tr.Apply(Menu(state), "marker 1", Icon(state))
	tr.Apply(Menu(state), "marker 2", Icon(state))
	n, err = countUntilTooltip(signals, "marker 2", time.Minute)
	if err != nil {
		t.Error(err)
		return
	}
	if n != 0 {
		t.Errorf("applying an unchanged state sent %d menu or icon updates, want 0", n)
	}

	layout, err = readMenuLayout(menu)
	if err != nil {
		t.Error(err)
		return
	}
	for _, entry := range layout {
		if entry.checked != (entry.label == "Away") {
			t.Errorf("after Apply, item %q checked = %v", entry.label, entry.checked)
		}
	}
}

func waitForBusName(conn *dbus.Conn, name string) error {
	for range 500 {
		var owned bool
		err := conn.BusObject().Call("org.freedesktop.DBus.NameHasOwner", 0, name).Store(&owned)
		if err != nil {
			return fmt.Errorf("ask the bus for %s: %w", name, err)
		}
		if owned {
			return nil
		}
		time.Sleep(10 * time.Millisecond)
	}
	return fmt.Errorf("tray never took the name %s", name)
}

// countUntilTooltip returns the number of menu and icon signals before the
// tooltip property changes to title. It fails if that takes longer than
// wait.
func countUntilTooltip(signals <-chan *dbus.Signal, title string, wait time.Duration) (int, error) {
	timeout := time.After(wait)
	n := 0
	for {
		select {
		case sig := <-signals:
			switch {
			case tooltipTitle(sig) == title:
				return n, nil
			case sig.Name == "org.kde.StatusNotifierItem.NewIcon",
				strings.HasPrefix(sig.Name, "com.canonical.dbusmenu."):
				n++
			}
		case <-timeout:
			return n, fmt.Errorf("no tooltip %q within %v", title, wait)
		}
	}
}

// tooltipTitle returns the tooltip title that a PropertiesChanged signal
// sets, or "" for any other signal. The ToolTip property has the D-Bus
// type (sa(iiay)ss), with the title third.
func tooltipTitle(sig *dbus.Signal) string {
	if sig.Name != "org.freedesktop.DBus.Properties.PropertiesChanged" || len(sig.Body) < 2 {
		return ""
	}
	changed, ok := sig.Body[1].(map[string]dbus.Variant)
	if !ok {
		return ""
	}
	fields, ok := changed["ToolTip"].Value().([]any)
	if !ok || len(fields) != 4 {
		return ""
	}
	title, _ := fields[2].(string)
	return title
}

type menuLayoutEntry struct {
	id      int32
	label   string
	visible bool
	checked bool
}

// readMenuLayout returns the top-level menu entries, with "---" as the
// label of separators.
func readMenuLayout(menu dbus.BusObject) ([]menuLayoutEntry, error) {
	var (
		revision uint32
		root     struct {
			ID       int32
			Props    map[string]dbus.Variant
			Children []dbus.Variant
		}
	)
	call := menu.Call("com.canonical.dbusmenu.GetLayout", 0, int32(0), int32(-1), []string{})
	if err := call.Store(&revision, &root); err != nil {
		return nil, fmt.Errorf("get menu layout: %w", err)
	}

	var entries []menuLayoutEntry
	for _, child := range root.Children {
		fields, ok := child.Value().([]any)
		if !ok || len(fields) != 3 {
			return nil, fmt.Errorf("menu entry has type %s, want (ia{sv}av)", child.Signature())
		}
		entry := menuLayoutEntry{id: fields[0].(int32), visible: true}
		props := fields[1].(map[string]dbus.Variant)
		if v, ok := props["label"]; ok {
			entry.label = v.Value().(string)
		}
		if v, ok := props["type"]; ok && v.Value() == "separator" {
			entry.label = "---"
		}
		if v, ok := props["visible"]; ok {
			entry.visible = v.Value().(bool)
		}
		if v, ok := props["toggle-state"]; ok {
			entry.checked = v.Value().(int32) == 1
		}
		entries = append(entries, entry)
	}
	return entries, nil
}

func clickMenuItem(menu dbus.BusObject, layout []menuLayoutEntry, label string) error {
	for _, entry := range layout {
		if entry.label != label {
			continue
		}
		call := menu.Call("com.canonical.dbusmenu.Event", 0,
			entry.id, "clicked", dbus.MakeVariant(int32(0)), uint32(0))
		if call.Err != nil {
			return fmt.Errorf("click %q: %w", label, call.Err)
		}
		return nil
	}
	return fmt.Errorf("no menu item %q", label)
}
