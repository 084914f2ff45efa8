package zoom

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"
)

// Default pacing of a Sender.
const (
	// DefaultDebounce is how long a choice waits for a newer one before it
	// is sent, so that a burst of clicks sends only the last.
	DefaultDebounce = time.Second
	// DefaultInterval is the minimum gap between two updates: Zoom accepts
	// one presence update per user per minute and responds with 429 to the next.
	DefaultInterval = time.Minute
	// DefaultRetryAfter is the wait after a 429 that has no usable
	// Retry-After header.
	DefaultRetryAfter = time.Minute
	// DefaultPollInterval is how often a Sender reads the status while
	// nothing else happens. At one read every 5 minutes an app that runs
	// all day spends 288 of the 2,000 requests a day that a free Zoom
	// account shares among all of its apps.
	DefaultPollInterval = 5 * time.Minute
	// MinPollInterval is the shortest poll interval a Sender accepts.
	MinPollInterval = 2 * time.Minute
	// MaxBackoff caps the wait between retries after network errors and
	// 5xx responses.
	MaxBackoff = 5 * time.Minute
	// MaxRetryAfter caps a Retry-After wait, because a clock far off or a
	// bad header must not silence the app for days.
	MaxRetryAfter = 24 * time.Hour
	// FlushTimeout is how long a quitting app should let Flush wait for
	// Zoom's update window and send the last choice.
	FlushTimeout = 2 * time.Second

	firstBackoff = 5 * time.Second

	// maxPendingSleep caps each sleep of Run while a choice waits. Go
	// timers and the monotonic clock stop while a laptop is suspended,
	// so a long timer set before a suspend fires late after the resume.
	// Waking at least this often lets Run notice the resume and send a
	// choice that fell due meanwhile.
	maxPendingSleep = 10 * time.Second

	// minClockJump is how far the wall clock must run ahead of the
	// monotonic clock between two wake-ups of Run before Run treats the
	// gap as a suspend and resume.
	minClockJump = 5 * time.Second
)

// ErrNotSent is returned by Flush for a choice it dropped because Zoom's
// update window does not open before the deadline.
var ErrNotSent = errors.New("choice not sent")

// EventKind is the kind of step a Sender reports.
type EventKind int

// Kinds of Event.
const (
	// EventWaiting means a choice is queued and will be sent at Event.At.
	EventWaiting EventKind = iota + 1
	// EventSending means the request for Event.Update has started.
	EventSending
	// EventSent means Zoom accepted Event.Update.
	EventSent
	// EventRetrying means sending Event.Update failed with Event.Err and
	// is tried again at Event.At.
	EventRetrying
	// EventFailed means Zoom rejected Event.Update with Event.Err. The
	// choice is dropped and not retried until the user chooses again.
	EventFailed
	// EventPresence means Event.Presence was read from Zoom.
	EventPresence
	// EventReadFailed means reading the status failed with Event.Err.
	// After a 429, Event.At is when Zoom accepts requests again, and no
	// request goes out before then.
	EventReadFailed
	// EventIdle means nothing is waiting to be sent.
	EventIdle
)

// String returns the kind's name, for logs.
func (k EventKind) String() string {
	switch k {
	case EventWaiting:
		return "waiting"
	case EventSending:
		return "sending"
	case EventSent:
		return "sent"
	case EventRetrying:
		return "retrying"
	case EventFailed:
		return "failed"
	case EventPresence:
		return "presence"
	case EventReadFailed:
		return "read failed"
	case EventIdle:
		return "idle"
	}
	return "unknown"
}

// Event reports one step of a Sender to the code that shows it.
type Event struct {
	Kind     EventKind
	Update   Update
	At       time.Time
	Err      error
	Presence Presence
	// Attempt is how many times sending Update has failed so far. It is
	// set for EventRetrying only, so 1 marks the first failure of a
	// choice.
	Attempt int
}

// SenderOptions configures a Sender. The zero value of each field selects
// its default.
type SenderOptions struct {
	Debounce          time.Duration
	Interval          time.Duration
	DefaultRetryAfter time.Duration
	// PollInterval is how often the status is read while idle. Values
	// below MinPollInterval are raised to it, and a negative value turns
	// polling off.
	PollInterval time.Duration
	Logger       *slog.Logger
	// OnEvent receives every Event, on the Sender's goroutine. It must
	// return quickly, because the Sender waits for it.
	OnEvent func(Event)
	// Permanent reports errors that no retry can fix, such as a session
	// that needs a new sign-in. Such an error drops the choice.
	Permanent func(error) bool
	// NotBefore is the earliest time the first update may go out. A
	// Sender that replaces another for the same user, after a sign-out
	// and sign-in, takes it from the last update so that Zoom's window
	// still holds.
	NotBefore time.Time
}

