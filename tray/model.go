// Package tray shows the Zoom presence status in the system tray and lets
// the user change it from the tray menu.
//
// The menu itself is built by pure functions (Menu, Tooltip, IconName,
// WaitingLine) from a State, so that it can be tested without a desktop.
// Tray binds the result to fyne.io/systray.
package tray

import (
	"strconv"
	"time"

	"github.com/zoom-presence/zoom-presence/zoom"
)

// ActionKind is the kind of request that a click on a menu item sends to
// the app.
type ActionKind int

// Action kinds. The zero value, ActionNone, belongs to items that do
// nothing when clicked: separators, disabled lines and submenu parents.
const (
	ActionNone ActionKind = iota
	// ActionSetStatus requests sending Action.Update to Zoom.
	ActionSetStatus
	// ActionSignIn requests a sign-in to Zoom.
	ActionSignIn
	// ActionSignOut requests a sign-out from Zoom.
	ActionSignOut
	// ActionQuit requests that the app quit.
	ActionQuit
	// ActionOpenSignInPage requests that the sign-in page of the sign-in
	// under way be opened in the browser again.
	ActionOpenSignInPage
	// ActionStartAtLogin requests turning start at login on when it is
	// off, and off when it is on.
	ActionStartAtLogin
)

// String returns the kind's name for logs, for example "set-status".
func (k ActionKind) String() string {
	switch k {
	case ActionNone:
		return "none"
	case ActionSetStatus:
		return "set-status"
	case ActionSignIn:
		return "sign-in"
	case ActionSignOut:
		return "sign-out"
	case ActionQuit:
		return "quit"
	case ActionOpenSignInPage:
		return "open-sign-in-page"
	case ActionStartAtLogin:
		return "start-at-login"
	}
	return "ActionKind(" + strconv.Itoa(int(k)) + ")"
}

// Action is the request behind a menu item.
type Action struct {
	Kind ActionKind
	// Update is the status to send. It is set only for ActionSetStatus.
	Update zoom.Update
}

// State is everything the menu, the tooltip and the icon show.
type State struct {
	// Presence is the current status as last read from Zoom. An empty
	// Presence.Status means the status is unknown.
	Presence zoom.Presence
	// Known reports whether Presence has been read from Zoom.
	Known bool
	// SignedIn reports whether the app holds a Zoom token.
	SignedIn bool
	// SigningIn reports whether a sign-in is under way. The sign-in item
	// then reads "Restart sign-in…", because a person who closed the
	// browser tab must be able to start over, and the item that opens
	// the sign-in page is shown.
	SigningIn bool
	// SignInPage reports whether the address of the sign-in page of the
	// sign-in under way is known, which enables "Open sign-in page…".
	SignInPage bool
	// MemoryOnly reports whether the sign-in is kept in memory only,
	// because the system keyring failed, so that it ends when the app
	// quits. The signed-in line then shows that.
	MemoryOnly bool
	// Waiting is the text of the line about the update waiting to be
	// sent, usually made by WaitingLine. Empty means "Nothing waiting".
	Waiting string
	// Failed reports whether the last status read or update failed. The
	// icon then shows the error state.
	Failed bool
	// Notice is a message that could not be shown as a desktop
	// notification. The tooltip shows it under the status.
	Notice string
	// StartAtLogin reports whether the app starts when the user logs in.
	StartAtLogin bool
}

// Item is one entry of the tray menu.
type Item struct {
	// ID names the item. It stays the same in every State, so that a
	// binding can create the item once and update it in place.
	ID    string
	Label string
	// Checkable items show a check mark when Checked is true.
	Checkable bool
	Checked   bool
	Enabled   bool
	Visible   bool
	// Separator items are drawn as a line. Only their ID is set, and
	// Visible, which is always true.
	Separator bool
	// Action is the request a click sends. It is ActionNone for items
	// that only show information or open a submenu.
	Action   Action
	Children []Item
}

// Labels of the menu items that do not name a status.
const (
	labelNothingWaiting = "Nothing waiting"
	labelSignIn         = "Sign in to Zoom…"
	labelRestartSignIn  = "Restart sign-in…"
	labelOpenSignInPage = "Open sign-in page…"
	labelSignedIn       = "Signed in"
	labelSignedInMemory = "Signed in until you quit"
	labelSignOut        = "Sign out"
	labelQuit           = "Quit"
	labelStartAtLogin   = "Start at login"
)

