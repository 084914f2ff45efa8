package zoom

import (
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Status is a Zoom presence status as the API spells it, for example
// "Do_Not_Disturb". Zoom returns spellings outside the documented list
// ("In_A_Meeting", "Offline"), so any string is a valid Status.
type Status string

// Statuses that the presence API accepts in an update.
const (
	StatusAvailable       Status = "Available"
	StatusBusy            Status = "Busy"
	StatusDoNotDisturb    Status = "Do_Not_Disturb"
	StatusAway            Status = "Away"
	StatusOutOfOffice     Status = "Out_of_Office"
	StatusInCalendarEvent Status = "In_Calendar_Event"
	StatusPresenting      Status = "Presenting"
	StatusInZoomMeeting   Status = "In_A_Zoom_Meeting"
	StatusOnCall          Status = "On_A_Call"
)

// Statuses that Zoom returns when reading presence but does not document.
const (
	StatusInAMeeting       Status = "In_A_Meeting"
	StatusInACall          Status = "In_A_Call"
	StatusInACalendarEvent Status = "In_A_Calendar_Event"
	StatusOffline          Status = "Offline"
)

// MinDNDMinutes and MaxDNDMinutes bound the duration of Do not disturb.
const (
	MinDNDMinutes = 1
	MaxDNDMinutes = 1440
)

// SettableStatuses lists every status an update may carry, in menu order.
var SettableStatuses = []Status{
	StatusAvailable,
	StatusBusy,
	StatusDoNotDisturb,
	StatusAway,
	StatusOutOfOffice,
	StatusInCalendarEvent,
	StatusPresenting,
	StatusInZoomMeeting,
	StatusOnCall,
}

var labels = map[Status]string{
	StatusAvailable:        "Available",
	StatusBusy:             "Busy",
	StatusDoNotDisturb:     "Do not disturb",
	StatusAway:             "Away",
	StatusOutOfOffice:      "Out of office",
	StatusInCalendarEvent:  "In a calendar event",
	StatusPresenting:       "Presenting",
	StatusInZoomMeeting:    "In a Zoom meeting",
	StatusOnCall:           "On a call",
	StatusInAMeeting:       "In a meeting",
	StatusInACall:          "On a call",
	StatusInACalendarEvent: "In a calendar event",
	StatusOffline:          "Offline",
}

// Label returns the status as a person reads it: "Do not disturb" for
// "Do_Not_Disturb". An unknown status has its underscores replaced by
// spaces, and an empty one reads "Unknown".
func (s Status) Label() string {
	if label, ok := labels[s]; ok {
		return label
	}
	if s == "" {
		return "Unknown"
	}

	// Zoom may send any string, so keep only printable characters: a
	// bidirectional override or a control character must not reach the
	// tooltip.
	words := strings.Map(func(r rune) rune {
		switch {
		case r == '_':
			return ' '
		case !unicode.IsPrint(r) || unicode.Is(unicode.Bidi_Control, r):
			return -1
		}
		return r
	}, string(s))
	words = strings.TrimSpace(words)
	if words == "" {
		return "Unknown"
	}

	first, size := utf8.DecodeRuneInString(words)
	return string(unicode.ToUpper(first)) + strings.ToLower(words[size:])
}

// Settable returns the settable status that s stands for, so that the menu
// can check the matching item: "In_A_Meeting" maps to "In_A_Zoom_Meeting".
// It returns "" for a status with no menu item, such as "Offline".
func (s Status) Settable() Status {
	switch s {
	case StatusInAMeeting:
		return StatusInZoomMeeting
	case StatusInACall:
		return StatusOnCall
	case StatusInACalendarEvent:
		return StatusInCalendarEvent
	}
	for _, settable := range SettableStatuses {
		if s == settable {
			return s
		}
	}
	return ""
}

// Update is one presence change: a status and, for Do not disturb only,
// a duration in whole minutes.
type Update struct {
	Status Status
	// Minutes is the Do not disturb duration, MinDNDMinutes to
	// MaxDNDMinutes. It must be zero for every other status.
	Minutes int
}

// Validate reports whether u can be sent as Zoom documents it.
func (u Update) Validate() error {
	if u.Status.Settable() != u.Status || u.Status == "" {
		return fmt.Errorf("invalid status %q: not one Zoom accepts in an update", u.Status)
	}
	if u.Status == StatusDoNotDisturb {
		if u.Minutes < MinDNDMinutes || u.Minutes > MaxDNDMinutes {
			return fmt.Errorf("invalid Do not disturb duration %d minutes: must be %d to %d", u.Minutes, MinDNDMinutes, MaxDNDMinutes)
		}
		return nil
	}
	if u.Minutes != 0 {
		return fmt.Errorf("invalid duration %d minutes for %s: only Do not disturb takes a duration", u.Minutes, u.Status)
	}
	return nil
}

// String returns the update as a person reads it, for logs and the menu:
// "Away" or "Do not disturb for 1 hour".
func (u Update) String() string {
	if u.Status != StatusDoNotDisturb {
		return u.Status.Label()
	}
	return u.Status.Label() + " for " + FormatMinutes(u.Minutes)
}

// FormatMinutes returns a duration such as "20 minutes", "1 hour" or
// "24 hours".
func FormatMinutes(minutes int) string {
	switch {
	case minutes == 1:
		return "1 minute"
	case minutes < 60 || minutes%60 != 0:
		return fmt.Sprintf("%d minutes", minutes)
	case minutes == 60:
		return "1 hour"
	default:
		return fmt.Sprintf("%d hours", minutes/60)
	}
}

// Presence is the current status as read from Zoom.
type Presence struct {
	Status Status
	// EndTime is when Do not disturb ends. It is zero for other statuses.
	EndTime time.Time
	// Remaining is the Do not disturb time left when Zoom responded.
	Remaining time.Duration
}
