package zoom_test

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"golang.org/x/oauth2"

	"github.com/zoom-presence/zoom-presence/zoom"
	"github.com/zoom-presence/zoom-presence/zoom/zoomsim"
)

// senderHarness runs a Sender against the simulator in-process, so that
// inside a synctest bubble both read the same fake clock.
type senderHarness struct {
	sim    *zoomsim.Server
	sender *zoom.Sender
	cancel context.CancelFunc
	done   chan error

	mu     sync.Mutex
	events []zoom.Event
}

func startSender(t *testing.T, opts zoom.SenderOptions) *senderHarness {
	t.Helper()
	return startSenderOn(t, zoomsim.New(zoomsim.Options{}), opts, nil)
}

// startSenderOn runs a Sender against sim. A non-nil wall replaces the
// Sender's wall clock before Run starts.
func startSenderOn(t *testing.T, sim *zoomsim.Server, opts zoom.SenderOptions, wall func() time.Time) *senderHarness {
	t.Helper()

	client := inProcessClient(t, sim)
	h := &senderHarness{sim: sim, done: make(chan error, 1)}
	opts.OnEvent = func(e zoom.Event) {
		h.mu.Lock()
		h.events = append(h.events, e)
		h.mu.Unlock()
	}
	h.sender = zoom.NewSender(client, opts)
	if wall != nil {
		zoom.SetWallClock(h.sender, wall)
	}

	ctx, cancel := context.WithCancel(context.Background())
	h.cancel = cancel
	go func() { h.done <- h.sender.Run(ctx) }()
	t.Cleanup(h.stop)
	return h
}

// inProcessClient returns a client that reaches sim through its
// Transport, so that both run on a synctest bubble's clock.
func inProcessClient(t *testing.T, sim *zoomsim.Server) *zoom.Client {
	t.Helper()

	httpClient := &http.Client{Transport: &oauth2.Transport{
		Source: oauth2.StaticTokenSource(sim.IssueToken()),
		Base:   sim.Transport(),
	}}
	client, err := zoom.NewClient(httpClient, "http://127.0.0.1/v2")
	if err != nil {
		t.Fatalf("NewClient: %v", err)
	}
	return client
}

func (h *senderHarness) stop() {
	if h.cancel == nil {
		return
	}
	h.cancel()
	<-h.done
	h.cancel = nil
}

// accepted returns the updates that the simulator accepted, in order.
func (h *senderHarness) accepted() []zoom.Update {
	var updates []zoom.Update
	for _, u := range h.sim.PresenceUpdates() {
		if u.Status == http.StatusNoContent {
			updates = append(updates, u.Update)
		}
	}
	return updates
}

func (h *senderHarness) rejected() int {
	count := 0
	for _, u := range h.sim.PresenceUpdates() {
		if u.Status != http.StatusNoContent {
			count++
		}
	}
	return count
}

func (h *senderHarness) eventsOf(kind zoom.EventKind) []zoom.Event {
	h.mu.Lock()
	defer h.mu.Unlock()

	var found []zoom.Event
	for _, e := range h.events {
		if e.Kind == kind {
			found = append(found, e)
		}
	}
	return found
}

var (
	away      = zoom.Update{Status: zoom.StatusAway}
	available = zoom.Update{Status: zoom.StatusAvailable}
	busy      = zoom.Update{Status: zoom.StatusBusy}
	dndHour   = zoom.Update{Status: zoom.StatusDoNotDisturb, Minutes: 60}
)

func TestSenderReadsPresenceAtStart(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := startSender(t, zoom.SenderOptions{})
		synctest.Wait()

		reads := h.eventsOf(zoom.EventPresence)
		if len(reads) != 1 {
			t.Fatalf("presence events at start = %d, want 1", len(reads))
		}
		if got := reads[0].Presence.Status; got != zoom.StatusAvailable {
			t.Errorf("status at start = %q, want %q", got, zoom.StatusAvailable)
		}
	})
}

