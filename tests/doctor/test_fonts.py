"""kiosk.doctor.fonts: a font for Chinese, Japanese and Korean names (issue 15, item 10)."""

from __future__ import annotations

import shutil

import pytest

from kiosk.doctor.fonts import check_cjk_fonts, fontconfig_families
from kiosk.doctor.report import OK, WARN


def test_no_font_for_a_language_is_a_warning_with_the_package_to_install():
    families = {"zh": ["Noto Sans CJK SC"], "ja": ["Noto Sans CJK JP"], "ko": []}
    check = check_cjk_fonts(families.get, platform="linux")
    assert check.status == WARN and "Korean" in check.message and "empty boxes" in check.message
    assert "fonts-noto-cjk" in check.fix


def test_fonts_for_every_language_are_ok():
    check = check_cjk_fonts(lambda _language: ["Noto Sans CJK JP"], platform="linux")
    assert check.status == OK and "Noto Sans CJK JP" in check.message


def test_without_fontconfig_the_doctor_says_it_cannot_tell():
    check = check_cjk_fonts(lambda _language: None, platform="linux")
    assert check.status == WARN and "fc-list" in check.message


def test_windows_and_macos_ship_such_fonts():
    assert check_cjk_fonts(lambda _language: [], platform="win32").status == OK


@pytest.mark.skipif(shutil.which("fc-list") is None, reason="fontconfig is a Linux desktop's")
def test_this_machine_has_the_font_the_deb_depends_on():
    # .ci/dev installs fonts-noto-cjk, as the .deb depends on it.
    assert any("CJK" in family for family in fontconfig_families("ko"))
    assert check_cjk_fonts().status == OK
