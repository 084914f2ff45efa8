package desktoptest

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"sync"
	"testing"

	"github.com/godbus/dbus/v5"
	"github.com/godbus/dbus/v5/introspect"
)

const (
	notificationsName  = "org.freedesktop.Notifications"
	notificationsPath  = dbus.ObjectPath("/org/freedesktop/Notifications")
	notificationsIface = "org.freedesktop.Notifications"

	// closedByCall is the NotificationClosed reason for a notification
	// closed by CloseNotification.
	closedByCall = uint32(3)
)

// notificationsIntrospection describes org.freedesktop.Notifications as
// the Desktop Notifications Specification 1.2 defines it.
var notificationsIntrospection = introspect.Interface{
	Name: notificationsIface,
	Methods: []introspect.Method{
		{Name: "Notify", Args: []introspect.Arg{
			{Name: "app_name", Type: "s", Direction: "in"},
			{Name: "replaces_id", Type: "u", Direction: "in"},
			{Name: "app_icon", Type: "s", Direction: "in"},
			{Name: "summary", Type: "s", Direction: "in"},
			{Name: "body", Type: "s", Direction: "in"},
			{Name: "actions", Type: "as", Direction: "in"},
			{Name: "hints", Type: "a{sv}", Direction: "in"},
			{Name: "expire_timeout", Type: "i", Direction: "in"},
			{Name: "id", Type: "u", Direction: "out"},
		}},
		{Name: "GetCapabilities", Args: []introspect.Arg{{Name: "capabilities", Type: "as", Direction: "out"}}},
		{Name: "GetServerInformation", Args: []introspect.Arg{
			{Name: "name", Type: "s", Direction: "out"},
			{Name: "vendor", Type: "s", Direction: "out"},
			{Name: "version", Type: "s", Direction: "out"},
			{Name: "spec_version", Type: "s", Direction: "out"},
		}},
		{Name: "CloseNotification", Args: []introspect.Arg{{Name: "id", Type: "u", Direction: "in"}}},
	},
	Signals: []introspect.Signal{
		{Name: "NotificationClosed", Args: []introspect.Arg{{Name: "id", Type: "u"}, {Name: "reason", Type: "u"}}},
		{Name: "ActionInvoked", Args: []introspect.Arg{{Name: "id", Type: "u"}, {Name: "action_key", Type: "s"}}},
	},
}

// Notification is one Notify call received by [Notifications].
type Notification struct {
	// ID is the notification ID the server assigned: replaces_id when
	// that was not 0, or else a new ID.
	ID uint32

	// Sender is the unique bus name of the caller.
	Sender string

	AppName       string
	ReplacesID    uint32
	AppIcon       string
	Summary       string
	Body          string
	Actions       []string
	Hints         map[string]dbus.Variant
	ExpireTimeout int32 // in milliseconds; -1 means the server's default
}

// Notifications is a stand-in notification server. It owns
// org.freedesktop.Notifications on a [Bus] and records every Notify call.
// Its methods are safe for concurrent use.
type Notifications struct {
	conn *dbus.Conn
	log  *testLog

	mu       sync.Mutex
	received []Notification
	lastID   uint32
	hold     chan struct{} // non-nil while Notify calls are held
	changed  chan struct{} // closed and replaced when received changes
}

// StartNotifications starts a notification server on bus and registers a
// cleanup that releases held calls and closes its connection. It fails
// the test when another process already owns
// org.freedesktop.Notifications on the bus.
func StartNotifications(t testing.TB, bus *Bus) *Notifications {
	t.Helper()

	n := &Notifications{
		conn:    bus.Connect(t),
		log:     newTestLog(t),
		changed: make(chan struct{}),
	}
	t.Cleanup(func() { n.SetHang(false) })

	if err := n.conn.Export(notificationsObject{n}, notificationsPath, notificationsIface); err != nil {
		t.Fatalf("desktoptest: export %s: %v", notificationsIface, err)
	}

	node := &introspect.Node{
		Name:       string(notificationsPath),
		Interfaces: []introspect.Interface{introspect.IntrospectData, notificationsIntrospection},
	}
	if err := n.conn.Export(introspect.NewIntrospectable(node), notificationsPath, "org.freedesktop.DBus.Introspectable"); err != nil {
		t.Fatalf("desktoptest: export introspection for %s: %v", notificationsPath, err)
	}

	requestName(t, n.conn, notificationsName)
	return n
}

