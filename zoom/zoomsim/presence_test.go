package zoomsim_test

import (
	"net/http"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/zoom-presence/zoom-presence/zoom"
	"github.com/zoom-presence/zoom-presence/zoom/zoomsim"
)

func TestPresenceGetDefault(t *testing.T) {
	sim := startServer(t, zoomsim.Options{})
	token := sim.IssueToken().AccessToken

	res := getPresence(t, http.DefaultClient, sim.APIURL(), token)

	if res.status != http.StatusOK {
		t.Fatalf("status = %d, want 200; body %s", res.status, res.body)
	}
	if got := string(res.body); got != `{"status":"Available"}` {
		t.Errorf("body = %s, want {\"status\":\"Available\"}", got)
	}
	if got := res.header.Get("Content-Type"); !strings.HasPrefix(got, "application/json") {
		t.Errorf("Content-Type = %q, want application/json", got)
	}
}

func TestPresencePutEachStatus(t *testing.T) {
	sim := startServer(t, zoomsim.Options{UpdateInterval: -1})
	token := sim.IssueToken().AccessToken

	for _, status := range zoom.SettableStatuses {
		res := putPresence(t, http.DefaultClient, sim.APIURL(), token, `{"status":"`+string(status)+`"}`)
		if res.status != http.StatusNoContent {
			t.Fatalf("PUT %s status = %d, want 204; body %s", status, res.status, res.body)
		}
		if len(res.body) != 0 {
			t.Errorf("PUT %s body = %q, want empty", status, res.body)
		}

		fields := presenceJSON(t, getPresence(t, http.DefaultClient, sim.APIURL(), token))
		if got := fields["status"]; got != string(status) {
			t.Errorf("GET after PUT %s: status = %v", status, got)
		}
	}
}

func TestPresencePutInvalid(t *testing.T) {
	cases := []struct {
		name        string
		contentType string
		body        string
	}{
		{"empty body", "application/json", ""},
		{"not JSON", "application/json", "status=Away"},
		{"JSON array", "application/json", `["Away"]`},
		{"JSON null", "application/json", `null`},
		{"trailing data", "application/json", `{"status":"Away"}x`},
		{"form content type", "application/x-www-form-urlencoded", `{"status":"Away"}`},
		{"no content type", "", `{"status":"Away"}`},
		{"missing status", "application/json", `{"duration":30}`},
		{"status not string", "application/json", `{"status":3}`},
		{"unknown status", "application/json", `{"status":"Sleeping"}`},
		{"lower-case status", "application/json", `{"status":"away"}`},
		{"read-only status", "application/json", `{"status":"In_A_Meeting"}`},
		{"offline", "application/json", `{"status":"Offline"}`},
		{"published typo", "application/json", `{"status":"Do_No_Disturb"}`},
		{"duration with Away", "application/json", `{"status":"Away","duration":30}`},
		{"duration zero", "application/json", `{"status":"Do_Not_Disturb","duration":0}`},
		{"duration negative", "application/json", `{"status":"Do_Not_Disturb","duration":-5}`},
		{"duration too long", "application/json", `{"status":"Do_Not_Disturb","duration":1441}`},
		{"duration string", "application/json", `{"status":"Do_Not_Disturb","duration":"45"}`},
		{"duration fraction", "application/json", `{"status":"Do_Not_Disturb","duration":45.5}`},
		{"duration huge", "application/json", `{"status":"Do_Not_Disturb","duration":1e30}`},
	}
	sim := startServer(t, zoomsim.Options{})
	token := sim.IssueToken().AccessToken

	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res := send(t, http.DefaultClient, http.MethodPut, sim.APIURL()+presencePath, token, tc.contentType, tc.body)
			wantError(t, res, http.StatusBadRequest, 300)
		})
	}

	if got := sim.Presence().Status; got != zoom.StatusAvailable {
		t.Errorf("after invalid updates, status = %s, want Available", got)
	}

	// Rejected updates start no update window.
	res := putPresence(t, http.DefaultClient, sim.APIURL(), token, `{"status":"Away"}`)
	if res.status != http.StatusNoContent {
		t.Errorf("valid PUT after invalid ones: status = %d, want 204; body %s", res.status, res.body)
	}
}

