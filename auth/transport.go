package auth

import (
	"io"
	"net/http"

	"golang.org/x/oauth2"
)

// maxDrainLen is how much of a 401 response body is read before the
// retry, so that its connection can be reused.
const maxDrainLen = 4 << 10

// transport is the http.RoundTripper of Session.Client.
type transport struct {
	session *Session
}

// RoundTrip sends req with the session's access token. On 401 it
// refreshes the token once and sends req once more, never more often.
func (t *transport) RoundTrip(req *http.Request) (*http.Response, error) {
	tok, err := t.session.token(req.Context(), "")
	if err != nil {
		// A RoundTripper must close the body even when it fails.
		if req.Body != nil {
			req.Body.Close()
		}
		return nil, err
	}

	resp, err := t.send(req, tok, req.Body)
	if err != nil || resp.StatusCode != http.StatusUnauthorized {
		return resp, err
	}

	// Zoom answers 401 (code 124) when it no longer accepts the access
	// token, for example after the user revoked the app or the token
	// expired early. A fresh token usually fixes that.
	canResend := req.Body == nil || req.Body == http.NoBody || req.GetBody != nil
	if !canResend {
		t.session.log.Debug("Zoom rejected the access token; not retrying because the request body cannot be read again",
			"method", req.Method, "path", req.URL.Path)
		return resp, nil
	}
	t.session.log.Debug("Zoom rejected the access token; refreshing it and retrying once",
		"method", req.Method, "path", req.URL.Path)

	body := req.Body
	if req.GetBody != nil {
		body, err = req.GetBody()
		if err != nil {
			t.session.log.Debug("Not retrying a request whose body cannot be read again", "method", req.Method, "path", req.URL.Path, "error", err)
			return resp, nil
		}
	}

	tok2, err := t.session.token(req.Context(), tok.AccessToken)
	if err != nil {
		if body != nil {
			body.Close()
		}
		drainAndClose(resp.Body)
		return nil, err
	}
	drainAndClose(resp.Body)
	return t.send(req, tok2, body)
}

// send sends a copy of req with body and tok's Authorization header. The
// base transport closes body.
func (t *transport) send(req *http.Request, tok *oauth2.Token, body io.ReadCloser) (*http.Response, error) {
	req2 := req.Clone(req.Context())
	req2.Body = body
	tok.SetAuthHeader(req2)
	return t.session.baseTransport().RoundTrip(req2)
}

func drainAndClose(body io.ReadCloser) {
	_, _ = io.Copy(io.Discard, io.LimitReader(body, maxDrainLen))
	_ = body.Close()
}
