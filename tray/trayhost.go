package tray

import "errors"

// ErrNoSessionBus means that the D-Bus session bus, through which a Linux
// desktop shows tray icons, could not be reached.
var ErrNoSessionBus = errors.New("no D-Bus session bus")
