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
	Requests   []Request
}

// handleStatusPage shows the presence and the latest requests, newest
// first, for a person who tries the app in sandbox mode.
func (s *Server) handleStatusPage(w http.ResponseWriter, r *http.Request) {
	now := time.Now()
	requests := s.Requests()
	requests = requests[max(0, len(requests)-pageRequests):]
	slices.Reverse(requests)

	s.mu.Lock()
	p := s.presenceLocked(now)
	data := statusPageData{
		Status:    p.Status.Label(),
		DNDEnd:    p.EndTime,
		SignedOut: s.user.signedOut,
		Requests:  requests,
	}
	if now.Before(s.user.nextUpdate) {
		data.NextUpdate = s.user.nextUpdate
	}
	s.mu.Unlock()

	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	if err := statusPage.Execute(w, data); err != nil {
		s.log.Debug("render status page failed", "error", err)
	}
}
