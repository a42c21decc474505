"""The mttr-lab command line: every command, clear one-line errors, exit status."""

from __future__ import annotations

import re
import subprocess
import sys

import pandas as pd
import pytest
from conftest import SAMPLE

import mttr_lab as mttr
from mttr_lab.cli import _in_cli_words, main


def test_synth_writes_a_readable_export(tmp_path, capsys):
    out = tmp_path / "s.json"
    assert main(["synth", "--incidents", "50", "--months", "2", "--seed", "1", "--out", str(out)]) == 0
    assert out.exists() and str(out) in capsys.readouterr().out
    assert len(mttr.read_export(out, source="auto")) == 51  # 50 and one repeated id


def test_summary_prints_the_table_and_writes_a_safe_csv(tmp_path, capsys):
    csv = tmp_path / "summary.csv"
    assert main(["summary", str(SAMPLE), "--by", "severity", "--csv", str(csv)]) == 0
    out = capsys.readouterr().out
    assert "time to recover (1,499 incidents analysed)" in out
    for severity in ("low", "medium", "high", "critical"):
        assert severity in out
    written = pd.read_csv(csv)
    assert written["severity"].tolist()[:4] == ["low", "medium", "high", "critical"]
    assert "median_low" in written.columns


def test_check_exits_1_on_errors_and_0_on_a_clean_export(tmp_path, capsys, fixtures):
    assert main(["check", str(SAMPLE)]) == 1  # the sample has a milestone out of order
    out = capsys.readouterr().out
    assert "is before detected_at" in out and "1 error, 3 warnings, 15 info" in out  # counted in words
    clean = fixtures / "generic" / "three.csv"
    cols = "incident_id=Ticket,detected_at=Opened,resolved_at=Closed,severity=Priority"
    assert main(["check", str(clean), "--source", "csv", "--columns", cols]) == 0
    assert "no findings to show" in capsys.readouterr().out


def test_check_prints_words_left_aligned_and_whole(tmp_path, capsys):
    export = tmp_path / "gaps.csv"
    export.write_text(
        "incident_id,detected_at,acknowledged_at,resolved_at\n"
        ",2024-01-01T10:00:00Z,,2024-01-01T11:00:00Z\n"
        "X-2,2024-01-02T10:00:00Z,2024-01-02T09:00:00Z,2024-01-02T11:00:00Z\n"
        '"X\n3",2024-01-03T10:00:00Z,2024-01-03T09:00:00Z,2024-01-03T11:00:00Z\n'  # a line break in an id
    )
    main(["check", str(export), "--source", "csv", "--all"])
    lines = capsys.readouterr().out.splitlines()
    header, rows = lines[0], lines[1 : lines.index("")]
    findings = mttr.check_incidents(mttr.read_export(export, source="csv"))
    assert len(rows) == len(findings)
    for name in ("problem", "action"):  # words start under their header, and are never cut
        at = header.index(name)
        for line, text in zip(rows, findings[name], strict=True):
            assert line[at:].startswith(text.replace("\n", "\\n"))
    assert any("X\\n3" in line for line in rows)  # the id's line break shown, not breaking the row
    at = header.index("incident_id")  # every id starts under its header
    assert all(line[at - 1] == " " and line[at] != " " for line in rows)
    assert "<NA>" not in "\n".join(lines) and "NaN" not in "\n".join(lines)
    assert all(line == line.rstrip() for line in lines)


