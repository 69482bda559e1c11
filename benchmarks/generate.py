#!/usr/bin/env python3
"""Generate a synthetic `impact` catalog for benchmarking.

Usage::

    python benchmarks/generate.py OUT_DIR --assets N [--tools T] [--files F]
        [--seed S] [--teams K] [--tests M] [--edges-per-asset E] [--changes C]

The output is a directory of YAML files in the catalog format read by
`impact`:

* ``OUT_DIR/teams.yaml``              -- K teams
* ``OUT_DIR/<system-id>.yaml``        -- one file per system (about F of them)
* ``OUT_DIR/tests-NN.yaml``           -- M regression tests split over a few files
* ``OUT_DIR/../changes/CR-<n>.yaml``  -- C change requests, in a ``changes/``
  directory that is a *sibling* of OUT_DIR; each has ``catalog: ../<OUT_DIR name>``

Shape of the generated stack
----------------------------
* T tools in a rough pipeline order: website, gtm, marketo, leandata,
  salesforce, outreach, snowflake, dbt, tableau, then ``tool-10``,
  ``tool-11``, ...  Assets are spread unevenly over the tools (salesforce,
  snowflake, website and marketo are big; routing and tag management small).
* Each tool is split into one or more *systems* (``<tool>`` when it is not
  split, else ``<tool>-1``, ``<tool>-2``, ...), each written wholly to its own
  file, so that the number of systems is ``max(T, F)``.
* Every asset depends on about E upstream assets on average (the per-asset
  count is log-normally distributed).  Upstream assets are mostly in the same
  tool (half "nearby" assets, half power-law picks favouring the tool's first
  few *hub* assets) or in the previous 1-2 tools of the pipeline, occasionally
  in any earlier tool.  The forward edges form a DAG (pipeline order, then
  index within a tool); hub assets end up with thousands of dependents at
  100,000 assets.
* Cycles come only from explicit back-edges: "two-way sync" pairs between
  adjacent tools (A <-> B) and "reverse ETL" triangles over three tools
  (A <- B <- C <- A).  The back-edge source A of every cycle (and B of a
  triangle) is never picked as a random upstream, which keeps each strongly
  connected component at 2-3 assets instead of fusing large parts of the
  pipeline into one giant cycle.
* About 1.5% of edges are declared with ``feeds:`` on the upstream asset
  instead of ``depends_on:`` on the downstream one (only within one system, so
  each system can be written as soon as it is generated); about 5% of
  ``depends_on`` entries carry a note; about 2% of assets are critical.
* Tests cover 1-5 assets each, typically a short path through the pipeline.

Every referenced team and asset exists, ids are unique, no edge is declared
twice and there are no self-loops.  The output is a deterministic function of
the arguments (including ``--seed``).

YAML is written by hand (stdlib only): every string is double-quoted with
JSON-style escaping, which is valid YAML.  Systems are streamed to disk one at
a time, so memory stays bounded by the largest system plus a few small
per-asset arrays (about 8 bytes per asset), which makes ``--assets 1000000``
practical.

A one-line summary (assets, edges, files, bytes, time) is printed on stdout.
"""

from __future__ import annotations

import argparse
import bisect
import math
import random
import sys
import time
from array import array
from pathlib import Path

try:  # C-accelerated JSON string escaping (stdlib); falls back to json.dumps.
    from json.encoder import c_encode_basestring_ascii as _c_quote
except ImportError:  # pragma: no cover
    _c_quote = None
if _c_quote is None:  # pragma: no cover
    import json

    def q(s: str) -> str:
        """Return `s` as a double-quoted, JSON-escaped (hence YAML-safe) string."""
        return json.dumps(s)
else:
    q = _c_quote

# ---------------------------------------------------------------------------
# Static vocabulary
# ---------------------------------------------------------------------------

