"""Where frames come from: a camera, a video file or a folder of images.

Every source yields BGR ``numpy`` frames (height x width x 3, uint8) through the
same :meth:`FrameSource.read` call, so the capture thread, the command line,
the tests and the latency benchmark all run one code path; only the origin of
the pixels differs. File sources are paced at a frame rate like a camera.

Errors from the environment (no camera, unreadable file) raise
:class:`SourceError` with a message for the user.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Iterator

import numpy as np

# OpenCV prints driver warnings ("can't open camera by index") on stderr; our own message says it once.
os.environ.setdefault("OPENCV_LOG_LEVEL", "ERROR")

IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".bmp", ".webp", ".tif", ".tiff", ".pgm", ".ppm"}
DEFAULT_FPS = 30.0


class SourceError(Exception):
    """A frame source cannot be opened or read; the message is for the user."""


def read_image(path: Path | str) -> np.ndarray:
    """One image file as a BGR frame (also for non-ASCII paths, which cv2.imread mishandles)."""
    import cv2

    path = Path(path)
    try:
        data = np.fromfile(str(path), dtype=np.uint8)
    except OSError as exc:
        raise SourceError(f"{path}: cannot be read ({exc.strerror or exc})") from exc
    frame = cv2.imdecode(data, cv2.IMREAD_COLOR) if data.size else None
    if frame is None:
        raise SourceError(f"{path}: not an image this program can read")
    return frame


def _quiet_opencv(cv2) -> None:
    """Also when cv2 was imported before this module set OPENCV_LOG_LEVEL."""
    try:
        cv2.utils.logging.setLogLevel(cv2.utils.logging.LOG_LEVEL_ERROR)
    except AttributeError:  # an OpenCV build without the logging module
        pass


class FrameSource:
    """Frames, one at a time. Open with :meth:`open`, read until None, then :meth:`close`."""

    description = "frames"
    fps: float = DEFAULT_FPS  # the nominal rate; cameras pace themselves

    def open(self) -> None:
        pass

    def read(self) -> np.ndarray | None:
        """The next BGR frame, waiting for it if need be; None when the source has ended."""
        raise NotImplementedError

    def close(self) -> None:
        pass

    def frames(self) -> Iterator[np.ndarray]:
        """All frames, for scripts; the source is opened and closed around the loop."""
        self.open()
        try:
            while (frame := self.read()) is not None:
                yield frame
        finally:
            self.close()


class _Pacer:
    """Holds file frames back to a steady rate, as a camera would deliver them."""

    def __init__(self, fps: float | None):
        self.interval = 1.0 / fps if fps else 0.0
        self.next_at = 0.0

    def wait(self) -> None:
        if not self.interval:
            return
        now = time.perf_counter()
        if not self.next_at:  # the first frame goes at once
            self.next_at = now + self.interval
            return
        if self.next_at > now:
            time.sleep(self.next_at - now)
            now = self.next_at
        # A steady cadence; after a stall, start again from now rather than catch up in a burst.
        following = self.next_at + self.interval
        self.next_at = following if following > now else now + self.interval


class CameraSource(FrameSource):
    """A webcam by index (0 = the first camera)."""

    def __init__(self, index: int = 0, width: int = 1280, height: int = 720):
        self.index = index
        self.width, self.height = width, height
        self.description = f"camera {index}"
        self._capture = None

    def open(self) -> None:
        import cv2

        _quiet_opencv(cv2)
        capture = cv2.VideoCapture(self.index)
        if not capture.isOpened():
            capture.release()
            raise SourceError(f"No camera found (camera {self.index}).")
        capture.set(cv2.CAP_PROP_FRAME_WIDTH, self.width)
        capture.set(cv2.CAP_PROP_FRAME_HEIGHT, self.height)
        # Keep the driver's queue short: a stale frame is a late decision.
        capture.set(cv2.CAP_PROP_BUFFERSIZE, 1)
        self.fps = capture.get(cv2.CAP_PROP_FPS) or DEFAULT_FPS
        self._capture = capture

    def read(self) -> np.ndarray | None:
        if self._capture is None:
            raise SourceError(f"{self.description} is not open")
        ok, frame = self._capture.read()
        if not ok:
            raise SourceError(f"The camera ({self.description}) stopped sending pictures: was it unplugged?")
        return frame

    def close(self) -> None:
        if self._capture is not None:
            self._capture.release()
            self._capture = None


class VideoFileSource(FrameSource):
    """A recorded video, played at its own frame rate (or ``fps``; 0 = as fast as possible)."""

    def __init__(self, path: Path | str, *, fps: float | None = None, loop: bool = False):
        self.path = Path(path)
        self.loop = loop
        self._fps_override = fps
        self.description = f"video {self.path.name}"
        self._capture = None
        self._pacer = _Pacer(None)

    def open(self) -> None:
        import cv2

        if not self.path.is_file():
            raise SourceError(f"{self.path}: no such video file")
        capture = cv2.VideoCapture(str(self.path))
        if not capture.isOpened():
            capture.release()
            raise SourceError(f"{self.path}: not a video this program can read")
        recorded_fps = capture.get(cv2.CAP_PROP_FPS) or DEFAULT_FPS
        self.fps = self._fps_override if self._fps_override is not None else recorded_fps
        self._pacer = _Pacer(self.fps)
        self._capture = capture

    def read(self) -> np.ndarray | None:
        import cv2

        if self._capture is None:
            raise SourceError(f"{self.description} is not open")
        self._pacer.wait()
        ok, frame = self._capture.read()
        if not ok and self.loop:
            self._capture.set(cv2.CAP_PROP_POS_FRAMES, 0)
            ok, frame = self._capture.read()
        return frame if ok else None

    def close(self) -> None:
        if self._capture is not None:
            self._capture.release()
            self._capture = None


class ImageFolderSource(FrameSource):
    """Image files, in name order, as frames at ``fps`` (0 = as fast as possible).

    ``paths`` may be a folder or a list of image files; each image is one frame,
    shown ``repeat`` times in a row (a ticket held still for a moment).
    """

    def __init__(self, paths: Path | str | list[Path], *, fps: float = DEFAULT_FPS, repeat: int = 1,
                 loop: bool = False):
        if isinstance(paths, (str, Path)):
            folder = Path(paths)
            self.description = f"images in {folder.name or folder}"
            self._folder: Path | None = folder
            self._paths: list[Path] = []
        else:
            self.description = f"{len(paths)} image(s)"
            self._folder = None
            self._paths = [Path(p) for p in paths]
        self.fps = fps
        self.repeat = max(1, repeat)
        self.loop = loop
        self._index = 0
        self._frame: np.ndarray | None = None
        self._shown = 0
        self._pacer = _Pacer(fps)

    def open(self) -> None:
        if self._folder is not None:
            if not self._folder.is_dir():
                raise SourceError(f"{self._folder}: no such folder")
            self._paths = sorted(p for p in self._folder.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)
        if not self._paths:
            raise SourceError(f"{self._folder or 'the list'}: no image files to read")
        self._index, self._shown, self._frame = 0, 0, None
        self._pacer = _Pacer(self.fps)

    def read(self) -> np.ndarray | None:
        if self._frame is None or self._shown >= self.repeat:
            if self._index >= len(self._paths):
                if not self.loop:
                    return None
                self._index = 0
            self._frame = read_image(self._paths[self._index])
            self._index += 1
            self._shown = 0
        self._pacer.wait()
        self._shown += 1
        return self._frame


class ArraySource(FrameSource):
    """Frames already in memory (the latency benchmark), paced like the others."""

    def __init__(self, frames: list[np.ndarray], *, fps: float = DEFAULT_FPS, description: str = "recorded frames"):
        self._frames = frames
        self.fps = fps
        self.description = description
        self._index = 0
        self._pacer = _Pacer(fps)

    def open(self) -> None:
        self._index = 0
        self._pacer = _Pacer(self.fps)

    def read(self) -> np.ndarray | None:
        if self._index >= len(self._frames):
            return None
        self._pacer.wait()
        frame = self._frames[self._index]
        self._index += 1
        return frame


def open_source(spec: int | str | Path, *, loop: bool = False) -> FrameSource:
    """The source named by a setting or a command line: a camera number, a folder, an image or a video."""
    if isinstance(spec, int) or (isinstance(spec, str) and spec.strip().isdigit()):
        return CameraSource(int(spec))
    path = Path(spec).expanduser()
    if not path.exists():
        raise SourceError(f"{path}: no such camera file or folder")
    if path.is_dir():
        return ImageFolderSource(path, loop=loop)
    if path.suffix.lower() in IMAGE_SUFFIXES:
        if not path.is_file():
            raise SourceError(f"{path}: no such image file")
        return ImageFolderSource([path], repeat=1, loop=loop)
    return VideoFileSource(path, loop=loop)


def decode_image(path: Path | str, decoder=None) -> list:
    """The codes in one image file, through the same frame path as the camera.

    ``decoder`` defaults to the zxing decoder. Raises SourceError for a file
    that cannot be read, DecoderUnavailable for a decoder that cannot load.
    """
    from kiosk.scanner.decoders import make_decoder

    decoder = decoder or make_decoder()
    source = ImageFolderSource([Path(path)], fps=0)
    codes = []
    for frame in source.frames():
        codes.extend(decoder.decode(frame))
    return codes
