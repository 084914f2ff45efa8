package assets

import (
	"bytes"
	"encoding/binary"
	"image"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

func decodePNG(t *testing.T, what string, data []byte) image.Image {
	t.Helper()

	if data == nil {
		t.Fatalf("%s: no data", what)
	}
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("decode %s: %v", what, err)
	}
	return img
}

func TestPNGFormat(t *testing.T) {
	for _, name := range Names {
		t.Run(name, func(t *testing.T) {
			img := decodePNG(t, name+".png", PNG(name))
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

func TestICOFormat(t *testing.T) {
	wantSizes := []int{16, 24, 32, 48, 64}

	for _, name := range Names {
		t.Run(name, func(t *testing.T) {
			data := ICO(name)
			if len(data) < 6 {
				t.Fatalf("%s.ico has %d bytes, want an ICONDIR header", name, len(data))
			}
			le := binary.LittleEndian
			if reserved, kind := le.Uint16(data[0:]), le.Uint16(data[2:]); reserved != 0 || kind != 1 {
				t.Fatalf("%s.ico header reserved=%d type=%d, want 0 and 1 (icon)", name, reserved, kind)
			}
			count := int(le.Uint16(data[4:]))
			if count != len(wantSizes) {
				t.Fatalf("%s.ico has %d images, want %d", name, count, len(wantSizes))
			}

			for i := range count {
				entry := data[6+16*i : 6+16*(i+1)]
				width, height := int(entry[0]), int(entry[1])
				if width != wantSizes[i] || height != wantSizes[i] {
					t.Errorf("image %d is listed as %dx%d, want %dx%d", i, width, height, wantSizes[i], wantSizes[i])
				}
				if bpp := le.Uint16(entry[6:]); bpp != 32 {
					t.Errorf("image %d has %d bits per pixel, want 32", i, bpp)
				}
				length, offset := int(le.Uint32(entry[8:])), int(le.Uint32(entry[12:]))
				if offset+length > len(data) {
					t.Fatalf("image %d at %d+%d runs past the file's %d bytes", i, offset, length, len(data))
				}

				img := decodePNG(t, name+".ico image", data[offset:offset+length])
				if b := img.Bounds(); b.Dx() != width || b.Dy() != height {
					t.Errorf("image %d is %dx%d, but its entry says %dx%d", i, b.Dx(), b.Dy(), width, height)
				}
			}
		})
	}
}

func TestTemplateFormat(t *testing.T) {
	for _, name := range Names {
		t.Run(name, func(t *testing.T) {
			img := decodePNG(t, name+"-template.png", Template(name))
			if b := img.Bounds(); b.Dx() != 64 || b.Dy() != 64 {
				t.Errorf("%s-template.png is %dx%d, want 64x64", name, b.Dx(), b.Dy())
			}

			// macOS uses only the alpha channel of a template image, and
			// a colour in it would show in the wrong tint.
			visible := 0
			for y := img.Bounds().Min.Y; y < img.Bounds().Max.Y; y++ {
				for x := img.Bounds().Min.X; x < img.Bounds().Max.X; x++ {
					r, g, b, a := img.At(x, y).RGBA()
					if a == 0 {
						continue
					}
					visible++
					if r != 0 || g != 0 || b != 0 {
						t.Fatalf("pixel (%d,%d) is (%#x,%#x,%#x), want black", x, y, r, g, b)
					}
				}
			}
			if visible == 0 {
				t.Errorf("%s-template.png is fully transparent", name)
			}
		})
	}
}

// TestTemplatesDiffer checks that each status has its own shape in the
// menu bar, where the template images lose their colour.
func TestTemplatesDiffer(t *testing.T) {
	seen := map[string]string{}
	for _, name := range Names {
		key := string(Template(name))
		if other, ok := seen[key]; ok {
			t.Errorf("templates %s and %s are the same image", name, other)
		}
		seen[key] = name
	}
}

func TestUnknownName(t *testing.T) {
	for _, name := range []string{"", "nope", "available.png", "../assets", "available-template"} {
		if data := PNG(name); data != nil {
			t.Errorf("PNG(%q) returned %d bytes, want nil", name, len(data))
		}
		if data := ICO(name); data != nil {
			t.Errorf("ICO(%q) returned %d bytes, want nil", name, len(data))
		}
		if data := Template(name); data != nil {
			t.Errorf("Template(%q) returned %d bytes, want nil", name, len(data))
		}
	}
}

// TestGenerated checks that the embedded files are what command gen
// draws now, so that a change to the shapes cannot ship without go
// generate.
func TestGenerated(t *testing.T) {
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skipf("go command not found: %v", err)
	}
	dir := t.TempDir()
	out, err := exec.Command(goTool, "run", "./gen", dir).CombinedOutput()
	if err != nil {
		t.Fatalf("go run ./gen: %v\n%s", err, out)
	}

	files, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if want := 3 * len(Names); len(files) != want {
		t.Errorf("gen wrote %d files, want %d", len(files), want)
	}
	for _, file := range files {
		fresh, err := os.ReadFile(filepath.Join(dir, file.Name()))
		if err != nil {
			t.Fatal(err)
		}
		embedded, err := icons.ReadFile(file.Name())
		if err != nil {
			t.Errorf("%s is not embedded: %v", file.Name(), err)
			continue
		}
		if !bytes.Equal(fresh, embedded) {
			t.Errorf("%s differs from what gen draws; run go generate ./assets", file.Name())
		}
	}
}
