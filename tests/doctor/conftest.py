"""What the doctor's tests share: settings files of their own, and a QR code picture."""

from __future__ import annotations

from pathlib import Path

import pytest
import qrcode

from kiosk.config import ConfigSources


@pytest.fixture
def sources(tmp_path) -> ConfigSources:
    return ConfigSources(system_file=None, user_file=tmp_path / "config.toml")


def qr_png(path: Path, text: str = "ABC-123") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    qrcode.make(text).save(path)
    return path
