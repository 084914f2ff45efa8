#!/usr/bin/env bash
# Installs what the tests need on a Debian machine, then runs every check:
# formatting, go vet, the unit tests (with the race detector where it
# applies), and the end-to-end test that drives the built binary on a
# private D-Bus session.
set -euo pipefail
cd "$(dirname "$0")/.."

# chromium signs in for real in the end-to-end test, headless.
packages=(dbus-daemon gnome-keyring chromium)
commands=(dbus-daemon gnome-keyring-daemon chromium)

missing=0
for command in "${commands[@]}"; do
  command -v "$command" >/dev/null || missing=1
done
if [[ $missing -eq 1 ]]; then
  if [[ $(id -u) -ne 0 ]]; then
    echo "test.sh: missing ${commands[*]}; run as root or install: apt-get install ${packages[*]}" >&2
    exit 1
  fi
  echo "test.sh: installing ${packages[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
fi

go mod download

unformatted=$(gofmt -l .)
if [[ -n "$unformatted" ]]; then
  echo "test.sh: files not formatted with gofmt:" >&2
  echo "$unformatted" >&2
  exit 1
fi
go vet ./...

# The Windows binary cross-compiles here as the release script builds it:
# GUI subsystem, icon and manifest resources.
GOOS=windows go vet ./...
TARGETS=windows-amd64 VERSION=ci bash build/release.sh
test -s dist/zoom-presence-ci-windows-amd64/zoom-presence.exe

# The end-to-end test fails instead of skipping when a desktop tool is
# missing, so that a broken install cannot pass unnoticed.
export ZOOM_PRESENCE_E2E=1
go test -count=1 ./...

# The race detector runs on the packages with concurrent logic. The tray
# package is left out because fyne.io/systray v1.12.2 itself updates its
# menu revision under the wrong lock, which the detector reports.
go test -race -count=1 ./zoom/... ./auth/...

# Short fuzz runs of the parsers that read what a browser or Zoom sends:
# the sign-in callback's query, token endpoint responses and Zoom API
# error bodies. go test -fuzz takes one target per run.
go test -run '^$' -fuzz '^FuzzCallback$' -fuzztime 10s ./auth
go test -run '^$' -fuzz '^FuzzTokenResponse$' -fuzztime 10s ./auth
go test -run '^$' -fuzz '^FuzzCheckResponse$' -fuzztime 10s ./zoom
