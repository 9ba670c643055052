"""Search as you type: name, e-mail or ticket code, each result with its status.

Typing restarts a short timer; when it fires the query goes to the DbWorker.
Answers to queries that were overtaken by newer typing are dropped, so the
list always matches the text in the box.
"""

from __future__ import annotations

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QKeyEvent
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QLabel, QLineEdit, QTableView, QVBoxLayout, QWidget

from kiosk.app import ops, theme
from kiosk.app.staff.errors import message_for
from kiosk.app.staff.status_words import status_colour, status_words
from kiosk.app.staff.style import AMBER_TEXT, TABLE_PT, use_base_font
from kiosk.core.results import AttendeeView

DEBOUNCE_MS = 100
RESULT_LIMIT = 25
HINT = "Type a name, an e-mail or a ticket code (Esc clears)."


class AttendeeResultsModel(QAbstractTableModel):
    """The results of one search: name, e-mail, ticket, status."""

    HEADERS = ("Name", "E-mail", "Ticket", "Status")
    STATUS_COLUMN = 3

    def __init__(self, parent=None):
        super().__init__(parent)
        self._views: list[AttendeeView] = []
        self._bold = QFont()
        self._bold.setBold(True)

    def set_views(self, views: list[AttendeeView]) -> None:
        self.beginResetModel()
        self._views = list(views)
        self.endResetModel()

    def views(self) -> list[AttendeeView]:
        return list(self._views)

    def view_at(self, row: int) -> AttendeeView | None:
        return self._views[row] if 0 <= row < len(self._views) else None

    def row_of(self, attendee_id: str) -> int:
        return next((i for i, v in enumerate(self._views) if v.id == attendee_id), -1)

    def replace(self, view: AttendeeView) -> None:
        row = self.row_of(view.id)
        if row >= 0:
            self._views[row] = view
            self.dataChanged.emit(self.index(row, 0), self.index(row, len(self.HEADERS) - 1))

    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: N802 (Qt's name)
        return 0 if parent.isValid() else len(self._views)

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(self, section, orientation, role=Qt.DisplayRole):  # noqa: N802
        if orientation == Qt.Horizontal and role == Qt.DisplayRole:
            return self.HEADERS[section]
        return None

    def data(self, index, role=Qt.DisplayRole):
        view = self.view_at(index.row())
        if view is None:
            return None
        column = index.column()
        if role == Qt.DisplayRole:
            if column == 0:
                return view.full_name + ("  (walk-in)" if view.is_walkin else "")
            if column == 1:
                return view.email or ""
            if column == 2:
                return view.ticket_code
            return status_words(view)
        if role == Qt.ForegroundRole and column == self.STATUS_COLUMN:
            colour = status_colour(view)
            return QBrush(QColor(AMBER_TEXT if colour == theme.AMBER else colour))
        if role == Qt.FontRole and column in (0, self.STATUS_COLUMN):
            return self._bold
        if role == Qt.ToolTipRole:
            return f"{view.full_name} — {status_words(view)} — {view.ticket_code}"
        return None


class _QueryEdit(QLineEdit):
    """The search box: Esc clears it, Down moves into the results."""

    moved_down = Signal()

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        if event.key() == Qt.Key_Escape:
            self.clear()
            return
        if event.key() == Qt.Key_Down:
            self.moved_down.emit()
            return
        super().keyPressEvent(event)


class _ResultsView(QTableView):
    """The results: Enter chooses, Esc goes back to the search box."""

    chosen = Signal(QModelIndex)
    escaped = Signal()

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        if event.key() in (Qt.Key_Return, Qt.Key_Enter) and self.currentIndex().isValid():
            self.chosen.emit(self.currentIndex())
            return
        if event.key() == Qt.Key_Escape:
            self.escaped.emit()
            return
        super().keyPressEvent(event)


class SearchPanel(QWidget):
    """The search box and its results. Highlighting a result looks it up; nothing is checked in."""

    attendee_selected = Signal(object)  # AttendeeView: the highlighted result
    attendee_chosen = Signal(object)  # AttendeeView: Enter or double-click on a result
    results_shown = Signal(int)  # a search answered: how many results are on screen

    def __init__(self, services, parent: QWidget | None = None):
        super().__init__(parent)
        self.services = services
        self._generation = 0  # bumped per query sent; older answers are dropped
        self._shown_query: str | None = None

        self.query_edit = _QueryEdit()
        self.query_edit.setObjectName("search_query")
        self.query_edit.setPlaceholderText("Search: name, e-mail or ticket code")
        self.query_edit.setClearButtonEnabled(True)
        self.query_edit.setFont(theme.font(18))
        self.query_edit.setMinimumHeight(48)

        self.model = AttendeeResultsModel(self)
        self.results_view = _ResultsView()
        self.results_view.setObjectName("search_results")
        self.results_view.setModel(self.model)
        self.results_view.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.results_view.setSelectionMode(QAbstractItemView.SingleSelection)
        self.results_view.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.results_view.setAlternatingRowColors(True)
        self.results_view.setShowGrid(False)
        self.results_view.setWordWrap(False)
        self.results_view.verticalHeader().setVisible(False)
        self.results_view.verticalHeader().setDefaultSectionSize(40)
        self.results_view.setFont(theme.font(TABLE_PT + 1))
        header = self.results_view.horizontalHeader()
        # The name matters most: it gets its room; the e-mail takes what is left.
        header.setSectionResizeMode(0, QHeaderView.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeToContents)
        header.setSectionResizeMode(3, QHeaderView.ResizeToContents)

        self.message_label = QLabel(HINT)
        self.message_label.setObjectName("search_message")
        self.message_label.setWordWrap(True)
        self.message_label.setStyleSheet(f"color: {theme.MUTED};")

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.query_edit)
        layout.addWidget(self.message_label)
        layout.addWidget(self.results_view, 1)

        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(DEBOUNCE_MS)
        self._debounce.timeout.connect(self.on_debounce_timeout)
        self.query_edit.textChanged.connect(self.on_query_edit_text_changed)
        self.query_edit.returnPressed.connect(self.on_query_edit_return_pressed)
        self.query_edit.moved_down.connect(self.on_query_edit_moved_down)
        self.results_view.selectionModel().currentRowChanged.connect(self.on_results_view_current_row_changed)
        self.results_view.chosen.connect(self.on_results_view_chosen)
        self.results_view.doubleClicked.connect(self.on_results_view_chosen)
        self.results_view.escaped.connect(self.on_results_view_escaped)
        use_base_font(self)  # last: every child built above gets it
        # Two lines kept for the message: the results never jump when a longer one shows.
        self.message_label.setMinimumHeight(self.message_label.fontMetrics().lineSpacing() * 2)

    # ---- public -------------------------------------------------------------

    def query(self) -> str:
        return self.query_edit.text().strip()

    def set_query(self, text: str, select_id: str | None = None) -> None:
        """Search for ``text`` now (as if typed, without waiting for the timer); highlight ``select_id``."""
        self.query_edit.setText(text)
        self._debounce.stop()
        self._send(self.query(), select_id=select_id)

    def say(self, text: str) -> None:
        """A line above the results (a scanned code that matches nobody)."""
        self.message_label.setText(text)

    def refresh(self) -> None:
        """Run the current search again (statuses changed); the highlighted row stays."""
        if self.query():
            self._send(self.query())

    def update_attendee(self, view: AttendeeView) -> None:
        """Show a fresh state of one attendee in place (after a check-in or an undo)."""
        self.model.replace(view)

    def focus_query(self) -> None:
        self.query_edit.setFocus(Qt.ShortcutFocusReason)
        self.query_edit.selectAll()

    def current_attendee(self) -> AttendeeView | None:
        return self.model.view_at(self.results_view.currentIndex().row())

    # ---- slots ----------------------------------------------------------------

    def on_query_edit_text_changed(self, _text: str) -> None:
        self._debounce.start()

    def on_debounce_timeout(self) -> None:
        self._send(self.query())

    def on_query_edit_return_pressed(self) -> None:
        """Enter in the box: answer now, and open the first result (a hand scanner ends with Enter)."""
        self._debounce.stop()
        if self._shown_query == self.query() and self.model.rowCount():
            self._choose_row(max(self.results_view.currentIndex().row(), 0))
        else:
            self._send(self.query(), choose_first=True)

    def on_query_edit_moved_down(self) -> None:
        if self.model.rowCount():
            self.results_view.setFocus(Qt.TabFocusReason)
            if not self.results_view.currentIndex().isValid():
                self.results_view.setCurrentIndex(self.model.index(0, 0))

    def on_results_view_current_row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        view = self.model.view_at(current.row())
        if view is not None:
            self.attendee_selected.emit(view)

    def on_results_view_chosen(self, index: QModelIndex) -> None:
        self._choose_row(index.row())

    def on_results_view_escaped(self) -> None:
        self.focus_query()

    # ---- search on the DbWorker ----------------------------------------------

    def _send(self, text: str, choose_first: bool = False, select_id: str | None = None) -> None:
        self._generation += 1
        generation = self._generation
        if not text:
            self._shown_query = ""
            self.model.set_views([])
            self.message_label.setText(HINT)
            self.results_shown.emit(0)
            return
        (ops.search(text, RESULT_LIMIT)
         .success(lambda views: self._on_search_done(generation, text, views, choose_first, select_id))
         .failure(lambda exc: self._on_search_failed(generation, exc))
         .run(self.services.ops, self))

    def _on_search_done(self, generation: int, text: str, views: list[AttendeeView], choose_first: bool,
                        select_id: str | None = None) -> None:
        if generation != self._generation:
            return  # overtaken by newer typing
        keep_id = self.current_attendee().id if self.current_attendee() else None
        self._shown_query = text
        self.model.set_views(views)
        if not views:
            self.message_label.setText(f"No one matches “{text}”.")
        elif len(views) >= RESULT_LIMIT:
            self.message_label.setText(f"The first {len(views)} matches; type more to narrow the search.")
        else:
            self.message_label.setText(f"{len(views)} match{'es' if len(views) != 1 else ''}.")
        if select_id is not None and self.model.row_of(select_id) >= 0:
            self.results_view.setCurrentIndex(self.model.index(self.model.row_of(select_id), 0))
            self.results_shown.emit(len(views))
            return
        row = self.model.row_of(keep_id) if keep_id else -1
        if row >= 0:
            self.results_view.selectionModel().blockSignals(True)
            self.results_view.setCurrentIndex(self.model.index(row, 0))
            self.results_view.selectionModel().blockSignals(False)
        self.results_shown.emit(len(views))
        if choose_first and views:
            self._choose_row(0)

    def _on_search_failed(self, generation: int, exc: Exception) -> None:
        if generation == self._generation:
            self.message_label.setText(message_for(exc, "Search failed"))

    def _choose_row(self, row: int) -> None:
        view = self.model.view_at(row)
        if view is None:
            return
        index = self.model.index(row, 0)
        if self.results_view.currentIndex() != index:
            self.results_view.setCurrentIndex(index)  # announces attendee_selected
        self.attendee_chosen.emit(view)

