"""An attendee's QR badge: painted once, shown on screen, saved as PDF or printed.

The QR code is drawn as vector rectangles (never a scaled bitmap), so the same
painting is sharp on screen, in a PDF and on a label printer.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import qrcode
from PySide6.QtCore import QMarginsF, QRectF, QSizeF, Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetricsF,
    QImage,
    QPageLayout,
    QPageSize,
    QPainter,
    QPainterPath,
    QPdfWriter,
    QPen,
)
from qrcode.constants import ERROR_CORRECT_M

from kiosk.core.results import AttendeeView

# A 4 x 3 inch name badge: the common size of badge stock and label printers.
BADGE_SIZE_MM = QSizeF(101.6, 76.2)
MM_PER_INCH = 25.4
BADGE_ASPECT = BADGE_SIZE_MM.width() / BADGE_SIZE_MM.height()
QUIET_ZONE_MODULES = 4  # the blank margin a QR reader needs around the code


class BadgeError(Exception):
    """A badge could not be written (the environment's fault: folder, disk, printer)."""


@dataclass(frozen=True)
class BadgeContent:
    """What a badge shows."""

    event_name: str
    full_name: str
    ticket_code: str
    ticket_type: str

    @classmethod
    def of(cls, attendee: AttendeeView, event_name: str = "") -> "BadgeContent":
        return cls(event_name, attendee.full_name, attendee.ticket_code, attendee.ticket_type)


@lru_cache(maxsize=64)
def qr_modules(text: str) -> tuple[tuple[bool, ...], ...]:
    """The QR code of ``text`` as rows of dark (True) modules, quiet zone included (cached: a
    badge on screen is repainted often)."""
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=QUIET_ZONE_MODULES)
    code.add_data(text)
    code.make(fit=True)
    return tuple(tuple(row) for row in code.get_matrix())


def paint_qr(painter: QPainter, rect: QRectF, modules) -> None:
    """Paint the code as a square centred in ``rect``, on white, one path of dark runs."""
    count = len(modules)
    module = min(rect.width(), rect.height()) / count
    if module >= 2:
        module = math.floor(module)  # whole device pixels: no seams between modules on screen
    side = module * count
    left = round(rect.left() + (rect.width() - side) / 2)
    top = round(rect.top() + (rect.height() - side) / 2)
    painter.fillRect(QRectF(left, top, side, side), Qt.white)
    path = QPainterPath()
    for row, line in enumerate(modules):
        col = 0
        while col < count:
            if not line[col]:
                col += 1
                continue
            start = col
            while col < count and line[col]:
                col += 1
            path.addRect(QRectF(left + start * module, top + row * module, (col - start) * module, module))
    painter.save()
    painter.setPen(Qt.NoPen)
    painter.setBrush(Qt.black)
    painter.setRenderHint(QPainter.Antialiasing, False)
    painter.drawPath(path.simplified())
    painter.restore()


def _fitted_font(text: str, family_font: QFont, max_width: float, max_pixels: float,
                 min_pixels: float, bold: bool = False) -> QFont:
    """The largest font (in pixels, down to ``min_pixels``) in which ``text`` fits ``max_width``."""
    font = QFont(family_font)
    font.setBold(bold)
    size = max_pixels
    while size > min_pixels:
        font.setPixelSize(max(1, round(size)))
        if QFontMetricsF(font).horizontalAdvance(text) <= max_width:
            return font
        size *= 0.92
    font.setPixelSize(max(1, round(min_pixels)))
    return font


def paint_badge(painter: QPainter, rect: QRectF, badge: BadgeContent) -> None:
    """Paint the whole badge into ``rect`` (any device: image, PDF page, printer page)."""
    w, h = rect.width(), rect.height()
    pad = h * 0.06
    painter.save()
    painter.setRenderHint(QPainter.Antialiasing, True)
    painter.setRenderHint(QPainter.TextAntialiasing, True)
    painter.fillRect(rect, Qt.white)
    painter.setPen(QPen(QColor("#9aa3ad"), max(1.0, h * 0.004)))
    painter.drawRect(rect.adjusted(0.5, 0.5, -0.5, -0.5))

    base = QFont("DejaVu Sans")
    # The top band: the event's name.
    band = QRectF(rect.left(), rect.top(), w, h * 0.2)
    painter.fillRect(band, QColor("#1f3a5f"))
    event_text = badge.event_name or "Welcome"
    painter.setPen(Qt.white)
    painter.setFont(_fitted_font(event_text, base, w - 2 * pad, band.height() * 0.45,
                                 band.height() * 0.2, bold=True))
    painter.drawText(band.adjusted(pad, 0, -pad, 0), Qt.AlignVCenter | Qt.AlignLeft,
                     _elided(painter, event_text, w - 2 * pad))

    # The QR code on the right, its ticket code printed under it for reading aloud.
    body_top = band.bottom() + pad
    code_label_h = h * 0.09
    qr_side = min(h - (body_top - rect.top()) - pad - code_label_h, w * 0.45)
    qr_rect = QRectF(rect.right() - pad - qr_side, body_top, qr_side, qr_side)
    paint_qr(painter, qr_rect, qr_modules(badge.ticket_code))
    painter.setPen(QColor("#1b1f24"))
    painter.setFont(_fitted_font(badge.ticket_code, QFont("DejaVu Sans Mono"), qr_side,
                                 code_label_h * 0.7, code_label_h * 0.3))
    painter.drawText(QRectF(qr_rect.left(), qr_rect.bottom(), qr_side, code_label_h),
                     Qt.AlignCenter, badge.ticket_code)

    # The name, as big as it fits on the left; long names go onto two lines.
    text_w = qr_rect.left() - rect.left() - 2 * pad
    text_rect = QRectF(rect.left() + pad, body_top, text_w, qr_side)
    _paint_name(painter, text_rect, badge.full_name or "Guest", base)
    painter.setPen(QColor("#4a5561"))
    painter.setFont(_fitted_font(badge.ticket_type, base, text_w, h * 0.075, h * 0.04))
    painter.drawText(QRectF(text_rect.left(), text_rect.bottom() - h * 0.1, text_w, h * 0.1),
                     Qt.AlignLeft | Qt.AlignBottom, _elided(painter, badge.ticket_type, text_w))
    painter.restore()