func TestPresenceNullDuration(t *testing.T) {
	sim := startServer(t, zoomsim.Options{UpdateInterval: -1})
	token := sim.IssueToken().AccessToken

	res := putPresence(t, http.DefaultClient, sim.APIURL(), token, `{"status":"Away","duration":null}`)
	if res.status != http.StatusNoContent {
		t.Errorf("Away with null duration: status = %d, want 204; body %s", res.status, res.body)
	}

	res = putPresence(t, http.DefaultClient, sim.APIURL(), token, `{"status":"Busy","extra":true}`)
	if res.status != http.StatusNoContent {
		t.Errorf("unknown field: status = %d, want 204; body %s", res.status, res.body)
	}
}

func TestPresenceValidationBody(t *testing.T) {
	sim := startServer(t, zoomsim.Options{})
	token := sim.IssueToken().AccessToken

	res := putPresence(t, http.DefaultClient, sim.APIURL(), token, `{"status":"Away","duration":30}`)

	wantError(t, res, http.StatusBadRequest, 300)
	if !strings.Contains(string(res.body), `"field":"duration"`) {
		t.Errorf("body %s does not name the duration field", res.body)
	}
}

func TestPresenceDND(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sim := zoomsim.New(zoomsim.Options{})
		token := sim.IssueToken().AccessToken
		client := sim.HTTPClient()
		start := time.Now()

		res := putPresence(t, client, inProcessBase, token, `{"status":"Do_Not_Disturb","duration":45}`)
		if res.status != http.StatusNoContent {
			t.Fatalf("PUT status = %d, want 204; body %s", res.status, res.body)
		}

		time.Sleep(5 * time.Minute)
		fields := presenceJSON(t, getPresence(t, client, inProcessBase, token))
		if got := fields["status"]; got != "Do_Not_Disturb" {
			t.Errorf("status = %v, want Do_Not_Disturb", got)
		}
		wantEnd := start.Add(45 * time.Minute).UTC().Format(time.RFC3339)
		if got := fields["end_time"]; got != wantEnd {
			t.Errorf("end_time = %v, want %s", got, wantEnd)
		}
		if got := fields["remaining_time"]; got != float64(40*60) {
			t.Errorf("remaining_time = %v, want %d", got, 40*60)
		}

		p := sim.Presence()
		if p.Status != zoom.StatusDoNotDisturb || !p.EndTime.Equal(start.Add(45*time.Minute)) || p.Remaining != 40*time.Minute {
			t.Errorf("Presence() = %+v, want DND ending at %v with 40m left", p, start.Add(45*time.Minute))
		}

		time.Sleep(40*time.Minute - time.Second)
		fields = presenceJSON(t, getPresence(t, client, inProcessBase, token))
		if got := fields["remaining_time"]; got != float64(1) {
			t.Errorf("one second before the end, remaining_time = %v, want 1", got)
		}

		time.Sleep(time.Second)
		fields = presenceJSON(t, getPresence(t, client, inProcessBase, token))
		if got := fields["status"]; got != "Available" {
			t.Errorf("after DND ended, status = %v, want Available", got)
		}
		if _, ok := fields["end_time"]; ok {
			t.Errorf("after DND ended, body has end_time: %v", fields)
		}
	})
}

func TestPresenceUpdateInterval(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sim := zoomsim.New(zoomsim.Options{})
		token := sim.IssueToken().AccessToken
		client := sim.HTTPClient()
		start := time.Now()

		res := putPresence(t, client, inProcessBase, token, `{"status":"Away"}`)
		if res.status != http.StatusNoContent {
			t.Fatalf("first PUT status = %d, want 204", res.status)
		}

		time.Sleep(59 * time.Second)
		res = putPresence(t, client, inProcessBase, token, `{"status":"Busy"}`)
		wantError(t, res, http.StatusTooManyRequests, 429)
		wantRetryAfter := start.Add(time.Minute).UTC().Format(time.RFC3339)
		if got := res.header.Get("Retry-After"); got != wantRetryAfter {
			t.Errorf("Retry-After = %q, want %q", got, wantRetryAfter)
		}
		if got := res.header.Get("X-RateLimit-Category"); got != "Medium" {
			t.Errorf("X-RateLimit-Category = %q, want Medium", got)
		}
		if got := res.header.Get("X-RateLimit-Type"); got != "QPS" {
			t.Errorf("X-RateLimit-Type = %q, want QPS", got)
		}
		if got := sim.Presence().Status; got != zoom.StatusAway {
			t.Errorf("after a rate-limited PUT, status = %s, want Away", got)
		}

		// The 429 must not push the window further out.
		time.Sleep(time.Second)
		res = putPresence(t, client, inProcessBase, token, `{"status":"Busy"}`)
		if res.status != http.StatusNoContent {
			t.Fatalf("PUT one minute after the first: status = %d, want 204; body %s", res.status, res.body)
		}
		if got := sim.Presence().Status; got != zoom.StatusBusy {
			t.Errorf("status = %s, want Busy", got)
		}

		// Reads are not limited.
		if res := getPresence(t, client, inProcessBase, token); res.status != http.StatusOK {
			t.Errorf("GET inside the window: status = %d, want 200", res.status)
		}
	})
}

