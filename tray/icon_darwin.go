package tray

import (
	"fyne.io/systray"

	"github.com/zoom-presence/zoom-presence/assets"
)

// platformIcon returns the template image, which the menu bar tints to
// match a light or dark bar as its own icons are.
func platformIcon(name string) []byte {
	return assets.Template(name)
}

func setIcon(icon []byte) {
	systray.SetTemplateIcon(icon, icon)
}
