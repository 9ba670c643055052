"""One attendee: who they are, their state, their scan history; check in, out, undo by hand.

Showing an attendee is a lookup only: nothing is logged until a button is pressed.
"""

from __future__ import annotations

from datetime import datetime, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from kiosk.app import ops, theme
from kiosk.app.staff.errors import message_for
from kiosk.app.staff.override_panel import OverridePanel
from kiosk.app.staff.status_words import status_colour, status_words
from kiosk.app.staff.style import HEADING_PT, use_base_font
from kiosk.core.desk import ENTRY, EXIT, LookupOutcome, ScanHistoryItem, UndoOutcome
from kiosk.core.results import AttendeeView, Decision

KIND_WORDS = {"entry": "Entry", "exit": "Exit", "undo": "Undo"}
RESULT_WORDS = {
    "admitted": "admitted",
    "admitted_override": "let in anyway",
    "exited": "left",
    "already_checked_in": "already inside",
    "not_inside": "was not inside",
    "waitlisted": "refused: waiting list",
    "cancelled": "refused: cancelled",
    "revoked": "refused: revoked",
    "undone": "took back the previous scan",
}


def event_zone(name: str | None):
    try:
        return ZoneInfo(name) if name else timezone.utc
    except (ZoneInfoNotFoundError, ValueError):
        return timezone.utc


def local_time(moment: datetime, zone) -> str:
    return moment.replace(tzinfo=timezone.utc).astimezone(zone).strftime("%a %H:%M:%S")


