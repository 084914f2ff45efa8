package tray

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/zoom-presence/zoom-presence/auth"
	"github.com/zoom-presence/zoom-presence/zoom"
)

// Message is a desktop notification: a short title and a sentence or two
// that say what happened and what to do next.
type Message struct {
	Title string
	Body  string
}

const (
	titleNotChanged = "Zoom status not changed"
	titleSignIn     = "Sign in to Zoom again"
	titleDelayed    = "Zoom status change delayed"
)

// needsSignIn reports whether err means the stored sign-in no longer
// works, so that only a new sign-in can help.
func needsSignIn(err error) bool {
	if zoom.IsMissingScope(err) {
		// Zoom may respond to a missing scope with 401, but a new sign-in
		// grants the same scopes, so it cannot help.
		return false
	}
	return errors.Is(err, auth.ErrSignInRequired) || zoom.IsUnauthorized(err)
}

// FailureMessage returns the notification for an update u that Zoom
// rejected with err.
func FailureMessage(u zoom.Update, err error) Message {
	var apiErr *zoom.ErrorResponse
	isAPI := errors.As(err, &apiErr)

	switch {
	case needsSignIn(err):
		return Message{titleSignIn, "Your Zoom sign-in has expired or was revoked, so " + u.String() + " was not set. Choose Sign in to Zoom… in the tray menu, then choose your status again."}
	case zoom.IsNotSignedIn(err):
		return Message{titleNotChanged, "Zoom changes your status only while its app is signed in. Open the Zoom app on this computer or your phone, sign in, then choose " + u.String() + " again."}
	case zoom.IsNoPermission(err):
		return Message{titleNotChanged, "Your Zoom account is not allowed to set " + u.String() + ". Ask your Zoom administrator, or choose another status."}
	case isAPI && (apiErr.Code == zoom.CodeMissingScope || apiErr.Code == zoom.CodeMissingGranularScope):
		return Message{titleNotChanged, "The Zoom app this program signs in with lacks the presence scopes. Add user:read:presence_status and user:update:presence_status to it, then sign in again."}
	case isAPI && apiErr.Code == zoom.CodeUserNotFound:
		return Message{titleNotChanged, "Zoom does not know the signed-in user. Sign out, then sign in with your Zoom account again."}
	case isAPI && apiErr.Message != "":
		return Message{titleNotChanged, fmt.Sprintf("Zoom rejected %s: %s", u.String(), apiErr.Message)}
	case isAPI:
		return Message{titleNotChanged, fmt.Sprintf("Zoom rejected %s with HTTP status %d. Try another status, or try again later.", u.String(), apiErr.StatusCode)}
	}
	return Message{titleNotChanged, u.String() + " could not be sent to Zoom. Check your network connection, then choose your status again."}
}

// DelayMessage returns the notification for an update u that Zoom
// rejected with 429, and that is tried again at the local time at.
func DelayMessage(u zoom.Update, err *zoom.RateLimitError, at time.Time) Message {
	when := at.Format("15:04")
	if err.Type == zoom.RateLimitDaily {
		return Message{titleDelayed, "Your Zoom account has used its daily API requests. " + u.String() + " will be sent at " + resetTime(at) + ", when Zoom allows requests again."}
	}
	return Message{titleDelayed, "Zoom accepts one status change a minute. " + u.String() + " will be sent at " + when + "."}
}

// DailyLimitMessage returns the notification for a Zoom account that has
// used its daily API requests, which Zoom allows again at the local time
// at.
func DailyLimitMessage(at time.Time) Message {
	return Message{"Zoom daily limit reached", "Your Zoom account has used its daily API requests, which all its apps share. Zoom allows requests again at " + resetTime(at) + ". Until then the status shown may be out of date."}
}

// resetTime formats at with the weekday when it is not today.
func resetTime(at time.Time) string {
	now := time.Now().In(at.Location())
	if at.YearDay() != now.YearDay() || at.Year() != now.Year() {
		return at.Format("Mon 15:04")
	}
	return at.Format("15:04")
}

