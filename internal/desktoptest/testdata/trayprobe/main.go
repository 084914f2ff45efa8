// Command trayprobe is a minimal fyne.io/systray program that the
// desktoptest self-test drives. It prints one line to standard output for
// each event, so the test can see how it reacts:
//
//	ready                 onReady has returned
//	clicked: TITLE        a menu item was clicked
//	checked: true|false   the checkbox item changed its state
//	notified: ERROR|ok    beeep.Notify returned
//	exit                  systray called onExit
//
// SIGTERM and SIGINT make it quit through systray.Quit.
package main

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"os"
	"os/signal"
	"syscall"

	"fyne.io/systray"
	"github.com/gen2brain/beeep"
)

func main() {
	signals := make(chan os.Signal, 1)
	signal.Notify(signals, syscall.SIGTERM, syscall.SIGINT)
	go func() {
		<-signals
		systray.Quit()
	}()

	systray.Run(onReady, func() { fmt.Println("exit") })
}

func onReady() {
	systray.SetIcon(icon())
	systray.SetTitle("trayprobe")
	systray.SetTooltip("Probe: ready")

	first := systray.AddMenuItem("First", "")
	disabled := systray.AddMenuItem("Disabled", "")
	disabled.Disable()
	systray.AddSeparator()
	check := systray.AddMenuItemCheckbox("Check me", "", false)
	more := systray.AddMenuItem("More", "")
	subOne := more.AddSubMenuItem("Sub one", "")
	subTwo := more.AddSubMenuItem("Sub two", "")
	notify := systray.AddMenuItem("Notify", "")
	quit := systray.AddMenuItem("Quit", "")

	go report(first, "First", func() {})
	go report(subOne, "Sub one", func() {})
	go report(subTwo, "Sub two", func() {})
	go report(check, "Check me", func() {
		// fyne.io/systray does not toggle checkbox items by itself.
		if check.Checked() {
			check.Uncheck()
		} else {
			check.Check()
		}
		fmt.Printf("checked: %t\n", check.Checked())
	})
	go report(notify, "Notify", func() {
		beeep.AppName = "trayprobe"
		if err := beeep.Notify("Probe summary", "Probe body", ""); err != nil {
			fmt.Printf("notified: %v\n", err)
			return
		}
		fmt.Println("notified: ok")
	})
	go report(quit, "Quit", systray.Quit)

	fmt.Println("ready")
}

// report prints a line for each click on item and then runs react.
func report(item *systray.MenuItem, title string, react func()) {
	for range item.ClickedCh {
		fmt.Printf("clicked: %s\n", title)
		react()
	}
}

// icon returns a 16x16 PNG in one colour.
func icon() []byte {
	img := image.NewNRGBA(image.Rect(0, 0, 16, 16))
	for y := range 16 {
		for x := range 16 {
			img.Set(x, y, color.NRGBA{R: 0x2d, G: 0x8c, B: 0xff, A: 0xff})
		}
	}

	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		panic(err)
	}
	return buf.Bytes()
}
