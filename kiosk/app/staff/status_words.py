"""An attendee's state in the words and colours the staff desk shows."""

from __future__ import annotations

from kiosk.app import theme
from kiosk.core.results import AttendeeView


def status_words(view: AttendeeView) -> str:
    if view.status == "cancelled":
        return "Cancelled"
    if view.status == "waitlisted":
        return "Waiting list"
    if view.inside:
        return "Inside"
    if view.checked_in:
        return "Left"
    return "Not arrived"


def status_colour(view: AttendeeView) -> str:
    if view.status == "cancelled":
        return theme.RED
    if view.status == "waitlisted":
        return theme.AMBER
    if view.inside:
        return theme.GREEN
    return theme.MUTED
