package zoomsim

import (
	"html/template"
	"net/http"
	"slices"
	"time"
)

// pageRequests is how many of the latest requests the status page lists.
const pageRequests = 50

var statusPage = template.Must(template.New("status").Parse(`<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>Zoom simulator</title></head>
<body>
<h1>Zoom simulator</h1>
<p>This page belongs to a simulated Zoom that runs on this computer. No request reaches Zoom.</p>
<p>Presence: <strong>{{.Status}}</strong>{{if not .DNDEnd.IsZero}} until {{.DNDEnd.Format "15:04:05 MST"}}{{end}}</p>
<p>Zoom client: {{if .SignedOut}}signed out, so updates fail{{else}}signed in{{end}}</p>
<p>Next presence update accepted: {{if .NextUpdate.IsZero}}now{{else}}{{.NextUpdate.Format "15:04:05 MST"}}{{end}}</p>
<p>Faults: latency {{.Latency}}, {{.Queued}} queued, daily limit {{if .DailyLimit}}{{.DailyUsed}} of {{.DailyLimit}} requests used today{{else}}off{{end}}</p>
{{if .FaultError}}<p><strong>{{.FaultError}}</strong></p>{{end}}
<form method="post" action="/faults">
<label>Set faults: <input name="faults" size="40" placeholder="5xx=2,drop,latency=2s"></label>
<button type="submit">Apply</button>
</form>
<p>Switches: latency=D, 5xx=N, html=N, drop=N, 429=N, 429-seconds=N, signed-out, daily-limit=N.</p>
<h2>Latest requests</h2>
<table>
<tr><th>Time</th><th>Method</th><th>Path</th><th>Status</th><th>Body</th></tr>
{{range .Requests}}<tr><td>{{.Time.Format "15:04:05"}}</td><td>{{.Method}}</td><td>{{.Path}}</td><td>{{.Status}}</td><td><code>{{printf "%s" .Body}}</code></td></tr>
{{end}}</table>
</body>
</html>
`))

type statusPageData struct {
	Status     string
	DNDEnd     time.Time
	SignedOut  bool
	NextUpdate time.Time
	Latency    time.Duration
	Queued     int
	DailyLimit int
	DailyUsed  int
	FaultError string
	Requests   []Request
}

// handleStatusPage shows the presence and the latest requests, newest
// first, for a person who tries the app in sandbox mode.
func (s *Server) handleStatusPage(w http.ResponseWriter, r *http.Request) {
	s.renderStatusPage(w, http.StatusOK, "")
}

// handleFaults applies the switch list that the status page's form posts,
// in the syntax of ApplyFaults, and shows the page again.
func (s *Server) handleFaults(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 4<<10)
	spec := r.PostFormValue("faults")
	if err := s.ApplyFaults(spec); err != nil {
		s.log.Debug("fault switches rejected", "faults", spec, "error", err)
		s.renderStatusPage(w, http.StatusBadRequest, err.Error())
		return
	}
	s.log.Debug("fault switches set from the status page", "faults", spec)
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

func (s *Server) renderStatusPage(w http.ResponseWriter, status int, faultError string) {
	now := time.Now()
	requests := s.Requests()
	requests = requests[max(0, len(requests)-pageRequests):]
	slices.Reverse(requests)

	s.mu.Lock()
	p := s.presenceLocked(now)
	data := statusPageData{
		Status:     p.Status.Label(),
		DNDEnd:     p.EndTime,
		SignedOut:  s.user.signedOut,
		Latency:    s.latency,
		DailyLimit: s.daily.limit,
		FaultError: faultError,
		Requests:   requests,
	}
	for _, pending := range s.faults {
		data.Queued += pending.remaining
	}
	if s.daily.day.Equal(now.UTC().Truncate(24 * time.Hour)) {
		data.DailyUsed = s.daily.used
	}
	if now.Before(s.user.nextUpdate) {
		data.NextUpdate = s.user.nextUpdate
	}
	s.mu.Unlock()

	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	if err := statusPage.Execute(w, data); err != nil {
		s.log.Debug("render status page failed", "error", err)
	}
}
