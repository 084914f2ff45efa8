package auth

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/zalando/go-keyring"
	"golang.org/x/oauth2"
)

// DefaultKeyringTimeout is the time limit of one [KeyringStore] method
// when NewKeyringStore gets a timeout of zero. The limit includes any
// unlock prompt that the keyring shows, so it leaves time to type a
// password.
const DefaultKeyringTimeout = 30 * time.Second

// ErrKeyringTimeout means that the system keyring did not respond in time.
// On Linux this usually means that the Secret Service (gnome-keyring,
// KWallet) is not running, hangs, or waits for an unlock prompt.
var ErrKeyringTimeout = errors.New("system keyring did not respond")

// ErrKeyringUnavailable means that there is no system keyring to use. On
// Linux no program owns the Secret Service (org.freedesktop.secrets) on
// the session bus, or there is no session bus.
var ErrKeyringUnavailable = errors.New("no system keyring found")

// ErrKeyringLocked means that the keyring collection is locked and could
// not be unlocked, for example because no unlock prompt could be shown.
var ErrKeyringLocked = errors.New("system keyring is locked")

// Entry layout. Windows limits a credential to 2,560 bytes and macOS
// limits service, account and password together to about 3,000 bytes,
// while a Zoom access token can be longer. So the tokens are split into
// parts of at most maxPartLen bytes.
const (
	keyringFormatVersion = 1
	maxPartLen           = 1000
	maxParts             = 64 // 64 KB per token, far above any real token
)

// keyringHeader is the JSON value of the entry named after the user. It
// names the generation whose parts hold the tokens.
type keyringHeader struct {
	Version           int       `json:"version"`
	Generation        uint64    `json:"generation"`
	TokenType         string    `json:"token_type,omitempty"`
	Expiry            time.Time `json:"expiry,omitzero"`
	AccessTokenParts  int       `json:"access_token_parts"`
	RefreshTokenParts int       `json:"refresh_token_parts"`
}

// keyringAPI is the part of go-keyring that KeyringStore uses.
type keyringAPI interface {
	Get(service, user string) (string, error)
	Set(service, user, password string) error
	Delete(service, user string) error
}

// systemKeyring calls the go-keyring package functions, which use the
// platform's keyring or the provider that keyring.MockInit installs.
type systemKeyring struct{}

func (systemKeyring) Get(service, user string) (string, error) { return keyring.Get(service, user) }
func (systemKeyring) Set(service, user, password string) error {
	return keyring.Set(service, user, password)
}
func (systemKeyring) Delete(service, user string) error { return keyring.Delete(service, user) }

// KeyringStore is a [Store] in the system keyring (Secret Service on Linux,
// Keychain on macOS, Credential Manager on Windows) via
// github.com/zalando/go-keyring.
//
// A token takes several entries of the same service. The entry named
// user holds JSON such as
//
//	{"version":1,"generation":7,"token_type":"bearer","expiry":"2025-01-02T15:04:05Z",
//	 "access_token_parts":2,"refresh_token_parts":1}
//
// and the entries "<user>.<generation>.access.<i>" and
// "<user>.<generation>.refresh.<i>", for i from 0, hold the tokens in
// pieces of at most 1,000 bytes. Save writes the parts of a new generation
// first and the JSON entry last, then deletes the old parts, so a Save
// that stops half-way leaves the previous token readable. That matters
// because Zoom invalidates the previous refresh token on every refresh.
//
// Each method runs the keyring calls in a new goroutine and gives up after
// the timeout with an error wrapping [ErrKeyringTimeout], so that a hung
// D-Bus call cannot hang the program. A call that timed out goes on in
// the background, and later calls wait for it before they touch the
// keyring. KeyringStore is safe for concurrent use.
type KeyringStore struct {
	service string
	user    string
	timeout time.Duration
	keyring keyringAPI
	log     *slog.Logger

	// lock is held by the goroutine that calls the keyring. It is a
	// channel rather than a sync.Mutex so that waiting for it counts as
	// blocked under testing/synctest.
	lock chan struct{}
}

// NewKeyringStore returns a store for the entries of the given keyring
// service and user name. timeout limits each method; zero means
// DefaultKeyringTimeout.
func NewKeyringStore(service, user string, timeout time.Duration) *KeyringStore {
	if timeout <= 0 {
		timeout = DefaultKeyringTimeout
	}
	return &KeyringStore{
		service: service,
		user:    user,
		timeout: timeout,
		keyring: systemKeyring{},
		log:     slog.Default(),
		lock:    make(chan struct{}, 1),
	}
}

// Load reads the token. It returns an error wrapping ErrNoToken when there
// is none and ErrCorruptToken when the entries were not written by Save.
func (s *KeyringStore) Load() (*oauth2.Token, error) {
	return withTimeout(s, "load", s.load)
}