# (tool id, display name, kind, relative size, preferred owner team,
#  core keys (hub assets first), [(key prefix, key suffix, asset type), ...])
NAMED_TOOLS = [
    ("website", "Website", "website", 1.6, "web",
     ["/", "/pricing/", "/demo/", "form/website.contact"],
     [("/products/p-", "/", "page"), ("/blog/post-", "/", "page"),
      ("/lp/campaign-", "/", "page"), ("form/website.f", "", "form"),
      ("/docs/page-", "/", "page"), ("component/c-", "", "component")]),
    ("gtm", "Google Tag Manager", "tag-manager", 0.5, "growth",
     ["variable/dataLayer", "tag/ga4-config", "trigger/all-pages"],
     [("tag/t-", "", "tag"), ("trigger/tr-", "", "trigger"),
      ("variable/dlv-", "", "variable")]),
    ("marketo", "Marketo", "marketing-automation", 1.5, "marketing-ops",
     ["field/lead.email", "field/lead.lead_source", "program/operational"],
     [("field/lead.f", "", "field"), ("program/prog-", "", "program"),
      ("smart-campaign/sc-", "", "smart-campaign"), ("form/mkto-", "", "form"),
      ("list/sl-", "", "list")]),
    ("leandata", "LeanData", "routing", 0.4, "revops",
     ["router/inbound-lead", "match-rule/lead-to-account"],
     [("router/r-", "", "router"), ("node/n-", "", "node"),
      ("match-rule/m-", "", "match-rule")]),
    ("salesforce", "Salesforce", "crm", 3.0, "sales-ops",
     ["field/lead.email", "field/lead.status", "field/account.owner_id",
      "field/opportunity.stage"],
     [("field/lead.f", "", "field"), ("field/contact.f", "", "field"),
      ("field/account.f", "", "field"), ("field/opportunity.f", "", "field"),
      ("flow/fl-", "", "flow"), ("validation-rule/vr-", "", "validation-rule"),
      ("report/rep-", "", "report")]),
    ("outreach", "Outreach", "sales-engagement", 0.8, "sales-dev",
     ["field/prospect.email", "sequence/inbound-default"],
     [("sequence/seq-", "", "sequence"), ("field/prospect.f", "", "field"),
      ("trigger/tr-", "", "trigger")]),
    ("snowflake", "Snowflake", "warehouse", 2.4, "data-eng",
     ["table/raw.salesforce_lead", "table/raw.salesforce_opportunity",
      "table/raw.marketo_activity"],
     [("table/raw.t", "", "table"), ("view/analytics.v", "", "view"),
      ("table/analytics.t", "", "table")]),
    ("dbt", "dbt", "transformation", 1.5, "analytics",
     ["model/stg_leads", "model/dim_accounts", "model/fct_pipeline"],
     [("model/stg_", "", "model"), ("model/int_", "", "model"),
      ("model/fct_", "", "model"), ("model/dim_", "", "model")]),
    ("tableau", "Tableau", "bi", 1.0, "bi",
     ["datasource/pipeline", "dashboard/exec-pipeline"],
     [("dashboard/d-", "", "dashboard"), ("workbook/wb-", "", "workbook"),
      ("datasource/ds-", "", "datasource")]),
]

# Kinds / key patterns cycled through for the generic tools tool-10, tool-11, ...
GENERIC_KINDS = [
    ("cdp", [("event/e-", "", "event"), ("trait/tr-", "", "trait"),
             ("audience/aud-", "", "audience")]),
    ("enrichment", [("field/f", "", "field"), ("job/j-", "", "job")]),
    ("ads", [("campaign/c-", "", "campaign"), ("audience/aud-", "", "audience"),
             ("conversion/cv-", "", "conversion")]),
    ("cpq", [("product/p-", "", "product"), ("rule/r-", "", "rule"),
             ("field/quote.f", "", "field")]),
    ("billing", [("plan/p-", "", "plan"), ("field/invoice.f", "", "field")]),
    ("support", [("field/ticket.f", "", "field"), ("macro/m-", "", "macro"),
                 ("view/v-", "", "view")]),
    ("product-analytics", [("event/e-", "", "event"),
                           ("cohort/co-", "", "cohort"),
                           ("chart/ch-", "", "chart")]),
    ("reverse-etl", [("sync/s-", "", "sync"), ("model/m-", "", "model")]),
    ("data-quality", [("monitor/mon-", "", "monitor"), ("rule/r-", "", "rule")]),
    ("events", [("event/e-", "", "event"), ("schema/s-", "", "schema")]),
]

