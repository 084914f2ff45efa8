package zoom_test

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/zoom-presence/zoom-presence/zoom"
	"github.com/zoom-presence/zoom-presence/zoom/zoomsim"
)

// longTokens lets a simulated day pass without the access token expiring.
var longTokens = zoomsim.Options{TokenLifetime: 72 * time.Hour}

func TestSenderDailyLimitWaitsForReset(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sim := zoomsim.New(longTokens)
		sim.SetDailyLimit(1) // the read at start uses the day's only request
		h := startSenderOn(t, sim, zoom.SenderOptions{PollInterval: -1}, nil)
		synctest.Wait()

		h.sender.Choose(away)
		time.Sleep(zoom.DefaultDebounce)
		synctest.Wait()

		retries := h.eventsOf(zoom.EventRetrying)
		if len(retries) != 1 {
			t.Fatalf("retrying events = %d, want 1", len(retries))
		}
		var rateLimit *zoom.RateLimitError
		if !errors.As(retries[0].Err, &rateLimit) || rateLimit.Type != zoom.RateLimitDaily {
			t.Errorf("retry error = %v, want a daily-limit *zoom.RateLimitError", retries[0].Err)
		}
		midnight := time.Date(2000, 1, 2, 0, 0, 0, 0, time.UTC) // synctest starts at 2000-01-01 00:00 UTC
		if got := retries[0].At; !got.Equal(midnight) {
			t.Errorf("retry at %v, want the reset at %v", got, midnight)
		}
		if got := retries[0].Attempt; got != 1 {
			t.Errorf("attempt = %d, want 1", got)
		}

		time.Sleep(23 * time.Hour)
		synctest.Wait()
		if got := len(sim.PresenceUpdates()); got != 1 {
			t.Fatalf("update requests before the reset = %d, want 1: a spent daily limit must not be retried every minute", got)
		}

		time.Sleep(time.Hour)
		synctest.Wait()
		if got, want := h.accepted(), []zoom.Update{away}; !slices.Equal(got, want) {
			t.Errorf("accepted updates after the reset = %v, want %v", got, want)
		}
	})
}

func TestSenderDailyLimitNoRetryAfter(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := startSenderOn(t, zoomsim.New(longTokens), zoom.SenderOptions{PollInterval: -1}, nil)
		synctest.Wait()
		time.Sleep(6 * time.Hour)
		h.sim.FailNext(1, zoomsim.Fault{Status: http.StatusTooManyRequests, RateLimitType: "Daily-limit"})

		h.sender.Choose(away)
		time.Sleep(zoom.DefaultDebounce)
		synctest.Wait()

		retries := h.eventsOf(zoom.EventRetrying)
		if len(retries) != 1 {
			t.Fatalf("retrying events = %d, want 1", len(retries))
		}
		midnight := time.Date(2000, 1, 2, 0, 0, 0, 0, time.UTC)
		if got := retries[0].At; !got.Equal(midnight) {
			t.Errorf("retry at %v, want the next midnight UTC %v", got, midnight)
		}
	})
}

// suspendClock is a wall clock that can run ahead of the monotonic clock,
// as after a suspend.
type suspendClock struct {
	suspended atomic.Int64
}

func (c *suspendClock) now() time.Time {
	return time.Now().Round(0).Add(time.Duration(c.suspended.Load()))
}

func (c *suspendClock) suspend(d time.Duration) {
	c.suspended.Add(int64(d))
}

func TestSenderResumeSendsDueChoice(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		// Zoom's window runs on wall time and passes during a suspend,
		// which this fake clock cannot show the simulator, so the
		// simulator leaves pacing to the Sender.
		clock := &suspendClock{}
		h := startSenderOn(t, zoomsim.New(zoomsim.Options{UpdateInterval: -1}), zoom.SenderOptions{PollInterval: -1}, clock.now)
		synctest.Wait()

		h.sender.Choose(away)
		time.Sleep(zoom.DefaultDebounce)
		synctest.Wait()
		sentAt := time.Now()

		time.Sleep(10 * time.Second)
		h.sender.Choose(busy) // waits for the window, 60 s after the first update
		readsBefore := len(h.eventsOf(zoom.EventPresence))

		time.Sleep(5 * time.Second)
		clock.suspend(time.Hour)
		time.Sleep(10 * time.Second)
		synctest.Wait()

		if got, want := h.accepted(), []zoom.Update{away, busy}; !slices.Equal(got, want) {
			t.Fatalf("accepted updates %v after the first, with an hour of suspend = %v, want %v", time.Since(sentAt), got, want)
		}
		if got := len(h.eventsOf(zoom.EventPresence)); got <= readsBefore {
			t.Errorf("presence reads after the resume = %d, want more than %d", got, readsBefore)
		}
	})
}