// Save replaces the stored token with t. The access and refresh tokens
// must be valid UTF-8.
func (s *KeyringStore) Save(t *oauth2.Token) error {
	_, err := withTimeout(s, "save", func() (struct{}, error) {
		return struct{}{}, s.save(t)
	})
	return err
}

// Delete removes the JSON entry and every part it names. Missing entries
// are not an error.
func (s *KeyringStore) Delete() error {
	_, err := withTimeout(s, "delete", func() (struct{}, error) {
		return struct{}{}, s.delete()
	})
	return err
}

// withTimeout runs fn in a new goroutine holding s.lock and waits at most
// s.timeout for it.
func withTimeout[T any](s *KeyringStore, op string, fn func() (T, error)) (T, error) {
	type result struct {
		v   T
		err error
	}
	done := make(chan result, 1)
	go func() {
		s.lock <- struct{}{}
		defer func() { <-s.lock }()

		v, err := fn()
		done <- result{v, err}
	}()

	timer := time.NewTimer(s.timeout)
	defer timer.Stop()
	select {
	case r := <-done:
		return r.v, r.err
	case <-timer.C:
		var zero T
		return zero, fmt.Errorf("%s Zoom token (keyring service %q, user %q): %w within %v; check that the keyring is running and unlocked",
			op, s.service, s.user, ErrKeyringTimeout, s.timeout)
	}
}

func (s *KeyringStore) load() (*oauth2.Token, error) {
	h, err := s.readHeader("load")
	if err != nil {
		return nil, err
	}

	access, err := s.readParts(h.Generation, "access", h.AccessTokenParts)
	if err != nil {
		return nil, err
	}
	refresh, err := s.readParts(h.Generation, "refresh", h.RefreshTokenParts)
	if err != nil {
		return nil, err
	}
	if access == "" && refresh == "" {
		return nil, fmt.Errorf("load Zoom token (keyring service %q, user %q): %w: both tokens are empty",
			s.service, s.user, ErrCorruptToken)
	}

	return &oauth2.Token{
		AccessToken:  access,
		TokenType:    h.TokenType,
		RefreshToken: refresh,
		Expiry:       h.Expiry,
	}, nil
}

func (s *KeyringStore) save(t *oauth2.Token) error {
	if !utf8.ValidString(t.AccessToken) || !utf8.ValidString(t.RefreshToken) {
		return fmt.Errorf("save Zoom token (keyring service %q, user %q): token is not valid UTF-8", s.service, s.user)
	}
	access := splitString(t.AccessToken, maxPartLen)
	refresh := splitString(t.RefreshToken, maxPartLen)
	if len(access) > maxParts || len(refresh) > maxParts {
		return fmt.Errorf("save Zoom token (keyring service %q, user %q): token is longer than %d bytes",
			s.service, s.user, maxParts*maxPartLen)
	}

	// An unreadable old entry is overwritten, but a keyring that fails
	// now would fail the writes too, so stop here.
	old, err := s.readHeader("save")
	if err != nil && !errors.Is(err, ErrNoToken) && !errors.Is(err, ErrCorruptToken) {
		return err
	}
	oldFound := err == nil

	// Generation 0 is invalid, so a count that wraps, or one taken from
	// an entry that is not ours, starts again at 1.
	generation := old.Generation + 1
	if !oldFound || generation == 0 {
		generation = 1
	}
	h := keyringHeader{
		Version:           keyringFormatVersion,
		Generation:        generation,
		TokenType:         t.TokenType,
		Expiry:            t.Expiry,
		AccessTokenParts:  len(access),
		RefreshTokenParts: len(refresh),
	}
	if err := s.writeParts(h.Generation, "access", access); err != nil {
		s.deleteParts(h)
		return err
	}
	if err := s.writeParts(h.Generation, "refresh", refresh); err != nil {
		s.deleteParts(h)
		return err
	}

	data, err := json.Marshal(h)
	if err != nil {
		return fmt.Errorf("encode Zoom token header: %w", err)
	}
	if err := s.keyring.Set(s.service, s.user, string(data)); err != nil {
		s.deleteParts(h)
		return s.keyringError("save", s.user, err)
	}

	if oldFound {
		s.deleteParts(old)
	}
	return nil
}

func (s *KeyringStore) delete() error {
	h, err := s.readHeader("delete")
	switch {
	case errors.Is(err, ErrNoToken):
		return nil
	case errors.Is(err, ErrCorruptToken):
		// The entry names no parts that can be trusted, so only the entry
		// itself goes.
		h = keyringHeader{}
	case err != nil:
		return err
	}

	// The JSON entry goes first, because without it no half-deleted token
	// can be loaded.
	err = s.keyring.Delete(s.service, s.user)
	if err != nil && !errors.Is(err, keyring.ErrNotFound) {
		return s.keyringError("delete", s.user, err)
	}
	return s.deleteParts(h)
}

