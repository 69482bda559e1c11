"""``impact import marketo --fetch``: the export folder :mod:`impact.importers.marketo` reads, from a live instance.

Credentials come from ``MARKETO_BASE_URL`` (``https://<munchkin>.mktorest.com``),
``MARKETO_CLIENT_ID`` and ``MARKETO_CLIENT_SECRET``; the token is asked of
``<base>/identity/oauth/token`` and sent in the ``Authorization`` header,
never written anywhere. Browses page with ``offset``/``maxReturn`` (200 a
page) until a page comes back short; every page is merged into one
``result``. A body with ``success: false`` is an error even with HTTP 200;
606 (rate limit) and 615 (concurrency) are retried with back-off, 601/602
(token invalid or expired) get a new token once, 607 (daily quota) stops.
Calls are made one at a time, at most 100 in any 20 seconds.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from impact.core.errors import ImpactError, Problem
from impact.importers.fetching import MAX_TRIES, Client, Sleep, env, into_folder, step, write_json

PAGE = 200
MAX_PAGES = 5_000
BUSY = {"606", "615"}
TOKEN = {"601", "602"}
_LABEL = "Fetching from Marketo"


class Marketo:
    """The calls of one fetch."""

    def __init__(self, sleep: Sleep | None = None) -> None:
        self.client = Client(env("MARKETO_BASE_URL", "Marketo REST endpoint"), 100, 20.0, "Marketo", sleep)
        self.client_id = env("MARKETO_CLIENT_ID", "Marketo API client id")
        self.secret = env("MARKETO_CLIENT_SECRET", "Marketo API client secret")
        self.token: str | None = None

    def _authenticate(self) -> None:
        query = {"grant_type": "client_credentials", "client_id": self.client_id, "client_secret": self.secret}
        body = self.client.request("GET", "/identity/oauth/token", query)
        token = body.get("access_token") if isinstance(body, dict) else None
        if not isinstance(token, str) or not token:
            raise ImpactError(
                Problem(
                    "Marketo /identity/oauth/token",
                    0,
                    0,
                    "no access token in the answer: check MARKETO_CLIENT_ID and MARKETO_CLIENT_SECRET",
                )
            )
        self.token = token

    def get(self, path: str, query: dict[str, Any] | None = None) -> dict[str, Any]:
        """One call's body, ``success: true``; busy answers retried, an expired token renewed once."""
        renewed = False
        for attempt in range(MAX_TRIES):
            if self.token is None:
                self._authenticate()
            body = self.client.request("GET", path, query, {"Authorization": f"Bearer {self.token}"})
            if not isinstance(body, dict):
                raise ImpactError(Problem(f"Marketo {path}", 0, 0, "the answer is not a Marketo response (no object)"))
            if body.get("success") is not False:
                return body
            codes = [str(e.get("code")) for e in body.get("errors") or [] if isinstance(e, dict)]
            if set(codes) & BUSY:
                if attempt + 1 < MAX_TRIES:
                    self.client.backoff(attempt)
                continue
            if set(codes) & TOKEN and not renewed:
                self.token, renewed = None, True
                continue
            raise ImpactError(Problem(f"Marketo {path}", 0, 0, _failure(body, codes)))
        raise ImpactError(
            Problem(
                f"Marketo {path}",
                0,
                0,
                f"Marketo kept answering 606/615 (busy) after {MAX_TRIES} tries; try again later",
            )
        )

    def browse(self, path: str, query: dict[str, Any] | None = None) -> dict[str, Any]:
        """Every page of a browse (``offset``/``maxReturn``), merged into one body."""
        result: list[Any] = []
        for page_number in range(MAX_PAGES):
            body = self.get(path, {**(query or {}), "offset": page_number * PAGE, "maxReturn": PAGE})
            page = body.get("result") or []  # past the end: a warning and no result
            result += page
            if len(page) < PAGE:
                return {**body, "result": result}
        raise ImpactError(
            Problem(
                f"Marketo {path}",
                0,
                0,
                f"more than {MAX_PAGES * PAGE} records: is the instance answering the same page again?",
            )
        )


def _failure(body: dict[str, Any], codes: list[str]) -> str:
    messages = "; ".join(f"{e.get('code')} {e.get('message')}" for e in body.get("errors") or [] if isinstance(e, dict))
    if "607" in codes:
        return (
            "Marketo's daily API quota is used up (607); it resets at midnight US Central time: "
            f"fetch again then ({messages})"
        )
    if set(codes) & {"603"}:
        return (
            "the API user may not read this (603 access denied): give its role the Read-Only Assets and Read-Only Lead "
            f"permissions ({messages})"
        )
    return f"Marketo answered success: false ({messages or 'no errors given'})"


def fetch_marketo(folder: Path, sleep: Sleep | None = None) -> int:
    """Write the export folder from the live instance; how many calls it took."""
    api = Marketo(sleep)
    into_folder(folder, lambda work: _fill(api, work))
    return api.client.count


def _fill(api: Marketo, work: Path) -> None:
    step(_LABEL, 0)
    write_json(work, "leadFields.json", api.get("/rest/v1/leads/describe2.json"))
    write_json(work, "programs.json", api.browse("/rest/asset/v1/programs.json"))
    campaigns = api.browse("/rest/asset/v1/smartCampaigns.json")
    write_json(work, "smartCampaigns.json", campaigns)
    lists = api.browse("/rest/asset/v1/smartLists.json")
    segmentations = api.browse("/rest/asset/v1/segmentation.json")
    write_json(work, "segmentations.json", segmentations)
    forms = api.browse("/rest/asset/v1/forms.json")
    write_json(work, "forms.json", forms)
    own = {str(c.get("smartListId")) for c in campaigns["result"] if isinstance(c, dict)}
    calls: list[tuple[str, str, bool]] = []
    calls += [
        (f"smartCampaigns/{c['id']}/smartList.json", f"/rest/asset/v1/smartCampaign/{c['id']}/smartList.json", False)
        for c in _with_id(campaigns)
    ]
    calls += [
        (f"smartLists/{s['id']}.json", f"/rest/asset/v1/smartList/{s['id']}.json", False)
        for s in _with_id(lists)
        if str(s["id"]) not in own
    ]
    calls += [
        (f"segmentations/{s['id']}/segments.json", f"/rest/asset/v1/segmentation/{s['id']}/segments.json", True)
        for s in _with_id(segmentations)
    ]
    calls += [
        (f"forms/{f['id']}/fields.json", f"/rest/asset/v1/form/{f['id']}/fields.json", False) for f in _with_id(forms)
    ]
    for done, (rel, path, paged) in enumerate(calls, 1):
        query = {"includeRules": "true"} if "smartList" in path else None
        write_json(work, rel, api.browse(path) if paged else api.get(path, query))
        step(_LABEL, done, len(calls))


def _with_id(body: dict[str, Any]) -> list[dict[str, Any]]:
    return [item for item in body.get("result") or [] if isinstance(item, dict) and str(item.get("id", "")).isdigit()]
