package assets

import (
	"bytes"
	"image/png"
	"testing"
)

func TestIconDecodes(t *testing.T) {
	for _, name := range Names {
		t.Run(name, func(t *testing.T) {
			data := Icon(name)
			if data == nil {
				t.Fatalf("Icon(%q) = nil", name)
			}

			img, err := png.Decode(bytes.NewReader(data))
			if err != nil {
				t.Fatalf("decode %s.png: %v", name, err)
			}
			if b := img.Bounds(); b.Dx() != 64 || b.Dy() != 64 {
				t.Errorf("%s.png is %dx%d, want 64x64", name, b.Dx(), b.Dy())
			}

			// fyne.io/systray garbles partly transparent pixels on Linux.
			opaque := 0
			for y := img.Bounds().Min.Y; y < img.Bounds().Max.Y; y++ {
				for x := img.Bounds().Min.X; x < img.Bounds().Max.X; x++ {
					_, _, _, a := img.At(x, y).RGBA()
					switch a {
					case 0:
					case 0xffff:
						opaque++
					default:
						t.Fatalf("%s.png pixel (%d,%d) has alpha %#x, want 0 or 0xffff", name, x, y, a)
					}
				}
			}
			if opaque == 0 {
				t.Errorf("%s.png is fully transparent", name)
			}
		})
	}
}

func TestIconUnknownName(t *testing.T) {
	for _, name := range []string{"", "nope", "available.png", "../assets"} {
		if data := Icon(name); data != nil {
			t.Errorf("Icon(%q) returned %d bytes, want nil", name, len(data))
		}
	}
}
