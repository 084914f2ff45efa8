package zoom

import "time"

// SetWallClock replaces the wall clock that s compares with the monotonic
// clock to detect a suspend. Call it before Run.
func SetWallClock(s *Sender, now func() time.Time) {
	s.wallNow = now
}
