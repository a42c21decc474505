"""in_halves: the rows' two halves, the second in another thread, results in order."""

from __future__ import annotations

import contextvars
import subprocess
import sys
import threading

import pytest

from mttr_lab import halves

_ASKED = contextvars.ContextVar("asked", default="unset")


def test_small_work_is_one_piece_in_the_calling_thread(monkeypatch):
    monkeypatch.setattr(halves, "_cpus", lambda: 2)
    seen = halves.in_halves(lambda rows: (rows, threading.get_ident()), halves.SPLIT_FROM - 1)
    assert seen == [(slice(0, halves.SPLIT_FROM - 1), threading.get_ident())]


def test_one_processor_is_one_piece(monkeypatch):
    monkeypatch.setattr(halves, "_cpus", lambda: 1)
    assert halves.in_halves(lambda rows: rows, 10 * halves.SPLIT_FROM) == [slice(0, 10 * halves.SPLIT_FROM)]


@pytest.mark.parametrize("rows", [2, 3, 1_001])
def test_the_halves_cover_the_rows_in_order_the_second_in_another_thread(split_from_two, rows):
    here = threading.get_ident()
    seen = halves.in_halves(lambda part: (part, threading.get_ident()), rows)
    (first, first_thread), (second, second_thread) = seen
    assert first.start == 0 and first.stop == second.start == rows // 2 and second.stop == rows
    assert first_thread == here and second_thread != here


def test_the_other_thread_sees_the_callers_context(split_from_two):
    token = _ASKED.set("the caller's")
    try:
        assert halves.in_halves(lambda part: _ASKED.get(), 4) == ["the caller's", "the caller's"]
    finally:
        _ASKED.reset(token)


@pytest.mark.parametrize("failing", [0, 2])
def test_an_error_in_either_half_reaches_the_caller(split_from_two, failing):
    def work(part):
        if part.start == failing:
            raise ValueError(f"half from {part.start}")
        return part

    with pytest.raises(ValueError, match=f"half from {failing}"):
        halves.in_halves(work, 4)


def test_the_first_half_ends_where_asked(split_from_two):
    assert halves.in_halves(lambda part: part, 10, middle=7) == [slice(0, 7), slice(7, 10)]


@pytest.mark.parametrize("middle", [0, 10])
def test_a_middle_at_either_end_is_one_piece(split_from_two, middle):
    assert halves.in_halves(lambda part: part, 10, middle=middle) == [slice(0, 10)]


def test_a_thread_still_running_after_the_main_thread_ended_splits_its_work(tmp_path):
    # a thread the interpreter still waits for, once the main thread's code has ended: a thread
    # pool takes no work then ("cannot schedule new futures after interpreter shutdown")
    script = tmp_path / "late.py"
    script.write_text(
        "import threading, time\n"
        "from mttr_lab import halves\n"
        "halves.SPLIT_FROM, halves._cpus = 2, lambda: 2\n"
        "def late():\n"
        "    time.sleep(0.3)\n"
        "    print(halves.in_halves(lambda part: (part.start, part.stop), 10))\n"
        "threading.Thread(target=late).start()\n"
    )
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[(0, 5), (5, 10)]"
