"""Benchmark of the door's scan path: frame in -> decoded -> decided and committed -> result painted.

Run:  QT_QPA_PLATFORM=offscreen .venv/bin/python bench/scan_latency.py [--seconds 30] [--fps 30]
          [--attendees 5000] [--decoder zxing] [--cores 2]

Recorded 1280x720 frames are generated first: QR codes of real roster tickets
(varied size, position, tilt and blur) composited on noisy backgrounds, and
frames without any code between attendees, as at a real door (each ticket held
up for about a third of a second). They are fed at ``--fps`` through the real
pipeline, the one the app runs: the frame source -> the capture and decode
threads (CameraPipeline, the real decoder) -> DoorScreen.scan_code -> the
DbWorker (CheckinDesk.scan, a durable commit in a real replica) -> the
ResultPanel, painted by Qt (offscreen).

Prints p50/p95/max latency from the moment a frame is read to the moment its
result is painted, the stages in between, the fraction of frames the decoder
or the preview dropped, and how late the GUI event loop ran (a 10 ms timer).
Bar (brief §6): p95 <= 100 ms; the issue's target: p95 <= 50 ms and no frame
dropped at 30 fps on 2 cores.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import cv2  # noqa: E402
import numpy as np  # noqa: E402
import qrcode  # noqa: E402

FRAME_W, FRAME_H = 1280, 720
HOLD_FRAMES = 10  # a ticket in view for ~0.33 s at 30 fps
GAP_FRAMES = 5  # nobody in front of the camera between two attendees


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    k = (len(ordered) - 1) * p / 100
    low, high = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (k - low)


# ---- recorded frames ------------------------------------------------------------------------


def background(rng: np.random.Generator) -> np.ndarray:
    """A noisy, blurred scene with some shapes: no two alike."""
    base = rng.integers(30, 220, (FRAME_H // 8, FRAME_W // 8), dtype=np.uint8)
    scene = cv2.resize(base, (FRAME_W, FRAME_H), interpolation=cv2.INTER_CUBIC)
    scene = cv2.cvtColor(scene, cv2.COLOR_GRAY2BGR)
    for _ in range(6):
        colour = tuple(int(c) for c in rng.integers(0, 255, 3))
        x, y = int(rng.integers(0, FRAME_W - 100)), int(rng.integers(0, FRAME_H - 100))
        cv2.rectangle(scene, (x, y), (x + int(rng.integers(40, 300)), y + int(rng.integers(40, 200))), colour, -1)
    noise = rng.normal(0, 12, scene.shape)
    return np.clip(scene + noise, 0, 255).astype(np.uint8)


def with_ticket(scene: np.ndarray, code: str, rng: np.random.Generator) -> np.ndarray:
    """The ticket's QR code held up in the scene: a paper square, tilted, slightly blurred."""
    qr = np.array(qrcode.make(code, box_size=10, border=3).convert("L"))
    side = int(rng.integers(170, 330))
    qr = cv2.resize(qr, (side, side), interpolation=cv2.INTER_AREA)
    angle = float(rng.uniform(-20, 20))
    matrix = cv2.getRotationMatrix2D((side / 2, side / 2), angle, 1.0)
    qr = cv2.warpAffine(qr, matrix, (side, side), borderValue=255)
    qr = cv2.GaussianBlur(qr, (3, 3), 0.8)
    frame = scene.copy()
    x, y = int(rng.integers(80, FRAME_W - side - 80)), int(rng.integers(40, FRAME_H - side - 40))
    frame[y:y + side, x:x + side] = cv2.cvtColor(qr, cv2.COLOR_GRAY2BGR)
    return frame


