package tray

import (
	"strings"
	"testing"
	"time"

	"github.com/zoom-presence/zoom-presence/zoom"
)

func signedInState(status zoom.Status) State {
	return State{
		Presence: zoom.Presence{Status: status},
		Known:    true,
		SignedIn: true,
	}
}

// menuLabels returns the labels of items in order, with "---" for separators.
func menuLabels(items []Item) []string {
	var out []string
	for _, item := range items {
		if item.Separator {
			out = append(out, "---")
			continue
		}
		out = append(out, item.Label)
	}
	return out
}

// visibleMenuLabels is like menuLabels but leaves out hidden items.
func visibleMenuLabels(items []Item) []string {
	var visible []Item
	for _, item := range items {
		if item.Visible {
			visible = append(visible, item)
		}
	}
	return menuLabels(visible)
}

// checkedItemIDs returns the IDs of all checked items in the tree.
func checkedItemIDs(items []Item) []string {
	var out []string
	for _, item := range items {
		if item.Checked {
			out = append(out, item.ID)
		}
		out = append(out, checkedItemIDs(item.Children)...)
	}
	return out
}

func findItem(t *testing.T, items []Item, id string) Item {
	t.Helper()
	for _, item := range items {
		if item.ID == id {
			return item
		}
		for _, child := range item.Children {
			if child.ID == id {
				return child
			}
		}
	}
	t.Fatalf("no menu item with ID %q", id)
	return Item{}
}

func TestMenuSignedInLabels(t *testing.T) {
	got := visibleMenuLabels(Menu(signedInState(zoom.StatusAvailable)))
	want := []string{
		"Available",
		"Busy",
		"Do not disturb",
		"Away",
		"Out of office",
		"In a calendar event",
		"Presenting",
		"In a Zoom meeting",
		"On a call",
		"---",
		"Nothing waiting",
		"---",
		"Signed in",
		"Sign out",
		"---",
		"Start at login",
		"Quit",
	}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("visible labels:\ngot  %q\nwant %q", got, want)
	}
}

func TestMenuSignedOutLabels(t *testing.T) {
	got := visibleMenuLabels(Menu(State{}))
	want := []string{
		"Available",
		"Busy",
		"Do not disturb",
		"Away",
		"Out of office",
		"In a calendar event",
		"Presenting",
		"In a Zoom meeting",
		"On a call",
		"---",
		"Nothing waiting",
		"---",
		"Sign in to Zoom\u2026",
		"---",
		"Start at login",
		"Quit",
	}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("visible labels:\ngot  %q\nwant %q", got, want)
	}
}

func TestMenuDNDSubmenu(t *testing.T) {
	dnd := findItem(t, Menu(signedInState(zoom.StatusAvailable)), "status/Do_Not_Disturb")
	if dnd.Action.Kind != ActionNone {
		t.Errorf("Do not disturb parent action = %v, want none", dnd.Action.Kind)
	}

	want := []struct {
		label   string
		minutes int
	}{
		{"20 minutes", 20},
		{"30 minutes", 30},
		{"1 hour", 60},
		{"2 hours", 120},
		{"4 hours", 240},
		{"8 hours", 480},
		{"24 hours", 1440},
	}
	if len(dnd.Children) != len(want) {
		t.Fatalf("Do not disturb has %d children, want %d: %q", len(dnd.Children), len(want), menuLabels(dnd.Children))
	}
	for i, w := range want {
		child := dnd.Children[i]
		if child.Label != w.label {
			t.Errorf("child %d label = %q, want %q", i, child.Label, w.label)
		}
		wantUpdate := zoom.Update{Status: zoom.StatusDoNotDisturb, Minutes: w.minutes}
		if child.Action.Kind != ActionSetStatus || child.Action.Update != wantUpdate {
			t.Errorf("child %q action = %+v, want set-status %+v", child.Label, child.Action, wantUpdate)
		}
		if err := child.Action.Update.Validate(); err != nil {
			t.Errorf("child %q update is invalid: %v", child.Label, err)
		}
		if !child.Enabled || !child.Visible {
			t.Errorf("child %q enabled=%v visible=%v, want both true", child.Label, child.Enabled, child.Visible)
		}
	}
}

func TestMenuStatusActions(t *testing.T) {
	items := Menu(signedInState(zoom.StatusAvailable))
	for _, status := range zoom.SettableStatuses {
		if status == zoom.StatusDoNotDisturb {
			continue
		}
		item := findItem(t, items, "status/"+string(status))
		want := Action{Kind: ActionSetStatus, Update: zoom.Update{Status: status}}
		if item.Action != want {
			t.Errorf("%s action = %+v, want %+v", status, item.Action, want)
		}
		if err := item.Action.Update.Validate(); err != nil {
			t.Errorf("%s update is invalid: %v", status, err)
		}
		if !item.Checkable {
			t.Errorf("%s is not checkable", status)
		}
	}
}

