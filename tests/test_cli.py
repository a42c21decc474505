"""The mttr-lab command line."""

from __future__ import annotations

import subprocess
import sys

from mttr_lab.cli import main


def test_synth_writes_a_readable_export(tmp_path, capsys):
    out = tmp_path / "s.json"
    assert main(["synth", "--incidents", "50", "--months", "2", "--seed", "1", "--out", str(out)]) == 0
    assert out.exists() and str(out) in capsys.readouterr().out
    import mttr_lab as mttr

    assert len(mttr.read_export(out, source="auto")) == 51  # 50 and one repeated id


def test_unreadable_export_is_one_line_and_non_zero(tmp_path, capsys):
    bad = tmp_path / "bad.csv"
    bad.write_text("a,b\n1,2\n")
    assert main(["report", str(bad), "--out", str(tmp_path / "r.html")]) != 0
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1].startswith("mttr-lab:") and "bad.csv" in err[-1] and "Traceback" not in "".join(err)
    assert not (tmp_path / "r.html").exists()


def test_help_has_examples():
    done = subprocess.run([sys.executable, "-m", "mttr_lab.cli", "--help"], capture_output=True, text=True)
    assert done.returncode == 0 and "examples:" in done.stdout