class AttendeeDetail(QWidget):
    """The attendee chosen in the search, with the staff's actions on them."""

    checkin_recorded = Signal(object)  # Decision: a check-in or check-out made here, committed
    undo_recorded = Signal(object)  # UndoOutcome: an undo made here, committed
    attendee_changed = Signal(object)  # AttendeeView: their fresh state after an action
    badge_requested = Signal(object)  # AttendeeView: "Badge" pressed

    def __init__(self, services, parent: QWidget | None = None):
        super().__init__(parent)
        self.services = services
        self._attendee: AttendeeView | None = None
        self._lookup: LookupOutcome | None = None
        self._busy = False
        self._request = 0  # bumped per lookup; answers about someone no longer shown are dropped

        self.name_label = QLabel("No one selected")
        self.name_label.setObjectName("detail_name")
        self.name_label.setFont(theme.font(26, bold=True))
        self.name_label.setWordWrap(True)
        self.status_label = QLabel("")
        self.status_label.setObjectName("detail_status")
        self.status_label.setFont(theme.font(16, bold=True))
        self.status_label.setAlignment(Qt.AlignCenter)
        self.status_label.setMinimumWidth(150)

        self.facts = {}
        facts_grid = QGridLayout()
        facts_grid.setHorizontalSpacing(16)
        for row, (key, title) in enumerate(
            (("email", "E-mail"), ("ticket", "Ticket"), ("type", "Type"), ("state", "State"), ("arrived", "Arrived"))
        ):
            title_label = QLabel(title)
            title_label.setStyleSheet(f"color: {theme.MUTED};")
            value = QLabel("")
            value.setObjectName(f"detail_{key}")
            value.setTextInteractionFlags(Qt.TextSelectableByMouse)
            value.setWordWrap(True)
            facts_grid.addWidget(title_label, row, 0, Qt.AlignTop)
            facts_grid.addWidget(value, row, 1)
            self.facts[key] = value
        facts_grid.setColumnStretch(1, 1)

        self.result_banner = QLabel("")
        self.result_banner.setObjectName("detail_result")
        self.result_banner.setFont(theme.font(18, bold=True))
        self.result_banner.setWordWrap(True)
        self.result_banner.setMinimumHeight(52)
        self.result_banner.setContentsMargins(12, 6, 12, 6)
        keep_room = self.result_banner.sizePolicy()
        keep_room.setRetainSizeWhenHidden(True)
        self.result_banner.setSizePolicy(keep_room)
        self.result_banner.hide()
        self.override_panel = OverridePanel()  # "Let in anyway…" for a refused guest

        self.checkin_button = QPushButton("Check in")
        self.checkin_button.setObjectName("checkin_button")
        self.checkout_button = QPushButton("Check out")
        self.checkout_button.setObjectName("checkout_button")
        self.undo_button = QPushButton("Undo last")
        self.undo_button.setObjectName("undo_button")
        self.badge_button = QPushButton("Badge…")
        self.badge_button.setObjectName("badge_button")
        self.checkin_button.setToolTip("Check this person in (Enter)")
        self.undo_button.setToolTip("Take back the latest check-in or check-out (recorded, never erased)")
        self.checkin_button.setStyleSheet(
            f"QPushButton {{ background: {theme.GREEN}; color: white; font-weight: bold; }}"
            "QPushButton:disabled { background: #b0bec5; color: #eceff1; }"
        )
        buttons = QHBoxLayout()
        for button in (self.checkin_button, self.checkout_button, self.undo_button, self.badge_button):
            button.setMinimumHeight(48)
            button.setFont(theme.font(14, bold=button is self.checkin_button))
            buttons.addWidget(button)

        self.history_table = QTableWidget(0, 4)
        self.history_table.setObjectName("detail_history")
        self.history_table.setHorizontalHeaderLabels(["Time", "Scan", "Door", "Notes"])
        self.history_table.verticalHeader().setVisible(False)
        self.history_table.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.history_table.setSelectionMode(QAbstractItemView.NoSelection)
        self.history_table.setFocusPolicy(Qt.NoFocus)
        self.history_table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeToContents)
        self.history_table.horizontalHeader().setStretchLastSection(True)
        history_title = QLabel("History at the doors")
        history_title.setFont(theme.font(HEADING_PT, bold=True))

        header = QHBoxLayout()
        header.addWidget(self.name_label, 1)
        header.addWidget(self.status_label, 0, Qt.AlignTop)
        layout = QVBoxLayout(self)
        layout.addLayout(header)
        # The buttons right under the name, the result under them with its room kept: nothing above them
        # changes when they are pressed, so they never move under the mouse.
        layout.addLayout(buttons)
        layout.addWidget(self.result_banner)
        layout.addWidget(self.override_panel)
        layout.addLayout(facts_grid)
        line = QFrame()
        line.setFrameShape(QFrame.HLine)
        layout.addWidget(line)
        layout.addWidget(history_title)
        layout.addWidget(self.history_table, 1)

        self.checkin_button.clicked.connect(self.on_checkin_button_clicked)
        self.checkout_button.clicked.connect(self.on_checkout_button_clicked)
        self.undo_button.clicked.connect(self.on_undo_button_clicked)
        self.badge_button.clicked.connect(self.on_badge_button_clicked)
        self.override_panel.override_requested.connect(self.on_override_panel_override_requested)
        self._show_nothing()
        use_base_font(self)  # last: every child built above gets it

    @property
    def _zone(self):
        return event_zone(self.services.event.timezone)  # the event may be reloaded under us

    # ---- public ---------------------------------------------------------------

    def attendee(self) -> AttendeeView | None:
        return self._attendee

    def show_attendee(self, view: AttendeeView) -> None:
        """Show ``view`` at once, then its full record and history from the replica."""
        changed = self._attendee is None or self._attendee.id != view.id
        self._attendee = view
        if changed:
            self._lookup = None
            self.override_panel.close_form()
            self.result_banner.hide()
            self.history_table.setRowCount(0)
        self._render()
        self._look_up(view.id)

    def clear(self) -> None:
        self._request += 1
        self._attendee = None
        self._lookup = None
        self._show_nothing()

    def check_in(self) -> None:
        self._record(ENTRY)

    def check_out(self) -> None:
        self._record(EXIT)

    def undo(self) -> None:
        if self._attendee is None or self._busy:
            return
        self._set_busy(True)
        attendee_id = self._attendee.id
        (ops.undo_attendee(attendee_id)
         .success(lambda outcome: self._on_undo_done(attendee_id, outcome))
         .failure(self._on_action_failed)
         .run(self.services.ops, self))

    # ---- slots ----------------------------------------------------------------

    def on_checkin_button_clicked(self) -> None:
        self.check_in()

    def on_checkout_button_clicked(self) -> None:
        self.check_out()

    def on_undo_button_clicked(self) -> None:
        self.undo()

    def on_override_panel_override_requested(self, reason: str) -> None:
        """A supervisor lets the refused guest in anyway, with the reason typed."""
        if self._attendee is None or self._busy:
            return
        self._set_busy(True)
        attendee_id = self._attendee.id
        (ops.force_checkin(attendee_id, reason)
         .success(lambda decision: (self.override_panel.close_form(), self._on_checkin_done(attendee_id, decision)))
         .failure(self._on_action_failed)
         .run(self.services.ops, self))

    def on_badge_button_clicked(self) -> None:
        if self._attendee is not None:
            self.badge_requested.emit(self._attendee)

    def refresh(self) -> None:
        """Look the attendee shown up again (their state or history changed)."""
        if self._attendee is not None:
            self._look_up(self._attendee.id)

    # ---- work on the DbWorker ----------------------------------------------------

    def _look_up(self, attendee_id: str) -> None:
        self._request += 1
        request = self._request
        (ops.lookup_attendee(attendee_id)
         .success(lambda outcome: self._on_lookup_done(request, outcome))
         .failure(lambda exc: self._on_lookup_failed(request, exc))
         .run(self.services.ops, self))

    def _on_lookup_done(self, request: int, outcome: LookupOutcome) -> None:
        if request != self._request:
            return
        self._lookup = outcome
        if outcome.attendee is not None:
            self._attendee = outcome.attendee
        self._render()

    def _on_lookup_failed(self, request: int, exc: Exception) -> None:
        if request == self._request:
            self._show_result("red", message_for(exc, "Could not read this attendee"))

    def _record(self, direction: str) -> None:
        if self._attendee is None or self._busy:
            return
        self._set_busy(True)
        attendee_id = self._attendee.id
        (ops.checkin_attendee(attendee_id, direction)
         .success(lambda decision: self._on_checkin_done(attendee_id, decision))
         .failure(self._on_action_failed)
         .run(self.services.ops, self))

    # The history is looked up again by the staff desk, which hears what the action changed.
    def _on_checkin_done(self, attendee_id: str, decision: Decision) -> None:
        self._set_busy(False)
        self.checkin_recorded.emit(decision)
        if self._attendee is None or self._attendee.id != attendee_id:
            return
        self._show_result(decision.colour, decision.reason)
        if decision.attendee is not None:
            self._attendee = decision.attendee
            self.attendee_changed.emit(decision.attendee)
        self._render()

    def _on_undo_done(self, attendee_id: str, outcome: UndoOutcome) -> None:
        self._set_busy(False)
        self.undo_recorded.emit(outcome)
        if self._attendee is None or self._attendee.id != attendee_id:
            return
        self._show_result("green" if outcome.undone else "amber", outcome.reason)
        if outcome.attendee is not None:
            self._attendee = outcome.attendee
            self.attendee_changed.emit(outcome.attendee)
        self._render()

    def _on_action_failed(self, exc: Exception) -> None:
        self._set_busy(False)
        self._show_result("red", message_for(exc, "Nothing was recorded"))
        self._render()

    # ---- drawing ------------------------------------------------------------------

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        self._update_buttons()

    def _show_result(self, colour: str, text: str) -> None:
        background = theme.colour_for(colour)
        self.result_banner.setText(text)
        self.result_banner.setStyleSheet(
            f"background: {background}; color: {theme.text_colour_on(background)}; border-radius: 6px;"
        )
        self.result_banner.show()

    def _show_nothing(self) -> None:
        self.name_label.setText("No one selected")
        self.status_label.setText("")
        self.status_label.setStyleSheet("")
        for value in self.facts.values():
            value.setText("")
        self.facts["state"].setText("Search, then pick someone to see their ticket and history.")
        self.result_banner.hide()
        self.history_table.setRowCount(0)
        self._update_buttons()

    def _render(self) -> None:
        view = self._attendee
        if view is None:
            self._show_nothing()
            return
        self.name_label.setText(view.full_name + ("  · walk-in" if view.is_walkin else ""))
        colour = status_colour(view)
        self.status_label.setText(status_words(view))
        self.status_label.setStyleSheet(
            f"background: {colour}; color: {theme.text_colour_on(colour) if colour != theme.MUTED else 'white'};"
            " border-radius: 6px; padding: 6px 12px;"
        )
        self.facts["email"].setText(view.email or "—")
        self.facts["ticket"].setText(view.ticket_code)
        extra = f", +{view.plus_ones} guest{'s' if view.plus_ones != 1 else ''}" if view.plus_ones else ""
        self.facts["type"].setText(f"{view.ticket_type}{extra}")
        looked_up = self._lookup
        lookup = looked_up if looked_up and looked_up.attendee and looked_up.attendee.id == view.id else None
        self.facts["state"].setText(lookup.reason if lookup else "…")
        if lookup and lookup.first_checkin:
            first = lookup.first_checkin
            where = f" at {first.door}" if first.door else ""
            self.facts["arrived"].setText(f"{local_time(first.time, self._zone)}{where}")
        else:
            self.facts["arrived"].setText("—" if lookup else "…")
        self._render_history(lookup.history if lookup else [])
        self._update_buttons()

    def _render_history(self, history: list[ScanHistoryItem]) -> None:
        self.history_table.setRowCount(len(history))
        # Newest first: the line staff are asking about is the latest one.
        for row, item in enumerate(reversed(history)):
            notes = []
            if item.undone:
                notes.append("undone")
            if item.duplicate:
                notes.append("duplicate (counted once)")
            if item.reason:
                notes.append(f"reason: {item.reason}")
            result = RESULT_WORDS.get(item.result, item.result.replace("_", " "))
            scan = f"{KIND_WORDS.get(item.kind, item.kind)} — {result}"
            cells = (local_time(item.time, self._zone), scan, item.door or "—", ", ".join(notes))
            for column, text in enumerate(cells):
                cell = QTableWidgetItem(text)
                if item.undone:
                    font = cell.font()
                    font.setStrikeOut(True)
                    cell.setFont(font)
                self.history_table.setItem(row, column, cell)

    def _update_buttons(self) -> None:
        view = self._attendee
        present = view is not None and not self._busy
        self.checkin_button.setEnabled(present and not view.inside)
        self.checkout_button.setEnabled(present and view.inside)
        lookup = self._lookup
        counting = ("admitted", "admitted_override", "exited")
        can_undo = bool(lookup and any(h.kind in (ENTRY, EXIT) and h.result in counting
                                       and not h.undone for h in lookup.history))
        self.undo_button.setEnabled(present and can_undo)
        self.badge_button.setEnabled(view is not None)
        self.override_panel.set_available(present and view.status in ("waitlisted", "cancelled") and not view.inside)
        if present and not view.inside:
            self.checkin_button.setDefault(True)
