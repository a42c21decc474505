"""read_playbooks, playbook_coverage and what a playbook is associated with."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import mttr_lab as mttr


def _yaml(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "playbooks.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_guides_example_loads_as_written(fixtures):
    books = mttr.read_playbooks(fixtures / "playbooks" / "guide_example.yaml")
    assert len(books) == 1
    book = books.iloc[0]
    assert book["playbook"] == "database_connection_exhaustion"
    assert book["severity"] == "P1"
    assert book["levels"] == ["Primary on-call", "Secondary on-call", "Team lead"]
    assert book["timeouts"][:2] == [5.0, 10.0] and np.isnan(book["timeouts"][2])
    assert book["path_minutes"] == 15
    assert book["alerts"] == ["DB connection pool > 90%"]
    assert book["diagnosis_steps"] == 2 and book["communication"] == 2


def test_list_of_playbooks_with_services(tmp_path):
    path = _yaml(
        tmp_path,
        "- name: checkout down\n  severity: SEV1\n  services: [Checkout]\n"
        "  escalation_path: ['Primary (5 min timeout)', 'Lead']\n"
        "- name: search slow\n  detection: ['Alert: search latency p99']\n",
    )
    books = mttr.read_playbooks(path)
    assert books["playbook"].tolist() == ["checkout down", "search slow"]
    assert books.loc[0, "services"] == ["Checkout"]


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("db:\n  severity: P1\n  escalation_path:\n    - 'Primary (soon timeout)'\n", 4, "not minutes"),
        ("db:\n  severity: P1\n  escalation_path:\n    - 'Primary (2 hours timeout)'\n", 4, "not minutes"),
        ("db:\n  escalation_path:\n    primary: 5\n", 3, "not a list"),
        ("db:\n  - severity: P1\n", 2, "not a mapping"),
        ("db:\n  detection:\n    alert: x\n", 3, "a mapping where a list belongs"),
        ("db:\n  severity: P1\n  escalation: []\n", 3, "unknown key"),
        ("db:\n  escalation_path: ['Primary', 'Lead (5 min timeout)']\n", 2, "has no timeout"),
        ("db: [\n", 2, "not valid YAML"),
    ],
)
def test_not_the_playbook_shape(tmp_path, text, line, words):
    path = _yaml(tmp_path, text)
    with pytest.raises(mttr.InputError) as err:
        mttr.read_playbooks(path)
    message = str(err.value)
    assert "playbooks.yaml" in message and f"line {line}" in message and words in message


def test_coverage_by_service_then_alert(tmp_path):
    books = mttr.read_playbooks(
        _yaml(
            tmp_path,
            "checkout:\n  services: [checkout]\n  detection: ['Alert: card declines']\n"
            "db:\n  detection: ['Alert: DB connection pool']\n",
        )
    )
    incidents = pd.DataFrame(
        {
            "incident_id": ["1", "2", "3", "4"],
            "title": ["Cart errors", "Alert: db connection POOL > 90%", "Search down", None],
            "service": ["CHECKOUT", "api", "search", None],
            "severity": ["high", "critical", "low", "low"],
        }
    )
    coverage = mttr.playbook_coverage(incidents, books)
    assert coverage["playbook"].tolist()[:2] == ["checkout", "db"]
    assert coverage["playbook"].iloc[2:].isna().all()
    assert coverage["matched_by"].tolist()[:2] == ["service", "alert"]
    table = mttr.coverage_table(coverage, by="service")
    assert table.loc["CHECKOUT", "share"] == 1 and table.loc["search", "share"] == 0


def test_coverage_refuses_swapped_arguments(fixtures):
    books = mttr.read_playbooks(fixtures / "playbooks" / "guide_example.yaml")
    incidents = mttr.read_export(fixtures / "firehydrant" / "incidents_page.json", source="auto")
    with pytest.raises(mttr.InputError, match="incidents frame"):
        mttr.playbook_coverage(books, incidents)


def test_playbook_effect_has_intervals_and_the_caveat(fixtures, tmp_path):
    incidents = mttr.read_export(
        Path(__file__).parents[1] / "data" / "sample_firehydrant.json", source="auto"
    )
    books = mttr.read_playbooks(_yaml(tmp_path, "checkout:\n  services: [checkout, search]\n"))
    coverage = mttr.playbook_coverage(incidents, books)
    effect = mttr.playbook_effect(mttr.phase_durations(incidents), coverage)
    assert set(effect.index) == {"with playbook", "without playbook"}
    assert (effect["median_low"] <= effect["median"]).all() and (
        effect["median"] <= effect["median_high"]
    ).all()
    assert effect["ratio_low"].iloc[0] <= effect["ratio"].iloc[0] <= effect["ratio_high"].iloc[0]
    assert "observational" in effect["caveat"].iloc[0]


def _sample():
    incidents = mttr.read_export(Path(__file__).parents[1] / "data" / "sample_firehydrant.json")
    books = mttr.read_playbooks(Path(__file__).parents[1] / "data" / "sample_playbooks.yaml")
    return incidents, books


def test_playbook_effect_refuses_coverage_of_another_export(fixtures):
    incidents, books = _sample()
    durations = mttr.phase_durations(incidents)
    other = mttr.read_export(fixtures / "firehydrant" / "incidents_page.json", source="auto")
    assert not set(other["incident_id"].astype(str)) & set(durations["incident_id"].astype(str))
    with pytest.raises(mttr.InputError, match="share no incident id") as err:
        mttr.playbook_effect(durations, mttr.playbook_coverage(other, books))
    assert "\n" not in str(err.value)
    # Coverage of part of the export: the rest count as without a playbook, and the caveat says so.
    partial = mttr.playbook_effect(durations, mttr.playbook_coverage(incidents.iloc[:100], books))
    assert f"matched 100 of {len(durations)} incidents" in partial["caveat"].iloc[0]
    full = mttr.playbook_effect(durations, mttr.playbook_coverage(incidents, books))
    assert "matched" not in full["caveat"].iloc[0]


def test_a_playbook_name_given_twice_is_an_error(tmp_path):
    text = "a:\n  severity: P1\nb:\n  severity: P2\na:\n  severity: P3\n"
    with pytest.raises(mttr.InputError) as err:
        mttr.read_playbooks(_yaml(tmp_path, text))
    message = str(err.value)
    assert "playbooks.yaml, line 5" in message and "'a' appears twice" in message and "line 1" in message
    with pytest.raises(mttr.InputError, match=r"line 3: key 'severity' appears twice"):
        mttr.read_playbooks(_yaml(tmp_path, "- name: a\n  severity: P1\n  severity: P2\n"))


def test_coverage_table_names_the_columns_it_can_group_by():
    incidents, books = _sample()
    coverage = mttr.playbook_coverage(incidents, books)
    with pytest.raises(mttr.InputError, match=r"'team'.*expected one of service, severity$"):
        mttr.coverage_table(coverage, by="team")
    assert mttr.coverage_table(coverage, by=["service", "severity"])["incidents"].sum() == len(incidents)
