package tray

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/zoom-presence/zoom-presence/zoom"
)

// resendDelay is how long after the menu is built the tray sends its
// tooltip and icon again, to repair a change that fyne.io/systray dropped
// while it registered on D-Bus. Registration takes a few milliseconds.
const resendDelay = time.Second

// signOutTimeout bounds the revoke request of a sign-out, so that an
// unreachable Zoom cannot keep the token in the keyring for long.
const signOutTimeout = 10 * time.Second

// openerTimeout is how long the browser opener may run before the app
// offers the sign-in address by hand. On Linux the opener waits for
// xdg-open, which returns once the browser has the address.
const openerTimeout = 10 * time.Second

// Account is the Zoom sign-in that App drives. *auth.Session implements
// it.
type Account interface {
	// SignedIn reports whether a token is held.
	SignedIn() bool
	// SignIn signs in through the browser, calling open with the
	// authorization URL. It blocks until the sign-in ends or ctx ends.
	SignIn(ctx context.Context, open func(authURL string) error) error
	// SignOut revokes and deletes the token.
	SignOut(ctx context.Context) error
}

// LoginItem is the entry that starts the app when the user logs in.
// *AutoStart implements it.
type LoginItem interface {
	// Enabled reports whether the entry exists.
	Enabled() (bool, error)
	// SetEnabled creates or removes the entry.
	SetEnabled(enabled bool) error
}

// Options configures an App. Tray, Account and API are required.
type Options struct {
	Tray    *Tray
	Account Account
	API     zoom.PresenceAPI
	// Sender configures the pacing of updates. App sets its OnEvent,
	// Permanent and Logger fields.
	Sender   zoom.SenderOptions
	Notifier Notifier
	// Open opens a URL in the browser. It may block; App calls it on a
	// goroutine of its own.
	Open func(url string) error
	// MemoryOnly, if not nil, reports whether the sign-in is kept in
	// memory only because the system keyring failed. The menu then shows
	// that the sign-in lasts until the app quits.
	MemoryOnly func() bool
	// StartAtLogin backs the "Start at login" item. With none, the item
	// stays unchecked and a click only logs a warning.
	StartAtLogin LoginItem
	Logger       *slog.Logger
}

// App connects the tray menu to the Zoom sign-in and to a zoom.Sender:
// clicks become presence updates, and what the Sender reports becomes the
// menu's state and desktop notifications.
type App struct {
	opts Options
	log  *slog.Logger

	mu         sync.Mutex
	state      State
	built      bool
	closed     bool
	waiting    *zoom.Update
	waitingAt  time.Time
	retrying   bool
	countdown  *time.Timer // shows a retry countdown again when it changes
	alerts     alerts
	sender     *zoom.Sender
	stopSender context.CancelFunc
	generation int // counts senders, so that events of a stopped one are ignored
	// nextUpdate is when Zoom accepts the next update after the last one
	// sent, kept across sign-outs because Zoom counts per user.
	nextUpdate  time.Time
	stopSignIn  context.CancelFunc
	signInID    int             // counts sign-ins, so that a replaced one cannot change the state
	signInURL   string          // the authorization URL of the current sign-in
	runCtx      context.Context // Run's context, set once the tray is built
	signInDone  chan struct{}   // closed when the latest sign-in has returned
	senderGroup sync.WaitGroup
}

// NewApp returns an App for opts. Nothing shows until Run.
func NewApp(opts Options) *App {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Notifier == nil {
		opts.Notifier = discardNotifier{}
	}

	a := &App{
		opts: opts,
		log:  opts.Logger,
	}
	if n, ok := opts.Notifier.(FallbackNotifier); ok {
		n.SetFallback(a.showNotice)
	}
	return a
}

type discardNotifier struct{}

func (discardNotifier) Notify(string, string) {}

// Run shows the tray and handles the menu until the user chooses Quit or
// ctx ends. It blocks, and must be called on the main goroutine.
func (a *App) Run(ctx context.Context) {
	ctx, quit := context.WithCancel(ctx)
	defer quit()

	// fyne.io/systray drops an icon or tooltip set while it is still
	// registering on D-Bus, so set them before it starts.
	a.mu.Lock()
	a.state.SignedIn = a.opts.Account.SignedIn()
	a.state.StartAtLogin = a.startsAtLogin()
	st := a.stateLocked()
	a.mu.Unlock()
	a.opts.Tray.Apply(nil, Tooltip(st), Icon(st))

	a.opts.Tray.Run(func() { a.ready(ctx, quit) }, func() {
		a.mu.Lock()
		sender := a.sender
		a.closed = true
		if a.countdown != nil {
			a.countdown.Stop()
		}
		a.mu.Unlock()

		quit()
		a.senderGroup.Wait()
		a.flush(ctx, sender)
		a.log.Info("tray closed")
	})
}

