"""Numbers as people read them, and whole tables made readable."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from conftest import SAMPLE

import mttr_lab as mttr
from mttr_lab.units import MISSING, format_minutes, format_p, format_ratio, format_span, readable


@pytest.fixture(scope="module")
def durations() -> pd.DataFrame:
    return mttr.phase_durations(mttr.read_export(SAMPLE))


@pytest.mark.parametrize(
    ("minutes", "text"),
    [
        (0.5, "30 s"),
        (41.2, "41 min"),
        (204, "3.4 h"),
        (600, "10 h"),
        (1584, "1.1 d"),
        # a rounded value never reads as the next unit: "1 min", not "60 s"; "1 h", not "60 min"
        (0.999, "1 min"),
        (59.6, "1 h"),
        (1420, "1 d"),
        (59.4, "59 min"),
        (1380, "23 h"),
        (np.nan, ""),
        (None, ""),
    ],
)
def test_durations_read_as_people_say_them(minutes, text):
    assert format_minutes(minutes) == text


@pytest.mark.parametrize(
    ("low", "high", "text"),
    [
        (41.2, 72.0, "41 min–1.2 h"),
        (60.4, 62.0, "60 min–62 min"),  # both "1 h" in words: said in minutes
        (60.41, 60.47, "60.4 min–60.5 min"),
        (60.0, 60.0, "1 h–1 h"),  # truly equal ends stay as they are
        (np.nan, 60.0, "–1 h"),
    ],
)
def test_an_interval_never_reads_from_a_value_to_itself(low, high, text):
    assert format_span(low, high) == text


@pytest.mark.parametrize(
    ("p", "text"), [(6.9e-11, "p < 0.001"), (0.0042, "p = 0.004"), (0.04, "p = 0.04"), (0.317, "p = 0.32")]
)
def test_p_values_never_in_scientific_notation(p, text):
    assert format_p(p) == text
    assert format_p(np.nan) == MISSING


def test_a_summary_reads_without_raw_pandas(durations):
    table = readable(mttr.duration_summary(durations, by="severity"))
    text = table.to_string()
    for noise in ("<NA>", "NaN", "NaT", "None", "median_low", "within_60", "km_median", "e-0", "e+0"):
        assert noise not in text, noise
    assert "median (95 % CI)" in table.columns and "share within 1 h (95 % CI)" in table.columns
    assert table.index.name == "severity"
    assert "no severity" in table.index  # the incident whose label was not recognised
    median = mttr.duration_summary(durations).loc["all"]
    shown = readable(mttr.duration_summary(durations)).loc["all", "median (95 % CI)"]
    expected = (
        f"{format_minutes(median['median'])} ({format_span(median['median_low'], median['median_high'])})"
    )
    assert shown == expected


def test_interval_level_follows_the_table(durations):
    summary = mttr.duration_summary(durations)
    summary.attrs["confidence"] = 0.9
    assert "median (90 % CI)" in readable(summary).columns
    assert "median (80 % CI)" in readable(summary, confidence=0.8).columns


def test_cells_say_missing_booleans_counts_times_and_notes_in_words():
    table = pd.DataFrame(
        {
            "incident_id": ["A", "B"],
            "started": pd.to_datetime(["2026-04-07T22:00Z", None], utc=True),
            "open": [True, False],
            "count": [1234, 1],
            "share": [0.5, np.nan],
            "note": [
                "within_30: 1 open incident(s) too recent; acknowledged_at is before detected_at",
                pd.NA,
            ],
        }
    )
    shown = readable(table, tz="Europe/Berlin")
    assert list(shown.columns) == [
        "incident",
        "started (Europe/Berlin)",
        "still open",
        "incidents",
        "share",
        "note",
    ]
    assert shown.iloc[0].tolist() == [
        "A",
        "2026-04-08 00:00",
        "yes",
        "1,234",
        "50 %",
        "acknowledged is before detected",  # the remark on a share the table does not show is left out
    ]
    with_share = readable(table.assign(within_30=[0.5, 0.25]))
    assert with_share.iloc[0]["note"].startswith("share within 30 min: 1 open incident too recent;")
    assert shown.iloc[1].tolist() == ["B", MISSING, "no", "1", MISSING, MISSING]


def test_show_hides_a_meaningless_row_number(durations):
    html = mttr.show(mttr.slowest_incidents(durations, n=3)).to_html()
    assert '<th class="blank' not in html and ">0<" not in html
    grouped = mttr.show(mttr.duration_summary(durations, by="severity")).to_html()
    assert "critical" in grouped


def test_show_escapes_text_from_the_export():
    html = mttr.show(
        pd.DataFrame({"title": ["<img src=x onerror=alert(1)>"]}, index=["<b>svc</b>"])
    ).to_html()
    assert "<img src=x" not in html and "<b>svc" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html


def test_show_left_aligns_words_and_keeps_numbers_right():
    table = pd.DataFrame(
        {
            "action": ["kept as still open", "excluded from analysis"],
            "median": [41.0, 204.0],
            "open": [True, False],
        }
    )
    html = mttr.show(table).to_html()
    style = html.split("</style>")[0]
    rules = [rule.split("{", 1) for rule in style.split("}") if "{" in rule]
    left = " ".join(selector for selector, body in rules if "text-align: left" in body)
    nowrap = " ".join(selector for selector, body in rules if "white-space: nowrap" in body)
    assert "td.col0" in left  # the action column, lower-case words included
    assert "col1" not in left and "col2" not in left  # durations and yes/no stay right-aligned
    assert "td.col1" in nowrap and "td.col2" in nowrap and "col0" not in nowrap  # and never wrap
    assert 'class="data row0 col0"' in html  # the cells the rules select


def test_show_renders_an_empty_table():
    empty = pd.DataFrame({"count": pd.Series(dtype="int64"), "note": pd.Series(dtype="str")})
    assert "incidents" in mttr.show(empty).to_html()


def test_a_caveat_many_rows_share_is_said_once_under_the_table(durations):
    by_service = mttr.duration_summary(durations, by="service")
    caveat = "p90: no upper bound below 36 observed incidents"
    small = pd.Series(range(len(by_service)), index=by_service.index) < 3
    by_service.loc[small, "note"] = caveat  # as the summary writes it for services under 36 incidents
    html = mttr.show(by_service[["count", "median", "p90", "note"]]).to_html()
    assert html.count(caveat) == 1
    assert f"<caption>¹ {caveat}</caption>" in html
    assert html.count(">¹</td>") == small.sum()


def test_shared_notes_keep_each_rows_own_parts():
    from mttr_lab.units import shared_notes

    cells, footnotes = shared_notes(["own; shared", "shared", MISSING, "alone"])
    assert cells == ["own ¹", "¹", MISSING, "alone"]
    assert footnotes == [("¹", "shared")]
    assert shared_notes(["a", "b"]) == (["a", "b"], [])
    # Empty notes are no note: never a footnote mark with nothing to say.
    assert shared_notes(["", "", "x"]) == (["", "", "x"], [])


def test_row_labels_from_the_export_are_shown_as_written():
    """A service named payments_api is data: only the package's own names are said in words."""
    table = pd.DataFrame(
        {"count": [3, 4]}, index=pd.Index(["payments_api", "time_to_recover"], name="service")
    )
    shown = mttr.readable(table)
    assert list(shown.index) == ["payments_api", "time to recover"]


