"""``impact site``: the catalog explorer as a static folder of files.

:func:`render_site` returns file name → bytes; the CLI writes them all at
once (a new folder swapped in for the old one). The site is
``index.html``, ``site.css``, ``site.js`` and ``data/*.js``:

* **No server, no flags.** Browsers refuse ``fetch()`` of a neighbouring
  file on ``file://``, but they run ``<script src>`` files. Each data file is
  one call, ``impactSite.load("<name>", "<JSON text>")``: the catalog's data
  travels as a JavaScript *string* that the page parses with ``JSON.parse``,
  so nothing from a catalog is ever code, and the page shows it with
  ``textContent`` only.
* **No network.** A Content-Security-Policy allows scripts and styles from
  the site's own folder only, images only as ``data:``, and no connection.
* **Big catalogs.** Assets are cut into shards of :data:`SHARD_ASSETS`
  (ids, names, types, tools, owners, descriptions and each asset's
  downstream neighbours as positions), loaded in parallel; what an asset
  reaches is searched in the page from that adjacency.
* **Deterministic.** Everything is sorted or in id order; no date is written.
"""

from __future__ import annotations

import contextlib
import json
import marshal
from bisect import bisect_left
from importlib.resources import files
from pathlib import Path
from typing import Any, NamedTuple

import jinja2
import orjson

from impact.analysis.decision import Decision
from impact.analysis.site import SiteChange, SiteModel
from impact.core.vocabulary import ASPECTS
from impact.render.plaintext import HIDDEN
from impact.render.readiness import plain, readiness_lines
from impact.store import cache

SHARD_ASSETS = 10_000
"""Assets per data file: about 0.9 MB each for the generated benchmark catalogs, far below the 25 MB asked of any file.
"""

GENERATOR = "impact site"
"""The ``<meta name="generator">`` of the page: marks a folder ``impact site`` may replace."""

STATIC = ("site.css", "site.js")


def _text(obj: Any) -> bytes:
    return orjson.dumps(obj)


def js_payload(name: str, data: Any) -> bytes:
    """One data file: ``impactSite.load(name, "<JSON>")``, the JSON as a string literal.

    ``json.dumps`` of the JSON text escapes quotes, backslashes and control
    characters; U+2028 and U+2029 (line ends in older JavaScript) and ``<``
    are escaped too, so the literal can never end early nor read as markup.

    Examples
    --------
    >>> js_payload("meta", {"a": "</script>\\u2028\\""}).decode()
    'impactSite.load("meta", "{\\\\"a\\\\":\\\\"\\\\u003c/script>\\\\u2028\\\\\\\\\\\\"\\\\"}");\\n'
    """
    text = _text(data).decode("utf-8")
    literal = json.dumps(text, ensure_ascii=False)
    literal = literal.replace("<", "\\u003c")
    # U+2028/U+2029 and every other invisible or reordering character: a JavaScript escape, never raw in the file.
    literal = HIDDEN.sub(lambda m: f"\\u{ord(m.group()):04x}", literal)
    return f"impactSite.load({json.dumps(name)}, {literal});\n".encode()


def _table(values: list[str]) -> tuple[list[str], dict[str, int]]:
    ordered = sorted(set(values))
    return ordered, {v: i for i, v in enumerate(ordered)}


def site_data(model: SiteModel) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The site's data: the meta document and one document per shard of assets."""
    catalog = model.catalog
    ids = model.ids
    assets = [catalog.assets[aid] for aid in ids]
    types, type_at = _table([a.type for a in assets])
    owners, owner_at = _table([a.owner for a in assets])
    system_at = {s: i for i, s in enumerate(sorted(catalog.systems))}
    at = _Positions(type_at, owner_at, system_at, sorted(model.notes), sorted(model.uses))
    shards = [
        _shard(model, assets, start, min(start + SHARD_ASSETS, len(ids)), at)
        for start in range(0, len(ids), SHARD_ASSETS)
    ]
    teams = [
        {"id": t.id, "name": t.name, "email": t.email, "slack": t.slack, "members": list(t.members)}
        for t in sorted(catalog.teams.values(), key=lambda t: t.id)
    ]
    systems = [
        {
            "id": s.id,
            "name": s.name,
            "kind": s.kind,
            "owner": s.owner,
            "consulted": list(s.consulted),
            "informed": list(s.informed),
        }
        for s in (catalog.systems[sid] for sid in system_at)
    ]
    index = {aid: i for i, aid in enumerate(ids)}
    tests = _tests(model, index)
    meta = {
        "version": 1,
        "catalog": catalog.root,
        "max_tools": model.max_tools,
        "counts": {
            "assets": len(ids),
            "dependencies": len(model.targets),
            "teams": len(teams),
            "tools": len(systems),
            "tests": len(tests),
        },
        "shards": [{"file": _shard_name(i), "start": s["start"], "count": len(s["ids"])} for i, s in enumerate(shards)],
        "types": types,
        "owners": owners,
        "teams": teams,
        "systems": systems,
        "tests": tests,
        "changes": _changes(model, index),
        "skipped": [str(p) for p in model.skipped],
    }
    return meta, shards


class _Positions(NamedTuple):
    """Where each type, owner and tool stands in the site's tables; the positions of the noted and used edges."""

    type_at: dict[str, int]
    owner_at: dict[str, int]
    system_at: dict[str, int]
    noted: list[int]
    used: list[int]


