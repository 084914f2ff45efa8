package tray

import (
	"log/slog"
	"sync"
	"time"

	"github.com/gen2brain/beeep"
)

// notifyAppName is the application name that desktop notifications carry.
const notifyAppName = "zoom-presence"

// Notifier shows messages to the user outside the menu.
type Notifier interface {
	// Notify shows a notification with title and message. It does not
	// block and is safe for concurrent use.
	Notify(title, message string)
}

// FallbackNotifier is a Notifier that reports the notifications it could
// not show, so that the app can show them elsewhere.
type FallbackNotifier interface {
	Notifier
	// SetFallback sets the function that receives each notification
	// that failed, timed out or was dropped. fallback runs on a
	// goroutine of its own, never inside Notify. It is safe for
	// concurrent use.
	SetFallback(fallback func(title, message string))
}

const (
	// defaultNotifyTimeout is how long a notification may take to send
	// when NewDesktopNotifier is given no timeout.
	defaultNotifyTimeout = 5 * time.Second

	// repeatWindow is how long after sending a notification the same
	// title and message are not sent again.
	repeatWindow = 10 * time.Second

	// maxPendingNotifications is the maximum number of sends in flight.
	// A notification service that never responds keeps one goroutine per
	// send.
	maxPendingNotifications = 4
)

// desktopNotifier sends notifications through the desktop's notification
// service.
type desktopNotifier struct {
	log     *slog.Logger
	timeout time.Duration
	send    func(title, message string) error
	pending chan struct{} // one token per send in flight

	mu       sync.Mutex
	fallback func(title, message string) // nil until SetFallback
	recent   map[notificationKey]*sentNotification
	last     chan struct{} // closed when the latest delivery ends; nil before the first
}

type notificationKey struct {
	title, message string
}

type sentNotification struct {
	at      time.Time
	repeats int // notifications left out since at
}

// NewDesktopNotifier returns a Notifier that shows desktop notifications
// through github.com/gen2brain/beeep: the org.freedesktop.Notifications
// D-Bus service on Linux, with notify-send and kdialog as fallbacks.
//
// Notify returns at once. The notifications are sent one at a time, in
// the order of the Notify calls, by goroutines. A send that fails or takes
// longer than timeout is logged at Warn with its title, and the next send
// starts after it fails or times out. timeout <= 0 means 5 seconds. The same title and message are sent at most once
// every 10 seconds. The repeats left out are counted, and the count is
// logged at Info by the first Notify after the 10 seconds. At
// most 4 sends are in flight: Notify drops a notification while a hung
// notification service holds all of them.
//
// NewDesktopNotifier sets beeep.AppName, which is global.
func NewDesktopNotifier(log *slog.Logger, timeout time.Duration) Notifier {
	beeep.AppName = notifyAppName
	return newDesktopNotifier(log, timeout, func(title, message string) error {
		return beeep.Notify(title, message, "")
	})
}

func newDesktopNotifier(log *slog.Logger, timeout time.Duration, send func(title, message string) error) *desktopNotifier {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if timeout <= 0 {
		timeout = defaultNotifyTimeout
	}
	return &desktopNotifier{
		log:     log,
		timeout: timeout,
		send:    send,
		pending: make(chan struct{}, maxPendingNotifications),
		recent:  make(map[notificationKey]*sentNotification),
	}
}

// Notify implements Notifier.
func (n *desktopNotifier) Notify(title, message string) {
	key := notificationKey{title, message}

	n.mu.Lock()
	defer n.mu.Unlock()

	if n.repeated(key) {
		return
	}
	select {
	case n.pending <- struct{}{}:
	default:
		n.log.Warn("notification dropped: earlier ones are still being sent",
			"title", title, "pending", maxPendingNotifications)
		if n.fallback != nil {
			go n.fallback(title, message)
		}
		return
	}
	n.recent[key] = &sentNotification{at: time.Now()}

	// Each delivery starts when the one before it has ended, so that
	// notifications show in the order of the Notify calls.
	previous, done := n.last, make(chan struct{})
	n.last = done
	go n.deliver(title, message, previous, done)
}

// SetFallback implements FallbackNotifier.
func (n *desktopNotifier) SetFallback(fallback func(title, message string)) {
	n.mu.Lock()
	defer n.mu.Unlock()

	n.fallback = fallback
}

// failed passes a notification that was not shown to the fallback.
func (n *desktopNotifier) failed(title, message string) {
	n.mu.Lock()
	fallback := n.fallback
	n.mu.Unlock()

	if fallback != nil {
		fallback(title, message)
	}
}

// repeated reports whether the same notification was sent within the
// repeat window, and counts it as a repeat if so. It also deletes the
// records of notifications sent before the window. The caller holds n.mu.
func (n *desktopNotifier) repeated(key notificationKey) bool {
	now := time.Now()
	for k, s := range n.recent {
		if now.Sub(s.at) < repeatWindow {
			continue
		}
		if s.repeats > 0 {
			n.log.Info("notification repeated", "title", k.title, "repeats", s.repeats)
		}
		delete(n.recent, k)
	}

	s, ok := n.recent[key]
	if !ok {
		return false
	}
	s.repeats++
	n.log.Debug("notification left out as a repeat", "title", key.title, "repeats", s.repeats)
	return true
}

// deliver waits for previous to close, sends one notification, logs the
// outcome, passes a failed notification to the fallback, and closes done. It closes done at the timeout even if the send
// hangs, but the send goroutine keeps its pending token until the send
// returns.
func (n *desktopNotifier) deliver(title, message string, previous <-chan struct{}, done chan<- struct{}) {
	defer close(done)
	if previous != nil {
		<-previous
	}

	result := make(chan error, 1)
	go func() {
		defer func() { <-n.pending }()
		result <- n.send(title, message)
	}()

	timer := time.NewTimer(n.timeout)
	defer timer.Stop()

	select {
	case err := <-result:
		if err != nil {
			n.log.Warn("desktop notification failed; check that a notification service is running",
				"title", title, "error", err)
			n.failed(title, message)
			return
		}
		n.log.Debug("desktop notification sent", "title", title)
	case <-timer.C:
		n.log.Warn("desktop notification timed out; the notification service did not respond",
			"title", title, "timeout", n.timeout)
		n.failed(title, message)
	}
}
