//go:build !windows && !darwin

package tray

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// autoStartPath returns the desktop file in the XDG autostart folder,
// $XDG_CONFIG_HOME/autostart, or ~/.config/autostart when
// XDG_CONFIG_HOME is unset.
func autoStartPath() (string, error) {
	dir, err := os.UserConfigDir()
	if err != nil {
		return "", fmt.Errorf("find the configuration folder: %w", err)
	}
	return filepath.Join(dir, "autostart", autoStartName+".desktop"), nil
}

// Enabled reports whether the desktop file exists. A file that a desktop
// has turned off with Hidden=true still counts as enabled, because the
// app's own file never has that key.
func (a *AutoStart) Enabled() (bool, error) {
	_, err := os.Stat(a.path)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("check the autostart entry %s: %w", a.path, err)
	}
	return true, nil
}

func (a *AutoStart) enable() error {
	if err := os.MkdirAll(filepath.Dir(a.path), 0o755); err != nil {
		return fmt.Errorf("create the autostart folder: %w", err)
	}

	// Write to a temporary file first, so that a desktop reading the
	// folder at login never reads half a file.
	tmp, err := os.CreateTemp(filepath.Dir(a.path), "."+autoStartName+"-*.desktop")
	if err != nil {
		return fmt.Errorf("create the autostart entry: %w", err)
	}
	defer os.Remove(tmp.Name())

	if _, err := tmp.WriteString(desktopEntry(a.Command)); err != nil {
		tmp.Close()
		return fmt.Errorf("write the autostart entry %s: %w", tmp.Name(), err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write the autostart entry %s: %w", tmp.Name(), err)
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return fmt.Errorf("set the mode of the autostart entry: %w", err)
	}
	if err := os.Rename(tmp.Name(), a.path); err != nil {
		return fmt.Errorf("save the autostart entry %s: %w", a.path, err)
	}
	return nil
}

func (a *AutoStart) disable() error {
	err := os.Remove(a.path)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("remove the autostart entry %s: %w", a.path, err)
	}
	return nil
}

// desktopEntry returns an XDG desktop file that runs command.
func desktopEntry(command []string) string {
	quoted := make([]string, len(command))
	for i, arg := range command {
		quoted[i] = quoteExecArg(arg)
	}
	return "[Desktop Entry]\n" +
		"Type=Application\n" +
		"Name=Zoom Presence\n" +
		"Comment=Set your Zoom status from the tray\n" +
		"Exec=" + strings.Join(quoted, " ") + "\n" +
		"Icon=zoom-presence\n" +
		"Terminal=false\n" +
		"X-GNOME-Autostart-enabled=true\n"
}

// quoteExecArg quotes arg for the Exec key of a desktop file. The Desktop
// Entry Specification 1.5 wants arguments with reserved characters in
// double quotes, with ", `, $ and \ escaped by a backslash, and % written
// as %%. The string value's own escape rule then doubles each backslash.
func quoteExecArg(arg string) string {
	arg = strings.ReplaceAll(arg, "%", "%%")
	if arg != "" && !strings.ContainsAny(arg, " \t\n\"'\\><~|&;$*?#()`=") {
		return arg
	}

	var b strings.Builder
	b.WriteByte('"')
	for _, r := range arg {
		if strings.ContainsRune("\"`$\\", r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	b.WriteByte('"')

	// The string escape rule applies to the quoted argument as a whole,
	// and a value cannot hold a raw newline.
	escaped := strings.ReplaceAll(b.String(), `\`, `\\`)
	return strings.ReplaceAll(escaped, "\n", `\n`)
}