def _shard(model: SiteModel, assets: list[Any], start: int, end: int, at: _Positions) -> dict[str, Any]:
    """The assets from position ``start`` to ``end``: their columns, and their dependencies by position."""
    offsets, targets, notes, uses = model.offsets, model.targets, model.notes, model.uses
    type_at, owner_at, system_at, noted, used = at
    part = assets[start:end]
    first_edge, last_edge = offsets[start], offsets[end]
    return {
        "start": start,
        "ids": model.ids[start:end],
        "names": [getattr(a, "name", None) for a in part],
        "types": [type_at[a.type] for a in part],
        "systems": [system_at[a.system] for a in part],
        "owners": [owner_at[a.owner] for a in part],
        "critical": [i for i, a in enumerate(part) if a.critical],
        "descriptions": [a.description for a in part],
        "consulted": [[i, list(a.consulted)] for i, a in enumerate(part) if a.consulted],
        "informed": [[i, list(a.informed)] for i, a in enumerate(part) if a.informed],
        "offsets": [o - first_edge for o in offsets[start : end + 1]],
        "targets": list(targets[first_edge:last_edge]),
        "notes": [
            [pos - first_edge, notes[pos]]
            for pos in noted[bisect_left(noted, first_edge) : bisect_left(noted, last_edge)]
        ],
        # What a dependency uses, for those that say (impact.core.aspects): the search follows the same rule.
        "uses": [
            [pos - first_edge, [a for a in ASPECTS if a in uses[pos]]]
            for pos in used[bisect_left(used, first_edge) : bisect_left(used, last_edge)]
        ],
    }


def _tests(model: SiteModel, index: dict[str, int]) -> list[dict[str, Any]]:
    """The catalog's tests, in id order, each with the positions of the assets it covers."""
    tests = []
    for tid in sorted(model.catalog.tests):
        t = model.catalog.tests[tid]
        tests.append(
            {
                "id": t.id,
                "name": t.name,
                "covers": sorted(index[a] for a in t.covers if a in index),
                "owner": t.owner,
                "kind": t.kind,
                "minutes": t.minutes,
                "run": t.run,
                "steps": list(t.steps),
            }
        )
    return tests


def _changes(model: SiteModel, index: dict[str, int]) -> list[dict[str, Any]]:
    """The change requests shown, each with its verdict's words and what it changes."""
    changes = []
    for sc in model.changes:
        c = sc.change
        changes.append(
            {
                "id": c.id,
                "title": c.title,
                "status": c.status,
                "release": c.release,
                "path": c.path,
                "requested_by": c.requested_by,
                "file": c.file,
                **_decision_words(sc, model),
                "changed": [
                    {
                        "asset": index.get(item.asset, -1),
                        "id": item.asset,
                        "action": item.action,
                        "note": item.note,
                        "aspects": [a for a in ASPECTS if a in item.aspects],
                    }
                    for item in sc.changed
                ],
                **_reached(sc, index),
            }
        )
    return changes


def _reached(sc: SiteChange, index: dict[str, int]) -> dict[str, Any]:
    """A value-level change's answer as ``impact check`` gives it: ``[asset, tools, steps, via]`` rows (positions)."""
    if sc.reached is None:
        return {}
    rows = [[index[a], tools, steps, index.get(via, -1) if via else -1] for a, tools, steps, via in sc.reached]
    return {"reached": rows}


def _shard_name(i: int) -> str:
    return f"data/assets-{i:03d}.js"


def is_site(folder: Path) -> bool:
    """Whether ``folder`` holds a site ``impact site`` wrote (so it may be replaced)."""
    page = folder / "index.html"
    try:
        head = page.read_bytes()[:2048]
    except OSError:
        return False
    return f'<meta name="generator" content="{GENERATOR}">'.encode() in head


def _static(name: str) -> bytes:
    return files("impact.render.site").joinpath(name).read_bytes()


def render_site(model: SiteModel) -> dict[str, bytes]:
    """Every file of the site, by path inside the site's folder."""
    meta, shards = site_data(model)
    env = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined, keep_trailing_newline=True)
    template = env.from_string(_static("index.html.j2").decode("utf-8"))
    page = template.render(
        catalog=model.catalog.root,
        generator=GENERATOR,
        counts=meta["counts"],
        scripts=["data/meta.js", *(s["file"] for s in meta["shards"])],
    )
    out: dict[str, bytes] = {"index.html": page.encode("utf-8")}
    for name in STATIC:
        out[name] = _static(name)
    out["data/meta.js"] = js_payload("meta", meta)
    for i, shard in enumerate(shards):
        out[_shard_name(i)] = js_payload(f"shard:{i}", shard)
    return out


def _words(decision: Decision) -> dict[str, Any]:
    lines = readiness_lines(decision, plain)
    return {"verdict": decision.headline, "tests": decision.cost, "readiness": [line.strip() for line in lines[1:]]}


def _decision_words(sc: SiteChange, model: SiteModel) -> dict[str, Any]:
    """The change's verdict, test cost and readiness lines, in the words of every other output.

    Working them out searches the catalog again for each change; the words
    are kept in the cache under the catalog's content, the change file's
    bytes, ``--max-tools`` and impact's code, so an unchanged change costs
    nothing the next time the site is written.
    """
    if sc.decide is None:
        return {}
    key = model.catalog.content_key
    try:
        raw = Path(sc.change.file).read_bytes() if key and cache.enabled() else None
    except OSError:
        raw = None
    if raw is None or key is None:
        return _words(sc.decide())
    entry = cache.cache_dir() / "site" / f"{cache.digest(model.catalog.root, sc.change.file)}.bin"
    full = cache.digest(cache.package_version(), "site-words", key, raw, str(model.max_tools))
    blob = cache.read(entry, full)
    if blob is not None:
        with contextlib.suppress(ValueError, EOFError, TypeError):
            kept = marshal.loads(blob)
            if isinstance(kept, dict):
                return kept
    words = _words(sc.decide())
    cache.write(entry, full, marshal.dumps(words))
    return words
