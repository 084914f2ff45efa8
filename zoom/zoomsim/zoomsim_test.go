package zoomsim_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"golang.org/x/oauth2"

	"github.com/zoom-presence/zoom-presence/zoom"
	"github.com/zoom-presence/zoom-presence/zoom/zoomsim"
)

// inProcessBase is the API base URL for clients that use Transport. The
// transport ignores the host, and a loopback host keeps a client that
// bypasses it by mistake off the network.
const inProcessBase = "http://127.0.0.1/v2"

const presencePath = "/users/me/presence_status"

// startServer starts a simulator on a loopback port and closes it when the
// test ends.
func startServer(t *testing.T, opts zoomsim.Options) *zoomsim.Server {
	t.Helper()

	sim := zoomsim.New(opts)
	if err := sim.Start("127.0.0.1:0"); err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() {
		if err := sim.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return sim
}

// result is a response with its body read.
type result struct {
	status int
	header http.Header
	body   []byte
}

// send sends one request with a bearer token and reads the whole
// response. An empty token sends no Authorization header.
func send(t *testing.T, client *http.Client, method, target, token, contentType, body string) result {
	t.Helper()

	authorization := ""
	if token != "" {
		authorization = "Bearer " + token
	}
	return sendAuth(t, client, method, target, authorization, contentType, body)
}

// sendAuth sends one request with the given Authorization header, none
// when empty, and reads the whole response.
func sendAuth(t *testing.T, client *http.Client, method, target, authorization, contentType, body string) result {
	t.Helper()

	req, err := http.NewRequestWithContext(t.Context(), method, target, strings.NewReader(body))
	if err != nil {
		t.Fatalf("new request %s %s: %v", method, target, err)
	}
	if authorization != "" {
		req.Header.Set("Authorization", authorization)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}

	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, target, err)
	}
	defer resp.Body.Close()

	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("read response of %s %s: %v", method, target, err)
	}
	return result{status: resp.StatusCode, header: resp.Header, body: data}
}

func putPresence(t *testing.T, client *http.Client, base, token, body string) result {
	t.Helper()
	return send(t, client, http.MethodPut, base+presencePath, token, "application/json", body)
}

func getPresence(t *testing.T, client *http.Client, base, token string) result {
	t.Helper()
	return send(t, client, http.MethodGet, base+presencePath, token, "", "")
}

// zoomError decodes a Zoom error body.
func zoomError(t *testing.T, res result) (code int, message string) {
	t.Helper()

	var body struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
	}
	if err := json.Unmarshal(res.body, &body); err != nil {
		t.Fatalf("error body %q is not JSON: %v", res.body, err)
	}
	return body.Code, body.Message
}

// wantError checks the HTTP status and Zoom code of an error response.
func wantError(t *testing.T, res result, status, code int) {
	t.Helper()

	if res.status != status {
		t.Fatalf("status = %d, want %d; body %s", res.status, status, res.body)
	}
	got, message := zoomError(t, res)
	if got != code {
		t.Errorf("code = %d, want %d; message %q", got, code, message)
	}
	if message == "" {
		t.Errorf("error with code %d has an empty message", code)
	}
}

// presenceJSON decodes a GET body into a map, so that tests can check
// which fields are present.
func presenceJSON(t *testing.T, res result) map[string]any {
	t.Helper()

	if res.status != http.StatusOK {
		t.Fatalf("GET status = %d, want 200; body %s", res.status, res.body)
	}
	var fields map[string]any
	if err := json.Unmarshal(res.body, &fields); err != nil {
		t.Fatalf("GET body %q is not a JSON object: %v", res.body, err)
	}
	return fields
}

func TestStartNonLoopback(t *testing.T) {
	for _, addr := range []string{"0.0.0.0:0", ":0", "192.0.2.1:0", "localhost:0", "zoom.us:443", "127.0.0.1"} {
		t.Run(addr, func(t *testing.T) {
			sim := zoomsim.New(zoomsim.Options{})
			if err := sim.Start(addr); err == nil {
				sim.Close()
				t.Fatalf("Start(%q) succeeded, want an error", addr)
			}
			if got := sim.URL(); got != "" {
				t.Errorf("URL after a failed Start = %q, want empty", got)
			}
		})
	}
}

