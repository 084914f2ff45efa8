package tray

import (
	"bytes"
	"context"
	"log/slog"
	"runtime"
	"sync"
	"sync/atomic"

	"fyne.io/systray"
)

// actionBuffer is the capacity of the channel that Actions returns. A
// click that finds it full waits in its item's goroutine, and further
// clicks on that item are lost until then, because fyne.io/systray drops
// a click when nothing receives it.
const actionBuffer = 16

// Tray is the tray icon and its menu, shown through fyne.io/systray.
// fyne.io/systray keeps its state in package variables, so a process can
// have only one Tray, and Run can be called only once.
//
// Its methods are safe for concurrent use.
type Tray struct {
	log     *slog.Logger
	actions chan Action
	exited  atomic.Bool // onExit has returned

	mu         sync.Mutex
	entries    map[string]*trayEntry // by Item.ID; nil until Build
	stopClicks context.CancelFunc
	tooltip    string
	icon       []byte
	applied    bool // Apply has run at least once
}

// trayEntry is a menu item as created in systray and as last applied.
type trayEntry struct {
	menu *systray.MenuItem
	item Item // without Children
}

// New returns a Tray that logs to log, or discards logs if log is nil.
// Nothing shows until Run.
func New(log *slog.Logger) *Tray {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Tray{
		log:     log,
		actions: make(chan Action, actionBuffer),
	}
}

// Run shows the tray icon, calls onReady in a new goroutine, and blocks
// until Quit is called. It then calls onExit and returns. onReady should
// call Build. Either function may be nil.
//
// Run must be called on the main goroutine, because macOS runs its event
// loop there.
//
// Call Apply once before Run, so that the first icon and tooltip are part
// of the properties that the tray exports on D-Bus. On Linux,
// fyne.io/systray v1.12.2 exports them while onReady already runs, and
// drops an icon or tooltip change that falls between the two steps.
//
// With no D-Bus session bus, fyne.io/systray v1.12.2 on Linux runs with no
// tray and panics on a nil connection after onExit. Run recovers that
// panic and returns normally. It passes on any panic before onExit has
// returned.
func (t *Tray) Run(onReady, onExit func()) {
	defer func() {
		r := recover()
		if r == nil {
			return
		}
		if _, ok := r.(runtime.Error); !ok || !t.exited.Load() {
			panic(r)
		}
		t.log.Warn("tray failed to close its D-Bus connection; it probably had no session bus", "panic", r)
	}()

	systray.Run(onReady, func() {
		if onExit != nil {
			onExit()
		}
		t.exited.Store(true)
	})
}

// Build creates the menu items, in the order and with the state of items,
// and starts one goroutine per item that sends its Action to Actions when
// the item is clicked. The goroutines stop when ctx ends, when Quit is
// called, or when Build is called again, which replaces the whole menu.
//
// Call Build from the onReady function of Run. The shape of items (IDs,
// order, Separator, Checkable) is fixed here: Apply only updates labels,
// check marks, and enabled and visible states. Separators are always
// visible.
func (t *Tray) Build(ctx context.Context, items []Item) {
	t.mu.Lock()
	defer t.mu.Unlock()

	if t.stopClicks != nil {
		// ResetMenu closes the old click channels, which ends their
		// goroutines, but one may be waiting on a full Actions channel
		// with a click on the old menu. Cancelling drops that click.
		t.stopClicks()
		systray.ResetMenu()
	}

	ctx, cancel := context.WithCancel(ctx)
	t.stopClicks = cancel
	t.entries = make(map[string]*trayEntry)
	t.add(ctx, nil, items)
	t.log.Debug("tray menu built", "items", len(t.entries))
}

// add creates items under parent, or at the top level if parent is nil.
func (t *Tray) add(ctx context.Context, parent *systray.MenuItem, items []Item) {
	for _, item := range items {
		if item.Separator {
			if parent == nil {
				systray.AddSeparator()
			} else {
				parent.AddSeparator()
			}
			continue
		}

		menu := newMenuItem(parent, item)
		if !item.Enabled {
			menu.Disable()
		}
		if !item.Visible {
			menu.Hide()
		}
		t.entries[item.ID] = &trayEntry{menu: menu, item: withoutChildren(item)}
		go t.listen(ctx, item.ID, menu.ClickedCh)

		t.add(ctx, menu, item.Children)
	}
}

func newMenuItem(parent *systray.MenuItem, item Item) *systray.MenuItem {
	// Only checkbox items carry a check mark on Linux.
	switch {
	case parent == nil && item.Checkable:
		return systray.AddMenuItemCheckbox(item.Label, "", item.Checked)
	case parent == nil:
		return systray.AddMenuItem(item.Label, "")
	case item.Checkable:
		return parent.AddSubMenuItemCheckbox(item.Label, "", item.Checked)
	default:
		return parent.AddSubMenuItem(item.Label, "")
	}
}

