package tray

import (
	"github.com/zoom-presence/zoom-presence/assets"
	"github.com/zoom-presence/zoom-presence/zoom"
)

// Icon names that IconName returns. Package assets has an icon for each.
const (
	IconAvailable = "available"
	IconBusy      = "busy"
	IconAway      = "away"
	IconUnknown   = "unknown"
	IconSignedOut = "signed-out"
)

// IconName returns the name of the tray icon for s, one of the Icon
// constants. Statuses that tell others not to disturb use IconBusy, and
// Away and Out of office use IconAway. A status that is not read yet, or
// that has no menu item such as "Offline", uses IconUnknown.
func IconName(s State) string {
	if !s.SignedIn {
		return IconSignedOut
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

// Icon returns the PNG data of the tray icon for s, for Tray.Apply. The
// caller must not modify the returned slice.
func Icon(s State) []byte {
	return assets.Icon(IconName(s))
}
