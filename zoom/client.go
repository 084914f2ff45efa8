package zoom

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// DefaultBaseURL is the base URL of the Zoom REST API.
const DefaultBaseURL = "https://api.zoom.us/v2"

// presencePath is the presence endpoint of the signed-in user. A
// user-level app must use "me": Zoom rejects another user id from a
// user-level token as an invalid token.
const presencePath = "/users/me/presence_status"

// maxPresenceBody caps the success body that GetPresence reads. Zoom's
// response is under 100 bytes.
const maxPresenceBody = 64 << 10

// Client calls the presence endpoints of the Zoom API for the signed-in
// user. It implements PresenceAPI. Its methods are safe for concurrent
// use.
type Client struct {
	httpClient *http.Client
	baseURL    string
	log        *slog.Logger
}

// NewClient returns a Client that sends requests through httpClient,
// which must add the Authorization header, as an oauth2.Transport does. A
// nil httpClient means http.DefaultClient, and an empty baseURL means
// DefaultBaseURL. baseURL must be an absolute http or https URL with no
// query, such as a simulator's "http://127.0.0.1:8080/v2".
func NewClient(httpClient *http.Client, baseURL string) (*Client, error) {
	if httpClient == nil {
		httpClient = http.DefaultClient
	}
	if baseURL == "" {
		baseURL = DefaultBaseURL
	}

	u, err := url.Parse(baseURL)
	if err != nil {
		return nil, fmt.Errorf("invalid Zoom API base URL %q: %w", baseURL, err)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return nil, fmt.Errorf("invalid Zoom API base URL %q: use an absolute http or https URL without user, query or fragment, such as %s", baseURL, DefaultBaseURL)
	}

	return &Client{
		httpClient: httpClient,
		baseURL:    strings.TrimSuffix(u.String(), "/"),
		log:        slog.Default(),
	}, nil
}

// presenceRequest is the JSON body of a presence update.
type presenceRequest struct {
	Status Status `json:"status"`
	// Duration is the Do not disturb duration in minutes. Zoom takes it
	// for Do not disturb only, and Update.Validate keeps it zero
	// otherwise, so omitempty leaves it out there.
	Duration int `json:"duration,omitempty"`
}

// RequestTimeout bounds each request to Zoom, including a token refresh
// that the HTTP client makes on its way, so that a connection that never
// responds fails as a timeout, which IsRetryable accepts, instead of
// holding every later choice.
const RequestTimeout = 30 * time.Second

// SetPresence sets the signed-in user's status to u with
// PUT /users/me/presence_status. It validates u before sending anything.
// It blocks until Zoom responds, ctx ends or RequestTimeout passes, and
// ctx must live until it returns. Failures from Zoom are *ErrorResponse or *RateLimitError,
// wrapped with the update.
func (c *Client) SetPresence(ctx context.Context, u Update) error {
	if err := u.Validate(); err != nil {
		return fmt.Errorf("set Zoom presence: %w", err)
	}

	body, err := json.Marshal(presenceRequest{Status: u.Status, Duration: u.Minutes})
	if err != nil {
		return fmt.Errorf("encode presence update %s: %w", u, err)
	}

	ctx, cancel := context.WithTimeout(ctx, RequestTimeout)
	defer cancel()

	resp, err := c.do(ctx, http.MethodPut, body)
	if err != nil {
		return fmt.Errorf("set Zoom presence to %s: %w", u, err)
	}
	defer drainAndClose(resp.Body)

	return nil
}

// presenceResponse is the JSON body of a presence read. remaining_time is
// a JSON number of seconds, which the published schema does not restrict
// to integers.
type presenceResponse struct {
	Status        *string  `json:"status"`
	EndTime       string   `json:"end_time"`
	RemainingTime *float64 `json:"remaining_time"`
}

// GetPresence reads the signed-in user's status with
// GET /users/me/presence_status. A status outside the documented list is
// returned as Zoom spells it. It blocks until Zoom responds, ctx ends or
// RequestTimeout passes, and ctx must live until it returns.
func (c *Client) GetPresence(ctx context.Context) (Presence, error) {
	ctx, cancel := context.WithTimeout(ctx, RequestTimeout)
	defer cancel()

	resp, err := c.do(ctx, http.MethodGet, nil)
	if err != nil {
		return Presence{}, fmt.Errorf("read Zoom presence: %w", err)
	}
	defer drainAndClose(resp.Body)

	// Read before decoding, so that a dropped connection stays a network
	// error that IsRetryable accepts, apart from a body that is not JSON.
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxPresenceBody))
	if err != nil {
		return Presence{}, fmt.Errorf("read Zoom presence response: %w", err)
	}

	var body presenceResponse
	if err := json.Unmarshal(data, &body); err != nil {
		return Presence{}, fmt.Errorf("invalid Zoom presence response (HTTP %d): %w", resp.StatusCode, err)
	}

	presence, err := body.presence()
	if err != nil {
		return Presence{}, fmt.Errorf("invalid Zoom presence response (HTTP %d): %w", resp.StatusCode, err)
	}
	return presence, nil
}

// presence converts the JSON body into a Presence.
func (r presenceResponse) presence() (Presence, error) {
	if r.Status == nil || *r.Status == "" {
		return Presence{}, errors.New("missing status")
	}
	presence := Presence{Status: Status(*r.Status)}

	if r.EndTime != "" {
		end, err := time.Parse(time.RFC3339, r.EndTime)
		if err != nil {
			return Presence{}, fmt.Errorf("end_time %q is not an RFC 3339 time: %w", r.EndTime, err)
		}
		presence.EndTime = end.UTC()
	}

	if r.RemainingTime != nil {
		seconds := *r.RemainingTime
		if seconds > math.MaxInt64/float64(time.Second) {
			return Presence{}, fmt.Errorf("remaining_time %g seconds is out of range", seconds)
		}

		// A read just after Do not disturb ends may report a little
		// below zero, which means nothing is left.
		if seconds > 0 {
			presence.Remaining = time.Duration(seconds * float64(time.Second))
		}
	}
	return presence, nil
}

// do sends a request to the presence endpoint and returns the response
// when its status is 2xx. The caller must close the body.
func (c *Client) do(ctx context.Context, method string, body []byte) (*http.Response, error) {
	var reader io.Reader
	if body != nil {
		reader = bytes.NewReader(body)
	}

	req, err := http.NewRequestWithContext(ctx, method, c.baseURL+presencePath, reader)
	if err != nil {
		return nil, fmt.Errorf("build request: %w", err)
	}
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}

	c.log.Debug("zoom request", "method", method, "path", presencePath)
	resp, err := c.httpClient.Do(req)
	if err != nil {
		return nil, err
	}

	if err := CheckResponse(resp, time.Now()); err != nil {
		return nil, err
	}
	c.log.Debug("zoom response", "method", method, "path", presencePath, "status", resp.StatusCode)
	return resp, nil
}

// drainAndClose reads what is left of a short body so that net/http can
// reuse the connection, then closes it.
func drainAndClose(body io.ReadCloser) {
	_, _ = io.Copy(io.Discard, io.LimitReader(body, maxDrain))
	_ = body.Close()
}
