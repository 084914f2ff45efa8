package tray

import (
	"fyne.io/systray"

	"github.com/zoom-presence/zoom-presence/assets"
)

// platformIcon returns the Windows icon file: the notification area
// picks the image that fits the display scaling.
func platformIcon(name string) []byte {
	return assets.ICO(name)
}

func setIcon(icon []byte) {
	systray.SetIcon(icon)
}
