// Command gen draws the tray icons in package assets from one set of
// shapes, in the format each platform's tray takes:
//
//   - NAME.png: a 64x64 colour PNG for Linux StatusNotifierItem hosts;
//   - NAME.ico: a Windows icon with 16, 24, 32, 48 and 64 pixel images;
//   - NAME-template.png: a 64x64 black PNG whose alpha channel carries
//     the shape, for the macOS menu bar, which tints template images to
//     match a light or dark bar.
//
// Run it with go generate in the assets folder. Each colour icon is a
// filled circle with a darker rim, so that it shows on light and dark
// panels. Template images have no colour, so each status there has its own
// shape as well.
package main

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"log"
	"math"
	"os"
	"path/filepath"
)

// size is the width and height in pixels of the PNG icons. Tray hosts
// scale them down to the panel height.
const size = 64

// icoSizes are the image sizes in the Windows icons: 16 and 24 for the
// notification area at 100% and 150% scaling, 32 and 48 for 200% and
// 300%, and 64 for larger views.
var icoSizes = []int{16, 24, 32, 48, 64}

// shape is the figure of an icon in a square of side 1 centred at (0.5,
// 0.5). At returns 0 outside the figure, 1 for the fill and 2 for the rim.
type shape func(x, y float64) uint8

type icon struct {
	name      string
	fill, rim color.NRGBA
	// colour is the shape of the colour icons.
	colour shape
	// template is the shape of the macOS template image.
	template shape
}

var (
	green  = [2]color.NRGBA{rgb(0x2e, 0xb8, 0x4b), rgb(0x1b, 0x6e, 0x2d)}
	red    = [2]color.NRGBA{rgb(0xe0, 0x2f, 0x2f), rgb(0x86, 0x1c, 0x1c)}
	yellow = [2]color.NRGBA{rgb(0xf2, 0xc0, 0x1e), rgb(0x91, 0x73, 0x12)}
	grey   = [2]color.NRGBA{rgb(0x9e, 0x9e, 0x9e), rgb(0x5e, 0x5e, 0x5e)}
	orange = [2]color.NRGBA{rgb(0xf5, 0x7c, 0x00), rgb(0x8a, 0x3b, 0x00)}
)

// Radii as fractions of the icon's side.
const (
	outer = 0.5 - 2.0/64
	rim   = 5.0 / 64
)

var icons = []icon{
	{name: "available", fill: green[0], rim: green[1], colour: disc, template: disc},
	{name: "busy", fill: red[0], rim: red[1], colour: disc, template: cut(disc, bar)},
	{name: "away", fill: yellow[0], rim: yellow[1], colour: disc, template: union(ring, halfDisc)},
	{name: "unknown", fill: grey[0], rim: grey[1], colour: disc, template: union(ring, dot)},
	{name: "signed-out", fill: grey[0], rim: grey[1], colour: ring, template: ring},
	{name: "error", fill: orange[0], rim: orange[1], colour: cut(disc, exclamation), template: cut(disc, exclamation)},
}

func rgb(r, g, b uint8) color.NRGBA {
	return color.NRGBA{R: r, G: g, B: b, A: 0xff}
}

func radius(x, y float64) float64 {
	return math.Hypot(x-0.5, y-0.5)
}

// disc is a filled circle with a rim.
func disc(x, y float64) uint8 {
	switch r := radius(x, y); {
	case r > outer:
		return 0
	case r > outer-rim:
		return 2
	}
	return 1
}

// ring is a circle of two bands, the rim outside and the fill inside it,
// with a transparent middle.
func ring(x, y float64) uint8 {
	switch r := radius(x, y); {
	case r > outer:
		return 0
	case r > outer-rim:
		return 2
	case r > outer-2*rim:
		return 1
	}
	return 0
}

// halfDisc is the left half of the inside of a ring.
func halfDisc(x, y float64) uint8 {
	if x < 0.5 && radius(x, y) <= outer-2.5*rim {
		return 1
	}
	return 0
}

// dot is a small filled circle in the middle.
func dot(x, y float64) uint8 {
	if radius(x, y) <= 0.12 {
		return 1
	}
	return 0
}

// bar is a horizontal bar across the middle, as on a no-entry sign.
func bar(x, y float64) uint8 {
	if math.Abs(y-0.5) <= 0.07 && math.Abs(x-0.5) <= 0.28 {
		return 1
	}
	return 0
}

// exclamation is an exclamation mark.
func exclamation(x, y float64) uint8 {
	if math.Abs(x-0.5) <= 0.065 && y >= 0.2 && y <= 0.6 {
		return 1
	}
	if math.Hypot(x-0.5, y-0.74) <= 0.075 {
		return 1
	}
	return 0
}

// union draws b over a.
func union(a, b shape) shape {
	return func(x, y float64) uint8 {
		if v := b(x, y); v != 0 {
			return v
		}
		return a(x, y)
	}
}

