//go:build !linux

package tray

import (
	"context"
	"log/slog"
)

// CheckTrayHost returns nil: Windows and macOS always have a
// notification area or menu bar. Other Unix systems use D-Bus like Linux,
// but are not checked.
func CheckTrayHost(ctx context.Context, log *slog.Logger) error {
	return nil
}
