package desktoptest

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/godbus/dbus/v5"
)

const menuIface = "com.canonical.dbusmenu"

// menuPollInterval is how often WaitForMenu reads the layout.
const menuPollInterval = 50 * time.Millisecond

// maxLayoutAttempts bounds how often Layout starts over when the menu
// changes while it reads the submenus.
const maxLayoutAttempts = 5

// MenuNode is one entry of a com.canonical.dbusmenu menu, with its
// properties resolved to the defaults the dbusmenu specification gives
// for absent ones.
type MenuNode struct {
	ID int32

	// Type is "standard" or "separator".
	Type string

	// Label is the label as sent. An underscore marks the next character
	// as an access key, and "__" is a literal underscore.
	Label string

	Enabled bool
	Visible bool

	// ToggleType is "" for a plain item, "checkmark" or "radio".
	ToggleType string

	// ToggleState is 1 when the item is checked, 0 when it is not, and
	// -1 when its state is indeterminate.
	ToggleState int32

	// ChildrenDisplay is "submenu" for an item that opens a submenu.
	ChildrenDisplay string

	// Properties holds every property as sent, including those above.
	Properties map[string]dbus.Variant

	Children []MenuNode
}

// Checked reports whether the item shows a check mark.
func (n MenuNode) Checked() bool {
	return n.ToggleState == 1
}

// FindByLabel returns the first node in n's tree, n included, whose label
// is label, searching depth first in menu order.
func (n MenuNode) FindByLabel(label string) (MenuNode, bool) {
	return n.find(func(node MenuNode) bool { return node.Label == label })
}

// FindByID returns the node in n's tree, n included, whose ID is id.
func (n MenuNode) FindByID(id int32) (MenuNode, bool) {
	return n.find(func(node MenuNode) bool { return node.ID == id })
}

func (n MenuNode) find(match func(MenuNode) bool) (MenuNode, bool) {
	if match(n) {
		return n, true
	}
	for _, child := range n.Children {
		if found, ok := child.find(match); ok {
			return found, true
		}
	}
	return MenuNode{}, false
}

// String renders the tree below n, one item a line, indented by depth,
// for test failure messages. For example:
//
//	[1] Available [x]
//	[2] Do not disturb >
//	  [3] 20 minutes
//	[4] ----
//	[5] Nothing to send (disabled)
func (n MenuNode) String() string {
	var b strings.Builder
	for _, child := range n.Children {
		child.render(&b, 0)
	}
	return b.String()
}

func (n MenuNode) render(b *strings.Builder, depth int) {
	fmt.Fprintf(b, "%s[%d] ", strings.Repeat("  ", depth), n.ID)
	if n.Type == "separator" {
		b.WriteString("----")
	} else {
		b.WriteString(n.Label)
	}

	switch {
	case n.ToggleType != "" && n.ToggleState == 1:
		b.WriteString(" [x]")
	case n.ToggleType != "" && n.ToggleState == 0:
		b.WriteString(" [ ]")
	case n.ToggleType != "":
		b.WriteString(" [?]")
	}
	if n.ChildrenDisplay == "submenu" {
		b.WriteString(" >")
	}
	if !n.Enabled {
		b.WriteString(" (disabled)")
	}
	if !n.Visible {
		b.WriteString(" (hidden)")
	}
	b.WriteString("\n")

	for _, child := range n.Children {
		child.render(b, depth+1)
	}
}

// menuObject returns the item's dbusmenu object, found through its Menu
// property.
func (i Item) menuObject(ctx context.Context) (dbus.BusObject, error) {
	var path dbus.ObjectPath
	err := i.conn.Object(i.Service, i.Path).CallWithContext(ctx, "org.freedesktop.DBus.Properties.Get", 0, itemIface, "Menu").Store(&path)
	if err != nil {
		return nil, fmt.Errorf("read Menu property of tray item %s: %w", i, err)
	}
	if path == "" || path == "/" {
		return nil, fmt.Errorf("tray item %s has no menu (Menu property is %q)", i, path)
	}
	return i.conn.Object(i.Service, path), nil
}

