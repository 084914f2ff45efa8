package zoomsim_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"golang.org/x/oauth2"

	"github.com/zoom-presence/zoom-presence/zoom/zoomsim"
)

// redirectURL is the app's redirect URL in these tests. Nothing listens
// there: the tests read the code from the 302 response instead of
// following it.
const redirectURL = "http://127.0.0.1:53682/callback"

// inProcessOAuth is the OAuth base URL for clients that use Transport.
const inProcessOAuth = "http://127.0.0.1"

func oauthConfig(base, clientID, secret string, style oauth2.AuthStyle) *oauth2.Config {
	return &oauth2.Config{
		ClientID:     clientID,
		ClientSecret: secret,
		Endpoint: oauth2.Endpoint{
			AuthURL:   base + "/oauth/authorize",
			TokenURL:  base + "/oauth/token",
			AuthStyle: style,
		},
		RedirectURL: redirectURL,
		Scopes:      []string{"user:read:presence_status", "user:update:presence_status"},
	}
}

// authorize requests authURL without following the redirect and returns
// the code and state that the redirect carries.
func authorize(t *testing.T, client *http.Client, authURL string) (code, state string) {
	t.Helper()

	noRedirect := &http.Client{
		Transport: client.Transport,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}
	res := send(t, noRedirect, http.MethodGet, authURL, "", "", "")
	if res.status != http.StatusFound {
		t.Fatalf("authorize status = %d, want 302; body %s", res.status, res.body)
	}

	location, err := url.Parse(res.header.Get("Location"))
	if err != nil {
		t.Fatalf("authorize Location %q: %v", res.header.Get("Location"), err)
	}
	target, _ := url.Parse(redirectURL)
	if location.Scheme != target.Scheme || location.Host != target.Host || location.Path != target.Path {
		t.Fatalf("authorize redirected to %s://%s%s, want %s", location.Scheme, location.Host, location.Path, redirectURL)
	}
	return location.Query().Get("code"), location.Query().Get("state")
}

// postForm posts form to target, with HTTP Basic credentials when user is
// not empty.
func postForm(t *testing.T, target string, form url.Values, user, password string) result {
	t.Helper()

	authorization := ""
	if user != "" {
		authorization = "Basic " + base64.StdEncoding.EncodeToString([]byte(user+":"+password))
	}
	return sendAuth(t, http.DefaultClient, http.MethodPost, target, authorization, "application/x-www-form-urlencoded", form.Encode())
}

// oauthError decodes a token or revoke error body.
func oauthError(t *testing.T, res result) (code, reason string) {
	t.Helper()

	var body struct {
		Error  string `json:"error"`
		Reason string `json:"reason"`
	}
	if err := json.Unmarshal(res.body, &body); err != nil {
		t.Fatalf("OAuth error body %q is not JSON: %v", res.body, err)
	}
	return body.Error, body.Reason
}

func wantOAuthError(t *testing.T, res result, status int, code string) {
	t.Helper()

	if res.status != status {
		t.Fatalf("status = %d, want %d; body %s", res.status, status, res.body)
	}
	got, reason := oauthError(t, res)
	if got != code {
		t.Errorf("error = %q, want %q; reason %q", got, code, reason)
	}
	if reason == "" {
		t.Errorf("error %q has an empty reason", code)
	}
}

// retrieveError returns err as an *oauth2.RetrieveError or fails the test.
func retrieveError(t *testing.T, err error) *oauth2.RetrieveError {
	t.Helper()

	var rerr *oauth2.RetrieveError
	if !errors.As(err, &rerr) {
		t.Fatalf("error = %v, want an *oauth2.RetrieveError", err)
	}
	return rerr
}

