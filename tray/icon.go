package tray

import (
	"github.com/zoom-presence/zoom-presence/zoom"
)

// Icon names that IconName returns. Package assets has an icon for each.
const (
	IconAvailable = "available"
	IconBusy      = "busy"
	IconAway      = "away"
	IconUnknown   = "unknown"
	IconSignedOut = "signed-out"
	IconError     = "error"
)

// IconName returns the name of the tray icon for s, one of the Icon
// constants. Statuses that tell others not to disturb use IconBusy, and
// Away and Out of office use IconAway. A status that is not read yet, or
// that has no menu item such as "Offline", uses IconUnknown. While the
// last status read or update has failed, the icon is IconError.
func IconName(s State) string {
	if !s.SignedIn {
		return IconSignedOut
	}
	if s.Failed {
		return IconError
	}

	switch s.currentStatus() {
	case zoom.StatusAvailable:
		return IconAvailable
	case zoom.StatusAway, zoom.StatusOutOfOffice:
		return IconAway
	case zoom.StatusBusy, zoom.StatusDoNotDisturb, zoom.StatusInCalendarEvent,
		zoom.StatusPresenting, zoom.StatusInZoomMeeting, zoom.StatusOnCall:
		return IconBusy
	}
	return IconUnknown
}

// Icon returns the tray icon for s in this platform's format, for
// Tray.Apply: a Windows icon file on Windows, a template image on macOS,
// and a colour PNG elsewhere. The caller must not modify the returned
// slice.
func Icon(s State) []byte {
	return platformIcon(IconName(s))
}