func TestStartURLs(t *testing.T) {
	sim := startServer(t, zoomsim.Options{})

	if !strings.HasPrefix(sim.URL(), "http://127.0.0.1:") {
		t.Errorf("URL = %q, want http://127.0.0.1:PORT", sim.URL())
	}
	if got, want := sim.APIURL(), sim.URL()+"/v2"; got != want {
		t.Errorf("APIURL = %q, want %q", got, want)
	}
	if got, want := sim.OAuthURL(), sim.URL(); got != want {
		t.Errorf("OAuthURL = %q, want %q", got, want)
	}

	res := getPresence(t, http.DefaultClient, sim.APIURL(), sim.IssueToken().AccessToken)
	if res.status != http.StatusOK {
		t.Errorf("GET over loopback status = %d, want 200", res.status)
	}
}

func TestStartTwice(t *testing.T) {
	sim := startServer(t, zoomsim.Options{})

	if err := sim.Start("127.0.0.1:0"); err == nil {
		t.Error("second Start succeeded, want an error")
	}
}

func TestCloseUnstarted(t *testing.T) {
	sim := zoomsim.New(zoomsim.Options{})

	if err := sim.Close(); err != nil {
		t.Errorf("Close before Start: %v", err)
	}
	if got := sim.URL(); got != "" {
		t.Errorf("URL before Start = %q, want empty", got)
	}
}

func TestCloseStopsServing(t *testing.T) {
	sim := zoomsim.New(zoomsim.Options{})
	if err := sim.Start("127.0.0.1:0"); err != nil {
		t.Fatalf("Start: %v", err)
	}
	target := sim.APIURL() + presencePath

	if err := sim.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if err := sim.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}

	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	resp, err := client.Get(target)
	if err == nil {
		resp.Body.Close()
		t.Errorf("GET after Close succeeded with status %d, want a connection error", resp.StatusCode)
	}
}

func TestTransportInProcess(t *testing.T) {
	sim := zoomsim.New(zoomsim.Options{})
	client := sim.HTTPClient()

	res := getPresence(t, client, inProcessBase, "")
	wantError(t, res, http.StatusUnauthorized, 124)

	token := sim.IssueToken().AccessToken
	res = putPresence(t, client, inProcessBase, token, `{"status":"Away"}`)
	if res.status != http.StatusNoContent {
		t.Fatalf("PUT status = %d, want 204; body %s", res.status, res.body)
	}

	requests := sim.Requests()
	if len(requests) != 2 {
		t.Fatalf("recorded %d requests, want 2", len(requests))
	}
	if got := requests[1]; got.Method != http.MethodPut || got.Path != "/v2"+presencePath || got.Status != http.StatusNoContent {
		t.Errorf("second request = %s %s %d, want PUT /v2%s 204", got.Method, got.Path, got.Status, presencePath)
	}
}

func TestTransportCanceledContext(t *testing.T) {
	sim := zoomsim.New(zoomsim.Options{})
	ctx, cancel := context.WithCancel(t.Context())
	cancel()

	req, err := http.NewRequestWithContext(ctx, http.MethodGet, inProcessBase+presencePath, nil)
	if err != nil {
		t.Fatal(err)
	}
	if resp, err := sim.HTTPClient().Do(req); err == nil {
		resp.Body.Close()
		t.Fatal("request with a canceled context succeeded")
	}
	if n := len(sim.Requests()); n != 0 {
		t.Errorf("recorded %d requests, want 0", n)
	}
}

// signIn runs the PKCE flow against sim and returns the token and the
// secrets that the flow used.
func signIn(t *testing.T, sim *zoomsim.Server, cfg *oauth2.Config) (*oauth2.Token, []string) {
	t.Helper()

	verifier := oauth2.GenerateVerifier()
	code, _ := authorize(t, http.DefaultClient, cfg.AuthCodeURL("state-1", oauth2.S256ChallengeOption(verifier)))
	tok, err := cfg.Exchange(t.Context(), code, oauth2.VerifierOption(verifier))
	if err != nil {
		t.Fatalf("Exchange: %v", err)
	}
	return tok, []string{code, verifier, tok.AccessToken, tok.RefreshToken}
}

