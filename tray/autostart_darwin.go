package tray

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// launchAgentLabel is the LaunchAgent's label and the name of its file.
const launchAgentLabel = "com.github.zoom-presence"

// autoStartPath returns the LaunchAgent in ~/Library/LaunchAgents.
func autoStartPath() (string, error) {
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("find the home folder: %w", err)
	}
	return filepath.Join(home, "Library", "LaunchAgents", launchAgentLabel+".plist"), nil
}

// Enabled reports whether the LaunchAgent file exists.
func (a *AutoStart) Enabled() (bool, error) {
	_, err := os.Stat(a.path)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("check the LaunchAgent %s: %w", a.path, err)
	}
	return true, nil
}

// enable writes the LaunchAgent. launchd reads it at the next login, so
// the app that is running now is not started a second time.
func (a *AutoStart) enable() error {
	if err := os.MkdirAll(filepath.Dir(a.path), 0o755); err != nil {
		return fmt.Errorf("create the LaunchAgents folder: %w", err)
	}
	if err := os.WriteFile(a.path, launchAgent(a.Command), 0o644); err != nil {
		return fmt.Errorf("write the LaunchAgent %s: %w", a.path, err)
	}
	return nil
}

func (a *AutoStart) disable() error {
	err := os.Remove(a.path)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("remove the LaunchAgent %s: %w", a.path, err)
	}
	return nil
}

// launchAgent returns a property list that runs command once at login.
// ProcessType Interactive keeps launchd from throttling a tray app.
func launchAgent(command []string) []byte {
	var b bytes.Buffer
	b.WriteString(xml.Header)
	b.WriteString(`<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">` + "\n")
	b.WriteString("<plist version=\"1.0\">\n<dict>\n")
	b.WriteString("\t<key>Label</key>\n\t<string>" + launchAgentLabel + "</string>\n")
	b.WriteString("\t<key>ProgramArguments</key>\n\t<array>\n")
	for _, arg := range command {
		b.WriteString("\t\t<string>")
		_ = xml.EscapeText(&b, []byte(arg))
		b.WriteString("</string>\n")
	}
	b.WriteString("\t</array>\n")
	b.WriteString("\t<key>RunAtLoad</key>\n\t<true/>\n")
	b.WriteString("\t<key>ProcessType</key>\n\t<string>Interactive</string>\n")
	b.WriteString("</dict>\n</plist>\n")
	return b.Bytes()
}
