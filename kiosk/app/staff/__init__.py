"""The staff desktop: search, attendee detail, walk-ins, roster import/export, settings, enrollment."""

from kiosk.app.staff.staff_desk import StaffDesk

__all__ = ["StaffDesk"]
