package zoomsim

import (
	"fmt"
	"html"
	"io"
	"net/http"
	"slices"
	"strings"
	"time"
)

// pageRequests is how many of the latest requests the status page lists.
const pageRequests = 50

// The status page is written with fmt and html.EscapeString, not
// html/template, because the app links the simulator for -sandbox.
// text/template calls methods through reflection, so the linker keeps
// every exported method of every reachable type. With the template, the
// stripped app binary was 0.5 MB larger and its resident memory 0.6 MB
// higher (build/bench.sh, linux/amd64).
const (
	statusPageHead = `<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>Zoom simulator</title></head>
<body>
<h1>Zoom simulator</h1>
<p>This page belongs to a simulated Zoom that runs on this computer. No request reaches Zoom.</p>
`
	statusPageForm = `<form method="post" action="/faults">
<label>Set faults: <input name="faults" size="40" placeholder="5xx=2,drop,latency=2s"></label>
<button type="submit">Apply</button>
</form>
<p>Switches: latency=D, 5xx=N, html=N, drop=N, 429=N, 429-seconds=N, signed-out, daily-limit=N.</p>
<h2>Latest requests</h2>
<table>
<tr><th>Time</th><th>Method</th><th>Path</th><th>Status</th><th>Body</th></tr>
`
	statusPageTail = `</table>
</body>
</html>
`
)

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
	if _, err := io.WriteString(w, data.html()); err != nil {
		s.log.Debug("write status page failed", "error", err)
	}
}

// html returns the status page. Every value from a request or an error
// goes through html.EscapeString.
func (d statusPageData) html() string {
	var b strings.Builder
	b.WriteString(statusPageHead)

	fmt.Fprintf(&b, "<p>Presence: <strong>%s</strong>", html.EscapeString(d.Status))
	if !d.DNDEnd.IsZero() {
		fmt.Fprintf(&b, " until %s", d.DNDEnd.Format("15:04:05 MST"))
	}
	b.WriteString("</p>\n")

	client := "signed in"
	if d.SignedOut {
		client = "signed out, so updates fail"
	}
	fmt.Fprintf(&b, "<p>Zoom client: %s</p>\n", client)

	next := "now"
	if !d.NextUpdate.IsZero() {
		next = d.NextUpdate.Format("15:04:05 MST")
	}
	fmt.Fprintf(&b, "<p>Next presence update accepted: %s</p>\n", next)

	limit := "off"
	if d.DailyLimit != 0 {
		limit = fmt.Sprintf("%d of %d requests used today", d.DailyUsed, d.DailyLimit)
	}
	fmt.Fprintf(&b, "<p>Faults: latency %s, %d queued, daily limit %s</p>\n", d.Latency, d.Queued, limit)
	if d.FaultError != "" {
		fmt.Fprintf(&b, "<p><strong>%s</strong></p>\n", html.EscapeString(d.FaultError))
	}

	b.WriteString(statusPageForm)
	for _, r := range d.Requests {
		fmt.Fprintf(&b, "<tr><td>%s</td><td>%s</td><td>%s</td><td>%d</td><td><code>%s</code></td></tr>\n",
			r.Time.Format("15:04:05"), html.EscapeString(r.Method), html.EscapeString(r.Path), r.Status, html.EscapeString(string(r.Body)))
	}
	b.WriteString(statusPageTail)
	return b.String()
}
