"""Type sizes of the staff desk and the dashboard: read at arm's length, not from two metres.

Each page sets :data:`BASE_PT` as its own font, so every label, table and button
in it inherits a size readable on a 1366x768 laptop; headings set larger ones.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QLabel, QVBoxLayout, QWidget

from kiosk.app import theme

BASE_PT = 12
TABLE_PT = 12
HEADING_PT = 15
AMBER_TEXT = "#8a5a00"  # amber is for backgrounds; on white, text needs this darker shade


def use_base_font(root: QWidget) -> None:
    """Give ``root`` and every child without a font of its own the base size.

    Call it at the end of a page's constructor. Children would inherit the font
    of their parent, but not under a style sheet (the window has one): so each
    child gets it explicitly.
    """
    base = theme.font(BASE_PT)
    if not root.testAttribute(Qt.WA_SetFont):
        root.setFont(base)
    for child in root.findChildren(QWidget):
        if not child.testAttribute(Qt.WA_SetFont):
            child.setFont(base)


def section(title: str) -> tuple[QFrame, QVBoxLayout]:
    """A framed part of a page with a heading; add its content to the returned layout.

    (A QGroupBox's title takes its font from the box, which every child would inherit.)
    """
    frame = QFrame()
    frame.setObjectName("section")
    frame.setFrameShape(QFrame.StyledPanel)
    heading = QLabel(title)
    heading.setFont(theme.font(HEADING_PT, bold=True))
    layout = QVBoxLayout(frame)
    layout.addWidget(heading)
    return frame, layout
