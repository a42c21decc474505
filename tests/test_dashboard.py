"""The dashboard composes the statistics and the plots: its panels."""

from __future__ import annotations

import pytest

import mttr_lab as mttr
from mttr_lab import dashboard

pytestmark = pytest.mark.usefixtures("close_figures")


def test_dashboard_has_its_four_panels(sample):
    fig = dashboard.mttr_dashboard(sample, tz="Europe/Berlin", target=45)
    titles = [ax.get_title(loc="left") for ax in fig.axes if ax.get_title(loc="left")]
    assert titles[0].endswith("by service") and titles[1].endswith("by severity")
    assert titles[2].startswith("trend (Europe/Berlin); next target 45 min")
    assert titles[3].startswith("where the time goes")
    services = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert len(services) == sample["service"].nunique()


def _boxes(fig, ax):
    """The drawn extents of the panel's title and legend."""
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    title = ax._left_title.get_window_extent(renderer)
    legend = ax.get_legend()
    return title, legend.get_window_extent(renderer) if legend is not None else None


def test_many_services_show_the_top_ones_and_say_so(sample):
    many = sample.assign(service=[f"svc{i % 40:02d}" for i in range(len(sample))])
    many.loc[many.index[:300], "service"] = "busy"
    fig = dashboard.mttr_dashboard(many)
    services = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert len(services) == dashboard.TOP_SERVICES == 15 and "busy" in services
    assert fig.axes[0].get_title(loc="left").endswith(": the 15 with most incidents, of 41")


def test_the_trend_legend_is_clear_of_its_title(sample):
    fig = dashboard.mttr_dashboard(sample)
    title, legend = _boxes(fig, fig.axes[2])
    assert legend is not None and not title.overlaps(legend)


def test_with_too_few_incidents_the_reason_is_in_the_phase_title(sample):
    fig = dashboard.mttr_dashboard(sample.iloc[:3])
    ax = fig.axes[3]
    assert ax.get_title() == ""  # no centred title drawn over the left one
    assert "too few incidents to profile" in ax.get_title(loc="left")
    assert ax.get_legend() is None


def test_an_empty_frame_is_one_clear_error(sample):
    with pytest.raises(mttr.InputError, match="nothing to draw: 0 incidents") as err:
        dashboard.mttr_dashboard(sample.iloc[:0])
    assert "start=" not in str(err.value) and "\n" not in str(err.value)
