package tray

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func TestAutoStartLinux(t *testing.T) {
	config := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", config)

	a, err := NewAutoStart([]string{"-client-id", "abc 123"})
	if err != nil {
		t.Fatalf("NewAutoStart: %v", err)
	}
	path := filepath.Join(config, "autostart", "zoom-presence.desktop")

	enabled, err := a.Enabled()
	if err != nil || enabled {
		t.Fatalf("Enabled before SetEnabled(true) = %v, %v; want false, nil", enabled, err)
	}

	if err := a.SetEnabled(true); err != nil {
		t.Fatalf("SetEnabled(true): %v", err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read %s: %v", path, err)
	}
	text := string(data)
	exe, _ := os.Executable()
	for _, line := range []string{"[Desktop Entry]", "Type=Application", "Exec=" + exe + ` -client-id "abc 123"`} {
		if !strings.Contains(text, line+"\n") {
			t.Errorf("desktop file lacks the line %q:\n%s", line, text)
		}
	}
	if enabled, err := a.Enabled(); err != nil || !enabled {
		t.Errorf("Enabled after SetEnabled(true) = %v, %v; want true, nil", enabled, err)
	}

	// desktop-file-validate, when installed, checks the file as desktops
	// read it.
	if validate, err := exec.LookPath("desktop-file-validate"); err == nil {
		if out, err := exec.Command(validate, path).CombinedOutput(); err != nil {
			t.Errorf("desktop-file-validate: %v\n%s", err, out)
		}
	}

	if err := a.SetEnabled(false); err != nil {
		t.Fatalf("SetEnabled(false): %v", err)
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Errorf("desktop file still there after SetEnabled(false): %v", err)
	}
	if err := a.SetEnabled(false); err != nil {
		t.Errorf("SetEnabled(false) with no entry: %v", err)
	}
	if enabled, err := a.Enabled(); err != nil || enabled {
		t.Errorf("Enabled after SetEnabled(false) = %v, %v; want false, nil", enabled, err)
	}
}

func TestQuoteExecArg(t *testing.T) {
	tests := []struct{ arg, want string }{
		{"/usr/bin/zoom-presence", "/usr/bin/zoom-presence"},
		{"-client-id", "-client-id"},
		{"", `""`},
		{"with space", `"with space"`},
		{"100%", "100%%"},
		{`a"b`, `"a\\"b"`},
		{`$HOME`, `"\\$HOME"`},
		{`back\slash`, `"back\\\\slash"`},
		{"-redirect-url=http://127.0.0.1:47613/callback", `"-redirect-url=http://127.0.0.1:47613/callback"`},
	}
	for _, tt := range tests {
		if got := quoteExecArg(tt.arg); got != tt.want {
			t.Errorf("quoteExecArg(%q) = %s, want %s", tt.arg, got, tt.want)
		}
	}
}
