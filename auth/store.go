package auth

import (
	"errors"
	"sync"

	"golang.org/x/oauth2"
)

// ErrNoToken is returned by [Store.Load] when no token is stored.
var ErrNoToken = errors.New("no Zoom token stored")

// ErrCorruptToken is returned by [Store.Load] when the stored value is not a
// token that this package saved: it is not our JSON, has a version this
// package does not know, is not valid UTF-8, or misses a part. Signing in
// again overwrites it.
var ErrCorruptToken = errors.New("stored Zoom token is not readable")

// Store keeps one token between runs of the program. Implementations must
// be safe for concurrent use.
type Store interface {
	// Load returns the stored token, or an error wrapping ErrNoToken when
	// there is none.
	Load() (*oauth2.Token, error)

	// Save replaces the stored token with t.
	Save(t *oauth2.Token) error

	// Delete removes the stored token. Deleting when nothing is stored
	// is not an error.
	Delete() error
}

// MemoryStore is a [Store] that keeps the token in memory only, so it is
// lost when the program exits. Use it when no system keyring works. The
// zero value is an empty store. MemoryStore is safe for concurrent use.
type MemoryStore struct {
	mu  sync.Mutex
	tok *oauth2.Token
}

// Load returns a copy of the stored token, or an error wrapping ErrNoToken.
func (m *MemoryStore) Load() (*oauth2.Token, error) {
	m.mu.Lock()
	defer m.mu.Unlock()

	if m.tok == nil {
		return nil, ErrNoToken
	}
	return copyToken(m.tok), nil
}

// Save stores a copy of t.
func (m *MemoryStore) Save(t *oauth2.Token) error {
	m.mu.Lock()
	defer m.mu.Unlock()

	m.tok = copyToken(t)
	return nil
}

// Delete removes the stored token.
func (m *MemoryStore) Delete() error {
	m.mu.Lock()
	defer m.mu.Unlock()

	m.tok = nil
	return nil
}

// copyToken copies the fields that a Store keeps. Extra response fields
// (Token.Extra) are dropped, as a keyring would drop them.
func copyToken(t *oauth2.Token) *oauth2.Token {
	return &oauth2.Token{
		AccessToken:  t.AccessToken,
		TokenType:    t.TokenType,
		RefreshToken: t.RefreshToken,
		Expiry:       t.Expiry,
	}
}
