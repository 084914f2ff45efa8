package desktoptest

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/godbus/dbus/v5"
	"github.com/godbus/dbus/v5/introspect"
	"github.com/godbus/dbus/v5/prop"
)

const (
	watcherName  = "org.kde.StatusNotifierWatcher"
	watcherPath  = dbus.ObjectPath("/StatusNotifierWatcher")
	watcherIface = "org.kde.StatusNotifierWatcher"

	// defaultItemPath is the object path of an item that registers with
	// its bus name instead of an object path.
	defaultItemPath = dbus.ObjectPath("/StatusNotifierItem")
)

// watcherIntrospection describes the org.kde.StatusNotifierWatcher
// interface as KDE's StatusNotifierWatcher publishes it.
var watcherIntrospection = introspect.Interface{
	Name: watcherIface,
	Methods: []introspect.Method{
		{Name: "RegisterStatusNotifierItem", Args: []introspect.Arg{{Name: "service", Type: "s", Direction: "in"}}},
		{Name: "RegisterStatusNotifierHost", Args: []introspect.Arg{{Name: "service", Type: "s", Direction: "in"}}},
	},
	Signals: []introspect.Signal{
		{Name: "StatusNotifierItemRegistered", Args: []introspect.Arg{{Type: "s"}}},
		{Name: "StatusNotifierItemUnregistered", Args: []introspect.Arg{{Type: "s"}}},
		{Name: "StatusNotifierHostRegistered"},
		{Name: "StatusNotifierHostUnregistered"},
	},
	Properties: []introspect.Property{
		{Name: "RegisteredStatusNotifierItems", Type: "as", Access: "read"},
		{Name: "IsStatusNotifierHostRegistered", Type: "b", Access: "read"},
		{Name: "ProtocolVersion", Type: "i", Access: "read"},
	},
}

// Watcher is a stand-in tray host. It owns org.kde.StatusNotifierWatcher
// on a [Bus] and records the StatusNotifierItems that register with it, as
// a desktop panel does. It is also its own StatusNotifierHost, so
// IsStatusNotifierHostRegistered is always true. Its methods are safe for
// concurrent use.
type Watcher struct {
	conn  *dbus.Conn
	props *prop.Properties
	log   *testLog

	mu      sync.Mutex
	items   []Item
	hosts   []string
	changed chan struct{} // closed and replaced when items changes
}

// StartWatcher starts a Watcher on bus and registers a cleanup that
// closes its connection. It fails the test when another process already
// owns org.kde.StatusNotifierWatcher on the bus.
func StartWatcher(t testing.TB, bus *Bus) *Watcher {
	t.Helper()

	w := &Watcher{
		conn:    bus.Connect(t),
		log:     newTestLog(t),
		changed: make(chan struct{}),
	}

	if err := w.conn.Export(watcherObject{w}, watcherPath, watcherIface); err != nil {
		t.Fatalf("desktoptest: export %s: %v", watcherIface, err)
	}

	props, err := prop.Export(w.conn, watcherPath, map[string]map[string]*prop.Prop{
		watcherIface: {
			"RegisteredStatusNotifierItems":  {Value: []string{}, Emit: prop.EmitTrue},
			"IsStatusNotifierHostRegistered": {Value: true, Emit: prop.EmitTrue},
			"ProtocolVersion":                {Value: int32(0), Emit: prop.EmitTrue},
		},
	})
	if err != nil {
		t.Fatalf("desktoptest: export %s properties: %v", watcherIface, err)
	}
	w.props = props

	node := &introspect.Node{
		Name:       string(watcherPath),
		Interfaces: []introspect.Interface{introspect.IntrospectData, prop.IntrospectData, watcherIntrospection},
	}
	if err := w.conn.Export(introspect.NewIntrospectable(node), watcherPath, "org.freedesktop.DBus.Introspectable"); err != nil {
		t.Fatalf("desktoptest: export introspection for %s: %v", watcherPath, err)
	}

	// Items and hosts are dropped when their owner leaves the bus, which
	// the bus announces with NameOwnerChanged.
	signals := make(chan *dbus.Signal, 16)
	w.conn.Signal(signals)
	err = w.conn.AddMatchSignal(
		dbus.WithMatchSender("org.freedesktop.DBus"),
		dbus.WithMatchInterface("org.freedesktop.DBus"),
		dbus.WithMatchMember("NameOwnerChanged"),
	)
	if err != nil {
		t.Fatalf("desktoptest: watch NameOwnerChanged: %v", err)
	}
	go w.watchOwners(signals)

	// The name is requested last, so a tray item that was waiting for a
	// watcher finds everything in place when it registers.
	requestName(t, w.conn, watcherName)
	return w
}

