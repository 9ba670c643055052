"""Walk-in registration: three fields, checked as you type, then the new attendee's badge.

Tab moves between the fields, Enter registers, Esc starts over. An e-mail that
is already on the roster registers nobody: that attendee is offered instead. So
is someone with the same first and last name (and no e-mail, or another one),
with a button to register the walk-in all the same when it is another person.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from kiosk.app import ops, theme
from kiosk.app.scrolling import scroll_area
from kiosk.app.staff.badge_panel import BadgePanel
from kiosk.app.staff.dialogs import Dialogs
from kiosk.app.staff.errors import message_for
from kiosk.app.staff.status_words import status_words
from kiosk.app.staff.style import AMBER_TEXT, use_base_font
from kiosk.core.results import AttendeeView, Decision

FIELDS = ("first_name", "last_name", "email")
VALIDATE_AFTER_MS = 300  # quiet time before a half-typed field is judged
START_OVER = "Start over (Esc)"
NEXT_WALKIN = "Next walk-in (Esc)"


class WalkinForm(QWidget):
    """Register someone without a ticket, check them in, and show their badge."""

    walkin_registered = Signal(object)  # WalkinOutcome: created and checked in, committed
    existing_attendee_offered = Signal(object)  # AttendeeView: the roster attendee with that e-mail or name
    checkin_recorded = Signal(object)  # Decision: the offered attendee checked in instead

    def __init__(self, services, dialogs: Dialogs | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.services = services
        self._touched: set[str] = set()
        self._busy = False
        self._done = False  # registered: the form shows who, and cannot send them twice
        self._existing: AttendeeView | None = None

        title = QLabel("Walk-in registration")
        title.setFont(theme.font(22, bold=True))
        intro = QLabel("For someone without a ticket: they are registered, checked in and get a badge.")
        intro.setWordWrap(True)
        intro.setStyleSheet(f"color: {theme.MUTED};")

        self.edits: dict[str, QLineEdit] = {}
        self.error_labels: dict[str, QLabel] = {}
        form = QFormLayout()
        form.setVerticalSpacing(4)
        for name, label, placeholder in (
            ("first_name", "First name *", "Ada"),
            ("last_name", "Last name", "Lovelace"),
            ("email", "E-mail", "ada@example.org (optional)"),
        ):
            edit = QLineEdit()
            edit.setObjectName(f"walkin_{name}")
            edit.setPlaceholderText(placeholder)
            edit.setFont(theme.font(16))
            edit.setMinimumHeight(44)
            edit.setMaxLength(254 if name == "email" else 100)
            error = QLabel("")
            error.setObjectName(f"walkin_{name}_error")
            error.setStyleSheet(f"color: {theme.RED}; font-size: 12pt;")
            error.setWordWrap(True)
            column = QVBoxLayout()
            column.setSpacing(2)
            column.addWidget(edit)
            column.addWidget(error)
            form.addRow(label, column)
            self.edits[name] = edit
            self.error_labels[name] = error
            edit.textEdited.connect(lambda _text, field=name: self.on_field_edited(field))
            edit.returnPressed.connect(self.on_field_return_pressed)

        self.submit_button = QPushButton("Register and check in")
        self.submit_button.setObjectName("walkin_submit")
        self.submit_button.setMinimumHeight(52)
        self.submit_button.setFont(theme.font(14, bold=True))
        self.submit_button.setStyleSheet(
            f"QPushButton {{ background: {theme.GREEN}; color: white; font-weight: bold; }}"
            "QPushButton:disabled { background: #b0bec5; color: #eceff1; }"
        )
        self.clear_button = QPushButton(START_OVER)
        self.clear_button.setObjectName("walkin_clear")
        self.clear_button.setMinimumHeight(52)
        self.message_label = QLabel("")
        self.message_label.setObjectName("walkin_message")
        self.message_label.setWordWrap(True)
        self.message_label.setFont(theme.font(15, bold=True))

        actions = QHBoxLayout()
        actions.addWidget(self.submit_button, 2)
        actions.addWidget(self.clear_button, 1)
        left = QVBoxLayout()
        left.addWidget(title)
        left.addWidget(intro)
        left.addSpacing(8)
        left.addLayout(form)
        left.addLayout(actions)
        left.addWidget(self.message_label)
        left.addStretch(1)

        # The right side: nothing yet, the new badge, or the attendee already registered.
        self.result_stack = QStackedWidget()
        placeholder = QLabel("The badge appears here after registration.")
        placeholder.setAlignment(Qt.AlignCenter)
        placeholder.setStyleSheet(f"color: {theme.MUTED}; border: 2px dashed #b0bec5; border-radius: 8px;")
        self.badge_panel = BadgePanel(services, dialogs)
        self.existing_panel = self._build_existing_panel()
        self.result_stack.addWidget(placeholder)
        self.result_stack.addWidget(self.badge_panel)
        self.result_stack.addWidget(self.existing_panel)

        layout = QHBoxLayout(self)
        left_box = QWidget()
        left_box.setLayout(left)
        left_scroller = scroll_area(left_box, horizontal=False)  # a short screen scrolls the form, not the window
        left_scroller.setMaximumWidth(560)
        layout.addWidget(left_scroller, 1)
        separator = QFrame()
        separator.setFrameShape(QFrame.VLine)
        separator.setFrameShadow(QFrame.Sunken)
        layout.addWidget(separator)
        layout.addWidget(self.result_stack, 1)

        self._validate_timer = QTimer(self)
        self._validate_timer.setSingleShot(True)
        self._validate_timer.setInterval(VALIDATE_AFTER_MS)
        self._validate_timer.timeout.connect(self.on_validate_timer_timeout)
        self.submit_button.clicked.connect(self.on_submit_button_clicked)
        self.clear_button.clicked.connect(self.on_clear_button_clicked)
        self.setTabOrder(self.edits["first_name"], self.edits["last_name"])
        self.setTabOrder(self.edits["last_name"], self.edits["email"])
        self.setTabOrder(self.edits["email"], self.submit_button)
        self._update_submit()
        use_base_font(self)  # last: every child built above gets it
        for name, error in self.error_labels.items():
            # Room kept for the problem (the e-mail's may take two lines): nothing below moves when it shows.
            error.setMinimumHeight(error.fontMetrics().lineSpacing() * (2 if name == "email" else 1))

    def _build_existing_panel(self) -> QWidget:
        panel = QWidget()
        self.existing_label = QLabel("")
        self.existing_label.setObjectName("walkin_existing")
        self.existing_label.setWordWrap(True)
        self.existing_label.setFont(theme.font(16))
        self.existing_checkin_button = QPushButton("Check them in")
        self.existing_checkin_button.setObjectName("walkin_existing_checkin")
        self.existing_checkin_button.setMinimumHeight(52)
        self.existing_badge_button = QPushButton("Show their badge")
        self.existing_badge_button.setObjectName("walkin_existing_badge")
        self.existing_badge_button.setMinimumHeight(52)
        self.existing_new_button = QPushButton("It is someone else: register a new walk-in")
        self.existing_new_button.setObjectName("walkin_existing_new")
        self.existing_new_button.setMinimumHeight(52)
        layout = QVBoxLayout(panel)
        layout.addStretch(1)
        layout.addWidget(self.existing_label)
        layout.addWidget(self.existing_checkin_button)
        layout.addWidget(self.existing_badge_button)
        layout.addWidget(self.existing_new_button)
        layout.addStretch(1)
        self.existing_checkin_button.clicked.connect(self.on_existing_checkin_button_clicked)
        self.existing_new_button.clicked.connect(self.on_existing_new_button_clicked)
        self.existing_badge_button.clicked.connect(self.on_existing_badge_button_clicked)
        return panel

    # ---- public -----------------------------------------------------------------

    def values(self) -> dict[str, str]:
        return {name: edit.text() for name, edit in self.edits.items()}

    def start_over(self) -> None:
        self._done = False
        self.clear_button.setText(START_OVER)
        for edit in self.edits.values():
            edit.setReadOnly(False)
            edit.clear()
        self._touched.clear()
        self._existing = None
        for label in self.error_labels.values():
            label.setText("")
        self.message_label.setText("")
        self.result_stack.setCurrentIndex(0)
        self._update_submit()
        self.edits["first_name"].setFocus(Qt.OtherFocusReason)

    def submit(self, same_name_ok: bool = False) -> None:
        """Register; ``same_name_ok``: staff said the person of the same name on the list is someone else."""
        if self._busy or self._done:
            return
        self._touched.update(FIELDS)
        if self._show_problems():
            return
        values = self.values()
        self._set_busy(True)
        self._say("Registering…", colour=theme.MUTED)
        (ops.register_walkin(values["first_name"], values["last_name"], values["email"] or None, same_name_ok)
         .success(self._on_register_done)
         .failure(self._on_register_failed)
         .run(self.services.ops, self))

    # ---- slots ------------------------------------------------------------------

    def on_field_edited(self, field: str) -> None:
        self._touched.add(field)
        self._update_submit()
        self._validate_timer.start()

    def on_validate_timer_timeout(self) -> None:
        self._show_problems()

    def on_field_return_pressed(self) -> None:
        self.submit()

    def on_submit_button_clicked(self) -> None:
        self.submit()

    def on_clear_button_clicked(self) -> None:
        self.start_over()

    def on_existing_checkin_button_clicked(self) -> None:
        if self._existing is None or self._busy:
            return
        self._set_busy(True)
        (ops.checkin_attendee(self._existing.id)
         .success(self._on_existing_checkin_done)
         .failure(self._on_register_failed)
         .run(self.services.ops, self))

    def on_existing_new_button_clicked(self) -> None:
        self.submit(same_name_ok=True)

    def on_existing_badge_button_clicked(self) -> None:
        if self._existing is not None:
            self.badge_panel.show_badge(self._existing)
            self.result_stack.setCurrentWidget(self.badge_panel)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        if event.key() == Qt.Key_Escape:
            self.start_over()
            return
        super().keyPressEvent(event)

    # ---- outcomes -----------------------------------------------------------------

    def _on_register_done(self, outcome) -> None:
        self._set_busy(False)
        if outcome.created:
            view = outcome.attendee
            self._done = True  # a second Enter must not register the same person again
            for edit in self.edits.values():
                edit.setReadOnly(True)
            self._update_submit()
            self.clear_button.setText(NEXT_WALKIN)  # what comes next, once the badge is printed
            self._say(f"{view.full_name} is registered and checked in. Ticket {view.ticket_code}.", theme.GREEN)
            self.badge_panel.show_badge(view)
            self.result_stack.setCurrentWidget(self.badge_panel)
            self.badge_panel.print_button.setFocus(Qt.OtherFocusReason)
            self.walkin_registered.emit(outcome)
        elif outcome.existing is not None:
            existing = self._existing = outcome.existing
            self._say(outcome.reason, theme.AMBER)
            same_email = bool(existing.email) and existing.email.lower() == self.values()["email"].strip().lower()
            how = "with this e-mail" if same_email else "with this name"
            email = "" if same_email or not existing.email else f", e-mail {_html(existing.email)}"
            self.existing_label.setText(
                f"<b>{_html(existing.full_name)}</b> is already on the guest list {how}"
                f" (ticket {_html(existing.ticket_code)}{email}, {status_words(existing).lower()}).<br>"
                "Nobody new was registered." + ("" if same_email else " Is it the same person?")
            )
            self.existing_new_button.setVisible(not same_email)
            self.existing_checkin_button.setText(f"Check in {outcome.existing.full_name}")
            self.existing_checkin_button.setEnabled(not outcome.existing.inside)
            self.result_stack.setCurrentWidget(self.existing_panel)
            self.existing_checkin_button.setFocus(Qt.OtherFocusReason)
            self.existing_attendee_offered.emit(outcome.existing)
        else:
            self._say(outcome.reason, theme.RED)

    def _on_existing_checkin_done(self, decision: Decision) -> None:
        self._set_busy(False)
        self._say(decision.reason, theme.colour_for(decision.colour))
        if decision.attendee is not None:
            self._existing = decision.attendee
            self.existing_checkin_button.setEnabled(not decision.attendee.inside)
        self.checkin_recorded.emit(decision)

    def _on_register_failed(self, exc: Exception) -> None:
        self._set_busy(False)
        self._say(message_for(exc, "Nothing was registered"), theme.RED)

    # ---- helpers --------------------------------------------------------------------

    def _problems(self) -> dict[str, str]:
        from kiosk.core.walkins import validate_walkin

        values = self.values()
        return validate_walkin(values["first_name"], values["last_name"], values["email"])

    def _show_problems(self) -> bool:
        """Show the problems of the fields touched so far; True when the form cannot be sent."""
        problems = self._problems()
        for name, label in self.error_labels.items():
            label.setText(problems.get(name, "") if name in self._touched else "")
        return bool(problems)

    def _update_submit(self) -> None:
        first = self.edits["first_name"].text().strip()
        self.submit_button.setEnabled(bool(first) and not self._busy and not self._done)

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        self._update_submit()
        self.existing_checkin_button.setEnabled(not busy and self._existing is not None and not self._existing.inside)

    def _say(self, text: str, colour: str) -> None:
        self.message_label.setStyleSheet(f"color: {AMBER_TEXT if colour == theme.AMBER else colour};")
        self.message_label.setText(text)


def _html(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
