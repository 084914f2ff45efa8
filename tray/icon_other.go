//go:build !windows && !darwin

package tray

import (
	"fyne.io/systray"

	"github.com/zoom-presence/zoom-presence/assets"
)

// platformIcon returns the colour PNG, which StatusNotifierItem hosts
// receive as ARGB pixels.
func platformIcon(name string) []byte {
	return assets.PNG(name)
}

func setIcon(icon []byte) {
	systray.SetIcon(icon)
}
