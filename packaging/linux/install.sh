#!/bin/sh
# Install checkin-kiosk from this unpacked tarball (any Linux; on Debian/Ubuntu prefer the .deb).
#
#   sudo ./install.sh                    # into /opt/checkin-kiosk, command in /usr/local/bin
#   sudo ./install.sh --uninstall
#   PREFIX=/usr/local APPDIR=/opt/checkin-kiosk sudo -E ./install.sh
#
# Installs the app folder, the `checkin-kiosk` command, the menu entry, the icons and the
# systemd user unit (not enabled). Settings, the replica and logs live in each user's folders
# and are never touched, not even by --uninstall.
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
PREFIX=${PREFIX:-/usr/local}
APPDIR=${APPDIR:-/opt/checkin-kiosk}
SHARE="$PREFIX/share"
UNIT="$PREFIX/lib/systemd/user/checkin-kiosk.service"

if [ "${1:-}" = "--uninstall" ]; then
  rm -rf "$APPDIR"
  rm -f "$PREFIX/bin/checkin-kiosk" "$SHARE/applications/checkin-kiosk.desktop" "$UNIT"
  rm -f "$SHARE"/icons/hicolor/*/apps/checkin-kiosk.png "$SHARE/icons/hicolor/scalable/apps/checkin-kiosk.svg"
  rm -rf "$SHARE/checkin-kiosk" "$SHARE/doc/checkin-kiosk"
  echo "checkin-kiosk removed (users' settings and data are kept)"
  exit 0
fi

rm -rf "$APPDIR.new"
mkdir -p "$(dirname "$APPDIR")"
cp -a "$HERE/checkin-kiosk" "$APPDIR.new"
rm -rf "$APPDIR"
mv "$APPDIR.new" "$APPDIR"
mkdir -p "$PREFIX/bin" "$(dirname "$UNIT")"
ln -sf "$APPDIR/checkin-kiosk" "$PREFIX/bin/checkin-kiosk"
cp -R "$HERE/share/." "$SHARE/"
rm -rf "$SHARE/systemd"  # the unit goes where systemd looks for user units
install -m644 "$HERE/share/systemd/user/checkin-kiosk.service" "$UNIT"
command -v update-desktop-database >/dev/null && update-desktop-database -q "$SHARE/applications" || true
command -v gtk-update-icon-cache >/dev/null && gtk-update-icon-cache -q -t "$SHARE/icons/hicolor" || true
if command -v fc-list >/dev/null && [ -z "$(fc-list :lang=ko family 2>/dev/null)" ]; then
  # The .deb depends on fonts-noto-cjk; the tarball cannot, so it says so.
  echo "note: no font for Chinese, Japanese and Korean names: they would show as empty boxes." \
       "Install one, e.g. sudo apt install fonts-noto-cjk (README.md)"
fi
echo "checkin-kiosk installed in $APPDIR; run: checkin-kiosk doctor"