func TestRequestsRedacted(t *testing.T) {
	const secret = "client-secret-value-0123456789"
	sim := startServer(t, zoomsim.Options{ClientID: "app", ClientSecret: secret})
	cfg := oauthConfig(sim.OAuthURL(), "app", secret, oauth2.AuthStyleInHeader)

	tok, secrets := signIn(t, sim, cfg)
	secrets = append(secrets, secret)

	refreshed, err := cfg.TokenSource(t.Context(), &oauth2.Token{RefreshToken: tok.RefreshToken}).Token()
	if err != nil {
		t.Fatalf("refresh: %v", err)
	}
	secrets = append(secrets, refreshed.AccessToken, refreshed.RefreshToken)

	res := putPresence(t, http.DefaultClient, sim.APIURL(), refreshed.AccessToken, `{"status":"Busy"}`)
	if res.status != http.StatusNoContent {
		t.Fatalf("PUT status = %d, want 204", res.status)
	}

	// A JSON body and a secret in the query string must not reach the
	// record either.
	send(t, http.DefaultClient, http.MethodPost, sim.OAuthURL()+"/oauth/token", "", "application/json",
		`{"grant_type":"refresh_token","refresh_token":"`+refreshed.RefreshToken+`"}`)
	send(t, http.DefaultClient, http.MethodPost, sim.OAuthURL()+"/oauth/revoke?token="+url.QueryEscape(refreshed.AccessToken), "",
		"application/x-www-form-urlencoded", "client_id=app&client_secret="+secret)

	requests := sim.Requests()
	if len(requests) != 6 {
		t.Fatalf("recorded %d requests, want 6", len(requests))
	}
	for i, r := range requests {
		if r.Header.Get("Authorization") != "" {
			t.Errorf("request %d (%s %s) recorded an Authorization header", i, r.Method, r.Path)
		}
		if r.Status == 0 {
			t.Errorf("request %d (%s %s) has no status", i, r.Method, r.Path)
		}
		for _, s := range secrets {
			if strings.Contains(r.Query, s) || bytes.Contains(r.Body, []byte(s)) {
				t.Errorf("request %d (%s %s) recorded a secret: query %q body %q", i, r.Method, r.Path, r.Query, r.Body)
			}
		}
	}

	exchange := requests[1]
	if exchange.Path != "/oauth/token" || exchange.AuthScheme != "Basic" {
		t.Errorf("request 1 = %s with auth scheme %q, want /oauth/token with Basic", exchange.Path, exchange.AuthScheme)
	}
	form, err := url.ParseQuery(string(exchange.Body))
	if err != nil {
		t.Fatalf("recorded token body %q: %v", exchange.Body, err)
	}
	if got := form.Get("grant_type"); got != "authorization_code" {
		t.Errorf("recorded grant_type = %q, want authorization_code", got)
	}
	if got := form.Get("code"); got != "REDACTED" {
		t.Errorf("recorded code = %q, want REDACTED", got)
	}
	if got := form.Get("redirect_uri"); got != cfg.RedirectURL {
		t.Errorf("recorded redirect_uri = %q, want %q", got, cfg.RedirectURL)
	}

	put := requests[3]
	if put.AuthScheme != "Bearer" || string(put.Body) != `{"status":"Busy"}` {
		t.Errorf("PUT recorded with scheme %q and body %q, want Bearer and the JSON as sent", put.AuthScheme, put.Body)
	}
	if got := put.Header.Get("Content-Type"); got != "application/json" {
		t.Errorf("PUT recorded Content-Type %q, want application/json", got)
	}
}

