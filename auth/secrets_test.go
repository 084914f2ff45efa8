package auth

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/zoom-presence/zoom-presence/zoom/zoomsim"
)

// secretRecorder sits in front of the simulator and records every secret
// that passes: codes in redirects, verifiers, tokens and client secrets
// in forms, and tokens in responses.
type secretRecorder struct {
	sim *zoomsim.Server

	mu      sync.Mutex
	secrets map[string]string // value -> kind
}

func (r *secretRecorder) add(kind, value string) {
	if value == "" {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.secrets == nil {
		r.secrets = map[string]string{}
	}
	r.secrets[value] = kind
}

func (r *secretRecorder) kinds() map[string]bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	kinds := map[string]bool{}
	for _, kind := range r.secrets {
		kinds[kind] = true
	}
	return kinds
}

func (r *secretRecorder) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	body, _ := io.ReadAll(req.Body)
	req.Body = io.NopCloser(bytes.NewReader(body))
	if form, err := url.ParseQuery(string(body)); err == nil {
		for _, key := range []string{"code", "code_verifier", "refresh_token", "token", "client_secret"} {
			r.add(key, form.Get(key))
		}
	}

	rec := httptest.NewRecorder()
	r.sim.ServeHTTP(rec, req)

	if loc, err := url.Parse(rec.Header().Get("Location")); err == nil {
		r.add("code", loc.Query().Get("code"))
	}
	var tok struct {
		AccessToken  string `json:"access_token"`
		RefreshToken string `json:"refresh_token"`
	}
	if json.Unmarshal(rec.Body.Bytes(), &tok) == nil {
		r.add("access_token", tok.AccessToken)
		r.add("refresh_token", tok.RefreshToken)
	}

	for k, v := range rec.Header() {
		w.Header()[k] = v
	}
	w.WriteHeader(rec.Code)
	_, _ = w.Write(rec.Body.Bytes())
}

func TestSecretsNotLogged(t *testing.T) {
	const clientSecret = "client-secret-value-7f3a9c"
	redirect := testRedirectURL(t)
	sim := startSim(t, zoomsim.Options{RedirectURL: redirect, ClientSecret: clientSecret})
	recorder := &secretRecorder{sim: sim}
	recorder.add("client_secret", clientSecret)
	front := httptest.NewServer(recorder)
	t.Cleanup(front.Close)
	log, logs := newTestLogger()
	cfg := Config{ClientID: testClientID, ClientSecret: clientSecret, RedirectURL: redirect, OAuthURL: front.URL}
	apiURL := front.URL + "/v2"
	var errs []error

	// Sign in, use the token, and refresh it after Zoom rejects it.
	store := &MemoryStore{}
	s := NewSession(cfg, store, log)
	open, _ := browser()
	if err := s.SignIn(t.Context(), open); err != nil {
		t.Fatalf("SignIn: %v", err)
	}
	first, _ := store.Load()
	sim.ExpireTokens()
	if status, err := getPresence(s.Client(), apiURL); err != nil || status != http.StatusOK {
		t.Fatalf("GET presence after the forced refresh: %d %v", status, err)
	}

	// A second session holding the rotated-away refresh token gets
	// invalid_grant.
	stale := copyToken(first)
	stale.Expiry = time.Now().Add(-time.Minute)
	other := NewSession(cfg, signedInStore(t, stale), log)
	if err := other.Load(); err != nil {
		t.Fatal(err)
	}
	_, err := getPresence(other.Client(), apiURL)
	if !errors.Is(err, ErrSignInRequired) {
		t.Errorf("GET presence with a rotated refresh token = %v, want ErrSignInRequired", err)
	}
	errs = append(errs, err)

	// An exchange that fails, and a sign-out that revokes.
	badCfg := cfg
	badCfg.ClientSecret = "wrong-secret-value-51c2"
	recorder.add("client_secret", badCfg.ClientSecret)
	badOpen, _ := browser()
	_, err = SignIn(t.Context(), badCfg, badOpen, log)
	if err == nil {
		t.Errorf("SignIn with a wrong client secret succeeded")
	}
	errs = append(errs, err)
	if err := s.SignOut(t.Context()); err != nil {
		t.Errorf("SignOut: %v", err)
	}

	for _, kind := range []string{"code", "code_verifier", "access_token", "refresh_token", "token", "client_secret"} {
		if !recorder.kinds()[kind] {
			t.Errorf("the scenario never sent a %s, so the check below misses it", kind)
		}
	}
	if !strings.Contains(logs.String(), "Refreshed the Zoom access token") {
		t.Fatalf("the log lacks the refresh; was it captured?\n%s", logs)
	}
	recorder.mu.Lock()
	defer recorder.mu.Unlock()
	for value, kind := range recorder.secrets {
		if strings.Contains(logs.String(), value) {
			t.Errorf("the log contains a %s", kind)
		}
		for _, err := range errs {
			if err != nil && strings.Contains(err.Error(), value) {
				t.Errorf("error %q contains a %s", err, kind)
			}
		}
	}
}

func TestSecretsNotInTokenErrors(t *testing.T) {
	const refreshToken = "refresh-token-value-e41d07"
	// A token endpoint that echoes the request in a plain-text error, which
	// oauth2.RetrieveError would print in full.
	echo := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		http.Error(w, "upstream failure for "+r.PostForm.Encode(), http.StatusBadGateway)
	}))
	t.Cleanup(echo.Close)
	log, logs := newTestLogger()
	s := NewSession(Config{ClientID: testClientID, OAuthURL: echo.URL}, signedInStore(t, &oauth2.Token{
		AccessToken:  "access-token-value-99ab3e",
		RefreshToken: refreshToken,
		Expiry:       time.Now().Add(-time.Minute),
	}), log)
	if err := s.Load(); err != nil {
		t.Fatal(err)
	}

	_, err := getPresence(s.Client(), echo.URL+"/v2")

	var te *TokenError
	if !errors.As(err, &te) || te.StatusCode != http.StatusBadGateway {
		t.Fatalf("error %v, want a TokenError with status 502", err)
	}
	if strings.Contains(err.Error(), refreshToken) {
		t.Errorf("error %q contains the refresh token", err)
	}
	if strings.Contains(logs.String(), refreshToken) {
		t.Errorf("the log contains the refresh token:\n%s", logs)
	}
	if !s.SignedIn() {
		t.Errorf("a server failure ended the session; only invalid_grant should")
	}
}