// RetryMessage returns the notification for an update u that failed with
// err, a 429, a 5xx or a network error, and that is tried again at the
// local time at.
func RetryMessage(u zoom.Update, err error, at time.Time) Message {
	var rateLimit *zoom.RateLimitError
	if errors.As(err, &rateLimit) {
		return DelayMessage(u, rateLimit, at)
	}

	when := at.Format("15:04")
	var apiErr *zoom.ErrorResponse
	if errors.As(err, &apiErr) {
		return Message{titleDelayed, fmt.Sprintf("Zoom had a server problem (HTTP status %d), so %s is not set yet. It will be tried again at %s.", apiErr.StatusCode, u.String(), when)}
	}
	return Message{titleDelayed, "Zoom could not be reached, so " + u.String() + " is not set yet. It will be tried again at " + when + ". If this repeats, check your network connection."}
}

// SignInAgainMessage returns the notification for a sign-in that Zoom no
// longer accepts, found while reading the status.
func SignInAgainMessage() Message {
	return Message{titleSignIn, "Your Zoom sign-in has expired or was revoked. Choose Sign in to Zoom… in the tray menu to sign in again."}
}

// SignInFailedMessage returns the notification for a sign-in that failed
// with err.
func SignInFailedMessage(err error) Message {
	const title = "Sign-in to Zoom failed"
	switch {
	case errors.Is(err, auth.ErrSignInDenied):
		return Message{title, "Zoom did not grant access. Choose Sign in to Zoom… and allow access to try again."}
	case errors.Is(err, context.DeadlineExceeded):
		return Message{title, "The browser did not finish signing in within the time allowed. Choose Sign in to Zoom… to try again."}
	}

	var portInUse *auth.PortInUseError
	if errors.As(err, &portInUse) {
		return Message{title, "Port " + portInUse.Port + " is in use by another program, so the browser cannot return to this app. Quit that program, or choose another port with -redirect-url and register the same URL on your Zoom app."}
	}
	var tokenErr *auth.TokenError
	if errors.As(err, &tokenErr) {
		detail := tokenErr.Code
		if detail == "" {
			detail = fmt.Sprintf("HTTP status %d", tokenErr.StatusCode)
		}
		return Message{title, "Zoom rejected the sign-in (" + detail + "). Choose Sign in to Zoom… to try again. If it fails again, check the client ID and the redirect URL registered on your Zoom app."}
	}
	return Message{title, "Signing in did not finish: " + err.Error() + ". Choose Sign in to Zoom… to try again."}
}

// KeyringMessage returns the notification for err, a failure of the
// system keyring that keeps the Zoom sign-in. For an unreadable entry the
// keyring itself works, so the app requests a new sign-in. For any other
// failure the app keeps the sign-in in memory, so the message says that
// it lasts until the app quits.
func KeyringMessage(err error) Message {
	const title = "Zoom sign-in not saved"
	const untilQuit = " Meanwhile the app keeps your Zoom sign-in only until you quit it."
	switch {
	case errors.Is(err, auth.ErrCorruptToken):
		return Message{titleSignIn, "The Zoom sign-in stored in the system keyring is not one this app wrote, so it was ignored. Choose Sign in to Zoom… to replace it."}
	case errors.Is(err, auth.ErrKeyringUnavailable):
		return Message{title, "No keyring found: install and unlock GNOME Keyring or KWallet." + untilQuit}
	case errors.Is(err, auth.ErrKeyringLocked):
		return Message{title, "The system keyring is locked: unlock it, for example with Passwords and Keys (Seahorse), then restart this app." + untilQuit}
	case errors.Is(err, auth.ErrKeyringTimeout):
		return Message{title, "The system keyring did not respond: check that it is running and unlocked, then restart this app." + untilQuit}
	}
	return Message{title, "The system keyring failed: " + err.Error() + "." + untilQuit}
}

// BrowserMessage returns the notification for a browser that could not
// be opened, or that did not return, for the sign-in page at authURL.
// The address holds no secret: PKCE keeps the verifier in the app.
func BrowserMessage(authURL string) Message {
	return Message{"Open the Zoom sign-in page", "No browser opened for the Zoom sign-in. Choose Open sign-in page… in the tray menu to try again, or open this address in your browser: " + authURL}
}
