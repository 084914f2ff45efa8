package tray

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"testing"
	"testing/synctest"
	"time"
)

// notifyLogRecorder is a slog.Handler that keeps every record.
type notifyLogRecorder struct {
	mu      sync.Mutex
	records []slog.Record
}

func (r *notifyLogRecorder) Enabled(context.Context, slog.Level) bool { return true }

func (r *notifyLogRecorder) Handle(_ context.Context, rec slog.Record) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.records = append(r.records, rec.Clone())
	return nil
}

func (r *notifyLogRecorder) WithAttrs([]slog.Attr) slog.Handler { return r }
func (r *notifyLogRecorder) WithGroup(string) slog.Handler      { return r }

// find returns the attributes of the records with the given level and
// message, as "key=value" strings.
func (r *notifyLogRecorder) find(level slog.Level, message string) [][]string {
	r.mu.Lock()
	defer r.mu.Unlock()

	var out [][]string
	for _, rec := range r.records {
		if rec.Level != level || rec.Message != message {
			continue
		}
		var attrs []string
		rec.Attrs(func(a slog.Attr) bool {
			attrs = append(attrs, a.Key+"="+a.Value.String())
			return true
		})
		out = append(out, attrs)
	}
	return out
}

// notifySendRecorder is a send func for desktopNotifier that records each call.
// While block is non-nil, each call waits for it to close.
type notifySendRecorder struct {
	mu    sync.Mutex
	calls []string
	err   error
	block chan struct{}
}

func (s *notifySendRecorder) send(title, message string) error {
	s.mu.Lock()
	s.calls = append(s.calls, title+": "+message)
	block, err := s.block, s.err
	s.mu.Unlock()

	if block != nil {
		<-block
	}
	return err
}

func (s *notifySendRecorder) sent() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.calls)
}

func TestNotifierSends(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		logs := &notifyLogRecorder{}
		sender := &notifySendRecorder{}
		n := newDesktopNotifier(slog.New(logs), time.Second, sender.send)

		n.Notify("Sending", "Away")
		n.Notify("Status set", "Away")
		n.Notify("Status set", "Busy")
		synctest.Wait()

		want := []string{"Sending: Away", "Status set: Away", "Status set: Busy"}
		if got := sender.sent(); !slices.Equal(got, want) {
			t.Errorf("sent %q, want %q in this order", got, want)
		}
		if got := logs.find(slog.LevelWarn, "desktop notification timed out; the notification service did not respond"); len(got) != 0 {
			t.Errorf("timeout logged for sends that returned: %q", got)
		}
	})
}

func TestNotifierRepeats(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		logs := &notifyLogRecorder{}
		sender := &notifySendRecorder{}
		n := newDesktopNotifier(slog.New(logs), time.Second, sender.send)

		n.Notify("Zoom rejected the update", "Sign in again.")
		n.Notify("Zoom rejected the update", "Sign in again.")
		n.Notify("Zoom rejected the update", "Sign in again.")
		n.Notify("Zoom rejected the update", "Try later.")
		synctest.Wait()

		want := []string{
			"Zoom rejected the update: Sign in again.",
			"Zoom rejected the update: Try later.",
		}
		if got := sender.sent(); !slices.Equal(got, want) {
			t.Errorf("sent %q, want %q", got, want)
		}

		// Repeats within the window are counted but not sent, even
		// though they keep arriving after the first one.
		time.Sleep(repeatWindow - time.Second)
		n.Notify("Zoom rejected the update", "Sign in again.")
		synctest.Wait()
		if got := sender.sent(); !slices.Equal(got, want) {
			t.Errorf("sent %q before the window ended, want %q", got, want)
		}

		time.Sleep(time.Second)
		n.Notify("Zoom rejected the update", "Sign in again.")
		synctest.Wait()

		want = append(want, "Zoom rejected the update: Sign in again.")
		if got := sender.sent(); !slices.Equal(got, want) {
			t.Errorf("sent %q after the window, want %q", got, want)
		}
		repeats := logs.find(slog.LevelInfo, "notification repeated")
		wantRepeats := [][]string{{"title=Zoom rejected the update", "repeats=3"}}
		if fmt.Sprint(repeats) != fmt.Sprint(wantRepeats) {
			t.Errorf("repeat log = %q, want %q", repeats, wantRepeats)
		}
	})
}

