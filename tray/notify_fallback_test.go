package tray

import (
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"testing/synctest"
	"time"
)

// fallbackRecorder records the notifications passed to a fallback.
type fallbackRecorder struct {
	mu    sync.Mutex
	calls []string
}

func (r *fallbackRecorder) fallback(title, message string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls = append(r.calls, title+": "+message)
}

func (r *fallbackRecorder) received() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.calls)
}

func TestFallbackOnFailure(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sender := &notifySendRecorder{err: errors.New("no notification service")}
		n := newDesktopNotifier(nil, time.Second, sender.send)
		fallback := &fallbackRecorder{}
		n.SetFallback(fallback.fallback)

		n.Notify("Status set", "Away")
		synctest.Wait()

		if got, want := fallback.received(), []string{"Status set: Away"}; !slices.Equal(got, want) {
			t.Errorf("fallback received %q, want %q", got, want)
		}
	})
}

func TestFallbackOnTimeout(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sender := &notifySendRecorder{block: make(chan struct{})}
		n := newDesktopNotifier(nil, 3*time.Second, sender.send)
		fallback := &fallbackRecorder{}
		n.SetFallback(fallback.fallback)

		n.Notify("Status set", "Away")
		synctest.Wait()
		if got := fallback.received(); len(got) != 0 {
			t.Fatalf("fallback received %q before the timeout, want nothing", got)
		}

		time.Sleep(3 * time.Second)
		synctest.Wait()
		if got, want := fallback.received(), []string{"Status set: Away"}; !slices.Equal(got, want) {
			t.Errorf("fallback received %q after the timeout, want %q", got, want)
		}

		close(sender.block)
	})
}

func TestFallbackOnDrop(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sender := &notifySendRecorder{block: make(chan struct{})}
		n := newDesktopNotifier(nil, time.Hour, sender.send)
		fallback := &fallbackRecorder{}
		n.SetFallback(fallback.fallback)

		for i := range maxPendingNotifications + 1 {
			n.Notify("Update failed", fmt.Sprintf("attempt %d", i))
		}
		synctest.Wait()

		want := []string{fmt.Sprintf("Update failed: attempt %d", maxPendingNotifications)}
		if got := fallback.received(); !slices.Equal(got, want) {
			t.Errorf("fallback received %q, want %q", got, want)
		}

		close(sender.block)
	})
}

func TestFallbackNotOnSuccess(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sender := &notifySendRecorder{}
		n := newDesktopNotifier(nil, time.Second, sender.send)
		fallback := &fallbackRecorder{}
		n.SetFallback(fallback.fallback)

		n.Notify("Status set", "Away")
		synctest.Wait()

		if got := fallback.received(); len(got) != 0 {
			t.Errorf("fallback received %q for a notification that was shown", got)
		}
	})
}
