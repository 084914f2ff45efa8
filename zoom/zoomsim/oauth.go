package zoomsim

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"mime"
	"net/http"
	"net/url"
	"time"

	"golang.org/x/oauth2"
)

// authCodeSize is the length of an authorization code in characters.
const authCodeSize = 32

// authState holds the OAuth codes and tokens. Server.mu guards it.
type authState struct {
	codes   map[string]*authCode
	access  map[string]*accessToken
	refresh map[string]*refreshToken
	// deny makes authorize requests end as if the person declined.
	deny bool
}

func newAuthState() authState {
	return authState{
		codes:   map[string]*authCode{},
		access:  map[string]*accessToken{},
		refresh: map[string]*refreshToken{},
	}
}

// grant is one authorization of the app by the user. Every token issued
// from one authorization code, through any number of refreshes, shares it.
type grant struct {
	// clientID is the client that the grant belongs to, or "" for a token
	// from IssueToken when Options.ClientID is empty, which any client may
	// use.
	clientID string
}

func (g *grant) allows(clientID string) bool {
	return g.clientID == "" || g.clientID == clientID
}

type authCode struct {
	clientID    string
	redirectURI string
	// challenge is the S256 PKCE code challenge, or "" when the client
	// sent none.
	challenge string
	expiry    time.Time
}

type accessToken struct {
	grant  *grant
	expiry time.Time
}

type refreshToken struct {
	grant *grant
}

type tokenState int

const (
	tokenValid tokenState = iota
	tokenUnknown
	tokenExpired
)

func (a *authState) checkAccess(token string, now time.Time) tokenState {
	t, ok := a.access[token]
	switch {
	case !ok:
		return tokenUnknown
	case !now.Before(t.expiry):
		return tokenExpired
	default:
		return tokenValid
	}
}

// revokeGrant deletes every token of g.
func (a *authState) revokeGrant(g *grant) {
	for token, t := range a.access {
		if t.grant == g {
			delete(a.access, token)
		}
	}
	for token, t := range a.refresh {
		if t.grant == g {
			delete(a.refresh, token)
		}
	}
}

// oauthError is an error response of the token or revoke endpoint, in
// Zoom's form: {"reason":"Invalid Token!","error":"invalid_grant"}.
type oauthError struct {
	status int
	// code is the RFC 6749 error code, such as "invalid_grant".
	code   string
	reason string
	// basicAuth adds a WWW-Authenticate challenge, which RFC 6749 requires
	// when a client that used HTTP Basic fails to authenticate.
	basicAuth bool
}

func badRequest(code, reason string) *oauthError {
	return &oauthError{status: http.StatusBadRequest, code: code, reason: reason}
}

func invalidClient(reason string, basicAuth bool) *oauthError {
	return &oauthError{status: http.StatusUnauthorized, code: "invalid_client", reason: reason, basicAuth: basicAuth}
}

func (e *oauthError) write(w http.ResponseWriter) {
	if e.basicAuth {
		w.Header().Set("WWW-Authenticate", `Basic realm="zoomsim"`)
	}
	writeOAuthJSON(w, e.status, map[string]string{"reason": e.reason, "error": e.code})
}

func writeOAuthJSON(w http.ResponseWriter, status int, v any) {
	data, _ := json.Marshal(v)
	w.Header().Set("Content-Type", jsonContentType)
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Pragma", "no-cache")
	w.WriteHeader(status)
	_, _ = w.Write(data)
}

// tokenResponse is the JSON of a successful token request.
type tokenResponse struct {
	AccessToken  string `json:"access_token"`
	TokenType    string `json:"token_type"`
	RefreshToken string `json:"refresh_token"`
	// ExpiresIn is the access token lifetime in seconds.
	ExpiresIn int64  `json:"expires_in"`
	Scope     string `json:"scope"`
}

