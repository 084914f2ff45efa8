package tray

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/godbus/dbus/v5"
)

// watcherName is the bus name of the StatusNotifierItem tray host that
// fyne.io/systray registers its icon with.
const watcherName = "org.kde.StatusNotifierWatcher"

// trayHostHint tells the user how to get a tray host on the common
// desktops that lack one.
const trayHostHint = "install or enable a tray host: on GNOME the AppIndicator extension " +
	"(gnome-shell-extension-appindicator), on XFCE the status tray plugin " +
	"(xfce4-sntray-plugin); KDE Plasma has one built in"

// CheckTrayHost checks that the D-Bus session bus is reachable and that
// a tray host owns org.kde.StatusNotifierWatcher on it. With no session
// bus it returns an error wrapping ErrNoSessionBus: fyne.io/systray would
// then run with no icon at all. It does not start a bus with dbus-launch,
// because no tray host would be on that bus.
//
// With no tray host it logs one warning with a hint, and watches the bus
// on a goroutine until a host starts or ctx ends. fyne.io/systray v1.12.2
// registers the icon with a host that starts later on its own, so the app
// keeps running. CheckTrayHost blocks only for the bus calls.
func CheckTrayHost(ctx context.Context, log *slog.Logger) error {
	conn, err := dbus.SessionBusPrivateNoAutoStartup()
	if err != nil {
		return fmt.Errorf("%w: %w", ErrNoSessionBus, err)
	}
	if err := conn.Auth(nil); err != nil {
		conn.Close()
		return fmt.Errorf("%w: authenticate: %w", ErrNoSessionBus, err)
	}
	if err := conn.Hello(); err != nil {
		conn.Close()
		return fmt.Errorf("%w: hello: %w", ErrNoSessionBus, err)
	}

	// Subscribe before asking, so that a host starting in between is
	// not missed.
	signals := make(chan *dbus.Signal, 4)
	conn.Signal(signals)
	err = conn.AddMatchSignal(
		dbus.WithMatchInterface("org.freedesktop.DBus"),
		dbus.WithMatchMember("NameOwnerChanged"),
		dbus.WithMatchArg(0, watcherName),
	)
	if err != nil {
		conn.Close()
		return fmt.Errorf("watch for a tray host on the session bus: %w", err)
	}

	var hasHost bool
	err = conn.BusObject().CallWithContext(ctx, "org.freedesktop.DBus.NameHasOwner", 0, watcherName).Store(&hasHost)
	if err != nil {
		conn.Close()
		return fmt.Errorf("look for a tray host on the session bus: %w", err)
	}
	if hasHost {
		conn.Close()
		log.Debug("tray host found", "name", watcherName)
		return nil
	}

	log.Warn("no system tray host on the session bus; the icon appears once one starts: "+trayHostHint, "name", watcherName)
	go waitForTrayHost(ctx, log, conn, signals)
	return nil
}

// waitForTrayHost logs when a tray host starts, then closes conn. It
// wakes only for the owner changes of org.kde.StatusNotifierWatcher.
func waitForTrayHost(ctx context.Context, log *slog.Logger, conn *dbus.Conn, signals <-chan *dbus.Signal) {
	defer conn.Close()

	for {
		select {
		case <-ctx.Done():
			return
		case signal, ok := <-signals:
			if !ok {
				return
			}
			if len(signal.Body) == 3 && signal.Body[2] != "" {
				log.Info("tray host started; the icon shows now", "name", watcherName, "owner", signal.Body[2])
				return
			}
		}
	}
}
