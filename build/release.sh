#!/usr/bin/env bash
# Builds the release files into dist/:
#
#   dist/zoom-presence-VERSION-linux-amd64.tar.gz   binary, .desktop file, icon
#   dist/zoom-presence-VERSION-linux-arm64.tar.gz
#   dist/zoom-presence-VERSION-windows-amd64.zip    GUI binary with icon and manifest
#   dist/Zoom Presence.app                          macOS bundle
#
# Linux and Windows binaries cross-compile without cgo on any machine with
# Go. fyne.io/systray needs cgo and Apple's SDK on macOS, so the bundle's
# binary is built only when this script runs on a Mac; elsewhere the
# script lays out the bundle and leaves Contents/MacOS empty.
#
# Environment:
#   ZOOM_CLIENT_ID  bakes an organisation's Zoom client ID into the
#                   binaries, so that users need no flag. It is not a
#                   secret: public OAuth clients ship it in the app.
#   VERSION         the version to stamp; default: git describe.
#   TARGETS         space-separated subset of: linux-amd64 linux-arm64
#                   windows-amd64 darwin; default: all.
set -euo pipefail
cd "$(dirname "$0")/.."

# go-winres writes the Windows resources (icon, manifest, version). The
# version is pinned so that release builds are repeatable.
winres=github.com/tc-hib/go-winres@v0.3.3

version=${VERSION:-$(git describe --tags --always --dirty 2>/dev/null || echo dev)}
targets=${TARGETS:-linux-amd64 linux-arm64 windows-amd64 darwin}
dist=dist
ldflags="-s -w -X main.version=$version"
if [[ -n "${ZOOM_CLIENT_ID:-}" ]]; then
  if [[ ! "$ZOOM_CLIENT_ID" =~ ^[A-Za-z0-9_.-]+$ ]]; then
    echo "release.sh: invalid ZOOM_CLIENT_ID: expected letters, digits, '_', '.' or '-'" >&2
    exit 2
  fi
  ldflags="$ldflags -X main.clientID=$ZOOM_CLIENT_ID"
fi

mkdir -p "$dist"

# numeric_version turns VERSION into the a.b.c.d form that Windows
# version resources take, or 0.0.0.0 when it has no leading number.
numeric_version() {
  local v=${version#v}
  if [[ "$v" =~ ^([0-9]+)\.([0-9]+)\.([0-9]+) ]]; then
    echo "${BASH_REMATCH[1]}.${BASH_REMATCH[2]}.${BASH_REMATCH[3]}.0"
  else
    echo 0.0.0.0
  fi
}

build_linux() {
  local arch=$1
  local dir="$dist/zoom-presence-$version-linux-$arch"
  rm -rf "$dir"
  mkdir -p "$dir"
  CGO_ENABLED=0 GOOS=linux GOARCH=$arch go build -trimpath -ldflags "$ldflags" -o "$dir/zoom-presence" .
  cp build/linux/zoom-presence.desktop "$dir/"
  cp assets/available.png "$dir/zoom-presence.png"
  tar -C "$dist" -czf "$dir.tar.gz" "$(basename "$dir")"
  echo "release.sh: wrote $dir.tar.gz"
}

build_windows() {
  local dir="$dist/zoom-presence-$version-windows-amd64"
  local syso=rsrc_windows_amd64.syso
  rm -rf "$dir"
  mkdir -p "$dir"

  # The linker takes every .syso file in the package folder, so the
  # resource file exists only for this build.
  trap 'rm -f "$syso"' RETURN
  go run "$winres" make --in build/windows/winres.json --arch amd64 --out rsrc \
    --product-version "$(numeric_version)" --file-version "$(numeric_version)"

  # -H=windowsgui links for the GUI subsystem, so that starting the app
  # opens no console window.
  CGO_ENABLED=0 GOOS=windows GOARCH=amd64 go build -trimpath -ldflags "$ldflags -H=windowsgui" -o "$dir/zoom-presence.exe" .
  if ! command -v zip >/dev/null; then
    echo "release.sh: wrote $dir/ but no .zip: zip not found; install it with apt-get install zip"
    return
  fi
  (cd "$dist" && rm -f "$(basename "$dir").zip" && zip -qr "$(basename "$dir").zip" "$(basename "$dir")")
  echo "release.sh: wrote $dir.zip"
}

build_darwin() {
  local app="$dist/Zoom Presence.app"
  rm -rf "$app"
  mkdir -p "$app/Contents/MacOS" "$app/Contents/Resources"
  # LSUIElement in Info.plist keeps the app out of the Dock and the app
  # switcher: it lives in the menu bar only.
  sed "s/<string>VERSION<\/string>/<string>${version#v}<\/string>/" build/macos/Info.plist >"$app/Contents/Info.plist"
  cp assets/available.png "$app/Contents/Resources/zoom-presence.png"

  if [[ "$(uname -s)" != Darwin ]]; then
    echo "release.sh: laid out $app; build its binary on a Mac with: TARGETS=darwin bash build/release.sh"
    return
  fi
  local arch
  for arch in arm64 amd64; do
    CGO_ENABLED=1 GOOS=darwin GOARCH=$arch go build -trimpath -ldflags "$ldflags" -o "$dist/zoom-presence-darwin-$arch" .
  done
  lipo -create -output "$app/Contents/MacOS/zoom-presence" "$dist/zoom-presence-darwin-arm64" "$dist/zoom-presence-darwin-amd64"
  rm "$dist/zoom-presence-darwin-arm64" "$dist/zoom-presence-darwin-amd64"
  echo "release.sh: wrote $app"
}

for target in $targets; do
  case $target in
    linux-amd64) build_linux amd64 ;;
    linux-arm64) build_linux arm64 ;;
    windows-amd64) build_windows ;;
    darwin) build_darwin ;;
    *)
      echo "release.sh: unknown target $target: use linux-amd64, linux-arm64, windows-amd64 or darwin" >&2
      exit 2
      ;;
  esac
done