func TestSenderBurstSendsLastChoice(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := startSender(t, zoom.SenderOptions{})
		synctest.Wait()

		for _, u := range []zoom.Update{away, busy, dndHour, available, away} {
			h.sender.Choose(u)
			time.Sleep(200 * time.Millisecond)
		}
		synctest.Wait()
		if got := h.accepted(); len(got) != 0 {
			t.Fatalf("sent during the burst: %v", got)
		}

		time.Sleep(zoom.DefaultDebounce)
		synctest.Wait()

		if got, want := h.accepted(), []zoom.Update{away}; !slices.Equal(got, want) {
			t.Errorf("accepted updates = %v, want %v", got, want)
		}
		if got := h.sim.Presence().Status; got != zoom.StatusAway {
			t.Errorf("simulator status = %q, want %q", got, zoom.StatusAway)
		}
	})
}

func TestSenderDebounceRestartsOnEachChoice(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := startSender(t, zoom.SenderOptions{Debounce: 2 * time.Second})
		synctest.Wait()

		h.sender.Choose(away)
		time.Sleep(1500 * time.Millisecond)
		h.sender.Choose(busy)
		time.Sleep(1500 * time.Millisecond)
		synctest.Wait()
		if got := len(h.accepted()); got != 0 {
			t.Fatalf("accepted %d updates before the debounce ended, want 0", got)
		}

		time.Sleep(time.Second)
		synctest.Wait()
		if got, want := h.accepted(), []zoom.Update{busy}; !slices.Equal(got, want) {
			t.Errorf("accepted updates = %v, want %v", got, want)
		}
	})
}

func TestSenderOneUpdatePerMinute(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := startSender(t, zoom.SenderOptions{})
		synctest.Wait()

		h.sender.Choose(away)
		time.Sleep(2 * time.Second)
		synctest.Wait()
		sentAt := time.Now()

		// A choice made 10 seconds later waits for the window, and a later
		// one replaces it while it waits.
		time.Sleep(10 * time.Second)
		h.sender.Choose(busy)
		synctest.Wait()
		waiting := h.eventsOf(zoom.EventWaiting)
		if got := waiting[len(waiting)-1].At; got.Before(sentAt.Add(zoom.DefaultInterval - time.Second)) {
			t.Errorf("second choice announced for %v after the first update, want at least a minute", got.Sub(sentAt))
		}

		time.Sleep(20 * time.Second)
		h.sender.Choose(dndHour)
		synctest.Wait()

		time.Sleep(28 * time.Second) // 58 s after the first update
		synctest.Wait()
		if got := len(h.accepted()); got != 1 {
			t.Fatalf("accepted %d updates within the minute, want 1", got)
		}

		time.Sleep(5 * time.Second)
		synctest.Wait()
		if got, want := h.accepted(), []zoom.Update{away, dndHour}; !slices.Equal(got, want) {
			t.Errorf("accepted updates = %v, want %v", got, want)
		}
		if got := h.rejected(); got != 0 {
			t.Errorf("rejected updates = %d, want 0: the sender's own pacing caused a 429", got)
		}
	})
}

func TestSenderRetriesAfter429(t *testing.T) {
	tests := []struct {
		name      string
		fault     zoomsim.Fault
		wantRetry time.Duration
	}{
		{
			name:      "RFC 3339 time",
			fault:     zoomsim.Fault{Status: http.StatusTooManyRequests, RetryIn: 30 * time.Second},
			wantRetry: 30 * time.Second,
		},
		{
			name:      "seconds",
			fault:     zoomsim.Fault{Status: http.StatusTooManyRequests, RetryAfter: "7"},
			wantRetry: 7 * time.Second,
		},
		{
			name:      "missing header",
			fault:     zoomsim.Fault{Status: http.StatusTooManyRequests},
			wantRetry: zoom.DefaultRetryAfter,
		},
		{
			name:      "time in the past",
			fault:     zoomsim.Fault{Status: http.StatusTooManyRequests, RetryAfter: "1999-12-31T23:00:00Z"}, // synctest's clock starts at 2000-01-01 UTC
			wantRetry: time.Second,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				h := startSender(t, zoom.SenderOptions{})
				synctest.Wait()
				h.sim.FailNext(1, tt.fault)

				h.sender.Choose(away)
				time.Sleep(zoom.DefaultDebounce)
				synctest.Wait()
				failedAt := time.Now()

				retries := h.eventsOf(zoom.EventRetrying)
				if len(retries) != 1 {
					t.Fatalf("retrying events = %d, want 1", len(retries))
				}
				var rateLimit *zoom.RateLimitError
				if !errors.As(retries[0].Err, &rateLimit) {
					t.Errorf("retry error = %v, want a *zoom.RateLimitError", retries[0].Err)
				}
				if got := retries[0].At.Sub(failedAt); got != tt.wantRetry {
					t.Errorf("retry in %v, want %v", got, tt.wantRetry)
				}

				if tt.wantRetry > 0 {
					time.Sleep(tt.wantRetry - time.Millisecond)
					synctest.Wait()
					if got := len(h.accepted()); got != 0 {
						t.Fatalf("accepted %d updates before Retry-After, want 0", got)
					}
				}
				time.Sleep(time.Millisecond)
				synctest.Wait()
				if got, want := h.accepted(), []zoom.Update{away}; !slices.Equal(got, want) {
					t.Errorf("accepted updates = %v, want %v", got, want)
				}
			})
		})
	}
}

