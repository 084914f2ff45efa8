#!/usr/bin/env bash
# Measures zoom-presence against a bare fyne.io/systray program with the
# same icon, on private D-Bus session buses with the stand-in tray host of
# the end-to-end tests, and prints the table for docs/benchmarks.md. It
# takes about two minutes, one of which is the idle minute.
#
# The app talks only to Zoom simulators on 127.0.0.1: its built-in one
# (-sandbox) or one that the benchmark starts in its own process. On Debian or Ubuntu as root it installs
# dbus-daemon with apt-get when it is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v dbus-daemon >/dev/null; then
  if [[ $(id -u) -ne 0 ]]; then
    echo "bench.sh: dbus-daemon not found; run as root or install: apt-get install dbus-daemon" >&2
    exit 1
  fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends dbus-daemon >/dev/null
fi

echo "bench.sh: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'), $(go version)"
ZOOM_PRESENCE_E2E=1 go test -count=1 -run '^$' -bench Tray -benchtime 1x -timeout 10m ./build/bench