func TestOAuthPKCEFlow(t *testing.T) {
	sim := startServer(t, zoomsim.Options{ClientID: "public-app", RedirectURL: redirectURL})
	cfg := oauthConfig(sim.OAuthURL(), "public-app", "", oauth2.AuthStyleInParams)
	ctx := t.Context()

	verifier := oauth2.GenerateVerifier()
	code, state := authorize(t, http.DefaultClient, cfg.AuthCodeURL("state-123", oauth2.S256ChallengeOption(verifier)))
	if state != "state-123" {
		t.Errorf("state = %q, want state-123", state)
	}
	if len(code) < 20 {
		t.Errorf("code has %d characters, want at least 20", len(code))
	}

	tok, err := cfg.Exchange(ctx, code, oauth2.VerifierOption(verifier))
	if err != nil {
		t.Fatalf("Exchange: %v", err)
	}
	if len(tok.AccessToken) != zoomsim.DefaultTokenSize || len(tok.RefreshToken) != zoomsim.DefaultTokenSize {
		t.Errorf("token lengths = %d and %d, want %d", len(tok.AccessToken), len(tok.RefreshToken), zoomsim.DefaultTokenSize)
	}
	if tok.Type() != "Bearer" {
		t.Errorf("token type = %q, want Bearer", tok.Type())
	}
	if tok.ExpiresIn != 3600 {
		t.Errorf("expires_in = %d, want 3600", tok.ExpiresIn)
	}
	if got := tok.Extra("scope"); got != zoomsim.DefaultScope {
		t.Errorf("scope = %v, want %q", got, zoomsim.DefaultScope)
	}

	res := getPresence(t, cfg.Client(ctx, tok), sim.APIURL(), "")
	if res.status != http.StatusOK {
		t.Errorf("GET with the new token: status = %d, want 200", res.status)
	}

	// The code works once.
	_, err = cfg.Exchange(ctx, code, oauth2.VerifierOption(verifier))
	if rerr := retrieveError(t, err); rerr.ErrorCode != "invalid_grant" {
		t.Errorf("second Exchange error = %q, want invalid_grant", rerr.ErrorCode)
	}

	// Each refresh returns a new access and refresh token.
	refreshed, err := cfg.TokenSource(ctx, &oauth2.Token{RefreshToken: tok.RefreshToken}).Token()
	if err != nil {
		t.Fatalf("refresh: %v", err)
	}
	if refreshed.AccessToken == tok.AccessToken || refreshed.RefreshToken == tok.RefreshToken || refreshed.RefreshToken == "" {
		t.Error("refresh did not return a new access and refresh token")
	}

	// The old refresh token stops working.
	_, err = cfg.TokenSource(ctx, &oauth2.Token{RefreshToken: tok.RefreshToken}).Token()
	rerr := retrieveError(t, err)
	if rerr.Response.StatusCode != http.StatusBadRequest || rerr.ErrorCode != "invalid_grant" {
		t.Errorf("old refresh token: %d %q, want 400 invalid_grant", rerr.Response.StatusCode, rerr.ErrorCode)
	}
	if !strings.Contains(string(rerr.Body), `"reason":"Invalid Token!"`) {
		t.Errorf("old refresh token body = %s, want reason Invalid Token!", rerr.Body)
	}

	// Access tokens issued before the refresh stay valid until they expire.
	for name, access := range map[string]string{"old": tok.AccessToken, "new": refreshed.AccessToken} {
		if res := getPresence(t, http.DefaultClient, sim.APIURL(), access); res.status != http.StatusOK {
			t.Errorf("GET with the %s access token: status = %d, want 200", name, res.status)
		}
	}

	// The new refresh token works once more.
	if _, err := cfg.TokenSource(ctx, &oauth2.Token{RefreshToken: refreshed.RefreshToken}).Token(); err != nil {
		t.Errorf("refresh with the new refresh token: %v", err)
	}

	sim.ExpireTokens()
	for _, access := range []string{tok.AccessToken, refreshed.AccessToken} {
		wantError(t, getPresence(t, http.DefaultClient, sim.APIURL(), access), http.StatusUnauthorized, 124)
	}
}

func TestOAuthExpiredTokenRefresh(t *testing.T) {
	sim := startServer(t, zoomsim.Options{ClientID: "public-app"})
	cfg := oauthConfig(sim.OAuthURL(), "public-app", "", oauth2.AuthStyleInParams)
	tok, _ := signIn(t, sim, cfg)

	sim.ExpireTokens()
	wantError(t, getPresence(t, http.DefaultClient, sim.APIURL(), tok.AccessToken), http.StatusUnauthorized, 124)

	// The oauth2 token source refreshes a token whose expiry has passed.
	tok.Expiry = time.Now().Add(-time.Minute)
	client := cfg.Client(t.Context(), tok)
	if res := getPresence(t, client, sim.APIURL(), ""); res.status != http.StatusOK {
		t.Errorf("GET through a refreshing client: status = %d, want 200", res.status)
	}
}

