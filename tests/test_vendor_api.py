"""fetch against a local HTTP server serving pages in the vendors' documented shapes (no internet)."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

import pandas as pd
import pytest

import mttr_lab as mttr
import mttr_lab.vendor_api as fetching
from mttr_lab.vendor_api import WINDOW_DAYS, fetch

TOKEN = {"PAGERDUTY_TOKEN": "secret-token-123"}


def _four_days(url: str, out, **options):
    """PagerDuty's first four days of 2025 into ``out``, quietly."""
    return fetch(
        "pagerduty", since="2025-01-01", until="2025-01-05", out=out, base_url=url, progress=False, **options
    )


def _incident(number: int, created: pd.Timestamp) -> dict:
    return {
        "id": f"P{number:05d}",
        "type": "incident",
        "incident_number": number,
        "title": f"incident {number}",
        "created_at": created.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "status": "resolved",
        "resolved_at": (created + pd.Timedelta(minutes=42)).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "last_status_change_at": (created + pd.Timedelta(minutes=42)).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "urgency": "high",
        "service": {"id": "PSVC", "type": "service_reference", "summary": "checkout"},
        "priority": {"id": "PRIO", "type": "priority", "name": "P1"},
    }


class Vendor:
    """A fake PagerDuty: incidents one a day, offset pagination, log entries, scripted failures."""

    def __init__(self, *, per_day: int = 1, failures: list[tuple[int, dict[str, str]]] | None = None) -> None:
        self.per_day = per_day
        self.failures = list(failures or [])
        self.requests: list[tuple[str, dict[str, str]]] = []
        self.status: int | None = None
        self.authorizations: list[str | None] = []

    def incidents(self, since: pd.Timestamp, until: pd.Timestamp) -> list[dict]:
        days = pd.date_range(since.ceil("D"), until, freq="D", inclusive="left")
        out = []
        for day in days:
            for k in range(self.per_day):
                created = day + pd.Timedelta(minutes=k)
                if since <= created < until:
                    out.append(_incident(int(created.timestamp() // 60), created))
        return out

    def answer(self, path: str, query: dict[str, str]) -> tuple[int, dict[str, str], dict]:
        self.requests.append((path, query))
        if self.status is not None:
            return self.status, {}, {"error": {"message": "Invalid Token", "code": 2006}}
        if self.failures:
            status, headers = self.failures.pop(0)
            return status, headers, {"error": {"message": "slow down"}}
        if path.startswith("/incidents/") and path.endswith("/log_entries"):
            incident = path.split("/")[2]
            entries = [
                {"type": "trigger_log_entry", "created_at": "", "incident": {"id": incident}},
                {"type": "acknowledge_log_entry", "created_at": "", "incident": {"id": incident}},
            ]
            return 200, {}, {"log_entries": entries, "limit": 100, "offset": 0, "more": False}
        if path == "/incidents":
            since, until = pd.Timestamp(query["since"]), pd.Timestamp(query["until"])
            assert until - since <= pd.Timedelta(days=WINDOW_DAYS)
            found = self.incidents(since, until)
            limit, offset = int(query["limit"]), int(query.get("offset", 0))
            assert offset + limit <= fetching.CEILING, "the listing ceiling was crossed"
            page = found[offset : offset + limit]
            body = {"incidents": page, "limit": limit, "offset": offset, "more": offset + limit < len(found)}
            if query.get("total") == "true":
                body["total"] = len(found)
            return 200, {}, body
        return 404, {}, {"error": {"message": "Not Found"}}


@pytest.fixture
def server():
    vendors: list[Vendor] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            url = urlparse(self.path)
            query = {k: v[-1] for k, v in parse_qs(url.query).items()}
            vendors[0].authorizations.append(self.headers.get("Authorization"))
            status, headers, body = vendors[0].answer(url.path, query)
            data = json.dumps(body).encode()
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: object) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True)
    thread.start()

    def start(vendor: Vendor) -> str:
        vendors[:] = [vendor]
        return f"http://127.0.0.1:{httpd.server_address[1]}"

    yield start
    httpd.shutdown()
    httpd.server_close()


def test_a_long_range_is_fetched_in_windows_of_at_most_six_months_and_read_back(server, tmp_path):
    vendor = Vendor()
    url = server(vendor)
    pages = fetch(
        "pagerduty",
        since="2025-01-01",
        until="2025-12-31",
        out=tmp_path,
        base_url=url,
        progress=False,
        environ=TOKEN,
    )
    windows = {(q["since"], q["until"]) for p, q in vendor.requests if p == "/incidents"}
    assert len(windows) == 3  # 364 days: 180 + 180 + 4
    assert all(p.exists() for p in pages)
    incidents = mttr.read_export(tmp_path)
    assert len(incidents) == 364 and incidents["incident_id"].is_unique
    assert set(incidents["source"]) == {"pagerduty"}
    assert (mttr.phase_durations(incidents)["time_to_resolve"] == pd.Timedelta(minutes=42)).all()
    assert "secret-token-123" not in "".join(p.read_text() for p in pages)
    assert set(vendor.authorizations) == {"Token token=secret-token-123"}


def test_more_pages_then_resume_without_asking_again(server, tmp_path):
    vendor = Vendor(per_day=3)
    url = server(vendor)
    args = {"since": "2025-03-01", "until": "2025-04-15", "out": tmp_path, "base_url": url, "progress": False}
    pages = fetch("pagerduty", environ=TOKEN, **args)
    listing = [q for p, q in vendor.requests if p == "/incidents" and "total" not in q]
    assert [int(q["offset"]) for q in listing] == [0, 100]  # 135 incidents: more=true, then the rest
    assert len(pages) == 2
    vendor.requests.clear()
    assert fetch("pagerduty", environ=TOKEN, **args) == pages
    assert vendor.requests == []  # every page was already written


def test_the_listing_ceiling_splits_the_window(server, tmp_path, monkeypatch):
    # PagerDuty lists at most 10,000 deep; a ceiling of 500 here keeps the test small.
    monkeypatch.setattr(fetching, "CEILING", 500)
    vendor = Vendor(per_day=6)  # 100 days: 600 incidents, above the ceiling
    url = server(vendor)
    fetch(
        "pagerduty",
        since="2025-01-01",
        until="2025-04-11",
        out=tmp_path,
        base_url=url,
        progress=False,
        environ=TOKEN,
    )
    windows = sorted(
        {(q["since"], q["until"]) for p, q in vendor.requests if p == "/incidents" and "total" not in q}
    )
    assert len(windows) == 2
    assert len(mttr.read_export(tmp_path)) == 600


def test_rate_limits_and_server_errors_are_retried_after_the_asked_wait(server, tmp_path):
    vendor = Vendor(failures=[(429, {"Retry-After": "7"}), (503, {})])
    url = server(vendor)
    waits: list[float] = []
    _four_days(url, tmp_path, environ=TOKEN, sleep=waits.append)
    assert waits == [7.0, 2.0]  # Retry-After honoured, then exponential backoff
    assert len(mttr.read_export(tmp_path)) == 4


def test_errors_are_one_line_with_status_and_the_vendors_message(server, tmp_path):
    vendor = Vendor()
    vendor.status = 401
    url = server(vendor)
    with pytest.raises(mttr.InputError) as err:
        _four_days(url, tmp_path, environ=TOKEN)
    message = str(err.value)
    assert "PagerDuty answered HTTP 401: Invalid Token" in message and "\n" not in message
    assert "secret-token-123" not in message
    with pytest.raises(mttr.InputError, match="set the environment variable PAGERDUTY_TOKEN"):
        _four_days(url, tmp_path, environ={})


def test_statuspage_needs_no_token_and_reads_back(server, tmp_path, fixtures):
    page = json.loads((fixtures / "statuspage" / "incidents.json").read_text())

    class Status(Vendor):
        def answer(self, path, query):
            self.requests.append((path, query))
            return (200, {}, page) if path == "/api/v2/incidents.json" else (404, {}, {})

    url = server(Status())
    paths = fetch("statuspage", base_url=url, out=tmp_path, progress=False, environ={})
    assert [p.name for p in paths] == ["statuspage-incidents.json"]
    expected = mttr.read_export(fixtures / "statuspage" / "incidents.json")
    assert mttr.read_export(tmp_path)["incident_id"].tolist() == expected["incident_id"].tolist()


def test_the_command_line_fetches_and_names_a_missing_token_in_one_line(
    server, tmp_path, monkeypatch, capsys
):
    from mttr_lab.cli import main

    url = server(Vendor())
    monkeypatch.delenv("PAGERDUTY_TOKEN", raising=False)
    args = [
        "fetch",
        "pagerduty",
        "--since",
        "2025-01-01",
        "--until",
        "2025-01-03",
        "--out",
        str(tmp_path),
        "--base-url",
        url,
    ]
    assert main(args) == 2
    assert (
        capsys.readouterr().err.strip()
        == "mttr-lab: no PagerDuty token: set the environment variable PAGERDUTY_TOKEN; expected an API key"
    )
    monkeypatch.setenv("PAGERDUTY_TOKEN", "secret-token-123")
    assert main(args) == 0
    assert "1 page in" in capsys.readouterr().out
    assert len(mttr.read_export(tmp_path)) == 2


class Paged(Vendor):
    """A fake Opsgenie or incident.io: ``count`` copies of a fixture record, paged the vendor's way."""

    def __init__(self, vendor: str, record: dict, count: int, *, full_page_says_more: bool = False) -> None:
        super().__init__()
        self.vendor, self.record, self.count = vendor, record, count
        self.full_page_says_more = full_page_says_more  # then a listing can end on an empty page

    def more(self, start: int, size: int) -> bool:
        """Whether a page from ``start`` points on to another (a full one always does, if so set)."""
        return start + size < self.count or (self.full_page_says_more and start + size == self.count)

    def item(self, i: int) -> dict:
        item = json.loads(json.dumps(self.record))
        if self.vendor == "opsgenie":
            item.update(id=f"alert-{i}", tinyId=str(i + 1), alias=f"alias-{i}")
        else:
            item.update(id=f"01INC{i:05d}", reference=f"INC-{i + 1}")
        return item

    def answer(self, path, query):
        self.requests.append((path, query))
        if self.vendor == "opsgenie" and path == "/v2/alerts":
            offset, limit = int(query["offset"]), int(query["limit"])
            items = [self.item(i) for i in range(offset, min(offset + limit, self.count))]
            paging = {"next": "https://next" if self.more(offset, limit) else None}
            return 200, {}, {"data": items, "paging": paging, "took": 0.1, "requestId": f"r{offset}"}
        if self.vendor == "incidentio" and path == "/v2/incidents":
            start = int(query.get("after", "0"))
            items = [self.item(i) for i in range(start, min(start + 250, self.count))]
            after = str(start + 250) if self.more(start, 250) else None
            return 200, {}, {"incidents": items, "pagination_meta": {"after": after, "page_size": 250}}
        return 404, {}, {"message": "Not Found"}


def _fetch_2025(vendor: str, out, url: str, variable: str) -> list:
    """A year of ``vendor``'s pages from the fake at ``url`` into ``out``, with a token in ``variable``."""
    return fetch(
        vendor,
        since="2025-01-01",
        until="2026-01-01",
        out=out,
        base_url=url,
        progress=False,
        environ={variable: "k"},
    )


@pytest.mark.parametrize(
    ("vendor", "fixture", "key", "variable", "count", "pages"),
    [
        ("opsgenie", "opsgenie/alerts.json", "data", "OPSGENIE_API_KEY", 130, 2),
        ("incidentio", "incidentio/incidents_page.json", "incidents", "INCIDENTIO_API_KEY", 300, 2),
    ],
)
def test_opsgenie_and_incidentio_pages_read_back(
    server, tmp_path, fixtures, vendor, fixture, key, variable, count, pages
):
    record = json.loads((fixtures / fixture).read_text())[key][0]
    fake = Paged(vendor, record, count)
    url = server(fake)
    written = _fetch_2025(vendor, tmp_path, url, variable)
    assert len(written) == pages == len(fake.requests)
    incidents = mttr.read_export(tmp_path)
    assert len(incidents) == count and set(incidents["source"]) == {vendor}
    fake.requests.clear()
    _fetch_2025(vendor, tmp_path, url, variable)
    assert fake.requests == []  # resumed from the pages already written


@pytest.mark.parametrize(
    ("vendor", "fixture", "key", "variable", "count", "pages"),
    [
        ("opsgenie", "opsgenie/alerts.json", "data", "OPSGENIE_API_KEY", 200, 3),
        ("incidentio", "incidentio/incidents_page.json", "incidents", "INCIDENTIO_API_KEY", 250, 2),
    ],
)
def test_a_listing_that_ends_on_an_empty_page_reads_back(
    server, tmp_path, fixtures, vendor, fixture, key, variable, count, pages
):
    record = json.loads((fixtures / fixture).read_text())[key][0]
    url = server(Paged(vendor, record, count, full_page_says_more=True))
    written = _fetch_2025(vendor, tmp_path, url, variable)
    assert len(written) == pages and json.loads(written[-1].read_text())[key] == []
    incidents = mttr.read_export(tmp_path)
    assert len(incidents) == count and set(incidents["source"]) == {vendor}
    assert written[-1].name not in set(incidents["file"])


def test_a_folder_that_cannot_be_made_is_one_line(tmp_path):
    blocker = tmp_path / "afile"
    blocker.write_text("not a folder")
    for out, said in (
        (blocker, "this is a file"),
        (blocker / "pages", "cannot make the folder for the pages"),
    ):
        with pytest.raises(mttr.InputError, match=said) as err:
            fetch("statuspage", base_url="http://127.0.0.1:9", out=out, progress=False, environ={})
        assert "\n" not in str(err.value) and "Errno" not in str(err.value)


def test_a_refused_fetch_leaves_no_folder_and_says_what_was_typed_wrong_first(tmp_path):
    out = tmp_path / "pages"
    # No token and no dates: the dates are named first (they are on the command line).
    with pytest.raises(mttr.InputError, match="needs --since and --until"):
        fetch("pagerduty", out=out, progress=False, environ={})
    with pytest.raises(mttr.InputError, match="could be read day first or month first"):
        fetch("pagerduty", since="01/02/2026", until="2026-03-01", out=out, progress=False, environ=TOKEN)
    with pytest.raises(mttr.InputError, match="--until is not after --since"):
        fetch("pagerduty", since="2026-03-01", until="2026-01-01", out=out, progress=False, environ=TOKEN)
    with pytest.raises(mttr.InputError, match="set the environment variable PAGERDUTY_TOKEN"):
        fetch("pagerduty", since="2026-01-01", until="2026-03-01", out=out, progress=False, environ={})
    with pytest.raises(mttr.InputError, match="no fetch for 'pagerdudy'"):
        fetch("pagerdudy", out=out, progress=False, environ={})
    assert not out.exists()
