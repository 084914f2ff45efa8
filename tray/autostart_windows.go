package tray

import (
	"errors"
	"fmt"
	"strings"

	"golang.org/x/sys/windows"
	"golang.org/x/sys/windows/registry"
)

// runKey is the per-user key whose values Windows runs at login.
const runKey = `Software\Microsoft\Windows\CurrentVersion\Run`

// autoStartPath returns "": the entry is a registry value, not a file.
func autoStartPath() (string, error) {
	return "", nil
}

// Enabled reports whether the Run key has the app's value.
func (a *AutoStart) Enabled() (bool, error) {
	key, err := registry.OpenKey(registry.CURRENT_USER, runKey, registry.QUERY_VALUE)
	if errors.Is(err, registry.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("open HKEY_CURRENT_USER\\%s: %w", runKey, err)
	}
	defer key.Close()

	_, _, err = key.GetStringValue(autoStartName)
	if errors.Is(err, registry.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("read %s under HKEY_CURRENT_USER\\%s: %w", autoStartName, runKey, err)
	}
	return true, nil
}

func (a *AutoStart) enable() error {
	key, _, err := registry.CreateKey(registry.CURRENT_USER, runKey, registry.SET_VALUE)
	if err != nil {
		return fmt.Errorf("open HKEY_CURRENT_USER\\%s: %w", runKey, err)
	}
	defer key.Close()

	if err := key.SetStringValue(autoStartName, commandLine(a.Command)); err != nil {
		return fmt.Errorf("write %s under HKEY_CURRENT_USER\\%s: %w", autoStartName, runKey, err)
	}
	return nil
}

func (a *AutoStart) disable() error {
	key, err := registry.OpenKey(registry.CURRENT_USER, runKey, registry.SET_VALUE)
	if errors.Is(err, registry.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("open HKEY_CURRENT_USER\\%s: %w", runKey, err)
	}
	defer key.Close()

	err = key.DeleteValue(autoStartName)
	if err != nil && !errors.Is(err, registry.ErrNotExist) {
		return fmt.Errorf("delete %s under HKEY_CURRENT_USER\\%s: %w", autoStartName, runKey, err)
	}
	return nil
}

// commandLine joins command with the quoting that CommandLineToArgvW
// and the Go runtime undo.
func commandLine(command []string) string {
	quoted := make([]string, len(command))
	for i, arg := range command {
		quoted[i] = windows.EscapeArg(arg)
	}
	return strings.Join(quoted, " ")
}
