package auth

import (
	"errors"
	"log/slog"
	"sync"

	"golang.org/x/oauth2"
)

// FallbackStore is a [Store] that keeps the token in Primary, usually a
// [KeyringStore], until Primary fails, and from then on in memory only.
// So a person whose keyring is missing, locked or hung stays signed in
// until the program exits. It never writes a token to a file.
//
// A failure is any Load, Save or Delete error of Primary except those
// wrapping ErrNoToken or ErrCorruptToken: an unreadable entry means the
// keyring works, and the next Save overwrites the entry. FallbackStore is
// safe for concurrent use.
type FallbackStore struct {
	// Primary is the store used until it fails. Set it before calling
	// any method.
	Primary Store

	// OnFallback, if not nil, is called once, with Primary's error, when
	// FallbackStore switches to memory. It is called from the goroutine
	// of the failed call with no lock held, so it should return quickly.
	// Set it before calling any method.
	OnFallback func(err error)

	// Logger receives a record of the switch. Nil means slog.Default.
	Logger *slog.Logger

	mu     sync.Mutex
	failed bool
	memory MemoryStore
}

// Load returns the token from Primary or, after a failure, from memory.
// The Load that fails returns Primary's error.
func (f *FallbackStore) Load() (*oauth2.Token, error) {
	if f.MemoryOnly() {
		return f.memory.Load()
	}

	tok, err := f.Primary.Load()
	if f.isFailure(err) {
		f.fallBack(err)
	}
	return tok, err
}

// Save saves t to Primary or, after a failure, to memory. A Save that
// fails in Primary keeps t in memory and returns nil, because the token
// is then kept for the rest of the run as promised by OnFallback.
func (f *FallbackStore) Save(t *oauth2.Token) error {
	if f.MemoryOnly() {
		return f.memory.Save(t)
	}

	err := f.Primary.Save(t)
	if !f.isFailure(err) {
		return err
	}
	_ = f.memory.Save(t)
	f.fallBack(err)
	return nil
}

// Delete deletes the token from memory and from Primary. After a failure
// Primary is still asked, because it may hold an older token from before
// the switch, but its error is only logged.
func (f *FallbackStore) Delete() error {
	if !f.MemoryOnly() {
		return f.Primary.Delete()
	}

	_ = f.memory.Delete()
	if err := f.Primary.Delete(); err != nil {
		f.logger().Warn("Could not delete the Zoom token kept in the system keyring before it failed", "error", err)
	}
	return nil
}

// MemoryOnly reports whether Primary has failed, so that the token is
// lost when the program exits.
func (f *FallbackStore) MemoryOnly() bool {
	f.mu.Lock()
	defer f.mu.Unlock()

	return f.failed
}

func (f *FallbackStore) isFailure(err error) bool {
	return err != nil && !errors.Is(err, ErrNoToken) && !errors.Is(err, ErrCorruptToken)
}

func (f *FallbackStore) fallBack(err error) {
	f.mu.Lock()
	first := !f.failed
	f.failed = true
	f.mu.Unlock()
	if !first {
		return
	}

	f.logger().Warn("System keyring failed; the Zoom sign-in is kept in memory until the app quits", "error", err)
	if f.OnFallback != nil {
		f.OnFallback(err)
	}
}

func (f *FallbackStore) logger() *slog.Logger {
	if f.Logger == nil {
		return slog.Default()
	}
	return f.Logger
}
