package main

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/zoom-presence/zoom-presence/internal/desktoptest"
)

// sandboxDesktop is a private session bus with a notification server,
// on which the binary runs with -sandbox, so that it needs no keyring and
// talks only to its own Zoom simulator on 127.0.0.1.
type sandboxDesktop struct {
	bus           *desktoptest.Bus
	notifications *desktoptest.Notifications
	binary        string
	env           []string
	configDir     string
}

func startSandboxDesktop(t *testing.T) *sandboxDesktop {
	t.Helper()
	desktoptest.Require(t, "dbus-daemon")

	d := &sandboxDesktop{}
	d.bus = desktoptest.StartBus(t)
	d.notifications = desktoptest.StartNotifications(t, d.bus)
	d.binary = desktoptest.Build(t, ".", "zoom-presence")
	d.configDir = t.TempDir()
	d.env = append(os.Environ(), d.bus.Env()...)
	d.env = append(d.env,
		"XDG_RUNTIME_DIR="+t.TempDir(),
		"XDG_CACHE_HOME="+t.TempDir(),
		"XDG_CONFIG_HOME="+d.configDir,
		"ZOOM_CLIENT_ID=", "ZOOM_CLIENT_SECRET=",
	)
	return d
}

func (d *sandboxDesktop) command(extraEnv ...string) *exec.Cmd {
	cmd := exec.Command(d.binary, "-sandbox", "-log-level", "debug")
	cmd.Env = append(append([]string{}, d.env...), extraEnv...)
	return cmd
}

func waitForItem(t *testing.T, watcher *desktoptest.Watcher, process *desktoptest.Process) desktoptest.Item {
	t.Helper()

	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	defer cancel()
	item, err := watcher.WaitForItem(ctx)
	if err != nil {
		t.Fatalf("tray item never registered: %v\n%s", err, process.Output())
	}
	return item
}

func TestAppSecondLaunch(t *testing.T) {
	d := startSandboxDesktop(t)
	watcher := desktoptest.StartWatcher(t, d.bus)
	first := desktoptest.StartProcess(t, d.command())
	waitForItem(t, watcher, first)

	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	defer cancel()
	second := exec.CommandContext(ctx, d.binary, "-sandbox")
	second.Env = d.env
	second.WaitDelay = 5 * time.Second
	out, err := second.CombinedOutput()
	if err != nil {
		t.Errorf("second launch: %v, want exit status 0\n%s", err, out)
	}
	if !strings.Contains(string(out), "zoom-presence is already running") {
		t.Errorf("second launch output lacks %q:\n%s", "zoom-presence is already running", out)
	}

	note, err := d.notifications.WaitFor(ctx, func(n desktoptest.Notification) bool {
		return n.Summary == "zoom-presence is already running"
	})
	if err != nil {
		t.Errorf("no notification from the second launch: %v", err)
	} else if note.AppName != "zoom-presence" {
		t.Errorf("notification app name = %q, want zoom-presence", note.AppName)
	}
	if items := watcher.Items(); len(items) != 1 {
		t.Errorf("%d tray items after the second launch, want 1: %v", len(items), items)
	}
	select {
	case <-first.Done():
		t.Errorf("first instance exited after the second launch:\n%s", first.Output())
	default:
	}
}

func TestAppStartsWithoutTrayHost(t *testing.T) {
	d := startSandboxDesktop(t)
	process := desktoptest.StartProcess(t, d.command())

	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	defer cancel()
	const hint = "no system tray host on the session bus"
	if err := process.WaitForOutput(ctx, hint); err != nil {
		t.Fatalf("no tray host warning: %v", err)
	}
	if err := process.WaitForOutput(ctx, "tray ready"); err != nil {
		t.Fatalf("app did not keep running without a tray host: %v", err)
	}

	// A panel that starts later gets the icon, with no restart.
	watcher := desktoptest.StartWatcher(t, d.bus)
	item := waitForItem(t, watcher, process)
	props, err := item.Properties(ctx)
	if err != nil {
		t.Fatalf("read the tray item's properties: %v", err)
	}
	if !props.HasIcon() {
		t.Errorf("tray item registered late has no icon")
	}
	if err := process.WaitForOutput(ctx, "tray host started"); err != nil {
		t.Errorf("app did not log the tray host's start: %v", err)
	}
	if n := strings.Count(process.Output(), hint); n != 1 {
		t.Errorf("tray host hint printed %d times, want once", n)
	}
	for _, tool := range []string{"gnome-shell-extension-appindicator", "xfce4-sntray-plugin"} {
		if !strings.Contains(process.Output(), tool) {
			t.Errorf("tray host hint does not name %s", tool)
		}
	}
}

