package desktoptest

import (
	"bufio"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"
)

// maxSocketPath is the longest path a Linux unix socket address accepts:
// sun_path holds 108 bytes including the terminating NUL.
const maxSocketPath = 107

// namePollInterval is how often WaitForName queries the bus for a name
// owner.
const namePollInterval = 20 * time.Millisecond

// Bus is a private D-Bus session bus run by a dbus-daemon that
// [StartBus] started. Its methods are safe for concurrent use.
type Bus struct {
	// Address is the bus address, as in DBUS_SESSION_BUS_ADDRESS.
	Address string

	proc *Process
}

// StartBus starts a private session bus that listens on a unix socket in
// a temporary directory. The bus configuration lists no service
// directories, so the bus never starts an installed service on demand:
// every service a test needs must be started by the test. StartBus blocks
// until the bus prints its address, and registers a cleanup that stops
// the dbus-daemon by its PID and waits for it to exit.
//
// StartBus skips the test when dbus-daemon is not installed, or fails it
// when [Required] reports true.
func StartBus(t testing.TB) *Bus {
	t.Helper()

	daemon := lookTool(t, "dbus-daemon")

	dir := socketDir(t)
	socket := filepath.Join(dir, "bus")
	config := filepath.Join(dir, "session.conf")
	if err := os.WriteFile(config, []byte(busConfig(socket)), 0o600); err != nil {
		t.Fatalf("desktoptest: write dbus-daemon config: %v", err)
	}

	// The daemon writes its address to stdout once it listens, and
	// nothing else, so one line read from the pipe is the address.
	reader, writer, err := os.Pipe()
	if err != nil {
		t.Fatalf("desktoptest: create pipe for dbus-daemon address: %v", err)
	}
	defer reader.Close()

	cmd := exec.Command(daemon, "--config-file="+config, "--nofork", "--nopidfile", "--nosyslog", "--print-address=1")
	cmd.Stdout = writer
	proc := StartProcess(t, cmd)
	writer.Close()

	line, err := bufio.NewReader(reader).ReadString('\n')
	address := strings.TrimSpace(line)
	if address == "" {
		// Give the daemon's error output a chance to arrive.
		_ = proc.Wait(context.Background())
		t.Fatalf("desktoptest: dbus-daemon printed no bus address (%v); output:\n%s", err, proc.Output())
	}

	t.Logf("desktoptest: session bus at %s (dbus-daemon pid %d)", address, proc.PID())
	return &Bus{Address: address, proc: proc}
}

// socketDir returns a temporary directory that is short enough to hold a
// unix socket. t.TempDir contains the test name, which can make it too
// long, so a shorter directory in os.TempDir is used in that case.
func socketDir(t testing.TB) string {
	t.Helper()

	// Of the sockets placed in the directory, gnome-keyring's
	// "keyring/control" has the longest name.
	const longestName = len("/keyring/control")

	dir := t.TempDir()
	if len(dir)+longestName <= maxSocketPath {
		return dir
	}

	dir, err := os.MkdirTemp("", "dt")
	if err != nil {
		t.Fatalf("desktoptest: create socket directory: %v", err)
	}
	t.Cleanup(func() {
		if err := os.RemoveAll(dir); err != nil {
			t.Errorf("desktoptest: remove socket directory: %v", err)
		}
	})
	if len(dir)+longestName > maxSocketPath {
		t.Fatalf("desktoptest: temporary directory %s is too long for a unix socket path; set TMPDIR to a shorter directory", dir)
	}
	return dir
}

// busConfig returns a dbus-daemon configuration for a session bus on the
// unix socket at path. Unlike the stock session.conf it has no
// <standard_session_servicedirs/>, so nothing is started on demand.
func busConfig(path string) string {
	var escaped strings.Builder
	_ = xml.EscapeText(&escaped, []byte(path))

	return `<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:path=` + escaped.String() + `</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
`
}

// PID returns the process ID of the bus's dbus-daemon.
func (b *Bus) PID() int {
	return b.proc.PID()
}

// Stop stops the bus's dbus-daemon by its PID before the test ends, to
// test a program whose session bus goes away. It blocks until the daemon
// has exited.
func (b *Bus) Stop() error {
	return b.proc.Stop()
}

// Env returns the environment variables that point a process at the bus,
// in the form "KEY=value", for use in [exec.Cmd.Env]. Setting
// DBUS_SESSION_BUS_ADDRESS explicitly also keeps godbus from running
// dbus-launch, which would leave a stray bus behind.
func (b *Bus) Env() []string {
	return []string{"DBUS_SESSION_BUS_ADDRESS=" + b.Address}
}

// Connect opens a new connection to the bus and registers a cleanup that
// closes it. The connection is private: closing it does not affect
// dbus.SessionBus.
func (b *Bus) Connect(t testing.TB) *dbus.Conn {
	t.Helper()

	conn, err := b.dial()
	if err != nil {
		t.Fatalf("desktoptest: %v", err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn
}

func (b *Bus) dial() (*dbus.Conn, error) {
	conn, err := dbus.Connect(b.Address)
	if err != nil {
		return nil, fmt.Errorf("connect to session bus %s: %w", b.Address, err)
	}
	return conn, nil
}

// WaitForName blocks until name has an owner on the bus or ctx is done,
// and returns the owner's unique name.
func (b *Bus) WaitForName(ctx context.Context, name string) (string, error) {
	return b.waitForName(ctx, name, nil)
}

// waitForName polls for an owner of name. It gives up early when exited
// is closed, which lets a Start helper notice that its daemon died.
func (b *Bus) waitForName(ctx context.Context, name string, exited <-chan struct{}) (string, error) {
	conn, err := b.dial()
	if err != nil {
		return "", err
	}
	defer conn.Close()

	ticker := time.NewTicker(namePollInterval)
	defer ticker.Stop()

	for {
		var owner string
		err := conn.BusObject().CallWithContext(ctx, "org.freedesktop.DBus.GetNameOwner", 0, name).Store(&owner)
		if err == nil {
			return owner, nil
		}

		var dbusErr dbus.Error
		if !errors.As(err, &dbusErr) || dbusErr.Name != "org.freedesktop.DBus.Error.NameHasNoOwner" {
			return "", fmt.Errorf("get owner of %s: %w", name, err)
		}

		select {
		case <-ticker.C:
		case <-exited:
			return "", fmt.Errorf("wait for %s on the bus: the process that should own it has exited", name)
		case <-ctx.Done():
			return "", fmt.Errorf("wait for %s on the bus: %w", name, ctx.Err())
		}
	}
}
