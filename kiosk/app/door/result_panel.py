"""The big result panel: green, amber or red, the name, the reason in plain words.

Read from two metres: the colour fills the panel, an icon repeats it for
colour-blind staff (tick, exclamation mark, cross), the name is the largest text
on screen and shrinks only as far as it must to fit, and plus-ones ("+1 guest")
are as large as the name. After a few seconds the panel goes back to "Ready" by
itself, so no click is needed between attendees.

Two tickets read together (in view of the camera at once) are never shown one
over the other: the second waits in a queue, the panel says "1 more ticket", and
each result stays up for at least ``TOGETHER_SECONDS`` before the next.
"""

from __future__ import annotations

import time
from collections import deque

from PySide6.QtCore import QPointF, QRectF, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QFontMetrics, QPainter, QPainterPath, QPalette, QPen
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QSizePolicy, QVBoxLayout, QWidget

from kiosk.app import theme
from kiosk.core.results import Decision, Result

READY = "ready"
MESSAGE = "message"

HEADLINES = {
    Result.ADMITTED: "Welcome",
    Result.EXITED: "Goodbye",
    Result.ALREADY_CHECKED_IN: "Already checked in",
    Result.NOT_INSIDE: "Not checked in",
    Result.WAITLISTED: "On the waiting list",
    Result.CANCELLED: "Ticket cancelled",
    Result.REVOKED: "Ticket revoked",
    Result.UNKNOWN_CODE: "Unknown code",
    Result.WRONG_EVENT: "Wrong event",
    Result.INVALID_SIGNATURE: "Forged or damaged ticket",
    Result.MALFORMED: "Not a ticket",
    Result.NO_EVENT: "No event loaded",
}

# The big line when a scan matches nobody.
NO_NAME = {
    Result.UNKNOWN_CODE: "Not on the guest list",
    Result.WRONG_EVENT: "Ticket for another event",
    Result.INVALID_SIGNATURE: "Not a valid ticket",
    Result.MALFORMED: "Not a ticket code",
    Result.NO_EVENT: "Open the staff desk to load the event",
}

# Seconds a result stays before the panel is ready again: a refusal needs longer to read and act on.
HOLD_SECONDS = {"green": 3.0, "amber": 6.0, "red": 6.0, MESSAGE: 8.0}
TOGETHER_SECONDS = 2.5  # a result followed by one read together with it stays this long before the next

# Exit mode, someone who is not inside: most likely an arrival at a door left on Exit.
EXIT_NOT_INSIDE_HEADLINE = "This door is set to Exit"
EXIT_NOT_INSIDE_REASON = "Not checked in, so nothing to check out. Arriving? Switch the door to Entry."

NO_EVENT_HINT = "Staff: open the staff desk (Staff…) to import a roster or enroll this kiosk"
EXIT_BACKGROUND = "#4527a0"  # exit mode is a different colour, so nobody scans people out by mistake


RESULT_STATES = ("green", "amber", "red")


def _guest_words(plus_ones: int) -> str:
    return f"+{plus_ones} guest{'s' if plus_ones > 1 else ''}" if plus_ones else ""


