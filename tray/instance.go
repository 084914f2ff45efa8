package tray

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/gen2brain/beeep"
	"github.com/gofrs/flock"
)

// ErrAlreadyRunning means that another instance of the app holds the
// instance lock for this user.
var ErrAlreadyRunning = errors.New("zoom-presence is already running")

// Instance is the lock that lets one instance of the app run per user.
type Instance struct {
	lock *flock.Flock
}

// LockInstance takes the instance lock without waiting. It returns an
// error wrapping ErrAlreadyRunning when another process holds it. The
// operating system releases the lock when the process exits, even if it
// crashes, so a stale lock file never blocks a start.
//
// The lock file is zoom-presence.lock in $XDG_RUNTIME_DIR when that is
// set, which is per user and per boot, and otherwise in the zoom-presence
// folder of the user's cache folder.
func LockInstance() (*Instance, error) {
	path, err := lockPath()
	if err != nil {
		return nil, err
	}

	lock := flock.New(path, flock.SetPermissions(0o600))
	locked, err := lock.TryLock()
	if err != nil {
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	if !locked {
		return nil, fmt.Errorf("%w: %s is locked", ErrAlreadyRunning, path)
	}
	return &Instance{lock: lock}, nil
}

func lockPath() (string, error) {
	if dir := os.Getenv("XDG_RUNTIME_DIR"); dir != "" {
		return filepath.Join(dir, "zoom-presence.lock"), nil
	}

	dir, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("find the cache folder for the instance lock: %w", err)
	}
	dir = filepath.Join(dir, "zoom-presence")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", fmt.Errorf("create %s: %w", dir, err)
	}
	return filepath.Join(dir, "zoom-presence.lock"), nil
}

// Unlock releases the lock. The lock file stays, because removing it
// would race with a process that has just opened it.
func (i *Instance) Unlock() error {
	if err := i.lock.Unlock(); err != nil {
		return fmt.Errorf("unlock %s: %w", i.lock.Path(), err)
	}
	return nil
}

// TellAlreadyRunning shows a desktop notification that the app is
// already running, for a second launch that is about to exit. It blocks
// until the notification is sent, fails, or timeout passes.
func TellAlreadyRunning(log *slog.Logger, timeout time.Duration) {
	beeep.AppName = notifyAppName
	result := make(chan error, 1)
	go func() {
		result <- beeep.Notify("zoom-presence is already running", "Use its icon in the system tray or menu bar.", "")
	}()

	select {
	case err := <-result:
		if err != nil {
			log.Debug("already-running notification failed", "error", err)
		}
	case <-time.After(timeout):
		log.Debug("already-running notification timed out", "timeout", timeout)
	}
}
