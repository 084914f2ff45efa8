package zoom

import (
	"context"
	"fmt"
	"time"
)

// checkResume detects a suspend and resume: the wall clock ran ahead of
// the monotonic clock, which stops during a suspend. It then moves every
// deadline earlier by the time spent suspended, because Zoom's update
// window and Retry-After run on wall time, and requests a status read.
// A wall clock set forward looks the same, and then the worst outcome is
// an early update that Zoom rejects with a 429, which the Sender honours.
func (s *Sender) checkResume(st *senderState, now time.Time) {
	wall := s.wallNow()
	lastMono, lastWall := st.lastMono, st.lastWall
	st.lastMono, st.lastWall = now, wall
	if lastMono.IsZero() {
		return
	}

	suspended := wall.Sub(lastWall) - now.Sub(lastMono)
	if suspended < minClockJump {
		return
	}

	s.log.Info("clock jumped ahead, probably a resume from suspend; catching up", "suspended", suspended.Round(time.Second), "pending", st.pending != nil)
	if !st.debounce.IsZero() {
		st.debounce = st.debounce.Add(-suspended)
	}
	if !st.allowed.IsZero() {
		st.allowed = st.allowed.Add(-suspended)
	}
	st.readAt = now
}

// keepLeftover stores the pending choice and Zoom's update window for
// Flush when Run returns. The window is kept even with nothing pending,
// for a choice made after Run returned.
func (s *Sender) keepLeftover(st *senderState) {
	if st.pending != nil {
		s.log.Info("sender stopped with a choice waiting", "status", st.pending.Status, "minutes", st.pending.Minutes, "allowed_at", st.allowed)
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	s.leftover = st.pending
	s.leftoverAllowed = st.allowed
	st.pending = nil
}

// Flush sends the choice that was still waiting when Run returned, or
// that was made after, if Zoom's update window opens before ctx ends. It
// ignores the debounce, because a quitting app gets no newer choice.
// Otherwise it logs that the choice was dropped and returns an error
// wrapping ErrNotSent. It returns nil when nothing was waiting.
//
// Call Flush after Run has returned, with a ctx bounded by a deadline
// such as FlushTimeout: Flush blocks until the update is sent, fails or
// ctx ends. It never retries.
func (s *Sender) Flush(ctx context.Context) error {
	s.mu.Lock()
	u, allowed := s.leftover, s.leftoverAllowed
	if s.chosen != nil {
		u = s.chosen
	}
	s.leftover, s.chosen = nil, nil
	s.mu.Unlock()

	if u == nil {
		return nil
	}

	if deadline, ok := ctx.Deadline(); ok && allowed.After(deadline) {
		s.log.Warn("quitting: choice dropped, Zoom accepts the next update too late", "status", u.Status, "minutes", u.Minutes, "allowed_at", allowed)
		return fmt.Errorf("send %s before quitting: next update allowed at %s: %w", u, allowed.Format(time.TimeOnly), ErrNotSent)
	}

	timer := time.NewTimer(time.Until(allowed))
	defer timer.Stop()
	select {
	case <-ctx.Done():
		s.log.Warn("quitting: choice dropped, time ran out", "status", u.Status, "minutes", u.Minutes, "error", ctx.Err())
		return fmt.Errorf("send %s before quitting: %w", u, ErrNotSent)
	case <-timer.C:
	}

	s.log.Info("sending presence update before quitting", "status", u.Status, "minutes", u.Minutes)
	if err := s.api.SetPresence(ctx, *u); err != nil {
		s.log.Warn("quitting: presence update failed, choice dropped", append(errorAttrs(err), "status", u.Status, "minutes", u.Minutes, "error", err)...)
		return fmt.Errorf("send %s before quitting: %w", u, err)
	}
	s.log.Info("presence updated", "status", u.Status, "minutes", u.Minutes)
	return nil
}
