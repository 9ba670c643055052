"""The door's code box: a ticket code typed checks in at once; a name typed offers the matches.

Enter runs one search (``ops.search``, the staff desk's): when a ticket code of
the roster is exactly what was typed, it is checked in as if scanned; when names
or e-mails match, a short list is offered — Up/Down choose, Enter checks the
chosen person in, Esc closes it, a click works too; one match is chosen already,
so Enter checks them in. Text that matches nobody and has a digit in it goes to
the door's rules as a code (an unknown or a signed ticket); a name that matches
nobody is told so, and nothing is logged.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QFrame, QLabel, QLineEdit, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from kiosk.app import ops, theme
from kiosk.app.staff.status_words import status_words
from kiosk.core.results import AttendeeView

MATCH_LIMIT = 8  # a short list to read and pick from at the door; more means "type more of the name"
SEARCH_KEY = "door-search"  # its own "latest only" key: the staff desk's search is another


def looks_like_name(text: str) -> bool:
    """A name or an e-mail, not a ticket code: no digit in it."""
    return not any(char.isdigit() for char in text)


class CodeField(QLineEdit):
    """The code box: Up and Down move through the matches, Esc closes them."""

    moved = Signal(int)  # -1 up, +1 down
    escaped = Signal()

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 (Qt's name)
        key = event.key()
        if key in (Qt.Key.Key_Up, Qt.Key.Key_Down):
            self.moved.emit(-1 if key == Qt.Key.Key_Up else 1)
            return
        if key == Qt.Key.Key_Escape:
            self.escaped.emit()
            return
        super().keyPressEvent(event)


class CodeEntry(QWidget):
    """The code box and, once a name is typed, the people it matches."""

    code_entered = Signal(str)  # a ticket code: check it in now
    attendee_chosen = Signal(object)  # AttendeeView picked from the matches: check them in
    matches_toggled = Signal(bool)  # the list of matches appeared (True) or went away (False)

    def __init__(self, services, parent: QWidget | None = None):
        super().__init__(parent)
        self.services = services
        self.query = ""  # what the list on screen answers
        self._views: list[AttendeeView] = []

        self.field = CodeField()
        self.field.setObjectName("codeField")
        self.field.setPlaceholderText("Type a ticket code or a name, then Enter")
        self.field.setFont(theme.font(16))
        self.matches_title = QLabel()
        self.matches_title.setObjectName("matchesTitle")
        self.matches_title.setFont(theme.font(16, bold=True))
        self.matches_title.setWordWrap(True)
        self.matches = QListWidget()
        self.matches.setObjectName("matches")
        self.matches.setFont(theme.font(16))
        self.matches.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # the keys stay in the code box
        self.matches.setSpacing(3)
        self.matches.setWordWrap(True)  # a long name wraps rather than scrolling sideways
        self.matches.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.matches_hint = QLabel()
        self.matches_hint.setObjectName("matchesHint")
        self.matches_hint.setFont(theme.font(13))
        self.matches_hint.setWordWrap(True)
        self.matches_hint.setStyleSheet(f"color: {theme.NEUTRAL};")
        self.matches_box = QFrame()
        self.matches_box.setObjectName("matchesBox")
        self.matches_box.setStyleSheet("QFrame#matchesBox { background: #ffffff; border: 2px solid #90a4ae;"
                                       " border-radius: 8px; }")
        box = QVBoxLayout(self.matches_box)
        box.addWidget(self.matches_title)
        box.addWidget(self.matches, 1)
        box.addWidget(self.matches_hint)
        self.matches_box.hide()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.matches_box, 1)
        layout.addWidget(self.field)

    def connect_signals(self) -> None:
        self.field.returnPressed.connect(self.on_field_return_pressed)
        self.field.moved.connect(self.on_field_moved)
        self.field.escaped.connect(self.on_field_escaped)
        self.matches.itemClicked.connect(self.on_matches_item_clicked)

    # ---- public ---------------------------------------------------------------

    def chosen(self) -> AttendeeView | None:
        row = self.matches.currentRow()
        return self._views[row] if self.matches_box.isVisible() and 0 <= row < len(self._views) else None

    def close_matches(self) -> None:
        was_open = self.matches_box.isVisible()
        self.matches_box.hide()
        self.matches.clear()
        self._views, self.query = [], ""
        if was_open:
            self.matches_toggled.emit(False)

    # ---- slots ------------------------------------------------------------------

    def on_field_return_pressed(self) -> None:
        text = self.field.text().strip()
        if not text:
            return
        if self.matches_box.isVisible() and text == self.query:
            view = self.chosen()
            if view is not None:
                self._choose(view)
            else:
                self.matches_hint.setText("Choose someone with ↓ or ↑, then press Enter.")
            return
        (ops.search(text, MATCH_LIMIT, latest=SEARCH_KEY)
         .success(lambda views: self._on_search_done(text, views))
         .failure(lambda _exc: self._enter_code(text))  # the door's rules will say what is wrong
         .run(self.services.ops, self))

    def on_field_moved(self, step: int) -> None:
        if not self._views:
            return
        row = self.matches.currentRow()
        row = 0 if row < 0 else max(0, min(len(self._views) - 1, row + step))
        self.matches.setCurrentRow(row)
        self._hint_for(self._views[row])

    def on_field_escaped(self) -> None:
        self.close_matches()

    def on_matches_item_clicked(self, item: QListWidgetItem) -> None:
        row = self.matches.row(item)
        if 0 <= row < len(self._views):
            self._choose(self._views[row])

    # ---- answers ------------------------------------------------------------------

    def _on_search_done(self, text: str, views: list[AttendeeView]) -> None:
        if self.field.text().strip() != text:
            return  # typed on since: the next Enter searches again
        if any(view.ticket_code.casefold() == text.casefold() for view in views) or (
                not views and not looks_like_name(text)):
            self._enter_code(text)
            return
        self._show(text, views)

    def _show(self, text: str, views: list[AttendeeView]) -> None:
        self.query, self._views = text, list(views)
        self.matches.clear()
        for view in views:
            item = QListWidgetItem(f"{view.full_name}\n{status_words(view)}  ·  {view.ticket_code}")
            item.setToolTip(view.email or "")
            self.matches.addItem(item)
        if not views:
            self.matches_title.setText(f"No one on the guest list matches “{text}”.")
            self.matches_hint.setText("Check the spelling, or try the e-mail. Esc closes.")
        elif len(views) == 1:
            self.matches_title.setText(f"1 person matches “{text}”:")
            self.matches.setCurrentRow(0)
            self._hint_for(views[0])
        else:
            more = "; type more of the name to narrow it" if len(views) >= MATCH_LIMIT else ""
            self.matches_title.setText(f"{len(views)} people match “{text}”{more}:")
            self.matches_hint.setText("Choose with ↓ or ↑, then Enter checks them in. Esc closes.")
        self.matches.setVisible(bool(views))
        was_open = self.matches_box.isVisible()
        self.matches_box.show()
        if not was_open:
            self.matches_toggled.emit(True)

    def _hint_for(self, view: AttendeeView) -> None:
        self.matches_hint.setText(f"Enter checks in {view.full_name}. Esc closes.")

    def _choose(self, view: AttendeeView) -> None:
        self.field.clear()
        self.close_matches()
        self.attendee_chosen.emit(view)

    def _enter_code(self, text: str) -> None:
        self.field.clear()
        self.close_matches()
        self.code_entered.emit(text)