func TestPresenceRetryAfterRounding(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sim := zoomsim.New(zoomsim.Options{})
		token := sim.IssueToken().AccessToken
		client := sim.HTTPClient()

		time.Sleep(300 * time.Millisecond)
		start := time.Now()
		putPresence(t, client, inProcessBase, token, `{"status":"Away"}`)
		res := putPresence(t, client, inProcessBase, token, `{"status":"Busy"}`)

		retryAt, err := time.Parse(time.RFC3339, res.header.Get("Retry-After"))
		if err != nil {
			t.Fatalf("Retry-After %q: %v", res.header.Get("Retry-After"), err)
		}
		if want := start.Add(time.Minute).Truncate(time.Second).Add(time.Second); !retryAt.Equal(want) {
			t.Errorf("Retry-After = %v, want %v, the window end rounded up", retryAt, want)
		}

		time.Sleep(retryAt.Sub(time.Now()))
		if res := putPresence(t, client, inProcessBase, token, `{"status":"Busy"}`); res.status != http.StatusNoContent {
			t.Errorf("PUT at Retry-After: status = %d, want 204", res.status)
		}
	})
}

func TestPresenceRejectedNoWindow(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sim := zoomsim.New(zoomsim.Options{})
		token := sim.IssueToken().AccessToken
		client := sim.HTTPClient()

		putPresence(t, client, inProcessBase, token, `{"status":"Nope"}`)
		sim.SetSignedOut(true)
		putPresence(t, client, inProcessBase, token, `{"status":"Away"}`)
		sim.SetSignedOut(false)
		sim.FailNext(1, zoomsim.FaultNoPermission)
		putPresence(t, client, inProcessBase, token, `{"status":"Away"}`)
		putPresence(t, client, inProcessBase, "", `{"status":"Away"}`)

		res := putPresence(t, client, inProcessBase, token, `{"status":"Away"}`)
		if res.status != http.StatusNoContent {
			t.Errorf("PUT after four rejected ones: status = %d, want 204; body %s", res.status, res.body)
		}
	})
}

func TestPresenceIntervalOption(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sim := zoomsim.New(zoomsim.Options{UpdateInterval: 10 * time.Second})
		token := sim.IssueToken().AccessToken
		client := sim.HTTPClient()

		putPresence(t, client, inProcessBase, token, `{"status":"Away"}`)
		time.Sleep(9 * time.Second)
		wantError(t, putPresence(t, client, inProcessBase, token, `{"status":"Busy"}`), http.StatusTooManyRequests, 429)

		time.Sleep(time.Second)
		if res := putPresence(t, client, inProcessBase, token, `{"status":"Busy"}`); res.status != http.StatusNoContent {
			t.Errorf("PUT after the 10 s interval: status = %d, want 204", res.status)
		}
	})
}

func TestPresenceSignedOut(t *testing.T) {
	sim := startServer(t, zoomsim.Options{})
	token := sim.IssueToken().AccessToken
	sim.SetSignedOut(true)

	res := putPresence(t, http.DefaultClient, sim.APIURL(), token, `{"status":"Away"}`)
	wantError(t, res, http.StatusBadRequest, 5301)

	fields := presenceJSON(t, getPresence(t, http.DefaultClient, sim.APIURL(), token))
	if got := fields["status"]; got != "Offline" {
		t.Errorf("signed-out GET status = %v, want Offline", got)
	}
	if got := sim.Presence().Status; got != zoom.StatusAvailable {
		t.Errorf("signed-out Presence().Status = %s, want the stored Available", got)
	}

	sim.SetSignedOut(false)
	if res := putPresence(t, http.DefaultClient, sim.APIURL(), token, `{"status":"Away"}`); res.status != http.StatusNoContent {
		t.Errorf("PUT after signing in again: status = %d, want 204", res.status)
	}
}

