"""Plots are tested by their artists: labels, number of bars and lines, ordering."""

from __future__ import annotations

import matplotlib
import numpy as np
import pytest
from conftest import HAND, export, spread

import mttr_lab as mttr
from mttr_lab import plots
from mttr_lab.stats import ecdf_table

pytestmark = pytest.mark.usefixtures("close_figures")


@pytest.fixture
def hand(fixtures):
    return mttr.phase_durations(
        mttr.read_export(fixtures / "generic" / "hand_made.csv", columns=HAND, tz="UTC")
    )


def test_format_minutes_in_human_units():
    assert [plots.format_minutes(v) for v in (0.5, 5, 59, 60, 90, 600, 1440, 2160, 20160)] == [
        "30 s",
        "5 min",
        "59 min",
        "1 h",
        "1.5 h",
        "10 h",
        "1 d",
        "1.5 d",
        "14 d",
    ]


def test_ecdf_draws_both_curves_and_marks_median_and_p90(sample):
    summary = mttr.duration_summary(sample).loc["all"]
    ax = plots.plot_ecdf(ecdf_table(sample), summary=summary)
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels[0] == "closed incidents only"
    assert labels[1].startswith(f"Kaplan-Meier ({summary['open']} open")
    assert any(label.startswith(f"median {plots.format_minutes(summary['median'])} (") for label in labels)
    assert any(label.startswith("p90") for label in labels)
    assert ax.get_xscale() == "log"
    assert "min" in " ".join(t.get_text() for t in ax.get_xticklabels())


def test_with_nothing_open_the_legend_says_the_two_curves_are_one(sample):
    closed = sample[~sample["is_open"]]
    ax = plots.plot_ecdf(ecdf_table(closed), summary=mttr.duration_summary(closed).loc["all"])
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels[:2] == ["closed incidents only", "Kaplan-Meier (none open: the same curve)"]
    np.testing.assert_array_equal(ax.lines[0].get_ydata(), ax.lines[1].get_ydata())


def test_histogram_stacks_open_incidents_apart(hand):
    minutes = mttr.censored_minutes(hand)
    ax = plots.plot_histogram(minutes, bins=5)
    closed, still_open = ax.containers
    assert sum(p.get_height() for p in closed) == 3  # 62, 50, 80 minutes
    assert sum(p.get_height() for p in still_open) == 1  # 104, open for 20 minutes at as_of
    assert ax.get_legend().get_texts()[1].get_text().startswith("open (1)")


def test_phase_breakdown_stacks_one_bar_per_group_per_phase(sample):
    table = mttr.phase_breakdown(sample, by="severity")
    ax = plots.plot_phase_breakdown(table)
    assert len(ax.patches) == 4 * len(table)  # detection, response, diagnosis, repair
    assert [t.get_text() for t in ax.get_yticklabels()] == [*map(str, table.index[:4]), "no severity"]
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == ["detection", "response", "diagnosis", "repair"]
    widths = [p.get_width() for p in ax.patches[: len(table)]]  # detection bars
    few = table["incidents"] < 6  # no interval of the median below 6 incidents at 95 %
    assert few.any() and not few.all()  # the sample's one incident with no severity
    assert widths == pytest.approx(table["detection"].where(~few, 0.0).tolist())
    notes = [t.get_text() for t in ax.texts]
    assert notes[-1].strip() == f"too few incidents to profile (n={table['incidents'].iloc[-1]})"
    assert all(n.strip().startswith("n=") for n in notes[:-1])


