package auth

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"golang.org/x/oauth2"
)

// revokeTimeout bounds one revoke request, so that signing out waits at
// most this long for an unreachable server.
const revokeTimeout = 10 * time.Second

// revoke sends a revoke request for tok to Zoom and logs the outcome. Zoom's revoke
// endpoint takes the access token. If that fails, for example because the
// access token has expired, revoke tries the refresh token.
func (s *Session) revoke(ctx context.Context, tok *oauth2.Token) {
	for _, candidate := range []struct{ kind, value string }{
		{"access", tok.AccessToken},
		{"refresh", tok.RefreshToken},
	} {
		if candidate.value == "" {
			continue
		}
		err := revokeToken(s.withHTTPClient(ctx), s.cfg, candidate.value)
		if err == nil {
			s.log.Info("Revoked the Zoom token", "token_kind", candidate.kind)
			return
		}
		s.log.Warn("Could not revoke the Zoom token; it was deleted locally anyway", "token_kind", candidate.kind, "error", err)
	}
}

// revokeToken posts token to the revoke endpoint, in the form body rather
// than the query string so that it stays out of server logs. The client
// authenticates as at the token endpoint. Like golang.org/x/oauth2, it
// uses the *http.Client in ctx under oauth2.HTTPClient, if any.
func revokeToken(ctx context.Context, cfg Config, token string) error {
	ctx, cancel := context.WithTimeout(ctx, revokeTimeout)
	defer cancel()

	form := url.Values{"token": {token}}
	if cfg.ClientSecret == "" {
		form.Set("client_id", cfg.ClientID)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, cfg.revokeURL(), strings.NewReader(form.Encode()))
	if err != nil {
		return fmt.Errorf("revoke the Zoom token at %s: %w", cfg.revokeURL(), err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if cfg.ClientSecret != "" {
		// RFC 6749 section 2.3.1 form-encodes both values before Basic
		// encoding, as golang.org/x/oauth2 does at the token endpoint.
		req.SetBasicAuth(url.QueryEscape(cfg.ClientID), url.QueryEscape(cfg.ClientSecret))
	}

	client := http.DefaultClient
	if c, ok := ctx.Value(oauth2.HTTPClient).(*http.Client); ok && c != nil {
		client = c
	}
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("revoke the Zoom token at %s: %w", cfg.revokeURL(), err)
	}
	defer drainAndClose(resp.Body)

	if resp.StatusCode == http.StatusOK {
		return nil
	}
	return fmt.Errorf("revoke the Zoom token at %s: HTTP %d%s", cfg.revokeURL(), resp.StatusCode, revokeErrorDetail(resp.Body))
}

// revokeErrorDetail returns the error code and message of a JSON error
// body as ": code (message)", or "" when there is none. It never returns
// other parts of the body.
func revokeErrorDetail(body io.Reader) string {
	var e struct {
		Error   string `json:"error"`
		Reason  string `json:"reason"`
		Message string `json:"message"`
	}
	if json.NewDecoder(io.LimitReader(body, maxDrainLen)).Decode(&e) != nil {
		return ""
	}
	msg := e.Reason
	if msg == "" {
		msg = e.Message
	}
	var b strings.Builder
	if e.Error != "" {
		b.WriteString(": " + truncate(e.Error, maxErrorTextLen))
	}
	if msg != "" {
		b.WriteString(" (" + truncate(msg, maxErrorTextLen) + ")")
	}
	return b.String()
}