func TestPresenceTokenErrors(t *testing.T) {
	sim := startServer(t, zoomsim.Options{})
	expired := sim.IssueToken().AccessToken
	sim.ExpireTokens()
	valid := sim.IssueToken().AccessToken

	cases := []struct {
		name        string
		path        string
		header      string
		wantMessage string
	}{
		{"no header", presencePath, "", "Invalid access token."},
		{"basic scheme", presencePath, "Basic YTpi", "Invalid access token."},
		{"empty bearer", presencePath, "Bearer ", "Invalid access token."},
		{"unknown token", presencePath, "Bearer not-a-token", "Invalid access token."},
		{"expired token", presencePath, "Bearer " + expired, "Access token is expired."},
		{"other user id", "/users/KDcuGIm1QgePTO8WbOqwIQ/presence_status", "Bearer " + valid, "Invalid access token."},
		{"email user id", "/users/person@example.com/presence_status", "Bearer " + valid, "Invalid access token."},
	}
	for _, tc := range cases {
		for _, method := range []string{http.MethodGet, http.MethodPut} {
			t.Run(tc.name+" "+method, func(t *testing.T) {
				res := sendAuth(t, http.DefaultClient, method, sim.APIURL()+tc.path, tc.header, "application/json", `{"status":"Away"}`)

				wantError(t, res, http.StatusUnauthorized, 124)
				if _, message := zoomError(t, res); message != tc.wantMessage {
					t.Errorf("message = %q, want %q", message, tc.wantMessage)
				}
			})
		}
	}

	if got := sim.Presence().Status; got != zoom.StatusAvailable {
		t.Errorf("after rejected requests, status = %s, want Available", got)
	}
	if res := getPresence(t, http.DefaultClient, sim.APIURL(), valid); res.status != http.StatusOK {
		t.Errorf("token issued after ExpireTokens: status = %d, want 200", res.status)
	}
}

func TestPresenceTokenLifetime(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sim := zoomsim.New(zoomsim.Options{TokenLifetime: 30 * time.Minute})
		tok := sim.IssueToken()
		client := sim.HTTPClient()

		if want := time.Now().Add(30 * time.Minute); !tok.Expiry.Equal(want) {
			t.Errorf("Expiry = %v, want %v", tok.Expiry, want)
		}

		time.Sleep(30*time.Minute - time.Second)
		if res := getPresence(t, client, inProcessBase, tok.AccessToken); res.status != http.StatusOK {
			t.Errorf("one second before expiry: status = %d, want 200", res.status)
		}

		time.Sleep(time.Second)
		res := getPresence(t, client, inProcessBase, tok.AccessToken)
		wantError(t, res, http.StatusUnauthorized, 124)
	})
}

func TestFailNextCount(t *testing.T) {
	sim := startServer(t, zoomsim.Options{UpdateInterval: -1})
	token := sim.IssueToken().AccessToken
	sim.FailNext(2, zoomsim.FaultNoPermission)

	// A request with an invalid token does not use up the fault.
	wantError(t, putPresence(t, http.DefaultClient, sim.APIURL(), "bad", `{"status":"Away"}`), http.StatusUnauthorized, 124)
	// Reads are not affected by a fault for updates.
	if res := getPresence(t, http.DefaultClient, sim.APIURL(), token); res.status != http.StatusOK {
		t.Errorf("GET with a PUT fault queued: status = %d, want 200", res.status)
	}

	for i := range 2 {
		res := putPresence(t, http.DefaultClient, sim.APIURL(), token, `{"status":"Away"}`)
		wantError(t, res, http.StatusBadRequest, 5411)
		if got := sim.Presence().Status; got != zoom.StatusAvailable {
			t.Errorf("faulted PUT %d changed the status to %s", i, got)
		}
	}

	if res := putPresence(t, http.DefaultClient, sim.APIURL(), token, `{"status":"Away"}`); res.status != http.StatusNoContent {
		t.Errorf("third PUT: status = %d, want 204", res.status)
	}
}

func TestFailNextOrder(t *testing.T) {
	sim := startServer(t, zoomsim.Options{UpdateInterval: -1})
	token := sim.IssueToken().AccessToken
	sim.FailNext(1, zoomsim.FaultUserNotFound)
	sim.FailNext(1, zoomsim.FaultNoPermission)

	wantError(t, putPresence(t, http.DefaultClient, sim.APIURL(), token, `{"status":"Away"}`), http.StatusNotFound, 1001)
	wantError(t, putPresence(t, http.DefaultClient, sim.APIURL(), token, `{"status":"Away"}`), http.StatusBadRequest, 5411)
}