// Layout reads the item's whole menu with
// com.canonical.dbusmenu.GetLayout and returns its root node, whose
// children are the top-level entries.
//
// Layout blocks until the item replies. fyne.io/systray replies only
// after its onReady function returns, and its first reply contains one
// level of the menu whatever depth was requested, so Layout reads every
// submenu that came back empty with another call.
func (i Item) Layout(ctx context.Context) (MenuNode, error) {
	menu, err := i.menuObject(ctx)
	if err != nil {
		return MenuNode{}, err
	}

	for attempt := 1; ; attempt++ {
		revision, root, err := getLayout(ctx, menu, 0)
		if err != nil {
			return MenuNode{}, fmt.Errorf("read menu of tray item %s: %w", i, err)
		}

		consistent, err := fillSubmenus(ctx, menu, revision, &root)
		if err != nil {
			return MenuNode{}, fmt.Errorf("read menu of tray item %s: %w", i, err)
		}
		// NOTE: after maxLayoutAttempts the tree may mix two revisions,
		// which only happens when the menu changes faster than it can be
		// read.
		if consistent || attempt == maxLayoutAttempts {
			return root, nil
		}
	}
}

// fillSubmenus reads the children of every node under n that announces a
// submenu but came back without children. It reports false when a read
// returned another revision than revision, because the menu changed.
func fillSubmenus(ctx context.Context, menu dbus.BusObject, revision uint32, n *MenuNode) (bool, error) {
	consistent := true

	if n.ChildrenDisplay == "submenu" && len(n.Children) == 0 {
		subRevision, sub, err := getLayout(ctx, menu, n.ID)
		if err != nil {
			return false, err
		}
		if subRevision != revision || sub.ID != n.ID {
			consistent = false
		}
		n.Children = sub.Children
	}

	for i := range n.Children {
		ok, err := fillSubmenus(ctx, menu, revision, &n.Children[i])
		if err != nil {
			return false, err
		}
		consistent = consistent && ok
	}
	return consistent, nil
}

// getLayout calls GetLayout(parent, -1, []) and parses its
// (u(ia{sv}av)) reply.
func getLayout(ctx context.Context, menu dbus.BusObject, parent int32) (uint32, MenuNode, error) {
	call := menu.CallWithContext(ctx, menuIface+".GetLayout", 0, parent, int32(-1), []string{})
	if call.Err != nil {
		return 0, MenuNode{}, fmt.Errorf("GetLayout(%d): %w", parent, call.Err)
	}

	// Body is read directly: Store would re-wrap the nested variants.
	if len(call.Body) != 2 {
		return 0, MenuNode{}, fmt.Errorf("GetLayout(%d): reply has %d values, expected 2", parent, len(call.Body))
	}
	revision, ok := call.Body[0].(uint32)
	if !ok {
		return 0, MenuNode{}, fmt.Errorf("GetLayout(%d): revision is %T, expected uint32", parent, call.Body[0])
	}
	node, err := parseMenuNode(call.Body[1])
	if err != nil {
		return 0, MenuNode{}, fmt.Errorf("GetLayout(%d): %w", parent, err)
	}
	return revision, node, nil
}

// parseMenuNode converts a decoded (ia{sv}av) value and its children.
func parseMenuNode(value any) (MenuNode, error) {
	fields, ok := value.([]any)
	if !ok || len(fields) != 3 {
		return MenuNode{}, fmt.Errorf("menu node is %T, expected (ia{sv}av)", value)
	}
	id, idOK := fields[0].(int32)
	props, propsOK := fields[1].(map[string]dbus.Variant)
	children, childrenOK := fields[2].([]dbus.Variant)
	if !idOK || !propsOK || !childrenOK {
		return MenuNode{}, fmt.Errorf("menu node is (%T, %T, %T), expected (ia{sv}av)", fields[0], fields[1], fields[2])
	}

	node := MenuNode{
		ID:          id,
		Type:        "standard",
		Enabled:     true,
		Visible:     true,
		ToggleState: -1,
		Properties:  props,
	}
	var err error
	if node.Type, err = menuProperty(props, "type", node.Type); err != nil {
		return MenuNode{}, fmt.Errorf("menu item %d: %w", id, err)
	}
	if node.Label, err = menuProperty(props, "label", ""); err != nil {
		return MenuNode{}, fmt.Errorf("menu item %d: %w", id, err)
	}
	if node.Enabled, err = menuProperty(props, "enabled", true); err != nil {
		return MenuNode{}, fmt.Errorf("menu item %d: %w", id, err)
	}
	if node.Visible, err = menuProperty(props, "visible", true); err != nil {
		return MenuNode{}, fmt.Errorf("menu item %d: %w", id, err)
	}
	if node.ToggleType, err = menuProperty(props, "toggle-type", ""); err != nil {
		return MenuNode{}, fmt.Errorf("menu item %d: %w", id, err)
	}
	if node.ChildrenDisplay, err = menuProperty(props, "children-display", ""); err != nil {
		return MenuNode{}, fmt.Errorf("menu item %d: %w", id, err)
	}
	if node.ToggleState, err = menuProperty(props, "toggle-state", node.ToggleState); err != nil {
		return MenuNode{}, fmt.Errorf("menu item %d: %w", id, err)
	}

	for _, child := range children {
		childNode, err := parseMenuNode(child.Value())
		if err != nil {
			return MenuNode{}, err
		}
		node.Children = append(node.Children, childNode)
	}
	return node, nil
}

