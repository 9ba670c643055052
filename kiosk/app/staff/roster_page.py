"""Roster import (with progress and a readable list of bad rows) and CSV export."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from kiosk.app import ops, theme
from kiosk.app.staff.dialogs import Dialogs
from kiosk.app.staff.errors import message_for
from kiosk.app.staff.style import AMBER_TEXT, section, use_base_font

CSV_FILTER = "CSV files (*.csv);;All files (*)"
MAX_ERRORS_SHOWN = 1000


class ProgressRelay(QObject):
    """Carries progress from a job on the DbWorker to the GUI thread (a queued signal)."""

    progressed = Signal(int, int)  # done, total

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._last_percent = -1

    def reset(self) -> None:
        self._last_percent = -1

    def __call__(self, done: int, total: int) -> None:
        # Called on the worker thread, maybe per row: emit only when the percentage moves.
        percent = 100 * done // total if total else 0
        if percent != self._last_percent or done == total:
            self._last_percent = percent
            self.progressed.emit(done, total)


class RosterPage(QWidget):
    """Import a roster CSV; export check-ins or attendees as CSV."""

    roster_imported = Signal(object)  # the import report (something was imported)
    export_finished = Signal(str, object)  # what ("checkins" | "attendees"), the Path written

    def __init__(self, services, dialogs: Dialogs | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.services = services
        self.dialogs = dialogs or Dialogs()
        self._busy = False
        self.progress_relay = ProgressRelay(self)

        # ---- import
        import_box, import_layout = section("Import a roster (CSV)")
        columns = QLabel(
            "Columns: first_name, last_name, email, ticket_code; optional status, ticket_type, plus_ones. "
            "Importing again updates the attendees already there."
        )
        columns.setWordWrap(True)
        self.event_name_edit = QLineEdit()
        self.event_name_edit.setObjectName("import_event_name")
        self.event_name_edit.setPlaceholderText("Event name (for the first import, when no event is loaded)")
        self.skip_invalid_check = QCheckBox("Import the good rows even if some rows are bad")
        self.skip_invalid_check.setObjectName("import_skip_invalid")
        self.import_button = QPushButton("Choose a CSV file and import…")
        self.import_button.setObjectName("import_button")
        self.import_button.setMinimumHeight(48)
        self.progress_bar = QProgressBar()
        self.progress_bar.setObjectName("import_progress")
        self.progress_bar.setRange(0, 0)  # busy until the rows are counted
        self.progress_bar.hide()
        self.import_summary = QLabel("")
        self.import_summary.setObjectName("import_summary")
        self.import_summary.setWordWrap(True)
        self.import_summary.setFont(theme.font(15, bold=True))
        self.errors_table = QTableWidget(0, 2)
        self.errors_table.setObjectName("import_errors")
        self.errors_table.setHorizontalHeaderLabels(["Line", "What is wrong"])
        self.errors_table.verticalHeader().setVisible(False)
        self.errors_table.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.errors_table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeToContents)
        self.errors_table.horizontalHeader().setSectionResizeMode(1, QHeaderView.Stretch)
        self.errors_table.setWordWrap(True)
        self.errors_table.hide()

        import_layout.addWidget(columns)
        import_layout.addWidget(self.event_name_edit)
        import_layout.addWidget(self.skip_invalid_check)
        import_layout.addWidget(self.import_button)
        import_layout.addWidget(self.progress_bar)
        import_layout.addWidget(self.import_summary)
        import_layout.addWidget(self.errors_table, 1)

        # ---- export
        export_box, export_layout = section("Export (CSV)")
        self.export_checkins_button = QPushButton("Export check-ins…")
        self.export_checkins_button.setObjectName("export_checkins_button")
        self.export_attendees_button = QPushButton("Export attendees…")
        self.export_attendees_button.setObjectName("export_attendees_button")
        self.export_message = QLabel("")
        self.export_message.setObjectName("export_message")
        self.export_message.setWordWrap(True)
        export_buttons = QHBoxLayout()
        for button in (self.export_checkins_button, self.export_attendees_button):
            button.setMinimumHeight(48)
            export_buttons.addWidget(button)
        export_layout.addLayout(export_buttons)
        export_layout.addWidget(self.export_message)

        layout = QVBoxLayout(self)
        layout.addWidget(import_box, 1)
        layout.addWidget(export_box)

        self.progress_relay.progressed.connect(self.on_progress_relay_progressed)
        self.import_button.clicked.connect(self.on_import_button_clicked)
        self.export_checkins_button.clicked.connect(self.on_export_checkins_button_clicked)
        self.export_attendees_button.clicked.connect(self.on_export_attendees_button_clicked)
        use_base_font(self)  # last: every child built above gets it

    # ---- public ---------------------------------------------------------------------

    def import_file(self, path: Path) -> None:
        """Import ``path`` on the DbWorker; progress and the report show here."""
        if self._busy:
            return
        self._set_busy(True)
        self.progress_relay.reset()
        self.progress_bar.setRange(0, 0)  # reading the file: busy, no count until the rows are known
        self.progress_bar.show()
        self.errors_table.hide()
        self.errors_table.setRowCount(0)
        self._summary(f"Importing {path.name}…", theme.MUTED)
        event_name = self.event_name_edit.text().strip() or None
        (ops.import_roster(path, event_name, self.skip_invalid_check.isChecked(), self.progress_relay)
         .success(lambda report: self._on_import_done(path, report))
         .failure(lambda exc: self._on_import_failed(path, exc))
         .run(self.services.ops, self))

    def export(self, what: str, path: Path) -> None:
        """Write ``what`` ("checkins" or "attendees") to ``path`` on the DbWorker."""
        if self._busy:
            return
        self._set_busy(True)
        self.export_message.setText(f"Writing {path.name}…")
        (ops.export(what, path)
         .success(lambda result: self._on_export_done(what, path, result))
         .failure(self._on_export_failed)
         .run(self.services.ops, self))

    # ---- slots ------------------------------------------------------------------------

    def on_import_button_clicked(self) -> None:
        path = self.dialogs.open_path(self, "Import a roster", CSV_FILTER)
        if path is not None:
            self.import_file(path)

    def on_export_checkins_button_clicked(self) -> None:
        self._ask_and_export("checkins", "Export check-ins", "checkins.csv")

    def on_export_attendees_button_clicked(self) -> None:
        self._ask_and_export("attendees", "Export attendees", "attendees.csv")

    def on_progress_relay_progressed(self, done: int, total: int) -> None:
        if not self._busy:
            return
        self._show_rows(done, total)

    def _show_rows(self, done: int, total: int) -> None:
        """The rows written so far, of the rows to write (the good ones: bad rows are listed below)."""
        if self.progress_bar.maximum() != max(total, 1):
            self.progress_bar.setRange(0, max(total, 1))
        self.progress_bar.setFormat(f"{done:,} of {total:,} rows written (%p%)" if total else "No rows to write")
        self.progress_bar.setValue(min(done, total) if total else 1)

    # ---- outcomes ------------------------------------------------------------------------

    def _on_import_done(self, path: Path, report) -> None:
        self._set_busy(False)
        if report.imported:
            rows = report.created + report.updated + report.unchanged
            self._show_rows(rows, rows)
        else:
            self.progress_bar.hide()
        errors = list(report.errors)
        counts = f"{report.created} new, {report.updated} updated, {report.unchanged} unchanged"
        if report.imported:
            bad = f"; {len(errors)} bad row(s) skipped, listed below" if errors else ""
            self._summary(f"Imported {path.name}: {counts}{bad}.", theme.GREEN if not errors else AMBER_TEXT)
        else:
            self._summary(
                f"Nothing was imported: {len(errors)} bad row(s) in {path.name}, listed below. Fix them, "
                "or tick “Import the good rows even if some rows are bad”.",
                theme.RED,
            )
        self._show_errors(errors)
        if report.imported:
            self.roster_imported.emit(report)

    def _on_import_failed(self, path: Path, exc: Exception) -> None:
        self._set_busy(False)
        self.progress_bar.hide()
        from kiosk.app.ops import RosterImportRefused
        from sync.roster_csv import RosterFileError

        expected = (RosterFileError, RosterImportRefused)
        self._summary(message_for(exc, f"{path.name} was not imported", expected), theme.RED)

    def _on_export_done(self, what: str, path: Path, result) -> None:
        self._set_busy(False)
        rows = f" ({result} rows)" if isinstance(result, int) else ""
        self.export_message.setStyleSheet("")
        self.export_message.setText(f"Wrote {path}{rows}.")
        self.export_finished.emit(what, path)

    def _on_export_failed(self, exc: Exception) -> None:
        self._set_busy(False)
        self.export_message.setStyleSheet(f"color: {theme.RED};")
        self.export_message.setText(message_for(exc, "Nothing was exported"))

    # ---- helpers ---------------------------------------------------------------------------

    def _ask_and_export(self, what: str, title: str, suggested: str) -> None:
        path = self.dialogs.save_path(self, title, suggested, CSV_FILTER)
        if path is not None:
            self.export(what, path)

    def _show_errors(self, errors) -> None:
        shown = errors[:MAX_ERRORS_SHOWN]
        self.errors_table.setRowCount(len(shown) + (1 if len(errors) > len(shown) else 0))
        for row, error in enumerate(shown):
            line, reason = _line_and_reason(error)
            line_item = QTableWidgetItem(str(line))
            line_item.setTextAlignment(Qt.AlignRight | Qt.AlignVCenter)
            self.errors_table.setItem(row, 0, line_item)
            self.errors_table.setItem(row, 1, QTableWidgetItem(reason))
        if len(errors) > len(shown):
            self.errors_table.setItem(len(shown), 0, QTableWidgetItem("…"))
            self.errors_table.setItem(
                len(shown), 1,
                QTableWidgetItem(f"and {len(errors) - len(shown)} more (run `kiosk import-roster` to list them all)")
            )
        self.errors_table.setVisible(bool(errors))

    def _summary(self, text: str, colour: str) -> None:
        self.import_summary.setStyleSheet(f"color: {colour};")
        self.import_summary.setText(text)

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        for button in (self.import_button, self.export_checkins_button, self.export_attendees_button):
            button.setEnabled(not busy)


def _line_and_reason(error) -> tuple[int, str]:
    if isinstance(error, tuple):
        return error[0], error[1]
    return error.line, error.reason

