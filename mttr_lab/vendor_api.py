"""Fetch incidents from a vendor's API into a folder that :func:`mttr_lab.read_export` reads.

The pages are written as the vendor sends them (PagerDuty incidents with their log entries
embedded, Statuspage's ``incidents.json``), one file per page, so ``read_export(folder)`` with
the default ``source="auto"`` reads them, and a fetch that stopped half-way resumes where it
was: a page already written is not asked for again.

HTTP goes through httpx: timeouts by default (a silent vendor does not hang the command), one
client reusing its connections across hundreds of pages, and the same API should fetching ever
become concurrent.
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from .errors import InputError

__all__ = ["TOKENS", "fetch"]

#: The environment variable holding each vendor's token (never a parameter, never logged).
TOKENS = {"pagerduty": "PAGERDUTY_TOKEN", "opsgenie": "OPSGENIE_API_KEY", "incidentio": "INCIDENTIO_API_KEY"}
_BASE = {
    "pagerduty": "https://api.pagerduty.com",
    "opsgenie": "https://api.opsgenie.com",
    "incidentio": "https://api.incident.io",
}
#: PagerDuty answers at most this many days per request window and this deep into one listing.
WINDOW_DAYS = 180
CEILING = 10_000
LIMIT = 100
#: Attempts per request on 429 (rate limited), 5xx and broken connections, with backoff.
TRIES = 6


def fetch(
    vendor: str,
    *,
    out: str | Path,
    since: str | pd.Timestamp | None = None,
    until: str | pd.Timestamp | None = None,
    base_url: str | None = None,
    sleep: Callable[[float], None] = time.sleep,
    progress: bool = True,
    environ: Mapping[str, str] | None = None,
) -> list[Path]:
    """Fetch ``vendor``'s incidents between ``since`` and ``until`` into the folder ``out``.

    Parameters
    ----------
    vendor : {"pagerduty", "opsgenie", "incidentio", "statuspage"}
        PagerDuty REST v2 (token in ``PAGERDUTY_TOKEN``), Opsgenie alerts (``OPSGENIE_API_KEY``),
        incident.io v2 (``INCIDENTIO_API_KEY``) or a public Statuspage (``base_url`` is the page,
        e.g. ``https://www.githubstatus.com``; no token).
    out : path
        The folder to write the pages into (created); pages already there are not fetched again.
    since, until : date or timestamp
        The window of incident creation (UTC when no offset is given); PagerDuty needs both.
    base_url : str, optional
        Another API host: an EU account (``https://api.eu.pagerduty.com``) or a test server.
    sleep, progress, environ
        The wait between retries, a progress bar on stderr, the environment to read tokens from.

    Returns
    -------
    list of Path
        The page files of this export, in order (those written now and those already there).

    Raises
    ------
    InputError
        One line: a missing token naming its variable, an HTTP error with its status and the
        vendor's message, or a request still failing after the retries.
    """
    environ = os.environ if environ is None else environ
    # Everything the user typed is checked before the folder is made: a refused run leaves nothing.
    if vendor == "statuspage":
        if not base_url:
            raise InputError(
                "fetch statuspage needs the status page's address",
                expected="e.g. https://www.githubstatus.com",
            )
        out = _folder(out)
        with _Client(base_url.rstrip("/"), {}, sleep=sleep, vendor="Statuspage") as client:
            return [_statuspage(client, out)]
    if vendor not in TOKENS:
        raise InputError(f"no fetch for {vendor!r}", expected="pagerduty, opsgenie, incidentio or statuspage")
    start, end = _window(vendor, since, until)
    name, headers = _credentials(vendor, environ)
    out = _folder(out)
    from tqdm import tqdm

    with (
        _Client(base_url or _BASE[vendor], headers, sleep=sleep, vendor=name) as client,
        tqdm(desc=f"{name} pages", unit="page", file=sys.stderr, disable=not progress) as bar,
    ):
        if vendor == "opsgenie":
            return _opsgenie(client, out, start, end, bar)
        if vendor == "incidentio":
            return _incidentio(client, out, start, end, bar)
        return [page for window in _windows(start, end) for page in _pagerduty(client, out, *window, bar)]


def _folder(out: str | Path) -> Path:
    """The folder the pages go into, created (a file of that name is an error)."""
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise InputError("the pages go into a folder, and this is a file", file=str(out), expected="a folder")
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as error:  # a file further up the path, a folder not writable
        raise InputError(
            f"cannot make the folder for the pages ({error.strerror or error})",
            file=str(out),
            expected="a folder that can be made and written",
        ) from None
    return out


def _credentials(vendor: str, environ: Mapping[str, str]) -> tuple[str, dict[str, str]]:
    """The vendor's display name and its authorisation headers, the token read from ``environ``
    (``vendor`` one of :data:`TOKENS`: :func:`fetch` refuses any other first)."""
    name = {"pagerduty": "PagerDuty", "opsgenie": "Opsgenie", "incidentio": "incident.io"}[vendor]
    token = environ.get(TOKENS[vendor], "").strip()
    if not token:
        raise InputError(
            f"no {name} token: set the environment variable {TOKENS[vendor]}", expected="an API key"
        )
    headers = {
        "pagerduty": {
            "Authorization": f"Token token={token}",
            "Accept": "application/vnd.pagerduty+json;version=2",
        },
        "opsgenie": {"Authorization": f"GenieKey {token}"},
        "incidentio": {"Authorization": f"Bearer {token}"},
    }[vendor]
    return name, headers


def _window(
    vendor: str, since: str | pd.Timestamp | None, until: str | pd.Timestamp | None
) -> tuple[pd.Timestamp, pd.Timestamp]:
    """``since`` and ``until`` in UTC; both are needed and ``until`` must come later."""
    if since is None or until is None:
        raise InputError(f"fetch {vendor} needs --since and --until", expected="dates such as 2026-01-01")
    start, end = _utc(since, "since"), _utc(until, "until")
    if end <= start:
        raise InputError("--until is not after --since", found=f"{since} to {until}")
    return start, end


def _utc(value: str | pd.Timestamp, name: str) -> pd.Timestamp:
    if isinstance(value, str) and "/" in value:  # 01/02/2026: the 1st of February, or the 2nd of January?
        raise InputError(
            f"--{name} {value} could be read day first or month first",
            expected="a date written year first, e.g. 2026-01-02",
        )
    try:
        stamp = pd.Timestamp(value)
    except (ValueError, TypeError):
        raise InputError(f"--{name} is not a date", found=value, expected="e.g. 2026-01-01") from None
    return stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")


def _windows(start: pd.Timestamp, end: pd.Timestamp) -> list[tuple[pd.Timestamp, pd.Timestamp]]:
    """Consecutive windows of at most :data:`WINDOW_DAYS` days covering ``[start, end)``."""
    out, step = [], pd.Timedelta(days=WINDOW_DAYS)
    while start < end:
        out.append((start, min(start + step, end)))
        start += step
    return out


def _stamp(t: pd.Timestamp) -> str:
    return t.strftime("%Y%m%dT%H%M%SZ")


def _pagerduty(client: _Client, out: Path, start: pd.Timestamp, end: pd.Timestamp, bar: Any) -> list[Path]:
    """The pages of one window; a window holding more than the listing ceiling is halved."""
    window = {"since": start.isoformat(), "until": end.isoformat(), "time_zone": "UTC"}
    first = out / f"pagerduty-{_stamp(start)}-{_stamp(end)}-00000.json"
    if not first.exists():
        probe = client.get("/incidents", {**window, "limit": 1, "total": "true"})
        total = int(probe.get("total") or 0)
        if total + LIMIT > CEILING and end - start > pd.Timedelta(minutes=2):
            middle = start + (end - start) / 2
            return _pagerduty(client, out, start, middle, bar) + _pagerduty(client, out, middle, end, bar)
    pages, offset = [], 0
    while True:
        path = out / f"pagerduty-{_stamp(start)}-{_stamp(end)}-{offset:05d}.json"
        if path.exists():  # resumed: this page was written by an earlier run
            page = json.loads(path.read_text(encoding="utf-8"))
        else:
            page = client.get("/incidents", {**window, "limit": LIMIT, "offset": offset})
            for incident in page.get("incidents", []):
                incident["log_entries"] = _log_entries(client, str(incident.get("id")))
            _write(path, page)
        bar.update(1)
        pages.append(path)
        if not page.get("more") or offset + LIMIT >= CEILING:
            return pages
        offset += LIMIT


def _log_entries(client: _Client, incident: str) -> list[Any]:
    """Every log entry of one incident (acknowledgements, escalations, assignments...)."""
    entries, offset = [], 0
    while True:
        page = client.get(
            f"/incidents/{incident}/log_entries", {"limit": LIMIT, "offset": offset, "time_zone": "UTC"}
        )
        entries += page.get("log_entries", [])
        if not page.get("more"):
            return entries
        offset += LIMIT


def _opsgenie(client: _Client, out: Path, start: pd.Timestamp, end: pd.Timestamp, bar: Any) -> list[Path]:
    """``GET /v2/alerts`` created in the window (each alert carries its ``report``), offset pages."""
    query = f"createdAt >= {int(start.timestamp() * 1000)} AND createdAt < {int(end.timestamp() * 1000)}"
    pages, offset = [], 0
    while True:
        path = out / f"opsgenie-{_stamp(start)}-{_stamp(end)}-{offset:05d}.json"
        if path.exists():
            page = json.loads(path.read_text(encoding="utf-8"))
        else:
            page = client.get(
                "/v2/alerts", {"query": query, "offset": offset, "limit": LIMIT, "order": "asc"}
            )
            _write(path, page)
        bar.update(1)
        pages.append(path)
        if len(page.get("data", [])) < LIMIT or not (page.get("paging") or {}).get("next"):
            return pages
        offset += LIMIT


def _incidentio(client: _Client, out: Path, start: pd.Timestamp, end: pd.Timestamp, bar: Any) -> list[Path]:
    """``GET /v2/incidents`` created in the window, page by page on the ``after`` cursor."""
    pages, after, number = [], None, 0
    while True:
        path = out / f"incidentio-{_stamp(start)}-{_stamp(end)}-{number:05d}.json"
        if path.exists():
            page = json.loads(path.read_text(encoding="utf-8"))
        else:
            params = {
                "page_size": 250,
                "created_at[gte]": start.strftime("%Y-%m-%d"),
                "created_at[lt]": end.strftime("%Y-%m-%d"),
            }
            if after:
                params["after"] = after
            page = client.get("/v2/incidents", params)
            _write(path, page)
        bar.update(1)
        pages.append(path)
        after = (page.get("pagination_meta") or {}).get("after")
        if not after or not page.get("incidents"):
            return pages
        number += 1


def _statuspage(client: _Client, out: Path) -> Path:
    path = out / "statuspage-incidents.json"
    if not path.exists():
        _write(path, client.get("/api/v2/incidents.json", {}))
    return path


def _write(path: Path, doc: Any) -> None:
    """Write a page whole or not at all: a stopped fetch never leaves half a page to resume from."""
    partial = path.with_suffix(".part")
    partial.write_text(json.dumps(doc), encoding="utf-8")
    partial.replace(path)


class _Client:
    """GET with retries on 429 (honouring Retry-After), 5xx and broken connections."""

    def __init__(
        self, base: str, headers: dict[str, str], *, sleep: Callable[[float], None], vendor: str
    ) -> None:
        import httpx

        self._httpx = httpx
        self._client = httpx.Client(base_url=base, headers=headers, timeout=30.0)
        self._sleep = sleep
        self._vendor = vendor
        self.requests = 0

    def __enter__(self) -> _Client:
        return self

    def __exit__(self, *exc: object) -> None:
        self._client.close()

    def get(self, path: str, params: dict[str, Any]) -> Any:
        for attempt in range(TRIES):
            self.requests += 1
            try:
                response = self._client.get(path, params=params)
            except self._httpx.TransportError as exc:
                if attempt + 1 == TRIES:
                    raise InputError(
                        f"{self._vendor} could not be reached ({type(exc).__name__})",
                        file=str(self._client.base_url),
                    ) from None
                self._sleep(2.0**attempt)
                continue
            if response.status_code == 429 or response.status_code >= 500:
                if attempt + 1 == TRIES:
                    break
                self._sleep(_retry_after(response, attempt))
                continue
            if response.status_code >= 400:
                raise InputError(
                    f"{self._vendor} answered HTTP {response.status_code}: {_message(response)}",
                    file=f"{self._client.base_url}{path}",
                )
            try:
                return response.json()
            except ValueError:
                raise InputError(
                    f"{self._vendor} answered with something that is not JSON",
                    file=f"{self._client.base_url}{path}",
                ) from None
        raise InputError(
            f"{self._vendor} still answered HTTP {response.status_code} after {TRIES} tries: {_message(response)}",
            file=f"{self._client.base_url}{path}",
        )


def _retry_after(response: Any, attempt: int) -> float:
    """The wait a 429 or 503 asks for (seconds), else exponential backoff."""
    value = response.headers.get("Retry-After", "")
    try:
        return max(0.0, float(value))
    except ValueError:
        return float(min(60, 2**attempt))


def _message(response: Any) -> str:
    """The vendor's own words for an error (PagerDuty's ``error.message``), else the body's start."""
    try:
        doc = response.json()
    except ValueError:
        return response.text.strip()[:200] or response.reason_phrase
    error = doc.get("error") if isinstance(doc, dict) else None
    if isinstance(error, dict):
        errors = error.get("errors")
        detail = f" ({'; '.join(map(str, errors))})" if isinstance(errors, list) and errors else ""
        return f"{error.get('message', '')}{detail}".strip() or response.reason_phrase
    if isinstance(doc, dict) and doc.get("message"):
        return str(doc["message"])
    return response.reason_phrase
