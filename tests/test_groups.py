"""compare_groups: which groups are really slower or faster than the rest."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from conftest import SAMPLE

import mttr_lab as mttr


def test_compare_groups_finds_the_slow_service_and_adjusts_for_many_tests(tmp_path):
    import mttr_lab as mttr

    rng = np.random.default_rng(3)
    rows = ["incident_id,detected_at,resolved_at,service"]
    start = pd.Timestamp("2024-01-01T00:00Z")
    spec = {"slow": 3.0, "a": 1.0, "b": 1.0, "c": 1.0, "d": 1.0, "tiny": 1.0}
    k = 0
    for service, factor in spec.items():
        for _ in range(8 if service == "tiny" else 120):
            minutes = factor * rng.lognormal(np.log(60), 1.0)
            t0 = start + pd.Timedelta(hours=k)
            rows.append(
                f"i{k},{t0:%Y-%m-%dT%H:%M:%SZ},{t0 + pd.Timedelta(minutes=minutes):%Y-%m-%dT%H:%M:%SZ},{service}"
            )
            k += 1
    path = tmp_path / "services.csv"
    path.write_text("\n".join(rows) + "\n")
    table = mttr.compare_groups(mttr.phase_durations(mttr.read_export(path)), by="service")
    assert table.index[0] == "slow" and table.loc["slow", "verdict"] == "slower than the rest"
    assert table.loc["tiny", "verdict"].startswith("too few incidents")
    # The others are alike: none is called slower (against a rest that holds the slow one, some
    # may rightly test faster).
    assert not table.loc[["a", "b", "c", "d"], "verdict"].str.startswith("slower").any()
    assert (table["p_adjusted"].dropna() >= table["p_value"].dropna()).all()


def test_a_group_column_the_durations_lack_is_one_clear_error():
    durations = mttr.phase_durations(mttr.read_export(SAMPLE))
    with pytest.raises(mttr.InputError, match="no 'region' column") as error:
        mttr.compare_groups(durations, by="region")
    assert "service" in str(error.value)
