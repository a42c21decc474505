"""Large CSV files parsed in pieces of whole lines: the same table as the whole file at once."""

from __future__ import annotations

import gzip

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pa_csv
import pytest

import mttr_lab as mttr
from mttr_lab.readers import _csv_chunks, _files
from mttr_lab.synth import synth_incidents, write_export


@pytest.fixture(scope="module")
def export(tmp_path_factory):
    frame = synth_incidents(incidents=800, months=3, seed=5)
    return write_export(frame, tmp_path_factory.mktemp("chunks") / "incidents.csv", shape="csv")


def test_pieces_make_the_table_of_the_whole_file(export, monkeypatch):
    monkeypatch.setattr(_csv_chunks, "CHUNK_BYTES", 10_000)  # about 40 lines a piece
    pieces = _csv_chunks.read_in_chunks(export, parse=pa_csv.ParseOptions(delimiter=","))
    whole = pa_csv.read_csv(export, convert_options=_csv_chunks.convert_options())
    assert pieces.num_rows == whole.num_rows > 800
    assert pieces.column("started_at").num_chunks > 10
    assert pieces.equals(_csv_chunks._microseconds(whole))  # times in the frame's unit


def test_read_export_of_a_large_file_goes_through_the_pieces(export, monkeypatch):
    whole = mttr.read_export(export, source="csv")
    read = []

    def counted(path, **options):
        table = _csv_chunks.read_in_chunks(path, **options)
        read.append(table.num_rows)
        return table

    monkeypatch.setattr(_files, "STREAM_BYTES", 0)
    monkeypatch.setattr(_csv_chunks, "CHUNK_BYTES", 10_000)
    monkeypatch.setattr(_files, "read_in_chunks", counted)
    pd.testing.assert_frame_equal(mttr.read_export(export, source="csv"), whole)
    assert read == [pa_csv.read_csv(export).num_rows]  # in pieces, not read again whole


def test_a_column_empty_in_the_first_piece_takes_its_type_from_the_later_ones(tmp_path, monkeypatch):
    rows = [f"I{i},2024-01-01T00:00:00Z," for i in range(300)] + ["I300,2024-01-01T00:00:00Z,a note at last"]
    path = tmp_path / "late.csv"
    path.write_text("incident_id,detected_at,remark\n" + "\n".join(rows) + "\n")
    monkeypatch.setattr(_csv_chunks, "CHUNK_BYTES", 512)
    table = _csv_chunks.read_in_chunks(path, parse=pa_csv.ParseOptions())
    assert table.column("remark").num_chunks > 10
    assert table.equals(
        _csv_chunks._microseconds(pa_csv.read_csv(path, convert_options=_csv_chunks.convert_options()))
    )


def test_a_piece_whose_types_differ_has_the_file_read_whole(tmp_path, monkeypatch):
    rows = [f"I{i},2024-01-01T00:00:00Z,{i}" for i in range(300)] + [
        "I300,2024-01-01T00:00:00Z,a note at last"
    ]
    path = tmp_path / "late.csv"
    path.write_text("incident_id,detected_at,remark\n" + "\n".join(rows) + "\n")
    monkeypatch.setattr(_files, "STREAM_BYTES", 0)
    monkeypatch.setattr(_csv_chunks, "CHUNK_BYTES", 512)
    with pytest.raises(pa.ArrowInvalid, match="conversion error"):
        _csv_chunks.read_in_chunks(path, parse=pa_csv.ParseOptions())
    incidents = mttr.read_export(path)
    assert len(incidents) == 301 and incidents["remark"].iloc[-1] == "a note at last"
    assert incidents["remark"].iloc[0] == "0"


def test_pieces_that_disagree_on_a_column_empty_at_first_have_the_file_read_whole(tmp_path, monkeypatch):
    rows = [f"I{i},2024-01-01T00:00:00Z," for i in range(100)]
    rows += [f"I{i},2024-01-01T00:00:00Z,{i}" for i in range(100, 200)] + ["I200,2024-01-01T00:00:00Z,text"]
    path = tmp_path / "mixed.csv"
    path.write_text("incident_id,detected_at,remark\n" + "\n".join(rows) + "\n")
    monkeypatch.setattr(_files, "STREAM_BYTES", 0)
    monkeypatch.setattr(_csv_chunks, "CHUNK_BYTES", 512)
    with pytest.raises(pa.ArrowTypeError):
        _csv_chunks.read_in_chunks(path, parse=pa_csv.ParseOptions())
    incidents = mttr.read_export(path)
    assert len(incidents) == 201 and incidents["remark"].iloc[-1] == "text"