func TestFailNextMethod(t *testing.T) {
	sim := startServer(t, zoomsim.Options{UpdateInterval: -1})
	token := sim.IssueToken().AccessToken
	readFailed := zoomsim.Fault{Method: "get", Status: http.StatusBadRequest, Code: 5301, Message: "Request to read the presence status of this user failed."}
	sim.FailNext(1, readFailed)

	if res := putPresence(t, http.DefaultClient, sim.APIURL(), token, `{"status":"Away"}`); res.status != http.StatusNoContent {
		t.Errorf("PUT with a GET fault queued: status = %d, want 204", res.status)
	}
	wantError(t, getPresence(t, http.DefaultClient, sim.APIURL(), token), http.StatusBadRequest, 5301)

	sim.FailNext(2, zoomsim.Fault{Method: "*", Status: http.StatusNotFound, Code: 1001, Message: "User does not exist: me."})
	wantError(t, getPresence(t, http.DefaultClient, sim.APIURL(), token), http.StatusNotFound, 1001)
	wantError(t, putPresence(t, http.DefaultClient, sim.APIURL(), token, `{"status":"Busy"}`), http.StatusNotFound, 1001)
	if res := getPresence(t, http.DefaultClient, sim.APIURL(), token); res.status != http.StatusOK {
		t.Errorf("GET after the faults: status = %d, want 200", res.status)
	}
}

func TestFailNextBodies(t *testing.T) {
	sim := startServer(t, zoomsim.Options{UpdateInterval: -1})
	token := sim.IssueToken().AccessToken

	sim.FailNext(1, zoomsim.FaultServerError)
	res := putPresence(t, http.DefaultClient, sim.APIURL(), token, `{"status":"Away"}`)
	if res.status != http.StatusInternalServerError || len(res.body) != 0 {
		t.Errorf("server error fault = %d %q, want 500 with an empty body", res.status, res.body)
	}
	if got := res.header.Get("Content-Type"); !strings.HasPrefix(got, "text/plain") {
		t.Errorf("server error Content-Type = %q, want text/plain", got)
	}

	const broken = `{"code":4711,"message":"Invalid access token, does not contain scopes:["user:write"]."}`
	sim.FailNext(1, zoomsim.Fault{Status: http.StatusBadRequest, Body: broken})
	res = putPresence(t, http.DefaultClient, sim.APIURL(), token, `{"status":"Away"}`)
	if res.status != http.StatusBadRequest || string(res.body) != broken {
		t.Errorf("raw body fault = %d %q, want 400 %q", res.status, res.body, broken)
	}
	if got := res.header.Get("Content-Type"); !strings.HasPrefix(got, "application/json") {
		t.Errorf("raw body Content-Type = %q, want application/json", got)
	}

	sim.FailNext(1, zoomsim.Fault{Code: 5411})
	res = putPresence(t, http.DefaultClient, sim.APIURL(), token, `{"status":"Away"}`)
	if res.status != http.StatusBadRequest {
		t.Errorf("fault without Status: status = %d, want 400", res.status)
	}
}

func TestFailNextHeaders(t *testing.T) {
	sim := startServer(t, zoomsim.Options{})
	token := sim.IssueToken().AccessToken
	extra := http.Header{}
	extra["x-ratelimit-remaining"] = []string{"0"}
	sim.FailNext(1, zoomsim.Fault{
		Status:        http.StatusTooManyRequests,
		Code:          429,
		Message:       "You have reached the maximum daily rate limit for this API.",
		RetryAfter:    "3600",
		RateLimitType: "Daily-limit",
		Header:        extra,
	})

	res := putPresence(t, http.DefaultClient, sim.APIURL(), token, `{"status":"Away"}`)

	wantError(t, res, http.StatusTooManyRequests, 429)
	if got := res.header.Get("Retry-After"); got != "3600" {
		t.Errorf("Retry-After = %q, want 3600", got)
	}
	if got := res.header.Get("X-RateLimit-Type"); got != "Daily-limit" {
		t.Errorf("X-RateLimit-Type = %q, want Daily-limit", got)
	}
	if got := res.header.Get("X-RateLimit-Remaining"); got != "0" {
		t.Errorf("X-RateLimit-Remaining = %q, want 0", got)
	}
}

func TestClearFaults(t *testing.T) {
	sim := startServer(t, zoomsim.Options{})
	token := sim.IssueToken().AccessToken
	sim.FailNext(3, zoomsim.FaultNoPermission)
	sim.FailNext(0, zoomsim.FaultUserNotFound)

	sim.ClearFaults()

	if res := putPresence(t, http.DefaultClient, sim.APIURL(), token, `{"status":"Away"}`); res.status != http.StatusNoContent {
		t.Errorf("PUT after ClearFaults: status = %d, want 204", res.status)
	}
}

