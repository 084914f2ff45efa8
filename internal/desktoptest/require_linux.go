package desktoptest

import (
	"os"
	"os/exec"
	"testing"
)

// E2EEnv is the environment variable that turns a missing tool from a
// skipped test into a failed one. CI sets it to "1" so that an end-to-end
// test cannot pass by skipping.
const E2EEnv = "ZOOM_PRESENCE_E2E"

// Required reports whether the environment variable named by [E2EEnv] is
// set to "1".
func Required() bool {
	return os.Getenv(E2EEnv) == "1"
}

// debianPackages maps a tool to the Debian 12 package that installs it.
var debianPackages = map[string]string{
	"dbus-daemon":          "dbus-daemon",
	"gnome-keyring-daemon": "gnome-keyring",
	"chromium":             "chromium",
	"Xvfb":                 "xvfb",
	"xfce4-panel":          "xfce4-panel",
	"xdotool":              "xdotool",
	"import":               "imagemagick",
}

// Require looks up each tool on PATH. When one is missing it skips the
// test, or fails it when [Required] reports true. Like t.Skip, it must
// be called from the goroutine running the test.
func Require(t testing.TB, tools ...string) {
	t.Helper()

	for _, tool := range tools {
		lookTool(t, tool)
	}
}

// lookTool returns the path of tool, or skips or fails the test as
// Require describes.
func lookTool(t testing.TB, tool string) string {
	t.Helper()

	path, err := exec.LookPath(tool)
	if err == nil {
		return path
	}

	msg := "desktoptest: " + tool + " not found on PATH"
	if pkg, ok := debianPackages[tool]; ok {
		msg += "; install it with apt-get install " + pkg
	}
	if Required() {
		t.Fatalf("%s; %s=1 makes a missing tool a failure", msg, E2EEnv)
	}
	t.Skipf("%s; set %s=1 to fail instead of skipping", msg, E2EEnv)
	return ""
}
