// Package assets holds the tray icons, embedded in the binary.
package assets

import "embed"

//go:generate go run ./gen

//go:embed *.png
var icons embed.FS

// Icon returns the PNG data of the tray icon with the given name:
// "available", "busy", "away", "unknown" or "signed-out". It returns nil
// for any other name. The caller must not modify the returned slice.
func Icon(name string) []byte {
	data, err := icons.ReadFile(name + ".png")
	if err != nil {
		return nil
	}
	return data
}

// Names lists the names that Icon accepts.
var Names = []string{"available", "busy", "away", "unknown", "signed-out"}