// SetHang sets whether Notify calls hang. While hang is true, each Notify
// call is recorded at once but gets no reply until SetHang(false) is
// called or the test's cleanups run. That reproduces a notification
// server that has stopped responding.
func (n *Notifications) SetHang(hang bool) {
	n.mu.Lock()
	defer n.mu.Unlock()

	switch {
	case hang && n.hold == nil:
		n.hold = make(chan struct{})
	case !hang && n.hold != nil:
		close(n.hold)
		n.hold = nil
	}
}

// Received returns every Notify call so far, in the order they arrived.
func (n *Notifications) Received() []Notification {
	n.mu.Lock()
	defer n.mu.Unlock()

	return slices.Clone(n.received)
}

// WaitFor blocks until a Notify call for which match reports true has
// arrived, including calls that arrived before WaitFor was called, or
// until ctx is done. It returns the first such notification.
func (n *Notifications) WaitFor(ctx context.Context, match func(Notification) bool) (Notification, error) {
	for {
		n.mu.Lock()
		received := slices.Clone(n.received)
		changed := n.changed
		n.mu.Unlock()

		for _, notification := range received {
			if match(notification) {
				return notification, nil
			}
		}

		select {
		case <-changed:
		case <-ctx.Done():
			return Notification{}, fmt.Errorf("wait for a notification: %w; received %d: %s", ctx.Err(), len(received), summaries(received))
		}
	}
}

func summaries(received []Notification) string {
	var list []string
	for _, notification := range received {
		list = append(list, fmt.Sprintf("%q: %q", notification.Summary, notification.Body))
	}
	return fmt.Sprint(list)
}

// notificationsObject holds the exported D-Bus methods, so that
// Notifications' own exported methods do not show up on the bus.
type notificationsObject struct{ n *Notifications }

// Notify implements the D-Bus method.
func (o notificationsObject) Notify(sender dbus.Sender, appName string, replacesID uint32, appIcon, summary, body string, actions []string, hints map[string]dbus.Variant, expireTimeout int32) (uint32, *dbus.Error) {
	n := o.n

	n.mu.Lock()
	id := replacesID
	if id == 0 {
		n.lastID++
		id = n.lastID
	}
	n.received = append(n.received, Notification{
		ID:            id,
		Sender:        string(sender),
		AppName:       appName,
		ReplacesID:    replacesID,
		AppIcon:       appIcon,
		Summary:       summary,
		Body:          body,
		Actions:       slices.Clone(actions),
		Hints:         maps.Clone(hints),
		ExpireTimeout: expireTimeout,
	})
	close(n.changed)
	n.changed = make(chan struct{})
	hold := n.hold
	n.mu.Unlock()

	n.log.Logf("desktoptest: notification %d from %s (%s): %q", id, appName, sender, summary)

	// godbus runs each method call on its own goroutine, so a held call
	// blocks nothing else.
	if hold != nil {
		n.log.Logf("desktoptest: holding the reply to notification %d", id)
		<-hold
	}
	return id, nil
}

// GetCapabilities implements the D-Bus method.
func (o notificationsObject) GetCapabilities() ([]string, *dbus.Error) {
	return []string{"body"}, nil
}

// GetServerInformation implements the D-Bus method.
func (o notificationsObject) GetServerInformation() (name, vendor, version, specVersion string, err *dbus.Error) {
	return "desktoptest", "zoom-presence", "1.0", "1.2", nil
}

// CloseNotification implements the D-Bus method.
func (o notificationsObject) CloseNotification(id uint32) *dbus.Error {
	if err := o.n.conn.Emit(notificationsPath, notificationsIface+".NotificationClosed", id, closedByCall); err != nil {
		o.n.log.Logf("desktoptest: emit NotificationClosed for %d: %v", id, err)
	}
	return nil
}
