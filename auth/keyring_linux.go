package auth

import (
	"errors"
	"fmt"
	"strings"

	"github.com/godbus/dbus/v5"
)

// classifyKeyringError wraps err from go-keyring's Secret Service client
// with ErrKeyringUnavailable or ErrKeyringLocked when it is one of those
// cases, so that callers can say what to do.
func classifyKeyringError(err error) error {
	var dbusErr dbus.Error
	if errors.As(err, &dbusErr) && (dbusErr.Name == "org.freedesktop.DBus.Error.ServiceUnknown" ||
		dbusErr.Name == "org.freedesktop.DBus.Error.NameHasNoOwner") {
		return fmt.Errorf("%w: %w", ErrKeyringUnavailable, err)
	}
	// go-keyring v0.2.8 returns a plain error with this text when the
	// collection stays locked, for example because no unlock prompt can
	// be shown.
	if strings.Contains(err.Error(), "failed to unlock correct collection") {
		return fmt.Errorf("%w: %w", ErrKeyringLocked, err)
	}
	// Without a session bus godbus fails to connect before any call.
	if strings.Contains(err.Error(), "DBUS_SESSION_BUS_ADDRESS") || strings.Contains(err.Error(), "dbus-launch") {
		return fmt.Errorf("%w: %w", ErrKeyringUnavailable, err)
	}
	return err
}
