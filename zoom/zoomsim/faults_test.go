package zoomsim_test

import (
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/zoom-presence/zoom-presence/zoom/zoomsim"
)

func TestFaultDropOverNetwork(t *testing.T) {
	sim := startServer(t, zoomsim.Options{})
	token := sim.IssueToken().AccessToken
	sim.FailNext(1, zoomsim.Fault{Method: http.MethodPut, Drop: true})

	req, err := http.NewRequestWithContext(t.Context(), http.MethodPut, sim.APIURL()+presencePath, strings.NewReader(`{"status":"Away"}`))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err == nil {
		resp.Body.Close()
		t.Fatalf("PUT with a dropped connection got status %d, want an error", resp.StatusCode)
	}

	updates := sim.PresenceUpdates()
	if len(updates) != 1 || updates[0].Status != 0 {
		t.Errorf("recorded updates = %+v, want one with status 0", updates)
	}
	if got := sim.Presence().Status; got != "Available" {
		t.Errorf("status after a dropped update = %q, want it unchanged", got)
	}

	// The next request is served normally.
	res := putPresence(t, http.DefaultClient, sim.APIURL(), token, `{"status":"Away"}`)
	if res.status != http.StatusNoContent {
		t.Errorf("PUT after the drop status = %d, want 204", res.status)
	}
}

func TestFaultDropInProcess(t *testing.T) {
	sim := zoomsim.New(zoomsim.Options{})
	token := sim.IssueToken().AccessToken
	sim.FailNext(1, zoomsim.FaultDrop)

	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, inProcessBase+presencePath, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := sim.HTTPClient().Do(req)
	if err == nil {
		resp.Body.Close()
		t.Fatalf("GET with a dropped connection got status %d, want an error", resp.StatusCode)
	}
	if !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("error = %v, want io.ErrUnexpectedEOF", err)
	}
}

func TestFaultBadGatewayHTML(t *testing.T) {
	sim := startServer(t, zoomsim.Options{})
	token := sim.IssueToken().AccessToken
	sim.FailNext(1, zoomsim.FaultBadGateway)

	res := getPresence(t, http.DefaultClient, sim.APIURL(), token)

	if res.status != http.StatusBadGateway {
		t.Errorf("status = %d, want 502", res.status)
	}
	if got := res.header.Get("Content-Type"); !strings.HasPrefix(got, "text/html") {
		t.Errorf("Content-Type = %q, want text/html", got)
	}
	if !strings.Contains(string(res.body), "<title>502 Bad Gateway</title>") {
		t.Errorf("body = %q, want an HTML page", res.body)
	}
}

func TestLatency(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sim := zoomsim.New(zoomsim.Options{})
		token := sim.IssueToken().AccessToken
		sim.SetLatency(3 * time.Second)

		start := time.Now()
		res := getPresence(t, sim.HTTPClient(), inProcessBase, token)

		if res.status != http.StatusOK {
			t.Errorf("status = %d, want 200", res.status)
		}
		if got := time.Since(start); got != 3*time.Second {
			t.Errorf("response took %v, want 3s", got)
		}
	})
}

func TestDailyLimit(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sim := zoomsim.New(zoomsim.Options{UpdateInterval: -1, TokenLifetime: 48 * time.Hour})
		token := sim.IssueToken().AccessToken
		client := sim.HTTPClient()
		sim.SetDailyLimit(2)

		// synctest's clock starts at midnight UTC, so the day ends in 24 h.
		time.Sleep(20 * time.Hour)
		getPresence(t, client, inProcessBase, token)
		putPresence(t, client, inProcessBase, token, `{"status":"Away"}`)
		res := getPresence(t, client, inProcessBase, token)

		if res.status != http.StatusTooManyRequests {
			t.Fatalf("third request status = %d, want 429", res.status)
		}
		if got := res.header.Get("X-RateLimit-Type"); got != "Daily-limit" {
			t.Errorf("X-RateLimit-Type = %q, want Daily-limit", got)
		}
		if got, want := res.header.Get("Retry-After"), "2000-01-02T00:00:00Z"; got != want {
			t.Errorf("Retry-After = %q, want %q", got, want)
		}

		time.Sleep(4 * time.Hour)
		if res := getPresence(t, client, inProcessBase, token); res.status != http.StatusOK {
			t.Errorf("status on the next day = %d, want 200", res.status)
		}
	})
}

