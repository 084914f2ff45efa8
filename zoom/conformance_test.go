package zoom_test

import (
	"context"
	"encoding/json"
	"mime"
	"net/http"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/zoom-presence/zoom-presence/zoom"
	"github.com/zoom-presence/zoom-presence/zoom/zoomsim"
)

// clientSchema is the part of the published presence schema, copied into
// the simulator's testdata, that the client must follow.
type clientSchema struct {
	UserID string `json:"user_id"`
	Update struct {
		ContentType string        `json:"content_type"`
		Statuses    []zoom.Status `json:"statuses"`
		DNDStatus   zoom.Status   `json:"dnd_status"`
		Duration    struct {
			Minimum int `json:"minimum"`
			Maximum int `json:"maximum"`
		} `json:"duration"`
		Success int `json:"success"`
	} `json:"update"`
	Read struct {
		Statuses              []zoom.Status `json:"statuses"`
		StatusesInDescription []zoom.Status `json:"statuses_in_description"`
	} `json:"read"`
}

func loadClientSchema(t *testing.T) clientSchema {
	t.Helper()

	data, err := os.ReadFile("zoomsim/testdata/presence-schema.json")
	if err != nil {
		t.Fatalf("read schema: %v", err)
	}
	var schema clientSchema
	if err := json.Unmarshal(data, &schema); err != nil {
		t.Fatalf("parse schema: %v", err)
	}
	if schema.UserID == "" || schema.Update.ContentType == "" || len(schema.Update.Statuses) == 0 || schema.Update.Duration.Maximum == 0 {
		t.Fatalf("schema lacks facts: %+v", schema)
	}
	return schema
}

// schemaClient returns a client of sim that sends over loopback HTTP.
func schemaClient(t *testing.T, sim *zoomsim.Server) *zoom.Client {
	t.Helper()

	if err := sim.Start("127.0.0.1:0"); err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() { _ = sim.Close() })

	httpClient := &http.Client{Transport: &oauth2.Transport{Source: oauth2.StaticTokenSource(sim.IssueToken())}}
	client, err := zoom.NewClient(httpClient, sim.APIURL())
	if err != nil {
		t.Fatalf("NewClient: %v", err)
	}
	return client
}

func TestClientSchemaUpdates(t *testing.T) {
	schema := loadClientSchema(t)
	sim := zoomsim.New(zoomsim.Options{UpdateInterval: -1})
	client := schemaClient(t, sim)

	updates := []zoom.Update{{Status: schema.Update.DNDStatus, Minutes: 45}}
	for _, status := range schema.Update.Statuses {
		updates = append(updates, zoom.Update{Status: status})
	}
	for _, u := range updates {
		if err := client.SetPresence(context.Background(), u); err != nil {
			t.Errorf("SetPresence(%v): %v", u, err)
			continue
		}

		requests := sim.Requests()
		req := requests[len(requests)-1]
		if want := "/v2/users/" + schema.UserID + "/presence_status"; req.Method != http.MethodPut || req.Path != want {
			t.Errorf("%v sent %s %s, want PUT %s", u, req.Method, req.Path, want)
		}
		if mediaType, _, _ := mime.ParseMediaType(req.Header.Get("Content-Type")); mediaType != schema.Update.ContentType {
			t.Errorf("%v Content-Type = %q, want %s", u, req.Header.Get("Content-Type"), schema.Update.ContentType)
		}
		if req.Status != schema.Update.Success {
			t.Errorf("%v response status = %d, want %d", u, req.Status, schema.Update.Success)
		}

		var body map[string]json.RawMessage
		if err := json.Unmarshal(req.Body, &body); err != nil {
			t.Fatalf("%v body %s is not a JSON object: %v", u, req.Body, err)
		}
		wantKeys := []string{"status"}
		if u.Status == schema.Update.DNDStatus {
			wantKeys = []string{"duration", "status"}
		}
		keys := make([]string, 0, len(body))
		for key := range body {
			keys = append(keys, key)
		}
		slices.Sort(keys)
		if !slices.Equal(keys, wantKeys) {
			t.Errorf("%v body keys = %v, want %v: duration goes with Do not disturb only", u, keys, wantKeys)
		}
	}
}

func TestClientSchemaDuration(t *testing.T) {
	schema := loadClientSchema(t)
	sim := zoomsim.New(zoomsim.Options{UpdateInterval: -1})
	client := schemaClient(t, sim)
	bounds := schema.Update.Duration
	dnd := schema.Update.DNDStatus

	for _, minutes := range []int{bounds.Minimum, bounds.Maximum} {
		if err := client.SetPresence(context.Background(), zoom.Update{Status: dnd, Minutes: minutes}); err != nil {
			t.Errorf("Do not disturb for %d minutes: %v", minutes, err)
		}
	}

	sent := len(sim.Requests())
	invalid := []zoom.Update{
		{Status: dnd, Minutes: bounds.Minimum - 1},
		{Status: dnd, Minutes: bounds.Maximum + 1},
		{Status: schema.Update.Statuses[0], Minutes: 30},
	}
	for _, u := range invalid {
		if err := client.SetPresence(context.Background(), u); err == nil {
			t.Errorf("SetPresence(%+v) succeeded, want a validation error", u)
		}
	}
	if got := len(sim.Requests()); got != sent {
		t.Errorf("invalid updates sent %d requests, want none", got-sent)
	}
}

func TestClientSchemaReads(t *testing.T) {
	schema := loadClientSchema(t)
	sim := zoomsim.New(zoomsim.Options{})
	client := schemaClient(t, sim)

	statuses := slices.Concat(schema.Read.Statuses, schema.Read.StatusesInDescription, []zoom.Status{"Some_Future_Status"})
	for _, status := range statuses {
		sim.SetPresence(zoom.Presence{Status: status})

		p, err := client.GetPresence(context.Background())
		if err != nil {
			t.Errorf("GetPresence with %s: %v", status, err)
			continue
		}
		if p.Status != status {
			t.Errorf("GetPresence status = %q, want %q", p.Status, status)
		}
		if label := p.Status.Label(); label == "" || strings.Contains(label, "_") {
			t.Errorf("label of %s = %q, want readable words", status, label)
		}
		if status == schema.Update.DNDStatus && (p.EndTime.IsZero() || p.Remaining <= 0) {
			t.Errorf("Do not disturb read has end %v and remaining %v, want both", p.EndTime, p.Remaining)
		}
	}
}

func TestClientSchemaUserID(t *testing.T) {
	schema := loadClientSchema(t)
	sim := zoomsim.New(zoomsim.Options{})
	client := schemaClient(t, sim)

	if _, err := client.GetPresence(context.Background()); err != nil {
		t.Fatalf("GetPresence: %v", err)
	}
	for _, req := range sim.Requests() {
		if !strings.Contains(req.Path, "/users/"+schema.UserID+"/") {
			t.Errorf("request path %s does not name the user %q", req.Path, schema.UserID)
		}
	}

	// The simulator enforces the other side: another id from a user-level
	// token is an invalid token.
	token := sim.IssueToken().AccessToken
	req, err := http.NewRequestWithContext(context.Background(), http.MethodGet, sim.APIURL()+"/users/KdYKjnimT4KPd8FFgQt9FQ/presence_status", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("GET with a user id: %v", err)
	}
	defer resp.Body.Close()
	err = zoom.CheckResponse(resp, time.Now())
	if !zoom.IsUnauthorized(err) {
		t.Errorf("GET with a user id from a user-level token = %v, want 401 invalid token", err)
	}
}