// cut makes a transparent where b is drawn.
func cut(a, b shape) shape {
	return func(x, y float64) uint8 {
		if b(x, y) != 0 {
			return 0
		}
		return a(x, y)
	}
}

func main() {
	dir := "."
	if len(os.Args) > 1 {
		dir = os.Args[1]
	}

	for _, ic := range icons {
		files := map[string]func(icon) ([]byte, error){
			ic.name + ".png":          linuxPNG,
			ic.name + ".ico":          windowsICO,
			ic.name + "-template.png": templatePNG,
		}
		for name, encode := range files {
			data, err := encode(ic)
			if err != nil {
				log.Fatalf("draw icon %s: %v", name, err)
			}
			path := filepath.Join(dir, name)
			if err := os.WriteFile(path, data, 0o644); err != nil {
				log.Fatalf("write icon: %v", err)
			}
			fmt.Printf("wrote %s (%d bytes)\n", path, len(data))
		}
	}
}

// linuxPNG returns the colour icon as a paletted PNG.
//
// Every pixel is either opaque or fully transparent. fyne.io/systray
// v1.12.2 on Linux turns the PNG into ARGB bytes by taking the low byte of
// each premultiplied 16-bit channel, which garbles the colour of partly
// transparent pixels, so the edges are not anti-aliased.
func linuxPNG(ic icon) ([]byte, error) {
	palette := color.Palette{color.NRGBA{}, ic.fill, ic.rim}
	img := image.NewPaletted(image.Rect(0, 0, size, size), palette)
	for y := range size {
		for x := range size {
			img.SetColorIndex(x, y, ic.colour((float64(x)+0.5)/size, (float64(y)+0.5)/size))
		}
	}
	return encodePNG(img)
}

// templatePNG returns the template image: black, with anti-aliased
// edges in the alpha channel.
func templatePNG(ic icon) ([]byte, error) {
	black := color.NRGBA{A: 0xff}
	return encodePNG(render(ic.template, size, [3]color.NRGBA{{}, black, black}))
}

// windowsICO returns an ICO file whose images are anti-aliased PNGs, one
// per size in icoSizes. Windows reads PNG images in ICO files since
// Windows Vista.
func windowsICO(ic icon) ([]byte, error) {
	images := make([][]byte, len(icoSizes))
	for i, side := range icoSizes {
		data, err := encodePNG(render(ic.colour, side, [3]color.NRGBA{{}, ic.fill, ic.rim}))
		if err != nil {
			return nil, err
		}
		images[i] = data
	}

	// ICONDIR, then one ICONDIRENTRY per image, then the images.
	var buf bytes.Buffer
	le := binary.LittleEndian
	buf.Write(le.AppendUint16(nil, 0))
	buf.Write(le.AppendUint16(nil, 1))
	buf.Write(le.AppendUint16(nil, uint16(len(images))))
	offset := 6 + 16*len(images)
	for i, side := range icoSizes {
		buf.WriteByte(byte(side % 256)) // 0 means 256
		buf.WriteByte(byte(side % 256))
		buf.WriteByte(0) // no palette
		buf.WriteByte(0)
		buf.Write(le.AppendUint16(nil, 1))  // colour planes
		buf.Write(le.AppendUint16(nil, 32)) // bits per pixel
		buf.Write(le.AppendUint32(nil, uint32(len(images[i]))))
		buf.Write(le.AppendUint32(nil, uint32(offset)))
		offset += len(images[i])
	}
	for _, data := range images {
		buf.Write(data)
	}
	return buf.Bytes(), nil
}

// samples is the number of samples per pixel side when render
// anti-aliases.
const samples = 4

// render draws s at side pixels, averaging samples x samples points per
// pixel, with colours[v] for each value v that s returns.
func render(s shape, side int, colours [3]color.NRGBA) *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, side, side))
	for py := range side {
		for px := range side {
			var r, g, b, a float64
			for sy := range samples {
				for sx := range samples {
					x := (float64(px) + (float64(sx)+0.5)/samples) / float64(side)
					y := (float64(py) + (float64(sy)+0.5)/samples) / float64(side)
					c := colours[s(x, y)]
					alpha := float64(c.A)
					r += float64(c.R) * alpha
					g += float64(c.G) * alpha
					b += float64(c.B) * alpha
					a += alpha
				}
			}
			if a == 0 {
				continue
			}
			img.SetNRGBA(px, py, color.NRGBA{
				R: uint8(math.Round(r / a)),
				G: uint8(math.Round(g / a)),
				B: uint8(math.Round(b / a)),
				A: uint8(math.Round(a / (samples * samples))),
			})
		}
	}
	return img
}

func encodePNG(img image.Image) ([]byte, error) {
	var buf bytes.Buffer
	encoder := png.Encoder{CompressionLevel: png.BestCompression}
	if err := encoder.Encode(&buf, img); err != nil {
		return nil, fmt.Errorf("encode png: %w", err)
	}
	return buf.Bytes(), nil
}