func TestApplyFaults(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sim := zoomsim.New(zoomsim.Options{UpdateInterval: -1})
		token := sim.IssueToken().AccessToken
		client := sim.HTTPClient()

		if err := sim.ApplyFaults("5xx=2, html, 429-seconds"); err != nil {
			t.Fatalf("ApplyFaults: %v", err)
		}

		want := []int{500, 500, 502, 429, 204}
		for i, status := range want {
			res := putPresence(t, client, inProcessBase, token, `{"status":"Away"}`)
			if res.status != status {
				t.Errorf("request %d status = %d, want %d", i+1, res.status, status)
			}
			if status == 429 && res.header.Get("Retry-After") != "60" {
				t.Errorf("Retry-After = %q, want 60", res.header.Get("Retry-After"))
			}
		}
	})
}

func TestApplyFaultsSignedOutAndLimit(t *testing.T) {
	sim := zoomsim.New(zoomsim.Options{})
	token := sim.IssueToken().AccessToken
	client := sim.HTTPClient()

	if err := sim.ApplyFaults("signed-out,daily-limit=1,latency=0s"); err != nil {
		t.Fatalf("ApplyFaults: %v", err)
	}

	if res := putPresence(t, client, inProcessBase, token, `{"status":"Away"}`); res.status != http.StatusBadRequest {
		t.Errorf("update while signed out status = %d, want 400", res.status)
	}
	if res := getPresence(t, client, inProcessBase, token); res.status != http.StatusTooManyRequests {
		t.Errorf("request over the daily limit status = %d, want 429", res.status)
	}
}

func TestApplyFaultsInvalid(t *testing.T) {
	for _, spec := range []string{"latency=fast", "5xx=0", "5xx=two", "signed-out=1", "teapot"} {
		sim := zoomsim.New(zoomsim.Options{})
		if err := sim.ApplyFaults("drop," + spec); err == nil {
			t.Errorf("ApplyFaults(%q) succeeded, want an error", spec)
		}

		// Nothing of an invalid spec applies, not even its valid part.
		token := sim.IssueToken().AccessToken
		if res := getPresence(t, sim.HTTPClient(), inProcessBase, token); res.status != http.StatusOK {
			t.Errorf("after ApplyFaults(%q) status = %d, want 200", spec, res.status)
		}
	}
}

func TestStatusPageFaultForm(t *testing.T) {
	sim := startServer(t, zoomsim.Options{})
	token := sim.IssueToken().AccessToken
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

	res := send(t, client, http.MethodPost, sim.URL()+"/faults", "", "application/x-www-form-urlencoded", "faults=5xx%3D2%2Clatency%3D10ms")
	if res.status != http.StatusSeeOther {
		t.Fatalf("form status = %d, want 303; body %s", res.status, res.body)
	}

	page := send(t, http.DefaultClient, http.MethodGet, sim.URL()+"/", "", "", "")
	if !strings.Contains(string(page.body), "latency 10ms, 2 queued") {
		t.Errorf("status page lacks the fault switches:\n%s", page.body)
	}
	if res := getPresence(t, http.DefaultClient, sim.APIURL(), token); res.status != http.StatusInternalServerError {
		t.Errorf("status after the form = %d, want 500", res.status)
	}

	bad := send(t, client, http.MethodPost, sim.URL()+"/faults", "", "application/x-www-form-urlencoded", "faults=teapot")
	if bad.status != http.StatusBadRequest || !strings.Contains(string(bad.body), "unknown switch") {
		t.Errorf("invalid form status = %d, want 400 with the error; body %s", bad.status, bad.body)
	}
	for _, r := range sim.Requests() {
		if r.Path == "/faults" {
			t.Errorf("the fault form request was recorded: %+v", r)
		}
	}
}