func TestMenuCheck(t *testing.T) {
	tests := []struct {
		name   string
		state  State
		wantID string // "" for no check at all
	}{
		{"available", signedInState(zoom.StatusAvailable), "status/Available"},
		{"busy", signedInState(zoom.StatusBusy), "status/Busy"},
		{"dnd", signedInState(zoom.StatusDoNotDisturb), "status/Do_Not_Disturb"},
		{"away", signedInState(zoom.StatusAway), "status/Away"},
		{"out of office", signedInState(zoom.StatusOutOfOffice), "status/Out_of_Office"},
		{"calendar", signedInState(zoom.StatusInCalendarEvent), "status/In_Calendar_Event"},
		{"presenting", signedInState(zoom.StatusPresenting), "status/Presenting"},
		{"zoom meeting", signedInState(zoom.StatusInZoomMeeting), "status/In_A_Zoom_Meeting"},
		{"on call", signedInState(zoom.StatusOnCall), "status/On_A_Call"},
		{"in a meeting", signedInState(zoom.StatusInAMeeting), "status/In_A_Zoom_Meeting"},
		{"in a call", signedInState(zoom.StatusInACall), "status/On_A_Call"},
		{"in a calendar event", signedInState(zoom.StatusInACalendarEvent), "status/In_Calendar_Event"},
		{"offline", signedInState(zoom.StatusOffline), ""},
		{"odd status", signedInState("Somewhere_Else"), ""},
		{"empty status", signedInState(""), ""},
		{"not read", State{Presence: zoom.Presence{Status: zoom.StatusAway}, SignedIn: true}, ""},
		{"signed out", State{Presence: zoom.Presence{Status: zoom.StatusAway}, Known: true}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := checkedItemIDs(Menu(tt.state))
			var want []string
			if tt.wantID != "" {
				want = []string{tt.wantID}
			}
			if strings.Join(got, "|") != strings.Join(want, "|") {
				t.Errorf("checked items = %q, want %q", got, want)
			}
		})
	}
}

func TestMenuDNDWithEndTime(t *testing.T) {
	s := signedInState(zoom.StatusDoNotDisturb)
	s.Presence.EndTime = time.Date(2025, 3, 4, 16, 20, 0, 0, time.UTC)
	s.Presence.Remaining = time.Hour

	items := Menu(s)
	got := checkedItemIDs(items)
	if len(got) != 1 || got[0] != "status/Do_Not_Disturb" {
		t.Errorf("checked items = %q, want only the Do not disturb parent", got)
	}

	want := "Do not disturb · until " + s.Presence.EndTime.Local().Format("15:04")
	if label := findItem(t, items, "status/Do_Not_Disturb").Label; label != want {
		t.Errorf("Do not disturb label = %q, want %q", label, want)
	}
}

func TestMenuDNDEnded(t *testing.T) {
	tests := []struct {
		name  string
		state State
	}{
		{"other status", signedInState(zoom.StatusAvailable)},
		{"no end time", signedInState(zoom.StatusDoNotDisturb)},
		{"signed out", State{Presence: zoom.Presence{Status: zoom.StatusDoNotDisturb, EndTime: time.Now()}, Known: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if label := findItem(t, Menu(tt.state), "status/Do_Not_Disturb").Label; label != "Do not disturb" {
				t.Errorf("Do not disturb label = %q, want %q", label, "Do not disturb")
			}
		})
	}
}