func TestLogsNoSecrets(t *testing.T) {
	var logs bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	sim := startServer(t, zoomsim.Options{ClientID: "app", Logger: logger})
	cfg := oauthConfig(sim.OAuthURL(), "app", "", oauth2.AuthStyleInParams)

	tok, secrets := signIn(t, sim, cfg)
	putPresence(t, http.DefaultClient, sim.APIURL(), tok.AccessToken, `{"status":"Do_Not_Disturb","duration":30}`)
	// The second update falls inside the one-minute window, so it is
	// rejected and logged.
	putPresence(t, http.DefaultClient, sim.APIURL(), tok.AccessToken, `{"status":"Away"}`)
	refreshed, err := cfg.TokenSource(t.Context(), &oauth2.Token{RefreshToken: tok.RefreshToken}).Token()
	if err != nil {
		t.Fatalf("refresh: %v", err)
	}
	secrets = append(secrets, refreshed.AccessToken, refreshed.RefreshToken)
	send(t, http.DefaultClient, http.MethodPost, sim.OAuthURL()+"/oauth/revoke", "", "application/x-www-form-urlencoded",
		url.Values{"client_id": {"app"}, "token": {refreshed.RefreshToken}}.Encode())

	text := logs.String()
	for _, want := range []string{"authorization code issued", "tokens issued", "presence updated", "presence request rejected", "grant revoked"} {
		if !strings.Contains(text, want) {
			t.Errorf("logs lack %q:\n%s", want, text)
		}
	}
	for _, s := range secrets {
		if strings.Contains(text, s) {
			t.Errorf("logs contain a secret:\n%s", text)
		}
	}
}

func TestStatusPage(t *testing.T) {
	sim := startServer(t, zoomsim.Options{})
	token := sim.IssueToken().AccessToken
	putPresence(t, http.DefaultClient, sim.APIURL(), token, `{"status":"Out_of_Office"}`)

	res := send(t, http.DefaultClient, http.MethodGet, sim.URL()+"/", "", "", "")

	if res.status != http.StatusOK {
		t.Fatalf("status page status = %d, want 200", res.status)
	}
	if got := res.header.Get("Content-Type"); !strings.HasPrefix(got, "text/html") {
		t.Errorf("status page Content-Type = %q, want text/html", got)
	}
	if !bytes.Contains(res.body, []byte("Out of office")) {
		t.Errorf("status page lacks the presence label:\n%s", res.body)
	}
	if !bytes.Contains(res.body, []byte("/v2"+presencePath)) {
		t.Errorf("status page lacks the PUT request:\n%s", res.body)
	}
	if n := len(sim.Requests()); n != 1 {
		t.Errorf("recorded %d requests, want 1: the status page is not recorded", n)
	}
}

func TestStatusPageEscapes(t *testing.T) {
	sim := startServer(t, zoomsim.Options{})
	token := sim.IssueToken().AccessToken
	putPresence(t, http.DefaultClient, sim.APIURL(), token, `{"status":"<script>alert(1)</script>"}`)

	res := send(t, http.DefaultClient, http.MethodGet, sim.URL()+"/", "", "", "")

	if bytes.Contains(res.body, []byte("<script>")) {
		t.Errorf("status page contains a request body unescaped:\n%s", res.body)
	}
	if !bytes.Contains(res.body, []byte("&lt;script&gt;alert(1)&lt;/script&gt;")) {
		t.Errorf("status page lacks the escaped request body:\n%s", res.body)
	}
}

// presenceSchema is the part of Zoom's published OpenAPI document for the
// presence endpoints that the simulator must match, copied into testdata.
type presenceSchema struct {
	Update struct {
		Statuses           []zoom.Status `json:"statuses"`
		DNDStatusPublished zoom.Status   `json:"dnd_status_published"`
		DNDStatus          zoom.Status   `json:"dnd_status"`
		Duration           struct {
			Minimum int `json:"minimum"`
			Maximum int `json:"maximum"`
			Default int `json:"default"`
		} `json:"duration"`
		Success int           `json:"success"`
		Errors  []schemaError `json:"errors"`
	} `json:"update"`
	Read struct {
		Statuses              []zoom.Status `json:"statuses"`
		StatusesInDescription []zoom.Status `json:"statuses_in_description"`
		DNDRequired           []string      `json:"dnd_required"`
		EndTimeExample        string        `json:"end_time_example"`
		Success               int           `json:"success"`
		Errors                []schemaError `json:"errors"`
	} `json:"read"`
}

type schemaError struct {
	HTTP int `json:"http"`
	Code int `json:"code"`
}

