"""``impact import marketo|hubspot --fetch`` against a local HTTP server replaying the documented shapes, errors included.

The server answers by script: paging, Marketo's ``success: false`` with HTTP
200 (606 rate limit, 615 concurrency, 602 token expired, 607 daily quota),
HubSpot's HTTP 429 with ``Retry-After``. Back-off waits are recorded instead
of slept. Every loop is bounded: a server that never stops paging or never
stops being busy ends in an error.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from impact.importers import fetching
from tests.helpers import run_cli as run

Answer = tuple[int, Any, dict[str, str]]
Route = Callable[[str, str, dict[str, list[str]], Any, dict[str, str]], Answer]


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, Any]]:
    """A local server whose ``route`` the test sets; the calls it got; back-off waits recorded, not slept."""
    state: dict[str, Any] = {"calls": [], "route": None, "waits": []}

    class Handler(BaseHTTPRequestHandler):
        def _answer(self, method: str) -> None:
            url = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            body = json.loads(self.rfile.read(length)) if length else None
            headers = {k.lower(): v for k, v in self.headers.items()}
            state["calls"].append((method, url.path, parse_qs(url.query), headers.get("authorization")))
            status, payload, extra = state["route"](method, url.path, parse_qs(url.query), body, headers)
            raw = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(raw)))
            for key, value in extra.items():
                self.send_header(key, value)
            self.end_headers()
            self.wfile.write(raw)

        def do_GET(self) -> None:
            self._answer("GET")

        def do_POST(self) -> None:
            self._answer("POST")

        def log_message(self, *args: Any) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    state["url"] = f"http://127.0.0.1:{httpd.server_address[1]}"
    monkeypatch.setattr(fetching.time, "sleep", state["waits"].append)
    try:
        yield state
    finally:
        httpd.shutdown()
        httpd.server_close()


def _ok(result: list[Any], **more: Any) -> Answer:
    return 200, {"success": True, "errors": [], "warnings": [], "requestId": "r#1", "result": result, **more}, {}


def _fail(code: str, message: str) -> Answer:
    return 200, {"success": False, "errors": [{"code": code, "message": message}], "requestId": "r#2"}, {}


def marketo_route(state: dict[str, Any]) -> Route:
    """A small instance: 250 programs (two pages), one busy answer (606), one expired token (602), an empty browse."""
    seen: dict[str, int] = {}

    def route(method: str, path: str, query: dict[str, list[str]], body: Any, headers: dict[str, str]) -> Answer:
        seen[path] = seen.get(path, 0) + 1
        if path == "/identity/oauth/token":
            assert query["client_id"] == ["cid"] and query["client_secret"] == ["secret"]
            return (
                200,
                {"access_token": f"tok{seen[path]}", "token_type": "bearer", "expires_in": 3599, "scope": "api"},
                {},
            )
        assert "access_token" not in query, "the token goes in the header"
        if headers.get("authorization") not in (f"Bearer tok{seen.get('/identity/oauth/token', 0)}",):
            return _fail("601", "Access token invalid")
        offset = int(query.get("offset", ["0"])[0])
        if path == "/rest/v1/leads/describe2.json":
            if seen[path] == 1:
                return _fail("606", "Max rate limit '100' exceeded with in '20' secs")
            return _ok(
                [
                    {
                        "name": "API Lead",
                        "fields": [
                            {"name": "country", "displayName": "Country", "dataType": "string", "crmManaged": True}
                        ],
                    }
                ]
            )
        if path == "/rest/asset/v1/programs.json":
            assert query["maxReturn"] == ["200"]
            everything = [
                {"id": i, "name": f"Program {i}", "type": "Default", "folder": {"type": "Folder", "value": 1}}
                for i in range(250)
            ]
            return _ok(everything[offset : offset + 200])
        if path == "/rest/asset/v1/smartCampaigns.json":
            return _ok(
                [{"id": 7, "name": "Set Region", "isActive": True, "smartListId": 70, "parentProgramId": 3}]
                if offset == 0
                else []
            )
        if path == "/rest/asset/v1/smartLists.json":
            return _ok([{"id": 70, "name": "Set Region"}, {"id": 71, "name": "Germany"}] if offset == 0 else [])
        if path == "/rest/asset/v1/smartCampaign/7/smartList.json":
            assert query["includeRules"] == ["true"]
            if seen[path] == 1:
                return _fail("602", "Access token expired")
            rules = {
                "filterMatchType": "all",
                "triggers": [],
                "filters": [
                    {
                        "name": "Country",
                        "ruleType": "Attribute",
                        "conditions": [{"attributeName": "Country", "values": ["Germany"]}],
                    }
                ],
            }
            return _ok([{"id": 70, "name": "Set Region", "rules": rules}])
        if path == "/rest/asset/v1/smartList/71.json":
            return _ok([{"id": 71, "name": "Germany", "rules": {"filters": [], "triggers": []}}])
        if path == "/rest/asset/v1/segmentation.json":
            return _ok([{"id": 5, "name": "Region"}] if offset == 0 else [])
        if path == "/rest/asset/v1/segmentation/5/segments.json":
            return _ok([{"id": 51, "name": "EMEA", "segmentationId": 5}] if offset == 0 else [])
        if path == "/rest/asset/v1/forms.json":  # past the end: a warning and no result at all
            return (
                200,
                {
                    "success": True,
                    "errors": [],
                    "warnings": ["No assets found for the given search criteria."],
                    "requestId": "r#3",
                },
                {},
            )
        raise AssertionError(f"unexpected call {method} {path}")

    return route


@pytest.fixture
def marketo_env(server: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    monkeypatch.setenv("MARKETO_BASE_URL", server["url"])
    monkeypatch.setenv("MARKETO_CLIENT_ID", "cid")
    monkeypatch.setenv("MARKETO_CLIENT_SECRET", "secret")
    server["route"] = marketo_route(server)
    return server


def test_marketo_fetch_pages_backs_off_renews_and_imports(marketo_env: dict[str, Any], tmp_path: Path) -> None:
    folder = tmp_path / "export"
    target = tmp_path / "catalog" / "marketo.yaml"
    code, _out, err = run("import", "marketo", str(folder), "--fetch", "--owner", "mops", "-o", str(target))
    assert code == 0, err
    programs = json.loads((folder / "programs.json").read_text())
    assert len(programs["result"]) == 250  # two pages merged
    assert not (folder / "smartLists" / "70.json").exists()  # the campaign's own list is read with the campaign
    assert json.loads((folder / "forms.json").read_text())["result"] == []
    assert marketo_env["waits"], "the 606 answer was retried after a wait"
    tokens = [c for c in marketo_env["calls"] if c[1] == "/identity/oauth/token"]
    assert len(tokens) == 2  # the expired token renewed once
    assert all(c[3] and c[3].startswith("Bearer ") for c in marketo_env["calls"] if c[1] != "/identity/oauth/token")
    text = target.read_text()
    assert "smart-campaign/Program 3/Set Region" in text and "marketo:field/country" in text
    assert "secret" not in text and "cid" not in text  # credentials never written
    assert "--fetch" in text  # refresh fetches again


@pytest.mark.parametrize(
    ("code", "expected"), [("607", "daily API quota"), ("615", "kept answering 606/615"), ("610", "success: false")]
)
def test_marketo_errors_stop_the_fetch_and_write_nothing(
    marketo_env: dict[str, Any], tmp_path: Path, code: str, expected: str
) -> None:
    route = marketo_env["route"]

    def failing(method: str, path: str, query: dict[str, list[str]], body: Any, headers: dict[str, str]) -> Answer:
        if path == "/rest/asset/v1/smartCampaigns.json":
            return _fail(code, "Requested resource not found" if code == "610" else "busy or quota")
        return route(method, path, query, body, headers)

    marketo_env["route"] = failing
    folder = tmp_path / "export"
    folder.mkdir()
    (folder / "programs.json").write_text('{"success": true, "result": []}')
    status, _out, err = run(
        "import", "marketo", str(folder), "--fetch", "--owner", "mops", "-o", str(tmp_path / "m.yaml")
    )
    assert status == 2 and expected in err, err
    assert "Traceback" not in err
    assert [p.name for p in folder.iterdir()] == ["programs.json"]  # the old export is left as it was
    assert not (tmp_path / "m.yaml").exists()
    assert len(marketo_env["waits"]) <= fetching.MAX_TRIES + 1


def test_marketo_without_credentials_says_which(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("MARKETO_BASE_URL", raising=False)
    code, _out, err = run(
        "import", "marketo", str(tmp_path / "x"), "--fetch", "--owner", "mops", "-o", str(tmp_path / "m.yaml")
    )
    assert code == 2 and "MARKETO_BASE_URL is not set" in err


def hubspot_route(state: dict[str, Any]) -> Route:
    """Three lists on two search pages, two flows on two cursor pages, one 429 with Retry-After."""
    seen: dict[str, int] = {}

    def route(method: str, path: str, query: dict[str, list[str]], body: Any, headers: dict[str, str]) -> Answer:
        seen[path] = seen.get(path, 0) + 1
        if headers.get("authorization") != "Bearer pat-123":
            return (
                401,
                {
                    "status": "error",
                    "message": "Authentication credentials not found.",
                    "category": "INVALID_AUTHENTICATION",
                    "correlationId": "c",
                },
                {},
            )
        if path.startswith("/crm/v3/properties/"):
            if path.endswith("contacts") and seen[path] == 1:
                return (
                    429,
                    {
                        "status": "error",
                        "message": "You have reached your ten_secondly_rolling limit.",
                        "category": "RATE_LIMITS",
                        "correlationId": "c",
                    },
                    {"Retry-After": "2"},
                )
            return (
                200,
                {
                    "results": [{"name": "country", "label": "Country/Region", "type": "string"}]
                    if path.endswith("contacts")
                    else []
                },
                {},
            )
        if path == "/crm/v3/lists/search":
            assert method == "POST"
            if body["offset"] == 0:
                return 200, {"lists": [{"listId": "1"}, {"listId": "2"}], "hasMore": True, "offset": 2, "total": 3}, {}
            return 200, {"lists": [{"listId": "3"}], "hasMore": False, "offset": 3, "total": 3}, {}
        if path.startswith("/crm/v3/lists/"):
            assert query["includeFilters"] == ["true"]
            lid = path.rsplit("/", 1)[1]
            branch = {
                "filterBranchType": "OR",
                "filterBranches": [
                    {"filterBranchType": "AND", "filters": [{"filterType": "PROPERTY", "property": "country"}]}
                ],
            }
            return (
                200,
                {
                    "list": {
                        "listId": lid,
                        "name": f"List {lid}",
                        "objectTypeId": "0-1",
                        "processingType": "DYNAMIC",
                        "filterBranch": branch,
                    }
                },
                {},
            )
        if path == "/automation/v4/flows":
            if "after" not in query:
                return 200, {"results": [{"id": "11", "name": "A"}], "paging": {"next": {"after": "cursor-1"}}}, {}
            return 200, {"results": [{"id": "12", "name": "B"}]}, {}
        if path.startswith("/automation/v4/flows/"):
            fid = path.rsplit("/", 1)[1]
            return 200, {"id": fid, "name": f"Flow {fid}", "objectTypeId": "0-1", "isEnabled": True, "actions": []}, {}
        raise AssertionError(f"unexpected call {method} {path}")

    return route


def test_hubspot_fetch_pages_and_waits_on_429(
    server: dict[str, Any], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("HUBSPOT_BASE_URL", server["url"])
    monkeypatch.setenv("HUBSPOT_TOKEN", "pat-123")
    server["route"] = hubspot_route(server)
    folder = tmp_path / "export"
    target = tmp_path / "catalog" / "hubspot.yaml"
    code, _out, err = run("import", "hubspot", str(folder), "--fetch", "--owner", "mops", "-o", str(target))
    assert code == 0, err
    assert sorted(p.name for p in (folder / "lists").iterdir()) == ["1.json", "2.json", "3.json"]
    assert sorted(p.name for p in (folder / "flows").iterdir()) == ["11.json", "12.json"]
    assert server["waits"] == [2.0]  # Retry-After honoured
    assert "pat-123" not in target.read_text()
    assert "list/List 3" in target.read_text()


def test_hubspot_refused_token_is_an_error(
    server: dict[str, Any], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("HUBSPOT_BASE_URL", server["url"])
    monkeypatch.setenv("HUBSPOT_TOKEN", "wrong")
    server["route"] = hubspot_route(server)
    code, _out, err = run(
        "import", "hubspot", str(tmp_path / "export"), "--fetch", "--owner", "mops", "-o", str(tmp_path / "h.yaml")
    )
    assert code == 2 and "HubSpot answered HTTP 401: Authentication credentials not found." in err
    assert not (tmp_path / "export").exists()


def test_a_server_that_pages_forever_is_stopped(
    server: dict[str, Any], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("HUBSPOT_BASE_URL", server["url"])
    monkeypatch.setenv("HUBSPOT_TOKEN", "pat-123")

    def same_page(method: str, path: str, query: dict[str, list[str]], body: Any, headers: dict[str, str]) -> Answer:
        if path == "/crm/v3/lists/search":
            return 200, {"lists": [], "hasMore": True, "offset": 0}, {}
        return 200, {"results": []}, {}

    server["route"] = same_page
    code, _out, err = run(
        "import", "hubspot", str(tmp_path / "export"), "--fetch", "--owner", "mops", "-o", str(tmp_path / "h.yaml")
    )
    assert code == 2 and "hasMore without moving on" in err
