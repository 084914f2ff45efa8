package auth

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"
	"unicode/utf8"

	"github.com/zalando/go-keyring"
	"golang.org/x/oauth2"
)

const (
	testService = "zoom-presence-test"
	testUser    = "default"
	// windowsCredentialLimit is the largest credential blob that Windows
	// Credential Manager stores.
	windowsCredentialLimit = 2560
)

// setRecorder wraps the go-keyring package functions and records the
// entries that Set wrote.
type setRecorder struct {
	systemKeyring
	mu     sync.Mutex
	names  map[string]bool
	maxLen int
}

func (r *setRecorder) Set(service, user, password string) error {
	r.mu.Lock()
	if r.names == nil {
		r.names = map[string]bool{}
	}
	r.names[user] = true
	r.maxLen = max(r.maxLen, len(password))
	r.mu.Unlock()
	return r.systemKeyring.Set(service, user, password)
}

// newMockKeyringStore returns a KeyringStore over go-keyring's in-memory
// mock provider.
func newMockKeyringStore(t *testing.T) (*KeyringStore, *setRecorder) {
	t.Helper()
	keyring.MockInit()
	rec := &setRecorder{}
	s := NewKeyringStore(testService, testUser, time.Second)
	s.keyring = rec
	return s, rec
}

// testToken returns a token whose access and refresh tokens are n bytes
// each.
func testToken(n int) *oauth2.Token {
	return &oauth2.Token{
		AccessToken:  strings.Repeat("a", n-1) + "Z",
		TokenType:    "bearer",
		RefreshToken: strings.Repeat("r", n-1) + "Y",
		Expiry:       time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC),
	}
}

func TestKeyringStoreSizes(t *testing.T) {
	for _, size := range []int{1, 1000, 1001, 1024, 2048, 2560, 3072, 4096, 5120} {
		t.Run(fmt.Sprintf("%dB", size), func(t *testing.T) {
			s, rec := newMockKeyringStore(t)
			want := testToken(size)

			if err := s.Save(want); err != nil {
				t.Fatalf("Save: %v", err)
			}
			got, err := s.Load()
			if err != nil {
				t.Fatalf("Load: %v", err)
			}

			if got.AccessToken != want.AccessToken || got.RefreshToken != want.RefreshToken {
				t.Errorf("loaded tokens differ from the saved ones")
			}
			if got.TokenType != want.TokenType || !got.Expiry.Equal(want.Expiry) {
				t.Errorf("loaded type %q expiry %v, want %q %v", got.TokenType, got.Expiry, want.TokenType, want.Expiry)
			}
			if rec.maxLen > windowsCredentialLimit {
				t.Errorf("largest entry is %d bytes, over the Windows limit of %d", rec.maxLen, windowsCredentialLimit)
			}
		})
	}
}

func TestKeyringStoreReplace(t *testing.T) {
	s, rec := newMockKeyringStore(t)

	if err := s.Save(testToken(3000)); err != nil {
		t.Fatal(err)
	}
	oldParts := partNames(rec)
	want := testToken(500)
	want.AccessToken = "second-access"
	if err := s.Save(want); err != nil {
		t.Fatal(err)
	}

	got, err := s.Load()
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if got.AccessToken != want.AccessToken || got.RefreshToken != want.RefreshToken {
		t.Errorf("Load after a second Save returned the first token")
	}
	for _, name := range oldParts {
		if _, err := keyring.Get(testService, name); !errors.Is(err, keyring.ErrNotFound) {
			t.Errorf("old part %q still stored (err %v)", name, err)
		}
	}
}

// partNames returns the names of the token parts written so far.
func partNames(rec *setRecorder) []string {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	var names []string
	for name := range rec.names {
		if name != testUser {
			names = append(names, name)
		}
	}
	return names
}

func TestKeyringStoreDelete(t *testing.T) {
	s, rec := newMockKeyringStore(t)
	if err := s.Delete(); err != nil {
		t.Fatalf("Delete with nothing stored: %v", err)
	}
	if err := s.Save(testToken(4096)); err != nil {
		t.Fatal(err)
	}

	if err := s.Delete(); err != nil {
		t.Fatalf("Delete: %v", err)
	}

	if _, err := s.Load(); !errors.Is(err, ErrNoToken) {
		t.Errorf("Load after Delete = %v, want ErrNoToken", err)
	}
	for name := range rec.names {
		if _, err := keyring.Get(testService, name); !errors.Is(err, keyring.ErrNotFound) {
			t.Errorf("entry %q still stored after Delete (err %v)", name, err)
		}
	}
	if err := s.Delete(); err != nil {
		t.Errorf("second Delete: %v", err)
	}
}