func TestRateLimitNext(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sim := zoomsim.New(zoomsim.Options{})
		token := sim.IssueToken().AccessToken
		client := sim.HTTPClient()
		sim.RateLimitNext(2)

		for range 2 {
			now := time.Now()
			res := putPresence(t, client, inProcessBase, token, `{"status":"Away"}`)
			wantError(t, res, http.StatusTooManyRequests, 429)
			if got, want := res.header.Get("Retry-After"), now.Add(time.Minute).UTC().Format(time.RFC3339); got != want {
				t.Errorf("Retry-After = %q, want %q", got, want)
			}
			if got := res.header.Get("X-RateLimit-Category"); got != "Medium" {
				t.Errorf("X-RateLimit-Category = %q, want Medium", got)
			}
			if got := res.header.Get("X-RateLimit-Type"); got != "QPS" {
				t.Errorf("X-RateLimit-Type = %q, want QPS", got)
			}
			time.Sleep(10 * time.Second)
		}

		if res := putPresence(t, client, inProcessBase, token, `{"status":"Away"}`); res.status != http.StatusNoContent {
			t.Errorf("PUT after the rate-limit faults: status = %d, want 204", res.status)
		}
	})
}

func TestPresenceUpdatesRecord(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sim := zoomsim.New(zoomsim.Options{})
		token := sim.IssueToken().AccessToken
		client := sim.HTTPClient()
		start := time.Now()

		putPresence(t, client, inProcessBase, token, `{"status":"Do_Not_Disturb"}`)
		time.Sleep(time.Second)
		putPresence(t, client, inProcessBase, token, `{"status":"Away"}`)
		putPresence(t, client, inProcessBase, token, `{"status":"Away","duration":5}`)
		getPresence(t, client, inProcessBase, token)

		updates := sim.PresenceUpdates()
		if len(updates) != 3 {
			t.Fatalf("recorded %d updates, want 3", len(updates))
		}
		want := []zoomsim.PresenceUpdate{
			{Time: start, Update: zoom.Update{Status: zoom.StatusDoNotDisturb}, Body: []byte(`{"status":"Do_Not_Disturb"}`), Status: 204},
			{Time: start.Add(time.Second), Update: zoom.Update{Status: zoom.StatusAway}, Body: []byte(`{"status":"Away"}`), Status: 429, Code: 429},
			{Time: start.Add(time.Second), Update: zoom.Update{Status: zoom.StatusAway, Minutes: 5}, Body: []byte(`{"status":"Away","duration":5}`), Status: 400, Code: 300},
		}
		for i, got := range updates {
			w := want[i]
			if !got.Time.Equal(w.Time) || got.Update != w.Update || string(got.Body) != string(w.Body) || got.Status != w.Status || got.Code != w.Code {
				t.Errorf("update %d = %v %s %d minutes, body %s, status %d, code %d; want %v %s %d minutes, body %s, status %d, code %d",
					i, got.Time, got.Update.Status, got.Update.Minutes, got.Body, got.Status, got.Code,
					w.Time, w.Update.Status, w.Update.Minutes, w.Body, w.Status, w.Code)
			}
		}
	})
}

func TestSetPresence(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sim := zoomsim.New(zoomsim.Options{})
		token := sim.IssueToken().AccessToken
		client := sim.HTTPClient()

		sim.SetPresence(zoom.Presence{Status: zoom.StatusInAMeeting})
		fields := presenceJSON(t, getPresence(t, client, inProcessBase, token))
		if got := fields["status"]; got != "In_A_Meeting" {
			t.Errorf("status = %v, want In_A_Meeting", got)
		}

		sim.SetPresence(zoom.Presence{Status: zoom.StatusDoNotDisturb, Remaining: 2 * time.Hour})
		fields = presenceJSON(t, getPresence(t, client, inProcessBase, token))
		if got := fields["remaining_time"]; got != float64(2*60*60) {
			t.Errorf("remaining_time = %v, want 7200", got)
		}

		// SetPresence starts no update window.
		if res := putPresence(t, client, inProcessBase, token, `{"status":"Away"}`); res.status != http.StatusNoContent {
			t.Errorf("PUT after SetPresence: status = %d, want 204", res.status)
		}
		if n := len(sim.PresenceUpdates()); n != 1 {
			t.Errorf("recorded %d updates, want 1", n)
		}
	})
}
