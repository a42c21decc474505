"""The explorer: .set() equals pandas filtering, wrong uses refused clearly, the figure drawn as a fresh one would be."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import SAMPLE

import mttr_lab as mttr
from mttr_lab.explorer_widget import _table_html


@pytest.fixture(scope="module")
def incidents() -> pd.DataFrame:
    return mttr.read_export(SAMPLE)


@pytest.fixture(scope="module")
def durations(incidents: pd.DataFrame) -> pd.DataFrame:
    return mttr.phase_durations(incidents)


@pytest.fixture
def explorer(durations: pd.DataFrame, incidents: pd.DataFrame) -> mttr.Explorer:
    return mttr.explore(durations, incidents=incidents)


def test_unfiltered_selection_is_every_incident(explorer: mttr.Explorer, durations: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(explorer.selection, durations)
    expected = mttr.duration_summary(durations)
    assert explorer.summary.loc["all", "count"] == len(durations)
    assert explorer.summary.loc["all", "median"] == pytest.approx(expected.loc["all", "median"])


def test_set_equals_pandas_filtering(explorer: mttr.Explorer, durations: pd.DataFrame) -> None:
    services = sorted(durations["service"].unique())[:2]
    explorer.set(service=services, severity="high", status="closed", start="2025-06-01", end="2025-12-31")
    local = durations["clock_start"].dt.tz_convert("UTC").dt.tz_localize(None)
    expected = durations[
        durations["service"].isin(services)
        & (durations["severity"] == "high")
        & ~durations["is_open"]
        & (local >= pd.Timestamp("2025-06-01"))
        & (local < pd.Timestamp("2026-01-01"))
    ]
    assert 0 < len(expected) < len(durations)
    pd.testing.assert_frame_equal(explorer.selection, expected)
    # The caption names the window (the slider has no room for two dates).
    assert f"{len(expected):,} of {len(durations):,} incidents selected from 01 Jun 2025 to 31 Dec 2025" in (
        explorer._caption()
    )
    summary = mttr.duration_summary(expected)
    assert explorer.summary.loc["all", "count"] == len(expected)
    for column in ("median", "median_low", "median_high", "p90", "within_60"):
        assert explorer.summary.loc["all", column] == pytest.approx(summary.loc["all", column], nan_ok=True)


def test_none_clears_a_filter(explorer: mttr.Explorer, durations: pd.DataFrame) -> None:
    explorer.set(team=durations["team"].iloc[0], status="open")
    assert len(explorer.selection) < len(durations)
    assert explorer.selection["is_open"].all()
    explorer.set(team=None, status=None)
    assert len(explorer.selection) == len(durations)
    assert explorer.filters["status"] == "all"


def test_group_by_metric_and_clock(
    explorer: mttr.Explorer, durations: pd.DataFrame, incidents: pd.DataFrame
) -> None:
    explorer.set(by="severity", metric="time_to_resolve")
    expected = mttr.duration_summary(durations, by="severity", metric="time_to_resolve")
    assert list(explorer.summary.index) == list(expected.index)
    np.testing.assert_allclose(explorer.summary["median"], expected["median"])
    explorer.set(clock="detection", by=None)
    detection = mttr.phase_durations(incidents, clock_start="detection")
    assert explorer.summary.loc["all", "median"] == pytest.approx(
        mttr.duration_summary(detection, metric="time_to_resolve").loc["all", "median"]
    )


def test_filters_do_not_recompute_phases(explorer: mttr.Explorer, monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("phase_durations called on a filter change")

    monkeypatch.setattr("mttr_lab.explorer.phase_durations", refuse)
    explorer.set(clock="detection", severity="low", status="closed")
    explorer.set(clock="impact")
    assert len(explorer.selection) > 0


def test_slowest_lists_the_longest_of_the_selection(explorer: mttr.Explorer) -> None:
    explorer.set(service="search")
    slowest = explorer.slowest
    assert set(slowest["service"]) == {"search"}
    assert list(slowest["minutes"]) == sorted(slowest["minutes"], reverse=True)
    assert slowest["open"].dtype == bool


@pytest.mark.parametrize("severity", [None, "critical"])
def test_tables_read_like_the_review(
    explorer: mttr.Explorer, durations: pd.DataFrame, severity: str | None
) -> None:
    explorer.set(severity=severity)
    html = _table_html(explorer.summary)
    assert "95 % CI" in html and "incidents" in html
    for raw in ("NaN", "<NA>", "km_median", "None", "within_60"):
        assert raw not in html
    # Notes speak only of what is shown, though the full summary has more to say.
    full = mttr.duration_summary(explorer.selection)["note"].iloc[0]
    assert "within_30" in full or "p99" in full
    assert "within 30 min" not in html and "p99" not in html


def test_no_match_shows_an_empty_selection(explorer: mttr.Explorer) -> None:
    explorer.set(start="2030-01-01")
    assert explorer.selection.empty
    assert explorer.summary.loc["all", "count"] == 0
    assert "0 of" in explorer._repr_mimebundle_()["text/plain"]
    # The caption names the end that was set, not a range that runs backwards.
    assert "selected from 01 Jan 2030 on," in explorer._caption()
    explorer.set(start=None, end="2020-01-01")
    assert "selected up to 01 Jan 2020," in explorer._caption()


# ------------------------------------------------------------------ wrong uses


def test_incidents_where_durations_belong(incidents: pd.DataFrame) -> None:
    with pytest.raises(mttr.FrameKindError, match="phase_durations"):
        mttr.explore(incidents)


def test_durations_where_incidents_belong(durations: pd.DataFrame) -> None:
    with pytest.raises(mttr.FrameKindError, match="incidents"):
        mttr.explore(durations, incidents=durations)


def test_unknown_filter_names_the_known_ones(explorer: mttr.Explorer) -> None:
    with pytest.raises(mttr.InputError, match=r"no filter named 'services'.*service"):
        explorer.set(services="search")


def test_value_not_present_lists_the_values(explorer: mttr.Explorer) -> None:
    with pytest.raises(mttr.InputError, match=r"no incident has service 'nope'.*search"):
        explorer.set(service="nope")
    with pytest.raises(mttr.InputError, match="status cannot be 'done'"):
        explorer.set(status="done")
    with pytest.raises(mttr.InputError, match="start is not a date"):
        explorer.set(start="last tuesday-ish")
    assert len(explorer.selection) == explorer.summary.loc["all", "count"]  # unchanged by the refusals


def test_wrong_values_are_refused_in_a_sentence(explorer: mttr.Explorer, durations: pd.DataFrame) -> None:
    with pytest.raises(mttr.InputError, match=r"no incident has severity '1'"):
        explorer.set(severity=1)  # a number where labels belong: not "'int' object is not iterable"
    with pytest.raises(mttr.InputError, match=r"starts on 02 Jan 2026, after it ends \(01 Jan 2026\)"):
        explorer.set(start="2026-01-02", end="2026-01-01")
    with pytest.raises(mttr.InputError, match="unknown timezone"):
        mttr.explore(durations, tz="Mars/Base")
    bare = mttr.explore(durations[["incident_id", "clock_start", "is_open", "open_for", "time_to_recover"]])
    with pytest.raises(mttr.InputError, match="no severity, service or team column"):
        bare.set(by="severity")
    assert "followup" in explorer.metrics  # every phase duration_summary takes
    explorer.set(metric="followup")
    direct = mttr.duration_summary(durations, metric="followup", targets=(60,))
    assert explorer.summary.loc["all", "median"] == direct.loc["all", "median"]


def test_the_other_clock_holds_the_same_incidents(incidents: pd.DataFrame, durations: pd.DataFrame) -> None:
    # Durations of one severity: the other clock start shows that severity too.
    critical = durations[durations["severity"] == "critical"]
    explorer = mttr.explore(critical, incidents=incidents).set(clock="detection")
    assert set(explorer.selection["incident_id"]) == set(critical["incident_id"])
    # A review date before the end of the data: the other clock is at the same date, even where
    # no open incident says which date it was (two incidents begun within a day after it).
    as_of = pd.Timestamp("2025-06-01T00:00Z")
    earlier = mttr.phase_durations(incidents, as_of=as_of)
    other = mttr.phase_durations(incidents, as_of=as_of, clock_start="detection")
    explorer = mttr.explore(earlier, incidents=incidents).set(clock="detection")
    assert len(explorer.selection) == len(earlier) < len(durations)
    assert explorer.selection["is_open"].sum() == other["is_open"].sum() == earlier["is_open"].sum() > 0
    # Incidents of another export: refused, not shown on the other clock.
    stranger = incidents.assign(incident_id="other-" + incidents["incident_id"])
    with pytest.raises(mttr.InputError, match=r"does not hold 1,499 of the 1,499 incidents"):
        mttr.explore(durations, incidents=stranger)


def test_without_a_severity_column_the_explorer_shows(durations: pd.DataFrame) -> None:
    explorer = mttr.explore(durations.drop(columns=["severity"]))
    assert explorer.widget is not None
    assert "severity" not in explorer._slowest_table().columns
    assert "Slowest incidents" in explorer._repr_mimebundle_()["text/html"]


def test_a_group_of_one_incident_is_drawn(durations: pd.DataFrame) -> None:
    explorer = mttr.explore(durations, by="severity")
    explorer.png()
    ax = explorer._plot.curve_ax
    assert durations["severity"].isna().sum() == 1  # the sample's one incident without a severity
    lines = {line.get_label(): line for line in ax.lines}
    alone = lines["none recorded"]
    # A riser from 0 to 1 at its duration, not one point that draws nothing.
    assert list(alone.get_ydata()) == [0.0, 1.0]
    assert all(line.get_ydata()[0] == 0.0 for line in lines.values())


def test_other_clock_needs_the_incidents(durations: pd.DataFrame) -> None:
    with pytest.raises(mttr.InputError, match="incidents=incidents"):
        mttr.explore(durations).set(clock="detection")


def test_a_missing_column_is_not_a_filter(durations: pd.DataFrame) -> None:
    explorer = mttr.explore(durations.drop(columns=["team"]))
    assert "team" not in explorer.groups
    with pytest.raises(mttr.InputError, match="no team column"):
        explorer.set(team="x")


# ------------------------------------------------------------------ widget, static render, save


def test_controls_drive_the_same_state(explorer: mttr.Explorer) -> None:
    widget = explorer.widget
    assert widget is explorer.widget
    explorer._controls["severity"].value = ("critical",)
    assert set(explorer.selection["severity"]) == {"critical"}
    explorer._controls["by"].value = "service"
    assert explorer.filters["by"] == "service"
    before = explorer._summary_out.value
    explorer.set(severity=None)  # .set moves the controls too
    assert explorer._controls["severity"].value == ()
    assert explorer._summary_out.value != before


def test_tables_reach_the_widget_before_the_figure_is_drawn(
    explorer: mttr.Explorer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The figure costs most of an update; the caption and tables are written before it."""
    _widget = explorer.widget
    seen: list[tuple[str, str]] = []
    draw = explorer._draw_figure
    monkeypatch.setattr(
        explorer,
        "_draw_figure",
        lambda: (seen.append((explorer._caption_out.value, explorer._summary_out.value)), draw()),
    )
    explorer.set(severity="critical")
    caption, summary = seen[0]
    assert f"{len(explorer.selection):,} of" in caption
    assert summary == _table_html(explorer.summary, tz=explorer.tz, name="summary")