func TestKeyringStoreEmpty(t *testing.T) {
	s, _ := newMockKeyringStore(t)

	_, err := s.Load()

	if !errors.Is(err, ErrNoToken) {
		t.Errorf("Load from an empty keyring = %v, want ErrNoToken", err)
	}
}

func TestKeyringStoreCorrupt(t *testing.T) {
	for _, tc := range []struct {
		name   string
		header string
		parts  map[string]string
	}{
		{name: "not JSON", header: "hunter2-not-json"},
		{name: "invalid UTF-8", header: "\xff\xfe\x00secret"},
		{name: "foreign JSON", header: `{"access_token":"secret-value","refresh_token":"x"}`},
		{name: "newer version", header: `{"version":2,"generation":1,"access_token_parts":1,"refresh_token_parts":1}`},
		{name: "missing part", header: `{"version":1,"generation":1,"access_token_parts":1,"refresh_token_parts":1}`,
			parts: map[string]string{"default.1.access.0": "abc"}},
		{name: "negative count", header: `{"version":1,"generation":1,"access_token_parts":-1,"refresh_token_parts":0}`},
		{name: "huge count", header: `{"version":1,"generation":1,"access_token_parts":100000,"refresh_token_parts":0}`},
		{name: "zero generation", header: `{"version":1,"generation":0,"access_token_parts":0,"refresh_token_parts":0}`},
		{name: "empty tokens", header: `{"version":1,"generation":1,"access_token_parts":0,"refresh_token_parts":0}`},
		{name: "invalid UTF-8 part", header: `{"version":1,"generation":1,"access_token_parts":1,"refresh_token_parts":0}`,
			parts: map[string]string{"default.1.access.0": "\xffsecret"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, _ := newMockKeyringStore(t)
			if err := keyring.Set(testService, testUser, tc.header); err != nil {
				t.Fatal(err)
			}
			for name, value := range tc.parts {
				if err := keyring.Set(testService, name, value); err != nil {
					t.Fatal(err)
				}
			}

			_, err := s.Load()

			if !errors.Is(err, ErrCorruptToken) {
				t.Fatalf("Load = %v, want ErrCorruptToken", err)
			}
			if strings.Contains(err.Error(), "secret") || strings.Contains(err.Error(), "hunter2") {
				t.Errorf("error %q contains the stored value", err)
			}
			if !utf8.ValidString(err.Error()) {
				t.Errorf("error %q is not valid UTF-8", err)
			}

			// Delete clears the unreadable entry, and Save replaces it.
			if err := s.Delete(); err != nil {
				t.Errorf("Delete of a corrupt entry: %v", err)
			}
			if _, err := s.Load(); !errors.Is(err, ErrNoToken) {
				t.Errorf("Load after Delete = %v, want ErrNoToken", err)
			}
		})
	}
}

func TestKeyringStoreSaveOverCorrupt(t *testing.T) {
	s, _ := newMockKeyringStore(t)
	if err := keyring.Set(testService, testUser, "not ours"); err != nil {
		t.Fatal(err)
	}
	want := testToken(100)

	if err := s.Save(want); err != nil {
		t.Fatalf("Save over a corrupt entry: %v", err)
	}

	got, err := s.Load()
	if err != nil || got.RefreshToken != want.RefreshToken {
		t.Errorf("Load after Save = %v, %v", got, err)
	}
}

func TestKeyringStoreSaveOverLargestGeneration(t *testing.T) {
	s, _ := newMockKeyringStore(t)
	header := `{"version":1,"generation":18446744073709551615,"access_token_parts":1,"refresh_token_parts":1}`
	if err := keyring.Set(testService, testUser, header); err != nil {
		t.Fatal(err)
	}
	want := testToken(100)

	if err := s.Save(want); err != nil {
		t.Fatalf("Save over the largest generation: %v", err)
	}

	got, err := s.Load()
	if err != nil || got.RefreshToken != want.RefreshToken {
		t.Errorf("Load after Save = %v, %v; want the saved token", got, err)
	}
}