func TestOAuthConfidential(t *testing.T) {
	const secret = "s3cret/with+symbols"
	sim := startServer(t, zoomsim.Options{ClientID: "private-app", ClientSecret: secret})

	cases := []struct {
		name  string
		style oauth2.AuthStyle
		pkce  bool
	}{
		{"basic with PKCE", oauth2.AuthStyleInHeader, true},
		{"basic without PKCE", oauth2.AuthStyleInHeader, false},
		{"form secret", oauth2.AuthStyleInParams, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cfg := oauthConfig(sim.OAuthURL(), "private-app", secret, tc.style)
			verifier := oauth2.GenerateVerifier()
			var authOpts, exchangeOpts []oauth2.AuthCodeOption
			if tc.pkce {
				authOpts = append(authOpts, oauth2.S256ChallengeOption(verifier))
				exchangeOpts = append(exchangeOpts, oauth2.VerifierOption(verifier))
			}

			code, _ := authorize(t, http.DefaultClient, cfg.AuthCodeURL("s", authOpts...))
			tok, err := cfg.Exchange(t.Context(), code, exchangeOpts...)
			if err != nil {
				t.Fatalf("Exchange: %v", err)
			}
			if _, err := cfg.TokenSource(t.Context(), &oauth2.Token{RefreshToken: tok.RefreshToken}).Token(); err != nil {
				t.Errorf("refresh: %v", err)
			}
		})
	}

	t.Run("wrong secret", func(t *testing.T) {
		cfg := oauthConfig(sim.OAuthURL(), "private-app", secret, oauth2.AuthStyleInHeader)
		code, _ := authorize(t, http.DefaultClient, cfg.AuthCodeURL("s"))
		form := url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {redirectURL}}

		res := postForm(t, sim.OAuthURL()+"/oauth/token", form, "private-app", "wrong")

		wantOAuthError(t, res, http.StatusUnauthorized, "invalid_client")
		if got := res.header.Get("WWW-Authenticate"); !strings.HasPrefix(got, "Basic") {
			t.Errorf("WWW-Authenticate = %q, want a Basic challenge", got)
		}
	})

	t.Run("no secret", func(t *testing.T) {
		cfg := oauthConfig(sim.OAuthURL(), "private-app", "", oauth2.AuthStyleInParams)
		code, _ := authorize(t, http.DefaultClient, cfg.AuthCodeURL("s"))
		form := url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {redirectURL}, "client_id": {"private-app"}}

		wantOAuthError(t, postForm(t, sim.OAuthURL()+"/oauth/token", form, "", ""), http.StatusUnauthorized, "invalid_client")
	})
}

func TestAuthorizeInvalid(t *testing.T) {
	sim := startServer(t, zoomsim.Options{ClientID: "app", RedirectURL: redirectURL})
	challenge := oauth2.S256ChallengeFromVerifier(oauth2.GenerateVerifier())
	valid := url.Values{
		"response_type":         {"code"},
		"client_id":             {"app"},
		"redirect_uri":          {redirectURL},
		"state":                 {"xyz"},
		"code_challenge":        {challenge},
		"code_challenge_method": {"S256"},
	}

	cases := []struct {
		name  string
		key   string
		value string // "" removes the parameter
	}{
		{"missing client_id", "client_id", ""},
		{"unknown client_id", "client_id", "other-app"},
		{"missing redirect_uri", "redirect_uri", ""},
		{"other port", "redirect_uri", "http://127.0.0.1:53683/callback"},
		{"other path", "redirect_uri", "http://127.0.0.1:53682/other"},
		{"other host", "redirect_uri", "http://localhost:53682/callback"},
		{"missing response_type", "response_type", ""},
		{"token response_type", "response_type", "token"},
		{"missing state", "state", ""},
		{"missing challenge", "code_challenge", ""},
		{"missing method", "code_challenge_method", ""},
		{"plain method", "code_challenge_method", "plain"},
		{"short challenge", "code_challenge", "abc"},
		{"padded challenge", "code_challenge", challenge + "="},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			query := url.Values{}
			for k, v := range valid {
				query[k] = v
			}
			if tc.value == "" {
				query.Del(tc.key)
			} else {
				query.Set(tc.key, tc.value)
			}

			res := send(t, sim.HTTPClient(), http.MethodGet, sim.OAuthURL()+"/oauth/authorize?"+query.Encode(), "", "", "")

			if res.status != http.StatusBadRequest {
				t.Errorf("status = %d, want 400; body %s", res.status, res.body)
			}
			if got := res.header.Get("Location"); got != "" {
				t.Errorf("Location = %q, want no redirect", got)
			}
			if len(res.body) == 0 {
				t.Error("error page is empty")
			}
		})
	}

	res := send(t, sim.HTTPClient(), http.MethodGet, sim.OAuthURL()+"/oauth/authorize?"+valid.Encode(), "", "", "")
	if res.status != http.StatusFound {
		t.Errorf("valid request: status = %d, want 302; body %s", res.status, res.body)
	}
}