func TestMenuEnabled(t *testing.T) {
	tests := []struct {
		name         string
		state        State
		statuses     bool
		signIn       bool
		signInLabel  string
		signInShown  bool
		accountShown bool
	}{
		{"signed in", signedInState(zoom.StatusAway), true, true, "Sign in to Zoom\u2026", false, true},
		{"signed out", State{}, false, true, "Sign in to Zoom\u2026", true, false},
		{"signing in", State{SigningIn: true}, false, true, "Restart sign-in\u2026", true, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			items := Menu(tt.state)

			for _, status := range zoom.SettableStatuses {
				item := findItem(t, items, "status/"+string(status))
				if item.Enabled != tt.statuses {
					t.Errorf("%s enabled = %v, want %v", status, item.Enabled, tt.statuses)
				}
				for _, child := range item.Children {
					if child.Enabled != tt.statuses {
						t.Errorf("%s enabled = %v, want %v", child.ID, child.Enabled, tt.statuses)
					}
				}
			}

			signIn := findItem(t, items, "sign-in")
			if signIn.Label != tt.signInLabel {
				t.Errorf("sign-in label = %q, want %q", signIn.Label, tt.signInLabel)
			}
			if signIn.Enabled != tt.signIn {
				t.Errorf("sign-in enabled = %v, want %v", signIn.Enabled, tt.signIn)
			}
			if signIn.Visible != tt.signInShown {
				t.Errorf("sign-in visible = %v, want %v", signIn.Visible, tt.signInShown)
			}
			if signIn.Action.Kind != ActionSignIn {
				t.Errorf("sign-in action = %v, want sign-in", signIn.Action.Kind)
			}

			signedInLine := findItem(t, items, "signed-in")
			if signedInLine.Enabled {
				t.Error("signed-in line is enabled, want disabled")
			}
			if signedInLine.Visible != tt.accountShown {
				t.Errorf("signed-in line visible = %v, want %v", signedInLine.Visible, tt.accountShown)
			}

			signOut := findItem(t, items, "sign-out")
			if !signOut.Enabled {
				t.Error("sign-out is disabled, want enabled")
			}
			if signOut.Visible != tt.accountShown {
				t.Errorf("sign-out visible = %v, want %v", signOut.Visible, tt.accountShown)
			}
			if signOut.Action.Kind != ActionSignOut {
				t.Errorf("sign-out action = %v, want sign-out", signOut.Action.Kind)
			}

			quit := findItem(t, items, "quit")
			if !quit.Enabled || !quit.Visible || quit.Action.Kind != ActionQuit {
				t.Errorf("quit = %+v, want enabled, visible, quit action", quit)
			}
		})
	}
}

func TestMenuWaitingLine(t *testing.T) {
	tests := []struct {
		waiting string
		want    string
	}{
		{"", "Nothing waiting"},
		{"Waiting: Away at 15:41", "Waiting: Away at 15:41"},
	}
	for _, tt := range tests {
		item := findItem(t, Menu(State{Waiting: tt.waiting}), "waiting")
		if item.Label != tt.want {
			t.Errorf("waiting line for %q = %q, want %q", tt.waiting, item.Label, tt.want)
		}
		if item.Enabled {
			t.Errorf("waiting line for %q is enabled, want disabled", tt.waiting)
		}
		if item.Action.Kind != ActionNone {
			t.Errorf("waiting line action = %v, want none", item.Action.Kind)
		}
	}
}

func TestMenuOpenSignInPage(t *testing.T) {
	tests := []struct {
		name    string
		state   State
		visible bool
		enabled bool
	}{
		{"signed out", State{}, false, false},
		{"signing in before the page is known", State{SigningIn: true}, true, false},
		{"signing in", State{SigningIn: true, SignInPage: true}, true, true},
		{"signed in", State{SignedIn: true}, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			item := findItem(t, Menu(tt.state), "open-sign-in-page")
			if item.Label != "Open sign-in page\u2026" {
				t.Errorf("label = %q, want %q", item.Label, "Open sign-in page\u2026")
			}
			if item.Visible != tt.visible {
				t.Errorf("visible = %v, want %v", item.Visible, tt.visible)
			}
			if item.Enabled != tt.enabled {
				t.Errorf("enabled = %v, want %v", item.Enabled, tt.enabled)
			}
			if item.Action.Kind != ActionOpenSignInPage {
				t.Errorf("action = %v, want open-sign-in-page", item.Action.Kind)
			}
		})
	}
}

func TestMenuMemoryOnly(t *testing.T) {
	tests := []struct {
		state State
		want  string
	}{
		{State{SignedIn: true}, "Signed in"},
		{State{SignedIn: true, MemoryOnly: true}, "Signed in until you quit"},
	}
	for _, tt := range tests {
		line := findItem(t, Menu(tt.state), "signed-in")
		if line.Label != tt.want {
			t.Errorf("signed-in line for %+v = %q, want %q", tt.state, line.Label, tt.want)
		}
		if line.Enabled {
			t.Errorf("signed-in line for %+v is enabled, want disabled", tt.state)
		}
	}
}