func loadSchema(t *testing.T) presenceSchema {
	t.Helper()

	data, err := os.ReadFile("testdata/presence-schema.json")
	if err != nil {
		t.Fatalf("read schema: %v", err)
	}
	var schema presenceSchema
	if err := json.Unmarshal(data, &schema); err != nil {
		t.Fatalf("parse schema: %v", err)
	}
	if len(schema.Update.Statuses) == 0 || schema.Update.Duration.Maximum == 0 || len(schema.Read.DNDRequired) == 0 {
		t.Fatalf("schema lacks facts: %+v", schema)
	}
	return schema
}

func TestSchemaUpdateStatuses(t *testing.T) {
	schema := loadSchema(t)
	sim := startServer(t, zoomsim.Options{UpdateInterval: -1})
	token := sim.IssueToken().AccessToken

	statuses := append(slices.Clone(schema.Update.Statuses), schema.Update.DNDStatus)
	for _, status := range statuses {
		res := putPresence(t, http.DefaultClient, sim.APIURL(), token, `{"status":"`+string(status)+`"}`)
		if res.status != schema.Update.Success {
			t.Errorf("PUT %s status = %d, want %d; body %s", status, res.status, schema.Update.Success, res.body)
		}
		if got := sim.Presence().Status; got != status {
			t.Errorf("after PUT %s, Presence().Status = %s", status, got)
		}
	}

	// The app's list of settable statuses must be the published list.
	got := slices.Clone(zoom.SettableStatuses)
	slices.Sort(got)
	slices.Sort(statuses)
	if !slices.Equal(got, statuses) {
		t.Errorf("zoom.SettableStatuses = %v, want the published statuses %v", got, statuses)
	}
}

func TestSchemaDNDTypo(t *testing.T) {
	schema := loadSchema(t)
	sim := startServer(t, zoomsim.Options{})
	token := sim.IssueToken().AccessToken

	res := putPresence(t, http.DefaultClient, sim.APIURL(), token, `{"status":"`+string(schema.Update.DNDStatusPublished)+`"}`)

	wantError(t, res, http.StatusBadRequest, 300)
}

func TestSchemaDuration(t *testing.T) {
	schema := loadSchema(t)
	bounds := schema.Update.Duration
	if bounds.Minimum != zoom.MinDNDMinutes || bounds.Maximum != zoom.MaxDNDMinutes {
		t.Errorf("zoom DND bounds = %d..%d, want the published %d..%d", zoom.MinDNDMinutes, zoom.MaxDNDMinutes, bounds.Minimum, bounds.Maximum)
	}

	sim := startServer(t, zoomsim.Options{UpdateInterval: -1})
	token := sim.IssueToken().AccessToken
	dnd := string(schema.Update.DNDStatus)

	for _, minutes := range []int{bounds.Minimum, bounds.Maximum} {
		res := putPresence(t, http.DefaultClient, sim.APIURL(), token, `{"status":"`+dnd+`","duration":`+strconv.Itoa(minutes)+`}`)
		if res.status != schema.Update.Success {
			t.Errorf("duration %d: status = %d, want %d; body %s", minutes, res.status, schema.Update.Success, res.body)
		}
	}
	for _, minutes := range []int{bounds.Minimum - 1, bounds.Maximum + 1} {
		res := putPresence(t, http.DefaultClient, sim.APIURL(), token, `{"status":"`+dnd+`","duration":`+strconv.Itoa(minutes)+`}`)
		wantError(t, res, http.StatusBadRequest, 300)
	}
}

func TestSchemaDurationDefault(t *testing.T) {
	schema := loadSchema(t)

	synctest.Test(t, func(t *testing.T) {
		sim := zoomsim.New(zoomsim.Options{})
		token := sim.IssueToken().AccessToken
		client := sim.HTTPClient()

		putPresence(t, client, inProcessBase, token, `{"status":"`+string(schema.Update.DNDStatus)+`"}`)

		want := time.Duration(schema.Update.Duration.Default) * time.Minute
		if got := sim.Presence().Remaining; got != want {
			t.Errorf("Remaining after DND without duration = %v, want %v", got, want)
		}
	})
}

