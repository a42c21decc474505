"""The canonical vocabulary and severity normalisation."""

from __future__ import annotations

import pandas as pd
import pytest

import mttr_lab as mttr
from mttr_lab.schema import InputError, normalise_severity


def test_severity_labels_of_many_tools():
    raw = pd.Series(["SEV1", "P2", "3 - Moderate", "4 - Low", "5 - Planning", "Major", "minor", None, "??"])
    assert normalise_severity(raw).tolist() == [
        "critical",
        "high",
        "medium",
        "low",
        "low",
        "high",
        "medium",
        None,
        None,
    ] or normalise_severity(raw).astype("object").where(lambda s: s.notna(), None).tolist() == [
        "critical",
        "high",
        "medium",
        "low",
        "low",
        "high",
        "medium",
        None,
        None,
    ]


def test_severity_is_ordered_and_overridable():
    out = normalise_severity(pd.Series(["Gold", "sev1"]), {"gold": "high", "SEV1": "high"})
    assert out.tolist() == ["high", "high"]
    assert out.cat.ordered and list(out.cat.categories) == list(mttr.SEVERITIES)
    with pytest.raises(InputError, match="unknown severity"):
        normalise_severity(pd.Series(["x"]), {"x": "urgent"})


def test_input_error_message_names_everything():
    err = InputError(
        "not a timestamp", file="a.csv", record="row 4", field="opened", found="x", expected="ISO"
    )
    assert str(err) == "a.csv, row 4, column 'opened': not a timestamp; found 'x'; expected ISO"
    assert isinstance(err, ValueError)