// TestMenuShape checks that every State gives the same IDs in the same
// order, which Tray.Apply relies on.
func TestMenuShape(t *testing.T) {
	states := []State{
		{},
		{SigningIn: true},
		{SigningIn: true, SignInPage: true},
		{SignedIn: true, MemoryOnly: true},
		{SignedIn: true},
		signedInState(zoom.StatusDoNotDisturb),
		signedInState(zoom.StatusOffline),
		{SignedIn: true, Known: true, Waiting: "Sending Away…"},
	}

	want := menuIDs(Menu(states[0]))
	seen := map[string]bool{}
	for _, id := range want {
		if seen[id] {
			t.Errorf("ID %q appears twice", id)
		}
		seen[id] = true
	}
	for _, s := range states[1:] {
		if got := menuIDs(Menu(s)); strings.Join(got, "|") != strings.Join(want, "|") {
			t.Errorf("IDs for %+v:\ngot  %q\nwant %q", s, got, want)
		}
	}
}

func menuIDs(items []Item) []string {
	var out []string
	for _, item := range items {
		out = append(out, item.ID)
		out = append(out, menuIDs(item.Children)...)
	}
	return out
}

func TestTooltip(t *testing.T) {
	tests := []struct {
		name  string
		state State
		want  string
	}{
		{"away", signedInState(zoom.StatusAway), "Zoom: Away"},
		{"dnd", signedInState(zoom.StatusDoNotDisturb), "Zoom: Do not disturb"},
		{"zoom meeting", signedInState(zoom.StatusInZoomMeeting), "Zoom: In a Zoom meeting"},
		{"in a meeting", signedInState(zoom.StatusInAMeeting), "Zoom: In a meeting"},
		{"offline", signedInState(zoom.StatusOffline), "Zoom: Offline"},
		{"not read", State{SignedIn: true}, "Zoom: unknown"},
		{"empty status", signedInState(""), "Zoom: unknown"},
		{"signed out", State{}, "Zoom: signed out"},
		{"signing in", State{SigningIn: true}, "Zoom: signed out"},
		{"signed out with stale status", State{Presence: zoom.Presence{Status: zoom.StatusAway}, Known: true}, "Zoom: signed out"},
		{"notice", State{SignedIn: true, Known: true, Presence: zoom.Presence{Status: zoom.StatusAway}, Notice: "Zoom rejected Busy"}, "Zoom: Away\nZoom rejected Busy"},
		{"notice signed out", State{Notice: "Sign-in failed"}, "Zoom: signed out\nSign-in failed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Tooltip(tt.state); got != tt.want {
				t.Errorf("Tooltip = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestIconName(t *testing.T) {
	tests := []struct {
		name  string
		state State
		want  string
	}{
		{"available", signedInState(zoom.StatusAvailable), IconAvailable},
		{"busy", signedInState(zoom.StatusBusy), IconBusy},
		{"dnd", signedInState(zoom.StatusDoNotDisturb), IconBusy},
		{"calendar", signedInState(zoom.StatusInCalendarEvent), IconBusy},
		{"presenting", signedInState(zoom.StatusPresenting), IconBusy},
		{"zoom meeting", signedInState(zoom.StatusInZoomMeeting), IconBusy},
		{"in a meeting", signedInState(zoom.StatusInAMeeting), IconBusy},
		{"on call", signedInState(zoom.StatusOnCall), IconBusy},
		{"away", signedInState(zoom.StatusAway), IconAway},
		{"out of office", signedInState(zoom.StatusOutOfOffice), IconAway},
		{"offline", signedInState(zoom.StatusOffline), IconUnknown},
		{"not read", State{SignedIn: true}, IconUnknown},
		{"signed out", State{}, IconSignedOut},
		{"signed out with stale status", State{Presence: zoom.Presence{Status: zoom.StatusAvailable}, Known: true}, IconSignedOut},
		{"failed", State{SignedIn: true, Known: true, Presence: zoom.Presence{Status: zoom.StatusAway}, Failed: true}, IconError},
		{"failed signed out", State{Failed: true}, IconSignedOut},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := IconName(tt.state); got != tt.want {
				t.Errorf("IconName = %q, want %q", got, tt.want)
			}
			if len(Icon(tt.state)) == 0 {
				t.Errorf("Icon has no data for icon %q", IconName(tt.state))
			}
		})
	}
}

func TestWaitingLine(t *testing.T) {
	zone := time.FixedZone("UTC+2", 2*60*60)
	now := time.Date(2025, 3, 4, 15, 30, 0, 0, zone)
	away := &zoom.Update{Status: zoom.StatusAway}
	dnd := &zoom.Update{Status: zoom.StatusDoNotDisturb, Minutes: 60}

	tests := []struct {
		name     string
		update   *zoom.Update
		at       time.Time
		retrying bool
		want     string
	}{
		{"nothing", nil, now.Add(time.Minute), false, "Nothing waiting"},
		{"nothing retrying", nil, time.Time{}, true, "Nothing waiting"},
		{"sending now", away, now, false, "Sending Away…"},
		{"sending no time", away, time.Time{}, false, "Sending Away…"},
		{"sending overdue", away, now.Add(-time.Second), true, "Sending Away…"},
		{"waiting", away, now.Add(11 * time.Minute), false, "Waiting: Away at 15:41"},
		{"waiting seconds", away, now.Add(11*time.Minute + 59*time.Second), false, "Waiting: Away at 15:41"},
		{"waiting dnd", dnd, now.Add(time.Minute), false, "Waiting: Do not disturb for 1 hour at 15:31"},
		{"retrying seconds", away, now.Add(40 * time.Second), true, "Retrying Away in 40 s"},
		{"retrying part second", away, now.Add(39*time.Second + time.Millisecond), true, "Retrying Away in 40 s"},
		{"retrying minute", away, now.Add(time.Minute), true, "Retrying Away in 60 s"},
		{"retrying minutes", away, now.Add(4*time.Minute + 10*time.Second), true, "Retrying Away in 5 min (15:34)"},
		{"retrying hours", away, now.Add(2 * time.Hour), true, "Retrying Away at 17:30"},
		{"retrying next day", away, now.Add(10 * time.Hour), true, "Retrying Away at Wed 5 Mar 01:30"},
		{"24 hour clock", away, now.Add(5 * time.Hour), false, "Waiting: Away at 20:30"},
		{"other location", away, now.Add(time.Minute).UTC(), false, "Waiting: Away at 13:31"},
		{"next day", away, now.Add(10 * time.Hour), false, "Waiting: Away at Wed 5 Mar 01:30"},
		{"next year", away, time.Date(2026, 3, 4, 15, 31, 0, 0, zone), false, "Waiting: Away at Wed 4 Mar 15:31"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := WaitingLine(tt.update, tt.at, now, tt.retrying)
			if got != tt.want {
				t.Errorf("WaitingLine = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestWaitingLineChanges(t *testing.T) {
	now := time.Date(2025, 3, 4, 15, 30, 0, 0, time.UTC)

	tests := []struct {
		name     string
		at       time.Time
		retrying bool
		want     time.Duration
	}{
		{"seconds", now.Add(40*time.Second + 300*time.Millisecond), true, 300 * time.Millisecond},
		{"whole second", now.Add(40 * time.Second), true, time.Second},
		{"minutes", now.Add(4*time.Minute + 10*time.Second), true, 10 * time.Second},
		{"whole minute", now.Add(5 * time.Minute), true, time.Minute},
		{"over an hour", now.Add(2 * time.Hour), true, 0},
		{"due", now, true, 0},
		{"not retrying", now.Add(40 * time.Second), false, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := WaitingLineChanges(tt.at, now, tt.retrying); got != tt.want {
				t.Errorf("WaitingLineChanges = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestActionKindString(t *testing.T) {
	tests := []struct {
		kind ActionKind
		want string
	}{
		{ActionNone, "none"},
		{ActionSetStatus, "set-status"},
		{ActionSignIn, "sign-in"},
		{ActionSignOut, "sign-out"},
		{ActionQuit, "quit"},
		{ActionOpenSignInPage, "open-sign-in-page"},
		{ActionKind(42), "ActionKind(42)"},
	}
	for _, tt := range tests {
		if got := tt.kind.String(); got != tt.want {
			t.Errorf("ActionKind(%d).String() = %q, want %q", int(tt.kind), got, tt.want)
		}
	}
}

func TestStateExpire(t *testing.T) {
	end := time.Date(2026, 3, 4, 15, 40, 0, 0, time.UTC)
	dnd := State{SignedIn: true, Known: true, Presence: zoom.Presence{Status: zoom.StatusDoNotDisturb, EndTime: end}}

	before := dnd.expire(end.Add(-time.Second))
	if before.Presence.Status != zoom.StatusDoNotDisturb || !before.Known {
		t.Errorf("before the end: status %q, known %v; want Do not disturb, known", before.Presence.Status, before.Known)
	}

	after := dnd.expire(end)
	if after.Known || after.Presence.Status != "" {
		t.Errorf("at the end: status %q, known %v; want unknown", after.Presence.Status, after.Known)
	}
	if got := checkedItemIDs(Menu(after)); len(got) != 0 {
		t.Errorf("checked items after Do not disturb ended = %v, want none", got)
	}

	away := State{SignedIn: true, Known: true, Presence: zoom.Presence{Status: zoom.StatusAway}}
	if got := away.expire(end.Add(time.Hour)); got.Presence.Status != zoom.StatusAway {
		t.Errorf("Away after an hour = %q, want unchanged", got.Presence.Status)
	}
}
