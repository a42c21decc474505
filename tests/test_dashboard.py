"""The dashboard composes the statistics and the plots: its panels."""

from __future__ import annotations

import pytest

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
