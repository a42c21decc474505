"""The shared builder of the ``incidents`` frame: duplicate ids and per-day timestamp counts."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from conftest import SAMPLE

import mttr_lab as mttr
from mttr_lab.readers._arrow_text import clean_text as _text
from mttr_lab.readers._arrow_text import has_control_bytes
from mttr_lab.readers._arrow_text import has_duplicates as _has_duplicates
from mttr_lab.readers._build import DUPLICATE_REASON
from mttr_lab.readers._notes import day_counts


def arrow_series(chunks: list[list[str | None]], kind: pa.DataType) -> pd.Series:
    return pd.Series(pd.arrays.ArrowStringArray(pa.chunked_array(chunks, type=kind)))


@pytest.mark.parametrize("kind", [pa.string(), pa.large_string()])
@pytest.mark.parametrize(
    ("chunks", "repeated"),
    [
        ([["INC0001", "INC0002"], ["INC0003"]], False),
        ([["INC0001", "INC0002"], ["INC0001"]], True),  # across chunks
        ([["abcdefgh12", "abcdefgh13", "abcdefgh12"]], True),  # same width, tail bytes
        ([["abcdefgh12", "abcdefgh13", "abcdefgi12"]], False),  # differ in the first word only
        ([["a", "bb", "a"]], True),  # widths differ: the exact path
        ([["a", "bb", "c"]], False),
        ([["A1", None, None, "B2"]], False),  # missing ids never repeat
        ([["A1", None, "A1"]], True),
        ([[], ["X9", "Y9"], [], ["X9"]], True),  # empty chunks
    ],
)
def test_repeated_ids_are_found_on_every_path(chunks, repeated, kind):
    assert _has_duplicates(arrow_series(chunks, kind)) is repeated
    plain = pd.Series([v for chunk in chunks for v in chunk], dtype=object)
    assert _has_duplicates(plain) is repeated


@pytest.mark.parametrize("width", [1, 5, 8, 9, 12, 16, 36])
def test_every_byte_of_a_fixed_width_id_counts_in_its_hash(width):
    from mttr_lab.readers._arrow_text import fixed_width_hashes

    base = "".join(chr(ord("a") + i % 26) for i in range(width))
    ids = [base] + [base[:p] + "#" + base[p + 1 :] for p in range(width)]  # one byte changed each
    hashes = fixed_width_hashes(pa.chunked_array([ids]))
    assert len(set(hashes.tolist())) == len(ids)  # distinct ids, distinct hashes: no exact pass
    assert _has_duplicates(arrow_series([ids, [ids[-1]]], pa.string())) is True


def test_a_sliced_array_is_read_from_its_own_offset():
    whole = pa.chunked_array([pa.array(["ID-01", "ID-02", "ID-03", "ID-01"]).slice(1)], type=pa.string())
    assert _has_duplicates(pd.Series(pd.arrays.ArrowStringArray(whole))) is False


def test_one_repeat_among_many_same_width_ids_is_excluded(tmp_path):
    ids = [f"{i:08x}-0000-4000-8000-{i:012x}" for i in range(40_000)]
    ids[31_234] = ids[7]  # a later version, far away in the file (another parse block)
    rows = [f"{x},2025-01-01T00:00:00Z" for x in ids]
    path = tmp_path / "many.csv"
    path.write_text("incident_id,detected_at\n" + "\n".join(rows) + "\n")
    incidents = mttr.read_export(path)
    excluded = incidents[incidents["exclude_reason"].notna()]
    assert excluded["record"].tolist() == [8]
    assert excluded["exclude_reason"].tolist() == [DUPLICATE_REASON]


def test_day_counts_skip_missing_times():
    stamps = pd.Series(
        pd.to_datetime(["2025-01-01T10:00Z", None, "2025-01-01T23:00Z", "2025-01-03T00:00Z", None], utc=True)
    ).astype("datetime64[us, UTC]")
    days, counts = day_counts(stamps)
    first = (pd.Timestamp("2025-01-01", tz="UTC") - pd.Timestamp(0, tz="UTC")).days
    assert days.tolist() == [first, first + 2]
    assert counts.tolist() == [2, 1]
    assert counts.dtype == np.int64
    empty = day_counts(pd.Series(pd.NaT, index=range(3), dtype="datetime64[us, UTC]"))
    assert [len(a) for a in empty] == [0, 0]


def test_day_counts_of_days_far_apart_use_the_sorted_path():
    stamps = pd.Series(
        pd.to_datetime(
            ["0002-01-01T00:00Z", "9000-01-01T00:00Z", None, "9000-01-01T05:00Z"], utc=True, format="ISO8601"
        )
    )
    days, counts = day_counts(stamps)
    assert len(days) == 2 and counts.tolist() == [1, 2]


@pytest.mark.parametrize(
    "ids",
    [
        ["X1 ", " X1", "Y22"],  # one width, but stripping makes the first two equal
        ["\u00a0X1", "X1\u00a0", "Y1\u00a0"],  # no-break spaces (two bytes each)
        ["X1\t", "X1 ", "Y1 "],
    ],
)
def test_ids_of_one_width_are_stripped_before_they_are_compared(tmp_path, ids):
    path = tmp_path / "spaced.csv"
    rows = [f'"{x}",2025-01-0{i + 1}T00:00:00Z' for i, x in enumerate(ids)]
    path.write_text("incident_id,detected_at\n" + "\n".join(rows) + "\n", encoding="utf-8")
    incidents = mttr.read_export(path)
    assert incidents["incident_id"].tolist()[:2] == ["X1", "X1"]
    assert incidents["exclude_reason"].tolist()[0] == DUPLICATE_REASON
    assert incidents["exclude_reason"].isna().tolist()[1:] == [True, True]


def test_severity_labels_are_stripped_once_per_label(tmp_path):
    path = tmp_path / "sev.csv"
    rows = ['A," Critical"', "B,Critical", 'C,""', 'D,"low "', "E,SEV2"]
    path.write_text(
        "incident_id,severity,detected_at\n"
        + "\n".join(f"{r},2025-01-0{i + 1}T00:00:00Z" for i, r in enumerate(rows))
        + "\n"
    )
    incidents = mttr.read_export(path)
    assert incidents["severity_raw"].tolist()[:2] == ["Critical", "Critical"]
    assert pd.isna(incidents["severity_raw"].iloc[2]) and incidents["severity_raw"].iloc[3] == "low"
    assert incidents["severity"].astype(object).tolist()[:2] == ["critical", "critical"]
    assert pd.isna(incidents["severity"].iloc[2])
    assert incidents["severity"].astype(object).tolist()[3:] == ["low", "high"]
    assert str(incidents["severity_raw"].dtype) == "str"


@pytest.mark.parametrize("kind", [pa.string(), pa.large_string()])
@pytest.mark.parametrize(
    "chunks",
    [
        [["checkout", "search"], ["payments"]],  # nothing to strip: returned as it is
        [["checkout ", "search"]],
        [["checkout", "\tsearch"]],
        [["checkout", ""]],  # blank is missing
        [["checkout", None, "   "], [None]],
        [["checkout", "search\u00a0"]],  # a non-breaking space at an edge
        [["\u00e9tat", "caf\u00e9"]],  # multi-byte letters at the edges stay
        [["a\x1fb", "\x1fab"]],  # a separator only where strip removes it
        [[], ["x"], [None, None]],
    ],
)
def test_text_is_stripped_and_blank_is_missing_on_every_path(chunks, kind):
    values = arrow_series(chunks, kind)
    expected = pd.Series([v.strip() if isinstance(v, str) else v for c in chunks for v in c], dtype="str")
    expected = expected.where(expected.ne(""))
    pd.testing.assert_series_equal(_text(values), expected, check_index=False)
    # A slice starts inside its buffers: the edge bytes are read from its own offset.
    pd.testing.assert_series_equal(_text(values.iloc[1:]), expected.iloc[1:], check_index=False)


@pytest.mark.parametrize(
    ("texts", "expected"),
    [
        (["INC1", "INC2", None, "é café"], False),  # multi-byte characters are not control bytes
        (["INC1", "A\tB"], True),
        (["INC1", "\x7f"], True),
        (["INC1", "x\x00"], True),
        ([None, None], False),
    ],
)
def test_control_bytes_are_seen_in_every_chunk_and_slice(texts, expected):
    arrow = pa.chunked_array([pa.array(["plain"] * 3, pa.large_string()), pa.array(texts, pa.large_string())])
    values = pd.Series(pd.array(arrow, dtype="str"))
    assert has_control_bytes(values) is expected
    assert has_control_bytes(values.iloc[3:]) is expected  # a slice reads its own bytes only
    assert has_control_bytes(values.iloc[:3]) is False
    assert has_control_bytes(values.astype(object)) is True  # not Arrow text: the caller looks row by row


@pytest.mark.parametrize("threads_from", [0, 10**9])  # in two threads, and in the calling one
def test_the_frame_and_its_first_error_are_the_same_with_or_without_threads(
    threads_from, fixtures, monkeypatch, tmp_path
):
    from conftest import HAND

    from mttr_lab.readers import _build

    hand = fixtures / "generic" / "hand_made.csv"
    expected = mttr.read_export(hand, columns=HAND, tz="Europe/Berlin")
    monkeypatch.setattr(_build, "_THREADS_FROM", threads_from)
    pd.testing.assert_frame_equal(mttr.read_export(hand, columns=HAND, tz="Europe/Berlin"), expected)
    # Two bad columns: the first in column order is reported, not the first row or the first done.
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "id,opened,closed\nA,2024-03-01T10:00Z,2024-03-01T11:00Z\n"
        "B,2024-03-02T10:00Z,not a date\nC,no date either,2024-03-03T11:00Z\n"
    )
    with pytest.raises(mttr.InputError) as err:
        mttr.read_export(bad, columns={"incident_id": "id", "detected_at": "opened", "resolved_at": "closed"})
    assert "row 3, column 'opened'" in str(err.value) and "no date either" in str(err.value)


def test_a_thread_still_running_after_the_main_thread_ended_reads_an_export(tmp_path):
    # the columns are built by a thread pool, which takes no work once the main thread's code
    # has ended: they are then built in the calling thread
    script = tmp_path / "late.py"
    script.write_text(
        "import threading, time\n"
        "import mttr_lab as mttr\n"
        "from mttr_lab.readers import _build\n"
        "_build._THREADS_FROM = 1\n"
        "def late():\n"
        "    time.sleep(0.3)\n"
        f"    print(len(mttr.read_export({str(SAMPLE)!r}, source='firehydrant')))\n"
        "threading.Thread(target=late).start()\n"
    )
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert int(done.stdout) == len(mttr.read_export(SAMPLE, source="firehydrant"))