def test_groups_are_ordered_by_severity_and_small_groups_marked(sample):
    minutes = mttr.censored_minutes(sample).join(sample[["severity", "service"]])
    ax = plots.plot_groups(minutes, by="severity", summary=mttr.duration_summary(sample, by="severity"))
    # The one incident without a severity is drawn as its own group, last, never left out.
    assert [t.get_text() for t in ax.get_yticklabels()] == [
        "low",
        "medium",
        "high",
        "critical",
        "no severity",
    ]
    counts = [t.get_text() for t in ax.texts]
    summary = mttr.duration_summary(sample, by="severity", intervals=False)
    observed, opened = summary["observed"].tolist(), summary["open"].tolist()
    # Closed incidents drawn, the open ones beside them: together the table's count.
    assert counts[:4] == [
        f"n={n}" + (f" + {o} open" if o else "") for n, o in zip(observed[:4], opened[:4], strict=True)
    ]
    assert counts[4] == f"n={observed[4]} (few)"
    assert (
        any("open" in c for c in counts) and (summary["observed"] + summary["open"] == summary["count"]).all()
    )
    small = minutes.iloc[:60].copy()
    ax2 = plots.plot_groups(small, by="service")
    assert any("(few)" in t.get_text() for t in ax2.texts)
    assert ax2.get_xscale() == "log"


def test_colours_are_consistent_per_severity(sample):
    minutes = mttr.censored_minutes(sample).join(sample[["severity"]])
    ax = plots.plot_groups(minutes, by="severity")
    faces = [tuple(np.round(p.get_facecolor()[:3], 3)) for p in ax.patches]
    expected = [
        tuple(np.round(matplotlib.colors.to_rgb(plots.SEVERITY_COLORS[s]), 3)) for s in mttr.SEVERITIES
    ]
    assert faces[:4] == expected and faces[4] not in expected  # "no severity" in a neutral colour


def test_zero_durations_are_counted_and_said_to_be_off_the_log_axis():
    import pandas as pd

    minutes = pd.DataFrame(
        {
            "minutes": [0.0, 0.0, 5.0, 10.0, 20.0],
            "censored": [False] * 5,
            "severity": ["low"] * 2 + ["high"] * 3,
        }
    )
    ax = plots.plot_groups(minutes, by="severity")
    texts = [t.get_text() for t in ax.texts]
    assert texts[0] == "n=2 (few)\n2 at 0, not drawn"
    assert texts[1] == "n=3 (few)"


def test_phase_breakdown_says_so_when_the_export_has_no_phase_to_measure(tmp_path):
    """Only detected and resolved: no phase has both its milestones, so no bar is drawn as if it were zero."""
    durations = export(tmp_path, spread("2025-01-06", 60, 40), np.linspace(20, 300, 40))
    table = mttr.phase_breakdown(durations, by="severity")
    ax = plots.plot_phase_breakdown(table)
    assert sum(p.get_width() for p in ax.patches) == 0
    assert [t.get_text().strip() for t in ax.texts] == ["no phase can be measured (n=40)"]
    assert (
        ax.get_title()
        == "No time to show in any phase: the export does not record the milestones around them"
    )
    assert ax.get_legend() is None  # no legend of colours that nothing is drawn in


def test_phase_breakdown_of_milestones_at_one_moment_says_so(sample):
    """A status page posts its first update as it opens the incident: every phase measured is 0."""
    table = mttr.phase_breakdown(sample, by="severity")
    phases = ["detection", "response", "diagnosis", "repair"]
    table[phases] = table[phases].where(table[phases].isna(), 0.0)
    table[["diagnosis", "repair"]] = np.nan
    ax = plots.plot_phase_breakdown(table)
    notes = [t.get_text().strip() for t in ax.texts]
    assert notes[:4] == [f"every phase measured takes 0 (n={n})" for n in table["incidents"].iloc[:4]]
    assert ax.get_title().endswith("the milestones it records fall at the same moment")


def test_durations_of_months_get_human_ticks():
    """Incidents of 20 to 150 days (real IT-service logs) still get labelled ticks, never a bare axis."""
    import pandas as pd

    rng = np.random.default_rng(0)
    minutes = pd.DataFrame(
        {
            "minutes": rng.uniform(20 * 1440, 150 * 1440, 60),
            "censored": False,
            "service": rng.choice(list("abc"), 60),
        }
    )
    ax = plots.plot_groups(minutes, by="service")
    labels = [t.get_text() for t in ax.get_xticklabels()]
    assert len(labels) >= 3 and all(label.endswith(" d") for label in labels)


