"""Fonts for Chinese, Japanese and Korean names: without one, the door shows them as empty boxes.

Qt-free: fontconfig (``fc-list``) answers which installed fonts cover a language, the
same fonts Qt falls back to on Linux. Windows and macOS ship fonts that cover them.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from typing import Callable

from kiosk.doctor.report import OK, WARN, Check

LANGUAGES = {"zh": "Chinese", "ja": "Japanese", "ko": "Korean"}
FIX = ("install a font that covers them: sudo apt install fonts-noto-cjk (Fedora: google-noto-sans-cjk-fonts, "
       "Arch: noto-fonts-cjk)")


def fontconfig_families(language: str) -> list[str] | None:
    """The families fontconfig knows for a language (``fc-list :lang=zh family``); None without fc-list."""
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return None
    done = subprocess.run([fc_list, f":lang={language}", "family"], capture_output=True, text=True,
                          timeout=20, check=False)
    return sorted({line.split(",")[0].strip() for line in done.stdout.splitlines() if line.strip()})


def check_cjk_fonts(families_for: Callable[[str], list[str] | None] = fontconfig_families,
                    platform: str = sys.platform) -> Check:
    if not platform.startswith("linux"):
        return Check("fonts", OK, "the system's fonts cover Chinese, Japanese and Korean names")
    found = {code: families_for(code) for code in LANGUAGES}
    if any(families is None for families in found.values()):
        return Check("fonts", WARN, "cannot tell which fonts cover Chinese, Japanese and Korean names "
                     "(fontconfig's fc-list is not installed)", "install fontconfig, then run doctor again")
    missing = [LANGUAGES[code] for code, families in found.items() if not families]
    if missing:
        return Check("fonts", WARN, f"no installed font covers {' or '.join(missing)} names: the door would "
                     "show them as empty boxes", FIX)
    return Check("fonts", OK, "Chinese, Japanese and Korean names can be drawn ("
                 + ", ".join(sorted({families[0] for families in found.values()})) + ")")
