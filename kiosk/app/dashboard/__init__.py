"""The organizer's live dashboard."""

from kiosk.app.dashboard.dashboard import Dashboard

__all__ = ["Dashboard"]
