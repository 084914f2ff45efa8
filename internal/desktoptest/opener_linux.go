package desktoptest

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// OpenerLogEnv is the environment variable that names the file the
// stand-in browser opener appends its log to. Read the file with
// [ReadOpenerLog].
const OpenerLogEnv = "ZOOM_PRESENCE_OPENER_LOG"

// openerPackage is the import path of the stand-in browser opener.
const openerPackage = "github.com/zoom-presence/zoom-presence/internal/desktoptest/opener"

// openerNames are the programs github.com/pkg/browser tries on Linux, in
// its order. The opener is installed under each of them.
var openerNames = []string{"xdg-open", "x-www-browser", "www-browser"}

// InstallOpener builds the stand-in browser opener and installs it in a
// new temporary directory as xdg-open, x-www-browser and www-browser,
// and returns the directory. Put it first on PATH for the program under
// test, for example with "PATH="+dir+":"+os.Getenv("PATH").
//
// The opener requests the URL it is given and follows redirects, on
// loopback hosts only, and exits with status 0 when the final response
// is 2xx. When the environment variable named by [OpenerLogEnv] names a
// file, it appends a log of every step to it. InstallOpener blocks while
// the go command builds the opener.
func InstallOpener(t testing.TB) string {
	t.Helper()

	binary := Build(t, openerPackage, openerNames[0])
	dir := filepath.Dir(binary)

	for _, name := range openerNames[1:] {
		if err := os.Symlink(openerNames[0], filepath.Join(dir, name)); err != nil {
			t.Fatalf("desktoptest: install opener as %s: %v", name, err)
		}
	}
	return dir
}

// OpenerEvent is one line of the stand-in browser opener's log.
type OpenerEvent struct {
	Time time.Time `json:"time"`

	// Msg is the step: "open" for the URL the opener was given,
	// "redirect" for each redirect it followed, and "response" for the
	// final response. "rejected" marks a URL or redirect target that is
	// not on a loopback host, and "failed" a failed request.
	Msg string `json:"msg"`

	// URL is the requested URL, with secret query parameters such as
	// code replaced by "REDACTED".
	URL string `json:"url"`

	// Status is the HTTP status code of a redirect or final response.
	Status int `json:"status"`

	// Location is the redirect target of a "redirect" event, redacted
	// like URL.
	Location string `json:"location"`

	Error string `json:"error"`
}

// ReadOpenerLog reads the log the stand-in browser opener wrote to path.
// It returns no events and no error when the file does not exist, which
// means the opener never ran.
func ReadOpenerLog(path string) ([]OpenerEvent, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read opener log: %w", err)
	}

	var events []OpenerEvent
	scanner := bufio.NewScanner(bytes.NewReader(data))
	for line := 1; scanner.Scan(); line++ {
		var event OpenerEvent
		if err := json.Unmarshal(scanner.Bytes(), &event); err != nil {
			return nil, fmt.Errorf("read opener log %s: line %d: %w", path, line, err)
		}
		events = append(events, event)
	}
	if err := scanner.Err(); err != nil {
		return nil, fmt.Errorf("read opener log %s: %w", path, err)
	}
	return events, nil
}