def test_postmortem_escapes_text_from_the_export(tmp_path, capsys):
    export = tmp_path / "hostile.csv"
    export.write_text(
        "incident_id,title,detected_at,acknowledged_at,resolved_at,service\n"
        "X-1,<script>alert(1)</script> | *bold*,2024-01-01T10:00:00Z,2024-01-01T10:05:00Z,2024-01-01T11:00:00Z,api\n"
    )
    assert main(["postmortem", str(export), "X-1"]) == 0
    text = capsys.readouterr().out
    assert "<script>" not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt; \\| \\*bold\\*" in text
    assert "| Acknowledged | 2024-01-01 10:05 UTC | 5 min |" in text
    assert "## Root cause" in text and "## What went well" in text
    assert main(["postmortem", str(export), "nope"]) == 2


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["summary", "missing.json"], "no such file"),
        (["summary", "{sample}", "--by", "region"], "region"),
        (["report", "{sample}", "--quarter", "Q3"], "2026Q3"),
        (["report", "{sample}", "--as-of", "yesterday"], "--as-of is not a date"),
        (["check", "{sample}", "--source", "splunk"], "unknown source 'splunk'"),
        (["summary", "{sample}", "--columns", "oops"], "name=value"),
        (
            ["summary", "{sample}", "--source", "pagerduty"],
            "read it with --source firehydrant or --source auto",
        ),
        (
            ["report", "{sample}", "--from", "2026-13-01", "--to", "2026-14-01"],
            "--from is not a date; found '2026-13-01'; expected a day, e.g. 2026-06-01",
        ),
        # The value quoted once (found "'2026-06-31'" before), and the option named as typed.
        (
            ["report", "{sample}", "--from", "2026-06-31", "--to", "2026-07-10"],
            "mttr-lab: --from is not a date; found '2026-06-31'; expected",
        ),
        (["report", "{sample}", "--from", "2026-06-01", "--to", "2026-06-31"], "--to is not a date"),
        (
            ["report", "{sample}", "--from", "2026-07-10", "--to", "2026-06-01"],
            "--to 2026-06-01 is before --from 2026-07-10",
        ),
        (["fetch", "statuspage", "--out", "{sample}"], f"--out {SAMPLE} is a file; expected a folder"),
        (
            ["check", "{sample}", "--severity-map", "SEV1=urgent"],
            "--severity-map sends 'SEV1' to an unknown severity; found 'urgent'; "
            "expected one of low, medium, high, critical (or none)",
        ),
        (
            ["report", "{sample}", "--as-of", "2019-01-01"],
            "no incident had begun by --as-of 2019-01-01: the export's first starts 2025-04-01",
        ),
    ],
)
def test_wrong_arguments_give_one_line_and_exit_2(argv, expected, capsys):
    argv = [a.replace("{sample}", str(SAMPLE)) for a in argv]
    assert main(argv) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1].startswith("mttr-lab:") and expected in err[-1]
    assert not any("Traceback" in line for line in err)
    assert not re.search(r"\b(source|columns|tz|as_of|severity_map|dayfirst)=", err[-1])  # CLI words


def test_python_keywords_in_errors_read_as_options():
    assert _in_cli_words("use source='csv' with columns= or dayfirst=False") == (
        "use --source csv with --columns or --monthfirst"
    )
    assert _in_cli_words("--columns incident_id=id") == "--columns incident_id=id"  # a mapping stays
    # The refusal of an unrecognised export: no Python dict or quoted alternatives on the command line.
    hint = "or source='csv'/'json' with columns={canonical: export column}"
    assert _in_cli_words(hint) == "or --source csv or json with --columns canonical=column,..."