func TestSenderCapsAbsurdRetryAfter(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := startSender(t, zoom.SenderOptions{})
		synctest.Wait()
		h.sim.FailNext(1, zoomsim.Fault{Status: http.StatusTooManyRequests, RetryAfter: "9999999"})

		h.sender.Choose(away)
		time.Sleep(zoom.DefaultDebounce)
		synctest.Wait()

		retries := h.eventsOf(zoom.EventRetrying)
		if len(retries) != 1 {
			t.Fatalf("retrying events = %d, want 1", len(retries))
		}
		if got := time.Until(retries[0].At); got != zoom.MaxRetryAfter {
			t.Errorf("retry in %v, want the cap %v", got, zoom.MaxRetryAfter)
		}
	})
}

func TestSenderNewChoiceReplacesRetry(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := startSender(t, zoom.SenderOptions{})
		synctest.Wait()
		h.sim.FailNext(1, zoomsim.Fault{Status: http.StatusTooManyRequests, RetryAfter: "30"})

		h.sender.Choose(away)
		time.Sleep(zoom.DefaultDebounce)
		synctest.Wait()

		time.Sleep(5 * time.Second)
		h.sender.Choose(busy)
		time.Sleep(time.Minute)
		synctest.Wait()

		if got, want := h.accepted(), []zoom.Update{busy}; !slices.Equal(got, want) {
			t.Errorf("accepted updates = %v, want %v", got, want)
		}
	})
}

func TestSenderDropsRejectedChoice(t *testing.T) {
	tests := []struct {
		name  string
		setup func(*zoomsim.Server)
		check func(error) bool
	}{
		{
			name:  "not signed in to a Zoom client",
			setup: func(s *zoomsim.Server) { s.SetSignedOut(true) },
			check: zoom.IsNotSignedIn,
		},
		{
			name:  "no permission",
			setup: func(s *zoomsim.Server) { s.FailNext(1, zoomsim.FaultNoPermission) },
			check: zoom.IsNoPermission,
		},
		{
			name: "other 400",
			setup: func(s *zoomsim.Server) {
				s.FailNext(1, zoomsim.Fault{Status: 400, Code: 300, Message: "Invalid field."})
			},
			check: func(err error) bool { var e *zoom.ErrorResponse; return errors.As(err, &e) && e.Code == 300 },
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				h := startSender(t, zoom.SenderOptions{})
				synctest.Wait()
				tt.setup(h.sim)

				h.sender.Choose(away)
				time.Sleep(10 * time.Minute)
				synctest.Wait()

				failures := h.eventsOf(zoom.EventFailed)
				if len(failures) != 1 {
					t.Fatalf("failed events = %d, want 1", len(failures))
				}
				if !tt.check(failures[0].Err) {
					t.Errorf("failure error = %v, not the expected kind", failures[0].Err)
				}
				if got := len(h.sim.PresenceUpdates()); got != 1 {
					t.Errorf("update requests = %d, want 1: a rejected choice must not be retried", got)
				}
				if got := len(h.eventsOf(zoom.EventRetrying)); got != 0 {
					t.Errorf("retrying events = %d, want 0", got)
				}
			})
		})
	}
}

