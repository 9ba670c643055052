"""Long pages on short screens: a page shows whole when there is room, and scrolls when there is not.

A kiosk tablet is 1024x600; a page taller than what is left of it under the bars would
otherwise force the window taller than the screen, and its bottom (often its buttons)
would be off-screen. In a scroll area it keeps its full size and is reached by scrolling.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QLayout, QScrollArea, QVBoxLayout, QWidget


def scroll_area(content: QWidget, *, horizontal: bool = True) -> QScrollArea:
    """``content`` in a frameless scroll area that gives it all the room there is, and scrolls when it needs more.

    The area draws no background of its own: the page looks the same as without it.
    """
    area = QScrollArea()
    area.setObjectName("pageScroller")
    area.setFrameShape(QFrame.Shape.NoFrame)
    area.setWidgetResizable(True)
    if not horizontal:
        area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    area.setWidget(content)
    area.viewport().setAutoFillBackground(False)
    content.setAutoFillBackground(False)
    return area


def scrolling_layout(page: QWidget, layout: QLayout | None = None) -> QLayout:
    """Give ``page`` a scroll area that fills it; returns the layout of what scrolls (``layout``, or a new column).

    Use it where a page would write ``layout = QVBoxLayout(self)``.
    """
    content = QWidget()
    content.setObjectName("pageContent")
    layout = layout if layout is not None else QVBoxLayout()
    content.setLayout(layout)
    outer = QVBoxLayout(page)
    outer.setContentsMargins(0, 0, 0, 0)
    outer.addWidget(scroll_area(content))
    return layout
