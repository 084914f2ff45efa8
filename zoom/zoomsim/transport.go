package zoomsim

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
)

// Transport returns an http.RoundTripper that serves each request by
// calling s.ServeHTTP in the calling goroutine, with no network. Under
// testing/synctest the server then reads the bubble's fake clock, so tests
// can wait out update windows, Do not disturb and token lifetimes at once.
//
// The transport ignores the scheme and host of the request URL. Use a
// loopback base URL such as "http://127.0.0.1/v2" anyway, so that a client
// which bypasses the transport by mistake reaches no real host. The
// RoundTripper is safe for concurrent use.
func (s *Server) Transport() http.RoundTripper {
	return inProcessTransport{server: s}
}

// HTTPClient returns an http.Client that uses Transport and does not
// follow redirects. The only redirect the server sends points at the app's
// redirect URL, which the server does not serve, so a caller reads the
// code from the Location header of the 302 response.
func (s *Server) HTTPClient() *http.Client {
	return &http.Client{
		Transport: s.Transport(),
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}
}

type inProcessTransport struct {
	server *Server
}

func (t inProcessTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Body != nil {
		defer req.Body.Close()
	}
	if err := req.Context().Err(); err != nil {
		return nil, err
	}

	// The handler gets a copy shaped like a request that arrived at a
	// server, because a RoundTripper must not modify its request.
	inbound := req.Clone(req.Context())
	if inbound.Body == nil {
		inbound.Body = http.NoBody
	}
	if inbound.Host == "" {
		inbound.Host = req.URL.Host
	}
	inbound.RequestURI = req.URL.RequestURI()
	inbound.RemoteAddr = "127.0.0.1:1"

	rec := httptest.NewRecorder()
	if dropped := serveRecovering(t.server, rec, inbound); dropped {
		return nil, fmt.Errorf("simulated dropped connection: %w", io.ErrUnexpectedEOF)
	}

	// A handler that gave up because the request's context ended wrote
	// nothing, which the recorder would turn into an empty 200.
	if err := req.Context().Err(); err != nil {
		return nil, err
	}

	resp := rec.Result()
	resp.Request = req
	return resp, nil
}

// serveRecovering serves r and reports whether the handler dropped the
// connection by panicking with http.ErrAbortHandler, as net/http
// handlers do. Other panics propagate.
func serveRecovering(h http.Handler, w http.ResponseWriter, r *http.Request) (dropped bool) {
	defer func() {
		if v := recover(); v != nil {
			err, ok := v.(error)
			if !ok || !errors.Is(err, http.ErrAbortHandler) {
				panic(v)
			}
			dropped = true
		}
	}()
	h.ServeHTTP(w, r)
	return false
}