// IDs of the menu items that do not name a status. Status items have the
// ID "status/" followed by the Zoom spelling, and the Do not disturb
// durations "status/Do_Not_Disturb/" followed by the minutes.
const (
	idSeparatorStatus  = "separator/status"
	idWaiting          = "waiting"
	idSeparatorWaiting = "separator/waiting"
	idSignIn           = "sign-in"
	idOpenSignInPage   = "open-sign-in-page"
	idSignedIn         = "signed-in"
	idSignOut          = "sign-out"
	idSeparatorAccount = "separator/account"
	idQuit             = "quit"
	idStartAtLogin     = "start-at-login"
)

// dndMinutes lists the Do not disturb durations in the submenu, in order.
var dndMinutes = []int{20, 30, 60, 120, 240, 480, 1440}

// Menu returns the whole tray menu for s. The tree has the same shape and
// IDs for every State: items that apply only when signed in or signed out
// are hidden through Visible rather than left out.
//
// Status items are disabled while signed out, because the app can neither
// read nor send a status then. The item for the current status is the
// only one checked. For Do not disturb the submenu parent carries the
// check and no duration does, because Zoom reports only when Do not
// disturb ends, not the duration chosen. The parent's label then shows
// that end in local time: "Do not disturb · until 15:40". The label keeps
// the end until the status is read again, which the Sender does just
// after the end.
func Menu(s State) []Item {
	current := s.currentStatus()

	items := make([]Item, 0, len(zoom.SettableStatuses)+8)
	for _, status := range zoom.SettableStatuses {
		item := statusItem(status, current, s.SignedIn)
		if item.Checked && status == zoom.StatusDoNotDisturb && !s.Presence.EndTime.IsZero() {
			item.Label += " · until " + s.Presence.EndTime.Local().Format("15:04")
		}
		items = append(items, item)
	}

	waiting := s.Waiting
	if waiting == "" {
		waiting = labelNothingWaiting
	}
	signIn := Item{
		ID:      idSignIn,
		Label:   labelSignIn,
		Enabled: true,
		Visible: !s.SignedIn,
		Action:  Action{Kind: ActionSignIn},
	}
	if s.SigningIn {
		signIn.Label = labelRestartSignIn
	}
	signedIn := labelSignedIn
	if s.MemoryOnly {
		signedIn = labelSignedInMemory
	}

	return append(items,
		Item{ID: idSeparatorStatus, Separator: true, Visible: true},
		Item{ID: idWaiting, Label: waiting, Visible: true},
		Item{ID: idSeparatorWaiting, Separator: true, Visible: true},
		signIn,
		Item{
			ID:      idOpenSignInPage,
			Label:   labelOpenSignInPage,
			Enabled: s.SignInPage,
			Visible: s.SigningIn && !s.SignedIn,
			Action:  Action{Kind: ActionOpenSignInPage},
		},
		Item{ID: idSignedIn, Label: signedIn, Visible: s.SignedIn},
		Item{
			ID:      idSignOut,
			Label:   labelSignOut,
			Enabled: true,
			Visible: s.SignedIn,
			Action:  Action{Kind: ActionSignOut},
		},
		Item{ID: idSeparatorAccount, Separator: true, Visible: true},
		Item{
			ID:        idStartAtLogin,
			Label:     labelStartAtLogin,
			Checkable: true,
			Checked:   s.StartAtLogin,
			Enabled:   true,
			Visible:   true,
			Action:    Action{Kind: ActionStartAtLogin},
		},
		Item{
			ID:      idQuit,
			Label:   labelQuit,
			Enabled: true,
			Visible: true,
			Action:  Action{Kind: ActionQuit},
		},
	)
}

// currentStatus returns the settable status to check in the menu, or ""
// when none applies: signed out, not read yet, or a status with no menu
// item such as "Offline".
func (s State) currentStatus() zoom.Status {
	if !s.SignedIn || !s.Known {
		return ""
	}
	return s.Presence.Status.Settable()
}