// requestName makes conn the primary owner of name or fails the test.
func requestName(t testing.TB, conn *dbus.Conn, name string) {
	t.Helper()

	reply, err := conn.RequestName(name, dbus.NameFlagDoNotQueue)
	if err != nil {
		t.Fatalf("desktoptest: request bus name %s: %v", name, err)
	}
	if reply != dbus.RequestNameReplyPrimaryOwner {
		t.Fatalf("desktoptest: bus name %s is already owned by another connection (reply %d); start one owner per bus", name, reply)
	}
}

// watcherObject holds the exported D-Bus methods, so that Watcher's own
// exported methods do not show up on the bus.
type watcherObject struct{ w *Watcher }

// RegisterStatusNotifierItem implements the D-Bus method. service is
// either an object path, served by the caller's connection, or a bus name
// that serves /StatusNotifierItem.
func (o watcherObject) RegisterStatusNotifierItem(sender dbus.Sender, service string) *dbus.Error {
	return o.w.registerItem(string(sender), service)
}

// RegisterStatusNotifierHost implements the D-Bus method.
func (o watcherObject) RegisterStatusNotifierHost(sender dbus.Sender, service string) *dbus.Error {
	o.w.mu.Lock()
	if !slices.Contains(o.w.hosts, service) {
		o.w.hosts = append(o.w.hosts, service)
	}
	o.w.mu.Unlock()

	o.w.log.Logf("desktoptest: watcher: host %s registered by %s", service, sender)
	o.w.emit("StatusNotifierHostRegistered")
	return nil
}

func (w *Watcher) registerItem(sender, service string) *dbus.Error {
	item := Item{Service: service, Path: defaultItemPath, conn: w.conn}
	if strings.HasPrefix(service, "/") {
		item = Item{Service: sender, Path: dbus.ObjectPath(service), conn: w.conn}
	}
	if !item.Path.IsValid() {
		w.log.Logf("desktoptest: watcher: rejected item %q from %s: invalid object path", service, sender)
		return dbus.MakeFailedError(fmt.Errorf("invalid object path %q", service))
	}

	// A real watcher rejects a bus name without an owner, because it
	// could never read such an item.
	var hasOwner bool
	err := w.conn.BusObject().Call("org.freedesktop.DBus.NameHasOwner", 0, item.Service).Store(&hasOwner)
	if err != nil {
		w.log.Logf("desktoptest: watcher: rejected item %s from %s: check owner: %v", item, sender, err)
		return dbus.MakeFailedError(fmt.Errorf("check owner of %s: %w", item.Service, err))
	}
	if !hasOwner {
		w.log.Logf("desktoptest: watcher: rejected item %s from %s: bus name has no owner", item, sender)
		return dbus.NewError("org.freedesktop.DBus.Error.ServiceUnknown", []any{fmt.Sprintf("bus name %s has no owner", item.Service)})
	}

	w.mu.Lock()
	if slices.Contains(w.items, item) {
		w.mu.Unlock()
		return nil
	}
	w.items = append(w.items, item)
	w.updateLocked()
	w.mu.Unlock()

	w.log.Logf("desktoptest: watcher: item %s registered by %s", item, sender)
	w.emit("StatusNotifierItemRegistered", item.String())
	return nil
}