func TestNotifierFailure(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		logs := &notifyLogRecorder{}
		sender := &notifySendRecorder{err: errors.New("org.freedesktop.Notifications was not provided by any .service files")}
		n := newDesktopNotifier(slog.New(logs), time.Second, sender.send)

		n.Notify("Status set", "Away")
		synctest.Wait()

		got := logs.find(slog.LevelWarn, "desktop notification failed; check that a notification service is running")
		want := [][]string{{"title=Status set", "error=org.freedesktop.Notifications was not provided by any .service files"}}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("failure log = %q, want %q", got, want)
		}
	})
}

func TestNotifierTimeout(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		logs := &notifyLogRecorder{}
		sender := &notifySendRecorder{block: make(chan struct{})}
		n := newDesktopNotifier(slog.New(logs), 3*time.Second, sender.send)

		// Notify returns while the send hangs: a blocked Notify would
		// deadlock this test.
		n.Notify("Status set", "Away")
		synctest.Wait()

		const message = "desktop notification timed out; the notification service did not respond"
		if got := logs.find(slog.LevelWarn, message); len(got) != 0 {
			t.Fatalf("timeout logged before the timeout: %q", got)
		}

		time.Sleep(3 * time.Second)
		synctest.Wait()

		got := logs.find(slog.LevelWarn, message)
		want := [][]string{{"title=Status set", "timeout=3s"}}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("timeout log = %q, want %q", got, want)
		}

		close(sender.block)
	})
}

func TestNotifierPendingLimit(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		logs := &notifyLogRecorder{}
		sender := &notifySendRecorder{block: make(chan struct{})}
		n := newDesktopNotifier(slog.New(logs), time.Second, sender.send)
		const dropped = "notification dropped: earlier ones are still being sent"

		for i := range maxPendingNotifications + 1 {
			n.Notify("Update failed", fmt.Sprintf("attempt %d", i))
		}
		synctest.Wait()

		// The first send hangs, and each later one waits for the one
		// before it to time out.
		if got := len(sender.sent()); got != 1 {
			t.Errorf("%d sends started before any timeout, want 1", got)
		}
		drops := logs.find(slog.LevelWarn, dropped)
		want := [][]string{{"title=Update failed", fmt.Sprintf("pending=%d", maxPendingNotifications)}}
		if fmt.Sprint(drops) != fmt.Sprint(want) {
			t.Errorf("drop log = %q, want %q", drops, want)
		}

		// Hung sends keep their slots after their timeouts.
		time.Sleep(maxPendingNotifications * time.Second)
		synctest.Wait()
		if got := len(sender.sent()); got != maxPendingNotifications {
			t.Errorf("%d sends started after the timeouts, want %d", got, maxPendingNotifications)
		}
		n.Notify("Update failed", "after the timeouts")
		synctest.Wait()
		if got := len(sender.sent()); got != maxPendingNotifications {
			t.Errorf("%d sends started while all slots were held, want %d", got, maxPendingNotifications)
		}
		if got := len(logs.find(slog.LevelWarn, dropped)); got != 2 {
			t.Errorf("%d drops logged, want 2", got)
		}

		// Sends that return free their slots.
		sender.mu.Lock()
		close(sender.block)
		sender.block = nil
		sender.mu.Unlock()
		synctest.Wait()

		n.Notify("Update failed", "after the sends returned")
		synctest.Wait()
		sent := sender.sent()
		if last := sent[len(sent)-1]; last != "Update failed: after the sends returned" {
			t.Errorf("last send = %q, want the notification sent after the slots were freed", last)
		}
	})
}

func TestNotifierDefaultTimeout(t *testing.T) {
	n := newDesktopNotifier(nil, 0, (&notifySendRecorder{}).send)
	if n.timeout != defaultNotifyTimeout {
		t.Errorf("timeout = %v, want %v", n.timeout, defaultNotifyTimeout)
	}
}