// Sender sends presence choices to Zoom at the pace Zoom allows. A burst
// of choices collapses into the last one, at most one update goes out per
// Interval, and a 429 or a network failure delays the choice rather than
// losing it. Its methods are safe for concurrent use.
type Sender struct {
	api  PresenceAPI
	opts SenderOptions
	log  *slog.Logger

	// wake has room for one signal, so Choose and Refresh never block.
	wake chan struct{}

	// wallNow returns the wall clock without its monotonic reading. Tests
	// replace it to simulate a suspend.
	wallNow func() time.Time

	mu      sync.Mutex
	chosen  *Update
	refresh bool
	// leftover is the choice still waiting when Run returned, and
	// leftoverAllowed when Zoom accepts it, for Flush.
	leftover        *Update
	leftoverAllowed time.Time
}

// NewSender returns a Sender that sends through api. Nothing is sent
// until Run is called.
func NewSender(api PresenceAPI, opts SenderOptions) *Sender {
	if opts.Debounce <= 0 {
		opts.Debounce = DefaultDebounce
	}
	if opts.Interval <= 0 {
		opts.Interval = DefaultInterval
	}
	if opts.DefaultRetryAfter <= 0 {
		opts.DefaultRetryAfter = DefaultRetryAfter
	}
	if opts.PollInterval == 0 {
		opts.PollInterval = DefaultPollInterval
	}
	if opts.PollInterval > 0 && opts.PollInterval < MinPollInterval {
		opts.PollInterval = MinPollInterval
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.OnEvent == nil {
		opts.OnEvent = func(Event) {}
	}
	if opts.Permanent == nil {
		opts.Permanent = func(error) bool { return false }
	}

	return &Sender{
		api:     api,
		opts:    opts,
		log:     opts.Logger,
		wake:    make(chan struct{}, 1),
		wallNow: func() time.Time { return time.Now().Round(0) },
	}
}

// Choose queues u to be sent, replacing any choice that has not been sent
// yet. It does not block.
func (s *Sender) Choose(u Update) {
	s.mu.Lock()
	s.chosen = &u
	s.mu.Unlock()

	s.signal()
}

// Refresh requests that the Sender read the current status from Zoom soon. It
// does not block.
func (s *Sender) Refresh() {
	s.mu.Lock()
	s.refresh = true
	s.mu.Unlock()

	s.signal()
}

func (s *Sender) signal() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// take returns the newest choice and whether a status read was asked
// for, and clears both.
func (s *Sender) take() (*Update, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()

	chosen, refresh := s.chosen, s.refresh
	s.chosen, s.refresh = nil, false
	return chosen, refresh
}

// senderState is the state of Run's loop. Only Run's goroutine touches it.
type senderState struct {
	pending  *Update
	debounce time.Time // when the pending choice has been still long enough
	allowed  time.Time // when Zoom accepts the next update
	attempt  int       // failed tries of the pending choice
	// failures counts failed tries since Zoom last responded to an update,
	// whatever the choice, so that clicking during an outage does not
	// restart the backoff at its shortest wait.
	failures int
	readAt   time.Time // when to read the status next

	// lastMono and lastWall are the two clocks at the previous wake-up,
	// to detect a suspend.
	lastMono time.Time
	lastWall time.Time
}

// Run reads the current status, then sends choices and polls the status
// until ctx ends. It blocks, and returns ctx's error. Call it once. A
// choice still waiting when ctx ends is kept for Flush.
//
// After a suspend and resume Run sends a choice that fell due meanwhile
// within about 10 seconds and reads the status again.
func (s *Sender) Run(ctx context.Context) error {
	st := senderState{readAt: time.Now(), allowed: s.opts.NotBefore}

	timer := time.NewTimer(time.Hour)
	defer timer.Stop()

	for {
		// A request cut short by ctx fails at once, so without this check
		// a choice in flight at quit would be retried in a tight loop.
		if ctx.Err() != nil {
			s.keepLeftover(&st)
			return ctx.Err()
		}

		s.absorb(&st)
		now := time.Now()
		s.checkResume(&st, now)

		if !st.readAt.IsZero() && !now.Before(st.readAt) && st.pending == nil {
			s.read(ctx, &st)
			continue
		}
		if st.pending != nil && !now.Before(st.sendAt()) {
			s.send(ctx, &st)
			continue
		}

		timer.Reset(st.next(now))
		select {
		case <-ctx.Done():
			s.keepLeftover(&st)
			return ctx.Err()
		case <-s.wake:
		case <-timer.C:
		}
	}
}

// absorb moves a new choice or read request into st.
func (s *Sender) absorb(st *senderState) {
	chosen, refresh := s.take()
	if refresh {
		st.readAt = time.Now()
	}
	if chosen == nil {
		return
	}

	if st.pending != nil && *st.pending == *chosen {
		// Clicking the waiting choice again changes nothing, so it must
		// not restart the debounce or a retry's backoff either.
		return
	}
	if st.pending != nil {
		s.log.Debug("choice replaced", "old", st.pending.String(), "new", chosen.String())
	}

	st.pending = chosen
	st.attempt = 0
	st.debounce = time.Now().Add(s.opts.Debounce)

	sendAt := st.sendAt()
	s.log.Debug("choice queued", "status", chosen.Status, "minutes", chosen.Minutes, "send_at", sendAt)
	s.opts.OnEvent(Event{Kind: EventWaiting, Update: *chosen, At: sendAt})
}

// sendAt returns when the pending choice may go out: after its debounce
// and once Zoom's window allows it.
func (st *senderState) sendAt() time.Time {
	if st.allowed.After(st.debounce) {
		return st.allowed
	}
	return st.debounce
}

// next returns how long Run may sleep before it has work.
func (st *senderState) next(now time.Time) time.Duration {
	wait := time.Duration(1<<63 - 1)
	if st.pending != nil {
		wait = min(st.sendAt().Sub(now), maxPendingSleep)
	} else if !st.readAt.IsZero() {
		wait = st.readAt.Sub(now)
	}
	return max(wait, 0)
}

func (s *Sender) send(ctx context.Context, st *senderState) {
	update := *st.pending
	s.log.Info("sending presence update", "status", update.Status, "minutes", update.Minutes, "attempt", st.attempt+1)
	s.opts.OnEvent(Event{Kind: EventSending, Update: update})

	err := s.api.SetPresence(ctx, update)
	now := time.Now()

	if ctx.Err() != nil {
		// Quitting: the choice was not confirmed, so report it as dropped
		// rather than as a failure.
		return
	}

	if err == nil {
		s.log.Info("presence updated", "status", update.Status, "minutes", update.Minutes)
		st.failures = 0
		st.allowed = now.Add(s.opts.Interval)
		s.settle(st, &update)
		s.opts.OnEvent(Event{Kind: EventSent, Update: update})
		st.readAt = now
		return
	}

	retry, wait := s.retryWait(err, st)
	if !retry {
		s.log.Warn("presence update rejected", append(errorAttrs(err), "status", update.Status, "minutes", update.Minutes, "error", err)...)
		st.failures = 0
		s.settle(st, &update)
		s.opts.OnEvent(Event{Kind: EventFailed, Update: update, Err: err})
		return
	}

	st.attempt++
	st.failures++
	st.postpone(now.Add(wait))
	s.log.Warn("presence update failed, will retry", append(errorAttrs(err), "status", update.Status, "minutes", update.Minutes, "attempt", st.attempt, "retry_in", wait.Round(time.Second), "error", err)...)
	s.opts.OnEvent(Event{Kind: EventRetrying, Update: update, At: st.sendAt(), Err: err, Attempt: st.attempt})
}

// postpone delays the next update until at, unless it is already later.
func (st *senderState) postpone(at time.Time) {
	if at.After(st.allowed) {
		st.allowed = at
	}
}

// errorAttrs returns the log attributes "http_status" and "code" for an
// error response from Zoom, and "rate_limit_type" for a 429, so that each
// failure is one log line that names both.
func errorAttrs(err error) []any {
	var rateLimit *RateLimitError
	if errors.As(err, &rateLimit) {
		return []any{"http_status", 429, "rate_limit_type", rateLimit.Type}
	}
	var errResp *ErrorResponse
	if errors.As(err, &errResp) {
		return []any{"http_status", errResp.StatusCode, "code", errResp.Code}
	}
	return nil
}

// settle clears the pending choice unless a newer one arrived while u was
// being sent, and reports the queue as idle when it is empty.
func (s *Sender) settle(st *senderState, u *Update) {
	if st.pending == nil || *st.pending != *u {
		return
	}
	st.pending = nil
	st.attempt = 0
	s.opts.OnEvent(Event{Kind: EventIdle})
}

func (s *Sender) read(ctx context.Context, st *senderState) {
	st.readAt = time.Time{}
	if s.opts.PollInterval > 0 {
		st.readAt = time.Now().Add(s.opts.PollInterval)
	}

	presence, err := s.api.GetPresence(ctx)
	if ctx.Err() != nil {
		return
	}
	if err != nil {
		s.log.Warn("reading presence failed", append(errorAttrs(err), "error", err)...)

		// A 429 on a read limits updates too: the daily limit counts
		// every request of the account.
		var rateLimit *RateLimitError
		var until time.Time
		if errors.As(err, &rateLimit) {
			until = time.Now().Add(s.rateLimitWait(rateLimit))
			st.postpone(until)
			if st.readAt.IsZero() || st.readAt.Before(until) {
				st.readAt = until
			}
		}
		s.opts.OnEvent(Event{Kind: EventReadFailed, Err: err, At: until})
		return
	}

	s.log.Debug("presence read", "status", presence.Status, "end_time", presence.EndTime)
	s.opts.OnEvent(Event{Kind: EventPresence, Presence: presence})

	// Read again just after Do not disturb ends, so the menu drops its
	// mark on time.
	if !presence.EndTime.IsZero() {
		end := time.Now().Add(time.Until(presence.EndTime) + 2*time.Second)
		if st.readAt.IsZero() || end.Before(st.readAt) {
			st.readAt = end
		}
	}
}
