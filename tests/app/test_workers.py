"""The serialized workers: order, thread, callbacks on the GUI thread, failures, stopping."""

from __future__ import annotations

import threading

import pytest

from kiosk.app.workers import DbWorker, NetWorker, SerialWorker

WAIT_MS = 5000


@pytest.fixture
def worker():
    worker = DbWorker()
    yield worker
    worker.stop()


def test_jobs_run_one_at_a_time_in_order_off_the_gui_thread(qtbot, worker):
    running, overlaps, order, threads = [0], [], [], set()
    done = []

    def job(n):
        running[0] += 1
        overlaps.append(running[0])
        threads.add(threading.current_thread().ident)
        order.append(n)
        running[0] -= 1
        return n * n

    for n in range(50):
        worker.submit(job, n, on_done=lambda result, n=n: done.append((n, result, threading.current_thread())))
    qtbot.waitUntil(lambda: len(done) == 50, timeout=WAIT_MS)
    assert order == list(range(50))
    assert max(overlaps) == 1
    assert threads and threading.main_thread().ident not in threads and len(threads) == 1
    assert [(n, r) for n, r, _ in done] == [(n, n * n) for n in range(50)]
    assert {t for _, _, t in done} == {threading.main_thread()}  # callbacks on the GUI thread


def test_a_failing_job_goes_to_on_error_and_the_next_job_still_runs(qtbot, worker):
    errors, results = [], []

    def boom():
        raise ValueError("bad input")

    worker.submit(boom, on_error=errors.append)
    worker.submit(lambda: "after", on_done=results.append)
    qtbot.waitUntil(lambda: results == ["after"], timeout=WAIT_MS)
    assert len(errors) == 1 and isinstance(errors[0], ValueError)


def test_a_failure_without_on_error_is_announced_in_one_line(qtbot, worker):
    def boom():
        raise RuntimeError("disk on fire")

    with qtbot.waitSignal(worker.job_failed, timeout=WAIT_MS) as failed:
        worker.submit(boom)
    assert "disk on fire" in failed.args[0]
    assert "\n" not in failed.args[0]


def test_stop_finishes_what_was_queued_then_refuses_new_jobs(qtbot):
    worker = NetWorker()
    ran = []
    gate = threading.Event()
    worker.submit(gate.wait, 5)
    for n in range(5):
        worker.submit(ran.append, n)
    gate.set()
    assert worker.stop()
    assert ran == [0, 1, 2, 3, 4]
    assert not worker.running
    worker.submit(ran.append, 99)  # ignored, with a log line
    qtbot.wait(50)
    assert ran == [0, 1, 2, 3, 4]


def test_each_worker_has_its_own_thread(qtbot):
    workers = [DbWorker(), NetWorker(), SerialWorker("pin")]
    seen = []
    try:
        for w in workers:
            w.submit(threading.get_ident, on_done=seen.append)
        qtbot.waitUntil(lambda: len(seen) == 3, timeout=WAIT_MS)
    finally:
        for w in workers:
            w.stop()
    assert len(set(seen)) == 3


def test_signal_emission_keeps_python_objects_alive(qtbot):
    """PySide6 6.12.0 drops a reference to True on every emission to a Python slot; on Python 3.11
    the app then dies after a few thousand signals ("bool_dealloc"). pyproject.toml excludes it."""
    import gc
    import sys

    worker = SerialWorker("refcount")
    results = []
    gc.collect()  # earlier tests' garbage holds references to True: freeing it mid-test is not the bug
    gc.disable()
    try:
        before = sys.getrefcount(True)
        for _ in range(200):
            worker.submit(bool, 1, on_done=results.append)
        qtbot.waitUntil(lambda: len(results) == 200, timeout=WAIT_MS)
        results.clear()
        assert sys.getrefcount(True) >= before - 5
    finally:
        gc.enable()
        worker.stop()
