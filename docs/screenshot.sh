#!/usr/bin/env bash
# Renders the tray icon and its open menu on a virtual X display with a
# real XFCE panel, and writes the picture to docs/screenshot.png, or to
# the path given as the first argument.
#
# The app runs with -sandbox, so it talks only to its built-in Zoom
# simulator on 127.0.0.1, and signs in through the stand-in browser of the
# end-to-end tests, which follows the sign-in redirects on loopback. The
# panel and the app share a private D-Bus session bus and X display, with
# HOME and the XDG folders in a temporary folder.
#
# On Debian or Ubuntu as root it installs what it needs with apt-get.
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ "${1:-}" != --inner ]]; then
  out=$(realpath -m "${1:-docs/screenshot.png}")
  packages=(xvfb xfce4-panel xfce4-sntray-plugin xdotool imagemagick dbus-daemon dbus-bin xfconf fonts-dejavu-core)
  missing=0
  for command in Xvfb xfce4-panel xdotool import dbus-run-session dbus-send; do
    command -v "$command" >/dev/null || missing=1
  done
  [[ -n "$(find /usr/lib -name libsntray-xfce.so -print -quit 2>/dev/null)" ]] || missing=1
  if [[ $missing -eq 1 ]]; then
    if [[ $(id -u) -ne 0 ]]; then
      echo "screenshot.sh: missing tools; run as root or install: apt-get install ${packages[*]}" >&2
      exit 1
    fi
    echo "screenshot.sh: installing ${packages[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
  fi

  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  mkdir -p "$work/home" "$work/config" "$work/cache" "$work/data" "$work/runtime" "$work/bin"
  chmod 700 "$work/runtime"

  # The go command keeps its caches where they were before HOME moves.
  GOPATH=$(go env GOPATH) GOCACHE=$(go env GOCACHE) GOMODCACHE=$(go env GOMODCACHE)
  export GOPATH GOCACHE GOMODCACHE

  # Services that the bus starts on demand, such as xfconfd for the
  # panel's settings, inherit these folders.
  export HOME=$work/home XDG_CONFIG_HOME=$work/config XDG_CACHE_HOME=$work/cache \
    XDG_DATA_HOME=$work/data XDG_RUNTIME_DIR=$work/runtime
  export SCREENSHOT_WORK=$work SCREENSHOT_OUT=$out
  # No accessibility bus: the panel would start one that outlives it.
  export NO_AT_BRIDGE=1
  unset DBUS_SESSION_BUS_ADDRESS
  dbus-run-session -- "$0" --inner
  exit
fi

work=$SCREENSHOT_WORK
pids=()
cleanup() {
  local pid
  for pid in "${pids[@]}"; do
    kill "$pid" 2>/dev/null || true
  done
  wait 2>/dev/null || true
}
trap cleanup EXIT

# wait_for runs a command every 100 ms until it succeeds, for at most
# 20 seconds.
wait_for() {
  local what=$1
  shift
  for _ in $(seq 200); do
    if "$@" >/dev/null 2>&1; then
      return 0
    fi
    sleep 0.1
  done
  echo "screenshot.sh: timed out waiting for $what" >&2
  return 1
}

# One panel along the top edge: an expanding separator, then the
# StatusNotifierItem tray, which is also the tray host on the bus.
panel_config=$XDG_CONFIG_HOME/xfce4/xfconf/xfce-perchannel-xml
mkdir -p "$panel_config"
cat >"$panel_config/xfce4-panel.xml" <<'XML'
<?xml version="1.0" encoding="UTF-8"?>
<channel name="xfce4-panel" version="1.0">
  <property name="configver" type="int" value="2"/>
  <property name="panels" type="array">
    <value type="int" value="1"/>
    <property name="panel-1" type="empty">
      <property name="position" type="string" value="p=6;x=0;y=0"/>
      <property name="length" type="uint" value="100"/>
      <property name="position-locked" type="bool" value="true"/>
      <property name="size" type="uint" value="32"/>
      <property name="icon-size" type="uint" value="24"/>
      <property name="plugin-ids" type="array">
        <value type="int" value="1"/>
        <value type="int" value="2"/>
      </property>
    </property>
  </property>
  <property name="plugins" type="empty">
    <property name="plugin-1" type="string" value="separator">
      <property name="expand" type="bool" value="true"/>
      <property name="style" type="uint" value="0"/>
    </property>
    <property name="plugin-2" type="string" value="sntray"/>
  </property>
</channel>
XML

display=99
while [[ -e /tmp/.X11-unix/X$display || -e /tmp/.X$display-lock ]]; do
  display=$((display + 1))
done
export DISPLAY=:$display
Xvfb "$DISPLAY" -screen 0 480x400x24 -wr -nolisten tcp >"$work/xvfb.log" 2>&1 &
pids+=($!)
wait_for "the X display" test -e "/tmp/.X11-unix/X$display"

GSETTINGS_BACKEND=memory xfce4-panel --disable-wm-check >"$work/panel.log" 2>&1 &
pids+=($!)
wait_for "the tray host" dbus-send --session --print-reply --dest=org.freedesktop.DBus / \
  org.freedesktop.DBus.GetNameOwner string:org.kde.StatusNotifierWatcher

# The stand-in browser takes the place of xdg-open.
go build -o "$work/bin/zoom-presence" .
go build -o "$work/bin/xdg-open" ./internal/desktoptest/opener
export PATH=$work/bin:$PATH

zoom-presence -sandbox -log-level debug >"$work/app.log" 2>&1 &
pids+=($!)
registered() {
  dbus-send --session --print-reply --dest=org.kde.StatusNotifierWatcher /StatusNotifierWatcher \
    org.freedesktop.DBus.Properties.Get string:org.kde.StatusNotifierWatcher \
    string:RegisteredStatusNotifierItems | grep -q /StatusNotifierItem
}
wait_for "the tray icon" registered
sleep 1

# The tray icon is the rightmost thing on the panel.
click_icon() {
  xdotool mousemove 466 16 click 1
  sleep 1
}

# Sign in: the first item that takes the keyboard in the signed-out
# menu is "Sign in to Zoom…", because the status items are disabled.
click_icon
xdotool key Down Return
wait_for "the sign-in" grep -q "signed in to Zoom" "$work/app.log"
wait_for "the status" grep -q "Zoom status" "$work/app.log"
sleep 1

# xfce4-sntray-plugin opens the menu over the icon, so the picture shows
# the panel with the icon first, and under it the same screen with the
# menu open.
import -window root -crop 480x32+0+0 +repage "$work/panel.png"
click_icon
import -window root -crop 480x366+0+0 +repage "$work/menu.png"
convert "$work/panel.png" "$work/menu.png" -append +repage "$SCREENSHOT_OUT"
echo "screenshot.sh: wrote $SCREENSHOT_OUT"