TEAM_NAMES = [
    "web", "growth", "marketing-ops", "revops", "sales-ops", "sales-dev",
    "data-eng", "analytics", "bi", "demand-gen", "product-marketing", "it",
    "security", "finance-systems", "customer-success", "brand",
]

TEAM_DISPLAY = {"bi": "BI", "it": "IT", "revops": "RevOps",
                "marketing-ops": "Marketing Ops", "sales-ops": "Sales Ops"}

EDGE_NOTES = [
    "formula reference", "lookup field", "mapped in integration sync",
    "used in workflow criteria", "joined on this key", "filter condition",
    "populated by webhook", "referenced in email template",
    "source for calculated metric", "dedupe key",
]

# ---------------------------------------------------------------------------
# Tunables (fractions are approximate)
# ---------------------------------------------------------------------------
P_SAME_TOOL = 0.50      # upstream in the same tool
P_PREV_1 = 0.80         # cumulative: ... or in the previous tool
P_PREV_2 = 0.95         # cumulative: ... or two tools back; else any earlier tool
P_LOCAL = 0.5           # same-tool pick is "nearby" (vs power-law towards hubs)
LOCAL_SCALE = 25.0      # mean distance of a nearby same-tool pick
P_ALIGNED = 0.5         # cross-tool pick is at the "aligned" position (vs power law)
ALPHA = 5.0             # power-law exponent for hub picks: j = n * u**ALPHA
DEGREE_SIGMA = 0.9      # log-normal sigma of upstream counts
MAX_DEGREE = 250
P_FEEDS = 0.06          # same-system edge declared as feeds: on the upstream
P_NOTE = 0.05           # depends_on entry carries a note
P_CRITICAL = 0.02
CORE_CRITICAL = 3       # the first few assets (hubs) of each tool are critical
P_ASSET_OWNER = 0.25
P_DESCRIPTION = 0.30
SYNC_PAIRS_PER_ASSET = 0.003    # two-way syncs (2-cycles)
REVERSE_ETL_PER_ASSET = 0.001   # reverse-ETL triangles (3-cycles)


class Tool:
    __slots__ = (
        "core",
        "display",
        "id",
        "idx",
        "kind",
        "n",
        "owner",
        "patterns",
        "pref_owner",
        "start",
        "sys_ids",
        "sys_starts",
        "weight",
    )

    def key(self, j: int) -> str:
        """Asset key of the j-th asset (0-based, within the tool)."""
        core = self.core
        if j < len(core):
            return core[j]
        pre, suf, _ = self.patterns[j % len(self.patterns)]
        return f"{pre}{j}{suf}"

    def type(self, j: int) -> str:
        core = self.core
        if j < len(core):
            k = core[j]
            if k.startswith("/"):
                return "page"
            return k.split("/", 1)[0]
        return self.patterns[j % len(self.patterns)][2]

    def asset_id(self, j: int) -> str:
        s = bisect.bisect_right(self.sys_starts, j) - 1
        return f"{self.sys_ids[s]}:{self.key(j)}"


