package tray

import (
	"context"
	"log/slog"

	"github.com/godbus/dbus/v5"
)

// logind's signal before a suspend (true) and after the resume (false).
const (
	logindPath      = dbus.ObjectPath("/org/freedesktop/login1")
	logindInterface = "org.freedesktop.login1.Manager"
	prepareForSleep = "PrepareForSleep"
)

// watchResume calls onResume after each resume from suspend that
// systemd-logind reports on the system bus, until ctx ends. Without a
// system bus or logind it logs at Debug and returns, and the Sender still
// notices a resume by its clocks, only later. It blocks.
func watchResume(ctx context.Context, log *slog.Logger, onResume func()) {
	conn, err := dbus.ConnectSystemBus()
	if err != nil {
		log.Debug("resume from suspend not watched: no system bus", "error", err)
		return
	}
	defer conn.Close()

	watchResumeOn(ctx, conn, log, onResume)
}

// watchResumeOn is watchResume on conn.
func watchResumeOn(ctx context.Context, conn *dbus.Conn, log *slog.Logger, onResume func()) {
	err := conn.AddMatchSignalContext(ctx,
		dbus.WithMatchObjectPath(logindPath),
		dbus.WithMatchInterface(logindInterface),
		dbus.WithMatchMember(prepareForSleep),
	)
	if err != nil {
		log.Debug("resume from suspend not watched: match rule rejected", "error", err)
		return
	}

	signals := make(chan *dbus.Signal, 4)
	conn.Signal(signals)
	defer conn.RemoveSignal(signals)

	for {
		select {
		case <-ctx.Done():
			return
		case sig, ok := <-signals:
			if !ok {
				return
			}
			if sig.Path != logindPath || sig.Name != logindInterface+"."+prepareForSleep || len(sig.Body) != 1 {
				continue
			}
			if starting, ok := sig.Body[0].(bool); ok && !starting {
				log.Info("resumed from suspend")
				onResume()
			}
		}
	}
}
