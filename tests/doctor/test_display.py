"""kiosk.doctor.display: the desktop session and Qt's platform plugins."""

from __future__ import annotations

import sys

import pytest

from kiosk.doctor import display
from kiosk.doctor.report import FAIL, OK, WARN


def test_display_offscreen_is_ok(monkeypatch):
    monkeypatch.setenv("QT_QPA_PLATFORM", "offscreen")
    check = display.check_display()
    assert check.status == OK and "offscreen" in check.message


def test_display_missing_plugin_fails(monkeypatch):
    monkeypatch.setenv("QT_QPA_PLATFORM", "no-such-platform")
    check = display.check_display()
    assert check.status == FAIL and "platform plugin is missing" in check.message


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="DISPLAY is an X11/Wayland notion")
def test_no_desktop_session_is_a_warning(monkeypatch):
    for var in ("QT_QPA_PLATFORM", "DISPLAY", "WAYLAND_DISPLAY"):
        monkeypatch.delenv(var, raising=False)
    check = display.check_display()
    assert check.status == WARN and "no desktop session" in check.message


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux shared libraries")
def test_x11_display_names_the_missing_system_library_as_ldd_does(monkeypatch):
    import shutil
    import subprocess

    if shutil.which("ldd") is None:
        pytest.skip("no ldd to compare with")
    monkeypatch.delenv("QT_QPA_PLATFORM", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    monkeypatch.setenv("DISPLAY", ":97")
    plugin = display._qt_plugin_files("platforms")["xcb"]
    ldd = subprocess.run(["ldd", str(plugin)], capture_output=True, text=True, check=False).stdout
    missing = [line.split("=>")[0].strip() for line in ldd.splitlines() if "not found" in line]
    check = display.check_display()
    if missing:
        assert check.status == FAIL
        assert any(lib in check.message for lib in missing)
        assert check.fix.startswith("install it: sudo apt install lib")
    else:
        assert check.status == OK and "X11 display :97" in check.message


def test_debian_package_names():
    assert display._debian_package("libxcb-icccm.so.4") == "libxcb-icccm4"
    assert display._debian_package("libxkbcommon-x11.so.0") == "libxkbcommon-x11-0"
    assert display._debian_package("libGL.so.1") == "libgl1"
    assert display._debian_package("libdbus-1.so.3") == "libdbus-1-3"