// flush sends the choice still waiting when the app quits, if Zoom
// allows it within zoom.FlushTimeout, so that quitting never hangs.
func (a *App) flush(ctx context.Context, sender *zoom.Sender) {
	if sender == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), zoom.FlushTimeout)
	defer cancel()

	// Flush logs what it sends or drops.
	_ = sender.Flush(ctx)
}

func (a *App) ready(ctx context.Context, quit context.CancelFunc) {
	a.mu.Lock()
	a.opts.Tray.Build(ctx, Menu(a.stateLocked()))
	a.built = true
	a.runCtx = ctx
	a.renderLocked()
	if a.state.SignedIn {
		a.startSenderLocked(ctx)
	}
	signedIn := a.state.SignedIn
	a.mu.Unlock()

	a.log.Info("tray ready", "signed_in", signedIn)

	go func() {
		select {
		case <-ctx.Done():
		case <-time.After(resendDelay):
			a.opts.Tray.Resend()
		}
	}()

	go a.handleActions(ctx, quit)
	go watchResume(ctx, a.log, a.resumed)
	go func() {
		<-ctx.Done()
		a.opts.Tray.Quit()
	}()
}

func (a *App) handleActions(ctx context.Context, quit context.CancelFunc) {
	for {
		select {
		case <-ctx.Done():
			return
		case action := <-a.opts.Tray.Actions():
			a.log.Debug("menu action", "action", action.Kind.String(), "status", action.Update.Status, "minutes", action.Update.Minutes)
			a.do(ctx, quit, action)
		}
	}
}

func (a *App) do(ctx context.Context, quit context.CancelFunc, action Action) {
	switch action.Kind {
	case ActionSetStatus:
		a.choose(action.Update)
	case ActionSignIn:
		a.signIn(ctx)
	case ActionOpenSignInPage:
		a.openSignInPage()
	case ActionSignOut:
		a.signOut(ctx, "signed out from the menu")
	case ActionQuit:
		a.log.Info("quit chosen from the menu")
		quit()
	case ActionStartAtLogin:
		a.toggleStartAtLogin()
	}
}

// resumed requests that the Sender read the status, which also makes it check
// its clocks at once and send a choice that fell due during the suspend.
func (a *App) resumed() {
	a.mu.Lock()
	defer a.mu.Unlock()

	if a.sender != nil {
		a.sender.Refresh()
	}
}

func (a *App) choose(u zoom.Update) {
	a.mu.Lock()
	defer a.mu.Unlock()

	if a.sender == nil {
		// Status items are disabled while signed out, so this is a click
		// that raced a sign-out.
		a.log.Warn("status chosen while signed out; ignored", "status", u.Status)
		return
	}
	a.sender.Choose(u)
}

func (a *App) startSenderLocked(ctx context.Context) {
	a.stopSenderLocked()

	a.generation++
	generation := a.generation
	opts := a.opts.Sender
	opts.Logger = a.log
	opts.Permanent = needsSignIn
	opts.OnEvent = func(e zoom.Event) { a.onEvent(ctx, generation, e) }
	opts.NotBefore = a.nextUpdate

	senderCtx, cancel := context.WithCancel(ctx)
	a.sender = zoom.NewSender(a.opts.API, opts)
	a.stopSender = cancel

	sender := a.sender
	a.senderGroup.Go(func() { _ = sender.Run(senderCtx) })
}

// interval returns the minimum gap between updates that the Sender keeps.
func (a *App) interval() time.Duration {
	if a.opts.Sender.Interval > 0 {
		return a.opts.Sender.Interval
	}
	return zoom.DefaultInterval
}

func (a *App) stopSenderLocked() {
	if a.stopSender != nil {
		a.stopSender()
	}
	a.sender = nil
	a.stopSender = nil
	a.generation++
	a.waiting = nil
}