def build_tools(n_tools: int, n_assets: int, n_systems: int,
                rng: random.Random) -> list[Tool]:
    tools = []
    for t in range(n_tools):
        tool = Tool()
        tool.idx = t
        if t < len(NAMED_TOOLS):
            (tool.id, tool.display, tool.kind, tool.weight, tool.pref_owner,
             tool.core, tool.patterns) = NAMED_TOOLS[t]
        else:
            kind, patterns = GENERIC_KINDS[(t - len(NAMED_TOOLS)) % len(GENERIC_KINDS)]
            tool.id = f"tool-{t + 1}"
            tool.display = f"Tool {t + 1} ({kind})"
            tool.kind = kind
            tool.weight = rng.lognormvariate(-0.4, 0.9)
            tool.pref_owner = None
            tool.core = []
            tool.patterns = patterns
        tools.append(tool)

    # Uneven split of assets across tools (largest remainder, >= 1 each).
    sizes = apportion(n_assets, [t.weight for t in tools], minimum=1)
    start = 0
    for tool, n in zip(tools, sizes):
        tool.n = n
        tool.start = start
        start += n

    # Systems: every tool gets one, the rest go to big tools proportionally.
    n_sys = apportion(n_systems, [t.n for t in tools], minimum=1,
                      maximum=[t.n for t in tools])
    for tool, s in zip(tools, n_sys):
        tool.sys_starts = [k * tool.n // s for k in range(s)]
        tool.sys_ids = ([tool.id] if s == 1 else
                        [f"{tool.id}-{k + 1}" for k in range(s)])
    return tools


def apportion(total: int, weights: list[float], minimum: int = 0,
              maximum: list[int] | None = None) -> list[int]:
    """Split `total` into integers proportional to `weights` (largest remainder),
    each at least `minimum` and at most maximum[i]."""
    k = len(weights)
    out = [minimum] * k
    rest = total - minimum * k
    if rest <= 0:
        return out
    wsum = sum(weights)
    shares = [rest * w / wsum for w in weights]
    for i, s in enumerate(shares):
        out[i] += int(s)
    if maximum is not None:
        out = [min(o, m) for o, m in zip(out, maximum)]
    left = total - sum(out)
    order = sorted(range(k), key=lambda i: (-(shares[i] - int(shares[i])), i))
    while left > 0:
        progressed = False
        for i in order:
            if left == 0:
                break
            if maximum is None or out[i] < maximum[i]:
                out[i] += 1
                left -= 1
                progressed = True
        if not progressed:
            break
    return out


def make_teams(k: int) -> list[tuple[str, str]]:
    teams = []
    for i in range(k):
        if i < len(TEAM_NAMES):
            tid = TEAM_NAMES[i]
            name = TEAM_DISPLAY.get(tid) or tid.replace("-", " ").title()
        else:
            tid = f"team-{i + 1:02d}"
            name = f"Team {i + 1}"
        teams.append((tid, name))
    return teams


# ---------------------------------------------------------------------------
# Generator
# ---------------------------------------------------------------------------

class Generator:
    def __init__(self, args: argparse.Namespace):
        self.args = args
        self.rng = random.Random(args.seed)
        self.n = args.assets
        n_tools = min(args.tools, self.n)
        files = args.files if args.files is not None else max(1, round(self.n / 500))
        self.n_systems = max(n_tools, min(files, self.n))
        self.teams = make_teams(args.teams)
        self.team_ids = [t for t, _ in self.teams]
        self.tools = build_tools(n_tools, self.n, self.n_systems, self.rng)
        self.fanin = array("I", bytes(4 * self.n))   # direct dependents per asset
        self.edges = 0
        self.feeds_edges = 0
        self.back_edges = 0
        self.noted_edges = 0
        self.critical = 0
        self.files: list[Path] = []
        self._plan_cycles()

    # -- cycles -------------------------------------------------------------
    def _plan_cycles(self) -> None:
        """Pre-plan two-way syncs and reverse-ETL triangles.

        extra[(t, j)] lists (upstream tool, upstream index, note) edges that the
        asset must have in addition to its random ones; `no_pick` holds the
        back-edge sources that random picks must avoid (keeps SCCs tiny)."""
        rng, tools = self.rng, self.tools
        self.extra: dict[tuple[int, int], list[tuple[int, int, str]]] = {}
        self.no_pick: set[tuple[int, int]] = set()
        used: set[tuple[int, int]] = set()
        T = len(tools)
        if self.args.edges_per_asset <= 0:
            return

        def fresh(t: int) -> tuple[int, int] | None:
            n = tools[t].n
            for _ in range(20):
                j = rng.randrange(n)
                # leave hubs (core assets) and the very last asset alone
                if j >= max(len(tools[t].core), CORE_CRITICAL) and j < n - 1 \
                        and (t, j) not in used:
                    used.add((t, j))
                    return (t, j)
            return None

        def add(down, up, note):
            self.extra.setdefault(down, []).append((up[0], up[1], note))

        if T >= 2:
            for _ in range(max(1, round(self.n * SYNC_PAIRS_PER_ASSET))):
                t = rng.randrange(T - 1)
                a, b = fresh(t), fresh(t + 1)
                if a is None or b is None:
                    continue
                add(b, a, f"two-way sync with {tools[t].display}")
                add(a, b, f"two-way sync (back-edge from {tools[t + 1].display})")
                self.no_pick.add(a)
        if T >= 3:
            for _ in range(max(1, round(self.n * REVERSE_ETL_PER_ASSET))):
                t = rng.randrange(T - 2)
                a, b, c = fresh(t), fresh(t + 1), fresh(t + 2)
                if a is None or b is None or c is None:
                    continue
                add(b, a, "")
                add(c, b, "")
                add(a, c, f"reverse ETL from {tools[t + 2].display}")
                self.no_pick.add(a)
                self.no_pick.add(b)

    # -- edges ---------------------------------------------------------------
    def _pick(self, t: int, i: int) -> tuple[int, int] | None:
        """Draw one upstream (tool, index) for asset (t, i), or None."""
        rnd = self.rng.random
        tools = self.tools
        r = rnd()
        if (t == 0 or r < P_SAME_TOOL) and i > 0:
            if rnd() < P_LOCAL:
                j = i - 1 - int(self.rng.expovariate(1.0 / LOCAL_SCALE))
                if j < 0:
                    j = int(i * rnd())
            else:
                j = int(i * rnd() ** ALPHA)
            return t, j
        if t == 0:
            return None
        if r < P_PREV_1 or t == 1:
            tt = t - 1
        elif r < P_PREV_2:
            tt = t - 2
        else:
            tt = self.rng.randrange(t)
        m = tools[tt].n
        if rnd() < P_ALIGNED:
            pos = (i + 0.5) / tools[t].n * m + self.rng.gauss(0.0, m * 0.02 + 1.0)
            j = min(m - 1, max(0, int(pos)))
        else:
            j = int(m * rnd() ** ALPHA)
        return tt, j

    def _degree(self) -> int:
        e = self.args.edges_per_asset
        if e <= 0:
            return 0
        s = DEGREE_SIGMA
        x = e * self.rng.lognormvariate(-s * s / 2.0, s)
        return min(MAX_DEGREE, int(x + self.rng.random()))  # stochastic rounding

    # -- output --------------------------------------------------------------
    def _open(self, path: Path):
        self.files.append(path)
        return open(path, "w", encoding="utf-8", newline="\n", buffering=1 << 20)

    def write_teams(self, out: Path) -> None:
        with self._open(out / "teams.yaml") as f:
            f.write("teams:\n")
            for tid, name in self.teams:
                f.write(f"  {q(tid)}: {{name: {q(name)}, email: {q(tid + '@example.com')}, "
                        f"slack: {q('#' + tid)}}}\n")

    def _team_other_than(self, owner: str) -> str:
        tid = self.rng.choice(self.team_ids)
        if tid == owner and len(self.team_ids) > 1:
            tid = self.team_ids[(self.team_ids.index(tid) + 1) % len(self.team_ids)]
        return tid

    def write_systems(self, out: Path) -> None:
        rng = self.rng
        rnd = rng.random
        tools = self.tools
        team_ids = self.team_ids
        fanin = self.fanin
        extra = self.extra
        no_pick = self.no_pick
        for tool in tools:
            tool.owner = (tool.pref_owner if tool.pref_owner in team_ids
                          else rng.choice(team_ids))
        for tool in tools:
            t = tool.idx
            n_sys = len(tool.sys_ids)
            for s, sid in enumerate(tool.sys_ids):
                a = tool.sys_starts[s]
                b = tool.sys_starts[s + 1] if s + 1 < n_sys else tool.n
                owner = tool.owner if rnd() < 0.8 else rng.choice(team_ids)
                # Generate the system's assets, then write them.
                ups_all: list[list] = []
                feeds: dict[int, list[str]] = {}
                for i in range(a, b):
                    ups: list = []
                    seen: set[tuple[int, int]] = set()
                    for (tt, j, note) in extra.get((t, i), ()):
                        if (tt, j) in seen:
                            continue
                        seen.add((tt, j))
                        uid = tools[tt].asset_id(j)
                        ups.append((uid, note) if note else uid)
                        fanin[tools[tt].start + j] += 1
                        if tt > t:
                            self.back_edges += 1
                    d = self._degree()
                    got = 0
                    attempts = 0
                    while got < d and attempts < 3 * d + 3:
                        attempts += 1
                        p = self._pick(t, i)
                        if p is None:
                            break
                        if p in seen or p in no_pick or p == (t, i):
                            continue
                        seen.add(p)
                        got += 1
                        tt, j = p
                        fanin[tools[tt].start + j] += 1
                        uid = tools[tt].asset_id(j)
                        if tt == t and j >= a and rnd() < P_FEEDS:
                            feeds.setdefault(j, []).append(tool.asset_id(i))
                            self.feeds_edges += 1
                        elif rnd() < P_NOTE:
                            ups.append((uid, rng.choice(EDGE_NOTES)))
                        else:
                            ups.append(uid)
                    self.edges += len(ups)
                    ups_all.append(ups)
                self._write_system(out, tool, sid, s, n_sys, owner, a, b,
                                   ups_all, feeds)
        self.edges += self.feeds_edges

    def _write_system(self, out, tool, sid, s, n_sys, owner, a, b, ups_all,
                      feeds) -> None:
        rng = self.rng
        rnd = rng.random
        with self._open(out / f"{sid}.yaml") as f:
            w = f.write
            w("systems:\n")
            w(f"  {q(sid)}:\n")
            name = tool.display if n_sys == 1 else f"{tool.display} (part {s + 1} of {n_sys})"
            w(f"    name: {q(name)}\n")
            w(f"    kind: {q(tool.kind)}\n")
            w(f"    owner: {q(owner)}\n")
            if len(self.team_ids) > 1:
                if rnd() < 0.6:
                    c = sorted({self._team_other_than(owner)
                                for _ in range(rng.randint(1, 2))})
                    w("    consulted: [" + ", ".join(q(x) for x in c) + "]\n")
                if rnd() < 0.5:
                    inf = sorted({self._team_other_than(owner)
                                  for _ in range(rng.randint(1, 3))})
                    w("    informed: [" + ", ".join(q(x) for x in inf) + "]\n")
            w("    assets:\n")
            for i in range(a, b):
                typ = tool.type(i)
                w(f"      {q(tool.key(i))}:\n")
                w(f"        type: {q(typ)}\n")
                if rnd() < P_ASSET_OWNER:
                    w(f"        owner: {q(rng.choice(self.team_ids))}\n")
                if i < min(CORE_CRITICAL, len(tool.core)) or rnd() < P_CRITICAL:
                    w("        critical: true\n")
                    self.critical += 1
                if rnd() < P_DESCRIPTION:
                    w(f"        description: {q(f'Synthetic {typ} #{i} in {tool.display}')}\n")
                ups = ups_all[i - a]
                if ups:
                    parts = []
                    for u in ups:
                        if type(u) is tuple:
                            parts.append(f"{{asset: {q(u[0])}, note: {q(u[1])}}}")
                            self.noted_edges += 1
                        else:
                            parts.append(q(u))
                    w("        depends_on: [" + ", ".join(parts) + "]\n")
                fd = feeds.get(i)
                if fd:
                    w("        feeds: [" + ", ".join(q(x) for x in fd) + "]\n")

    def write_tests(self, out: Path) -> None:
        m = self.args.tests
        if m <= 0:
            return
        rng = self.rng
        tools = self.tools
        cum = []
        acc = 0
        for tool in tools:
            acc += tool.n
            cum.append(acc)
        n_files = max(1, min(8, math.ceil(m / 500)))
        per = math.ceil(m / n_files)
        idx = 0
        for fi in range(n_files):
            lo, hi = fi * per, min(m, (fi + 1) * per)
            if lo >= hi:
                break
            with self._open(out / f"tests-{fi + 1:02d}.yaml") as f:
                f.write("tests:\n")
                for _ in range(lo, hi):
                    idx += 1
                    t = bisect.bisect_right(cum, rng.randrange(self.n))
                    tool = tools[t]
                    if rng.random() < 0.5:
                        j = int(tool.n * rng.random() ** 2)   # favour hubs
                    else:
                        j = rng.randrange(tool.n)
                    covers = [(t, j)]
                    k = rng.randint(1, 5)
                    cur_t, cur_j = t, j
                    for _ in range(k - 1):
                        # walk down the pipeline (or sideways in the same tool)
                        if cur_t + 1 < len(tools) and rng.random() < 0.6:
                            nt = cur_t + 1
                            pos = (cur_j + 0.5) / tools[cur_t].n * tools[nt].n
                            nj = min(tools[nt].n - 1, max(0, int(pos + rng.gauss(0, 3))))
                        else:
                            nt = cur_t
                            nj = min(tools[nt].n - 1, cur_j + rng.randint(1, 10))
                        if (nt, nj) not in covers:
                            covers.append((nt, nj))
                        cur_t, cur_j = nt, nj
                    owner = tools[covers[-1][0]].owner
                    if rng.random() < 0.3:
                        owner = rng.choice(self.team_ids)
                    cov = ", ".join(q(tools[ct].asset_id(cj)) for ct, cj in covers)
                    last = tools[covers[-1][0]]
                    name = (f"Regression {idx}: {tool.display} {tool.type(j)}"
                            + (f" through {last.display}" if last is not tool else ""))
                    f.write(f"  {q(f'test-{idx:05d}')}: {{name: {q(name)}, covers: [{cov}], "
                            f"owner: {q(owner)}, kind: \"manual\", "
                            f"minutes: {rng.choice((5, 10, 10, 15, 20, 30, 45, 60))}}}\n")

    # -- change requests -------------------------------------------------------
    def _website_target(self, rank: int = 0) -> tuple[int, int]:
        """Website-level asset with the rank-th most direct dependents
        (rank 0 = the biggest hub, hence the biggest blast radius)."""
        tool = self.tools[0]
        seg = self.fanin[tool.start:tool.start + tool.n]
        order = sorted(range(tool.n), key=lambda x: (-seg[x], x))
        return 0, order[min(rank, tool.n - 1)]

    def _mid_target(self) -> tuple[int, int]:
        """A mid-pipeline asset with a moderate number of dependents."""
        T = len(self.tools)
        t = 4 if T > 5 else T // 2
        tool = self.tools[t]
        sample = []
        for _ in range(200):
            j = self.rng.randrange(tool.n)
            if j < len(tool.core) or (t, j) in self.no_pick:
                continue
            sample.append((self.fanin[tool.start + j], j))
        if not sample:
            return t, self.rng.randrange(tool.n)
        sample.sort()
        return t, sample[int(len(sample) * 0.9)][1]   # 90th percentile of fan-in

    def _leaf_target(self) -> tuple[int, int]:
        """An asset with no dependents, preferably late in the pipeline."""
        T = len(self.tools)
        lo = self.tools[T // 2].start if T > 1 else 0
        for _ in range(2000):
            g = self.rng.randrange(lo, self.n)
            if self.fanin[g] == 0:
                break
        else:
            g = min(range(self.n), key=lambda x: (self.fanin[x], -x))
        t = bisect.bisect_right([tl.start for tl in self.tools], g) - 1
        return t, g - self.tools[t].start

    def write_changes(self, changes_dir: Path, catalog_name: str) -> None:
        c = self.args.changes
        if c <= 0:
            return
        changes_dir.mkdir(parents=True, exist_ok=True)
        tools = self.tools
        for k in range(1, c + 1):
            pattern = (k - 1) % 4
            if pattern == 0:
                targets = [(self._website_target((k - 1) // 4), "modify",
                            "restructure page and rename form fields")]
                title = "Website redesign of a high-traffic page"
            elif pattern == 1:
                targets = [(self._mid_target(), "modify",
                            "change picklist values and validation")]
                title = "Rework lead qualification fields"
            elif pattern == 2:
                targets = [(self._leaf_target(), "modify", "update filters and labels")]
                title = "Tidy up a downstream report"
            else:
                targets = [(self._mid_target(), "modify", "rename and retype"),
                           (self._leaf_target(), "modify", "adjust to renamed field")]
                title = "Field rename with downstream fix-up"
            seen = set()
            with self._open(changes_dir / f"CR-{k}.yaml") as f:
                f.write(f"id: {q(f'CR-{k}')}\n")
                f.write(f"title: {q(title)}\n")
                f.write("status: \"build\"\n")
                f.write(f"catalog: {q('../' + catalog_name)}\n")
                f.write("changes:\n")
                for (t, j), action, note in targets:
                    if (t, j) in seen:
                        continue
                    seen.add((t, j))
                    f.write(f"  - {{target: {q(tools[t].asset_id(j))}, "
                            f"action: {q(action)}, note: {q(note)}}}\n")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        description="Generate a synthetic impact catalog (YAML) for benchmarks.",
        epilog="Change requests go to a 'changes/' directory next to OUT_DIR.")
    p.add_argument("out_dir", metavar="OUT_DIR", help="catalog directory to write")
    p.add_argument("--assets", type=int, required=True, metavar="N",
                   help="number of assets")
    p.add_argument("--tools", type=int, default=24, metavar="T",
                   help="number of tools in the pipeline (default 24)")
    p.add_argument("--files", type=int, default=None, metavar="F",
                   help="approximate number of system files "
                        "(default about N/500, at least 1; systems = max(T, F))")
    p.add_argument("--seed", type=int, default=1, metavar="S",
                   help="random seed (default 1)")
    p.add_argument("--teams", type=int, default=40, metavar="K",
                   help="number of teams (default 40)")
    p.add_argument("--tests", type=int, default=None, metavar="M",
                   help="number of tests (default N/50)")
    p.add_argument("--edges-per-asset", type=float, default=3.0, metavar="E",
                   help="average upstream dependencies per asset (default 3.0)")
    p.add_argument("--changes", type=int, default=5, metavar="C",
                   help="number of change requests (default 5)")
    p.add_argument("--force", action="store_true",
                   help="delete existing *.yaml in OUT_DIR and CR-*.yaml in "
                        "the sibling changes/ directory first")
    a = p.parse_args(argv)
    if a.assets < 1:
        p.error("--assets must be >= 1")
    if a.tools < 1 or a.teams < 1:
        p.error("--tools and --teams must be >= 1")
    if a.files is not None and a.files < 1:
        p.error("--files must be >= 1")
    if a.edges_per_asset < 0 or a.changes < 0 or (a.tests is not None and a.tests < 0):
        p.error("--edges-per-asset, --tests and --changes must be >= 0")
    if a.tests is None:
        a.tests = a.assets // 50
    return a


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    t0 = time.perf_counter()
    out = Path(args.out_dir).resolve()
    changes_dir = out.parent / "changes"
    if out.name == "changes":
        sys.exit("generate.py: OUT_DIR must not be named 'changes' "
                 "(change requests are written to a sibling 'changes/' directory)")
    out.mkdir(parents=True, exist_ok=True)
    old = sorted(out.glob("*.yaml"))
    old_changes = sorted(changes_dir.glob("CR-*.yaml")) if changes_dir.is_dir() else []
    if old or old_changes:
        if not args.force:
            sys.exit(f"generate.py: {out} or {changes_dir} already holds YAML files; "
                     "use --force to replace them")
        for p in old + old_changes:
            p.unlink()

    gen = Generator(args)
    gen.write_teams(out)
    gen.write_systems(out)
    gen.write_tests(out)
    gen.write_changes(changes_dir, out.name)

    catalog_files = [p for p in gen.files if p.parent == out]
    nbytes = sum(p.stat().st_size for p in catalog_files)
    hub = max(gen.fanin) if gen.n else 0
    dt = time.perf_counter() - t0
    print(f"assets={gen.n} edges={gen.edges} (feeds={gen.feeds_edges}, "
          f"back={gen.back_edges}, noted={gen.noted_edges}) "
          f"systems={sum(len(t.sys_ids) for t in gen.tools)} tools={len(gen.tools)} "
          f"critical={gen.critical} tests={args.tests} max_fanin={hub} "
          f"files={len(catalog_files)} bytes={nbytes} changes={args.changes} "
          f"time={dt:.1f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