// handleAuthorize approves every valid request at once, as if the person
// signed in and allowed the app, and redirects to redirect_uri with a code
// and the state. An invalid request gets a 400 page and no redirect, like
// Zoom's error page.
//
// NOTE: The simulator requires state and the S256 PKCE method, which Zoom
// may not enforce, so that tests catch a client without CSRF protection or
// without S256.
func (s *Server) handleAuthorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	clientID := q.Get("client_id")
	redirectURI := q.Get("redirect_uri")
	state := q.Get("state")
	challenge := q.Get("code_challenge")
	method := q.Get("code_challenge_method")

	var problem string
	switch {
	case clientID == "":
		problem = "Missing client_id."
	case s.opts.ClientID != "" && clientID != s.opts.ClientID:
		problem = "Invalid client_id: no app has this client ID."
	case redirectURI == "":
		problem = "Missing redirect_uri (4709)."
	case !isRedirectURL(redirectURI):
		problem = "Invalid redirect: redirect_uri must be an absolute http or https URL without a fragment (4709)."
	case s.opts.RedirectURL != "" && redirectURI != s.opts.RedirectURL:
		problem = "Invalid redirect: redirect_uri does not match the redirect URL registered for the app (4709)."
	case q.Get("response_type") != "code":
		problem = "Unsupported response_type: use response_type=code."
	case state == "":
		problem = "Missing state."
	case challenge == "" && s.opts.ClientSecret == "":
		problem = "Missing code_challenge: a public client must use PKCE."
	case challenge != "" && method != "S256":
		problem = "Unsupported code_challenge_method: use S256."
	case challenge != "" && !isS256Challenge(challenge):
		problem = "Invalid code_challenge: an S256 challenge is 43 base64url characters."
	}
	if problem != "" {
		s.log.Debug("authorize request rejected", "client_id", clientID, "problem", problem)
		http.Error(w, problem, http.StatusBadRequest)
		return
	}

	target, _ := url.Parse(redirectURI)
	params := target.Query()
	params.Set("state", state)

	s.mu.Lock()
	deny := s.auth.deny
	if !deny {
		code := randomString(authCodeSize)
		s.auth.codes[code] = &authCode{
			clientID:    clientID,
			redirectURI: redirectURI,
			challenge:   challenge,
			expiry:      time.Now().Add(AuthCodeLifetime),
		}
		params.Set("code", code)
	}
	s.mu.Unlock()

	if deny {
		params.Set("error", "access_denied")
		s.log.Debug("authorize request denied", "client_id", clientID)
	} else {
		s.log.Debug("authorization code issued", "client_id", clientID)
	}
	target.RawQuery = params.Encode()
	w.Header().Set("Location", target.String())
	w.WriteHeader(http.StatusFound)
}

