"""A seeded generator of realistic incident exports.

Durations are lognormal, calibrated to published anchors: a time to recover with a median
around an hour and a log-σ of about 1.25 (Davidovič 2021, Company B: median 67 min,
σ ≈ 1.25), faster for critical than for low severity. The share of each phase varies by
service; incidents arrive more often in working hours and on weekdays (in the team's
timezone); an optional trend shortens incidents month by month; a few incidents are still
open at the end; and a few records carry the defects real exports have (a repeated id, a
milestone out of order, an unknown severity label, a game-day exercise).

Everything depends on ``seed`` alone: the same arguments give the same bytes.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from .synth_writers import write_export, write_timeline

__all__ = [
    "CHANNELS",
    "POLICY",
    "SERVICES",
    "synth_incidents",
    "synth_timeline",
    "write_export",
    "write_playbooks",
    "write_timeline",
]


@dataclass(frozen=True)
class Service:
    """A synthetic service: its team, its share of incidents and where its time goes."""

    name: str
    team: str
    weight: float
    #: Mean share of time to recover spent in detection, response, diagnosis, repair.
    phases: tuple[float, float, float, float]
    #: Multiplier of the median time to recover.
    speed: float


SERVICES: tuple[Service, ...] = (
    Service("checkout", "payments", 0.22, (0.10, 0.08, 0.32, 0.50), 0.85),
    Service("payments-api", "payments", 0.14, (0.12, 0.07, 0.41, 0.40), 1.0),
    Service("search", "discovery", 0.18, (0.28, 0.10, 0.22, 0.40), 0.9),
    Service("recommendations", "discovery", 0.10, (0.35, 0.15, 0.20, 0.30), 1.4),
    Service("identity", "platform", 0.12, (0.08, 0.06, 0.46, 0.40), 1.1),
    Service("data-pipeline", "data", 0.14, (0.40, 0.20, 0.20, 0.20), 1.8),
    Service("mobile-gateway", "platform", 0.10, (0.15, 0.10, 0.30, 0.45), 1.0),
)

#: Share of incidents and median time to recover (minutes) by severity.
SEVERITY_MIX = {"SEV1": (0.07, 32.0), "SEV2": (0.23, 44.0), "SEV3": (0.45, 55.0), "SEV4": (0.25, 75.0)}
SIGMA = 1.25

_TITLES = {
    "checkout": ["Checkout errors elevated", "Cart service timeouts", "Order confirmation delayed"],
    "payments-api": ["Card authorisations failing", "Payment provider latency", "Refund queue stuck"],
    "search": ["Search latency p99 above SLO", "Index rebuild lagging", "Empty search results"],
    "recommendations": ["Stale recommendations", "Model serving errors", "Feature store lag"],
    "identity": ["Login failures", "Token refresh errors", "SSO redirect loop"],
    "data-pipeline": ["Nightly batch late", "Event ingestion backlog", "Warehouse load failed"],
    "mobile-gateway": ["API gateway 5xx", "Push notifications delayed", "App config fetch failing"],
}


def _arrivals(rng: np.random.Generator, n: int, start: pd.Timestamp, end: pd.Timestamp, tz: str) -> pd.Series:
    """Incident start times: weekday working hours are busiest, nights and weekends quieter."""
    hours = pd.date_range(start, end, freq="h", inclusive="left", tz="UTC")
    local = hours.tz_convert(tz)
    weight = np.full(len(hours), 0.35)
    working = (local.hour >= 9) & (local.hour < 18)
    evening = (local.hour >= 18) & (local.hour < 23)
    weight[working] = 1.6
    weight[evening] = 0.7
    weight[local.day_of_week >= 5] *= 0.45
    weight[(local.day_of_week == 1) | (local.day_of_week == 2)] *= 1.15  # release days
    chosen = rng.choice(len(hours), size=n, p=weight / weight.sum())
    seconds = rng.integers(0, 3600, size=n)
    stamps = hours[chosen] + pd.to_timedelta(seconds, unit="s")
    return pd.Series(stamps).sort_values(ignore_index=True)


def synth_incidents(
    *,
    incidents: int = 1500,
    months: int = 18,
    start: str = "2025-04-01",
    seed: int = 7,
    tz: str = "Europe/Berlin",
    improvement: float = 0.0,
    open_share: float = 0.01,
    defects: bool = True,
) -> pd.DataFrame:
    """Generate synthetic incidents with all six milestones (some unobserved, as in real exports).

    Parameters
    ----------
    incidents : int
        Number of incidents.
    months : int
        Length of the period, starting at ``start`` (UTC midnight).
    seed : int
        Seed of the random generator: the only source of randomness.
    tz : str
        The team's timezone, which shapes the time-of-day pattern.
    improvement : float
        Monthly multiplicative shortening of durations (0.05 = 5 % shorter each month).
    open_share : float
        Share of incidents still open at the end of the period (the most recent ones).
    defects : bool
        Add the defects of real exports (one of each kind).

    Returns
    -------
    DataFrame
        One row per record: ``incident_id``, ``number``, ``title``, ``severity`` (SEV1–SEV4),
        ``service``, ``team``, the milestones ``started_at``, ``detected_at``, ``acknowledged_at``,
        ``diagnosed_at``, ``recovered_at``, ``resolved_at`` (UTC, NaT when unobserved or open),
        ``updated_at`` and ``tags``.
    """
    rng = np.random.default_rng(seed)
    begin = pd.Timestamp(start, tz="UTC")
    end = begin + pd.DateOffset(months=months)
    started = _arrivals(rng, incidents, begin, end, tz)
    frame = _records(rng, started, begin, improvement)
    _unobserved(frame, rng, open_share, end)
    if defects and incidents >= 20:
        frame = _add_defects(frame, rng)
    return frame


def _records(
    rng: np.random.Generator, started: pd.Series, begin: pd.Timestamp, improvement: float
) -> pd.DataFrame:
    """One incident per start: service, severity, and milestones from lognormal phases."""
    incidents = len(started)
    weights = np.array([s.weight for s in SERVICES])
    which = rng.choice(len(SERVICES), size=incidents, p=weights / weights.sum())
    labels = list(SEVERITY_MIX)
    sev_idx = rng.choice(len(labels), size=incidents, p=[SEVERITY_MIX[k][0] for k in labels])
    medians = np.array([SEVERITY_MIX[k][1] for k in labels])[sev_idx]
    speed = np.array([s.speed for s in SERVICES])[which]
    months_in = ((started - begin).dt.total_seconds() / (30.44 * 86400)).to_numpy()
    trend = (1.0 - improvement) ** months_in
    recover = medians * speed * trend * np.exp(rng.normal(0.0, SIGMA, incidents))  # minutes
    recover = np.clip(recover, 2.0, 14 * 24 * 60)

    base = np.array([s.phases for s in SERVICES])[which]
    draws = rng.gamma(base * 25.0)  # Dirichlet draws, one row per incident
    shares = draws / draws.sum(axis=1, keepdims=True)
    parts = shares * recover[:, None]
    cumulative = np.cumsum(parts, axis=1)
    followup = np.exp(rng.normal(np.log(25.0), 1.0, incidents))

    def at(minutes: np.ndarray) -> pd.Series:
        return started + pd.to_timedelta(np.round(minutes * 60), unit="s")

    return pd.DataFrame(
        {
            "incident_id": [str(uuid.UUID(bytes=rng.bytes(16), version=4)) for _ in range(incidents)],
            "number": np.arange(1, incidents + 1),
            "title": [
                _TITLES[SERVICES[i].name][k % 3]
                for i, k in zip(which, rng.integers(0, 3, incidents), strict=True)
            ],
            "severity": np.array(labels)[sev_idx],
            "service": [SERVICES[i].name for i in which],
            "team": [SERVICES[i].team for i in which],
            "started_at": started,
            "detected_at": at(cumulative[:, 0]),
            "acknowledged_at": at(cumulative[:, 1]),
            "diagnosed_at": at(cumulative[:, 2]),
            "recovered_at": at(cumulative[:, 3]),
            "resolved_at": at(cumulative[:, 3] + followup),
            "tags": None,
        }
    )


def _unobserved(frame: pd.DataFrame, rng: np.random.Generator, open_share: float, end: pd.Timestamp) -> None:
    """Blank (in place) the milestones real exports miss, and close none of the latest incidents."""
    incidents = len(frame)
    no_start = rng.random(incidents) < 0.08
    frame.loc[no_start, "started_at"] = pd.NaT
    no_diagnosis = rng.random(incidents) < 0.15
    frame.loc[no_diagnosis, "diagnosed_at"] = pd.NaT
    no_recovery = rng.random(incidents) < 0.10
    frame.loc[no_recovery, "recovered_at"] = pd.NaT

    # The most recent incidents are still open at the end of the period.
    n_open = round(open_share * incidents)
    if n_open:
        last = frame.index[-n_open:]
        frame.loc[last, "resolved_at"] = pd.NaT
        frame.loc[last[::2], "recovered_at"] = pd.NaT
        frame.loc[last, ["acknowledged_at", "diagnosed_at", "recovered_at"]] = frame.loc[
            last, ["acknowledged_at", "diagnosed_at", "recovered_at"]
        ].where(frame.loc[last, ["acknowledged_at", "diagnosed_at", "recovered_at"]] < end)
    frame["updated_at"] = frame[["detected_at", "acknowledged_at", "resolved_at"]].max(axis=1)


def _add_defects(frame: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    n = len(frame)
    picks = rng.choice(np.arange(10, n - 10), size=4, replace=False)
    frame = frame.copy()
    # A milestone out of order: acknowledged before detection (a clock or a hand edit).
    i = picks[0]
    frame.loc[i, "acknowledged_at"] = frame.loc[i, "detected_at"] - pd.Timedelta(minutes=7)
    # An unknown severity label.
    frame.loc[picks[1], "severity"] = "Urgent-ish"
    # A game-day exercise recorded as an incident.
    frame.loc[picks[2], "tags"] = "gameday"
    frame.loc[picks[2], "title"] = "Game day: region failover drill"
    # An earlier version of an incident exported again (paged dump overlap).
    dup = frame.loc[[picks[3]]].copy()
    dup["resolved_at"] = dup["resolved_at"].mask(dup["resolved_at"].notna())
    dup["updated_at"] = dup["detected_at"]
    return pd.concat([frame, dup], ignore_index=True)


# --------------------------------------------------------------------------- response process

#: The escalation policy of the synthetic teams: who is paged, and after how many minutes
#: without an acknowledgement the next level is.
POLICY: tuple[tuple[str, float], ...] = (
    ("Primary on-call", 5.0),
    ("Secondary on-call", 10.0),
    ("Team lead", np.nan),
)

#: Detection channels and the vendor words the synthetic timeline uses for them.
CHANNELS: tuple[str, ...] = ("api", "email", "web_ui", "phone")

#: Which synthetic services have a playbook, and how it is matched (by service or by an alert).
_PLAYBOOKS: tuple[dict, ...] = (
    {
        "name": "checkout_errors",
        "severity": "SEV1",
        "services": ["checkout"],
        "detection": ["Alert: Checkout errors elevated", "Order volume drops below forecast"],
    },
    {
        "name": "payment_authorisations",
        "severity": "SEV1",
        "services": ["payments-api"],
        "detection": ["Alert: Card authorisations failing"],
    },
    {
        "name": "search_latency",
        "severity": "SEV2",
        "detection": ["Alert: Search latency p99 above SLO"],
    },
)


def synth_timeline(incidents: pd.DataFrame, *, seed: int = 7) -> pd.DataFrame:
    """A response timeline for synthetic incidents: paging with the escalation :data:`POLICY`,
    hand-overs between teams (some bounced back), and the detection channel.

    Drawn from its own random stream (``seed`` with a fixed offset), so the incidents are the
    same with or without a timeline. Incidents that take longer are more likely to be handed
    over (as in real logs, where the association runs both ways), and incidents whose detection
    took longer are more likely to have been reported by a customer (``phone``).

    Parameters
    ----------
    incidents : DataFrame
        :func:`synth_incidents` output, or the ``incidents`` read back from its export.

    Returns
    -------
    DataFrame
        The ``timeline`` columns (``incident_id``, ``at``, ``kind``, ``group``, ``level``,
        ``actor``, ``detail``, ``record``), one row per event in incident and time order; the
        trigger's ``detail`` is the detection channel.
    """
    rng = np.random.default_rng([seed, 19])
    frame = incidents
    if "exclude_reason" in frame.columns:  # read back: the superseded version is marked
        frame = frame[~frame["exclude_reason"].fillna("").str.startswith("duplicate id")]
    # synth_incidents appends the earlier version of the repeated incident after the kept one
    frame = frame.drop_duplicates("incident_id", keep="first").reset_index(drop=True)
    teams = sorted({s.team for s in SERVICES})
    detected = frame["detected_at"]
    started = frame["started_at"].fillna(detected)
    detect_minutes = ((detected - started).dt.total_seconds() / 60).fillna(0).to_numpy()
    end = frame["recovered_at"].fillna(frame["resolved_at"])
    recover_minutes = ((end - started).dt.total_seconds() / 60).to_numpy()
    n = len(frame)
    # detection channel: slow detection is more often a customer's report
    customer = rng.random(n) < 0.05 + 0.25 * (detect_minutes > np.nanpercentile(detect_minutes, 75))
    channel = np.where(customer, "phone", rng.choice(["api", "email", "web_ui"], size=n, p=[0.8, 0.08, 0.12]))
    # hand-overs: likelier for long incidents
    spread = np.log(np.clip(np.nan_to_num(recover_minutes, nan=60.0), 1, None) / 60.0)
    p_handover = 1 / (1 + np.exp(-(spread - 0.8)))
    handed = rng.random(n) < p_handover
    bounced = handed & (rng.random(n) < 0.3)
    other = rng.integers(0, len(teams) - 1, size=n)
    u = rng.random((n, 4))
    rows: list[tuple] = []
    for i in range(n):
        t0 = detected.iat[i]
        if pd.isna(t0):
            continue
        team = frame.at[i, "team"]
        away_team = [t for t in teams if t != team][other[i]]
        ack = frame.at[i, "acknowledged_at"]
        events, level = _paging(team, t0, ack, channel[i])
        holder, stop = f"{team} on-call", end.iat[i]
        if handed[i] and pd.notna(ack) and ack >= t0 and pd.notna(stop) and stop > ack:
            holder = _handovers(events, team, away_team, ack, stop, level, bounced=bounced[i], u=u[i])
        done = frame.at[i, "resolved_at"]
        if pd.notna(done):
            events.append((max(done, events[-1][0]), "resolve", holder, level, None, None))
        events.sort(key=lambda e: e[0])
        rows.extend((frame.at[i, "incident_id"], *e) for e in events)
    out = pd.DataFrame(rows, columns=["incident_id", "at", "kind", "group", "level", "actor", "detail"])
    out["at"] = pd.to_datetime(out["at"], utc=True).dt.floor("s").astype("datetime64[us, UTC]")
    out["level"] = out["level"].astype("Int64")
    for name in ("incident_id", "kind", "group", "actor", "detail"):
        out[name] = out[name].astype("str")
    out["record"] = np.arange(1, len(out) + 1)
    return out


def _paging(team: str, t0: pd.Timestamp, ack: pd.Timestamp, channel: str) -> tuple[list[tuple], int]:
    """The trigger, the pages of the escalation :data:`POLICY` until the acknowledgement, and the
    acknowledgement; also the level that acknowledged (or was reached)."""
    home = f"{team} on-call"
    events = [
        (t0, "trigger", home, 1, None, channel),
        (t0 + pd.Timedelta(seconds=20), "notify", home, 1, "pager", POLICY[0][0]),
    ]
    level, waited = 1, 0.0
    wait = (ack - t0).total_seconds() / 60 if pd.notna(ack) and ack >= t0 else np.inf
    for name, _minutes in POLICY[1:]:
        timeout = POLICY[level - 1][1]
        if np.isnan(timeout) or wait <= waited + timeout:
            break
        waited += timeout
        level += 1
        at = t0 + pd.Timedelta(minutes=waited)
        events.append((at, "escalate", home, level, "timeout", name))
        events.append((at + pd.Timedelta(seconds=20), "notify", home, level, "pager", name))
    if np.isfinite(wait):
        events.append((ack, "acknowledge", home, level, f"{team} responder", None))
    return events, level


def _handovers(
    events: list[tuple],
    team: str,
    away_team: str,
    ack: pd.Timestamp,
    stop: pd.Timestamp,
    level: int,
    *,
    bounced: bool,
    u: np.ndarray,
) -> str:
    """Add (to ``events``) a hand-over to ``away_team`` between the acknowledgement and ``stop``,
    and the hand-back when ``bounced``; returns the group that holds the incident at the end."""
    home, away = f"{team} on-call", f"{away_team} on-call"
    span = stop - ack
    out_at = ack + span * (0.15 + 0.3 * u[0])
    events.append((out_at, "assign", away, level, None, f"reassigned to {away_team}"))
    events.append((out_at + span * 0.05 * u[1], "acknowledge", away, level, f"{away_team} responder", None))
    if not bounced:
        return away
    back_at = out_at + span * (0.2 + 0.3 * u[2])
    events.append((back_at, "assign", home, level, None, f"handed back to {team}"))
    events.append((back_at + span * 0.02 * u[3], "acknowledge", home, level, f"{team} responder", None))
    return home


def write_playbooks(path: str | Path) -> Path:
    """Write the playbooks of the synthetic services in the guide's YAML format (:data:`POLICY` paths)."""
    import yaml

    doc = {}
    for book in _PLAYBOOKS:
        body = {"severity": book["severity"]}
        if "services" in book:
            body["services"] = list(book["services"])
        body["detection"] = list(book["detection"])
        body["initial_response"] = [
            "Acknowledge the page and open the incident channel",
            "Check the service dashboard",
        ]
        body["escalation_path"] = [
            f"{name} ({minutes:g} min timeout)" if np.isfinite(minutes) else name for name, minutes in POLICY
        ]
        body["diagnosis_tree"] = [
            {"check": "Recent deploys", "if_yes": "Roll back"},
            {"check": "Dependency health"},
        ]
        body["recovery_actions"] = ["Roll back or fail over", "Scale out the affected tier"]
        body["validation"] = ["Error rate and latency back to baseline for 15 minutes"]
        body["communication"] = [
            "Post in the incident channel every 30 minutes",
            "Update the status page if customers notice",
        ]
        doc[book["name"]] = body
    path = Path(path)
    path.write_text(yaml.safe_dump(doc, sort_keys=False, allow_unicode=True, width=100), encoding="utf-8")
    return path
