"""Frame sources: image folders, image lists, video files and cameras, all through read()."""

from __future__ import annotations

import time

import cv2
import numpy as np
import pytest
import qrcode

from kiosk.scanner.decoders import make_decoder
from kiosk.scanner.sources import (
    ArraySource,
    CameraSource,
    ImageFolderSource,
    SourceError,
    VideoFileSource,
    decode_image,
    open_source,
)


def qr_png(path, text):
    qrcode.make(text, box_size=6).save(path)
    return path


@pytest.fixture
def folder(tmp_path):
    folder = tmp_path / "frames"
    folder.mkdir()
    qr_png(folder / "b.png", "GRACE-0002")
    qr_png(folder / "a.png", "ADA-0001")
    (folder / "notes.txt").write_text("not an image")
    return folder


def test_an_image_folder_yields_bgr_frames_in_name_order(folder):
    source = open_source(folder)
    assert isinstance(source, ImageFolderSource)
    source.fps = 0  # as fast as possible
    frames = list(source.frames())
    assert len(frames) == 2
    assert all(f.ndim == 3 and f.shape[2] == 3 and f.dtype == np.uint8 for f in frames)
    decoder = make_decoder()
    assert [decoder.decode(f)[0].text for f in frames] == ["ADA-0001", "GRACE-0002"]


def test_frames_are_paced_like_a_camera(folder):
    source = ImageFolderSource(folder, fps=50, repeat=5)
    started = time.perf_counter()
    frames = list(source.frames())
    elapsed = time.perf_counter() - started
    assert len(frames) == 10
    assert elapsed >= 9 / 50 * 0.9  # ten frames at 50 fps take about 0.2 s, never less


def test_a_looping_source_starts_over(folder):
    source = ImageFolderSource(folder, fps=0, loop=True)
    source.open()
    frames = [source.read() for _ in range(5)]
    source.close()
    assert all(f is not None for f in frames)


def test_a_video_file_yields_the_same_frames(tmp_path):
    path = tmp_path / "clip.avi"
    code = cv2.cvtColor(np.array(qrcode.make("CHIMA-0005", box_size=8).convert("L")), cv2.COLOR_GRAY2BGR)
    frame = np.full((480, 640, 3), 200, dtype=np.uint8)
    frame[50:50 + code.shape[0], 100:100 + code.shape[1]] = code
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), 30, (640, 480))
    assert writer.isOpened()
    for _ in range(6):
        writer.write(frame)
    writer.release()

    source = open_source(path)
    assert isinstance(source, VideoFileSource)
    frames = list(source.frames())
    assert len(frames) == 6
    assert frames[0].shape == (480, 640, 3)
    assert [c.text for c in make_decoder().decode(frames[0])] == ["CHIMA-0005"]


def test_an_array_source_is_paced_and_ends():
    frames = [np.zeros((4, 4, 3), dtype=np.uint8)] * 3
    assert len(list(ArraySource(frames, fps=0).frames())) == 3


def test_a_missing_camera_is_a_clear_error():
    source = open_source(57)
    assert isinstance(source, CameraSource)
    with pytest.raises(SourceError, match=r"No camera found \(camera 57\)"):
        source.open()


@pytest.mark.parametrize("spec, message", [
    ("no-such-folder", "no such camera file or folder"),
    ("missing.png", "no such camera file or folder"),
])
def test_missing_files_are_clear_errors(tmp_path, spec, message):
    with pytest.raises(SourceError, match=message):
        open_source(tmp_path / spec)


def test_an_empty_folder_and_a_bad_video_are_clear_errors(tmp_path):
    with pytest.raises(SourceError, match="no image files"):
        list(ImageFolderSource(tmp_path).frames())
    bad = tmp_path / "clip.mp4"
    bad.write_bytes(b"not a video")
    with pytest.raises(SourceError, match="not a video"):
        list(open_source(bad).frames())


def test_decode_image_reads_a_file_through_the_frame_path(folder, tmp_path):
    assert [c.text for c in decode_image(folder / "a.png")] == ["ADA-0001"]
    assert [c.text for c in decode_image(folder / "a.png", make_decoder("pyzbar"))] == ["ADA-0001"]
    unicode_path = tmp_path / "billet-émilie.png"
    qr_png(unicode_path, "EMILIE-0005")
    assert [c.text for c in decode_image(unicode_path)] == ["EMILIE-0005"]
    with pytest.raises(SourceError, match="not an image"):
        decode_image(folder / "notes.txt")
    with pytest.raises(SourceError, match="cannot be read"):
        decode_image(folder / "gone.png")
