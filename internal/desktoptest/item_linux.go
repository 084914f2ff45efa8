package desktoptest

import (
	"context"
	"fmt"

	"github.com/godbus/dbus/v5"
)

const itemIface = "org.kde.StatusNotifierItem"

// Item is a StatusNotifierItem registered with a [Watcher]. Its methods
// call the item over the watcher's connection, so they work until the
// test's cleanups run. They are safe for concurrent use.
type Item struct {
	// Service is the bus name that serves the item. For an item that
	// registered with an object path, as fyne.io/systray does, it is the
	// unique name of the registering connection.
	Service string

	// Path is the object path of the item.
	Path dbus.ObjectPath

	conn *dbus.Conn
}

// String returns the item as RegisteredStatusNotifierItems lists it: the
// bus name followed by the object path.
func (i Item) String() string {
	return i.Service + string(i.Path)
}

// ItemProperties are the org.kde.StatusNotifierItem properties of an
// [Item].
type ItemProperties struct {
	ID       string // Id
	Title    string
	Category string
	Status   string // "Passive", "Active" or "NeedsAttention"

	ToolTipTitle string // title member of ToolTip
	ToolTipBody  string // description member of ToolTip

	IconName string
	Icons    []Pixmap // IconPixmap

	// Menu is the object path of the item's com.canonical.dbusmenu
	// menu, or "" when the item has none.
	Menu dbus.ObjectPath

	ItemIsMenu bool
}

// HasIcon reports whether the item shows an icon: a themed icon name or
// at least one complete, non-empty pixmap.
func (p ItemProperties) HasIcon() bool {
	if p.IconName != "" {
		return true
	}
	for _, icon := range p.Icons {
		if icon.Width > 0 && icon.Height > 0 && len(icon.ARGB) == int(icon.Width)*int(icon.Height)*4 {
			return true
		}
	}
	return false
}

// Pixmap is one icon image of an item, as sent in the a(iiay) type.
type Pixmap struct {
	Width, Height int32

	// ARGB holds the pixels as 32-bit ARGB values in network byte order,
	// row by row.
	ARGB []byte
}

// Properties reads all properties of the item in one GetAll call.
func (i Item) Properties(ctx context.Context) (ItemProperties, error) {
	call := i.conn.Object(i.Service, i.Path).CallWithContext(ctx, "org.freedesktop.DBus.Properties.GetAll", 0, itemIface)
	if call.Err != nil {
		return ItemProperties{}, fmt.Errorf("read properties of tray item %s: %w", i, call.Err)
	}

	// Body is read directly: Store would re-wrap nested variants and
	// change their types.
	if len(call.Body) != 1 {
		return ItemProperties{}, fmt.Errorf("read properties of tray item %s: reply has %d values, expected 1", i, len(call.Body))
	}
	values, ok := call.Body[0].(map[string]dbus.Variant)
	if !ok {
		return ItemProperties{}, fmt.Errorf("read properties of tray item %s: reply is %T, expected a{sv}", i, call.Body[0])
	}

	props, err := parseItemProperties(values)
	if err != nil {
		return ItemProperties{}, fmt.Errorf("read properties of tray item %s: %w", i, err)
	}
	return props, nil
}

func parseItemProperties(values map[string]dbus.Variant) (ItemProperties, error) {
	var props ItemProperties
	var err error

	stringProps := map[string]*string{
		"Id":       &props.ID,
		"Title":    &props.Title,
		"Category": &props.Category,
		"Status":   &props.Status,
		"IconName": &props.IconName,
	}
	for name, field := range stringProps {
		if *field, err = optionalValue[string](values, name); err != nil {
			return ItemProperties{}, err
		}
	}

	if props.Menu, err = optionalValue[dbus.ObjectPath](values, "Menu"); err != nil {
		return ItemProperties{}, err
	}
	if props.ItemIsMenu, err = optionalValue[bool](values, "ItemIsMenu"); err != nil {
		return ItemProperties{}, err
	}

	if v, ok := values["IconPixmap"]; ok {
		if props.Icons, err = parsePixmaps(v.Value()); err != nil {
			return ItemProperties{}, fmt.Errorf("property IconPixmap: %w", err)
		}
	}

	if v, ok := values["ToolTip"]; ok {
		// ToolTip is (sa(iiay)ss): icon name, icon pixmaps, title, body.
		fields, ok := v.Value().([]any)
		if !ok || len(fields) != 4 {
			return ItemProperties{}, fmt.Errorf("property ToolTip has type %s, expected (sa(iiay)ss)", v.Signature())
		}
		title, titleOK := fields[2].(string)
		body, bodyOK := fields[3].(string)
		if !titleOK || !bodyOK {
			return ItemProperties{}, fmt.Errorf("property ToolTip has type %s, expected (sa(iiay)ss)", v.Signature())
		}
		props.ToolTipTitle = title
		props.ToolTipBody = body
	}
	return props, nil
}

// optionalValue returns the property name from values as a T, or the zero
// T when the property is absent.
func optionalValue[T any](values map[string]dbus.Variant, name string) (T, error) {
	var zero T

	v, ok := values[name]
	if !ok {
		return zero, nil
	}
	value, ok := v.Value().(T)
	if !ok {
		return zero, fmt.Errorf("property %s has type %s, expected %T", name, v.Signature(), zero)
	}
	return value, nil
}

// parsePixmaps converts a decoded a(iiay) value.
func parsePixmaps(value any) ([]Pixmap, error) {
	list, ok := value.([][]any)
	if !ok {
		return nil, fmt.Errorf("value is %T, expected a(iiay)", value)
	}

	pixmaps := make([]Pixmap, 0, len(list))
	for _, fields := range list {
		if len(fields) != 3 {
			return nil, fmt.Errorf("pixmap has %d fields, expected 3", len(fields))
		}
		width, widthOK := fields[0].(int32)
		height, heightOK := fields[1].(int32)
		data, dataOK := fields[2].([]byte)
		if !widthOK || !heightOK || !dataOK {
			return nil, fmt.Errorf("pixmap is (%T, %T, %T), expected (iiay)", fields[0], fields[1], fields[2])
		}
		pixmaps = append(pixmaps, Pixmap{Width: width, Height: height, ARGB: data})
	}
	return pixmaps, nil
}