// readHeader reads and checks the JSON entry. op names the Store method
// in error messages.
func (s *KeyringStore) readHeader(op string) (keyringHeader, error) {
	raw, err := s.keyring.Get(s.service, s.user)
	if errors.Is(err, keyring.ErrNotFound) {
		return keyringHeader{}, fmt.Errorf("%s Zoom token (keyring service %q, user %q): %w", op, s.service, s.user, ErrNoToken)
	}
	if err != nil {
		return keyringHeader{}, s.keyringError(op, s.user, err)
	}

	corrupt := func(why string) (keyringHeader, error) {
		return keyringHeader{}, fmt.Errorf("%s Zoom token (keyring service %q, user %q): %w: %s; sign in again to replace it",
			op, s.service, s.user, ErrCorruptToken, why)
	}
	if !utf8.ValidString(raw) {
		return corrupt("entry is not valid UTF-8")
	}
	var h keyringHeader
	if err := json.Unmarshal([]byte(raw), &h); err != nil {
		return corrupt("entry is not JSON written by this program")
	}
	if h.Version != keyringFormatVersion {
		return corrupt("entry has format version " + strconv.Itoa(h.Version) + ", expected " + strconv.Itoa(keyringFormatVersion))
	}
	if h.Generation == 0 ||
		h.AccessTokenParts < 0 || h.AccessTokenParts > maxParts ||
		h.RefreshTokenParts < 0 || h.RefreshTokenParts > maxParts {
		return corrupt("entry has an invalid generation or part count")
	}
	return h, nil
}

func (s *KeyringStore) readParts(generation uint64, kind string, n int) (string, error) {
	var buf []byte
	for i := range n {
		name := s.partName(generation, kind, i)
		part, err := s.keyring.Get(s.service, name)
		if errors.Is(err, keyring.ErrNotFound) {
			return "", fmt.Errorf("load Zoom token (keyring service %q, user %q): %w: entry %q is missing; sign in again to replace it",
				s.service, s.user, ErrCorruptToken, name)
		}
		if err != nil {
			return "", s.keyringError("load", name, err)
		}
		if !utf8.ValidString(part) || len(part) > maxPartLen {
			return "", fmt.Errorf("load Zoom token (keyring service %q, user %q): %w: entry %q is not a token part written by this program",
				s.service, s.user, ErrCorruptToken, name)
		}
		buf = append(buf, part...)
	}
	return string(buf), nil
}

func (s *KeyringStore) writeParts(generation uint64, kind string, parts []string) error {
	for i, part := range parts {
		name := s.partName(generation, kind, i)
		if err := s.keyring.Set(s.service, name, part); err != nil {
			return s.keyringError("save", name, err)
		}
	}
	return nil
}

// deleteParts removes the parts that h names. Missing parts are fine. It
// logs each failure and returns them joined.
func (s *KeyringStore) deleteParts(h keyringHeader) error {
	var errs []error
	remove := func(kind string, n int) {
		for i := range n {
			name := s.partName(h.Generation, kind, i)
			err := s.keyring.Delete(s.service, name)
			if err != nil && !errors.Is(err, keyring.ErrNotFound) {
				err = s.keyringError("delete", name, err)
				s.log.Warn("Could not delete a Zoom token part from the keyring", "error", err)
				errs = append(errs, err)
			}
		}
	}
	remove("access", h.AccessTokenParts)
	remove("refresh", h.RefreshTokenParts)
	return errors.Join(errs...)
}

func (s *KeyringStore) partName(generation uint64, kind string, i int) string {
	return s.user + "." + strconv.FormatUint(generation, 10) + "." + kind + "." + strconv.Itoa(i)
}

// keyringError wraps an error from go-keyring. Those errors come from
// D-Bus, Keychain or Credential Manager and contain no secret values.
func (s *KeyringStore) keyringError(op, entry string, err error) error {
	return fmt.Errorf("%s Zoom token (keyring service %q, entry %q): %w", op, s.service, entry, classifyKeyringError(err))
}

// splitString cuts s into pieces of at most n bytes, at rune boundaries
// where s is valid UTF-8. An empty s gives no pieces.
func splitString(s string, n int) []string {
	var parts []string
	for len(s) > n {
		cut := n
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		if cut == 0 {
			cut = n
		}
		parts = append(parts, s[:cut])
		s = s[cut:]
	}
	if s != "" {
		parts = append(parts, s)
	}
	return parts
}