def _paint_name(painter: QPainter, rect: QRectF, name: str, base: QFont) -> None:
    """The name on one line when it fits large enough, else on two balanced lines."""
    painter.setPen(QColor("#1b1f24"))
    big, small = rect.height() * 0.3, rect.height() * 0.12
    one_line = _fitted_font(name, base, rect.width(), big, small, bold=True)
    words = name.split()
    if len(words) < 2 or one_line.pixelSize() >= rect.height() * 0.2:
        painter.setFont(one_line)
        painter.drawText(QRectF(rect.left(), rect.top(), rect.width(), rect.height() * 0.5),
                         Qt.AlignLeft | Qt.AlignVCenter, _elided(painter, name, rect.width()))
        return
    metrics = QFontMetricsF(one_line)
    # The split whose longer line is shortest.
    lines = min(
        ((" ".join(words[:i]), " ".join(words[i:])) for i in range(1, len(words))),
        key=lambda pair: max(metrics.horizontalAdvance(pair[0]), metrics.horizontalAdvance(pair[1])),
    )
    longest = max(lines, key=metrics.horizontalAdvance)
    font = _fitted_font(longest, base, rect.width(), rect.height() * 0.24, rect.height() * 0.07, bold=True)
    painter.setFont(font)
    line_h = font.pixelSize() * 1.25
    for i, line in enumerate(lines):
        painter.drawText(QRectF(rect.left(), rect.top() + i * line_h, rect.width(), line_h),
                         Qt.AlignLeft | Qt.AlignVCenter, _elided(painter, line, rect.width()))


def _elided(painter: QPainter, text: str, width: float) -> str:
    return painter.fontMetrics().elidedText(text, Qt.ElideRight, int(width))


def badge_image(badge: BadgeContent, dpi: int = 200) -> QImage:
    """The badge as an image at ``dpi`` (white background, ready to show or save)."""
    width = round(BADGE_SIZE_MM.width() / MM_PER_INCH * dpi)
    height = round(BADGE_SIZE_MM.height() / MM_PER_INCH * dpi)
    image = QImage(width, height, QImage.Format_RGB32)
    image.fill(Qt.white)
    dots_per_metre = round(dpi / MM_PER_INCH * 1000)
    image.setDotsPerMeterX(dots_per_metre)
    image.setDotsPerMeterY(dots_per_metre)
    painter = QPainter(image)
    try:
        paint_badge(painter, QRectF(0, 0, width, height), badge)
    finally:
        painter.end()
    return image


def badge_page_layout() -> QPageLayout:
    return QPageLayout(QPageSize(BADGE_SIZE_MM, QPageSize.Millimeter, "Badge"),
                       QPageLayout.Landscape if BADGE_SIZE_MM.width() > BADGE_SIZE_MM.height()
                       else QPageLayout.Portrait, QMarginsF(0, 0, 0, 0))


def write_badge_pdf(badge: BadgeContent, path: Path | str) -> Path:
    """Write the badge as a one-page PDF of badge size; raises BadgeError with a clear message."""
    path = Path(path)
    if not path.parent.is_dir():
        raise BadgeError(f"Cannot save the badge: the folder {path.parent} does not exist.")
    writer = QPdfWriter(str(path))
    writer.setTitle(f"Badge {badge.ticket_code}")
    writer.setCreator("checkin-kiosk")
    writer.setResolution(600)
    writer.setPageSize(QPageSize(BADGE_SIZE_MM, QPageSize.Millimeter, "Badge"))
    writer.setPageMargins(QMarginsF(0, 0, 0, 0), QPageLayout.Millimeter)
    painter = QPainter()
    if not painter.begin(writer):
        raise BadgeError(f"Cannot save the badge to {path}: the file cannot be written.")
    try:
        paint_badge(painter, QRectF(0, 0, writer.width(), writer.height()), badge)
    finally:
        painter.end()
    if not path.is_file() or path.stat().st_size == 0:
        raise BadgeError(f"Cannot save the badge to {path}: nothing was written (disk full?).")
    return path


def print_badge(badge: BadgeContent, printer) -> None:
    """Print the badge on ``printer`` (a configured QPrinter), scaled to its page, aspect kept."""
    painter = QPainter()
    if not painter.begin(printer):
        raise BadgeError("The printer could not be opened; check that it is on and connected.")
    try:
        page = QRectF(printer.pageRect(printer.Unit.DevicePixel))
        page.moveTo(0, 0)
        width = min(page.width(), page.height() * BADGE_ASPECT)
        target = QRectF(0, 0, width, width / BADGE_ASPECT)
        paint_badge(painter, target, badge)
    finally:
        painter.end()