// menuProperty returns the property name from props as a T, or def when
// it is absent.
func menuProperty[T any](props map[string]dbus.Variant, name string, def T) (T, error) {
	v, ok := props[name]
	if !ok {
		return def, nil
	}
	value, ok := v.Value().(T)
	if !ok {
		return def, fmt.Errorf("property %s has type %s, expected %T", name, v.Signature(), def)
	}
	return value, nil
}

// Click sends the "clicked" event for the menu item id, as a desktop
// does when the user picks it. It returns when the item has replied to
// the Event call.
//
// fyne.io/systray delivers a click on its unbuffered ClickedCh with a
// non-blocking send, so the click is lost when the program is not
// receiving at that moment. Check the program's reaction, not Click's
// result.
func (i Item) Click(ctx context.Context, id int32) error {
	menu, err := i.menuObject(ctx)
	if err != nil {
		return err
	}

	timestamp := uint32(time.Now().Unix())
	err = menu.CallWithContext(ctx, menuIface+".Event", 0, id, "clicked", dbus.MakeVariant(int32(0)), timestamp).Err
	if err != nil {
		return fmt.Errorf("click menu item %d of tray item %s: %w", id, i, err)
	}
	return nil
}

// ClickLabel reads the menu, finds the first item labelled label and
// clicks it. It returns the item as it was before the click, and fails
// without clicking when the item is missing, disabled or hidden.
func (i Item) ClickLabel(ctx context.Context, label string) (MenuNode, error) {
	root, err := i.Layout(ctx)
	if err != nil {
		return MenuNode{}, err
	}

	node, ok := root.FindByLabel(label)
	if !ok {
		return MenuNode{}, fmt.Errorf("click %q: no such menu item in tray item %s; menu:\n%s", label, i, root)
	}
	if !node.Enabled || !node.Visible {
		return node, fmt.Errorf("click %q: menu item %d is disabled or hidden; menu:\n%s", label, node.ID, root)
	}

	if err := i.Click(ctx, node.ID); err != nil {
		return node, err
	}
	return node, nil
}

// OpenMenu sends AboutToShow(0) and then the "opened" event for the root
// menu, as a desktop does before it draws the menu. fyne.io/systray
// reports the event on TrayOpenedCh.
func (i Item) OpenMenu(ctx context.Context) error {
	menu, err := i.menuObject(ctx)
	if err != nil {
		return err
	}

	if err := menu.CallWithContext(ctx, menuIface+".AboutToShow", 0, int32(0)).Err; err != nil {
		return fmt.Errorf("open menu of tray item %s: AboutToShow: %w", i, err)
	}

	timestamp := uint32(time.Now().Unix())
	err = menu.CallWithContext(ctx, menuIface+".Event", 0, int32(0), "opened", dbus.MakeVariant(int32(0)), timestamp).Err
	if err != nil {
		return fmt.Errorf("open menu of tray item %s: opened event: %w", i, err)
	}
	return nil
}

// WaitForMenu reads the menu every 50 ms until match reports true for its
// root node or ctx is done, and returns the root node that matched. The
// error on timeout shows the last menu read.
func (i Item) WaitForMenu(ctx context.Context, match func(root MenuNode) bool) (MenuNode, error) {
	ticker := time.NewTicker(menuPollInterval)
	defer ticker.Stop()

	var last MenuNode
	var lastErr error
	for {
		root, err := i.Layout(ctx)
		switch {
		case err == nil && match(root):
			return root, nil
		case err == nil:
			last, lastErr = root, nil
		case errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded):
			// The call was cut short by ctx, which the select below
			// reports with the last complete menu.
		default:
			lastErr = err
		}

		select {
		case <-ticker.C:
		case <-ctx.Done():
			if lastErr != nil {
				return last, fmt.Errorf("wait for menu of tray item %s: %w; last error: %v", i, ctx.Err(), lastErr)
			}
			return last, fmt.Errorf("wait for menu of tray item %s: %w; last menu:\n%s", i, ctx.Err(), last)
		}
	}
}
