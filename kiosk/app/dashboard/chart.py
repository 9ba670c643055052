"""Arrivals per 5 minutes as a bar chart, painted with QPainter (QtCharts is not in pyside6-essentials)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

BUCKET = timedelta(minutes=5)
MAX_BUCKETS = 48  # four hours: the newest buckets are shown when there are more
BAR_COLOUR = QColor("#1f6fb2")
NEWEST_BAR_COLOUR = QColor("#0d4a80")
GRID_COLOUR = QColor("#cfd8dc")
TEXT_COLOUR = QColor("#37474f")
GRID_STEPS = 5


def continuous_buckets(buckets: list[tuple[datetime, int]], limit: int = MAX_BUCKETS) -> list[tuple[datetime, int]]:
    """The buckets from the first to the last, empty 5-minute windows included, at most ``limit``."""
    if not buckets:
        return []
    counts: dict[datetime, int] = {}
    for start, count in buckets:
        counts[start] = counts.get(start, 0) + count
    first, last = min(counts), max(counts)
    first = max(first, last - BUCKET * (limit - 1))
    filled = []
    moment = first
    while moment <= last:
        filled.append((moment, counts.get(moment, 0)))
        moment += BUCKET
    return filled


def nice_ceiling(value: int) -> int:
    """The smallest round axis maximum at or above ``value`` that divides into five round steps."""
    if value <= 5:
        return 5
    magnitude = 1
    while True:
        for factor in (1, 1.5, 2, 2.5, 3, 4, 5, 6, 8):
            if factor * magnitude >= value and (factor * magnitude) % GRID_STEPS == 0:
                return int(factor * magnitude)
        magnitude *= 10


class ArrivalsChart(QWidget):
    """Bars of arrivals per 5-minute window, labelled in the event's time zone."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("arrivals_chart")
        self.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Expanding)
        self.setMinimumHeight(180)
        self._buckets: list[tuple[datetime, int]] = []
        self._zone = timezone.utc

    def sizeHint(self) -> QSize:  # noqa: N802
        return QSize(640, 260)

    def set_buckets(self, buckets: list[tuple[datetime, int]], zone=None) -> None:
        self._buckets = continuous_buckets(buckets)
        if zone is not None:
            self._zone = zone
        self.setToolTip(self._summary())
        self.update()

    def buckets(self) -> list[tuple[datetime, int]]:
        return list(self._buckets)

    def _local(self, moment: datetime) -> str:
        return moment.replace(tzinfo=timezone.utc).astimezone(self._zone).strftime("%H:%M")

    def _summary(self) -> str:
        if not self._buckets:
            return "No arrivals yet."
        peak = max(self._buckets, key=lambda b: b[1])
        return f"Busiest: {peak[1]} arrivals in the 5 minutes from {self._local(peak[0])}."

    def paintEvent(self, _event) -> None:  # noqa: N802
        painter = QPainter(self)
        painter.setRenderHint(QPainter.Antialiasing, True)
        rect = QRectF(self.rect())
        painter.fillRect(rect, Qt.white)
        font = QFont(self.font())
        font.setPointSizeF(max(9.0, font.pointSizeF()))
        painter.setFont(font)
        metrics = QFontMetricsF(font)
        if not self._buckets:
            painter.setPen(TEXT_COLOUR)
            painter.drawText(rect, Qt.AlignCenter, "No arrivals yet.")
            painter.end()
            return

        top_max = nice_ceiling(max(count for _, count in self._buckets))
        left_margin = metrics.horizontalAdvance(str(top_max)) + 14
        plot = rect.adjusted(left_margin, metrics.height() + 8, -12, -(metrics.height() + 12))

        # Horizontal grid lines with their values, in five round steps up to the maximum.
        for i in range(GRID_STEPS + 1):
            value = top_max * i / GRID_STEPS
            y = plot.bottom() - plot.height() * i / GRID_STEPS
            painter.setPen(QPen(GRID_COLOUR, 1))
            painter.drawLine(plot.left(), y, plot.right(), y)
            painter.setPen(TEXT_COLOUR)
            label = f"{value:g}"
            painter.drawText(QRectF(0, y - metrics.height() / 2, left_margin - 6, metrics.height()),
                             Qt.AlignRight | Qt.AlignVCenter, label)

        count = len(self._buckets)
        slot = plot.width() / count
        bar = max(1.0, slot * 0.78)
        label_every = max(1, int((metrics.horizontalAdvance("00:00") + 12) // slot) + 1)
        # Keep labels on round times: every 15, 30 or 60 minutes when they must be thinned.
        for step in (1, 3, 6, 12, 24, 48):
            if step >= label_every:
                label_every = step
                break
        for i, (start, arrivals) in enumerate(self._buckets):
            x = plot.left() + i * slot + (slot - bar) / 2
            height = plot.height() * arrivals / top_max
            painter.fillRect(QRectF(x, plot.bottom() - height, bar, height),
                             NEWEST_BAR_COLOUR if i == count - 1 else BAR_COLOUR)
            if arrivals and slot >= metrics.horizontalAdvance(str(arrivals)) + 2:
                painter.setPen(TEXT_COLOUR)
                painter.drawText(QRectF(x - 4, plot.bottom() - height - metrics.height() - 2, bar + 8,
                                        metrics.height()), Qt.AlignHCenter | Qt.AlignBottom, str(arrivals))
            local = start.replace(tzinfo=timezone.utc).astimezone(self._zone)
            if (local.hour * 60 + local.minute) % (5 * label_every) == 0:
                painter.setPen(TEXT_COLOUR)
                painter.drawText(QRectF(x + bar / 2 - 40, plot.bottom() + 4, 80, metrics.height()),
                                 Qt.AlignHCenter | Qt.AlignTop, self._local(start))
        painter.setPen(QPen(TEXT_COLOUR, 1))
        painter.drawLine(plot.left(), plot.bottom(), plot.right(), plot.bottom())
        painter.end()
