package main

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/zoom-presence/zoom-presence/internal/desktoptest"
	"github.com/zoom-presence/zoom-presence/zoom"
	"github.com/zoom-presence/zoom-presence/zoom/zoomsim"
)

// TestAppRetriesThroughFaults drives the tray while the simulator fails
// the first update with a 500 and drops the connection of the second. The
// menu must show the retry countdown, a newer choice must replace the one
// being retried, and Zoom must receive that last choice exactly once.
func TestAppRetriesThroughFaults(t *testing.T) {
	d := startDesktop(t)
	process, item := d.start(t, freeRedirectURL(t))

	waitForMenu(t, item, "the signed-out menu", func(root desktoptest.MenuNode) bool {
		return visible(root, "Sign in to Zoom…")
	})
	click(t, item, "Sign in to Zoom…")
	waitForMenu(t, item, "the signed-in menu", func(root desktoptest.MenuNode) bool {
		away, _ := root.FindByLabel("Away")
		return visible(root, "Signed in") && away.Enabled
	})

	d.sim.FailNext(1, zoomsim.Fault{Method: http.MethodPut, Status: http.StatusInternalServerError})
	d.sim.FailNext(1, zoomsim.Fault{Method: http.MethodPut, Drop: true})
	click(t, item, "Away")

	root := waitForMenu(t, item, "the retry of Away", func(root desktoptest.MenuNode) bool {
		return strings.HasPrefix(waitingLine(root), "Retrying Away in ")
	})
	if line := waitingLine(root); !strings.HasSuffix(line, " s") {
		t.Errorf("waiting line = %q, want a countdown in seconds", line)
	}

	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	defer cancel()
	note, err := d.notifications.WaitFor(ctx, func(n desktoptest.Notification) bool {
		return n.Summary == "Zoom status change delayed"
	})
	if err != nil {
		t.Fatalf("no notification for the 500: %v; received %+v", err, d.notifications.Received())
	}
	if !strings.Contains(note.Body, "HTTP status 500") {
		t.Errorf("notification body = %q, want the server problem named", note.Body)
	}

	// Busy replaces Away while Away waits for its retry. Its first try
	// meets the dropped connection, and the next one goes through.
	click(t, item, "Busy")
	waitForMenu(t, item, "the retry of Busy", func(root desktoptest.MenuNode) bool {
		return strings.HasPrefix(waitingLine(root), "Retrying Busy in ")
	})
	waitLong(t, item, "Busy checked", func(root desktoptest.MenuNode) bool {
		busy, _ := root.FindByLabel("Busy")
		return busy.Checked() && waitingLine(root) == "Nothing waiting"
	})

	// Give a stray duplicate time to arrive before counting.
	time.Sleep(2 * time.Second)
	var got []string
	for _, u := range d.sim.PresenceUpdates() {
		got = append(got, fmt.Sprintf("%d %s", u.Status, u.Update.Status))
	}
	want := []string{"500 Away", "0 Busy", "204 Busy"}
	if strings.Join(got, "; ") != strings.Join(want, "; ") {
		t.Errorf("simulator received %q, want %q", got, want)
	}
	if status := d.sim.Presence().Status; status != zoom.StatusBusy {
		t.Errorf("simulator status = %q, want %q", status, zoom.StatusBusy)
	}

	// A choice that waits for Zoom's window beyond the 2 seconds a quit
	// allows is dropped and logged, and the quit does not wait for it.
	click(t, item, "Available")
	waitForMenu(t, item, "Available waiting", func(root desktoptest.MenuNode) bool {
		return strings.HasPrefix(waitingLine(root), "Waiting: Available at ")
	})
	click(t, item, "Quit")
	quitCtx, cancelQuit := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancelQuit()
	if err := process.Wait(quitCtx); err != nil {
		t.Errorf("app exit: %v\n%s", err, process.Output())
	}
	if output := process.Output(); !strings.Contains(output, "quitting: choice dropped") || !strings.Contains(output, "status=Available") {
		t.Errorf("output lacks the log line about the dropped Available:\n%s", output)
	}
	if got := len(d.sim.PresenceUpdates()); got != len(want) {
		t.Errorf("simulator received %d updates, want %d: Available must not be sent", got, len(want))
	}
}

// waitLong waits for a menu that takes two backoff waits of the Sender,
// up to 5 and 10 seconds, to appear.
func waitLong(t *testing.T, item desktoptest.Item, what string, match func(desktoptest.MenuNode) bool) desktoptest.MenuNode {
	t.Helper()

	ctx, cancel := context.WithTimeout(t.Context(), 45*time.Second)
	defer cancel()
	root, err := item.WaitForMenu(ctx, match)
	if err != nil {
		t.Fatalf("menu never showed %s: %v", what, err)
	}
	return root
}