func statusItem(status, current zoom.Status, enabled bool) Item {
	item := Item{
		ID:        statusID(status),
		Label:     status.Label(),
		Checkable: true,
		Checked:   status == current,
		Enabled:   enabled,
		Visible:   true,
		Action:    Action{Kind: ActionSetStatus, Update: zoom.Update{Status: status}},
	}
	if status != zoom.StatusDoNotDisturb {
		return item
	}

	// Do not disturb needs a duration, so the parent only opens the
	// submenu and each duration sends the update.
	item.Action = Action{}
	for _, minutes := range dndMinutes {
		item.Children = append(item.Children, Item{
			ID:      statusID(status) + "/" + strconv.Itoa(minutes),
			Label:   zoom.FormatMinutes(minutes),
			Enabled: enabled,
			Visible: true,
			Action: Action{
				Kind:   ActionSetStatus,
				Update: zoom.Update{Status: status, Minutes: minutes},
			},
		})
	}
	return item
}

func statusID(status zoom.Status) string {
	return "status/" + string(status)
}

// Tooltip returns the tray icon's tooltip for s: "Zoom: Away",
// "Zoom: signed out" or "Zoom: unknown" when the status has not been read.
// A Notice follows on a line of its own.
func Tooltip(s State) string {
	text := "Zoom: " + s.Presence.Status.Label()
	switch {
	case !s.SignedIn:
		text = "Zoom: signed out"
	case !s.Known || s.Presence.Status == "":
		text = "Zoom: unknown"
	}
	if s.Notice != "" {
		text += "\n" + s.Notice
	}
	return text
}

// WaitingLine returns the text of the menu line about the update waiting
// to be sent, for State.Waiting:
//
//   - "Nothing waiting" when u is nil;
//   - "Sending Away…" when at is zero or not after now;
//   - "Waiting: Away at 15:41" when the update waits until at;
//   - "Retrying Away in 40 s", "Retrying Away in 5 min (15:41)" or
//     "Retrying Away at 15:41" when retrying reports that an earlier
//     attempt failed and the next one is at at: the countdown for the
//     next hour, the clock time after that.
//
// The time is formatted in at's location with a 24-hour clock, so callers
// pass local times such as those from time.Now. When at falls on another
// day than now, the date is shown too: "Waiting: Away at Mon 2 Jan 09:00".
// A countdown changes as now moves on, so the caller shows it again at the
// time WaitingLineChanges returns.
func WaitingLine(u *zoom.Update, at time.Time, now time.Time, retrying bool) string {
	if u == nil {
		return labelNothingWaiting
	}
	if at.IsZero() || !at.After(now) {
		return "Sending " + u.String() + "…"
	}

	layout := "15:04"
	nowThere := now.In(at.Location())
	if at.YearDay() != nowThere.YearDay() || at.Year() != nowThere.Year() {
		layout = "Mon 2 Jan 15:04"
	}
	if !retrying {
		return "Waiting: " + u.String() + " at " + at.Format(layout)
	}

	remaining := at.Sub(now)
	switch {
	case remaining <= time.Minute:
		seconds := (remaining + time.Second - 1) / time.Second
		return "Retrying " + u.String() + " in " + strconv.Itoa(int(seconds)) + " s"
	case remaining <= time.Hour:
		minutes := (remaining + time.Minute - 1) / time.Minute
		return "Retrying " + u.String() + " in " + strconv.Itoa(int(minutes)) + " min (" + at.Format(layout) + ")"
	}
	return "Retrying " + u.String() + " at " + at.Format(layout)
}

// WaitingLineChanges returns how long the countdown of a retrying
// WaitingLine for at stays the same from now, or 0 when the line shows no
// countdown.
func WaitingLineChanges(at time.Time, now time.Time, retrying bool) time.Duration {
	remaining := at.Sub(now)
	if !retrying || remaining <= 0 || remaining > time.Hour {
		return 0
	}

	unit := time.Second
	if remaining > time.Minute {
		unit = time.Minute
	}
	// The line shows remaining rounded up to unit, so it changes when
	// remaining falls to the next lower multiple of unit.
	step := remaining % unit
	if step == 0 {
		step = unit
	}
	return step
}

// expire returns s as it is at now: once a Do not disturb that Zoom
// reported has ended, the status is unknown until Zoom is read again,
// because Zoom does not say which status follows. This keeps the menu
// from showing an old end time when the read after it fails.
func (s State) expire(now time.Time) State {
	end := s.Presence.EndTime
	if s.Presence.Status != zoom.StatusDoNotDisturb || end.IsZero() || now.Before(end) {
		return s
	}
	s.Presence = zoom.Presence{}
	s.Known = false
	return s
}