func TestAppNoSessionBus(t *testing.T) {
	desktoptest.Require(t, "dbus-daemon")
	binary := desktoptest.Build(t, ".", "zoom-presence")

	cases := map[string]string{
		// godbus falls back to $XDG_RUNTIME_DIR/bus, which is missing in
		// this empty folder, and must not run dbus-launch.
		"unset":  "DBUS_SESSION_BUS_ADDRESS=",
		"absent": "DBUS_SESSION_BUS_ADDRESS=unix:path=" + filepath.Join(t.TempDir(), "no-bus"),
	}
	for name, busEnv := range cases {
		t.Run(name, func(t *testing.T) {
			// Before the check, the app ran with no icon until stopped.
			ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
			defer cancel()
			cmd := exec.CommandContext(ctx, binary, "-sandbox")
			cmd.Env = append(os.Environ(),
				busEnv,
				"XDG_RUNTIME_DIR="+t.TempDir(),
				"XDG_CACHE_HOME="+t.TempDir(),
				"XDG_CONFIG_HOME="+t.TempDir(),
				"DISPLAY=",
			)
			cmd.WaitDelay = 5 * time.Second
			out, err := cmd.CombinedOutput()

			var exitErr *exec.ExitError
			if !errors.As(err, &exitErr) || exitErr.ExitCode() != 1 {
				t.Errorf("exit: %v, want exit status 1\n%s", err, out)
			}
			if !strings.Contains(string(out), "no D-Bus session bus") {
				t.Errorf("output lacks %q:\n%s", "no D-Bus session bus", out)
			}
			if strings.Contains(string(out), "panic") {
				t.Errorf("output shows a panic:\n%s", out)
			}
		})
	}
}

func TestAppStartAtLogin(t *testing.T) {
	d := startSandboxDesktop(t)
	watcher := desktoptest.StartWatcher(t, d.bus)
	process := desktoptest.StartProcess(t, d.command())
	item := waitForItem(t, watcher, process)
	entry := filepath.Join(d.configDir, "autostart", "zoom-presence.desktop")

	click(t, item, "Start at login")
	waitForMenu(t, item, "Start at login checked", func(root desktoptest.MenuNode) bool {
		node, ok := root.FindByLabel("Start at login")
		return ok && node.Checked()
	})
	data, err := os.ReadFile(entry)
	if err != nil {
		t.Fatalf("autostart entry not written: %v", err)
	}
	if want := "Exec=" + d.binary + " -sandbox -log-level debug\n"; !strings.Contains(string(data), want) {
		t.Errorf("autostart entry lacks %q:\n%s", want, data)
	}

	click(t, item, "Start at login")
	waitForMenu(t, item, "Start at login unchecked", func(root desktoptest.MenuNode) bool {
		node, ok := root.FindByLabel("Start at login")
		return ok && !node.Checked()
	})
	if _, err := os.Stat(entry); !os.IsNotExist(err) {
		t.Errorf("autostart entry still there after unchecking: %v", err)
	}
}

// TestAppHungNotifications makes a notification fail while the
// notification server hangs: the menu must keep working, and the message
// must show in the tooltip once the send times out.
func TestAppHungNotifications(t *testing.T) {
	d := startSandboxDesktop(t)
	watcher := desktoptest.StartWatcher(t, d.bus)
	d.notifications.SetHang(true)

	// A file where the configuration folder should be makes writing the
	// autostart entry fail, which the app reports in a notification.
	notDir := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(notDir, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	process := desktoptest.StartProcess(t, d.command("XDG_CONFIG_HOME="+notDir))
	item := waitForItem(t, watcher, process)

	click(t, item, "Start at login")
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	defer cancel()
	if _, err := d.notifications.WaitFor(ctx, func(n desktoptest.Notification) bool {
		return n.Summary == "Start at login not changed"
	}); err != nil {
		t.Fatalf("no notification sent: %v", err)
	}

	// The menu responds and takes clicks while the Notify call hangs.
	click(t, item, "Start at login")
	root, err := item.Layout(ctx)
	if err != nil {
		t.Fatalf("menu did not respond while the notification server hangs: %v", err)
	}
	if node, ok := root.FindByLabel("Start at login"); !ok || node.Checked() {
		t.Errorf("Start at login item = %+v, want it unchecked because the entry was not written", node)
	}

	deadline := time.Now().Add(20 * time.Second)
	var tooltip string
	for time.Now().Before(deadline) {
		props, err := item.Properties(ctx)
		if err != nil {
			t.Fatalf("read the tray item's properties: %v", err)
		}
		tooltip = props.ToolTipTitle + props.ToolTipBody
		if strings.Contains(tooltip, "Start at login not changed") {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if !strings.Contains(tooltip, "Start at login not changed") {
		t.Errorf("tooltip = %q, want the notification that timed out", tooltip)
	}
	if !strings.Contains(process.Output(), "desktop notification timed out") {
		t.Errorf("app did not log the notification timeout")
	}
}