func TestSchemaReadDND(t *testing.T) {
	schema := loadSchema(t)
	sim := startServer(t, zoomsim.Options{})
	token := sim.IssueToken().AccessToken
	putPresence(t, http.DefaultClient, sim.APIURL(), token, `{"status":"`+string(schema.Update.DNDStatus)+`","duration":90}`)

	fields := presenceJSON(t, getPresence(t, http.DefaultClient, sim.APIURL(), token))

	for _, name := range schema.Read.DNDRequired {
		if _, ok := fields[name]; !ok {
			t.Errorf("DND read lacks required field %q: %v", name, fields)
		}
	}
	if got := fields["status"]; got != string(schema.Update.DNDStatus) {
		t.Errorf("status = %v, want %s", got, schema.Update.DNDStatus)
	}
	endTime, _ := fields["end_time"].(string)
	if _, err := time.Parse(time.RFC3339, endTime); err != nil || len(endTime) != len(schema.Read.EndTimeExample) || !strings.HasSuffix(endTime, "Z") {
		t.Errorf("end_time = %q, want UTC RFC 3339 like %q", endTime, schema.Read.EndTimeExample)
	}
	if _, ok := fields["remaining_time"].(float64); !ok {
		t.Errorf("remaining_time = %#v, want a number", fields["remaining_time"])
	}
}

func TestSchemaReadStatuses(t *testing.T) {
	schema := loadSchema(t)
	sim := startServer(t, zoomsim.Options{UpdateInterval: -1})
	token := sim.IssueToken().AccessToken
	known := append(slices.Clone(schema.Read.Statuses), schema.Read.StatusesInDescription...)

	for _, status := range append(slices.Clone(schema.Update.Statuses), schema.Update.DNDStatus) {
		putPresence(t, http.DefaultClient, sim.APIURL(), token, `{"status":"`+string(status)+`"}`)
		fields := presenceJSON(t, getPresence(t, http.DefaultClient, sim.APIURL(), token))
		if got, _ := fields["status"].(string); !slices.Contains(known, zoom.Status(got)) {
			t.Errorf("after PUT %s, GET status %q is not a published status", status, got)
		}
		if status != schema.Update.DNDStatus && len(fields) != 1 {
			t.Errorf("GET after PUT %s has fields %v, want only status", status, fields)
		}
	}

	sim.SetSignedOut(true)
	fields := presenceJSON(t, getPresence(t, http.DefaultClient, sim.APIURL(), token))
	if got, _ := fields["status"].(string); !slices.Contains(known, zoom.Status(got)) {
		t.Errorf("signed-out GET status %q is not a published status", got)
	}
}

func TestSchemaErrors(t *testing.T) {
	schema := loadSchema(t)
	sim := startServer(t, zoomsim.Options{UpdateInterval: -1})
	token := sim.IssueToken().AccessToken

	documented := func(list []schemaError, status, code int) bool {
		return slices.Contains(list, schemaError{HTTP: status, Code: code})
	}

	for _, f := range []zoomsim.Fault{zoomsim.FaultNoPermission, zoomsim.FaultUserNotFound} {
		if !documented(schema.Update.Errors, f.Status, f.Code) {
			t.Errorf("fault %d/%d is not a documented update error", f.Status, f.Code)
		}
		sim.FailNext(1, f)
		res := putPresence(t, http.DefaultClient, sim.APIURL(), token, `{"status":"Away"}`)
		wantError(t, res, f.Status, f.Code)
	}

	sim.SetSignedOut(true)
	res := putPresence(t, http.DefaultClient, sim.APIURL(), token, `{"status":"Away"}`)
	code, _ := zoomError(t, res)
	if !documented(schema.Update.Errors, res.status, code) {
		t.Errorf("signed-out update error %d/%d is not documented", res.status, code)
	}

	sim.RateLimitNext(1)
	sim.SetSignedOut(false)
	res = putPresence(t, http.DefaultClient, sim.APIURL(), token, `{"status":"Away"}`)
	if !documented(schema.Update.Errors, res.status, 0) {
		t.Errorf("rate-limit status %d is not documented", res.status)
	}
}