def test_a_small_share_is_never_written_as_nothing_or_everything():
    table = pd.DataFrame({"share": [0.0, 0.004, 1 / 200, 0.5, 199 / 200, 0.996, 1.0]})
    assert readable(table)["share"].tolist() == ["0 %", "< 1 %", "< 1 %", "50 %", "> 99 %", "> 99 %", "100 %"]


def test_a_small_rate_is_never_written_as_nothing():
    # Two incidents in a year: the business-hours rate is a few per ten thousand hours, not 0.00.
    table = pd.DataFrame({"incidents_per_hour": [0.0, 0.00068, 0.0049, 0.25, 3.5]})
    assert readable(table)["incidents per hour"].tolist() == ["0", "0.00068", "0.0049", "0.25", "3.50"]


def test_show_left_aligns_incident_ids_however_they_are_written():
    table = pd.DataFrame(
        {"incident_id": ["72f53489-2206-4ec0-b19d-74dbb78d0bec", "INC0012345"], "minutes": [41.0, 204.0]}
    )
    style = mttr.show(table).to_html().split("</style>")[0]
    rules = [rule.split("{", 1) for rule in style.split("}") if "{" in rule]
    left = " ".join(selector for selector, body in rules if "text-align: left" in body)
    nowrap = " ".join(selector for selector, body in rules if "white-space: nowrap" in body)
    assert "td.col0" in left and "col1" not in left  # the id as a label, the duration as a figure
    assert "td.col0" in nowrap  # and never broken over two lines


@pytest.mark.parametrize(
    ("ratio", "text"),
    [
        (0.78, "0.78"),
        (1.0, "1.00"),
        (0.0999, "0.10"),
        (0.0051, "0.0051"),  # not "0.00": a ratio is never shown as nothing
        (0.005, "0.0050"),
        (0.00699, "0.0070"),  # rounded up a digit: still two of them
        (5.1e-05, "0.000051"),  # never an exponent
        (0.0, "0.00"),
        (np.nan, "–"),
    ],
)
def test_ratios_read_with_two_significant_digits_below_a_tenth(ratio, text):
    assert format_ratio(ratio) == text


def test_durations_named_after_a_period_or_a_gain_read_as_durations():
    table = pd.DataFrame({"geomean_before": [91.65], "gain_minutes": [12.0], "upper_minutes": [240.0]})
    shown = readable(table)
    assert shown.iloc[0].tolist() == ["1.5 h", "12 min", "4 h"]


def test_show_keeps_a_named_view(durations):
    summary = mttr.duration_summary(durations, by="severity")
    html = mttr.show(summary, view="censoring").to_html()
    assert "median counting open incidents" in html and "p90" not in html
    with pytest.raises(mttr.InputError, match="no view named 'headlines'"):
        mttr.show(summary, view="headlines")


def test_show_gives_the_same_html_for_the_same_table(durations):
    # A notebook executed twice keeps the same table ids (they were random).
    summary = mttr.duration_summary(durations)
    assert mttr.show(summary).to_html() == mttr.show(summary.copy()).to_html()


def test_a_year_reads_without_a_thousands_separator():
    table = pd.DataFrame({"year": [2022, 2024], "count": [1200, 35]})
    assert readable(table).to_numpy().tolist() == [["2022", "1,200"], ["2024", "35"]]
