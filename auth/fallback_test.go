package auth

import (
	"errors"
	"fmt"
	"sync"
	"testing"

	"golang.org/x/oauth2"
)

// failingStore is a Store whose methods return err while it is set.
type failingStore struct {
	MemoryStore
	mu  sync.Mutex
	err error
}

func (s *failingStore) fail(err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.err = err
}

func (s *failingStore) failure() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.err
}

func (s *failingStore) Load() (*oauth2.Token, error) {
	if err := s.failure(); err != nil {
		return nil, err
	}
	return s.MemoryStore.Load()
}

func (s *failingStore) Save(t *oauth2.Token) error {
	if err := s.failure(); err != nil {
		return err
	}
	return s.MemoryStore.Save(t)
}

func (s *failingStore) Delete() error {
	if err := s.failure(); err != nil {
		return err
	}
	return s.MemoryStore.Delete()
}

func TestFallbackStoreLoadFails(t *testing.T) {
	primary := &failingStore{}
	var reported []error
	store := &FallbackStore{Primary: primary, OnFallback: func(err error) { reported = append(reported, err) }}

	primary.fail(fmt.Errorf("load: %w", ErrKeyringUnavailable))
	if _, err := store.Load(); !errors.Is(err, ErrKeyringUnavailable) {
		t.Errorf("Load error = %v, want ErrKeyringUnavailable", err)
	}
	if !store.MemoryOnly() {
		t.Error("MemoryOnly = false after a failed Load, want true")
	}

	tok := &oauth2.Token{AccessToken: "access", RefreshToken: "refresh"}
	if err := store.Save(tok); err != nil {
		t.Fatalf("Save after the fallback: %v", err)
	}
	got, err := store.Load()
	if err != nil || got.RefreshToken != "refresh" {
		t.Errorf("Load after Save = %+v, %v, want the saved token", got, err)
	}
	if len(reported) != 1 {
		t.Errorf("OnFallback called %d times, want 1", len(reported))
	}
}

func TestFallbackStoreSaveFails(t *testing.T) {
	primary := &failingStore{}
	calls := 0
	store := &FallbackStore{Primary: primary, OnFallback: func(error) { calls++ }}

	first := &oauth2.Token{AccessToken: "a1", RefreshToken: "r1"}
	if err := store.Save(first); err != nil {
		t.Fatalf("Save: %v", err)
	}
	if store.MemoryOnly() {
		t.Fatal("MemoryOnly = true while the primary store works")
	}

	primary.fail(fmt.Errorf("save: %w", ErrKeyringTimeout))
	second := &oauth2.Token{AccessToken: "a2", RefreshToken: "r2"}
	if err := store.Save(second); err != nil {
		t.Errorf("Save with a failing primary = %v, want nil because memory keeps the token", err)
	}
	if err := store.Save(&oauth2.Token{AccessToken: "a3", RefreshToken: "r3"}); err != nil {
		t.Errorf("second Save with a failing primary = %v, want nil", err)
	}
	got, err := store.Load()
	if err != nil || got.RefreshToken != "r3" {
		t.Errorf("Load = %+v, %v, want the last saved token", got, err)
	}
	if calls != 1 {
		t.Errorf("OnFallback called %d times, want 1", calls)
	}

	if err := store.Delete(); err != nil {
		t.Errorf("Delete with a failing primary = %v, want nil", err)
	}
	if _, err := store.Load(); !errors.Is(err, ErrNoToken) {
		t.Errorf("Load after Delete = %v, want ErrNoToken", err)
	}
}

func TestFallbackStoreKeepsPrimary(t *testing.T) {
	for _, cause := range []error{ErrNoToken, ErrCorruptToken} {
		primary := &failingStore{}
		calls := 0
		store := &FallbackStore{Primary: primary, OnFallback: func(error) { calls++ }}

		primary.fail(fmt.Errorf("load: %w", cause))
		if _, err := store.Load(); !errors.Is(err, cause) {
			t.Errorf("Load error = %v, want %v", err, cause)
		}
		if store.MemoryOnly() || calls != 0 {
			t.Errorf("after %v: MemoryOnly = %v and %d OnFallback calls, want false and 0", cause, store.MemoryOnly(), calls)
		}
	}
}
