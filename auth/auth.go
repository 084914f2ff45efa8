// Package auth signs a user in to Zoom with OAuth 2.0 and keeps the
// session alive.
//
// Sign-in uses the authorization code flow with PKCE (RFC 7636) and a
// loopback redirect (RFC 8252): [SignIn] listens on the registered
// redirect URL, opens the browser and exchanges the code. A [Session]
// stores the token in a [Store] (normally the system keyring), refreshes
// it before it expires, saves every new token before using it, and
// revokes it on sign-out.
//
// No function in this package logs a secret or puts one in an error
// message. Secrets are access and refresh tokens, authorization codes,
// PKCE verifiers and client secrets.
package auth

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"golang.org/x/oauth2"
)

// DefaultOAuthURL is Zoom's OAuth server. Its endpoints are
// /oauth/authorize, /oauth/token and /oauth/revoke.
const DefaultOAuthURL = "https://zoom.us"

// DefaultSignInTimeout is how long [SignIn] waits for the browser to come
// back to the redirect URL when [Config.SignInTimeout] is zero. Zoom's
// authorization codes expire after 5 minutes, so waiting longer gains
// nothing.
const DefaultSignInTimeout = 5 * time.Minute

// ErrSignInRequired means that the session has no usable token: no user
// has signed in, the user signed out, or Zoom rejected the refresh token
// (invalid_grant). The app should offer "Sign in to Zoom…" again.
var ErrSignInRequired = errors.New("sign-in to Zoom required")

// ErrSignInDenied means that the user declined the authorization request
// in the browser (the redirect carried error=access_denied).
var ErrSignInDenied = errors.New("sign-in to Zoom was denied in the browser")

// Config describes a Zoom OAuth app and where this program receives the
// browser's redirect.
type Config struct {
	// ClientID is the app's OAuth client ID. For a public client (no
	// ClientSecret) it is the separate public client ID that Zoom shows
	// under "Use Public Client OAuth".
	ClientID string

	// ClientSecret is the app's client secret, or "" for a public client.
	// A public client authenticates with PKCE only and sends client_id in
	// the form body. With a secret, requests to the token and revoke
	// endpoints use HTTP Basic authentication instead.
	ClientSecret string

	// RedirectURL is the loopback redirect URL registered on the Zoom app,
	// such as "http://127.0.0.1:8765/callback". Zoom matches it exactly,
	// so its host, port and path must all equal the registered URL. The
	// host must be 127.0.0.1, ::1 or localhost, and the port must be set.
	RedirectURL string

	// OAuthURL is the base URL of the OAuth server, without a trailing
	// slash. "" means DefaultOAuthURL.
	OAuthURL string

	// Scopes are requested at authorization. Zoom grants the scopes that
	// are configured on the app whatever is requested, so nil is the
	// usual value.
	Scopes []string

	// SignInTimeout bounds how long SignIn waits for the browser to reach
	// the redirect URL. Zero means DefaultSignInTimeout.
	SignInTimeout time.Duration
}

// Validate reports a Config that cannot sign in, so that a bad setting
// fails at start rather than at the first sign-in. It rejects a missing
// client ID and a redirect URL that is not http on a loopback host with a
// port. It also rejects an OAuth URL that is not absolute http or https.
func (c Config) Validate() error {
	if c.ClientID == "" {
		return errors.New("missing Zoom client ID")
	}
	if _, err := parseRedirectURL(c.RedirectURL); err != nil {
		return err
	}

	base, err := url.Parse(c.baseURL())
	if err != nil || (base.Scheme != "http" && base.Scheme != "https") || base.Host == "" {
		return fmt.Errorf("invalid OAuth URL %q: use an absolute http or https URL such as %s", c.OAuthURL, DefaultOAuthURL)
	}
	return nil
}