func TestSenderBacksOffOnServerErrors(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := startSender(t, zoom.SenderOptions{})
		synctest.Wait()
		h.sim.FailNext(6, zoomsim.FaultServerError)

		h.sender.Choose(away)
		time.Sleep(zoom.DefaultDebounce)
		synctest.Wait()

		time.Sleep(30 * time.Minute)
		synctest.Wait()

		retries := h.eventsOf(zoom.EventRetrying)
		if len(retries) != 6 {
			t.Fatalf("retrying events = %d, want 6", len(retries))
		}
		var previous time.Duration
		for i := 1; i < len(retries); i++ {
			gap := retries[i].At.Sub(retries[i-1].At)
			if gap > zoom.MaxBackoff {
				t.Errorf("retry %d came %v after the previous, over the cap %v", i+1, gap, zoom.MaxBackoff)
			}
			if i >= 2 && gap <= previous && gap < zoom.MaxBackoff*4/5 {
				t.Errorf("retry %d gap %v did not grow from %v", i+1, gap, previous)
			}
			previous = gap
		}
		if got, want := h.accepted(), []zoom.Update{away}; !slices.Equal(got, want) {
			t.Errorf("accepted updates = %v, want %v: the choice must go out once the server recovers", got, want)
		}
	})
}

func TestSenderPermanentErrorNotRetried(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		// Treat a 500 as permanent, as the app does for a sign-in that
		// Zoom no longer accepts.
		h := startSender(t, zoom.SenderOptions{Permanent: zoom.IsRetryable})
		synctest.Wait()
		h.sim.FailNext(1, zoomsim.FaultServerError)

		h.sender.Choose(away)
		time.Sleep(10 * time.Minute)
		synctest.Wait()

		if got := len(h.eventsOf(zoom.EventFailed)); got != 1 {
			t.Errorf("failed events = %d, want 1", got)
		}
		if got := len(h.sim.PresenceUpdates()); got != 1 {
			t.Errorf("update requests = %d, want 1", got)
		}
	})
}

func TestSenderRereadsAfterDNDEnds(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := startSender(t, zoom.SenderOptions{PollInterval: -1})
		synctest.Wait()

		h.sender.Choose(zoom.Update{Status: zoom.StatusDoNotDisturb, Minutes: 20})
		time.Sleep(zoom.DefaultDebounce)
		synctest.Wait()

		reads := h.eventsOf(zoom.EventPresence)
		if got := reads[len(reads)-1].Presence.Status; got != zoom.StatusDoNotDisturb {
			t.Fatalf("status after the update = %q, want %q", got, zoom.StatusDoNotDisturb)
		}

		time.Sleep(21 * time.Minute)
		synctest.Wait()
		reads = h.eventsOf(zoom.EventPresence)
		if got := reads[len(reads)-1].Presence.Status; got == zoom.StatusDoNotDisturb {
			t.Errorf("status 21 minutes into 20 minutes of Do not disturb = %q, want it ended", got)
		}
	})
}

func TestSenderPollsStatus(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := startSender(t, zoom.SenderOptions{PollInterval: time.Second})
		synctest.Wait()

		time.Sleep(10 * zoom.MinPollInterval)
		synctest.Wait()

		// One read at start, then one every MinPollInterval, because a
		// shorter interval is raised to it.
		if got := len(h.eventsOf(zoom.EventPresence)); got != 11 {
			t.Errorf("presence reads = %d, want 11", got)
		}
	})
}

func TestSenderRefresh(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := startSender(t, zoom.SenderOptions{PollInterval: -1})
		synctest.Wait()

		h.sim.SetPresence(zoom.Presence{Status: zoom.StatusBusy})
		h.sender.Refresh()
		synctest.Wait()

		reads := h.eventsOf(zoom.EventPresence)
		if len(reads) != 2 {
			t.Fatalf("presence reads = %d, want 2", len(reads))
		}
		if got := reads[1].Presence.Status; got != zoom.StatusBusy {
			t.Errorf("status after Refresh = %q, want %q", got, zoom.StatusBusy)
		}
	})
}

