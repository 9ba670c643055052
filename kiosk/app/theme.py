"""Colours and type sizes shared by every screen.

Door colours are chosen to read from two metres and to stay distinct for the
common colour-vision deficiencies: the result panel also always says the
result in words, so colour is never the only signal.
"""

from __future__ import annotations

from PySide6.QtGui import QColor, QFont

# Result colours: background of the result panel, and the text drawn on it.
GREEN = "#1b7f3b"
AMBER = "#f2a900"
RED = "#c62828"
READY = "#263238"  # blue-grey: the idle "show your ticket" panel
NEUTRAL = "#37474f"

TEXT_ON = {GREEN: "#ffffff", AMBER: "#1a1a1a", RED: "#ffffff", READY: "#ffffff", NEUTRAL: "#ffffff"}

RESULT_COLOURS = {"green": GREEN, "amber": AMBER, "red": RED}

# Status line colours.
ONLINE = "#2e7d32"
OFFLINE = "#b26a00"
MUTED = "#607d8b"

WINDOW_BACKGROUND = "#eceff1"

# Point sizes. The door screen is read from two metres on a 1366x768 laptop.
HEADLINE_PT = 44  # "Welcome" / "Already checked in" / "Not valid"
NAME_PT = 52  # the attendee's name: the thing door staff must read at a glance
REASON_PT = 26  # the reason in plain words
STATUS_PT = 18  # the door's online/offline line: read from two metres too
BODY_PT = 14
BUTTON_PT = 16


def colour_for(result_colour: str) -> str:
    """The panel background for a Decision.colour ('green' | 'amber' | 'red')."""
    return RESULT_COLOURS.get(result_colour, NEUTRAL)


def text_colour_on(background: str) -> str:
    return TEXT_ON.get(background, "#ffffff")


def font(point_size: int, bold: bool = False) -> QFont:
    f = QFont()
    f.setPointSize(point_size)
    f.setBold(bold)
    return f


def qcolor(hex_colour: str) -> QColor:
    return QColor(hex_colour)


# Only what fonts cannot say: a stylesheet font-size would override every widget's setFont().
APP_STYLESHEET = f"""
QMainWindow, QWidget#face {{ background: {WINDOW_BACKGROUND}; }}
QPushButton {{ padding: 6px 16px; }}
QLineEdit {{ padding: 4px; }}
"""