// OAuth2 returns the golang.org/x/oauth2 form of c, with Zoom's
// authorize and token endpoints under c.OAuthURL and the client
// authentication style fixed: in the form body for a public client, HTTP
// Basic with a secret. Fixing the style avoids the library's
// auto-detection, which would retry a failed code exchange with the other
// style and so send the single-use code twice.
func (c Config) OAuth2() *oauth2.Config {
	style := oauth2.AuthStyleInHeader
	if c.ClientSecret == "" {
		style = oauth2.AuthStyleInParams
	}

	return &oauth2.Config{
		ClientID:     c.ClientID,
		ClientSecret: c.ClientSecret,
		Endpoint: oauth2.Endpoint{
			AuthURL:   c.baseURL() + "/oauth/authorize",
			TokenURL:  c.baseURL() + "/oauth/token",
			AuthStyle: style,
		},
		RedirectURL: c.RedirectURL,
		Scopes:      c.Scopes,
	}
}

func (c Config) baseURL() string {
	if c.OAuthURL == "" {
		return DefaultOAuthURL
	}
	return strings.TrimRight(c.OAuthURL, "/")
}

func (c Config) revokeURL() string {
	return c.baseURL() + "/oauth/revoke"
}

func (c Config) signInTimeout() time.Duration {
	if c.SignInTimeout <= 0 {
		return DefaultSignInTimeout
	}
	return c.SignInTimeout
}

// TokenError is a failed request to the OAuth server's token endpoint. Its
// message contains only the HTTP status, the OAuth error code and the
// server's description. The message never contains the response body,
// unlike that of [oauth2.RetrieveError], which Unwrap returns.
type TokenError struct {
	// StatusCode is the HTTP status of the response, or 0 if unknown.
	StatusCode int

	// Code is the OAuth "error" value, such as "invalid_grant", or "".
	Code string

	// Description is the OAuth "error_description" value or, when that is
	// missing, Zoom's "reason" value, such as "Invalid Token!".
	Description string

	err *oauth2.RetrieveError
}

func (e *TokenError) Error() string {
	var b strings.Builder
	b.WriteString("OAuth server rejected the request")
	if e.StatusCode != 0 {
		fmt.Fprintf(&b, " with HTTP %d", e.StatusCode)
	}
	if e.Code != "" {
		fmt.Fprintf(&b, ": %s", e.Code)
	}
	if e.Description != "" {
		fmt.Fprintf(&b, " (%s)", e.Description)
	}
	return b.String()
}

// Unwrap returns the underlying *oauth2.RetrieveError. Its Error method
// may print the raw response body, so do not log it.
func (e *TokenError) Unwrap() error { return e.err }

// Retryable reports whether the token endpoint failed in a way that a
// later try may fix: a 5xx, a 429 or a 408. A rejected grant or client is
// not retryable.
func (e *TokenError) Retryable() bool {
	switch {
	case e.StatusCode >= 500:
		return true
	case e.StatusCode == http.StatusTooManyRequests, e.StatusCode == http.StatusRequestTimeout:
		return true
	}
	return false
}

// maxDescriptionLen limits how much server-supplied text goes into an
// error message.
const maxDescriptionLen = 200

// sanitizeTokenError replaces an *oauth2.RetrieveError in err with a
// *TokenError. Other errors from the oauth2 package contain no response
// body and pass through unchanged.
func sanitizeTokenError(err error) error {
	var re *oauth2.RetrieveError
	if !errors.As(err, &re) {
		return err
	}

	te := &TokenError{
		Code:        re.ErrorCode,
		Description: re.ErrorDescription,
		err:         re,
	}
	if re.Response != nil {
		te.StatusCode = re.Response.StatusCode
	}
	if te.Description == "" {
		// Zoom puts its message in "reason", for example
		// {"reason":"Invalid Token!","error":"invalid_grant"}.
		var body struct {
			Reason string `json:"reason"`
		}
		if json.Unmarshal(re.Body, &body) == nil {
			te.Description = body.Reason
		}
	}
	te.Description = truncate(te.Description, maxDescriptionLen)
	return te
}

// truncate shortens s to at most n bytes of valid UTF-8, marking a cut
// with an ellipsis.
func truncate(s string, n int) string {
	if len(s) <= n {
		return strings.ToValidUTF8(s, "")
	}
	return strings.ToValidUTF8(s[:n], "") + "…"
}
