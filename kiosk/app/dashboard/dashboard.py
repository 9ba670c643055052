"""The organizer's live dashboard.

Figures come from the server's live stream while it is reachable (every
kiosk's check-ins), and from this kiosk's replica otherwise; the heading says
which. Nothing here waits on the database or the network: both answer through
signals.
"""

from __future__ import annotations

import time
from datetime import datetime, timezone

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from kiosk.app import ops, theme
from kiosk.app.dashboard.chart import ArrivalsChart
from kiosk.app.dashboard.figures import SERVER, DashboardFigures
from kiosk.app.dashboard.live import ReplicaStatsPoller, ServerStatsStream, StreamOpener
from kiosk.app.staff.attendee_detail import event_zone
from kiosk.app.staff.not_stored_bar import NotStoredBar
from kiosk.app.staff.style import AMBER_TEXT, use_base_font

STREAM_LOOKUP_EVERY_S = 30  # how often a refresh may look for an enrollment made since


def _number(value: int | None) -> str:
    return "—" if value is None else f"{value:,}"


class FigureTile(QFrame):
    """One headline figure: a title, a big number, a line of detail."""

    def __init__(self, title: str, object_name: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName(object_name)
        self.setFrameShape(QFrame.StyledPanel)
        self.setStyleSheet(
            f"QFrame#{object_name} {{ background: white; border: 1px solid #cfd8dc; border-radius: 8px; }}")
        self.title_label = QLabel(title)
        self.title_label.setFont(theme.font(13, bold=True))
        self.title_label.setStyleSheet(f"color: {theme.MUTED}; border: none;")
        self.value_label = QLabel("—")
        self.value_label.setObjectName(f"{object_name}_value")
        self.value_label.setFont(theme.font(34, bold=True))
        self.value_label.setStyleSheet("border: none; color: #1b1f24;")
        self.detail_label = QLabel("", wordWrap=True)  # wraps rather than widen six tiles past a 1024 screen
        self.detail_label.setObjectName(f"{object_name}_detail")
        self.detail_label.setStyleSheet(f"color: {theme.MUTED}; border: none; font-size: 12pt;")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(14, 10, 14, 10)
        layout.setSpacing(2)
        layout.addWidget(self.title_label)
        layout.addWidget(self.value_label)
        layout.addWidget(self.detail_label)

    def set_figure(self, value: str, detail: str = "", colour: str = "#1b1f24") -> None:
        self.value_label.setText(value)
        self.value_label.setStyleSheet(f"border: none; color: {colour};")
        self.detail_label.setText(detail)


def _table(headers: list[str], object_name: str) -> QTableWidget:
    table = QTableWidget(0, len(headers))
    table.setObjectName(object_name)
    table.setHorizontalHeaderLabels(headers)
    table.verticalHeader().setVisible(False)
    table.setEditTriggers(QAbstractItemView.NoEditTriggers)
    table.setSelectionMode(QAbstractItemView.NoSelection)
    table.setFocusPolicy(Qt.NoFocus)
    table.setAlternatingRowColors(True)
    table.verticalHeader().setDefaultSectionSize(30)
    table.horizontalHeader().setSectionResizeMode(QHeaderView.Stretch)
    return table


class Dashboard(QWidget):
    """Arrived / expected, inside, walk-ins, duplicates, overrides, arrivals per 5 minutes, doors and kiosks."""

    figures_shown = Signal(object)  # DashboardFigures now on screen
    source_changed = Signal(str)  # "server" | "replica"

    def __init__(self, services, open_stream: StreamOpener | None = None, *,
                 poll_interval_ms: int | None = None, parent: QWidget | None = None):
        """``open_stream``: opens the server's stats stream (see live.StatsStream); None finds it
        from the replica's enrollment when :meth:`start` runs."""
        super().__init__(parent)
        self.setObjectName("dashboard")
        self.services = services
        self._open_stream = open_stream
        self._stream_checked_at: float | None = None  # when enrollment was last looked for (monotonic)
        self._server_live = False
        self._source: str | None = None
        self._latest_replica: DashboardFigures | None = None
        self._stream_note = ""
        self.figures: DashboardFigures | None = None

        self.title_label = QLabel(services.event.name or "Dashboard")
        self.title_label.setObjectName("dashboard_title")
        self.title_label.setFont(theme.font(22, bold=True))
        self.source_label = QLabel("Counting…")
        self.source_label.setObjectName("dashboard_source")
        self.source_label.setAlignment(Qt.AlignRight | Qt.AlignVCenter)
        self.source_label.setFont(theme.font(13, bold=True))
        heading = QHBoxLayout()
        heading.addWidget(self.title_label, 1)
        heading.addWidget(self.source_label)

        self.arrived_tile = FigureTile("Arrived / expected", "tile_arrived")
        self.arrived_bar = QProgressBar()
        self.arrived_bar.setObjectName("arrived_bar")
        self.arrived_bar.setTextVisible(False)
        self.arrived_bar.setFixedHeight(10)
        self.arrived_bar.setStyleSheet(
            f"QProgressBar {{ border: none; background: #dfe5e8; border-radius: 5px; }}"
            f"QProgressBar::chunk {{ background: {theme.GREEN}; border-radius: 5px; }}"
        )
        self.arrived_tile.layout().addWidget(self.arrived_bar)
        self.inside_tile = FigureTile("Inside now", "tile_inside")
        self.walkins_tile = FigureTile("Walk-ins", "tile_walkins")
        self.duplicates_tile = FigureTile("Duplicates", "tile_duplicates")
        self.overrides_tile = FigureTile("Let in anyway", "tile_overrides")  # supervisors' forced check-ins
        self.waiting_tile = FigureTile("Waiting to sync", "tile_waiting")
        tiles = QGridLayout()
        tiles.setHorizontalSpacing(12)
        tiles.addWidget(self.arrived_tile, 0, 0)
        small = (self.inside_tile, self.walkins_tile, self.duplicates_tile, self.overrides_tile, self.waiting_tile)
        for column, tile in enumerate(small, 1):
            tiles.addWidget(tile, 0, column)
        tiles.setColumnStretch(0, 2)
        for column in range(1, len(small) + 1):
            tiles.setColumnStretch(column, 1)

        self.chart = ArrivalsChart()
        chart_title = QLabel("Arrivals per 5 minutes")
        chart_title.setFont(theme.font(14, bold=True))
        self.doors_table = _table(["Door", "Arrivals"], "dashboard_doors")
        doors_title = QLabel("Per door")
        doors_title.setFont(theme.font(14, bold=True))
        middle = QGridLayout()
        middle.addWidget(chart_title, 0, 0)
        middle.addWidget(self.chart, 1, 0)
        middle.addWidget(doors_title, 0, 1)
        middle.addWidget(self.doors_table, 1, 1)
        middle.setColumnStretch(0, 3)
        middle.setColumnStretch(1, 1)

        self.fleet_table = _table(["Kiosk", "Door", "Online", "Last seen", "Waiting to sync", "Behind"],
                                  "dashboard_fleet")
        self.fleet_table.setMinimumHeight(120)
        fleet_title = QLabel("Kiosks")
        fleet_title.setFont(theme.font(14, bold=True))

        layout = QVBoxLayout(self)
        layout.addLayout(heading)
        self.not_stored_bar = NotStoredBar(services)  # refused scans: not in the figures below
        layout.addWidget(self.not_stored_bar)
        layout.addLayout(tiles)
        layout.addLayout(middle, 3)
        layout.addWidget(fleet_title)
        layout.addWidget(self.fleet_table, 1)

        self.poller = ReplicaStatsPoller(services, **({"interval_ms": poll_interval_ms} if poll_interval_ms else {}),
                                         parent=self)
        self.poller.figures_counted.connect(self.on_poller_figures_counted)
        self.poller.count_failed.connect(self.on_poller_count_failed)
        self.stream: ServerStatsStream | None = None
        self._started = False
        services.ops.changes.connect(self.on_ops_changes)
        use_base_font(self)  # last: every child built above gets it

    # ---- public ------------------------------------------------------------------

    def start(self) -> None:
        """Count locally while on screen, and listen to the server when this kiosk is enrolled."""
        self._started = True
        if self.isVisible():
            self.poller.start()
        if self._open_stream is not None:
            self._start_stream(self._open_stream)
        else:
            self._look_for_stream()

    def stop(self) -> None:
        """Stop the timer and the stream's thread (before the window closes)."""
        self._started = False
        self.poller.stop()
        if self.stream is not None:
            self.stream.stop()

    def refresh(self) -> None:
        """Something changed on this kiosk (a scan, a walk-in, an import, an enrollment): count again soon."""
        if not self._server_live and self.poller.active:
            self.poller.count_soon()
        if self._started and self.stream is None and self._open_stream is None:
            self._look_for_stream()  # enrolled since the dashboard started?

    @property
    def source(self) -> str | None:
        return self._source

    # ---- slots ----------------------------------------------------------------------

    def on_poller_figures_counted(self, figures: DashboardFigures) -> None:
        self._latest_replica = figures
        if not self._server_live:
            self._show(figures)

    def on_poller_count_failed(self, message: str) -> None:
        if not self._server_live:
            self.source_label.setText(f"Cannot count: {message}")
            self.source_label.setStyleSheet(f"color: {theme.RED};")

    def on_stream_stream_connected(self) -> None:
        self._server_live = True
        self._stream_note = ""
        self.poller.stop()  # the server counts every kiosk; no need to count here too

    def on_stream_figures_received(self, figures: DashboardFigures) -> None:
        self._server_live = True
        self._show(figures)

    def on_stream_stream_lost(self, why: str) -> None:
        was_live = self._server_live
        self._server_live = False
        self._stream_note = why
        if not self.poller.active and self.isVisible():
            self.poller.start()  # counts at once: the screen never shows stale server figures
        elif self._latest_replica is not None and was_live:
            self._show(self._latest_replica)
        else:
            self._show_source()

    def on_ops_changes(self, changes, _initiator) -> None:
        """Count again for what changed the figures (a scan, a walk-in, an import, a sync that pulled)."""
        if changes.checkins or changes.attendees or changes.event:
            self.refresh()

    def show_error(self, message: str) -> None:
        self.source_label.setText(f"Something went wrong: {message}")
        self.source_label.setStyleSheet(f"color: {theme.RED};")

    # Counting the replica is work for the DbWorker, which the door shares: only while on screen.
    def showEvent(self, event) -> None:  # noqa: N802
        super().showEvent(event)
        if self._started and not self._server_live and not self.poller.active:
            self.poller.start()

    def hideEvent(self, event) -> None:  # noqa: N802
        super().hideEvent(event)
        self.poller.stop()

    # ---- drawing ---------------------------------------------------------------------

    def _show(self, figures: DashboardFigures) -> None:
        self.figures = figures
        if figures.event_name:
            self.title_label.setText(figures.event_name)
        share = figures.arrived_share
        detail = f"{share:.0%} of {_number(figures.expected)} expected" if share is not None else "no roster yet"
        if figures.capacity:
            detail += f" · capacity {figures.capacity:,}"
        self.arrived_tile.set_figure(f"{_number(figures.arrived)} / {_number(figures.expected)}", detail, theme.GREEN)
        self.arrived_bar.setMaximum(max(figures.expected, figures.arrived, 1))
        self.arrived_bar.setValue(figures.arrived)
        self.inside_tile.set_figure(_number(figures.inside), "entries minus exits")
        self.walkins_tile.set_figure(_number(figures.walkins), "registered at the door")
        self.duplicates_tile.set_figure(
            _number(figures.duplicates), "same ticket let in twice" if figures.duplicates else "none flagged",
            theme.RED if figures.duplicates else "#1b1f24",
        )
        self.overrides_tile.set_figure(_number(figures.overrides), "forced, with a reason",
                                       AMBER_TEXT if figures.overrides else "#1b1f24")
        waiting = figures.waiting_to_sync
        self.waiting_tile.set_figure(
            _number(waiting), "all kiosks, as last reported" if figures.source == SERVER else "on this kiosk",
            AMBER_TEXT if waiting else "#1b1f24",
        )
        self.chart.set_buckets(figures.arrivals_per_5min, self._zone)
        self._fill_doors(figures)
        self._fill_fleet(figures)
        self._show_source()
        self.figures_shown.emit(figures)

    def _show_source(self) -> None:
        figures = self.figures
        when = self._local(figures.generated_at) if figures and figures.generated_at else "—"
        source = figures.source if figures else None
        if source == SERVER:
            text, colour = f"● Live from the server, all kiosks · {when}", theme.ONLINE
        elif self._stream_note:
            text, colour = f"● This kiosk only: server unreachable · {when}", theme.OFFLINE
        else:
            text, colour = f"● This kiosk's figures · {when}", theme.MUTED
        self.source_label.setText(text)
        self.source_label.setToolTip(self._stream_note)
        self.source_label.setStyleSheet(f"color: {colour};")
        if source != self._source and source is not None:
            self._source = source
            self.source_changed.emit(source)

    def _fill_doors(self, figures: DashboardFigures) -> None:
        rows = sorted(figures.per_door, key=lambda item: (-item[1], item[0]))
        self.doors_table.setRowCount(len(rows))
        for row, (door, arrivals) in enumerate(rows):
            self.doors_table.setItem(row, 0, QTableWidgetItem(door or "—"))
            count = QTableWidgetItem(_number(arrivals))
            count.setTextAlignment(Qt.AlignRight | Qt.AlignVCenter)
            self.doors_table.setItem(row, 1, count)

    def _fill_fleet(self, figures: DashboardFigures) -> None:
        self.fleet_table.setRowCount(len(figures.fleet))
        for row, kiosk in enumerate(sorted(figures.fleet, key=lambda k: (k.door, k.name))):
            if kiosk.revoked:
                online, colour = "revoked", theme.RED
            elif kiosk.online is None:
                online, colour = "—", theme.MUTED
            else:
                online, colour = ("online", theme.ONLINE) if kiosk.online else ("offline", theme.OFFLINE)
            cells = (
                kiosk.name,
                kiosk.door or "—",
                online,
                self._ago(kiosk.last_seen, figures.generated_at),
                _number(kiosk.waiting_to_sync),
                "—" if kiosk.behind is None else f"{kiosk.behind:,} changes",
            )
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if column == 2:
                    item.setForeground(theme.qcolor(colour))
                    font = item.font()
                    font.setBold(True)
                    item.setFont(font)
                if column >= 4:
                    item.setTextAlignment(Qt.AlignRight | Qt.AlignVCenter)
                self.fleet_table.setItem(row, column, item)

    @property
    def _zone(self):
        return event_zone(self.services.event.timezone)  # the event may be reloaded under us

    def _local(self, moment: datetime) -> str:
        return moment.replace(tzinfo=timezone.utc).astimezone(self._zone).strftime("%H:%M:%S")

    def _ago(self, moment: datetime | None, now: datetime | None) -> str:
        if moment is None:
            return "—"
        if now is None:
            return self._local(moment)
        seconds = max(0, int((now - moment).total_seconds()))
        if seconds < 60:
            ago = f"{seconds} s ago"
        elif seconds < 3600:
            ago = f"{seconds // 60} min ago"
        else:
            ago = f"{seconds // 3600} h {seconds % 3600 // 60} min ago"
        return f"{self._local(moment)} ({ago})"

    # ---- the server stream -------------------------------------------------------------

    def _look_for_stream(self) -> None:
        now = time.monotonic()
        if self._stream_checked_at is not None and now - self._stream_checked_at < STREAM_LOOKUP_EVERY_S:
            return
        self._stream_checked_at = now
        (ops.stream_target()
         .success(self._on_stream_target)
         .failure(self._on_stream_target_failed)
         .run(self.services.ops, self))

    def _on_stream_target(self, opener: StreamOpener | None) -> None:
        if opener is not None and self.stream is None and self._started:
            self._start_stream(opener)

    def _on_stream_target_failed(self, exc: Exception) -> None:
        from kiosk.crash import report_unexpected

        self._stream_note = report_unexpected(exc)

    def _start_stream(self, opener: StreamOpener) -> None:
        self.stream = ServerStatsStream(opener, self.services.event.name, parent=self)
        self.stream.stream_connected.connect(self.on_stream_stream_connected)
        self.stream.figures_received.connect(self.on_stream_figures_received)
        self.stream.stream_lost.connect(self.on_stream_stream_lost)
        self.stream.start()