func TestKeyringStoreInvalidUTF8Token(t *testing.T) {
	s, _ := newMockKeyringStore(t)

	err := s.Save(&oauth2.Token{AccessToken: "ok", RefreshToken: "\xffsecret"})

	if err == nil {
		t.Fatal("Save of an invalid UTF-8 token succeeded")
	}
	if strings.Contains(err.Error(), "secret") {
		t.Errorf("error %q contains the token", err)
	}
}

func TestKeyringStoreError(t *testing.T) {
	failure := errors.New("org.freedesktop.DBus.Error.ServiceUnknown")
	keyring.MockInitWithError(failure)
	s := NewKeyringStore(testService, testUser, time.Second)

	_, loadErr := s.Load()
	saveErr := s.Save(testToken(10))
	deleteErr := s.Delete()

	for name, err := range map[string]error{"Load": loadErr, "Save": saveErr, "Delete": deleteErr} {
		if !errors.Is(err, failure) {
			t.Errorf("%s = %v, want the keyring's error", name, err)
		}
		if errors.Is(err, ErrNoToken) {
			t.Errorf("%s = %v, a keyring failure is not ErrNoToken", name, err)
		}
		if err != nil && !strings.Contains(err.Error(), testService) {
			t.Errorf("%s error %q does not name the keyring service", name, err)
		}
	}
}

// hungKeyring is a keyring whose calls block until release is closed,
// like a D-Bus call to a Secret Service that never responds.
type hungKeyring struct{ release chan struct{} }

func (k hungKeyring) Get(string, string) (string, error) {
	<-k.release
	return "", keyring.ErrNotFound
}

func (k hungKeyring) Set(string, string, string) error {
	<-k.release
	return nil
}

func (k hungKeyring) Delete(string, string) error {
	<-k.release
	return nil
}

func TestKeyringStoreTimeout(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		hung := hungKeyring{release: make(chan struct{})}
		s := NewKeyringStore(testService, testUser, 0)
		s.keyring = hung
		start := time.Now()

		_, loadErr := s.Load()
		saveErr := s.Save(testToken(10))
		deleteErr := s.Delete()

		for name, err := range map[string]error{"Load": loadErr, "Save": saveErr, "Delete": deleteErr} {
			if !errors.Is(err, ErrKeyringTimeout) {
				t.Errorf("%s = %v, want ErrKeyringTimeout", name, err)
			}
		}
		if !strings.Contains(loadErr.Error(), "did not respond within 30s") {
			t.Errorf("error %q does not say how long it waited", loadErr)
		}
		if waited := time.Since(start); waited != 3*DefaultKeyringTimeout {
			t.Errorf("three calls waited %v, want %v", waited, 3*DefaultKeyringTimeout)
		}

		// The calls that timed out finish once the keyring responds.
		close(hung.release)
		synctest.Wait()
	})
}

func TestSplitString(t *testing.T) {
	for _, tc := range []struct {
		in   string
		n    int
		want []string
	}{
		{"", 4, nil},
		{"abc", 4, []string{"abc"}},
		{"abcd", 4, []string{"abcd"}},
		{"abcde", 4, []string{"abcd", "e"}},
		{"aaé", 3, []string{"aa", "é"}}, // é is 2 bytes and is not cut
		{"\xff\xff\xff\xff", 2, []string{"\xff\xff", "\xff\xff"}},
	} {
		got := splitString(tc.in, tc.n)
		if strings.Join(got, "|") != strings.Join(tc.want, "|") || len(got) != len(tc.want) {
			t.Errorf("splitString(%q, %d) = %q, want %q", tc.in, tc.n, got, tc.want)
		}
	}
}

func TestMemoryStore(t *testing.T) {
	var s MemoryStore
	if _, err := s.Load(); !errors.Is(err, ErrNoToken) {
		t.Errorf("Load from an empty store = %v, want ErrNoToken", err)
	}

	tok := testToken(10)
	if err := s.Save(tok); err != nil {
		t.Fatal(err)
	}
	tok.AccessToken = "changed after Save"
	got, err := s.Load()
	if err != nil {
		t.Fatal(err)
	}
	if got.AccessToken == tok.AccessToken {
		t.Errorf("MemoryStore kept the caller's token, not a copy")
	}

	if err := s.Delete(); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Load(); !errors.Is(err, ErrNoToken) {
		t.Errorf("Load after Delete = %v, want ErrNoToken", err)
	}
	if err := s.Delete(); err != nil {
		t.Errorf("second Delete: %v", err)
	}
}