func TestAuthorizeAnyRedirect(t *testing.T) {
	sim := startServer(t, zoomsim.Options{})
	cfg := oauthConfig(sim.OAuthURL(), "any-client", "", oauth2.AuthStyleInParams)
	cfg.RedirectURL = "http://127.0.0.1:40000/cb?keep=1"
	verifier := oauth2.GenerateVerifier()

	res := send(t, sim.HTTPClient(), http.MethodGet, cfg.AuthCodeURL("st", oauth2.S256ChallengeOption(verifier)), "", "", "")

	if res.status != http.StatusFound {
		t.Fatalf("status = %d, want 302; body %s", res.status, res.body)
	}
	location, err := url.Parse(res.header.Get("Location"))
	if err != nil {
		t.Fatal(err)
	}
	if location.Host != "127.0.0.1:40000" || location.Path != "/cb" {
		t.Errorf("redirected to %s, want http://127.0.0.1:40000/cb", location)
	}
	query := location.Query()
	if query.Get("keep") != "1" || query.Get("state") != "st" || query.Get("code") == "" {
		t.Errorf("redirect query = %v, want keep=1, state=st and a code", query)
	}
}

func TestAuthorizeDenied(t *testing.T) {
	sim := startServer(t, zoomsim.Options{})
	sim.DenyAuthorization(true)
	cfg := oauthConfig(sim.OAuthURL(), "app", "", oauth2.AuthStyleInParams)
	verifier := oauth2.GenerateVerifier()

	res := send(t, sim.HTTPClient(), http.MethodGet, cfg.AuthCodeURL("st", oauth2.S256ChallengeOption(verifier)), "", "", "")

	if res.status != http.StatusFound {
		t.Fatalf("status = %d, want 302; body %s", res.status, res.body)
	}
	location, err := url.Parse(res.header.Get("Location"))
	if err != nil {
		t.Fatal(err)
	}
	query := location.Query()
	if query.Get("error") != "access_denied" || query.Get("state") != "st" || query.Has("code") {
		t.Errorf("redirect query = %v, want error=access_denied, state=st and no code", query)
	}

	sim.DenyAuthorization(false)
	if code, _ := authorize(t, http.DefaultClient, cfg.AuthCodeURL("st", oauth2.S256ChallengeOption(verifier))); code == "" {
		t.Error("after DenyAuthorization(false), the redirect has no code")
	}
}

