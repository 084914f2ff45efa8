package auth

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"golang.org/x/oauth2"

	"github.com/zoom-presence/zoom-presence/zoom"
)

func TestConfigOAuth2(t *testing.T) {
	for _, tc := range []struct {
		name      string
		cfg       Config
		wantBase  string
		wantStyle oauth2.AuthStyle
	}{
		{"public", Config{ClientID: "id", OAuthURL: "http://127.0.0.1:9"}, "http://127.0.0.1:9", oauth2.AuthStyleInParams},
		{"confidential", Config{ClientID: "id", ClientSecret: "s", OAuthURL: "http://127.0.0.1:9/"}, "http://127.0.0.1:9", oauth2.AuthStyleInHeader},
		{"default URL", Config{ClientID: "id"}, DefaultOAuthURL, oauth2.AuthStyleInParams},
	} {
		t.Run(tc.name, func(t *testing.T) {
			oc := tc.cfg.OAuth2()

			if oc.Endpoint.AuthURL != tc.wantBase+"/oauth/authorize" {
				t.Errorf("AuthURL = %q", oc.Endpoint.AuthURL)
			}
			if oc.Endpoint.TokenURL != tc.wantBase+"/oauth/token" {
				t.Errorf("TokenURL = %q", oc.Endpoint.TokenURL)
			}
			if tc.cfg.revokeURL() != tc.wantBase+"/oauth/revoke" {
				t.Errorf("revoke URL = %q", tc.cfg.revokeURL())
			}
			if oc.Endpoint.AuthStyle != tc.wantStyle {
				t.Errorf("AuthStyle = %v, want %v", oc.Endpoint.AuthStyle, tc.wantStyle)
			}
			if len(oc.Scopes) != 0 {
				t.Errorf("Scopes = %q, want none by default", oc.Scopes)
			}
		})
	}
}

func TestTokenErrorText(t *testing.T) {
	const secret = "refresh-token-value-3c9e"
	for _, tc := range []struct {
		name string
		in   *oauth2.RetrieveError
		want string
	}{
		{
			name: "Zoom reason",
			in: &oauth2.RetrieveError{
				Response:  &http.Response{StatusCode: 400},
				Body:      []byte(`{"reason":"Invalid Token!","error":"invalid_grant"}`),
				ErrorCode: "invalid_grant",
			},
			want: "OAuth server rejected the request with HTTP 400: invalid_grant (Invalid Token!)",
		},
		{
			name: "description",
			in: &oauth2.RetrieveError{
				Response:         &http.Response{StatusCode: 401},
				ErrorCode:        "invalid_client",
				ErrorDescription: "Invalid client secret.",
			},
			want: "OAuth server rejected the request with HTTP 401: invalid_client (Invalid client secret.)",
		},
		{
			name: "plain body",
			in: &oauth2.RetrieveError{
				Response: &http.Response{StatusCode: 500, Status: "500 Internal Server Error"},
				Body:     []byte("refresh_token=" + secret),
			},
			want: "OAuth server rejected the request with HTTP 500",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := sanitizeTokenError(tc.in)

			if err.Error() != tc.want {
				t.Errorf("Error() = %q, want %q", err, tc.want)
			}
			var re *oauth2.RetrieveError
			if !errors.As(err, &re) {
				t.Errorf("the RetrieveError is not reachable through errors.As")
			}
			if strings.Contains(err.Error(), secret) {
				t.Errorf("Error() contains the response body")
			}
		})
	}
}

func TestConfigValidate(t *testing.T) {
	tests := []struct {
		name   string
		config Config
		valid  bool
	}{
		{"loopback redirect", Config{ClientID: "id", RedirectURL: "http://127.0.0.1:47613/callback"}, true},
		{"localhost redirect", Config{ClientID: "id", RedirectURL: "http://localhost:47613/callback", OAuthURL: "http://127.0.0.1:9"}, true},
		{"missing client ID", Config{RedirectURL: "http://127.0.0.1:47613/callback"}, false},
		{"remote redirect", Config{ClientID: "id", RedirectURL: "http://example.com:47613/callback"}, false},
		{"https redirect", Config{ClientID: "id", RedirectURL: "https://127.0.0.1:47613/callback"}, false},
		{"redirect without port", Config{ClientID: "id", RedirectURL: "http://127.0.0.1/callback"}, false},
		{"OAuth URL without scheme", Config{ClientID: "id", RedirectURL: "http://127.0.0.1:47613/callback", OAuthURL: "127.0.0.1:1"}, false},
		{"OAuth URL with another scheme", Config{ClientID: "id", RedirectURL: "http://127.0.0.1:47613/callback", OAuthURL: "ftp://127.0.0.1"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.config.Validate()
			if (err == nil) != tt.valid {
				t.Errorf("Validate() = %v, want valid=%v", err, tt.valid)
			}
		})
	}
}

func TestTokenErrorRetryable(t *testing.T) {
	tests := []struct {
		status int
		code   string
		want   bool
	}{
		{http.StatusServiceUnavailable, "", true},
		{http.StatusInternalServerError, "", true},
		{http.StatusTooManyRequests, "", true},
		{http.StatusBadRequest, "invalid_grant", false},
		{http.StatusUnauthorized, "invalid_client", false},
	}
	for _, tt := range tests {
		err := fmt.Errorf("refresh: %w", &TokenError{StatusCode: tt.status, Code: tt.code})
		wrapped := &url.Error{Op: "Get", URL: "http://127.0.0.1:1/v2/users/me/presence_status", Err: err}
		if got := zoom.IsRetryable(wrapped); got != tt.want {
			t.Errorf("IsRetryable(token error %d %q) = %v, want %v", tt.status, tt.code, got, tt.want)
		}
	}
}