@pytest.mark.parametrize(("low", "high"), [(0.1, 400), (0.5, 300), (0.5, 10_080), (2, 60), (30, 200)])
def test_duration_ticks_side_by_side_leave_room_for_their_labels(low, high):
    """Labels of neighbouring ticks ("5 min", "10 min") do not touch; at least three ticks."""
    import pandas as pd

    grid = np.geomspace(low, high, 200)
    curves = pd.DataFrame({"minutes": grid, "ecdf": np.linspace(0, 1, 200)})
    curves["km"] = curves["km_low"] = curves["km_high"] = curves["ecdf"]
    ax = plots.plot_ecdf(curves)
    ticks = ax.get_xticks()
    assert len(ticks) >= 3 and set(ticks) <= set(plots._TICKS) | set(plots._DENSE_TICKS)
    wide = high / low > 100  # across decades: at least 2.5 times apart; a narrow axis, at least 1.3
    assert (ticks[1:] / ticks[:-1]).min() >= (2.5 if wide else 1.3)


@pytest.mark.parametrize(
    ("metric", "label"),
    [
        ("time to recover", "share of incidents recovered"),
        ("time to respond", "share of incidents responded to"),
        ("repair", "share of incidents past their repair"),
    ],
)
def test_the_share_axis_names_what_the_metric_measures(sample, metric, label):
    ax = plots.plot_ecdf(ecdf_table(sample, metric=metric.replace(" ", "_")), metric=metric)
    assert ax.get_ylabel() == label


def test_phase_breakdown_of_groups_all_too_small_says_that(sample):
    table = mttr.phase_breakdown(sample.head(12), by="severity")
    assert (table["incidents"] < 6).all()
    ax = plots.plot_phase_breakdown(table)
    assert ax.get_title() == "No time to show in any phase: every group has too few incidents to profile"


@pytest.mark.parametrize(
    ("name", "maker"),
    [
        ("plot_ecdf", "the table of ecdf_table(durations)"),
        ("plot_histogram", "the table of censored_minutes(durations)"),
        ("plot_phase_breakdown", "the table of phase_breakdown(durations)"),
        ("plot_groups", "the table of censored_minutes(durations) joined with the severity column"),
    ],
)
def test_a_plot_given_the_durations_names_the_function_that_makes_its_table(sample, name, maker):
    """Once a KeyError 'minutes', or pandas' refusal to compare timedeltas with an int."""
    options = {"by": "severity"} if name == "plot_groups" else {}
    with pytest.raises(mttr.FrameKindError) as err:
        getattr(plots, name)(sample, **options)
    assert str(err.value).startswith(f"{name}: this is a durations frame; pass {maker}")


def test_a_plot_given_a_whole_summary_for_one_row_or_the_wrong_table_says_which(sample):
    summary = mttr.duration_summary(sample, intervals=False)
    with pytest.raises(mttr.FrameKindError) as err:
        plots.plot_ecdf(ecdf_table(sample), summary=summary)
    assert str(err.value) == (
        "plot_ecdf: this is the table of duration_summary(durations); pass one row of "
        'duration_summary(durations), such as duration_summary(durations).loc["all"]'
    )
    with pytest.raises(mttr.FrameKindError, match=r"^plot_ecdf: this is the table of censored_minutes"):
        plots.plot_ecdf(mttr.censored_minutes(sample))
    with pytest.raises(mttr.FrameKindError, match=r"\(without the column severity\); pass the table of"):
        plots.plot_groups(mttr.censored_minutes(sample), by="severity")
    with pytest.raises(
        mttr.FrameKindError, match=r"^plot_phase_breakdown: this is the table of duration_summary"
    ):
        plots.plot_phase_breakdown(summary)
