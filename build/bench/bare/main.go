// Command bare is the baseline of the benchmarks in build/bench: a
// fyne.io/systray program with the app's available icon and three menu
// items, and nothing else. SIGTERM and SIGINT make it quit.
package main

import (
	"os"
	"os/signal"
	"syscall"

	"fyne.io/systray"

	"github.com/zoom-presence/zoom-presence/assets"
)

func main() {
	signals := make(chan os.Signal, 1)
	signal.Notify(signals, syscall.SIGTERM, syscall.SIGINT)
	go func() {
		<-signals
		systray.Quit()
	}()

	systray.Run(onReady, nil)
}

func onReady() {
	systray.SetIcon(assets.PNG("available"))
	systray.SetTooltip("bare")
	systray.AddMenuItem("One", "")
	systray.AddMenuItem("Two", "")
	quit := systray.AddMenuItem("Quit", "")
	go func() {
		<-quit.ClickedCh
		systray.Quit()
	}()
}
