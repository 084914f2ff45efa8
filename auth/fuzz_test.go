package auth

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"golang.org/x/oauth2"
)

// fuzzSecret marks values in fuzz inputs that must never reach an error
// text or a page. It is long enough not to appear by chance.
const fuzzSecret = "SECRETxq7Zp2Lk9"

func FuzzCallback(f *testing.F) {
	f.Add("code=" + fuzzSecret + "&state=s1")
	f.Add("error=access_denied&state=s1")
	f.Add("error=server_error&error_description=%3Cb%3Eoops%3C%2Fb%3E&state=s1")
	f.Add("state=s1&state=s2&code=" + fuzzSecret)
	f.Add("state=s2&state=s1&code=x")
	f.Add("%zz&state=s1&code=x")
	f.Add("state=s1;code=x")
	f.Add("state=S1&code=x")
	f.Add("")

	f.Fuzz(func(t *testing.T, rawQuery string) {
		h := &callbackHandler{
			host:     "127.0.0.1:47613",
			path:     "/callback",
			state:    "s1",
			log:      slog.New(slog.DiscardHandler),
			accepted: make(chan callback, 1),
			done:     make(chan struct{}),
		}
		// An accepted request waits for the flow's result; give it one.
		h.finish(pageFailed)

		req := httptest.NewRequest(http.MethodGet, "http://127.0.0.1:47613/callback", nil)
		req.URL.RawQuery = rawQuery
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)

		query, _ := url.ParseQuery(rawQuery)
		stateMatches := query.Get("state") == "s1"
		select {
		case cb := <-h.accepted:
			if !stateMatches {
				t.Fatalf("query %q accepted with state %q, want it rejected", rawQuery, query.Get("state"))
			}
			if cb.code != query.Get("code") {
				t.Errorf("accepted code %q, want %q", cb.code, query.Get("code"))
			}
			if err := cb.err(); err != nil && cb.code != "" && strings.Contains(err.Error(), cb.code) && !strings.Contains(cb.errorCode+cb.errorDescription, cb.code) {
				t.Errorf("error %q contains the authorization code", err)
			}
		default:
			if stateMatches {
				t.Fatalf("query %q with the right state was not accepted", rawQuery)
			}
			if rec.Code != http.StatusBadRequest {
				t.Errorf("rejected callback got HTTP %d, want 400", rec.Code)
			}
		}

		body := rec.Body.String()
		if len(body) > 1024 {
			t.Errorf("page is %d bytes, want a small page", len(body))
		}
		if strings.Contains(body, fuzzSecret) {
			t.Errorf("page %q repeats a value from the query", body)
		}
	})
}

func FuzzTokenResponse(f *testing.F) {
	f.Add(200, "application/json", `{"access_token":"`+fuzzSecret+`","token_type":"bearer","refresh_token":"r`+fuzzSecret+`","expires_in":3599}`)
	f.Add(400, "application/json", `{"reason":"Invalid Token!","error":"invalid_grant","refresh_token":"`+fuzzSecret+`"}`)
	f.Add(401, "application/json", `{"error":"invalid_client","error_description":"bad `+strings.Repeat("x", 300)+`"}`)
	f.Add(200, "application/x-www-form-urlencoded", "access_token="+fuzzSecret+"&token_type=bearer&expires_in=abc")
	f.Add(200, "application/json", `{"access_token":"","expires_in":"60"}`)
	f.Add(500, "text/html", "<html>"+fuzzSecret+"</html>")
	f.Add(200, "application/json", `{"access_token":`)
	f.Add(302, "", "")

	f.Fuzz(func(t *testing.T, status int, contentType, body string) {
		status = 200 + (status%400+400)%400 // 200 to 599
		if status >= 300 && status < 400 {
			status += 100 // a redirect without Location only confuses the client
		}
		// The handler serves each request in memory, so that each input costs no
		// socket and the fuzzer runs thousands of inputs a second.
		handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", contentType)
			w.WriteHeader(status)
			_, _ = w.Write([]byte(body))
		})
		client := &http.Client{Transport: handlerTransport{handler}}
		ctx := context.WithValue(context.Background(), oauth2.HTTPClient, client)

		cfg := Config{ClientID: "client", RedirectURL: "http://127.0.0.1:47613/callback", OAuthURL: "http://127.0.0.1:1"}
		tok, err := cfg.OAuth2().Exchange(ctx, "code-"+fuzzSecret)
		if err == nil {
			if tok.AccessToken == "" {
				t.Errorf("Exchange returned no error and no access token for %q", body)
			}
			return
		}

		err = sanitizeTokenError(err)
		text := err.Error()
		if strings.Contains(text, "code-"+fuzzSecret) {
			t.Errorf("error %q contains the authorization code", text)
		}
		// The server's error and description may repeat anything, so only
		// a secret outside those fields must stay out of the error.
		var fields struct {
			Error       string `json:"error"`
			Description string `json:"error_description"`
			Reason      string `json:"reason"`
		}
		_ = json.Unmarshal([]byte(body), &fields)
		form, _ := url.ParseQuery(body)
		echoed := fields.Error + fields.Description + fields.Reason + form.Get("error") + form.Get("error_description")
		if strings.Contains(text, fuzzSecret) && !strings.Contains(echoed, fuzzSecret) {
			t.Errorf("error %q contains a token from the response body", text)
		}
		if len(text) > 2*maxDescriptionLen+len(echoed)+200 {
			t.Errorf("error is %d bytes long", len(text))
		}
	})
}

// handlerTransport is an http.RoundTripper that serves each request with
// an http.Handler in memory.
type handlerTransport struct{ handler http.Handler }

func (t handlerTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	rec := httptest.NewRecorder()
	t.handler.ServeHTTP(rec, req)
	resp := rec.Result()
	resp.Request = req
	return resp, nil
}
