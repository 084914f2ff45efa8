package zoom_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/zoom-presence/zoom-presence/zoom"
	"github.com/zoom-presence/zoom-presence/zoom/zoomsim"
)

// click is one choice in a pacing scenario, at an offset from its start.
type click struct {
	at     time.Duration
	update zoom.Update
}

// pacingScenario is a scripted series of choices, with faults that the
// simulator injects at the start.
type pacingScenario struct {
	name   string
	clicks []click
	faults func(*zoomsim.Server)
	// injected429 is how many 429 responses the faults inject, which
	// the client's pacing does not cause.
	injected429 int
}

// pacingResult holds the figures of one client in one scenario.
type pacingResult struct {
	sent, accepted, rateLimited int
	// minGap is the shortest time between two accepted updates, or 0
	// with fewer than two.
	minGap time.Duration
	// lastShown is how long after the last click Zoom showed the last
	// choice for good, or -1 when it never did.
	lastShown time.Duration
}

func burst(start time.Duration, gap time.Duration, updates ...zoom.Update) []click {
	clicks := make([]click, len(updates))
	for i, u := range updates {
		clicks[i] = click{at: start + time.Duration(i)*gap, update: u}
	}
	return clicks
}

// every returns n clicks gap apart that alternate between the updates.
func every(gap time.Duration, n int, updates ...zoom.Update) []click {
	clicks := make([]click, n)
	for i := range clicks {
		clicks[i] = click{at: time.Duration(i) * gap, update: updates[i%len(updates)]}
	}
	return clicks
}

var pacingScenarios = []pacingScenario{
	{name: "burst of 5 in 2 s", clicks: burst(0, 500*time.Millisecond, away, busy, dndHour, available, busy)},
	{name: "click every 10 s for 3 min", clicks: every(10*time.Second, 18, away, busy, available)},
	{name: "two bursts 30 s apart", clicks: append(burst(0, 400*time.Millisecond, away, busy, available), burst(30*time.Second, 400*time.Millisecond, dndHour, away, busy)...)},
	{name: "second choice 5 s after the first", clicks: []click{{0, away}, {5 * time.Second, busy}}},
	{name: "choice every 70 s", clicks: every(70*time.Second, 5, away, busy)},
	{name: "Do not disturb durations", clicks: burst(0, time.Second, zoom.Update{Status: zoom.StatusDoNotDisturb, Minutes: 20}, dndHour, zoom.Update{Status: zoom.StatusDoNotDisturb, Minutes: 30})},
	{
		name:   "3 server errors, then a burst",
		clicks: burst(0, 500*time.Millisecond, away, busy, available),
		faults: func(s *zoomsim.Server) { s.FailNext(3, zoomsim.FaultServerError) },
	},
	{
		name:   "dropped connection and HTML 502",
		clicks: every(20*time.Second, 4, away, busy),
		faults: func(s *zoomsim.Server) {
			s.FailNext(1, zoomsim.Fault{Method: http.MethodPut, Drop: true})
			s.FailNext(1, zoomsim.Fault{Method: http.MethodPut, Status: http.StatusBadGateway, ContentType: "text/html", Body: "<html><title>502 Bad Gateway</title></html>"})
		},
	},
	{
		name:        "429 caused by another app",
		clicks:      burst(0, time.Second, away, busy),
		faults:      func(s *zoomsim.Server) { s.RateLimitNext(1) },
		injected429: 1,
	},
}

