package tray

import (
	"fmt"
	"os"
)

// autoStartName names the login entry: the desktop file, the Run key
// value, and the LaunchAgent's file.
const autoStartName = "zoom-presence"

// AutoStart is the per-user entry that starts the app when the user logs
// in: an XDG autostart desktop file on Linux and other Unix desktops, a
// LaunchAgent on macOS, and a value under the Run key of
// HKEY_CURRENT_USER on Windows.
//
// Its methods touch only the current user's files or registry. They are
// safe for concurrent use, and of concurrent SetEnabled calls the last
// one to finish wins.
type AutoStart struct {
	// Command is the program and arguments that the entry runs.
	Command []string
	// path is the entry's file on Linux and macOS. Windows does not use
	// it.
	path string
}

// NewAutoStart returns the AutoStart entry that runs the current
// executable with args. It fails when the executable or the user's
// configuration folder cannot be found.
func NewAutoStart(args []string) (*AutoStart, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, fmt.Errorf("find the executable: %w", err)
	}
	path, err := autoStartPath()
	if err != nil {
		return nil, err
	}
	return &AutoStart{Command: append([]string{exe}, args...), path: path}, nil
}

// SetEnabled creates the entry when enabled is true, replacing any
// entry of the same name, and removes it when enabled is false. Removing
// an entry that does not exist is not an error.
func (a *AutoStart) SetEnabled(enabled bool) error {
	if enabled {
		return a.enable()
	}
	return a.disable()
}
