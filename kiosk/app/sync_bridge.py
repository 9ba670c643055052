"""The sync engine's listener callbacks, turned into Qt signals.

The engine (``sync.engine.SyncEngine``) is Qt-free and calls its listeners on
its own background thread. :class:`SyncBridge` lives in the GUI thread; its
signals, emitted from the engine's thread, are therefore delivered to the GUI
thread by Qt's queued connections, where widgets may use them.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal


class SyncBridge(QObject):
    state_changed = Signal(str, str)  # new connectivity, previous (online | offline | degraded | not_enrolled)
    sync_started = Signal()
    sync_progressed = Signal(str, int, int)  # phase, done, total
    sync_finished = Signal(object)  # sync.engine.SyncReport

    def __init__(self, engine=None, parent: QObject | None = None):
        super().__init__(parent)
        self._engine = None
        if engine is not None:
            self.attach(engine)

    @property
    def engine(self):
        return self._engine

    def attach(self, engine) -> None:
        self.detach()
        self._engine = engine
        engine.add_listener(self._on_engine_event)

    def detach(self) -> None:
        if self._engine is not None:
            self._engine.remove_listener(self._on_engine_event)
            self._engine = None

    def _on_engine_event(self, event) -> None:
        # Runs on the engine's thread: only emit (Qt queues it to the GUI thread), never touch a widget.
        name, arguments = _ANNOUNCED_AS[event.kind]
        getattr(self, name).emit(*arguments(event))


# Each engine event kind, the signal that announces it and that signal's arguments.
_ANNOUNCED_AS = {
    "state_changed": ("state_changed", lambda event: (event.state or "", event.previous or "")),
    "sync_started": ("sync_started", lambda _event: ()),
    "progress": ("sync_progressed", lambda event: (event.phase, event.done, event.total)),
    "sync_finished": ("sync_finished", lambda event: (event.report,)),
}