func TestSenderNoResumeWithoutJump(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		clock := &suspendClock{}
		h := startSenderOn(t, zoomsim.New(zoomsim.Options{UpdateInterval: -1}), zoom.SenderOptions{PollInterval: -1}, clock.now)
		synctest.Wait()

		h.sender.Choose(away)
		time.Sleep(zoom.DefaultDebounce)
		synctest.Wait()

		time.Sleep(10 * time.Second)
		h.sender.Choose(busy)
		clock.suspend(4 * time.Second) // under the threshold, such as a clock adjustment
		time.Sleep(40 * time.Second)
		synctest.Wait()

		if got, want := h.accepted(), []zoom.Update{away}; !slices.Equal(got, want) {
			t.Errorf("accepted updates 51 s after the first = %v, want %v", got, want)
		}
	})
}

func TestSenderFlushDueChoice(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := startSender(t, zoom.SenderOptions{})
		synctest.Wait()

		h.sender.Choose(away)
		time.Sleep(zoom.DefaultDebounce)
		synctest.Wait()

		// The window opens 60 s after the first update, 1.5 s after the
		// quit.
		time.Sleep(58 * time.Second)
		h.sender.Choose(busy)
		time.Sleep(500 * time.Millisecond)
		h.stop()

		ctx, cancel := context.WithTimeout(context.Background(), zoom.FlushTimeout)
		defer cancel()
		if err := h.sender.Flush(ctx); err != nil {
			t.Fatalf("Flush: %v", err)
		}
		if got, want := h.accepted(), []zoom.Update{away, busy}; !slices.Equal(got, want) {
			t.Errorf("accepted updates = %v, want %v", got, want)
		}
		if got := h.rejected(); got != 0 {
			t.Errorf("rejected updates = %d, want 0", got)
		}
	})
}

func TestSenderFlushDropsLateChoice(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := startSender(t, zoom.SenderOptions{})
		synctest.Wait()

		h.sender.Choose(away)
		time.Sleep(zoom.DefaultDebounce)
		synctest.Wait()

		time.Sleep(10 * time.Second)
		h.sender.Choose(busy)
		h.stop()

		start := time.Now()
		ctx, cancel := context.WithTimeout(context.Background(), zoom.FlushTimeout)
		defer cancel()
		err := h.sender.Flush(ctx)

		if !errors.Is(err, zoom.ErrNotSent) {
			t.Errorf("Flush error = %v, want zoom.ErrNotSent", err)
		}
		if got := time.Since(start); got != 0 {
			t.Errorf("Flush took %v, want no wait for a window beyond its deadline", got)
		}
		if got, want := h.accepted(), []zoom.Update{away}; !slices.Equal(got, want) {
			t.Errorf("accepted updates = %v, want %v", got, want)
		}
	})
}

func TestSenderFlushChoiceAfterStop(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := startSender(t, zoom.SenderOptions{})
		synctest.Wait()

		h.sender.Choose(away)
		time.Sleep(zoom.DefaultDebounce)
		synctest.Wait()
		h.stop()

		// A click that raced the quit still respects Zoom's window.
		h.sender.Choose(busy)
		ctx, cancel := context.WithTimeout(context.Background(), zoom.FlushTimeout)
		defer cancel()
		if err := h.sender.Flush(ctx); !errors.Is(err, zoom.ErrNotSent) {
			t.Errorf("Flush error = %v, want zoom.ErrNotSent", err)
		}
		if got := h.rejected(); got != 0 {
			t.Errorf("rejected updates = %d, want 0", got)
		}
	})
}

func TestSenderFlushNothingWaiting(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := startSender(t, zoom.SenderOptions{})
		synctest.Wait()
		h.stop()

		if err := h.sender.Flush(context.Background()); err != nil {
			t.Errorf("Flush with nothing waiting: %v", err)
		}
		if got := len(h.sim.PresenceUpdates()); got != 0 {
			t.Errorf("update requests = %d, want 0", got)
		}
	})
}

func TestSenderRetriesDroppedConnection(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := startSender(t, zoom.SenderOptions{})
		synctest.Wait()
		h.sim.FailNext(2, zoomsim.FaultDrop)
		h.sim.FailNext(1, zoomsim.FaultBadGateway)

		h.sender.Choose(away)
		time.Sleep(zoom.DefaultDebounce)
		synctest.Wait()
		time.Sleep(2 * time.Second)
		h.sender.Choose(busy) // replaces the choice being retried
		time.Sleep(5 * time.Minute)
		synctest.Wait()

		retries := h.eventsOf(zoom.EventRetrying)
		if len(retries) != 3 {
			t.Fatalf("retrying events = %d, want 3", len(retries))
		}
		if got := []int{retries[0].Attempt, retries[1].Attempt, retries[2].Attempt}; !slices.Equal(got, []int{1, 1, 2}) {
			t.Errorf("attempts = %v, want [1 1 2]: a new choice starts counting again", got)
		}
		if !zoom.IsRetryable(retries[0].Err) {
			t.Errorf("dropped connection error %v is not retryable", retries[0].Err)
		}
		if got, want := h.accepted(), []zoom.Update{busy}; !slices.Equal(got, want) {
			t.Errorf("accepted updates = %v, want %v", got, want)
		}
	})
}