func TestTokenInvalid(t *testing.T) {
	sim := startServer(t, zoomsim.Options{ClientID: "app"})
	cfg := oauthConfig(sim.OAuthURL(), "app", "", oauth2.AuthStyleInParams)
	tokenURL := sim.OAuthURL() + "/oauth/token"

	// exchangeForm returns a valid exchange form for a new code.
	exchangeForm := func(t *testing.T) url.Values {
		verifier := oauth2.GenerateVerifier()
		code, _ := authorize(t, http.DefaultClient, cfg.AuthCodeURL("s", oauth2.S256ChallengeOption(verifier)))
		return url.Values{
			"grant_type":    {"authorization_code"},
			"code":          {code},
			"redirect_uri":  {redirectURL},
			"code_verifier": {verifier},
			"client_id":     {"app"},
		}
	}

	cases := []struct {
		name   string
		change func(form url.Values)
		user   string // HTTP Basic user, none when empty
		status int
		code   string
	}{
		{"unknown code", func(f url.Values) { f.Set("code", "not-a-code") }, "", 400, "invalid_grant"},
		{"missing code", func(f url.Values) { f.Del("code") }, "", 400, "invalid_request"},
		{"wrong verifier", func(f url.Values) { f.Set("code_verifier", oauth2.GenerateVerifier()) }, "", 400, "invalid_grant"},
		{"missing verifier", func(f url.Values) { f.Del("code_verifier") }, "", 400, "invalid_grant"},
		{"short verifier", func(f url.Values) { f.Set("code_verifier", "short") }, "", 400, "invalid_grant"},
		{"redirect mismatch", func(f url.Values) { f.Set("redirect_uri", "http://127.0.0.1:1/other") }, "", 400, "invalid_grant"},
		{"missing redirect", func(f url.Values) { f.Del("redirect_uri") }, "", 400, "invalid_grant"},
		{"other client", func(f url.Values) { f.Set("client_id", "other") }, "", 401, "invalid_client"},
		{"missing client", func(f url.Values) { f.Del("client_id") }, "", 401, "invalid_client"},
		{"secret from public client", func(f url.Values) { f.Set("client_secret", "x") }, "", 401, "invalid_client"},
		{"basic from public client", func(url.Values) {}, "app", 401, "invalid_client"},
		{"missing grant type", func(f url.Values) { f.Del("grant_type") }, "", 400, "invalid_request"},
		{"password grant", func(f url.Values) { f.Set("grant_type", "password") }, "", 400, "unsupported_grant_type"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			form := exchangeForm(t)
			tc.change(form)

			res := postForm(t, tokenURL, form, tc.user, "")

			wantOAuthError(t, res, tc.status, tc.code)
			if got := res.header.Get("Content-Type"); !strings.HasPrefix(got, "application/json") {
				t.Errorf("Content-Type = %q, want application/json", got)
			}
		})
	}

	t.Run("failed attempt uses up the code", func(t *testing.T) {
		form := exchangeForm(t)
		verifier := form.Get("code_verifier")
		form.Set("code_verifier", oauth2.GenerateVerifier())
		wantOAuthError(t, postForm(t, tokenURL, form, "", ""), 400, "invalid_grant")

		form.Set("code_verifier", verifier)
		wantOAuthError(t, postForm(t, tokenURL, form, "", ""), 400, "invalid_grant")
	})

	t.Run("query string", func(t *testing.T) {
		form := exchangeForm(t)
		res := sendAuth(t, http.DefaultClient, http.MethodPost, tokenURL+"?"+form.Encode(), "", "application/x-www-form-urlencoded", "")
		wantOAuthError(t, res, 400, "invalid_request")
	})

	t.Run("JSON body", func(t *testing.T) {
		form := exchangeForm(t)
		body, _ := json.Marshal(map[string]string{"grant_type": "authorization_code", "code": form.Get("code"), "client_id": "app"})
		res := sendAuth(t, http.DefaultClient, http.MethodPost, tokenURL, "", "application/json", string(body))
		wantOAuthError(t, res, 400, "invalid_request")
	})

	t.Run("missing refresh token", func(t *testing.T) {
		form := url.Values{"grant_type": {"refresh_token"}, "client_id": {"app"}}
		wantOAuthError(t, postForm(t, tokenURL, form, "", ""), 400, "invalid_request")
	})

	t.Run("refresh token of other client", func(t *testing.T) {
		other := startServer(t, zoomsim.Options{})
		otherCfg := oauthConfig(other.OAuthURL(), "app-one", "", oauth2.AuthStyleInParams)
		tok, _ := signIn(t, other, otherCfg)

		form := url.Values{"grant_type": {"refresh_token"}, "client_id": {"app-two"}, "refresh_token": {tok.RefreshToken}}
		wantOAuthError(t, postForm(t, other.OAuthURL()+"/oauth/token", form, "", ""), 400, "invalid_grant")

		form.Set("client_id", "app-one")
		if res := postForm(t, other.OAuthURL()+"/oauth/token", form, "", ""); res.status != http.StatusOK {
			t.Errorf("refresh by its own client: status = %d, want 200; body %s", res.status, res.body)
		}
	})
}