// TestPacingScenarios drives the Sender and a naive client, which sends
// every click at once, through each scenario in simulated time. It checks
// the Sender's targets: no 429 caused by its own pacing, at most one
// update a minute, Zoom ends on the last choice, and without faults that
// choice arrives within the one-minute window plus the debounce. Run it
// with -v to print the table of docs/benchmarks.md.
func TestPacingScenarios(t *testing.T) {
	var table strings.Builder
	table.WriteString("| scenario | clicks | client | updates sent | accepted | 429s | shortest gap | last choice shown after |\n")
	table.WriteString("|---|---|---|---|---|---|---|---|\n")

	for _, sc := range pacingScenarios {
		t.Run(sc.name, func(t *testing.T) {
			var paced, naive pacingResult
			synctest.Test(t, func(t *testing.T) { paced = runPacing(t, sc, true) })
			synctest.Test(t, func(t *testing.T) { naive = runPacing(t, sc, false) })

			if got := paced.rateLimited; got > sc.injected429 {
				t.Errorf("Sender got %d 429s, %d injected: its own pacing caused the rest", got, sc.injected429)
			}
			if paced.minGap != 0 && paced.minGap < zoom.DefaultInterval {
				t.Errorf("Sender's updates came %v apart, want at least %v", paced.minGap, zoom.DefaultInterval)
			}
			if paced.lastShown < 0 {
				t.Error("Zoom never showed the last choice")
			}
			if sc.faults == nil && paced.lastShown > zoom.DefaultInterval+zoom.DefaultDebounce {
				t.Errorf("last choice shown %v after the last click, want at most %v", paced.lastShown, zoom.DefaultInterval+zoom.DefaultDebounce)
			}

			for _, row := range []struct {
				client string
				result pacingResult
			}{{"Sender", paced}, {"naive", naive}} {
				fmt.Fprintf(&table, "| %s | %d | %s | %d | %d | %d | %s | %s |\n",
					sc.name, len(sc.clicks), row.client, row.result.sent, row.result.accepted,
					row.result.rateLimited, formatGap(row.result.minGap), formatShown(row.result.lastShown))
			}
		})
	}
	t.Log("\n" + table.String())
}

// runPacing plays sc against a new simulator, through a Sender when paced
// is true and through direct SetPresence calls otherwise, and measures
// the result ten minutes after the last click.
func runPacing(t *testing.T, sc pacingScenario, paced bool) pacingResult {
	t.Helper()

	sim := zoomsim.New(zoomsim.Options{})
	client := inProcessClient(t, sim)
	if sc.faults != nil {
		sc.faults(sim)
	}

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var sender *zoom.Sender
	done := make(chan struct{})
	if paced {
		sender = zoom.NewSender(client, zoom.SenderOptions{})
		go func() {
			defer close(done)
			_ = sender.Run(ctx)
		}()
	} else {
		close(done)
	}

	start := time.Now()
	for _, c := range sc.clicks {
		time.Sleep(time.Until(start.Add(c.at)))
		if paced {
			sender.Choose(c.update)
			continue
		}
		// The naive client ignores failures, as a client that sends every
		// click at once has nothing to retry with.
		_ = client.SetPresence(ctx, c.update)
	}
	lastClick := time.Now()
	time.Sleep(10 * time.Minute)
	synctest.Wait()
	cancel()
	<-done

	return measure(sim, sc.clicks[len(sc.clicks)-1].update, lastClick)
}

func measure(sim *zoomsim.Server, last zoom.Update, lastClick time.Time) pacingResult {
	var r pacingResult
	var previous, lastAccepted time.Time
	var final zoom.Update
	for _, u := range sim.PresenceUpdates() {
		r.sent++
		switch u.Status {
		case http.StatusTooManyRequests:
			r.rateLimited++
		case http.StatusNoContent:
			r.accepted++
			if !previous.IsZero() && (r.minGap == 0 || u.Time.Sub(previous) < r.minGap) {
				r.minGap = u.Time.Sub(previous)
			}
			previous, lastAccepted, final = u.Time, u.Time, u.Update
		}
	}

	r.lastShown = -1
	if final == last {
		r.lastShown = max(lastAccepted.Sub(lastClick), 0)
	}
	return r
}

func formatGap(d time.Duration) string {
	if d == 0 {
		return "–"
	}
	return d.Round(100 * time.Millisecond).String()
}

func formatShown(d time.Duration) string {
	if d < 0 {
		return "never"
	}
	return d.Round(100 * time.Millisecond).String()
}