// watchOwners drops the items and hosts of every bus name that loses its
// owner. It returns when the connection closes.
func (w *Watcher) watchOwners(signals <-chan *dbus.Signal) {
	for sig := range signals {
		if sig.Name != "org.freedesktop.DBus.NameOwnerChanged" || len(sig.Body) != 3 {
			continue
		}
		name, _ := sig.Body[0].(string)
		newOwner, _ := sig.Body[2].(string)
		if newOwner != "" {
			continue
		}

		w.mu.Lock()
		var removed []Item
		w.items = slices.DeleteFunc(w.items, func(item Item) bool {
			if item.Service == name {
				removed = append(removed, item)
				return true
			}
			return false
		})
		if len(removed) > 0 {
			w.updateLocked()
		}
		hostCount := len(w.hosts)
		w.hosts = slices.DeleteFunc(w.hosts, func(host string) bool { return host == name })
		hostGone := len(w.hosts) != hostCount
		w.mu.Unlock()

		for _, item := range removed {
			w.log.Logf("desktoptest: watcher: item %s unregistered because %s left the bus", item, name)
			w.emit("StatusNotifierItemUnregistered", item.String())
		}
		if hostGone {
			w.emit("StatusNotifierHostUnregistered")
		}
	}
}

// updateLocked publishes the item list as a property and wakes up
// waiters. The caller holds w.mu.
func (w *Watcher) updateLocked() {
	names := make([]string, len(w.items))
	for i, item := range w.items {
		names[i] = item.String()
	}
	w.props.SetMust(watcherIface, "RegisteredStatusNotifierItems", names)

	close(w.changed)
	w.changed = make(chan struct{})
}

func (w *Watcher) emit(signal string, args ...any) {
	if err := w.conn.Emit(watcherPath, watcherIface+"."+signal, args...); err != nil {
		w.log.Logf("desktoptest: watcher: emit %s: %v", signal, err)
	}
}

// Close closes the watcher's connection before the test ends, which
// releases org.kde.StatusNotifierWatcher, as when a desktop panel exits.
// A later StartWatcher on the same bus takes the name over, and
// fyne.io/systray then registers its item again.
func (w *Watcher) Close() error {
	if err := w.conn.Close(); err != nil {
		return fmt.Errorf("close tray watcher connection: %w", err)
	}
	return nil
}

// Items returns the registered items in the order they registered.
func (w *Watcher) Items() []Item {
	w.mu.Lock()
	defer w.mu.Unlock()

	return slices.Clone(w.items)
}

// WaitForItem blocks until an item is registered or ctx is done, and
// returns the first registered item.
func (w *Watcher) WaitForItem(ctx context.Context) (Item, error) {
	items, err := w.waitItems(ctx, func(items []Item) bool { return len(items) > 0 })
	if err != nil {
		return Item{}, fmt.Errorf("wait for a tray item: %w; check that the program uses this bus in DBUS_SESSION_BUS_ADDRESS", err)
	}
	return items[0], nil
}

// WaitForNoItems blocks until no item is registered or ctx is done. An
// item is unregistered when its connection leaves the bus, for example
// when its process exits.
func (w *Watcher) WaitForNoItems(ctx context.Context) error {
	items, err := w.waitItems(ctx, func(items []Item) bool { return len(items) == 0 })
	if err != nil {
		return fmt.Errorf("wait for tray items %v to unregister: %w", items, err)
	}
	return nil
}

// waitItems blocks until done reports true for the registered items, and
// returns them. On error it returns the items it saw last.
func (w *Watcher) waitItems(ctx context.Context, done func([]Item) bool) ([]Item, error) {
	for {
		w.mu.Lock()
		items := slices.Clone(w.items)
		changed := w.changed
		w.mu.Unlock()

		if done(items) {
			return items, nil
		}

		select {
		case <-changed:
		case <-ctx.Done():
			return items, ctx.Err()
		}
	}
}

// testLog calls t.Logf until the test's cleanups start. Bus handlers run
// on their own goroutines, and testing panics when Logf is called after
// the test has completed.
type testLog struct {
	mu   sync.Mutex
	t    testing.TB
	done bool
}

func newTestLog(t testing.TB) *testLog {
	l := &testLog{t: t}
	t.Cleanup(func() {
		l.mu.Lock()
		l.done = true
		l.mu.Unlock()
	})
	return l
}

func (l *testLog) Logf(format string, args ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()

	if !l.done {
		l.t.Helper()
		l.t.Logf(format, args...)
	}
}
