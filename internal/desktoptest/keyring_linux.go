package desktoptest

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/godbus/dbus/v5"
)

const (
	secretsName           = "org.freedesktop.secrets"
	secretsPath           = dbus.ObjectPath("/org/freedesktop/secrets")
	secretsIface          = "org.freedesktop.Secret.Service"
	defaultAlias          = "default"
	noObject              = dbus.ObjectPath("/") // the Secret Service's "no object" path
	keyringUnlockPassword = "desktoptest"
)

// Keyring is a real gnome-keyring-daemon that serves the Secret Service
// API (org.freedesktop.secrets) on a [Bus], with a login keyring that is
// created and unlocked at start. Its HOME and XDG_RUNTIME_DIR are
// temporary directories, so it never reads the user's keyrings. Its
// methods are safe for concurrent use.
type Keyring struct {
	// Home is the daemon's HOME. The keyring files are in
	// Home/.local/share/keyrings.
	Home string

	// RuntimeDir is the daemon's XDG_RUNTIME_DIR, which holds its
	// control socket.
	RuntimeDir string

	bus  *Bus
	proc *Process
}

// StartKeyring starts gnome-keyring-daemon with only its secrets
// component on bus, unlocks the login keyring with a fixed password read
// from standard input, and blocks until org.freedesktop.secrets has an
// owner. It registers a cleanup that stops the daemon by its PID.
//
// StartKeyring skips the test when gnome-keyring-daemon is not
// installed, or fails it when [Required] reports true.
func StartKeyring(t testing.TB, bus *Bus) *Keyring {
	t.Helper()

	daemon := lookTool(t, "gnome-keyring-daemon")

	k := &Keyring{
		Home:       t.TempDir(),
		RuntimeDir: socketDir(t),
		bus:        bus,
	}

	// --foreground keeps the daemon in the process started here, so the
	// cleanup can stop it by PID. Its environment is built from scratch:
	// without DISPLAY and WAYLAND_DISPLAY it cannot show an unlock
	// prompt on the developer's desktop.
	cmd := exec.Command(daemon, "--foreground", "--unlock", "--components=secrets")
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH")}, k.Env()...)
	cmd.Stdin = strings.NewReader(keyringUnlockPassword)
	k.proc = StartProcess(t, cmd)

	ctx, cancel := context.WithTimeout(t.Context(), startTimeout)
	defer cancel()
	owner, err := bus.waitForName(ctx, secretsName, k.proc.Done())
	if err != nil {
		t.Fatalf("desktoptest: start gnome-keyring-daemon: %v; output:\n%s", err, k.proc.Output())
	}

	t.Logf("desktoptest: gnome-keyring-daemon (pid %d) owns %s as %s", k.proc.PID(), secretsName, owner)
	return k
}

// PID returns the process ID of the gnome-keyring-daemon.
func (k *Keyring) PID() int {
	return k.proc.PID()
}

// Stop stops the gnome-keyring-daemon by its PID before the test ends,
// to test a program whose Secret Service goes away. It blocks until the
// daemon has exited.
func (k *Keyring) Stop() error {
	return k.proc.Stop()
}

// Env returns the environment variables that point a process at this
// keyring, in the form "KEY=value": DBUS_SESSION_BUS_ADDRESS, HOME and
// XDG_RUNTIME_DIR. A program that uses github.com/zalando/go-keyring
// needs only DBUS_SESSION_BUS_ADDRESS; HOME and XDG_RUNTIME_DIR keep any
// other keyring client away from the user's files.
func (k *Keyring) Env() []string {
	return append(k.bus.Env(),
		"HOME="+k.Home,
		"XDG_RUNTIME_DIR="+k.RuntimeDir,
	)
}

// Lock locks the collection behind the "default" alias, which
// go-keyring uses. Afterwards a Secret Service client has to unlock it
// through a prompt. The private bus has no prompter to start, so such a
// request fails instead of showing a dialog.
func (k *Keyring) Lock(ctx context.Context) error {
	conn, err := k.bus.dial()
	if err != nil {
		return err
	}
	defer conn.Close()

	service := conn.Object(secretsName, secretsPath)

	var collection dbus.ObjectPath
	if err := service.CallWithContext(ctx, secretsIface+".ReadAlias", 0, defaultAlias).Store(&collection); err != nil {
		return fmt.Errorf("lock keyring: read alias %q: %w", defaultAlias, err)
	}
	if collection == noObject {
		return fmt.Errorf("lock keyring: alias %q names no collection", defaultAlias)
	}

	var locked []dbus.ObjectPath
	var prompt dbus.ObjectPath
	if err := service.CallWithContext(ctx, secretsIface+".Lock", 0, []dbus.ObjectPath{collection}).Store(&locked, &prompt); err != nil {
		return fmt.Errorf("lock keyring collection %s: %w", collection, err)
	}
	if prompt != noObject {
		return fmt.Errorf("lock keyring collection %s: the daemon asked for prompt %s, which this helper cannot answer", collection, prompt)
	}
	return nil
}
