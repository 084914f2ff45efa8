//go:build !linux

package tray

import (
	"context"
	"log/slog"
)

// watchResume returns at once on this platform, where the Sender notices
// a resume from suspend by its clocks alone.
//
// TODO: Listen for the platform's power notifications (WM_POWERBROADCAST
// on Windows, NSWorkspaceDidWakeNotification on macOS) to read the
// status right after a resume.
func watchResume(ctx context.Context, log *slog.Logger, onResume func()) {}