def test_a_line_longer_than_a_piece_stays_whole(export, monkeypatch):
    monkeypatch.setattr(_csv_chunks, "CHUNK_BYTES", 7)  # every line break is past the piece's size
    pieces = _csv_chunks.read_in_chunks(export, parse=pa_csv.ParseOptions())
    assert pieces.column("incident_id").num_chunks > 10
    assert pieces.equals(
        _csv_chunks._microseconds(pa_csv.read_csv(export, convert_options=_csv_chunks.convert_options()))
    )


def _multiline_export(path, rows):
    """Descriptions over several lines, with commas and doubled quotes, as spreadsheets write them."""
    lines = ["incident_id,detected_at,resolved_at,description"]
    for i in range(rows):
        text = f'Steps for {i}:\n1. restart db, cache, and queue\n2. say ""done"", then close'
        lines.append(f'I{i},2024-01-01T00:{i % 60:02d}:00Z,2024-01-01T01:00:00Z,"{text}"')
    path.write_text("\n".join(lines) + "\n")
    return path


def test_only_the_lines_before_the_first_quote_are_cut(export, tmp_path, monkeypatch):
    monkeypatch.setattr(_csv_chunks, "CHUNK_BYTES", 512)
    parse = pa_csv.ParseOptions()
    quoted = _multiline_export(tmp_path / "multi.csv", 3)
    inch = tmp_path / "inch.csv"
    inch.write_text('incident_id,title\nI1,27" monitor dead\n')
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    # A quote in the first piece: nothing is cut, the caller reads the file whole.
    assert all(_csv_chunks.read_in_chunks(p, parse=parse) is None for p in (quoted, inch, empty))
    # A quote further down: pieces up to it, then the rest in one go, the same table as whole.
    lines = ["incident_id,title,detected_at"] + [f"I{i},t{i},2024-01-01T00:00:00Z" for i in range(200)]
    lines[150] = 'I149,"a title, with a comma\nand a line break",2024-01-01T00:00:00Z'
    late = tmp_path / "late_quote.csv"
    late.write_text("\n".join(lines) + "\n")
    whole = pa_csv.read_csv(late, convert_options=_csv_chunks.convert_options())
    pieces = _csv_chunks.read_in_chunks(late, parse=parse)
    assert pieces.num_rows == 200 and pieces.column("title").num_chunks > 2
    assert pieces.equals(_csv_chunks._microseconds(whole))
    assert pieces.column("title")[149].as_py() == "a title, with a comma\nand a line break"


def test_values_over_several_lines_after_unquoted_pieces_are_read_whole(tmp_path, monkeypatch):
    # Unquoted pieces first, then over 1 MB of quoted values holding line breaks: the rest, parsed
    # in one go, loses track of its lines at pyarrow's block edges; the file is then read whole.
    multi = _multiline_export(tmp_path / "multi.csv", 15_000).read_text().splitlines(keepends=True)
    plain = [f"P{i},2024-01-01T00:00:00Z,2024-01-01T01:00:00Z,\n" for i in range(200)]
    path = tmp_path / "late_multi.csv"
    path.write_text(multi[0] + "".join(plain) + "".join(multi[1:]))
    seen = []
    monkeypatch.setattr(_files, "STREAM_BYTES", 0)
    monkeypatch.setattr(_csv_chunks, "CHUNK_BYTES", 2_000)
    real = _csv_chunks.read_in_chunks
    monkeypatch.setattr(_files, "read_in_chunks", lambda *a, **k: seen.append(real(*a, **k)) or seen[-1])
    incidents = mttr.read_export(path, source="csv")
    assert len(seen) == 1  # tried in pieces once; where the rest failed, the file was read whole
    assert len(incidents) == 15_200 and incidents["exclude_reason"].isna().all()
    assert incidents["incident_id"].iloc[199] == "P199" and incidents["incident_id"].iloc[200] == "I0"
    assert incidents["description"].iloc[-1].endswith('say "done", then close')