// onEvent runs on the Sender's goroutine and must not block it for long:
// notifications go through a Notifier that does not wait for the desktop.
func (a *App) onEvent(ctx context.Context, generation int, e zoom.Event) {
	a.mu.Lock()
	if generation != a.generation {
		a.mu.Unlock()
		return
	}

	switch e.Kind {
	case zoom.EventWaiting:
		a.setWaitingLocked(&e.Update, e.At, false)
	case zoom.EventSending:
		a.setWaitingLocked(&e.Update, time.Time{}, false)
	case zoom.EventRetrying:
		a.setWaitingLocked(&e.Update, e.At, true)
	case zoom.EventSent:
		a.nextUpdate = time.Now().Add(a.interval())
		a.setWaitingLocked(nil, time.Time{}, false)
		a.state.Failed = false
		a.state.Notice = ""
	case zoom.EventIdle:
		a.setWaitingLocked(nil, time.Time{}, false)
	case zoom.EventFailed:
		a.setWaitingLocked(nil, time.Time{}, false)
		a.state.Failed = true
	case zoom.EventReadFailed:
		a.state.Failed = true
	case zoom.EventPresence:
		a.state.Presence = e.Presence
		a.state.Known = true
		a.state.Failed = false
		a.log.Info("Zoom status", "status", e.Presence.Status, "end_time", e.Presence.EndTime)
	}
	a.renderLocked()
	a.mu.Unlock()

	a.notify(ctx, e)
}

func (a *App) notify(ctx context.Context, e zoom.Event) {
	a.mu.Lock()
	msg, ok := a.alerts.message(e)
	a.mu.Unlock()
	if ok {
		a.opts.Notifier.Notify(msg.Title, msg.Body)
	}

	if (e.Kind == zoom.EventFailed || e.Kind == zoom.EventReadFailed) && needsSignIn(e.Err) {
		a.signOut(ctx, "Zoom no longer accepts the sign-in")
	}
}

// alerts picks the Sender events that become notifications: each failed
// choice once, however often it is retried, and a spent daily limit once
// until Zoom accepts requests again.
type alerts struct {
	dailyLimitShown bool
}

// message returns the notification for e, and false when e needs none.
func (al *alerts) message(e zoom.Event) (Message, bool) {
	var rateLimit *zoom.RateLimitError
	daily := errors.As(e.Err, &rateLimit) && rateLimit.Type == zoom.RateLimitDaily

	switch e.Kind {
	case zoom.EventSent, zoom.EventPresence:
		al.dailyLimitShown = false
	case zoom.EventRetrying:
		if daily && !al.dailyLimitShown {
			al.dailyLimitShown = true
			return RetryMessage(e.Update, e.Err, e.At.Local()), true
		}
		if e.Attempt == 1 && !daily {
			return RetryMessage(e.Update, e.Err, e.At.Local()), true
		}
	case zoom.EventFailed:
		return FailureMessage(e.Update, e.Err), true
	case zoom.EventReadFailed:
		if needsSignIn(e.Err) {
			return SignInAgainMessage(), true
		}
		if daily && !al.dailyLimitShown {
			al.dailyLimitShown = true
			return DailyLimitMessage(e.At.Local()), true
		}
	}
	return Message{}, false
}

func (a *App) setWaitingLocked(u *zoom.Update, at time.Time, retrying bool) {
	a.waiting = u
	a.waitingAt = at
	a.retrying = retrying
}

// stateLocked returns the state to show, with the waiting line computed
// for the current time.
func (a *App) stateLocked() State {
	now := time.Now()
	st := a.state.expire(now)
	st.MemoryOnly = a.opts.MemoryOnly != nil && a.opts.MemoryOnly()
	st.Waiting = WaitingLine(a.waiting, a.waitingAt.Local(), now, a.retrying)
	return st
}

func (a *App) renderLocked() {
	if !a.built || a.closed {
		return
	}
	st := a.stateLocked()
	a.opts.Tray.Apply(Menu(st), Tooltip(st), Icon(st))
	a.scheduleCountdownLocked()
}

// scheduleCountdownLocked renders again when the retry countdown in the
// waiting line changes. No timer runs while nothing is retrying.
func (a *App) scheduleCountdownLocked() {
	if a.countdown != nil {
		a.countdown.Stop()
		a.countdown = nil
	}
	if a.waiting == nil {
		return
	}
	step := WaitingLineChanges(a.waitingAt, time.Now(), a.retrying)
	if step == 0 {
		return
	}
	a.countdown = time.AfterFunc(step, func() {
		a.mu.Lock()
		defer a.mu.Unlock()
		a.renderLocked()
	})
}