func TestAuthCodeLifetime(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sim := zoomsim.New(zoomsim.Options{})
		client := sim.HTTPClient()
		cfg := oauthConfig(inProcessOAuth, "app", "", oauth2.AuthStyleInParams)
		ctx := context.WithValue(t.Context(), oauth2.HTTPClient, client)

		early := oauth2.GenerateVerifier()
		earlyCode, _ := authorize(t, client, cfg.AuthCodeURL("s", oauth2.S256ChallengeOption(early)))
		late := oauth2.GenerateVerifier()
		lateCode, _ := authorize(t, client, cfg.AuthCodeURL("s", oauth2.S256ChallengeOption(late)))

		time.Sleep(zoomsim.AuthCodeLifetime - time.Second)
		if _, err := cfg.Exchange(ctx, earlyCode, oauth2.VerifierOption(early)); err != nil {
			t.Errorf("Exchange one second before the code expires: %v", err)
		}

		time.Sleep(time.Second)
		_, err := cfg.Exchange(ctx, lateCode, oauth2.VerifierOption(late))
		rerr := retrieveError(t, err)
		if rerr.ErrorCode != "invalid_grant" || !strings.Contains(string(rerr.Body), "expired") {
			t.Errorf("Exchange of an expired code: %q %s, want invalid_grant saying expired", rerr.ErrorCode, rerr.Body)
		}
	})
}

func TestAccessTokenRefreshInProcess(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sim := zoomsim.New(zoomsim.Options{ClientID: "app"})
		client := sim.HTTPClient()
		cfg := oauthConfig(inProcessOAuth, "app", "", oauth2.AuthStyleInParams)
		ctx := context.WithValue(t.Context(), oauth2.HTTPClient, client)
		tok := sim.IssueToken()

		time.Sleep(zoomsim.DefaultTokenLifetime)
		wantError(t, getPresence(t, client, inProcessBase, tok.AccessToken), http.StatusUnauthorized, 124)

		fresh, err := cfg.TokenSource(ctx, tok).Token()
		if err != nil {
			t.Fatalf("refresh after expiry: %v", err)
		}
		if want := time.Now().Add(zoomsim.DefaultTokenLifetime); !fresh.Expiry.Equal(want) {
			t.Errorf("refreshed Expiry = %v, want %v", fresh.Expiry, want)
		}
		if res := getPresence(t, client, inProcessBase, fresh.AccessToken); res.status != http.StatusOK {
			t.Errorf("GET with the refreshed token: status = %d, want 200", res.status)
		}
	})
}