func isRedirectURL(raw string) bool {
	u, err := url.Parse(raw)
	if err != nil {
		return false
	}
	return (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" && u.Fragment == ""
}

// isS256Challenge reports whether s is base64url of a SHA-256 hash.
func isS256Challenge(s string) bool {
	decoded, err := base64.RawURLEncoding.DecodeString(s)
	return err == nil && len(decoded) == sha256.Size
}

// isVerifier reports whether s is a PKCE code verifier as RFC 7636
// defines it: 43 to 128 characters from A-Z, a-z, 0-9 and "-._~".
func isVerifier(s string) bool {
	if len(s) < 43 || len(s) > 128 {
		return false
	}
	for _, c := range s {
		isLetter := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
		isDigit := c >= '0' && c <= '9'
		if !isLetter && !isDigit && c != '-' && c != '.' && c != '_' && c != '~' {
			return false
		}
	}
	return true
}

func s256(verifier string) string {
	sum := sha256.Sum256([]byte(verifier))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// DenyAuthorization sets whether the authorize endpoint redirects with
// error=access_denied, as when the person declines the app, in place of a
// code.
func (s *Server) DenyAuthorization(deny bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.auth.deny = deny
}

// handleToken serves the authorization_code and refresh_token grants.
func (s *Server) handleToken(w http.ResponseWriter, r *http.Request) {
	resp, oerr := s.token(r, time.Now())
	if oerr != nil {
		s.log.Debug("token request rejected", "grant_type", r.PostForm.Get("grant_type"), "error", oerr.code, "reason", oerr.reason)
		oerr.write(w)
		return
	}
	s.log.Debug("tokens issued", "grant_type", r.PostForm.Get("grant_type"))
	writeOAuthJSON(w, http.StatusOK, resp)
}

func (s *Server) token(r *http.Request, now time.Time) (tokenResponse, *oauthError) {
	if oerr := parseOAuthForm(r); oerr != nil {
		return tokenResponse{}, oerr
	}
	clientID, oerr := s.authenticateClient(r)
	if oerr != nil {
		return tokenResponse{}, oerr
	}

	s.mu.Lock()
	defer s.mu.Unlock()

	switch grantType := r.PostForm.Get("grant_type"); grantType {
	case "authorization_code":
		return s.exchangeCodeLocked(r.PostForm, clientID, now)
	case "refresh_token":
		return s.refreshLocked(r.PostForm, clientID, now)
	case "":
		return tokenResponse{}, badRequest("invalid_request", "Missing grant type.")
	default:
		return tokenResponse{}, badRequest("unsupported_grant_type", "Grant type is not supported from token endpoint.")
	}
}

// parseOAuthForm parses the form body of a token or revoke request.
//
// Zoom's guides have shown token parameters in the query string. The
// simulator rejects any query string, because a secret there ends up in
// proxy and server logs.
func parseOAuthForm(r *http.Request) *oauthError {
	if r.URL.RawQuery != "" {
		return badRequest("invalid_request", "Send the parameters in the form body, not in the query string.")
	}
	mediaType, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mediaType != "application/x-www-form-urlencoded" {
		return badRequest("invalid_request", "Send the parameters as application/x-www-form-urlencoded.")
	}
	if err := r.ParseForm(); err != nil {
		return badRequest("invalid_request", "Invalid form body.")
	}
	return nil
}

// authenticateClient returns the client ID of a token or revoke request.
// A public client names itself with client_id in the form and sends no
// Authorization header. A confidential client sends HTTP Basic
// client_id:secret, or client_id and client_secret in the form.
func (s *Server) authenticateClient(r *http.Request) (string, *oauthError) {
	formID := r.PostForm.Get("client_id")
	formSecret := r.PostForm.Get("client_secret")
	basicID, basicSecret, hasBasic := r.BasicAuth()

	if s.opts.ClientSecret == "" {
		switch {
		case r.Header.Get("Authorization") != "":
			return "", invalidClient("Invalid client: a public client sends client_id in the form and no Authorization header.", hasBasic)
		case formSecret != "":
			return "", invalidClient("Invalid client: a public client has no client secret.", false)
		case formID == "":
			return "", invalidClient("Client ID or client secret is missing.", false)
		case s.opts.ClientID != "" && formID != s.opts.ClientID:
			return "", invalidClient("Invalid client.", false)
		}
		return formID, nil
	}

	clientID, secret := formID, formSecret
	if hasBasic {
		// RFC 6749 has the client URL-encode both parts before Basic
		// encoding, as golang.org/x/oauth2 does.
		clientID, secret = formUnescape(basicID), formUnescape(basicSecret)
		if formID != "" && formID != clientID {
			return "", invalidClient("Client ID does not match authenticated client.", true)
		}
	}
	switch {
	case clientID == "" || secret == "":
		return "", invalidClient("Client ID or client secret is missing.", hasBasic)
	case s.opts.ClientID != "" && clientID != s.opts.ClientID:
		return "", invalidClient("Invalid client.", hasBasic)
	case subtle.ConstantTimeCompare([]byte(secret), []byte(s.opts.ClientSecret)) != 1:
		return "", invalidClient("Invalid client secret.", hasBasic)
	}
	return clientID, nil
}

func formUnescape(s string) string {
	unescaped, err := url.QueryUnescape(s)
	if err != nil {
		return s
	}
	return unescaped
}

// exchangeCodeLocked redeems an authorization code. A code works once: any
// attempt by the client it was issued to uses it up, even one that fails.
func (s *Server) exchangeCodeLocked(form url.Values, clientID string, now time.Time) (tokenResponse, *oauthError) {
	code := form.Get("code")
	if code == "" {
		return tokenResponse{}, badRequest("invalid_request", "Missing code.")
	}
	ac, ok := s.auth.codes[code]
	if !ok || ac.clientID != clientID {
		return tokenResponse{}, badRequest("invalid_grant", "Invalid authorization code")
	}
	delete(s.auth.codes, code)

	if !now.Before(ac.expiry) {
		return tokenResponse{}, badRequest("invalid_grant", "Authorization code is expired.")
	}
	if form.Get("redirect_uri") != ac.redirectURI {
		return tokenResponse{}, badRequest("invalid_grant", "Redirect URI mismatch.")
	}
	if ac.challenge != "" {
		verifier := form.Get("code_verifier")
		switch {
		case verifier == "":
			return tokenResponse{}, badRequest("invalid_grant", "Missing code_verifier.")
		case !isVerifier(verifier) || s256(verifier) != ac.challenge:
			return tokenResponse{}, badRequest("invalid_grant", "Invalid code_verifier.")
		}
	}

	return s.issueLocked(&grant{clientID: clientID}, now), nil
}

// refreshLocked swaps a refresh token for a new access token and a new
// refresh token. The old refresh token stops working at once. Access
// tokens issued before stay valid until they expire.
func (s *Server) refreshLocked(form url.Values, clientID string, now time.Time) (tokenResponse, *oauthError) {
	token := form.Get("refresh_token")
	if token == "" {
		return tokenResponse{}, badRequest("invalid_request", "Missing refresh_token.")
	}
	rt, ok := s.auth.refresh[token]
	if !ok || !rt.grant.allows(clientID) {
		return tokenResponse{}, badRequest("invalid_grant", "Invalid Token!")
	}
	delete(s.auth.refresh, token)

	return s.issueLocked(rt.grant, now), nil
}

func (s *Server) issueLocked(g *grant, now time.Time) tokenResponse {
	access := randomString(s.opts.TokenSize)
	refresh := randomString(s.opts.TokenSize)
	s.auth.access[access] = &accessToken{grant: g, expiry: now.Add(s.opts.TokenLifetime)}
	s.auth.refresh[refresh] = &refreshToken{grant: g}

	return tokenResponse{
		AccessToken:  access,
		TokenType:    "bearer",
		RefreshToken: refresh,
		ExpiresIn:    int64(s.opts.TokenLifetime / time.Second),
		Scope:        s.opts.Scope,
	}
}

// handleRevoke revokes the grant of the access or refresh token in the
// form, so that every token of that sign-in stops working.
//
// Zoom does not document whether revoking one token ends the others
// of the same sign-in. The simulator ends them all, as signing out should,
// and returns success for an unknown token, as RFC 7009 requires.
func (s *Server) handleRevoke(w http.ResponseWriter, r *http.Request) {
	if oerr := s.revoke(r); oerr != nil {
		s.log.Debug("revoke request rejected", "error", oerr.code, "reason", oerr.reason)
		oerr.write(w)
		return
	}
	writeOAuthJSON(w, http.StatusOK, map[string]string{"status": "success"})
}

func (s *Server) revoke(r *http.Request) *oauthError {
	if oerr := parseOAuthForm(r); oerr != nil {
		return oerr
	}
	clientID, oerr := s.authenticateClient(r)
	if oerr != nil {
		return oerr
	}
	token := r.PostForm.Get("token")
	if token == "" {
		return badRequest("invalid_request", "Missing token.")
	}

	s.mu.Lock()
	defer s.mu.Unlock()

	var g *grant
	if t, ok := s.auth.access[token]; ok {
		g = t.grant
	} else if t, ok := s.auth.refresh[token]; ok {
		g = t.grant
	}
	if g == nil || !g.allows(clientID) {
		s.log.Debug("revoke of an unknown token ignored", "client_id", clientID)
		return nil
	}
	s.auth.revokeGrant(g)
	s.log.Debug("grant revoked", "client_id", clientID)
	return nil
}

// ExpireTokens makes every access token issued so far expire now, so that
// the next API call with one fails with 401 and code 124. Refresh tokens
// keep working.
func (s *Server) ExpireTokens() {
	s.mu.Lock()
	defer s.mu.Unlock()

	now := time.Now()
	for _, t := range s.auth.access {
		if t.expiry.After(now) {
			t.expiry = now
		}
	}
	s.log.Debug("access tokens expired", "count", len(s.auth.access))
}

// IssueToken returns a new access and refresh token pair, as if the person
// had just signed in, without the authorize and token requests. Tests use
// it to start signed in. The pair belongs to Options.ClientID, or to any
// client when that is empty.
func (s *Server) IssueToken() *oauth2.Token {
	s.mu.Lock()
	defer s.mu.Unlock()

	now := time.Now()
	resp := s.issueLocked(&grant{clientID: s.opts.ClientID}, now)
	s.log.Debug("tokens issued without sign-in")
	return &oauth2.Token{
		AccessToken:  resp.AccessToken,
		TokenType:    "Bearer",
		RefreshToken: resp.RefreshToken,
		Expiry:       now.Add(s.opts.TokenLifetime),
		ExpiresIn:    resp.ExpiresIn,
	}
}

// randomString returns n random characters from the base64url alphabet.
func randomString(n int) string {
	b := make([]byte, n*3/4+3)
	// Since Go 1.24, crypto/rand.Read never returns an error: it crashes
	// the program when the system's random source fails.
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)[:n]
}
