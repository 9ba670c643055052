"""The display: a desktop session, and a Qt platform plugin whose system libraries are all there."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from kiosk.doctor.report import FAIL, OK, WARN, Check, brief


def _qt_plugin_files(kind: str) -> dict[str, Path]:
    """Qt plugins of one kind, by short name (libqxcb.so, qwindows.dll, libqcocoa.dylib -> xcb, windows, cocoa)."""
    from PySide6.QtCore import QLibraryInfo

    folders = [Path(QLibraryInfo.path(QLibraryInfo.LibraryPath.PluginsPath))]
    folders += [Path(p) for p in os.environ.get("QT_PLUGIN_PATH", "").split(os.pathsep) if p]
    found: dict[str, Path] = {}
    for folder in folders:
        for plugin in sorted((folder / kind).glob("*")):
            stem = plugin.name.split(".")[0]
            stem = stem[3:] if stem.startswith("lib") else stem
            found.setdefault(stem[1:] if stem.startswith("q") else stem, plugin)
    return found


def _debian_package(soname: str) -> str:
    """The Debian/Ubuntu package that usually ships a library: libxcb-icccm.so.4 -> libxcb-icccm4."""
    name, _, version = soname.partition(".so.")
    version = version.split(".")[0]
    name = name.lower()
    return f"{name}-{version}" if name[-1:].isdigit() else f"{name}{version}"


def _missing_library(plugin: Path) -> str | None:
    """Load a Qt plugin's shared library the way Qt would; the library it lacks, if any.

    Loading only maps the file and its dependencies; the plugin is not started.
    """
    import ctypes

    try:
        ctypes.CDLL(str(plugin))
    except OSError as exc:
        text = str(exc)
        # "libxcb-icccm.so.4: cannot open shared object file: No such file or directory"
        first = text.split(":")[0].strip()
        return first if ".so" in first and "/" not in first else text
    return None


def check_display() -> Check:
    try:
        platforms = _qt_plugin_files("platforms")
    except ImportError as exc:
        return Check("display", FAIL, f"Qt (PySide6) cannot be loaded ({brief(exc)})", "reinstall the app")
    forced = os.environ.get("QT_QPA_PLATFORM", "").split(":")[0]
    if forced:
        wanted, where = forced, f"QT_QPA_PLATFORM={forced}"
    elif not sys.platform.startswith("linux"):
        return Check("display", OK, f"the desktop is available (Qt platforms: {', '.join(sorted(platforms))})")
    elif os.environ.get("WAYLAND_DISPLAY"):
        wanted, where = "wayland", f"Wayland session {os.environ['WAYLAND_DISPLAY']}"
    elif os.environ.get("DISPLAY"):
        wanted, where = "xcb", f"X11 display {os.environ['DISPLAY']}"
    else:
        return Check(
            "display", WARN, "no desktop session here (neither DISPLAY nor WAYLAND_DISPLAY is set): "
            "the app's windows cannot open, the headless commands work",
            "start the app from the kiosk's desktop session (the autostart entry does this)",
        )
    plugin = next((path for name, path in platforms.items() if name == wanted or name.startswith(f"{wanted}-")), None)
    if plugin is None:
        return Check(
            "display", FAIL, f"{where}, but Qt's '{wanted}' platform plugin is missing",
            "reinstall the app",
        )
    if sys.platform.startswith("linux"):
        missing = _missing_library(plugin)
        if missing:
            package = _debian_package(missing) if ".so." in missing else None
            return Check(
                "display", FAIL, f"{where}, but Qt's '{wanted}' plugin cannot load: the system library "
                f"{missing} is missing",
                f"install it: sudo apt install {package}" if package else "install the missing system library",
            )
    return Check("display", OK, f"{where} (Qt platform '{wanted}')")
