// Command gen draws the tray icons in package assets as PNG files.
//
// Run it with go generate in the assets folder. Each icon is a filled
// circle with a darker rim, so that it shows on light and dark panels. The
// signed-out icon is a grey ring.
package main

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"log"
	"os"
	"path/filepath"
)

// size is the icon's width and height in pixels. Tray hosts scale it down
// to the panel height.
const size = 64

type icon struct {
	name      string
	fill, rim color.NRGBA
	// ringOnly leaves the middle of the circle transparent.
	ringOnly bool
}

var icons = []icon{
	{name: "available", fill: rgb(0x2e, 0xb8, 0x4b), rim: rgb(0x1b, 0x6e, 0x2d)},
	{name: "busy", fill: rgb(0xe0, 0x2f, 0x2f), rim: rgb(0x86, 0x1c, 0x1c)},
	{name: "away", fill: rgb(0xf2, 0xc0, 0x1e), rim: rgb(0x91, 0x73, 0x12)},
	{name: "unknown", fill: rgb(0x9e, 0x9e, 0x9e), rim: rgb(0x5e, 0x5e, 0x5e)},
	{name: "signed-out", fill: rgb(0x9e, 0x9e, 0x9e), rim: rgb(0x5e, 0x5e, 0x5e), ringOnly: true},
}

func rgb(r, g, b uint8) color.NRGBA {
	return color.NRGBA{R: r, G: g, B: b, A: 0xff}
}

func main() {
	dir := "."
	if len(os.Args) > 1 {
		dir = os.Args[1]
	}

	for _, ic := range icons {
		data, err := draw(ic)
		if err != nil {
			log.Fatalf("draw icon %s: %v", ic.name, err)
		}
		path := filepath.Join(dir, ic.name+".png")
		if err := os.WriteFile(path, data, 0o644); err != nil {
			log.Fatalf("write icon: %v", err)
		}
		fmt.Printf("wrote %s (%d bytes)\n", path, len(data))
	}
}

// draw returns the PNG encoding of ic.
//
// Every pixel is either opaque or fully transparent. fyne.io/systray
// v1.12.2 on Linux turns the PNG into ARGB bytes by taking the low byte of
// each premultiplied 16-bit channel, which garbles the colour of partly
// transparent pixels, so the edges are not anti-aliased.
func draw(ic icon) ([]byte, error) {
	img := image.NewPaletted(image.Rect(0, 0, size, size), color.Palette{
		color.NRGBA{},
		ic.fill,
		ic.rim,
	})

	const (
		center = size / 2.0
		outer  = size/2.0 - 2
		rim    = 5.0
	)
	for y := range size {
		for x := range size {
			dx := float64(x) + 0.5 - center
			dy := float64(y) + 0.5 - center
			d2 := dx*dx + dy*dy
			switch {
			case d2 > outer*outer:
				// Transparent outside the circle.
			case d2 > (outer-rim)*(outer-rim):
				img.SetColorIndex(x, y, 2)
			case ic.ringOnly && d2 > (outer-2*rim)*(outer-2*rim):
				img.SetColorIndex(x, y, 1)
			case !ic.ringOnly:
				img.SetColorIndex(x, y, 1)
			}
		}
	}

	var buf bytes.Buffer
	encoder := png.Encoder{CompressionLevel: png.BestCompression}
	if err := encoder.Encode(&buf, img); err != nil {
		return nil, fmt.Errorf("encode png: %w", err)
	}
	return buf.Bytes(), nil
}
