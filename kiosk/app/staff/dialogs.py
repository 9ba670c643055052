"""The modal questions the staff desk asks (files, printer), behind one small object.

Widgets take a :class:`Dialogs` in their constructor; tests pass one that answers
with paths in a temporary folder instead of opening a window nobody can click.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QWidget


class Dialogs:
    """Qt's standard dialogs. Every method returns None when the user cancels."""

    def open_path(self, parent: QWidget, title: str, file_filter: str) -> Path | None:
        path, _ = QFileDialog.getOpenFileName(parent, title, "", file_filter)
        return Path(path) if path else None

    def save_path(self, parent: QWidget, title: str, suggested: str, file_filter: str) -> Path | None:
        path, _ = QFileDialog.getSaveFileName(parent, title, suggested, file_filter)
        return Path(path) if path else None

    def printer(self, parent: QWidget, title: str):
        """A printer the user chose and set up, or None (cancelled, or no printer installed)."""
        from PySide6.QtPrintSupport import QPrintDialog, QPrinter, QPrinterInfo

        if not QPrinterInfo.availablePrinterNames():
            return None
        printer = QPrinter(QPrinter.HighResolution)
        dialog = QPrintDialog(printer, parent)
        dialog.setWindowTitle(title)
        return printer if dialog.exec() == QPrintDialog.Accepted else None

    def has_printer(self) -> bool:
        from PySide6.QtPrintSupport import QPrinterInfo

        return bool(QPrinterInfo.availablePrinterNames())
