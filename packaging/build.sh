#!/usr/bin/env bash
# Build checkin-kiosk from a clean clone: the one-folder app, then (on Linux) a .tar.gz and a .deb.
#
#   packaging/build.sh                 # everything, into dist/
#   packaging/build.sh --binary-only   # just dist/checkin-kiosk/
#
# Needs Python >= 3.11 (python3, or $PYTHON). Uses .venv when it exists, else makes it and
# installs the project with its "package" extra (PyInstaller). Environment:
#   KIOSK_BUILD_DEBUG=1   console build with the bootloader's debug messages (see pyinstaller.spec)
#   KIOSK_VENV=path       the virtual environment to use or create (default .venv)
#   KIOSK_DEB_COMPRESSION=xz   a smaller .deb (about 112 MB instead of 156 MB) that takes minutes
#                              more to build; default gzip
# Outputs (Linux, x86_64 shown):
#   dist/checkin-kiosk/                               the app folder; run dist/checkin-kiosk/checkin-kiosk
#   dist/checkin-kiosk-<version>-linux-x86_64.tar.gz  the folder + desktop files + install.sh
#   dist/checkin-kiosk_<version>_amd64.deb            /opt/checkin-kiosk, /usr/bin/checkin-kiosk, menus
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

BINARY_ONLY=0
for arg in "$@"; do
  case "$arg" in
    --binary-only) BINARY_ONLY=1 ;;
    -h|--help) sed -n '2,16p' "$0"; exit 0 ;;
    *) echo "build.sh: unknown option $arg" >&2; exit 2 ;;
  esac
done

VENV=${KIOSK_VENV:-.venv}
if [ -x "$VENV/bin/python" ]; then PY="$VENV/bin/python"
elif [ -x "$VENV/Scripts/python.exe" ]; then PY="$VENV/Scripts/python.exe"
else
  echo "== making $VENV"
  "${PYTHON:-python3}" -m venv "$VENV"
  PY="$VENV/bin/python"; [ -x "$PY" ] || PY="$VENV/Scripts/python.exe"
  "$PY" -m pip install -q --upgrade pip
  "$PY" -m pip install -q -e ".[package]"
fi
"$PY" -c "import PyInstaller" 2>/dev/null || "$PY" -m pip install -q -e ".[package]"

VERSION=$("$PY" -c "import kiosk; print(kiosk.__version__)")
echo "== building checkin-kiosk $VERSION with $("$PY" -m PyInstaller --version) ($(uname -s) $(uname -m))"
"$PY" -m PyInstaller --noconfirm --clean --log-level WARN \
  --distpath dist --workpath build/pyinstaller pyinstaller.spec
APP=dist/checkin-kiosk

# A Python built from source (pyenv) carries debug symbols: strip the runtime's own files only
# (stripping wheels' vendored libraries, e.g. numpy's OpenBLAS, breaks them).
if [ "$(uname -s)" = Linux ] && [ "${KIOSK_BUILD_DEBUG:-0}" != 1 ] && command -v strip >/dev/null; then
  find "$APP/_internal" -maxdepth 1 -name 'libpython3*.so*' -type f -exec strip --strip-debug {} +
  find "$APP/_internal" -path '*/lib-dynload/*.so' -type f -exec strip --strip-debug {} + 2>/dev/null || true
fi

"$APP/checkin-kiosk" --version
echo "== app folder: $(du -sh "$APP" | cut -f1)  ($APP)"
[ "$BINARY_ONLY" = 1 ] && exit 0

case "$(uname -s)" in
  Linux) ;;
  Darwin)
    ditto -c -k --keepParent "dist/checkin-kiosk.app" "dist/checkin-kiosk-$VERSION-macos-$(uname -m).zip"
    echo "== dist/checkin-kiosk-$VERSION-macos-$(uname -m).zip (see packaging/macos/README.md to sign it)"
    exit 0 ;;
  *)
    echo "== on Windows, make the installer with Inno Setup: iscc packaging/windows/checkin-kiosk.iss"
    exit 0 ;;
esac

# ---------------------------------------------------------------- Linux: shared files
ARCH=$(uname -m)
STAGE=build/stage
rm -rf "$STAGE"
install_share() {  # $1 = prefix inside the stage (e.g. usr/share), files for menus and icons
  local share=$1
  install -Dm644 packaging/linux/checkin-kiosk.desktop "$share/applications/checkin-kiosk.desktop"
  install -Dm644 resources/icons/checkin-kiosk.svg "$share/icons/hicolor/scalable/apps/checkin-kiosk.svg"
  for size in 16 32 48 64 128 256 512; do
    install -Dm644 "resources/icons/checkin-kiosk-$size.png" "$share/icons/hicolor/${size}x${size}/apps/checkin-kiosk.png"
  done
  install -Dm644 packaging/linux/checkin-kiosk-autostart.desktop "$share/checkin-kiosk/checkin-kiosk-autostart.desktop"
  install -Dm644 packaging/linux/config.toml.example "$share/doc/checkin-kiosk/config.toml.example"
  install -Dm644 packaging/README.md "$share/doc/checkin-kiosk/README.md"
}

