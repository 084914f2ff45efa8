package zoom

import (
	"errors"
	"math/rand/v2"
	"time"
)

// retryWait decides whether err is worth another try of the same choice,
// and after how long.
func (s *Sender) retryWait(err error, st *senderState) (bool, time.Duration) {
	var rateLimit *RateLimitError
	if errors.As(err, &rateLimit) {
		return true, max(s.rateLimitWait(rateLimit), rateLimitFloor(st.failures))
	}

	if s.opts.Permanent(err) || !IsRetryable(err) {
		return false, 0
	}
	return true, backoff(st.failures)
}

// rateLimitWait returns how long to wait after a 429: its Retry-After,
// capped at MaxRetryAfter. Without Retry-After a daily limit waits until
// the next midnight UTC and any other limit waits DefaultRetryAfter.
func (s *Sender) rateLimitWait(err *RateLimitError) time.Duration {
	wait := s.opts.DefaultRetryAfter
	switch {
	case err.HasRetryAfter:
		wait = err.RetryAfter
	case err.Type == RateLimitDaily:
		// NOTE: Zoom does not document when a daily limit resets, and
		// its Retry-After is the only reliable source. Midnight UTC, the
		// start of Zoom's API day, is a guess.
		now := s.wallNow().UTC()
		wait = now.Truncate(24 * time.Hour).Add(24 * time.Hour).Sub(now)
	}

	if wait > MaxRetryAfter {
		s.log.Warn("Retry-After is too far ahead, capped", "retry_after", wait, "cap", MaxRetryAfter)
		wait = MaxRetryAfter
	}
	return wait
}

// rateLimitFloor returns the shortest wait after a 429: 1 second,
// doubling with each attempt up to MaxBackoff. Zoom's Retry-After is a
// time of day, so a client clock that runs ahead reads it as "now", and
// without a floor the app would spend the account's daily requests in a
// burst of retries.
func rateLimitFloor(attempt int) time.Duration {
	if attempt >= 16 {
		return MaxBackoff
	}
	return min(time.Second<<attempt, MaxBackoff)
}

// backoff returns the wait before retry number attempt+1: exponential from
// 5 seconds, capped at MaxBackoff, with up to 20% jitter so that many
// clients that failed together do not retry together.
func backoff(attempt int) time.Duration {
	wait := MaxBackoff
	if attempt < 16 {
		wait = min(firstBackoff<<attempt, MaxBackoff)
	}
	jitter := time.Duration(rand.Int64N(int64(wait) / 5))
	return wait - jitter
}