func TestRevoke(t *testing.T) {
	sim := startServer(t, zoomsim.Options{ClientID: "app"})
	cfg := oauthConfig(sim.OAuthURL(), "app", "", oauth2.AuthStyleInParams)
	revokeURL := sim.OAuthURL() + "/oauth/revoke"

	t.Run("access token", func(t *testing.T) {
		tok, _ := signIn(t, sim, cfg)

		res := postForm(t, revokeURL, url.Values{"client_id": {"app"}, "token": {tok.AccessToken}}, "", "")

		if res.status != http.StatusOK || strings.TrimSpace(string(res.body)) != `{"status":"success"}` {
			t.Fatalf("revoke = %d %s, want 200 {\"status\":\"success\"}", res.status, res.body)
		}
		wantError(t, getPresence(t, http.DefaultClient, sim.APIURL(), tok.AccessToken), http.StatusUnauthorized, 124)
		_, err := cfg.TokenSource(t.Context(), &oauth2.Token{RefreshToken: tok.RefreshToken}).Token()
		if rerr := retrieveError(t, err); rerr.ErrorCode != "invalid_grant" {
			t.Errorf("refresh after revoke: %q, want invalid_grant", rerr.ErrorCode)
		}
	})

	t.Run("refresh token", func(t *testing.T) {
		tok, _ := signIn(t, sim, cfg)
		other, _ := signIn(t, sim, cfg)

		res := postForm(t, revokeURL, url.Values{"client_id": {"app"}, "token": {tok.RefreshToken}}, "", "")

		if res.status != http.StatusOK {
			t.Fatalf("revoke status = %d, want 200; body %s", res.status, res.body)
		}
		wantError(t, getPresence(t, http.DefaultClient, sim.APIURL(), tok.AccessToken), http.StatusUnauthorized, 124)
		if res := getPresence(t, http.DefaultClient, sim.APIURL(), other.AccessToken); res.status != http.StatusOK {
			t.Errorf("token of another sign-in: status = %d, want 200", res.status)
		}
	})

	t.Run("token in query", func(t *testing.T) {
		tok, _ := signIn(t, sim, cfg)

		res := sendAuth(t, http.DefaultClient, http.MethodPost, revokeURL+"?token="+url.QueryEscape(tok.AccessToken), "",
			"application/x-www-form-urlencoded", "client_id=app")

		wantOAuthError(t, res, http.StatusBadRequest, "invalid_request")
		if res := getPresence(t, http.DefaultClient, sim.APIURL(), tok.AccessToken); res.status != http.StatusOK {
			t.Errorf("token after a rejected revoke: status = %d, want 200", res.status)
		}
	})

	t.Run("missing client", func(t *testing.T) {
		tok, _ := signIn(t, sim, cfg)

		res := postForm(t, revokeURL, url.Values{"token": {tok.AccessToken}}, "", "")

		wantOAuthError(t, res, http.StatusUnauthorized, "invalid_client")
	})

	t.Run("missing token", func(t *testing.T) {
		wantOAuthError(t, postForm(t, revokeURL, url.Values{"client_id": {"app"}}, "", ""), http.StatusBadRequest, "invalid_request")
	})

	t.Run("unknown token", func(t *testing.T) {
		res := postForm(t, revokeURL, url.Values{"client_id": {"app"}, "token": {"not-a-token"}}, "", "")
		if res.status != http.StatusOK {
			t.Errorf("revoke of an unknown token: status = %d, want 200", res.status)
		}
	})
}

func TestRevokeConfidential(t *testing.T) {
	sim := startServer(t, zoomsim.Options{ClientID: "app", ClientSecret: "secret"})
	tok := sim.IssueToken()
	revokeURL := sim.OAuthURL() + "/oauth/revoke"

	wantOAuthError(t, postForm(t, revokeURL, url.Values{"token": {tok.AccessToken}}, "app", "wrong"), http.StatusUnauthorized, "invalid_client")

	if res := postForm(t, revokeURL, url.Values{"token": {tok.AccessToken}}, "app", "secret"); res.status != http.StatusOK {
		t.Fatalf("revoke with Basic auth: status = %d, want 200; body %s", res.status, res.body)
	}
	wantError(t, getPresence(t, http.DefaultClient, sim.APIURL(), tok.AccessToken), http.StatusUnauthorized, 124)
}

func TestTokenSize(t *testing.T) {
	cases := []struct {
		size int
		want int
	}{
		{0, zoomsim.DefaultTokenSize},
		{10, zoomsim.MinTokenSize},
		{3000, 3000},
	}
	for _, tc := range cases {
		sim := startServer(t, zoomsim.Options{TokenSize: tc.size})
		cfg := oauthConfig(sim.OAuthURL(), "app", "", oauth2.AuthStyleInParams)

		tok, _ := signIn(t, sim, cfg)
		issued := sim.IssueToken()

		for _, got := range []string{tok.AccessToken, tok.RefreshToken, issued.AccessToken, issued.RefreshToken} {
			if len(got) != tc.want {
				t.Errorf("TokenSize %d: token has %d characters, want %d", tc.size, len(got), tc.want)
			}
		}
		if tok.AccessToken == issued.AccessToken || tok.RefreshToken == tok.AccessToken {
			t.Errorf("TokenSize %d: tokens repeat", tc.size)
		}
		if res := getPresence(t, http.DefaultClient, sim.APIURL(), tok.AccessToken); res.status != http.StatusOK {
			t.Errorf("TokenSize %d: GET status = %d, want 200", tc.size, res.status)
		}
	}
}