def recorded_frames(codes: list[str], seconds: float, fps: float, seed: int) -> tuple[list[np.ndarray], list[str]]:
    """The frame sequence, and the codes shown, in order (frames repeat by reference, like a still hand)."""
    rng = np.random.default_rng(seed)
    empties = [background(rng) for _ in range(8)]
    per_attendee = HOLD_FRAMES + GAP_FRAMES
    attendees = max(1, int(seconds * fps) // per_attendee)
    frames, shown = [], []
    for n in range(attendees):
        code = codes[n % len(codes)]
        holding = with_ticket(empties[n % len(empties)], code, rng)
        frames.extend([holding] * HOLD_FRAMES)
        frames.extend([empties[(n + 3) % len(empties)]] * GAP_FRAMES)
        shown.append(code)
    return frames, shown


# ---- the replica ---------------------------------------------------------------------------------


def make_replica(folder: Path, attendees: int):
    from kiosk.core.roster import import_roster
    from sync.replica import open_replica

    lines = ["first_name,last_name,email,ticket_code,status"]
    for n in range(attendees):
        status = "cancelled" if n % 50 == 7 else "confirmed"
        lines.append(f"Guest{n},Bench,guest{n}@example.org,BENCH-{n:06d},{status}")
    csv_path = folder / "roster.csv"
    csv_path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    replica = open_replica(folder / "kiosk")
    report = import_roster(replica, csv_path, event_name="Scan latency bench")
    assert report.imported, report.errors[:3]
    return replica


# ---- the run --------------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=30.0, help="length of the recording (default 30)")
    parser.add_argument("--fps", type=float, default=30.0, help="frame rate fed to the pipeline (default 30)")
    parser.add_argument("--attendees", type=int, default=5000, help="roster size (default 5000)")
    parser.add_argument("--decoder", choices=("zxing", "pyzbar"), default="zxing")
    parser.add_argument("--cores", type=int, default=2, help="pin the process to this many CPU cores (default 2)")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    if args.cores and hasattr(os, "sched_setaffinity"):
        available = sorted(os.sched_getaffinity(0))
        os.sched_setaffinity(0, available[: args.cores])
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()

    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from kiosk.app.camera import CameraPipeline
    from kiosk.app.door.screen import DoorScreen
    from kiosk.app.services import Services
    from kiosk.config import Settings
    from kiosk.scanner.decoders import make_decoder
    from kiosk.scanner.repeats import RepeatFilter
    from kiosk.scanner.sources import ArraySource
    from kiosk.session import KioskSession

    app = QApplication(sys.argv[:1])
    with tempfile.TemporaryDirectory(prefix="scan-bench-") as tmp:
        folder = Path(tmp)
        print(f"Preparing: a replica of {args.attendees} attendees and {args.seconds:.0f} s of 1280x720 frames…")
        replica = make_replica(folder, args.attendees)
        codes = [f"BENCH-{n:06d}" for n in range(0, args.attendees, max(1, args.attendees // 997))]
        frames, shown = recorded_frames(codes, args.seconds, args.fps, args.seed)

        settings = Settings(door_name="Bench door", data_dir=folder / "kiosk", sounds=False)
        services = Services(KioskSession(settings, replica))
        camera = CameraPipeline(lambda: ArraySource(frames, fps=args.fps), make_decoder(args.decoder),
                                repeat_filter=RepeatFilter(hold_seconds=1.0))
        door = DoorScreen(services, camera=camera)
        door.resize(1366, 768)
        door.show()

        detected, decided, painted = [], [], []
        camera.code_detected.connect(lambda code, frame_time: detected.append((code, frame_time, time.perf_counter())))
        door.decision_shown.connect(lambda decision: decided.append(time.perf_counter()))
        door.result_panel.result_painted.connect(lambda started, at: painted.append((started, at)))

        # How late the GUI thread answers a 10 ms timer: a stalled event loop means stuttering video.
        lateness, last = [], [time.perf_counter()]

        def tick():
            now = time.perf_counter()
            lateness.append(max(0.0, (now - last[0]) - 0.010))
            last[0] = now

        ticker = QTimer()
        ticker.setInterval(10)
        ticker.timeout.connect(tick)
        ticker.start()
        camera.source_ended.connect(lambda: QTimer.singleShot(800, app.quit))
        camera.camera_failed.connect(lambda message: (print("camera failed:", message), app.quit()))
        started = time.perf_counter()
        door.start_camera()
        app.exec()
        wall = time.perf_counter() - started
        ticker.stop()
        door.shutdown()
        services.db_worker.stop()
        services.net_worker.stop()
        replica.close()

    stats = camera.stats
    latencies = [(at - start) * 1000 for start, at in painted]
    decode_stage = [(gui - frame) * 1000 for _, frame, gui in detected]
    print()
    if hasattr(os, "getloadavg"):
        print(f"load average during the run: {os.getloadavg()[0]:.1f}"
              " (other processes on these cores skew the figures)")
    print(f"cores: {cores}   decoder: {args.decoder}   fps fed: {args.fps:.0f}   frames: {len(frames)}   "
          f"wall: {wall:.1f} s ({stats.frames_read / wall:.1f} frames/s read)")
    print(f"attendees shown: {len(shown)}   codes detected: {len(detected)}   results painted: {len(painted)}")
    print()
    print("frame read -> result painted (ms):  "
          f"p50 {percentile(latencies, 50):6.1f}   p95 {percentile(latencies, 95):6.1f}"
          f"   max {max(latencies, default=float('nan')):6.1f}")
    print("  frame read -> code at GUI (ms):   "
          f"p50 {percentile(decode_stage, 50):6.1f}   p95 {percentile(decode_stage, 95):6.1f}")
    if detected and decided:
        n = min(len(detected), len(decided))
        db_stage = [(decided[i] - detected[i][2]) * 1000 for i in range(n)]
        print("  code -> decision committed (ms): "
              f"p50 {percentile(db_stage, 50):6.1f}   p95 {percentile(db_stage, 95):6.1f}")
    if decided and painted:
        n = min(len(decided), len(painted))
        paint_stage = [(painted[i][1] - decided[i]) * 1000 for i in range(n)]
        print("  decision -> painted (ms):        "
              f"p50 {percentile(paint_stage, 50):6.1f}   p95 {percentile(paint_stage, 95):6.1f}")
    decode_ms = stats.decode_seconds_total / max(1, stats.frames_decoded) * 1000
    print(f"decode time per frame: {decode_ms:.1f} ms average")
    print()
    read = max(1, stats.frames_read)
    print(f"frames read {stats.frames_read} / fed {len(frames)};  "
          f"not decoded (decoder busy): {stats.decode_skipped} ({stats.decode_skipped / read:.1%});  "
          f"not previewed (GUI busy): {stats.preview_skipped} ({stats.preview_skipped / read:.1%})")
    print(f"GUI event loop lateness (10 ms timer): p95 {percentile(lateness, 95) * 1000:.1f} ms, "
          f"max {max(lateness, default=0) * 1000:.1f} ms")
    if os.environ.get("SCAN_BENCH_DETAIL"):
        print("latencies in order (ms):", " ".join(f"{v:.0f}" for v in latencies))
        n = min(len(detected), len(decided))
        print("db stage in order (ms):", " ".join(f"{(decided[i] - detected[i][2]) * 1000:.0f}" for i in range(n)))
        print("decode stage in order (ms):", " ".join(f"{v:.0f}" for v in decode_stage))
    p95 = percentile(latencies, 95)
    verdict = "meets" if p95 <= 50 and stats.decode_skipped == 0 else "misses"
    print(f"\n{verdict} the target (p95 <= 50 ms, no frame dropped by the decoder); brief bar p95 <= 100 ms: "
          f"{'met' if p95 <= 100 else 'missed'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
