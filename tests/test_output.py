"""Spreadsheet-safe CSV output."""

from __future__ import annotations

import pandas as pd

from mttr_lab.output import spreadsheet_safe, to_safe_csv


def test_formula_cells_are_neutralised_and_numbers_kept(tmp_path):
    frame = pd.DataFrame(
        {
            "title": ['=HYPERLINK("http://x")', "+1", "-2+3", "@SUM(A1)", "plain", None],
            "minutes": [-5.0, 1.0, 2.0, 3.0, 4.0, 5.0],
        }
    )
    safe = spreadsheet_safe(frame)
    assert safe["title"].tolist()[:5] == ['\'=HYPERLINK("http://x")', "'+1", "'-2+3", "'@SUM(A1)", "plain"]
    assert pd.isna(safe["title"].iloc[5])
    assert safe["minutes"].tolist() == frame["minutes"].tolist()
    path = to_safe_csv(frame.set_index("minutes"), tmp_path / "out.csv")
    text = path.read_text()
    assert text.splitlines()[0] == "minutes,title"
    assert "\n-5.0,\"'=HYPERLINK" in text  # quoted by the CSV writer, still neutralised