# ---------------------------------------------------------------- .tar.gz
TARDIR="$STAGE/tar/checkin-kiosk-$VERSION"
mkdir -p "$TARDIR"
cp -a "$APP" "$TARDIR/checkin-kiosk"
install_share "$TARDIR/share"
install -Dm644 packaging/linux/checkin-kiosk.service "$TARDIR/share/systemd/user/checkin-kiosk.service"
install -Dm755 packaging/linux/install.sh "$TARDIR/install.sh"
install -Dm644 packaging/README.md "$TARDIR/README.md"
TARBALL="dist/checkin-kiosk-$VERSION-linux-$ARCH.tar.gz"
tar -C "$STAGE/tar" --owner=0 --group=0 -czf "$TARBALL" "checkin-kiosk-$VERSION"
echo "== $TARBALL: $(du -h "$TARBALL" | cut -f1)"

# ---------------------------------------------------------------- .deb
if ! command -v dpkg-deb >/dev/null; then
  echo "== no dpkg-deb here: skipping the .deb"; exit 0
fi
DEBARCH=$(dpkg --print-architecture)
DEB="$STAGE/deb"
mkdir -p "$DEB/opt" "$DEB/usr/bin" "$DEB/DEBIAN"
cp -a "$APP" "$DEB/opt/checkin-kiosk"
ln -s /opt/checkin-kiosk/checkin-kiosk "$DEB/usr/bin/checkin-kiosk"
install_share "$DEB/usr/share"
install -Dm644 packaging/linux/checkin-kiosk.service "$DEB/usr/lib/systemd/user/checkin-kiosk.service"
printf 'checkin-kiosk, MIT licence. Bundled third-party libraries keep their own licences\n(Qt/PySide6: LGPLv3; OpenCV: Apache-2.0; zxing-cpp: Apache-2.0; zbar: LGPLv2.1).\n' \
  > "$DEB/usr/share/doc/checkin-kiosk/copyright"
GLIBC=$(ldd --version 2>/dev/null | head -1 | grep -oE '[0-9]+\.[0-9]+$' || echo 2.31)
SIZE_KB=$(du -sk "$DEB" | cut -f1)
cat > "$DEB/DEBIAN/control" <<EOF
Package: checkin-kiosk
Version: $VERSION
Section: misc
Priority: optional
Architecture: $DEBARCH
Installed-Size: $SIZE_KB
Maintainer: checkin-kiosk maintainers <maintainers@checkin-kiosk.invalid>
Depends: libc6 (>= $GLIBC), libgl1, libegl1, libfontconfig1, libfreetype6, libdbus-1-3, libxkbcommon0, libxkbcommon-x11-0, libxcb-cursor0, libxcb-icccm4, libxcb-keysyms1, libxcb-image0, libxcb-render-util0, libxcb-shape0, libxcb-randr0, libxcb-xkb1, fonts-noto-cjk
Recommends: gnome-keyring | kwalletmanager, pipewire-bin | pulseaudio-utils | alsa-utils, libwayland-cursor0
Description: offline-first event check-in kiosk, staff desk and dashboard
 Door staff scan attendees' QR tickets with a webcam or a USB hand scanner; the
 kiosk decides from its local replica and syncs with the central API when the
 network allows. Includes the headless command line and the reference server.
EOF
cat > "$DEB/DEBIAN/postinst" <<'EOF'
#!/bin/sh
set -e
if [ "$1" = configure ]; then
  command -v update-desktop-database >/dev/null && update-desktop-database -q /usr/share/applications || true
  command -v gtk-update-icon-cache >/dev/null && gtk-update-icon-cache -q -t /usr/share/icons/hicolor || true
fi
exit 0
EOF
cp "$DEB/DEBIAN/postinst" "$DEB/DEBIAN/postrm"
sed -i 's/\[ "$1" = configure \]/[ "$1" = remove ] || [ "$1" = purge ]/' "$DEB/DEBIAN/postrm"
chmod 755 "$DEB/DEBIAN/postinst" "$DEB/DEBIAN/postrm"
DEBFILE="dist/checkin-kiosk_${VERSION}_${DEBARCH}.deb"
dpkg-deb --root-owner-group -Z"${KIOSK_DEB_COMPRESSION:-gzip}" --build "$DEB" "$DEBFILE" >/dev/null
echo "== $DEBFILE: $(du -h "$DEBFILE" | cut -f1)"
