package tray

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/zoom-presence/zoom-presence/auth"
	"github.com/zoom-presence/zoom-presence/zoom"
)

func TestFailureMessage(t *testing.T) {
	away := zoom.Update{Status: zoom.StatusAway}
	tests := []struct {
		name      string
		err       error
		wantTitle string
		wantIn    string
	}{
		{"not signed in to a Zoom client", &zoom.ErrorResponse{StatusCode: 400, Code: zoom.CodeNotSignedIn}, titleNotChanged, "Open the Zoom app"},
		{"no permission", &zoom.ErrorResponse{StatusCode: 400, Code: zoom.CodeNoPermission}, titleNotChanged, "not allowed to set Away"},
		{"expired token", &zoom.ErrorResponse{StatusCode: 401, Code: zoom.CodeInvalidToken}, titleSignIn, "Sign in to Zoom…"},
		{"refresh rejected", fmt.Errorf("refresh: %w", auth.ErrSignInRequired), titleSignIn, "Sign in to Zoom…"},
		{"missing scope", &zoom.ErrorResponse{StatusCode: 400, Code: zoom.CodeMissingGranularScope}, titleNotChanged, "user:update:presence_status"},
		{"missing scope as 401", &zoom.ErrorResponse{StatusCode: 401, Code: zoom.CodeMissingGranularScope}, titleNotChanged, "user:update:presence_status"},
		{"user not found", &zoom.ErrorResponse{StatusCode: 404, Code: zoom.CodeUserNotFound}, titleNotChanged, "sign in with your Zoom account again"},
		{"other 400 with message", &zoom.ErrorResponse{StatusCode: 400, Code: 300, Message: "Invalid field."}, titleNotChanged, "Zoom rejected Away: Invalid field."},
		{"other 400 without message", &zoom.ErrorResponse{StatusCode: 400}, titleNotChanged, "HTTP status 400"},
		{"network", errors.New("dial tcp 127.0.0.1:1: connection refused"), titleNotChanged, "Check your network connection"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			msg := FailureMessage(away, tt.err)
			if msg.Title != tt.wantTitle {
				t.Errorf("title = %q, want %q", msg.Title, tt.wantTitle)
			}
			if !strings.Contains(msg.Body, tt.wantIn) {
				t.Errorf("body = %q, want it to contain %q", msg.Body, tt.wantIn)
			}
		})
	}
}

func TestDelayMessage(t *testing.T) {
	at := time.Date(2026, 3, 4, 15, 41, 0, 0, time.Local)
	dnd := zoom.Update{Status: zoom.StatusDoNotDisturb, Minutes: 60}

	perMinute := DelayMessage(dnd, &zoom.RateLimitError{Type: zoom.RateLimitQPS}, at)
	if want := "Zoom accepts one status change a minute. Do not disturb for 1 hour will be sent at 15:41."; perMinute.Body != want {
		t.Errorf("per-minute body = %q, want %q", perMinute.Body, want)
	}

	daily := DelayMessage(dnd, &zoom.RateLimitError{Type: zoom.RateLimitDaily}, at)
	if !strings.Contains(daily.Body, "daily") || !strings.Contains(daily.Body, "15:41") {
		t.Errorf("daily-limit body = %q, want the daily limit and the time", daily.Body)
	}
}

func TestSignInFailedMessage(t *testing.T) {
	denied := SignInFailedMessage(fmt.Errorf("sign in: %w", auth.ErrSignInDenied))
	if !strings.Contains(denied.Body, "allow access") {
		t.Errorf("denied body = %q, want advice to allow access", denied.Body)
	}

	timedOut := SignInFailedMessage(fmt.Errorf("no redirect: %w", context.DeadlineExceeded))
	if !strings.Contains(timedOut.Body, "within the time allowed") {
		t.Errorf("timeout body = %q, want the timeout explained", timedOut.Body)
	}

	portInUse := SignInFailedMessage(fmt.Errorf("sign in: %w", &auth.PortInUseError{Addr: "127.0.0.1:47613", Port: "47613", Err: errors.New("bind: address already in use")}))
	if !strings.Contains(portInUse.Body, "Port 47613 is in use") || strings.Contains(portInUse.Body, "bind:") {
		t.Errorf("port-in-use body = %q, want the port in plain words", portInUse.Body)
	}

	rejected := SignInFailedMessage(fmt.Errorf("exchange: %w", &auth.TokenError{StatusCode: 400, Code: "invalid_grant"}))
	if !strings.Contains(rejected.Body, "Zoom rejected the sign-in (invalid_grant)") {
		t.Errorf("token error body = %q, want the OAuth error code", rejected.Body)
	}

	other := SignInFailedMessage(errors.New("connection refused"))
	if want := "Signing in did not finish: connection refused. Choose Sign in to Zoom… to try again."; other.Body != want {
		t.Errorf("other body = %q, want %q", other.Body, want)
	}
}

func TestKeyringMessage(t *testing.T) {
	tests := []struct {
		name      string
		err       error
		want      string
		untilQuit bool
	}{
		{"missing", fmt.Errorf("load: %w", auth.ErrKeyringUnavailable), "No keyring found: install and unlock GNOME Keyring or KWallet.", true},
		{"locked", fmt.Errorf("load: %w", auth.ErrKeyringLocked), "keyring is locked", true},
		{"timeout", fmt.Errorf("load: %w", auth.ErrKeyringTimeout), "did not respond", true},
		{"not ours", fmt.Errorf("load: %w", auth.ErrCorruptToken), "not one this app wrote", false},
		{"other", errors.New("D-Bus said no"), "D-Bus said no", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			msg := KeyringMessage(tt.err)
			if !strings.Contains(msg.Body, tt.want) {
				t.Errorf("body = %q, want it to contain %q", msg.Body, tt.want)
			}
			if got := strings.Contains(msg.Body, "only until you quit"); got != tt.untilQuit {
				t.Errorf("body = %q, mentions the memory-only sign-in: %v, want %v", msg.Body, got, tt.untilQuit)
			}
		})
	}
}

func TestBrowserMessage(t *testing.T) {
	const authURL = "http://127.0.0.1:1/oauth/authorize?state=s"
	msg := BrowserMessage(authURL)
	if !strings.Contains(msg.Body, authURL) {
		t.Errorf("body = %q, want the address to open by hand", msg.Body)
	}
	if !strings.Contains(msg.Body, "Open sign-in page") {
		t.Errorf("body = %q, want the menu item named", msg.Body)
	}
}

func TestNeedsSignInMissingScope(t *testing.T) {
	if needsSignIn(&zoom.ErrorResponse{StatusCode: 401, Code: zoom.CodeMissingScope}) {
		t.Errorf("a 401 for a missing scope signs out, but a new sign-in grants the same scopes")
	}
	if !needsSignIn(&zoom.ErrorResponse{StatusCode: 401, Code: zoom.CodeInvalidToken}) {
		t.Errorf("a 401 with code 124 does not ask for a new sign-in")
	}
}
