"""``impact import hubspot --fetch``: the export folder :mod:`impact.importers.hubspot` reads, from a live account.

A private app's token comes from ``HUBSPOT_TOKEN`` (sent in the
``Authorization`` header, never written); ``HUBSPOT_BASE_URL`` defaults to
``https://api.hubapi.com``. Lists are found with ``POST /crm/v3/lists/search``
(``offset``/``hasMore``) and each read with its filters; workflows with
``GET /automation/v4/flows`` (``paging.next.after``) and each read whole;
properties of contacts, companies, deals and tickets. HTTP 429 is retried
with back-off (``Retry-After`` when given); calls are made one at a time, at
most 100 in any 10 seconds (HubSpot allows 100 to 190 per app).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any
from urllib.parse import quote

from impact.core.errors import ImpactError, Problem
from impact.importers.fetching import Client, Sleep, env, into_folder, step, write_json

OBJECTS = ("contacts", "companies", "deals", "tickets")
PAGE = 100
MAX_PAGES = 10_000
_LABEL = "Fetching from HubSpot"


class HubSpot:
    def __init__(self, sleep: Sleep | None = None) -> None:
        token = env("HUBSPOT_TOKEN", "HubSpot private app token")
        self.headers = {"Authorization": f"Bearer {token}"}
        self.client = Client(
            os.environ.get("HUBSPOT_BASE_URL", "").strip() or "https://api.hubapi.com", 100, 10.0, "HubSpot", sleep
        )

    def get(self, path: str, query: dict[str, Any] | None = None) -> dict[str, Any]:
        body = self.client.request("GET", path, query, self.headers)
        return _object(body, path)

    def post(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        return _object(self.client.request("POST", path, None, self.headers, body), path)

    def list_ids(self) -> list[str]:
        ids: list[str] = []
        offset: Any = 0
        for _ in range(MAX_PAGES):
            page = self.post("/crm/v3/lists/search", {"offset": offset, "count": PAGE})
            ids += [
                str(item["listId"])
                for item in page.get("lists") or []
                if isinstance(item, dict) and item.get("listId") is not None
            ]
            if not page.get("hasMore"):
                return ids
            if page.get("offset") == offset:
                break
            offset = page.get("offset")
        raise ImpactError(
            Problem(
                "HubSpot /crm/v3/lists/search",
                0,
                0,
                "the list search kept saying hasMore without moving on; fetch again later",
            )
        )

    def flow_ids(self) -> list[str]:
        ids: list[str] = []
        after: Any = None
        for _ in range(MAX_PAGES):
            page = self.get("/automation/v4/flows", {"limit": PAGE, **({"after": after} if after else {})})
            ids += [
                str(item["id"])
                for item in page.get("results") or []
                if isinstance(item, dict) and item.get("id") is not None
            ]
            nxt = ((page.get("paging") or {}).get("next") or {}).get("after")
            if not nxt:
                return ids
            if nxt == after:
                break
            after = nxt
        raise ImpactError(
            Problem(
                "HubSpot /automation/v4/flows",
                0,
                0,
                "the workflow pages kept pointing at the same page; fetch again later",
            )
        )


def _object(body: Any, path: str) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise ImpactError(Problem(f"HubSpot {path}", 0, 0, "the answer is not a HubSpot response (no object)"))
    return body


def _safe(ident: str) -> str:
    if not ident.replace("-", "").isalnum():
        raise ImpactError(
            Problem("HubSpot", 0, 0, f"an id HubSpot gave ({ident!r}) is not an id: refusing to use it as a file name")
        )
    return ident


def fetch_hubspot(folder: Path, sleep: Sleep | None = None) -> int:
    """Write the export folder from the live account; how many calls it took."""
    api = HubSpot(sleep)
    into_folder(folder, lambda work: _fill(api, work))
    return api.client.count


def _fill(api: HubSpot, work: Path) -> None:
    step(_LABEL, 0)
    for obj in OBJECTS:
        write_json(work, f"properties/{obj}.json", api.get(f"/crm/v3/properties/{obj}"))
    lists, flows = api.list_ids(), api.flow_ids()
    total = len(lists) + len(flows)
    for done, list_id in enumerate(lists, 1):
        write_json(
            work, f"lists/{_safe(list_id)}.json", api.get(f"/crm/v3/lists/{quote(list_id)}", {"includeFilters": "true"})
        )
        step(_LABEL, done, total)
    for done, flow_id in enumerate(flows, len(lists) + 1):
        write_json(work, f"flows/{_safe(flow_id)}.json", api.get(f"/automation/v4/flows/{quote(flow_id)}"))
        step(_LABEL, done, total)
