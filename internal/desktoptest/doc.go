// Package desktoptest provides helpers for end-to-end tests that drive the
// real zoom-presence binary on a headless Linux machine.
//
// The helpers build a stand-in desktop session on a private D-Bus session
// bus: a tray host (org.kde.StatusNotifierWatcher), a notification server
// (org.freedesktop.Notifications), a real gnome-keyring Secret Service, a
// com.canonical.dbusmenu client that reads and clicks the tray menu, and a
// stand-in browser opener that follows a sign-in redirect chain on loopback
// only. Every process a helper starts is stopped by its PID in a test
// cleanup.
//
// The helpers are Linux-only. A test skips when a required tool such as
// dbus-daemon is missing, unless the environment variable named by
// [E2EEnv] is set to "1", in which case it fails.
package desktoptest