class ResultIcon(QWidget):
    """A tick, an exclamation mark or a cross in a circle: the result without relying on colour."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.kind = ""
        self.foreground = QColor("#ffffff")
        self.setFixedSize(96, 96)

    def set_kind(self, kind: str, foreground: str) -> None:
        self.kind, self.foreground = kind, QColor(foreground)
        self.setVisible(bool(kind))
        self.update()

    def paintEvent(self, _event) -> None:
        if not self.kind:
            return
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        side = min(self.width(), self.height()) - 8
        box = QRectF((self.width() - side) / 2, (self.height() - side) / 2, side, side)
        pen = QPen(self.foreground, side * 0.09, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap,
                   Qt.PenJoinStyle.RoundJoin)
        p.setPen(pen)
        p.drawEllipse(box)
        c, s = box.center(), side
        path = QPainterPath()
        if self.kind == "green":
            path.moveTo(c + QPointF(-0.24 * s, 0.0))
            path.lineTo(c + QPointF(-0.07 * s, 0.18 * s))
            path.lineTo(c + QPointF(0.25 * s, -0.17 * s))
        elif self.kind == "amber":
            path.moveTo(c + QPointF(0, -0.26 * s))
            path.lineTo(c + QPointF(0, 0.08 * s))
            path.moveTo(c + QPointF(0, 0.24 * s))
            path.lineTo(c + QPointF(0, 0.245 * s))
        else:
            path.moveTo(c + QPointF(-0.2 * s, -0.2 * s))
            path.lineTo(c + QPointF(0.2 * s, 0.2 * s))
            path.moveTo(c + QPointF(0.2 * s, -0.2 * s))
            path.lineTo(c + QPointF(-0.2 * s, 0.2 * s))
        p.drawPath(path)
        p.end()


class FittedLabel(QLabel):
    """A label whose font shrinks (never below ``min_pt``) until the text fits; wrapped or on one line."""

    def __init__(self, max_pt: int, min_pt: int, bold: bool = True, wrap: bool = True,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.max_pt, self.min_pt, self.bold, self.wrap = max_pt, min_pt, bold, wrap
        self.setWordWrap(wrap)
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setFont(theme.font(max_pt, bold))
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    def setText(self, text: str) -> None:
        super().setText(text)
        self._fit()

    def minimumSizeHint(self) -> QSize:  # noqa: N802 (Qt's name)
        # The font shrinks to fit: a long headline must never make the window wider than the screen.
        metrics = QFontMetrics(theme.font(self.min_pt, self.bold))
        return QSize(metrics.averageCharWidth() * 6, metrics.height())

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._fit()

    def _fit(self) -> None:
        area = self.contentsRect()
        if area.width() <= 0 or area.height() <= 0:
            return
        font = self.font()
        flags = (Qt.TextFlag.TextWordWrap if self.wrap else 0) | Qt.AlignmentFlag.AlignCenter
        for size in range(self.max_pt, self.min_pt - 1, -2):
            font.setPointSize(size)
            needed = QFontMetrics(font).boundingRect(area, flags, self.text())
            if needed.width() <= area.width() and needed.height() <= area.height():
                break
        if font.pointSize() != self.font().pointSize():
            self.setFont(font)


class ResultPanel(QFrame):
    """Shows "Ready", a decision or a message; goes back to "Ready" by itself."""

    decision_shown = Signal(object)  # the Decision just put on the panel
    result_painted = Signal(float, float)  # when its scan started and when it was first painted (perf_counter)
    returned_to_ready = Signal()

    def __init__(self, parent: QWidget | None = None, hold_seconds: dict[str, float] | None = None):
        super().__init__(parent)
        self.setObjectName("resultPanel")
        self.hold_seconds = dict(HOLD_SECONDS, **(hold_seconds or {}))
        self.state = READY
        self.decision: Decision | None = None
        self.direction = "entry"
        self.ready_hint = "Hold the QR code up to the camera"
        self.event_loaded = True  # without an event the door is not ready: it says what staff must do
        self._started_at: float | None = None
        self._background = QColor(theme.READY)

        self.icon = ResultIcon()
        self.headline = FittedLabel(theme.HEADLINE_PT, 20, wrap=False)  # 20: "This door is set to Exit" fits 1024 px
        self.headline.setObjectName("headline")
        self.headline.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.headline.setMinimumHeight(96)
        self.name = FittedLabel(theme.NAME_PT, 28)
        self.name.setObjectName("name")
        self.reason = QLabel()
        self.reason.setObjectName("reason")
        self.reason.setFont(theme.font(theme.REASON_PT))
        self.reason.setWordWrap(True)
        self.reason.setAlignment(Qt.AlignmentFlag.AlignCenter)
        # "+1 guest": as large as the name, drawn inverted (a block of the text colour) so it stands out.
        self.guests = FittedLabel(theme.NAME_PT, 28, wrap=False)
        self.guests.setObjectName("guests")
        self.guests.setAutoFillBackground(True)
        self.guests.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        # A block around one line of the name's size: on a tall screen it does not grow into a white column.
        self.guests.setMaximumHeight(QFontMetrics(theme.font(theme.NAME_PT, bold=True)).height() * 2)
        self.guests.hide()
        self.queue_note = QLabel()
        self.queue_note.setObjectName("queueNote")
        self.queue_note.setFont(theme.font(22, bold=True))
        self.queue_note.setAutoFillBackground(True)
        self.queue_note.setMargin(8)
        self.queue_note.hide()
        self.detail = QLabel()
        self.detail.setObjectName("detail")
        self.detail.setFont(theme.font(20))
        self.detail.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.detail.setWordWrap(True)

        top = QHBoxLayout()
        top.addWidget(self.icon)
        top.addSpacing(8)
        top.addWidget(self.headline, 1)
        top.addWidget(self.queue_note, 0, Qt.AlignmentFlag.AlignTop)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(32, 28, 32, 28)
        layout.addLayout(top)
        layout.addWidget(self.name, 3)
        layout.addWidget(self.guests, 2, Qt.AlignmentFlag.AlignHCenter)
        layout.addWidget(self.reason, 1)
        layout.addWidget(self.detail)

        self._queue: deque[tuple[Decision, float | None]] = deque()  # read together, waiting their turn
        self._ready_timer = QTimer(self)
        self._ready_timer.setSingleShot(True)
        self._ready_timer.timeout.connect(self.on_ready_timer_timeout)
        self.show_ready()

    # ---- what is shown ------------------------------------------------------

    def show_ready(self) -> None:
        self._ready_timer.stop()
        self._queue.clear()
        self._show_queue_note()
        self.guests.hide()
        self.state, self.decision = READY, None
        exiting = self.direction == "exit"
        self._paint_as(EXIT_BACKGROUND if exiting else theme.READY, "")
        if not self.event_loaded:
            self.headline.setText("No event loaded")
            self.name.setText("Not ready for guests")
            self.reason.setText(NO_EVENT_HINT)
        else:
            self.headline.setText("Exit — checking people out" if exiting else "Ready")
            self.name.setText("Show your ticket")
            self.reason.setText(self.ready_hint)
        self.detail.setText("")
        self.returned_to_ready.emit()

    def show_decision(self, decision: Decision, started_at: float | None = None, together: bool = False) -> None:
        """Show ``decision``; one read ``together`` with the one on screen (or any while some wait) queues."""
        if self._queue or (together and self.state in RESULT_STATES):
            self._queue.append((decision, started_at))
            self._show_queue_note()
            if len(self._queue) == 1:  # the one on screen stays up for TOGETHER_SECONDS at most
                self._ready_timer.start(int(min(self.hold_seconds[self.state], TOGETHER_SECONDS) * 1000))
            return
        self._put_up(decision, started_at)

    def queued(self) -> int:
        """How many results wait behind the one on screen."""
        return len(self._queue)

    def on_ready_timer_timeout(self) -> None:
        if not self._queue:
            self.show_ready()
            return
        decision, started_at = self._queue.popleft()
        self._put_up(decision, started_at)

    def _put_up(self, decision: Decision, started_at: float | None) -> None:
        colour = decision.colour
        self.state, self.decision = colour, decision
        self._started_at = started_at
        self._paint_as(theme.colour_for(colour), colour)
        exit_not_inside = decision.result == Result.NOT_INSIDE and decision.direction == "exit"
        headline = HEADLINES.get(decision.result, decision.result.value.replace("_", " ").capitalize())
        self.headline.setText(EXIT_NOT_INSIDE_HEADLINE if exit_not_inside else headline)
        attendee = decision.attendee
        self.name.setText(attendee.full_name if attendee else NO_NAME.get(decision.result, ""))
        guests = _guest_words(attendee.plus_ones) if attendee is not None else ""
        self.guests.setText(f"  {guests}  ")
        self.guests.setVisible(bool(guests))
        self.reason.setText(EXIT_NOT_INSIDE_REASON if exit_not_inside else self._reason_words(decision))
        self.detail.setText(self._detail_words(decision))
        self._show_queue_note()
        hold = self.hold_seconds[colour]
        self._ready_timer.start(int((min(hold, TOGETHER_SECONDS) if self._queue else hold) * 1000))
        self.decision_shown.emit(decision)

    def _show_queue_note(self) -> None:
        waiting = len(self._queue)
        self.queue_note.setText(f"{waiting} more ticket{'s' if waiting > 1 else ''} ▸")
        self.queue_note.setVisible(waiting > 0)

    def show_message(self, headline: str, text: str, colour: str = "red") -> None:
        """A problem that is not a decision (the replica cannot be written...): shown, then Ready again."""
        self.guests.hide()  # results waiting in the queue follow the message
        self.state, self.decision = MESSAGE, None
        self._started_at = None
        self._paint_as(theme.colour_for(colour), colour)
        self.headline.setText(headline)
        self.name.setText("")
        self.reason.setText(text)
        self.detail.setText("")
        self._ready_timer.start(int(self.hold_seconds[MESSAGE] * 1000))

    def set_direction(self, direction: str) -> None:
        self.direction = direction
        if self.state == READY:
            self.show_ready()

    def set_ready_hint(self, hint: str) -> None:
        self.ready_hint = hint
        if self.state == READY and self.event_loaded:
            self.reason.setText(hint)

    def set_event_loaded(self, loaded: bool) -> None:
        changed, self.event_loaded = loaded != self.event_loaded, loaded
        if changed and self.state == READY:
            self.show_ready()

    # ---- words --------------------------------------------------------------

    @staticmethod
    def _reason_words(decision: Decision) -> str:
        """What door staff should know or do, without repeating the headline."""
        result = decision.result
        if result == Result.ADMITTED:
            return "Checked in — please go ahead" if decision.direction == "entry" else decision.reason
        if result == Result.EXITED:
            return "Checked out"
        if result == Result.ALREADY_CHECKED_IN and decision.reason.startswith("Already checked in"):
            # "Already checked in at 09:14 at Door 2." -> "Came in at 09:14 at Door 2."
            return "Came in" + decision.reason[len("Already checked in"):]
        if decision.colour == "red" and result != Result.NO_EVENT:
            return "Send them to the help desk"
        return decision.reason

    @staticmethod
    def _detail_words(decision: Decision) -> str:
        if decision.colour == "red":
            return decision.reason  # the why, smaller: the action is the line above
        attendee = decision.attendee
        if attendee is None:
            return ""
        parts = [attendee.ticket_type] if attendee.ticket_type else []
        if attendee.is_walkin:
            parts.append("walk-in")
        return " · ".join(parts)

    # ---- painting -----------------------------------------------------------

    def _paint_as(self, background: str, icon_kind: str) -> None:
        # Palettes and our own paintEvent, not a style sheet: re-polishing the panel's
        # children for a style sheet costs tens of milliseconds per result.
        text = QColor(theme.text_colour_on(background))
        self._background = QColor(background)
        for label in (self.headline, self.name, self.reason, self.detail):
            palette = label.palette()
            palette.setColor(QPalette.ColorRole.WindowText, text)
            label.setPalette(palette)
        for label in (self.guests, self.queue_note):  # inverted: the panel's colour on a block of the text's
            palette = label.palette()
            palette.setColor(QPalette.ColorRole.Window, text)
            palette.setColor(QPalette.ColorRole.WindowText, self._background)
            label.setPalette(palette)
        self.icon.set_kind(icon_kind, text.name())
        self.update()

    def paintEvent(self, event) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(self._background)
        painter.drawRoundedRect(QRectF(self.rect()), 18, 18)
        painter.end()
        if self._started_at is not None:
            started, self._started_at = self._started_at, None
            self.result_painted.emit(started, time.perf_counter())