def test_quick_control_changes_make_one_update(explorer: mttr.Explorer, durations: pd.DataFrame) -> None:
    import asyncio

    from mttr_lab.explorer_widget import DEBOUNCE

    assert explorer.widget is not None
    updates = []
    original = explorer.set

    def counted(**filters: object) -> mttr.Explorer:
        updates.append(filters)
        return original(**filters)

    explorer.set = counted  # type: ignore[method-assign]

    async def clicks() -> None:  # as in a kernel: control changes arrive on a running event loop
        explorer._controls["severity"].value = ("critical",)
        explorer._controls["status"].value = "closed"
        explorer._controls["by"].value = "service"
        await asyncio.sleep(DEBOUNCE * 3)

    asyncio.run(clicks())
    assert updates == [{"severity": ["critical"], "status": "closed", "by": "service"}]
    expected = durations[(durations["severity"] == "critical") & ~durations["is_open"]]
    assert len(explorer.selection) == len(expected)


def test_static_render_has_the_table_and_the_figure(explorer: mttr.Explorer) -> None:
    bundle = explorer._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    html = bundle["text/html"]
    assert "data:image/png;base64," in html
    assert "Summary" in html and "Slowest incidents" in html
    assert "Loading widget" not in html


def test_save_writes_csv_and_png(explorer: mttr.Explorer, tmp_path: Path) -> None:
    explorer.set(by="severity")
    csv, png = explorer.save(tmp_path)
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    table = pd.read_csv(csv)
    shown = ["none recorded" if pd.isna(s) else str(s) for s in explorer.summary.index]
    assert list(table["severity"]) == shown
    np.testing.assert_allclose(table["median"], explorer.summary["median"])


