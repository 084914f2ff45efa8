package zoom

import "testing"

func TestStatusLabel(t *testing.T) {
	tests := []struct {
		status Status
		want   string
	}{
		{StatusDoNotDisturb, "Do not disturb"},
		{StatusInZoomMeeting, "In a Zoom meeting"},
		{StatusInAMeeting, "In a meeting"},
		{StatusOffline, "Offline"},
		{"", "Unknown"},
		{"On_Vacation", "On vacation"},
		{"ÜBER_BUSY", "Über busy"},
		{"Evil\u202eStatus", "Evilstatus"},
		{"Bell\a_Ring", "Bell ring"},
		{"\u202e", "Unknown"},
		{"___", "Unknown"},
	}
	for _, tt := range tests {
		if got := tt.status.Label(); got != tt.want {
			t.Errorf("Status(%q).Label() = %q, want %q", string(tt.status), got, tt.want)
		}
	}
}

func TestStatusSettable(t *testing.T) {
	tests := []struct {
		status Status
		want   Status
	}{
		{StatusAway, StatusAway},
		{StatusInAMeeting, StatusInZoomMeeting},
		{StatusInACall, StatusOnCall},
		{StatusInACalendarEvent, StatusInCalendarEvent},
		{StatusOffline, ""},
		{"Something_New", ""},
	}
	for _, tt := range tests {
		if got := tt.status.Settable(); got != tt.want {
			t.Errorf("Status(%q).Settable() = %q, want %q", string(tt.status), got, tt.want)
		}
	}
}

func TestUpdateValidate(t *testing.T) {
	tests := []struct {
		update Update
		valid  bool
	}{
		{Update{Status: StatusAway}, true},
		{Update{Status: StatusDoNotDisturb, Minutes: 1}, true},
		{Update{Status: StatusDoNotDisturb, Minutes: 1440}, true},
		{Update{Status: StatusDoNotDisturb}, false},
		{Update{Status: StatusDoNotDisturb, Minutes: 1441}, false},
		{Update{Status: StatusAway, Minutes: 20}, false},
		{Update{Status: StatusOffline}, false},
		{Update{Status: StatusInAMeeting}, false},
		{Update{}, false},
	}
	for _, tt := range tests {
		err := tt.update.Validate()
		if (err == nil) != tt.valid {
			t.Errorf("Update%+v.Validate() = %v, want valid=%v", tt.update, err, tt.valid)
		}
	}
}
