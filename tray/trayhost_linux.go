package tray

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/godbus/dbus/v5"
)

// watcherName is the bus name of the StatusNotifierItem tray host that
// fyne.io/systray registers its icon with.
const watcherName = "org.kde.StatusNotifierWatcher"

// trayHostHint is the advice on getting a tray host on the common
// desktops that lack one.
const trayHostHint = "install or enable a tray host: on GNOME the AppIndicator extension " +
	"(gnome-shell-extension-appindicator), on XFCE the status tray plugin " +
	"(xfce4-sntray-plugin); KDE Plasma has one built in"

// CheckTrayHost connects to the D-Bus session bus and checks, on a
// goroutine, that a tray host owns org.kde.StatusNotifierWatcher on it.
//
// With no session bus it returns an error wrapping ErrNoSessionBus:
// fyne.io/systray would then run with no icon at all. It never starts a
// bus with dbus-launch, because no tray host would be on that bus. It
// blocks while it connects. The connection is the shared one of
// dbus.SessionBus, which fyne.io/systray v1.12.2 uses as well, so the
// check adds no connection of its own.
//
// With no tray host it logs one warning with a hint, and watches the bus
// until a host starts or ctx ends. fyne.io/systray v1.12.2 registers the
// icon with a host that starts later on its own, so the app keeps
// running.
func CheckTrayHost(ctx context.Context, log *slog.Logger) error {
	if err := findSessionBus(); err != nil {
		return err
	}
	conn, err := dbus.SessionBus()
	if err != nil {
		return fmt.Errorf("%w: %w", ErrNoSessionBus, err)
	}

	go watchTrayHost(ctx, log, conn)
	return nil
}

// findSessionBus reports ErrNoSessionBus when godbus would have to run
// dbus-launch to find a session bus: DBUS_SESSION_BUS_ADDRESS is unset
// and $XDG_RUNTIME_DIR/bus, where systemd puts the user's bus, is not a
// socket. godbus v5.2.4 looks in the same two places first.
func findSessionBus() error {
	if address := os.Getenv("DBUS_SESSION_BUS_ADDRESS"); address != "" && address != "autolaunch:" {
		return nil
	}

	runtimeDir := os.Getenv("XDG_RUNTIME_DIR")
	if runtimeDir == "" {
		return fmt.Errorf("%w: DBUS_SESSION_BUS_ADDRESS and XDG_RUNTIME_DIR are not set", ErrNoSessionBus)
	}
	path := filepath.Join(runtimeDir, "bus")
	info, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("%w: DBUS_SESSION_BUS_ADDRESS is not set and %s does not exist", ErrNoSessionBus, path)
	}
	if err != nil {
		return fmt.Errorf("%w: %w", ErrNoSessionBus, err)
	}
	if info.Mode().Type() != fs.ModeSocket {
		return fmt.Errorf("%w: %s is not a socket", ErrNoSessionBus, path)
	}
	return nil
}

// watchTrayHost looks for a tray host, warns when there is none, and
// then waits for one to start. It wakes only for the owner changes of
// org.kde.StatusNotifierWatcher.
func watchTrayHost(ctx context.Context, log *slog.Logger, conn *dbus.Conn) {
	// Subscribe before asking, so that a host starting in between is
	// not missed.
	signals := make(chan *dbus.Signal, 4)
	conn.Signal(signals)
	defer conn.RemoveSignal(signals)
	match := []dbus.MatchOption{
		dbus.WithMatchInterface("org.freedesktop.DBus"),
		dbus.WithMatchMember("NameOwnerChanged"),
		dbus.WithMatchArg(0, watcherName),
	}
	if err := conn.AddMatchSignal(match...); err != nil {
		log.Warn("tray host not checked: watching the session bus failed", "error", err)
		return
	}
	defer func() { _ = conn.RemoveMatchSignal(match...) }()

	var hasHost bool
	err := conn.BusObject().CallWithContext(ctx, "org.freedesktop.DBus.NameHasOwner", 0, watcherName).Store(&hasHost)
	if err != nil {
		log.Warn("tray host not checked: the session bus did not respond", "error", err)
		return
	}
	if hasHost {
		log.Debug("tray host found", "name", watcherName)
		return
	}
	log.Warn("no system tray host on the session bus; the icon appears once one starts: "+trayHostHint, "name", watcherName)

	for {
		select {
		case <-ctx.Done():
			return
		case signal, ok := <-signals:
			if !ok {
				return
			}
			// The shared connection delivers every signal it receives
			// to every channel.
			if signal.Name != "org.freedesktop.DBus.NameOwnerChanged" || len(signal.Body) != 3 ||
				signal.Body[0] != watcherName || signal.Body[2] == "" {
				continue
			}
			log.Info("tray host started; the icon shows now", "name", watcherName, "owner", signal.Body[2])
			registerItem(ctx, log, conn)
			return
		}
	}
}

// itemPath is the object path at which fyne.io/systray v1.12.2 serves
// the StatusNotifierItem.
const itemPath = "/StatusNotifierItem"

// registerItem registers the tray icon with a host that has just started.
// fyne.io/systray v1.12.2 registers on its own when it sees the host's
// name appear, but it subscribes to that signal only after its first
// attempt fails, so a host that starts in between never learns of the icon. A
// second registration of the same item is ignored by hosts.
func registerItem(ctx context.Context, log *slog.Logger, conn *dbus.Conn) {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()

	host := conn.Object(watcherName, "/StatusNotifierWatcher")
	call := host.CallWithContext(ctx, watcherName+".RegisterStatusNotifierItem", 0, itemPath)
	if call.Err != nil {
		log.Warn("registering the tray icon with the new tray host failed", "name", watcherName, "error", call.Err)
		return
	}
	log.Debug("tray icon registered with the new tray host", "name", watcherName)
}
