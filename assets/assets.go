// Package assets holds the tray icons, embedded in the binary. Command
// gen draws every file from one set of shapes: run go generate here after
// changing it.
package assets

import (
	"embed"
	"slices"
)

//go:generate go run ./gen

//go:embed *.png *.ico
var icons embed.FS

// Names lists the icon names that PNG, ICO and Template accept.
var Names = []string{"available", "busy", "away", "unknown", "signed-out", "error"}

// PNG returns the 64x64 colour PNG of the icon with the given name, for
// Linux tray hosts. Its pixels are either opaque or fully transparent. It
// returns nil for a name not in Names. The caller must not modify the
// returned slice.
func PNG(name string) []byte {
	return read(name, ".png")
}

// ICO returns the Windows icon file of the icon with the given name, with
// images from 16x16 to 64x64 pixels. It returns nil for a name not in
// Names. The caller must not modify the returned slice.
func ICO(name string) []byte {
	return read(name, ".ico")
}

// Template returns the 64x64 macOS template image of the icon with the
// given name: black pixels whose alpha channel carries the shape, which
// the menu bar tints to match its appearance. It returns nil for a name
// not in Names. The caller must not modify the returned slice.
func Template(name string) []byte {
	return read(name, "-template.png")
}

func read(name, suffix string) []byte {
	if !slices.Contains(Names, name) {
		return nil
	}
	data, err := icons.ReadFile(name + suffix)
	if err != nil {
		return nil
	}
	return data
}
