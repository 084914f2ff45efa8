package tray

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/zoom-presence/zoom-presence/internal/desktoptest"
)

func TestWatchResume(t *testing.T) {
	desktoptest.Require(t, "dbus-daemon")
	bus := desktoptest.StartBus(t)
	listener := bus.Connect(t)
	emitter := bus.Connect(t)

	ctx, cancel := context.WithCancel(t.Context())
	resumed := make(chan struct{}, 4)
	done := make(chan struct{})
	go func() {
		defer close(done)
		watchResumeOn(ctx, listener, slog.New(slog.DiscardHandler), func() { resumed <- struct{}{} })
	}()
	defer func() {
		cancel()
		<-done
	}()

	// The match rule is in place once a signal gets through, so send
	// the resume until the first arrives.
	deadline := time.After(10 * time.Second)
	for got := false; !got; {
		if err := emitter.Emit(logindPath, logindInterface+"."+prepareForSleep, false); err != nil {
			t.Fatalf("emit PrepareForSleep(false): %v", err)
		}
		select {
		case <-resumed:
			got = true
		case <-time.After(100 * time.Millisecond):
		case <-deadline:
			t.Fatal("onResume not called after PrepareForSleep(false)")
		}
	}

	// Drain resumes sent before the first arrived, then check that the
	// signal before a suspend is ignored.
	time.Sleep(200 * time.Millisecond)
	for len(resumed) > 0 {
		<-resumed
	}
	if err := emitter.Emit(logindPath, logindInterface+"."+prepareForSleep, true); err != nil {
		t.Fatalf("emit PrepareForSleep(true): %v", err)
	}
	select {
	case <-resumed:
		t.Error("onResume called for PrepareForSleep(true), the signal before a suspend")
	case <-time.After(500 * time.Millisecond):
	}
}