func withoutChildren(item Item) Item {
	item.Children = nil
	return item
}

// listen turns the clicks on one item into actions. fyne.io/systray sends
// on clicked without blocking, so a click is lost unless this goroutine
// is waiting.
func (t *Tray) listen(ctx context.Context, id string, clicked <-chan struct{}) {
	for {
		select {
		case <-ctx.Done():
			return
		case _, ok := <-clicked:
			if !ok {
				return
			}
			action, ok := t.clickAction(id)
			if !ok {
				continue
			}
			select {
			case t.actions <- action:
			case <-ctx.Done():
				return
			}
		}
	}
}

// clickAction returns the action of the item with id as last applied. It
// reports false for an item that is disabled, hidden or has no action:
// a D-Bus client can send a click for any item, whatever the menu shows.
func (t *Tray) clickAction(id string) (Action, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()

	e, ok := t.entries[id]
	if !ok {
		return Action{}, false
	}
	item := e.item
	if !item.Enabled || !item.Visible || item.Action.Kind == ActionNone {
		t.log.Debug("tray click ignored", "id", id, "enabled", item.Enabled, "visible", item.Visible)
		return Action{}, false
	}
	t.log.Debug("tray menu item clicked", "id", id, "action", item.Action.Kind)
	return item.Action, true
}

// Apply updates the tooltip, the icon and the menu items in place. Items
// are matched to those made by Build through their IDs. Apply changes in
// fyne.io/systray only what differs from the last Apply or Build, so
// calling it with an unchanged state sends nothing over D-Bus.
//
// Before Build, Apply sets only the tooltip and the icon. icon is in the
// format that Icon returns, and Apply keeps a copy of it. An empty icon
// leaves the icon as it was.
func (t *Tray) Apply(items []Item, tooltip string, icon []byte) {
	t.mu.Lock()
	defer t.mu.Unlock()

	if !t.applied || tooltip != t.tooltip {
		systray.SetTooltip(tooltip)
		t.tooltip = tooltip
		t.log.Debug("tray tooltip set", "tooltip", tooltip)
	}
	// fyne.io/systray v1.12.2 on macOS indexes icon[0], so an empty icon
	// would panic there.
	if len(icon) > 0 && (!t.applied || !bytes.Equal(icon, t.icon)) {
		setIcon(icon)
		t.icon = bytes.Clone(icon)
	}
	t.applied = true

	if t.entries != nil {
		t.update(items)
	}
}

// Resend sets the last applied tooltip and icon again, even when they
// have not changed. fyne.io/systray v1.12.2 drops a change that lands
// while it is still registering on D-Bus, so the app calls Resend once
// registration has had time to finish.
func (t *Tray) Resend() {
	t.mu.Lock()
	defer t.mu.Unlock()

	if !t.applied {
		return
	}
	systray.SetTooltip(t.tooltip)
	if len(t.icon) > 0 {
		setIcon(t.icon)
	}
	t.log.Debug("tray tooltip and icon sent again", "tooltip", t.tooltip)
}

func (t *Tray) update(items []Item) {
	for _, item := range items {
		if item.Separator {
			continue
		}
		e, ok := t.entries[item.ID]
		if !ok {
			t.log.Error("tray menu item not updated: Build did not create it", "id", item.ID)
			continue
		}

		old, menu := e.item, e.menu
		if item.Label != old.Label {
			menu.SetTitle(item.Label)
		}
		if item.Checked != old.Checked {
			if item.Checked {
				menu.Check()
			} else {
				menu.Uncheck()
			}
		}
		if item.Enabled != old.Enabled {
			if item.Enabled {
				menu.Enable()
			} else {
				menu.Disable()
			}
		}
		if item.Visible != old.Visible {
			if item.Visible {
				menu.Show()
			} else {
				menu.Hide()
			}
		}
		e.item = withoutChildren(item)

		t.update(item.Children)
	}
}

// Actions returns the channel of clicked actions. It is buffered and is
// never closed. Items that are disabled, hidden or have ActionNone send
// nothing.
func (t *Tray) Actions() <-chan Action {
	return t.actions
}

// Quit stops the click goroutines and makes Run return. It does not block
// and may be called more than once, and before Run has started. On Windows,
// fyne.io/systray v1.12.2 calls onExit from Quit rather than from Run.
//
// Quit itself does not panic without a session bus: the panic of
// fyne.io/systray v1.12.2 happens in Run, which recovers it.
func (t *Tray) Quit() {
	t.mu.Lock()
	if t.stopClicks != nil {
		t.stopClicks()
	}
	t.mu.Unlock()

	systray.Quit()
}
