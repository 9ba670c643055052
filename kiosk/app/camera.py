"""The camera pipeline: capture frames, show a preview, decode QR codes, off the GUI thread.

Two threads, so that a slow decode never makes the preview stutter:

- the capture thread reads frames from a :class:`~kiosk.scanner.sources.FrameSource`
  (a webcam, or in tests and the benchmark an image folder or recorded frames:
  the same code path), sends a small preview image to the GUI, and leaves the
  newest frame in a one-frame slot;
- the decode thread takes the newest frame from the slot, decodes it and reports
  each new code (see :class:`~kiosk.scanner.repeats.RepeatFilter`).

When decoding is slower than the camera, the decoder skips to the newest frame
instead of falling behind; when the GUI is busy, preview frames are skipped the
same way. Both are counted (:attr:`CameraPipeline.stats`), and the benchmark
reports them. Widgets only ever receive signals.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from typing import Callable

import numpy as np
from PySide6.QtCore import QObject, QThread, Signal, Slot
from PySide6.QtGui import QImage

from kiosk.scanner.decoders import Decoder
from kiosk.scanner.repeats import RepeatFilter
from kiosk.scanner.sources import FrameSource, SourceError

log = logging.getLogger(__name__)

PREVIEW_WIDTH = 640


@dataclass
class PipelineStats:
    frames_read: int = 0
    frames_decoded: int = 0
    decode_skipped: int = 0  # frames replaced in the slot before the decoder took them
    preview_skipped: int = 0  # frames not previewed because the GUI had not shown the last one
    decode_seconds_total: float = 0.0


class _LatestFrame:
    """A one-frame mailbox: the writer replaces, the reader takes the newest."""

    def __init__(self):
        self._cond = threading.Condition()
        self._item: tuple[np.ndarray, float] | None = None
        self._closed = False

    def put(self, frame: np.ndarray, frame_time: float) -> bool:
        """Leave a frame; False when it replaced one the reader never took."""
        with self._cond:
            replaced = self._item is not None
            self._item = (frame, frame_time)
            self._cond.notify()
            return not replaced

    def take(self) -> tuple[np.ndarray, float] | None:
        """The newest frame, waiting for one; None once closed and empty."""
        with self._cond:
            while self._item is None and not self._closed:
                self._cond.wait()
            item, self._item = self._item, None
            return item

    def close(self) -> None:
        with self._cond:
            self._closed = True
            self._cond.notify_all()


def preview_image(frame: np.ndarray, width: int = PREVIEW_WIDTH) -> QImage:
    """A small RGB copy of a BGR frame for the preview widget (owned by Qt, not numpy)."""
    import cv2

    height, full_width = frame.shape[:2]
    if full_width > width:
        frame = cv2.resize(frame, (width, max(1, round(height * width / full_width))), interpolation=cv2.INTER_AREA)
    if frame.ndim == 2:
        frame = cv2.cvtColor(frame, cv2.COLOR_GRAY2BGR)
    frame = np.ascontiguousarray(frame)
    h, w = frame.shape[:2]
    return QImage(frame.data, w, h, frame.strides[0], QImage.Format.Format_BGR888).copy()


class _CaptureThread(QThread):
    def __init__(self, pipeline: "CameraPipeline"):
        super().__init__()
        self.setObjectName("camera-capture")
        self._pipeline = pipeline

    def run(self) -> None:
        p = self._pipeline
        try:
            source = p._source_factory()  # naming a source that is not there fails here already
            source.open()
        except SourceError as exc:
            p.camera_failed.emit(str(exc))
            p._slot.close()
            return
        p.camera_started.emit(source.description)
        try:
            while not self.isInterruptionRequested():
                frame = source.read()
                frame_time = time.perf_counter()
                if frame is None:
                    p.source_ended.emit()
                    break
                p.stats.frames_read += 1
                if not p._slot.put(frame, frame_time):
                    p.stats.decode_skipped += 1
                if p._preview_wanted.is_set():
                    p._preview_wanted.clear()
                    p.frame_previewed.emit(preview_image(frame, p.preview_width))
                else:
                    p.stats.preview_skipped += 1
        except SourceError as exc:
            p.camera_failed.emit(str(exc))
        except Exception as exc:  # a bug in a driver or a decoder binding: report, never crash the app
            log.exception("camera capture failed")
            p.camera_failed.emit(f"The camera stopped: {exc}")
        finally:
            source.close()
            p._slot.close()


class _DecodeThread(QThread):
    def __init__(self, pipeline: "CameraPipeline"):
        super().__init__()
        self.setObjectName("camera-decode")
        self._pipeline = pipeline

    def run(self) -> None:
        p = self._pipeline
        try:  # the decoder's first call sets up its tables: not on the first attendee's time
            p._decoder.decode(np.full((64, 64), 255, dtype=np.uint8))
        except Exception:
            log.exception("warming up the decoder failed")
        while (item := p._slot.take()) is not None:
            frame, frame_time = item
            started = time.perf_counter()
            try:
                codes = p._decoder.decode(frame)
            except Exception:  # one bad frame must not end scanning
                log.exception("decoding a frame failed")
                continue
            p.stats.frames_decoded += 1
            p.stats.decode_seconds_total += time.perf_counter() - started
            p.frame_decoded.emit(frame_time, len(codes))
            for code in codes:
                if p.repeat_filter.is_new(code.text):
                    p.code_detected.emit(code.text, frame_time)


class CameraPipeline(QObject):
    """Frames in, codes out. Start with :meth:`start`; stop with :meth:`stop`."""

    camera_started = Signal(str)  # what is being read, e.g. "camera 0"
    camera_failed = Signal(str)  # a message for door staff
    source_ended = Signal()  # a file source ran out of frames
    frame_previewed = Signal(QImage)
    frame_decoded = Signal(float, int)  # frame time (perf_counter), codes found
    code_detected = Signal(str, float)  # the code's text, when its frame was read (perf_counter)

    def __init__(
        self,
        source_factory: Callable[[], FrameSource],
        decoder: Decoder,
        *,
        repeat_filter: RepeatFilter | None = None,
        preview_width: int = PREVIEW_WIDTH,
        parent: QObject | None = None,
    ):
        super().__init__(parent)
        self._source_factory = source_factory
        self._decoder = decoder
        self.repeat_filter = repeat_filter or RepeatFilter()
        self.preview_width = preview_width
        self.stats = PipelineStats()
        self._slot = _LatestFrame()
        self._preview_wanted = threading.Event()
        self._capture: _CaptureThread | None = None
        self._decode: _DecodeThread | None = None

    @property
    def running(self) -> bool:
        return self._capture is not None and self._capture.isRunning()

    def start(self) -> None:
        """Open the source and run; a failure to open arrives as ``camera_failed``."""
        self.stop()
        self.stats = PipelineStats()
        self._slot = _LatestFrame()
        self._preview_wanted.set()
        self._capture, self._decode = _CaptureThread(self), _DecodeThread(self)
        self._decode.start()
        self._capture.start()

    @Slot()
    def preview_shown(self) -> None:
        """The GUI painted the last preview frame: the next one may be sent."""
        self._preview_wanted.set()

    def stop(self, timeout_ms: int = 5000) -> None:
        if self._capture is not None:
            self._capture.requestInterruption()
            self._capture.wait(timeout_ms)
        self._slot.close()
        if self._decode is not None:
            self._decode.wait(timeout_ms)
        self._capture = self._decode = None
