"""The camera: the app's own frame source opens and gives a picture, within a time limit."""

from __future__ import annotations

import os
import sys
import threading
from pathlib import Path
from typing import Callable

from kiosk.doctor.report import FAIL, OK, WARN, Check, brief

CAMERA_TIMEOUT_SECONDS = 8.0


def _run_with_timeout(fn: Callable[[], Check], seconds: float, on_timeout: Check) -> Check:
    box: list[Check] = []
    worker = threading.Thread(target=lambda: box.append(fn()), name="doctor-probe", daemon=True)
    worker.start()
    worker.join(seconds)
    return box[0] if box else on_timeout


def _import_cv2():
    # OpenCV prints its own warnings (e.g. "can't open camera by index") on stderr; we explain instead.
    os.environ.setdefault("OPENCV_LOG_LEVEL", "OFF")
    import cv2

    return cv2


def _first_frame(source) -> Check:
    """Open the app's own frame source and read one frame from it."""
    from kiosk.scanner.sources import SourceError

    try:
        source.open()
        try:
            frame = source.read()
        finally:
            source.close()
    except SourceError as exc:
        return Check("camera", FAIL, str(exc), _CAMERA_FIX)
    if frame is None:
        return Check("camera", FAIL, f"{source.description} gave no picture", _CAMERA_FIX)
    return Check("camera", OK, f"{source.description} gives {frame.shape[1]}x{frame.shape[0]} pictures")


_CAMERA_FIX = (
    "set camera to a camera number (0 = the first camera), a video file or a folder of images; "
    "for a camera: is another program (or a running kiosk) using it? On macOS, allow camera access "
    "in System Settings > Privacy & Security > Camera"
)


def check_camera(source: int | str) -> Check:
    try:
        _import_cv2()
        from kiosk.scanner.sources import SourceError, open_source
    except ImportError as exc:
        return Check("camera", FAIL, f"OpenCV cannot be loaded ({brief(exc)})",
                     "reinstall the app (opencv-python-headless)")
    if isinstance(source, int) and sys.platform.startswith("linux"):
        if not sorted(Path("/dev").glob("video*")):
            return Check(
                "camera", WARN,
                "no camera is connected (no /dev/video device): scanning works only with a USB hand scanner",
                "plug in a USB webcam, or set camera to a video file or image folder for a demo",
            )
        device = Path(f"/dev/video{source}")
        if device.exists() and not os.access(device, os.R_OK | os.W_OK):
            return Check(
                "camera", FAIL, f"this user may not use {device}",
                "add the user to the 'video' group (sudo usermod -aG video $USER), then log in again",
            )
    if isinstance(source, str) and not Path(source).expanduser().exists():
        return Check("camera", FAIL, f"the camera is set to {source}, which does not exist", _CAMERA_FIX)
    try:
        frames = open_source(source)
    except SourceError as exc:
        return Check("camera", FAIL, str(exc), _CAMERA_FIX)
    # A camera that hangs in its driver must not hang the doctor.
    return _run_with_timeout(
        lambda: _first_frame(frames), CAMERA_TIMEOUT_SECONDS,
        Check(
            "camera", FAIL, f"{frames.description} did not answer within {CAMERA_TIMEOUT_SECONDS:.0f} s",
            "unplug and replug it, or choose another camera",
        ),
    )
