"""PyInstaller runtime hook: let pyzbar find the libzbar bundled beside the app.

pyzbar asks ``ctypes.util.find_library("zbar")``, which searches the system, not
the app's folder; answer with the bundled copy when there is one.
"""

import ctypes.util
import glob
import os
import sys

_bundle = getattr(sys, "_MEIPASS", None)
_system_find_library = ctypes.util.find_library


def _find_library(name):
    if name == "zbar" and _bundle:
        found = sorted(
            glob.glob(os.path.join(_bundle, "libzbar.so*")) + glob.glob(os.path.join(_bundle, "libzbar*.dylib"))
        )
        if found:
            return found[0]
    return _system_find_library(name)


ctypes.util.find_library = _find_library
