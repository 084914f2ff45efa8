// Package bench measures what zoom-presence costs on a Linux desktop,
// against a bare fyne.io/systray program with the same icon (command
// bare) measured in the same run. Run it with build/bench.sh, which
// prints the table for docs/benchmarks.md.
package bench