def test_save_button_writes_next_to_the_notebook(
    explorer: mttr.Explorer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # a kernel runs in the notebook's folder
    assert explorer.widget is not None  # the button exists once the widget is made
    explorer._save_button.click()
    assert (tmp_path / "explorer_summary.csv").exists() and (tmp_path / "explorer.png").exists()
    assert "saved explorer_summary.csv" in explorer._message.value


def test_save_button_says_why_nothing_was_saved(
    explorer: mttr.Explorer, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refused(*_args: object, **_kwargs: object) -> None:
        raise PermissionError(13, "Permission denied", "/srv/notebooks/explorer.png")

    assert explorer.widget is not None
    monkeypatch.setattr(explorer, "save", refused)
    explorer._save_button.click()  # not a traceback in the log console: a line by the button
    assert "not saved: Permission denied (/srv/notebooks/explorer.png)" in explorer._message.value


def test_trend_drawn_is_duration_trend_of_the_selection(explorer: mttr.Explorer) -> None:
    explorer.set(severity=["high", "critical"], metric="time_to_resolve")
    drawn = explorer.trend
    expected = mttr.duration_trend(explorer.selection, metric="time_to_resolve", tz=explorer.tz)
    assert not any(c.startswith("change") for c in drawn.columns)  # not drawn, so not computed
    shown = ["period", "period_start", "period_end", "count", "median", "median_low", "median_high", "empty"]
    pd.testing.assert_frame_equal(drawn[shown], expected[shown])


def test_one_drawing_per_update_serves_widget_render_and_save(
    explorer: mttr.Explorer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _widget = explorer.widget
    drawn = []
    render = explorer._render
    monkeypatch.setattr(explorer, "_render", lambda: drawn.append(1) or render())
    explorer.set(status="closed")
    assert len(drawn) == 1
    explorer._repr_mimebundle_()
    _csv, png = explorer.save(tmp_path)
    assert len(drawn) == 1 and png.read_bytes() == explorer._image.value
    explorer.set(scale="linear")
    assert len(drawn) == 2


# ------------------------------------------------------------------ the figure: kept, blitted


def _pixels(png: bytes) -> np.ndarray:
    from PIL import Image

    with Image.open(io.BytesIO(png)) as image:
        return np.asarray(image.convert("RGB"), dtype=np.int16)


def _limits(explorer: mttr.Explorer) -> tuple:
    plot = explorer._plot
    assert plot is not None
    return tuple(tuple(ax.get_xlim()) + tuple(ax.get_ylim()) for ax in (plot.curve_ax, plot.trend_ax))


def _fresh(durations: pd.DataFrame, incidents: pd.DataFrame, **filters: object) -> bytes:
    return mttr.explore(durations, incidents=incidents).set(**filters).png()


def _replay(
    durations: pd.DataFrame, incidents: pd.DataFrame, steps: list[dict], *, blit: bool
) -> mttr.Explorer:
    """An explorer drawn after each step: blitted where the view allows, or always drawn in full."""
    explorer = mttr.explore(durations, incidents=incidents)
    for step in steps:
        explorer.set(**step)
        if not blit and explorer._plot is not None:
            explorer._plot._backgrounds.clear()  # forget the backgrounds: the next drawing is a full one
        explorer.png()
    return explorer


@pytest.mark.parametrize(
    "steps",
    [
        # filters only, the last one back where an earlier update was
        [{"severity": "high"}, {"severity": "low", "status": "closed"}, {"severity": "high", "status": None}],
        # a view change (metric, group-by, scale), then filters in the new view
        [
            {"metric": "time_to_resolve"},
            {"by": "severity"},
            {"scale": "linear", "service": "search"},
            {"service": None, "team": sorted(["x"])},
            {"team": None},
            {"team": sorted(["x"])},  # seen before in this view: blitted
        ],
    ],
)
def test_a_blitted_update_draws_what_a_full_draw_does(
    durations: pd.DataFrame, incidents: pd.DataFrame, steps: list[dict]
) -> None:
    steps = [
        {k: (durations["team"].iloc[0] if k == "team" else v) for k, v in step.items()} for step in steps
    ]
    blitted = _replay(durations, incidents, steps, blit=True)
    full = _replay(durations, incidents, steps, blit=False)
    assert blitted._plot.blits > 0 and full._plot.blits == 0
    assert _limits(blitted) == _limits(full)
    np.testing.assert_array_equal(_pixels(blitted.png()), _pixels(full.png()))
    # A fresh explorer set straight to the last filters draws the same: nothing seen before counts.
    filters: dict = {}
    for step in steps:
        filters.update(step)
    fresh = mttr.explore(durations, incidents=incidents).set(**filters)
    expected = fresh.png()
    assert _limits(fresh) == _limits(blitted)
    np.testing.assert_array_equal(_pixels(blitted.png()), _pixels(expected))


def test_filters_keep_the_axes_views_move_them(
    explorer: mttr.Explorer, durations: pd.DataFrame, incidents: pd.DataFrame
) -> None:
    explorer.png()
    everything = _limits(explorer)
    severities = sorted(durations["severity"].dropna().unique())
    seen = {}
    for severity in severities:
        explorer.set(severity=severity)
        explorer.png()
        seen[severity] = _limits(explorer)
        assert seen[severity][0] == everything[0]  # the curve's axes: every incident's
        trend = explorer.trend  # the trend's: every incident's, or wider where the severity leaves them
        low, high = trend["median_low"].min(), trend["median_high"].max()
        bottom, top = seen[severity][1][2:]
        assert bottom <= min(low, everything[1][2]) and top >= max(high, everything[1][3])
    # in any order, each severity gets its own axes again, blitted over a kept background
    for severity in reversed(severities):
        blits = explorer._plot.blits
        explorer.set(severity=severity)
        explorer.png()
        assert _limits(explorer) == seen[severity] and explorer._plot.blits == blits + 1
    # whatever was looked at before: a fresh explorer draws the same figure
    last = severities[0]
    fresh = mttr.explore(durations, incidents=incidents).set(severity=last)
    np.testing.assert_array_equal(_pixels(fresh.png()), _pixels(explorer.png()))
    explorer.set(scale="linear")
    explorer.png()
    assert _limits(explorer)[0][:2] != everything[0][:2]
    explorer.set(scale="log", metric="time_to_resolve")
    explorer.png()
    assert _limits(explorer) != everything


def test_duration_axes_tick_at_human_durations(explorer: mttr.Explorer, durations: pd.DataFrame) -> None:
    from mttr_lab.plots import _DENSE_TICKS, _STEPS, _TICKS

    known = mttr.censored_minutes(durations)["minutes"].dropna()
    for by in (None, "severity"):
        explorer.set(by=by, scale="log", severity=None)
        ticks = explorer.figure().axes[0].get_xticks()
        assert len(ticks) >= 3 and set(ticks) <= set(_TICKS) | set(_DENSE_TICKS)  # 2 min, 1 h, 2 d
        explorer.set(scale="linear", severity="critical")  # a filter: the view's axis still
        ax = explorer.figure().axes[0]
        # long tails: a linear axis ends at every incident's 99th percentile, not the longest
        assert ax.get_xlim() == pytest.approx((0, known.quantile(0.99)))
        assert known.quantile(0.99) < known.max()
        ticks = ax.get_xticks()
        step = ticks[1] - ticks[0]
        assert step in _STEPS and np.allclose(np.diff(ticks), step) and 3 <= len(ticks) <= 9
        assert "99th percentile" in ax.get_xlabel()


def test_a_selection_leaving_the_trend_axis_widens_it(
    durations: pd.DataFrame, incidents: pd.DataFrame
) -> None:
    explorer = mttr.explore(durations, incidents=incidents)
    explorer.png()
    bottom, top = _limits(explorer)[1][2:]
    trend = explorer.trend
    # A group whose monthly intervals leave the whole frame's: found, not assumed.
    for severity in sorted(durations["severity"].dropna().unique()):
        explorer.set(severity=severity)
        trend = explorer.trend
        low, high = trend["median_low"].min(), trend["median_high"].max()
        if low < bottom or high > top:
            break
    else:
        pytest.skip("no severity leaves the trend axis of every incident in this sample")
    full_draws = explorer._plot.full_draws
    explorer.png()
    assert explorer._plot.full_draws == full_draws + 1
    new_bottom, new_top = _limits(explorer)[1][2:]
    assert new_bottom <= min(bottom, low) and new_top >= max(top, high)
    expected = _fresh(durations, incidents, severity=explorer.filters["severity"])
    assert np.abs(_pixels(explorer.png()) - _pixels(expected)).max() <= 2


@pytest.mark.parametrize(
    "filters",
    [
        {"start": "2030-01-01"},  # no incident matches
        {"status": "open"},  # every incident selected is open
        {"status": "open", "by": "severity", "scale": "linear"},
    ],
)
def test_the_figure_draws_whatever_is_selected(explorer: mttr.Explorer, filters: dict) -> None:
    explorer.png()
    explorer.set(**filters)
    assert _pixels(explorer.png()).shape[2] == 3
    explorer.set(start=None)  # and back: the axes are drawn again
    assert explorer.selection.shape[0] > 0
    assert _pixels(explorer.png()).std() > 0 and explorer._plot.curve_ax.axison


def test_one_incident_draws(durations: pd.DataFrame) -> None:
    one = durations[~durations["is_open"]].head(1)
    explorer = mttr.explore(one)
    assert len(explorer.selection) == 1
    assert _pixels(explorer.png()).std() > 0
    explorer.set(by="severity", scale="linear")
    assert _pixels(explorer.png()).std() > 0


def test_a_metric_without_values_draws(durations: pd.DataFrame) -> None:
    kind = durations["time_to_respond"].dtype
    empty = durations.assign(time_to_respond=pd.Series(pd.NaT, index=durations.index, dtype=kind))
    explorer = mttr.explore(empty, metric="time_to_respond")
    assert explorer.summary.loc["all", "median"] != explorer.summary.loc["all", "median"]  # NaN
    assert _pixels(explorer.png()).std() > 0
    explorer.set(by="severity")
    explorer.png()


def test_a_linear_axis_when_most_durations_are_zero(durations: pd.DataFrame) -> None:
    kind = durations["time_to_detect"].dtype
    zero = pd.Series(pd.Timedelta(0), index=durations.index).astype(kind)
    zero.iloc[:5] = pd.Timedelta(minutes=30)  # the 99th percentile is 0, the longest 30 min
    explorer = mttr.explore(durations.assign(time_to_detect=zero), metric="time_to_detect")
    for by in (None, "severity"):
        ax = explorer.set(by=by, scale="linear").figure().axes[0]
        low, high = ax.get_xlim()
        assert low == 0 and high >= 30  # the mass at 0 is on the axis, and so is the longest
        assert "99th percentile" not in ax.get_xlabel()


def test_a_group_without_values_leaves_the_axes_alone(durations: pd.DataFrame) -> None:
    values = durations["time_to_detect"].where(durations["severity"] != "critical")
    explorer = mttr.explore(durations.assign(time_to_detect=values), metric="time_to_detect", by="severity")
    explorer.png()
    everything = _limits(explorer)[0]
    explorer.set(severity="critical")  # no value of the metric: a message on the view's axes
    texts = [t.get_text() for t in explorer.figure().axes[0].texts]
    assert "no time to detect recorded" in texts and _limits(explorer)[0] == everything
    explorer.set(severity="high")
    assert _limits(explorer)[0] == everything


def test_figure_is_a_complete_copy(explorer: mttr.Explorer, tmp_path: Path) -> None:
    explorer.set(severity="high")
    figure = explorer.figure()
    assert figure is not explorer._plot.figure
    assert not [a for a in figure.findobj() if a.get_animated()]
    figure.savefig(tmp_path / "copy.png", dpi=figure.dpi)
    copy = _pixels((tmp_path / "copy.png").read_bytes())
    shown = _pixels(explorer.png())
    assert copy.shape == shown.shape
    # The same figure: drawn in one pass rather than background then data (tiny differences
    # where the grid and a band overlap).
    assert (np.abs(copy - shown) > 8).mean() < 0.02


def test_the_png_stays_small(explorer: mttr.Explorer) -> None:
    explorer.set(by="severity")
    assert len(explorer.png()) < 150_000


# ------------------------------------------------------------------ the figure's text: kept glyphs, one artist of counts


def test_kept_glyphs_draw_text_as_agg_does() -> None:
    """Text drawn from kept glyphs covers the pixels Agg covers (to 1/16 of a pixel: a
    coverage within 32/255), at any size and both angles; mathtext and ligatures are Agg's own."""
    from matplotlib.backends.backend_agg import RendererAgg
    from matplotlib.font_manager import FontProperties

    from mttr_lab.explorer_figure import _Renderer

    texts = ["1234", "Kaplan-Meier (42 open counted as censored)", "median 38 min (36 min–39 min)", "AV Wa"]
    for size in (7.5, 10, 12):
        for angle in (0, 90):
            agg, kept = RendererAgg(480, 480, 90), _Renderer(480, 480, 90)
            for renderer in (agg, kept):
                gc = renderer.new_gc()
                for i, text in enumerate(texts):
                    at = 20.37 + 60 * i
                    x, y = (10.37, at) if angle == 0 else (at, 460.61)
                    renderer.draw_text(gc, x, y, text, FontProperties(size=size), angle)
                renderer.draw_text(gc, 300.3, 400.2, r"$x^2$", FontProperties(size=size), angle, ismath=True)
                renderer.draw_text(gc, 300.3, 440.2, "fi", FontProperties(size=size), angle)
            expected = np.asarray(agg.buffer_rgba())[..., 3].astype(int)
            drawn = np.asarray(kept.buffer_rgba())[..., 3].astype(int)
            assert (expected > 0).sum() > 1000
            assert np.abs(drawn - expected).max() <= 32
            # what Agg draws itself is the same to the bit
            np.testing.assert_array_equal(drawn[380:, 280:], expected[380:, 280:])


@pytest.mark.parametrize("months", [12, 36])  # counts side by side, and upright
def test_counts_are_drawn_where_plot_trend_writes_them(months: int) -> None:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    from mttr_lab.explorer_figure import _Canvas, _Counts
    from mttr_lab.synth import synth_incidents

    durations = mttr.phase_durations(synth_incidents(incidents=2000, months=months, seed=1, defects=False))
    trend = mttr.duration_trend(durations, changes=False)
    drawn, limits = [], (0.0, 1.0)
    for canvas, counted in ((FigureCanvasAgg, False), (_Canvas, True), (FigureCanvasAgg, True)):
        figure = Figure(figsize=(8, 3), dpi=90)
        canvas(figure)
        ax = figure.add_subplot()
        if counted:  # the trend without its counts, and the counts as one artist
            mttr.plot_trend(trend.drop(columns="count"), ax=ax)
            counts = _Counts(trend)
            ax.add_artist(counts)
            ax.set_ylim(limits)  # plot_trend's room above for the counts
            assert counts._labels == [str(n) for n in trend["count"] if n]
        else:
            mttr.plot_trend(trend, ax=ax)
            limits = ax.get_ylim()
        figure.canvas.draw()
        drawn.append(np.asarray(figure.canvas.buffer_rgba()).astype(int))
    annotated, kept, as_texts = drawn
    assert np.abs(kept - annotated).max() <= 32  # in place, from kept glyphs
    np.testing.assert_array_equal(as_texts, annotated)  # elsewhere (savefig of a copy): Text


def test_the_trend_counts_are_one_artist_of_the_selection(explorer: mttr.Explorer) -> None:
    from mttr_lab.explorer_figure import _Counts

    explorer.set(severity="high")
    explorer.png()
    counts = [a for a in explorer._plot.trend_ax.artists if isinstance(a, _Counts)]
    assert len(counts) == 1 and not explorer._plot.trend_ax.texts
    assert counts[0]._labels == [str(n) for n in explorer.trend["count"] if n]
    copy = explorer.figure().axes[1]
    assert [a._labels for a in copy.artists] == [counts[0]._labels]


# ------------------------------------------------------------------ the selection's artists: kept, given new data


def _drawing(ax: object) -> list:
    """What an Axes draws, artist by artist in drawing order: kind, data (NaN as -1), colours,
    and the legend's texts (the trend's counts apart: tested above)."""
    from matplotlib.collections import Collection
    from matplotlib.lines import Line2D
    from matplotlib.text import Text

    from mttr_lab.explorer_figure import _Counts

    drawn = []
    for artist in sorted(ax.get_children(), key=lambda a: a.get_zorder()):
        if isinstance(artist, Line2D):
            data = np.nan_to_num(np.asarray(artist.get_xydata(), dtype=float), nan=-1.0)
            drawn.append(
                (
                    "line",
                    data.round(9).tolist(),
                    artist.get_color(),
                    artist.get_marker(),
                    artist.get_linestyle(),
                )
            )
        elif isinstance(artist, Collection):
            paths = [np.nan_to_num(p.vertices, nan=-1.0).round(9).tolist() for p in artist.get_paths()]
            drawn.append(
                (
                    type(artist).__name__,
                    paths,
                    artist.get_facecolor().tolist(),
                    artist.get_edgecolor().tolist(),
                )
            )
        elif isinstance(artist, Text) and artist.get_text() and artist.axes is ax and artist in ax.texts:
            drawn.append(("text", artist.get_text()))
        elif isinstance(artist, _Counts):
            continue
    legend = ax.get_legend()
    drawn.append(("legend", [t.get_text() for t in legend.get_texts()] if legend else None))
    return drawn


@pytest.mark.parametrize("by", [None, "severity"])
def test_kept_artists_draw_what_the_plots_draw(durations: pd.DataFrame, by: str | None) -> None:
    """After updates through other selections, the kept artists hold what plot_ecdf (or the
    curve per group) and plot_trend draw for the selection on a fresh Axes."""
    from matplotlib.figure import Figure

    from mttr_lab.explorer_figure import draw_curves

    explorer = mttr.explore(durations, by=by)
    for severity in ("high", "low", None, "critical"):
        explorer.set(severity=severity)
        explorer.png()
    plot = explorer._plot
    curve, trend = Figure().subplots(2, 1)
    summary = explorer.summary.iloc[0] if by is None else None
    draw_curves(curve, explorer.selection, metric="time_to_recover", by=by, scale="log", summary=summary)
    mttr.plot_trend(explorer.trend.drop(columns="count"), metric="time to recover", ax=trend)
    assert _drawing(plot.curve_ax) == _drawing(curve)
    assert _drawing(plot.trend_ax) == _drawing(trend)
    for kept, drawn in ((plot.curve_ax, curve), (plot.trend_ax, trend)):  # and the same grids
        for axis in ("xaxis", "yaxis"):
            grid = {(line.get_visible(), line.get_alpha()) for line in getattr(kept, axis).get_gridlines()}
            assert grid == {
                (line.get_visible(), line.get_alpha()) for line in getattr(drawn, axis).get_gridlines()
            }


def test_updates_keep_the_artists_until_their_shape_changes(explorer: mttr.Explorer) -> None:
    explorer.set(severity="high")
    explorer.png()
    lines, legend = list(explorer._plot.curve_ax.lines), explorer._plot.curve_ax.get_legend()
    band = explorer._plot.trend_ax.collections[0]
    explorer.set(severity="low")  # the same marks: the same artists, new data
    explorer.png()
    assert list(explorer._plot.curve_ax.lines) == lines and explorer._plot.curve_ax.get_legend() is legend
    assert explorer._plot.trend_ax.collections[0] is band
    explorer.set(by="severity")  # a curve per group: made for it
    explorer.png()
    assert not set(explorer._plot.curve_ax.lines) & set(lines)
    texts = [t.get_text() for t in explorer._plot.curve_ax.get_legend().get_texts()]
    assert len(texts) == 1 and texts[0].startswith("low")


def test_the_png_is_the_canvas(explorer: mttr.Explorer) -> None:
    from PIL import Image

    explorer.set(by="severity")
    png = explorer.png()
    with Image.open(io.BytesIO(png)) as image:
        image.verify()  # chunks and their CRCs
    canvas = np.asarray(explorer._plot.canvas.buffer_rgba())[..., :3]
    np.testing.assert_array_equal(_pixels(png), canvas)


def test_a_band_is_drawn_as_a_path_and_markers_as_markers() -> None:
    """On the explorer's canvas a collection of one large shape (fill_between's band) is drawn
    as a path, where Agg would stamp it as a marker: the same band to a subpixel; markers stay."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    from mttr_lab.explorer_figure import _LARGE_MARKER, _Canvas

    drawn = []
    for canvas in (FigureCanvasAgg, _Canvas):
        rng = np.random.default_rng(1)
        x = np.sort(rng.lognormal(4, 1.5, 4000))
        share = np.arange(1, len(x) + 1) / len(x)
        figure = Figure(figsize=(6, 4), dpi=90)
        canvas(figure)
        band_ax, marker_ax = figure.subplots(1, 2)
        band = band_ax.fill_between(x, share * 0.9, share, step="post", color="#0072B2", alpha=0.18, lw=0)
        band_ax.set_xscale("log")
        marker_ax.scatter(rng.random(50), rng.random(50), s=30)
        for ax in (band_ax, marker_ax):  # no text: the shapes alone
            ax.set_axis_off()
        assert len(band.get_paths()[0].vertices) > _LARGE_MARKER
        figure.canvas.draw()
        drawn.append(np.asarray(figure.canvas.buffer_rgba())[..., :3].astype(int))
    agg, kept = drawn
    differ = np.abs(agg - kept).max(axis=-1)
    assert (differ > 0).any()  # drawn another way
    assert (differ > 8).mean() < 0.01 and differ.max() <= 48  # the same band
    half = agg.shape[1] // 2
    np.testing.assert_array_equal(kept[:, half:], agg[:, half:])  # markers as Agg stamps them


def test_text_of_other_scripts_is_drawn_by_agg_itself() -> None:
    """Hebrew and Arabic run right to left and join their letters, a combining accent sits on
    the letter before it: only Agg's own layout places those, so they are never drawn from
    kept glyphs (a service named in Hebrew read reversed and overlapping in the legend)."""
    from matplotlib.backends.backend_agg import RendererAgg
    from matplotlib.font_manager import FontProperties

    from mttr_lab.explorer_figure import _Renderer

    for text in ("שירות תשלומים", "خدمة الدفع", "cafe\u0301", "אָ"):
        drawn = []
        for renderer in (RendererAgg(400, 40, 90), _Renderer(400, 40, 90)):
            renderer.draw_text(renderer.new_gc(), 10.3, 30.2, text, FontProperties(size=10), 0)
            drawn.append(np.asarray(renderer.buffer_rgba())[..., 3].copy())
        assert drawn[0].sum() > 0
        np.testing.assert_array_equal(drawn[1], drawn[0])


def test_glyphs_rendered_by_two_threads_at_once_are_each_their_own() -> None:
    """The kept glyphs are shared by every explorer of the process (one per notebook thread is
    possible): a glyph rendered while another thread renders one is still its own."""
    import sys
    import threading

    from matplotlib.backends.backend_agg import get_hinting_flag
    from matplotlib.font_manager import FontProperties, fontManager

    from mttr_lab import explorer_figure as ef

    prop = FontProperties(size=9.5)  # a size no other test draws: every glyph rendered here
    key = (fontManager.findfont(prop), get_hinting_flag())

    def render(angle: float) -> None:
        for fx in range(4):
            for char in "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ":
                ef._glyph(key, prop, 9.5, 90.0, char, angle, fx, 0)

    switch = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        threads = [threading.Thread(target=render, args=(angle,)) for angle in (0.0, 90.0)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        sys.setswitchinterval(switch)
    kept = {k: v for k, v in ef._glyphs.items() if k[2] == 9.5}
    assert len(kept) == 2 * 4 * 36
    for k, (bitmap, left, top) in kept.items():
        again, left_, top_ = ef._render_glyph(k, prop, 9.5, 90.0, *k[-4:])
        assert (left, top) == (left_, top_) and np.array_equal(bitmap, again), k[-4:]


def test_counts_are_placed_for_the_font_the_family_resolves_to_now() -> None:
    """Where the counts' pen starts and how wide a number is depend on the font file, not on
    the family's name: after ``rcParams`` name another sans-serif font, the kept layout is
    that font's (a new explorer's counts were shifted by what an earlier one had drawn)."""
    import matplotlib as mpl
    from matplotlib.font_manager import FontProperties

    from mttr_lab.explorer_figure import _Renderer, _width

    renderer = _Renderer(200, 200, 90)
    prop = FontProperties(size="x-small")
    default = _width(renderer, "100", prop)
    with mpl.rc_context({"font.sans-serif": ["STIXGeneral"]}):
        other = _width(renderer, "100", prop)
        assert other == renderer.get_text_width_height_descent("100", prop, ismath=False)[0]
    assert other != default