def test_report_on_an_unreadable_export_fails_fast(tmp_path, capsys):
    bad = tmp_path / "bad.csv"
    bad.write_text("a,b\n1,2\n")
    assert main(["report", str(bad), "--out", str(tmp_path / "r.html")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert "bad.csv" in err[-1] and "does not recognise" in err[-1]
    assert not (tmp_path / "r.html").exists()


def test_help_and_version():
    done = subprocess.run([sys.executable, "-m", "mttr_lab.cli", "--help"], capture_output=True, text=True)
    assert done.returncode == 0 and "examples:" in done.stdout and "exit status" in done.stdout
    sub = subprocess.run(
        [sys.executable, "-m", "mttr_lab.cli", "report", "--help"], capture_output=True, text=True
    )
    assert "--quarter" in sub.stdout and "firehydrant" in sub.stdout and "example:" in sub.stdout
    version = subprocess.run(
        [sys.executable, "-m", "mttr_lab.cli", "--version"], capture_output=True, text=True
    )
    assert version.stdout.strip() == f"mttr-lab {mttr.__version__}"
    bare = subprocess.run([sys.executable, "-m", "mttr_lab.cli"], capture_output=True, text=True)
    assert bare.returncode == 2 and bare.stderr.startswith("mttr-lab:")


def test_bad_timezone_and_unwritable_output_exit_2(tmp_path, capsys):
    with pytest.raises(SystemExit) as done:
        main(["summary", str(SAMPLE), "--tz", "Mars/Base"])
    assert done.value.code == 2 and "unknown IANA timezone 'Mars/Base'" in capsys.readouterr().err
    incidents = mttr.read_export(SAMPLE, source="auto")
    some_id = incidents["incident_id"].iloc[0]
    assert main(["postmortem", str(SAMPLE), some_id, "--out", str(tmp_path / "no" / "dir" / "x.md")]) == 2
    assert main(["report", str(SAMPLE), "--as-of", ""]) == 2


def test_help_answers_without_loading_pandas():
    import subprocess
    import sys

    code = (
        "import sys, contextlib, io\n"
        "from mttr_lab.cli import main\n"
        "for argv in ([], ['report'], ['summary'], ['check'], ['postmortem'], ['synth'], ['fetch']):\n"
        "    with contextlib.suppress(SystemExit), contextlib.redirect_stdout(io.StringIO()):\n"
        "        main([*argv, '--help'])\n"
        "print(sorted(m for m in ('pandas', 'numpy', 'scipy', 'matplotlib') if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]", out.stdout + out.stderr


def test_import_is_lazy_and_names_resolve():
    import subprocess
    import sys

    code = (
        "import sys, mttr_lab as mttr\n"
        "assert 'pandas' not in sys.modules\n"
        "assert callable(mttr.read_export) and mttr.InputError is mttr.schema.InputError\n"
        "assert set(mttr.__all__) <= set(dir(mttr))\n"
        "from mttr_lab import duration_summary, InputError\n"
        "print('ok')\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "ok", out.stderr


def test_the_package_takes_whole_modules_at_their_own_word():
    # mttr_lab reads the __all__ of a module it exports whole from the module's source (importing
    # it would load pandas): what it reads must be what the module says, and no name has two homes.
    import importlib

    import mttr_lab

    home: dict[str, str] = {}
    for module, names in mttr_lab._MODULES.items():
        listed = mttr_lab._module_all(module) if names == mttr_lab._ALL else names
        if names == mttr_lab._ALL:
            assert listed == tuple(importlib.import_module(f"mttr_lab.{module}").__all__), module
        for name in listed:
            assert home.setdefault(name, module) == module, f"{name} is listed by {home[name]} and {module}"
    assert sorted(mttr_lab.__all__) == sorted([*home, "__version__"])


def test_report_cadences_and_odd_periods(tmp_path, capsys, monkeypatch):
    out = tmp_path / "week.html"
    assert main(["report", str(SAMPLE), "--period", "week", "--tz", "Europe/Berlin", "--out", str(out)]) == 0
    assert "Incident recovery review, 2026-W39" in out.read_text()
    # A window reaches the review as its two days (its title: test_review), rendered as the week was.
    from mttr_lab import report

    rendered = {}
    monkeypatch.setattr(report, "render_report", lambda export, **kw: rendered.update(kw) or kw["out"])
    window = tmp_path / "june.html"
    assert (
        main(["report", str(SAMPLE), "--from", "2026-06-01", "--to", "2026-06-30", "--out", str(window)]) == 0
    )
    assert (rendered["start"], rendered["end"], rendered["period"]) == ("2026-06-01", "2026-06-30", "quarter")
    capsys.readouterr()
    assert main(["report", str(SAMPLE), "--quarter", "2027Q1", "--out", str(tmp_path / "f.html")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1].startswith("mttr-lab: 2027Q1 starts after the latest record in the export")
    assert main(["report", str(SAMPLE), "--from", "2026-06-01", "--out", str(tmp_path / "x.html")]) == 2
    assert "--from and --to go together" in capsys.readouterr().err
    header = tmp_path / "header.csv"
    header.write_text("incident_id,detected_at,resolved_at\n")
    assert main(["report", str(header), "--out", str(tmp_path / "h.html")]) == 2
    assert (
        capsys.readouterr()
        .err.strip()
        .splitlines()[-1]
        .endswith("the export holds no incident records; expected at least one incident")
    )


@pytest.mark.parametrize("fmt", ["table", "csv", "json", "markdown"])
def test_summary_formats(fmt, capsys):
    import json

    assert main(["summary", str(SAMPLE), "--by", "severity", "--format", fmt]) == 0
    out = capsys.readouterr().out
    if fmt == "json":
        records = json.loads(out)
        assert {r["severity"] for r in records} >= {"low", "critical"} and "median_low" in records[0]
    elif fmt == "csv":
        assert out.splitlines()[0].startswith("severity,count,open,median,median_low")
    else:
        assert "median (95 % CI)" in out and "NaN" not in out and "<NA>" not in out
        if fmt == "markdown":
            assert out.splitlines()[1].startswith("|---|")


@pytest.mark.parametrize("fmt", ["table", "markdown"])
def test_summary_says_a_shared_note_once_under_the_table(fmt, capsys):
    from mttr_lab.units import _MARKS

    assert main(["summary", str(SAMPLE), "--by", "severity,service", "--format", fmt]) == 0
    lines = capsys.readouterr().out.splitlines()
    footnotes = [line for line in lines if line and line[0] in _MARKS]
    assert len(footnotes) >= 2  # the sample's small groups share more than one note
    table = "\n".join(lines[: lines.index(footnotes[0])])
    for line in footnotes:
        mark, words = line.split(" ", 1)
        assert words not in table and mark in table  # said once, marked in its rows
    runs = re.findall(f"[{_MARKS}]+", table)
    assert any(len(run) > 1 for run in runs)
    assert all(list(run) == sorted(run, key=_MARKS.index) for run in runs)  # ¹² not ²¹
    assert all(line == line.rstrip() for line in lines)
    if fmt == "markdown":  # one paragraph each, not run together into one line
        for line in footnotes[1:]:
            assert lines[lines.index(line) - 1] == ""


def test_synth_refuses_an_improvement_that_is_not_a_monthly_share(tmp_path, capsys):
    assert main(["synth", "--improvement", "2", "--out", str(tmp_path / "x.json")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "--improvement" in err[0] and "found 2.0" in err[0]
    assert not (tmp_path / "x.json").exists()


def test_a_severity_mapped_to_none_is_left_without_one(capsys):
    assert main(["summary", str(SAMPLE), "--by", "severity", "--severity-map", "SEV1=none"]) == 0
    table = capsys.readouterr().out
    assert "critical" not in table and "no severity" in table


def test_a_reader_that_stops_early_ends_the_output_quietly(tmp_path):
    # `mttr-lab check big.csv | head -1`: the pipe closes while thousands of findings are written
    export = tmp_path / "long.csv"
    rows = "".join(f"i{i},2026-01-01T00:00:00Z,2026-02-01T00:00:00Z\n" for i in range(5_000))
    export.write_text("incident_id,detected_at,resolved_at\n" + rows)
    command = [sys.executable, "-m", "mttr_lab.cli", "check", str(export)]
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE) as process:
        assert process.stdout.readline().startswith(b"level")
        process.stdout.close()
        error = process.stderr.read().decode()
        process.wait(timeout=120)
    assert process.returncode == 141 and error == ""


@pytest.mark.parametrize(
    ("argv", "option"),
    [
        (["report", "{sample}", "--out", "{file}/x.html"], "--out"),
        (["report", "{sample}", "--out", "{file}/deeper/x.html"], "--out"),
        (["postmortem", "{sample}", "some-id", "--out", "{file}/x.md"], "--out"),
        (["synth", "--out", "{file}/x.json"], "--out"),
        (["check", "{sample}", "--csv", "{file}/x.csv"], "--csv"),
        (["summary", "{sample}", "--csv", "{file}/x.csv"], "--csv"),
        (["fetch", "statuspage", "--base-url", "http://127.0.0.1:9", "--out", "{file}/pages"], "--out"),
    ],
)
def test_an_output_inside_a_file_is_refused_before_any_work(argv, option, tmp_path, capsys):
    """Once a raw '[Errno 17] File exists' after the render, '[Errno 20] Not a directory', or
    pandas' 'non-existent directory' after check's table (exit 2 for 1)."""
    afile = tmp_path / "afile"
    afile.write_text("not a folder\n")
    argv = [a.replace("{sample}", str(SAMPLE)).replace("{file}", str(afile)) for a in argv]
    assert main(argv) == 2
    captured = capsys.readouterr()
    assert captured.out == ""  # no table, no path: nothing was done
    assert captured.err.count("\n") == 1  # one line, and no "reading ..." before it
    path = argv[argv.index(option) + 1]
    assert (
        captured.err
        == f"mttr-lab: {option} {path} goes into {afile}, which is a file; expected {afile} to be a folder\n"
    )
    assert afile.read_text() == "not a folder\n"


def test_an_output_folder_that_does_not_exist_is_made_or_refused_as_before(tmp_path, capsys, monkeypatch):
    """report (and fetch) make the folders they write into; the other commands never did, and now
    say so in one line before any work instead of a raw '[Errno 2]' or pandas' message."""
    from mttr_lab import report

    rendered = {}
    monkeypatch.setattr(report, "render_report", lambda export, **kw: rendered.update(kw) or kw["out"])
    deep = tmp_path / "new" / "deeper" / "r.html"
    assert main(["report", str(SAMPLE), "--out", str(deep)]) == 0
    assert rendered["out"] == deep
    capsys.readouterr()
    for argv, option, path in [
        (["synth", "--out", str(tmp_path / "no" / "x.json")], "--out", tmp_path / "no" / "x.json"),
        (["check", str(SAMPLE), "--csv", str(tmp_path / "no" / "x.csv")], "--csv", tmp_path / "no" / "x.csv"),
    ]:
        assert main(argv) == 2
        captured = capsys.readouterr()
        assert captured.out == ""
        assert captured.err == (
            f"mttr-lab: {option} {path} goes into the folder {path.parent}, which does not exist; "
            "expected an existing folder (create it first)\n"
        )
    assert main(["summary", str(SAMPLE), "--csv", str(tmp_path)]) == 2
    assert (
        capsys.readouterr().err
        == f"mttr-lab: --csv {tmp_path} is a folder; expected the name of a file to write\n"
    )


@pytest.mark.parametrize(
    ("window", "label"),
    [
        (["--quarter", "2019Q1"], "2019Q1"),
        (["--from", "2019-01-01", "--to", "2019-03-31"], "01 Jan 2019 – 31 Mar 2019"),
        (
            ["--from", "2025-03-01", "--to", "2025-03-31", "--tz", "Europe/Berlin"],
            "01 Mar 2025 – 31 Mar 2025",
        ),
    ],
)
def test_a_period_wholly_before_the_data_is_refused_as_one_after_it(window, label, tmp_path, capsys):
    """Once an empty review and exit 0, where a quarter after the data was refused."""
    assert main(["report", str(SAMPLE), *window, "--out", str(tmp_path / "r.html")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1] == (
        f"mttr-lab: {label} ends before the export's first incident: there is nothing to review "
        "(the export's incidents start from 2025-04-01 to 2026-09-30); expected a later --quarter or --from/--to"
    )
    assert not (tmp_path / "r.html").exists()
    assert main(["report", str(SAMPLE), "--quarter", "2027Q1", "--out", str(tmp_path / "r.html")]) == 2
    assert "(the export's incidents start from 2025-04-01 to 2026-09-30)" in capsys.readouterr().err


def test_counts_of_one_read_in_the_singular(tmp_path, capsys):
    """Once 'time to recover (1 incidents analysed)'."""
    export = tmp_path / "one.csv"
    export.write_text("Ticket,Opened,Closed\nX-1,2024-01-01T10:00:00Z,2024-01-01T11:00:00Z\n")
    cols = "incident_id=Ticket,detected_at=Opened,resolved_at=Closed"
    assert main(["summary", str(export), "--source", "csv", "--columns", cols]) == 0
    assert capsys.readouterr().out.splitlines()[0] == "time to recover (1 incident analysed)"
