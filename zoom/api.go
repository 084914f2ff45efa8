package zoom

import "context"

// PresenceAPI is the part of the Zoom API that the Sender uses. *Client
// implements it.
type PresenceAPI interface {
	// SetPresence sends u for the signed-in user. It blocks until Zoom
	// responds or ctx ends.
	SetPresence(ctx context.Context, u Update) error
	// GetPresence reads the signed-in user's current status.
	GetPresence(ctx context.Context) (Presence, error)
}
