package main

import "testing"

// TestFlagsBakedClientID checks the default that build/release.sh sets
// with -ldflags "-X main.clientID=…".
func TestFlagsBakedClientID(t *testing.T) {
	saved := clientID
	t.Cleanup(func() { clientID = saved })
	clientID = "baked-client"
	t.Setenv("ZOOM_CLIENT_ID", "")

	cfg, err := parseFlags(nil)
	if err != nil {
		t.Fatalf("parseFlags: %v", err)
	}
	if cfg.clientID != "baked-client" {
		t.Errorf("client ID = %q, want the baked-in %q", cfg.clientID, "baked-client")
	}

	cfg, err = parseFlags([]string{"-client-id", "flag-client"})
	if err != nil {
		t.Fatalf("parseFlags: %v", err)
	}
	if cfg.clientID != "flag-client" {
		t.Errorf("client ID = %q, want the flag's %q over the baked-in one", cfg.clientID, "flag-client")
	}
}
