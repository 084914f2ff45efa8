package tray

import (
	"context"
	"errors"
	"time"
)

// signIn starts a sign-in, cancelling any that is still waiting for the
// browser, because the user may have closed that tab.
func (a *App) signIn(ctx context.Context) {
	a.mu.Lock()
	if a.stopSignIn != nil {
		a.stopSignIn()
	}
	signInCtx, cancel := context.WithCancel(ctx)
	a.stopSignIn = cancel
	a.signInID++
	id := a.signInID
	a.signInURL = ""
	a.state.SigningIn = true
	a.state.SignInPage = false
	a.renderLocked()
	previous := a.signInDone
	done := make(chan struct{})
	a.signInDone = done
	a.mu.Unlock()

	a.log.Info("signing in to Zoom")

	go func() {
		defer close(done)
		defer cancel()

		// The cancelled sign-in listens on the same port until it has
		// shut its server down, so the new one waits for it.
		if previous != nil {
			<-previous
		}
		err := a.opts.Account.SignIn(signInCtx, func(authURL string) error {
			return a.openSignInURL(id, authURL)
		})

		a.mu.Lock()
		defer a.mu.Unlock()
		if signInCtx.Err() != nil && ctx.Err() == nil && errors.Is(err, context.Canceled) {
			// A newer sign-in replaced this one and now owns the state.
			return
		}
		a.state.SigningIn = false
		a.state.SignInPage = false
		a.signInURL = ""
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

// openSignInURL records authURL for "Open sign-in page…" while sign-in
// id is the current one, then opens it in the browser.
func (a *App) openSignInURL(id int, authURL string) error {
	a.mu.Lock()
	if id == a.signInID && a.state.SigningIn {
		a.signInURL = authURL
		a.state.SignInPage = true
		a.renderLocked()
	}
	a.mu.Unlock()

	return a.openURL(authURL)
}

// openSignInPage opens the sign-in page of the sign-in under way again,
// for a person who closed the tab or whose browser did not open.
func (a *App) openSignInPage() {
	a.mu.Lock()
	authURL := a.signInURL
	a.mu.Unlock()

	if authURL == "" {
		a.log.Warn("open sign-in page chosen with no sign-in under way; ignored")
		return
	}
	a.log.Info("opening the sign-in page again")
	go func() { _ = a.openURL(authURL) }()
}

// openURL runs the browser opener. When the opener fails, or has not
// returned after openerTimeout, it shows a notification with the address
// to open by hand. It returns the opener's error, or nil on a timeout
// while the opener goes on in the background.
func (a *App) openURL(url string) error {
	if a.opts.Open == nil {
		err := errors.New("no browser opener configured")
		a.notifyBrowser(url, err)
		return err
	}

	done := make(chan error, 1)
	go func() { done <- a.opts.Open(url) }()
	timer := time.NewTimer(openerTimeout)
	defer timer.Stop()

	select {
	case err := <-done:
		if err != nil {
			a.notifyBrowser(url, err)
		}
		return err
	case <-timer.C:
		a.notifyBrowser(url, errors.New("the browser opener did not return within "+openerTimeout.String()))
		return nil
	}
}

func (a *App) notifyBrowser(url string, err error) {
	a.log.Warn("could not open the sign-in page in a browser", "error", err)
	msg := BrowserMessage(url)
	a.opts.Notifier.Notify(msg.Title, msg.Body)
}

// SignInRestored shows the sign-in that the Account loaded after Run
// started, for a keyring that was too slow to wait for: it updates the
// menu and starts reading and sending the status. It does nothing when
// the App already shows a sign-in. It may be called from any goroutine,
// before or during Run, and does not block.
func (a *App) SignInRestored() {
	a.mu.Lock()
	defer a.mu.Unlock()

	if a.state.SignedIn || !a.opts.Account.SignedIn() {
		return
	}
	a.state.SignedIn = true
	if !a.built {
		// ready shows the state and starts the Sender.
		return
	}
	a.log.Info("stored sign-in restored")
	a.renderLocked()
	a.startSenderLocked(a.runCtx)
}

// KeyringFailed shows a notification for err, a failure of the system
// keyring that keeps the Zoom token, and redraws the menu so that it
// shows whether the sign-in is now kept in memory only. It may be called
// from any goroutine, before or during Run, and does not block.
func (a *App) KeyringFailed(err error) {
	a.log.Warn("system keyring failed", "error", err)

	a.mu.Lock()
	a.renderLocked()
	a.mu.Unlock()

	msg := KeyringMessage(err)
	a.opts.Notifier.Notify(msg.Title, msg.Body)
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
