"""Render resources/icons/checkin-kiosk.svg into the PNG, ICO and ICNS files the packages use.

Run after changing the SVG: ``python packaging/make_icons.py`` (needs PySide6 and Pillow).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PIL import Image  # noqa: E402
from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtGui import QGuiApplication, QImage, QPainter  # noqa: E402
from PySide6.QtSvg import QSvgRenderer  # noqa: E402

ICONS = Path(__file__).resolve().parent.parent / "resources" / "icons"
SVG = ICONS / "checkin-kiosk.svg"
PNG_SIZES = (16, 32, 48, 64, 128, 256, 512)


def render(renderer: QSvgRenderer, size: int) -> Path:
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter)
    painter.end()
    out = ICONS / f"checkin-kiosk-{size}.png"
    if not image.save(str(out)):
        raise SystemExit(f"cannot write {out}")
    return out


def main() -> int:
    app = QGuiApplication(sys.argv[:1])  # noqa: F841 - QPainter on QImage needs a Gui application
    renderer = QSvgRenderer(str(SVG))
    if not renderer.isValid():
        raise SystemExit(f"{SVG} is not a valid SVG")
    pngs = {size: render(renderer, size) for size in PNG_SIZES}
    (ICONS / "checkin-kiosk.png").write_bytes(pngs[256].read_bytes())
    big = Image.open(pngs[512])
    big.save(ICONS / "checkin-kiosk.ico", sizes=[(s, s) for s in (16, 24, 32, 48, 64, 128, 256)])
    big.save(ICONS / "checkin-kiosk.icns")
    print(f"wrote {len(pngs)} PNGs, checkin-kiosk.png, .ico and .icns in {ICONS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
