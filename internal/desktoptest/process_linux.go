package desktoptest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// stopGrace is how long Stop waits after SIGTERM before it sends SIGKILL.
const stopGrace = 5 * time.Second

// startTimeout bounds how long a Start helper waits for its service to
// appear on the bus, so that a broken install fails the test with a
// message instead of running into the test binary's timeout.
const startTimeout = 30 * time.Second

// Process is a child process started by [StartProcess]. Its methods are
// safe for concurrent use.
type Process struct {
	name string
	cmd  *exec.Cmd
	out  *outputBuffer

	done    chan struct{}
	waitErr error // set before done is closed

	stopOnce sync.Once
	stopErr  error
}

// StartProcess starts cmd and registers a test cleanup that stops it by
// its PID with [Process.Stop]. It captures standard output and standard
// error into [Process.Output] unless cmd already sets them. When the test
// has failed, the cleanup logs the captured output.
func StartProcess(t testing.TB, cmd *exec.Cmd) *Process {
	t.Helper()

	p := &Process{
		name: filepath.Base(cmd.Path),
		cmd:  cmd,
		out:  newOutputBuffer(),
		done: make(chan struct{}),
	}
	if cmd.Stdout == nil {
		cmd.Stdout = p.out
	}
	if cmd.Stderr == nil {
		cmd.Stderr = p.out
	}

	// A grandchild that inherits the output pipes must not keep Wait
	// blocked after the process itself has exited.
	cmd.WaitDelay = stopGrace

	if err := cmd.Start(); err != nil {
		t.Fatalf("desktoptest: start %s: %v", cmd, err)
	}
	t.Logf("desktoptest: started %s (pid %d)", p.name, cmd.Process.Pid)

	go func() {
		p.waitErr = cmd.Wait()
		close(p.done)
	}()

	t.Cleanup(func() {
		if err := p.Stop(); err != nil {
			t.Logf("desktoptest: %s (pid %d) exited: %v", p.name, p.PID(), err)
		}
		if t.Failed() {
			t.Logf("desktoptest: output of %s (pid %d):\n%s", p.name, p.PID(), p.Output())
		}
	})
	return p
}

// PID returns the process ID.
func (p *Process) PID() int {
	return p.cmd.Process.Pid
}

// Output returns what the process has written so far to the standard
// output and standard error that StartProcess captured.
func (p *Process) Output() string {
	return p.out.String()
}

// Done returns a channel that is closed when the process has exited.
func (p *Process) Done() <-chan struct{} {
	return p.done
}

// Wait blocks until the process exits or ctx is done. It returns the
// result of [exec.Cmd.Wait], which is nil for exit status 0.
func (p *Process) Wait(ctx context.Context) error {
	select {
	case <-p.done:
		return p.waitErr
	case <-ctx.Done():
		return fmt.Errorf("wait for %s (pid %d) to exit: %w", p.name, p.PID(), ctx.Err())
	}
}

// Stop sends SIGTERM to the process by its PID, sends SIGKILL if it is
// still running 5 seconds later, and blocks until it has exited. It returns the result of [exec.Cmd.Wait], except that an
// exit caused by Stop's own signal counts as success. Later calls return
// the first call's result.
func (p *Process) Stop() error {
	p.stopOnce.Do(func() {
		p.stopErr = p.stop()
	})
	return p.stopErr
}

func (p *Process) stop() error {
	select {
	case <-p.done:
		return p.waitErr
	default:
	}

	// Signal fails when the process has exited in the meantime, and then
	// Wait's result is what Stop returns.
	_ = p.cmd.Process.Signal(syscall.SIGTERM)

	timer := time.NewTimer(stopGrace)
	defer timer.Stop()

	select {
	case <-p.done:
		return ignoreSignal(p.waitErr, syscall.SIGTERM)
	case <-timer.C:
	}

	_ = p.cmd.Process.Kill()
	<-p.done
	return ignoreSignal(p.waitErr, syscall.SIGKILL)
}

// ignoreSignal returns nil when err reports that the process was ended by
// sig.
func ignoreSignal(err error, sig syscall.Signal) error {
	var exitErr *exec.ExitError
	if !errors.As(err, &exitErr) {
		return err
	}

	status, ok := exitErr.Sys().(syscall.WaitStatus)
	if ok && status.Signaled() && status.Signal() == sig {
		return nil
	}
	return err
}

// WaitForOutput blocks until the captured output contains substr, the
// process exits, or ctx is done.
func (p *Process) WaitForOutput(ctx context.Context, substr string) error {
	for {
		text, changed := p.out.snapshot()
		if strings.Contains(text, substr) {
			return nil
		}

		select {
		case <-changed:
		case <-p.done:
			// The last writes may have landed after the snapshot.
			if strings.Contains(p.out.String(), substr) {
				return nil
			}
			return fmt.Errorf("%s (pid %d) exited (%v) before printing %q; output:\n%s", p.name, p.PID(), p.waitErr, substr, p.Output())
		case <-ctx.Done():
			return fmt.Errorf("wait for %q from %s (pid %d): %w; output so far:\n%s", substr, p.name, p.PID(), ctx.Err(), p.Output())
		}
	}
}

// outputBuffer is an io.Writer that stores everything written to it and
// wakes up readers waiting for new output.
type outputBuffer struct {
	mu      sync.Mutex
	buf     bytes.Buffer
	changed chan struct{} // closed and replaced on every write
}

func newOutputBuffer() *outputBuffer {
	return &outputBuffer{changed: make(chan struct{})}
}

func (b *outputBuffer) Write(data []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()

	n, err := b.buf.Write(data)
	close(b.changed)
	b.changed = make(chan struct{})
	return n, err
}

func (b *outputBuffer) String() string {
	text, _ := b.snapshot()
	return text
}

// snapshot returns the output so far and a channel that is closed on the
// next write.
func (b *outputBuffer) snapshot() (string, <-chan struct{}) {
	b.mu.Lock()
	defer b.mu.Unlock()

	return b.buf.String(), b.changed
}

// Build compiles the Go package named by pkg, an import path or a
// relative path such as "./cmd/app", into a temporary directory and
// returns the path of the executable, which is named name. It runs the go
// command from the test's working directory, so pkg must belong to the
// module that contains it. Build blocks until the compiler is done.
func Build(t testing.TB, pkg, name string) string {
	t.Helper()

	goTool := lookTool(t, "go")
	out := filepath.Join(t.TempDir(), name)

	cmd := exec.CommandContext(t.Context(), goTool, "build", "-o", out, pkg)
	output, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("desktoptest: go build %s: %v\n%s", pkg, err, output)
	}
	return out
}