func TestSenderPastRetryAfterBacksOff(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := startSender(t, zoom.SenderOptions{})
		synctest.Wait()
		past := zoomsim.Fault{Status: http.StatusTooManyRequests, RetryAfter: "0"}
		h.sim.FailNext(1000, past)

		h.sender.Choose(away)
		time.Sleep(10 * time.Minute)
		synctest.Wait()

		// Waits of 1, 2, 4 … seconds up to MaxBackoff fit about 10
		// attempts into 10 minutes, where no floor would allow thousands.
		if got := len(h.sim.PresenceUpdates()); got < 5 || got > 12 {
			t.Errorf("update requests in 10 minutes of 429s = %d, want 5 to 12", got)
		}
	})
}

func TestSenderQuitDuringRequest(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := startSender(t, zoom.SenderOptions{})
		synctest.Wait()
		h.sim.SetLatency(time.Minute)

		h.sender.Choose(away)
		time.Sleep(zoom.DefaultDebounce + time.Second)
		h.cancel()
		synctest.Wait()

		select {
		case err := <-h.done:
			if !errors.Is(err, context.Canceled) {
				t.Errorf("Run returned %v, want context.Canceled", err)
			}
		default:
			t.Fatal("Run still running after its context ended during a request")
		}
		h.cancel = nil
		if got := len(h.sim.PresenceUpdates()); got != 1 {
			t.Errorf("update requests = %d, want 1: a cancelled request must not be retried", got)
		}
	})
}

func TestSenderRequestTimeout(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := startSender(t, zoom.SenderOptions{PollInterval: -1})
		synctest.Wait()
		h.sim.SetLatency(time.Hour)

		h.sender.Choose(away)
		time.Sleep(zoom.DefaultDebounce + zoom.RequestTimeout + time.Second)
		synctest.Wait()

		retries := h.eventsOf(zoom.EventRetrying)
		if len(retries) != 1 {
			t.Fatalf("retrying events after a request timed out = %d, want 1", len(retries))
		}
		if !zoom.IsRetryable(retries[0].Err) {
			t.Errorf("timeout error %v is not retryable", retries[0].Err)
		}

		h.sim.SetLatency(0)
		h.sender.Choose(busy)
		time.Sleep(2 * time.Minute)
		synctest.Wait()
		updates := h.accepted()
		if len(updates) == 0 || updates[len(updates)-1] != busy {
			t.Errorf("accepted updates = %v, want Busy last: a hung request must not hold later choices", updates)
		}
	})
}

func TestSenderNotBeforeHoldsFirstUpdate(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		notBefore := time.Now().Add(40 * time.Second)
		h := startSender(t, zoom.SenderOptions{NotBefore: notBefore})
		synctest.Wait()

		h.sender.Choose(away)
		time.Sleep(39 * time.Second)
		synctest.Wait()
		if got := len(h.sim.PresenceUpdates()); got != 0 {
			t.Fatalf("update requests before NotBefore = %d, want 0", got)
		}

		time.Sleep(time.Second)
		synctest.Wait()
		if got, want := h.accepted(), []zoom.Update{away}; !slices.Equal(got, want) {
			t.Errorf("accepted updates = %v, want %v", got, want)
		}
	})
}

func TestSenderClicksDoNotResetBackoff(t *testing.T) {
	for _, alternate := range []bool{false, true} {
		name := "same choice"
		if alternate {
			name = "new choices"
		}
		t.Run(name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				h := startSender(t, zoom.SenderOptions{PollInterval: -1})
				synctest.Wait()
				h.sim.FailNext(1000, zoomsim.FaultServerError)

				for i := range 30 {
					u := away
					if alternate && i%2 == 1 {
						u = busy
					}
					h.sender.Choose(u)
					time.Sleep(4 * time.Second)
				}
				synctest.Wait()

				// Backoff of 5, 10, 20, 40 and 80 seconds fits about six
				// tries into two minutes. Restarting it on every click
				// would allow one every five seconds.
				if got := len(h.sim.PresenceUpdates()); got > 8 {
					t.Errorf("update requests in 2 minutes of 500s with a click every 4 s = %d, want at most 8", got)
				}
			})
		})
	}
}