def test_a_compressed_file_is_read_whole(export, tmp_path, monkeypatch):
    compressed = tmp_path / "incidents.csv.gz"
    compressed.write_bytes(gzip.compress(export.read_bytes()))
    plain, read = mttr.read_export(export, source="csv"), []
    monkeypatch.setattr(_files, "STREAM_BYTES", 0)
    monkeypatch.setattr(_files, "read_in_chunks", lambda *a, **k: read.append(a))
    pd.testing.assert_frame_equal(mttr.read_export(compressed, source="csv"), plain)
    assert read == []


def _stray_quote_exports(folder):
    """A quote inside an unquoted field (27" monitor) before values over several lines: counting
    quotes would cut inside a value, and there a cut one could even read as whole rows."""
    head = "incident_id,title,detected_at,resolved_at,note\n"
    log = '"pasted log:\n' + "\n".join(f"line {j} ERROR upstream timeout" for j in range(30)) + '"'
    inch = '27" monitor dead'
    rows = [
        f"I{i},{inch if i == 1 else 't'},2024-01-01T00:00:00Z,2024-01-01T01:00:00Z,"
        f"{log if i % 10 == 0 else ''}\n"
        for i in range(20_000)
    ]
    (folder / "logs.csv").write_text(head + "".join(rows))
    rows = [f"I{i},t,2024-01-0{i % 9 + 1}T00:00:00Z,2024-01-0{i % 9 + 1}T01:00:00Z,\n" for i in range(40)]
    rows[1] = 'I1,27" monitor dead,2024-01-02T00:00:00Z,2024-01-02T01:00:00Z,\n'
    rows[5] = (
        'I5,t,2024-01-06T00:00:00Z,2024-01-06T01:00:00Z,"see also:\n'
        'I99,dup,2024-01-06T00:00:00Z,2024-01-06T01:00:00Z,"\n'
    )
    (folder / "phantom.csv").write_text(head + "".join(rows))
    return {"logs.csv": 20_000, "phantom.csv": 40}


def test_a_stray_quote_never_loses_or_invents_a_row(tmp_path, monkeypatch):
    expected = _stray_quote_exports(tmp_path)
    monkeypatch.setattr(_files, "STREAM_BYTES", 0)  # as files of 64 MB or more are read
    for chunk in (200, 1 << 20):
        monkeypatch.setattr(_csv_chunks, "CHUNK_BYTES", chunk)
        for name, rows in expected.items():
            incidents = mttr.read_export(tmp_path / name, source="csv")
            assert incidents["incident_id"].tolist() == [f"I{i}" for i in range(rows)]
            assert incidents["title"].iloc[1] == '27" monitor dead'


@pytest.mark.parametrize("in_pieces", [False, True])
def test_an_export_with_values_over_several_lines_is_read_whole(tmp_path, monkeypatch, in_pieces):
    # Over pyarrow's 1 MB parse block: its fast parse loses track of the lines there.
    path = _multiline_export(tmp_path / "multi.csv", 15_000)
    if in_pieces:
        monkeypatch.setattr(_files, "STREAM_BYTES", 0)
        monkeypatch.setattr(_csv_chunks, "CHUNK_BYTES", 300_000)
    incidents = mttr.read_export(path, source="csv")
    assert len(incidents) == 15_000 and incidents["exclude_reason"].isna().all()
    assert incidents["description"].str.startswith("Steps for").all()
    assert incidents["description"].iloc[-1].endswith('say "done", then close')


@pytest.mark.parametrize("fraction", ["", ".250", ".250125", ".250125375"])
def test_times_of_every_precision_read_in_pieces_as_whole(tmp_path, monkeypatch, fraction):
    rows = [
        f"I{i},2024-01-01T00:{i % 60:02d}:00{fraction}Z,2024-01-01T02:00:00{fraction}Z" for i in range(400)
    ]
    path = tmp_path / "times.csv"
    path.write_text("incident_id,detected_at,resolved_at\n" + "\n".join(rows) + "\n")
    whole = mttr.read_export(path, source="csv")
    monkeypatch.setattr(_files, "STREAM_BYTES", 0)
    monkeypatch.setattr(_csv_chunks, "CHUNK_BYTES", 2_000)
    pd.testing.assert_frame_equal(mttr.read_export(path, source="csv"), whole)
    assert str(whole["detected_at"].dtype) == "datetime64[us, UTC]"
