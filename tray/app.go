package tray

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/zoom-presence/zoom-presence/zoom"
)

// signOutTimeout bounds the revoke request of a sign-out, so that an
// unreachable Zoom cannot keep the token in the keyring for long.
const signOutTimeout = 10 * time.Second

// Account is the Zoom sign-in that App drives. *auth.Session implements
// it.
type Account interface {
	// SignedIn reports whether a token is held.
	SignedIn() bool
	// SignIn signs in through the browser, calling open with the
	// authorization URL. It blocks until the sign-in ends or ctx ends.
	SignIn(ctx context.Context, open func(authURL string) error) error
	// SignOut revokes and forgets the token.
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

	mu          sync.Mutex
	state       State
	built       bool
	waiting     *zoom.Update
	waitingAt   time.Time
	retrying    bool
	sender      *zoom.Sender
	stopSender  context.CancelFunc
	generation  int // counts senders, so that events of a stopped one are ignored
	stopSignIn  context.CancelFunc
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
		quit()
		a.senderGroup.Wait()
		a.log.Info("tray closed")
	})
}

func (a *App) ready(ctx context.Context, quit context.CancelFunc) {
	a.mu.Lock()
	a.opts.Tray.Build(ctx, Menu(a.stateLocked()))
	a.built = true
	a.renderLocked()
	if a.state.SignedIn {
		a.startSenderLocked(ctx)
	}
	signedIn := a.state.SignedIn
	a.mu.Unlock()

	a.log.Info("tray ready", "signed_in", signedIn)

	go a.handleActions(ctx, quit)
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
	case ActionSignOut:
		a.signOut(ctx, "signed out from the menu")
	case ActionQuit:
		a.log.Info("quit chosen from the menu")
		quit()
	case ActionStartAtLogin:
		a.toggleStartAtLogin()
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

// signIn starts a sign-in, cancelling any that is still waiting for the
// browser, because the user may have closed that tab.
func (a *App) signIn(ctx context.Context) {
	a.mu.Lock()
	if a.stopSignIn != nil {
		a.stopSignIn()
	}
	signInCtx, cancel := context.WithCancel(ctx)
	a.stopSignIn = cancel
	a.state.SigningIn = true
	a.renderLocked()
	a.mu.Unlock()

	a.log.Info("signing in to Zoom")

	go func() {
		defer cancel()
		err := a.opts.Account.SignIn(signInCtx, a.openURL)

		a.mu.Lock()
		defer a.mu.Unlock()
		if signInCtx.Err() != nil && ctx.Err() == nil && errors.Is(err, context.Canceled) {
			// A newer sign-in replaced this one and now owns the state.
			return
		}
		a.state.SigningIn = false
		a.stopSignIn = nil

		if err != nil {
			a.renderLocked()
			if ctx.Err() != nil {
				return
			}
			a.log.Warn("sign-in failed", "error", err)
			msg := SignInFailedMessage(err)
			a.opts.Notifier.Notify(msg.Title, msg.Body)
			return
		}

		a.log.Info("signed in to Zoom")
		a.state.SignedIn = true
		a.state.Notice = ""
		a.renderLocked()
		a.startSenderLocked(ctx)
	}()
}

func (a *App) openURL(url string) error {
	if a.opts.Open == nil {
		return errors.New("no browser opener configured")
	}
	return a.opts.Open(url)
}

// signOut stops sending, shows the signed-out menu at once, and revokes
// the token in the background.
func (a *App) signOut(ctx context.Context, reason string) {
	a.mu.Lock()
	wasSignedIn := a.state.SignedIn
	a.stopSenderLocked()
	a.state = State{StartAtLogin: a.state.StartAtLogin, Notice: a.state.Notice}
	a.renderLocked()
	a.mu.Unlock()

	if wasSignedIn {
		a.log.Info("signing out of Zoom", "reason", reason)
	}

	go func() {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), signOutTimeout)
		defer cancel()
		if err := a.opts.Account.SignOut(ctx); err != nil {
			a.log.Warn("sign-out incomplete", "error", err)
		}
	}()
}

func (a *App) startSenderLocked(ctx context.Context) {
	a.stopSenderLocked()

	a.generation++
	generation := a.generation
	opts := a.opts.Sender
	opts.Logger = a.log
	opts.Permanent = needsSignIn
	opts.OnEvent = func(e zoom.Event) { a.onEvent(ctx, generation, e) }

	senderCtx, cancel := context.WithCancel(ctx)
	a.sender = zoom.NewSender(a.opts.API, opts)
	a.stopSender = cancel

	sender := a.sender
	a.senderGroup.Go(func() { _ = sender.Run(senderCtx) })
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
	var rateLimit *zoom.RateLimitError
	switch {
	case e.Kind == zoom.EventRetrying && errors.As(e.Err, &rateLimit):
		msg := DelayMessage(e.Update, rateLimit, e.At)
		a.opts.Notifier.Notify(msg.Title, msg.Body)
	case e.Kind == zoom.EventFailed:
		msg := FailureMessage(e.Update, e.Err)
		a.opts.Notifier.Notify(msg.Title, msg.Body)
		if needsSignIn(e.Err) {
			a.signOut(ctx, "Zoom no longer accepts the sign-in")
		}
	case e.Kind == zoom.EventReadFailed && needsSignIn(e.Err):
		msg := SignInAgainMessage()
		a.opts.Notifier.Notify(msg.Title, msg.Body)
		a.signOut(ctx, "Zoom no longer accepts the sign-in")
	}
}

func (a *App) setWaitingLocked(u *zoom.Update, at time.Time, retrying bool) {
	a.waiting = u
	a.waitingAt = at
	a.retrying = retrying
}

// stateLocked returns the state to show, with the waiting line computed
// for the current time.
func (a *App) stateLocked() State {
	st := a.state
	st.Waiting = WaitingLine(a.waiting, a.waitingAt.Local(), time.Now(), a.retrying)
	return st
}

func (a *App) renderLocked() {
	if !a.built {
		return
	}
	st := a.stateLocked()
	a.opts.Tray.Apply(Menu(st), Tooltip(st), Icon(st))
}
