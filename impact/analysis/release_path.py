"""The release path a change needs: quick hit, minor or major.

The catalog's ``policy:`` key sets what a quick hit and a minor release may
contain; every field left out keeps the default:

- ``quick-hit``: every action is ``modify``; no changed or impacted asset is
  critical; nothing outside the changed assets' own tools is impacted
  (``max_tool_distance: 0``), and nothing beyond the changed assets at all
  (``max_impacted: 0``: a change that reaches 250 flows of its own tool
  needs testing);
- ``minor``: no ``delete``; no changed asset is critical; impact reaches at
  most 2 tools away;
- ``major``: everything else.

The computed path is the lightest whose rules the change meets. A declared
path (``path:`` in the change file) lighter than the computed one blocks.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from impact.analysis.asset_fields import AssetFields
from impact.core.catalog import Catalog
from impact.core.distance import tools_away
from impact.core.policy import DEFAULT_RULES, PathRule, Policy
from impact.core.vocabulary import PATHS
from impact.graph.depgraph import DependencyGraph, Reach
from impact.load.change import ChangedAsset

SEARCH_TOOLS = 5
"""How far the policy looks for critical impacted assets, whatever ``--max-tools`` shows."""

SHOWN = 3
"""Assets named per reason; the rest are counted."""


@dataclass(frozen=True)
class ReleasePath:
    """The path a change declares, the one it needs, and why it needs it."""

    declared: str | None
    computed: str
    reasons: tuple[str, ...]

    @property
    def too_light(self) -> bool:
        """True when the declared path is lighter than the computed one (blocks)."""
        return self.declared is not None and PATHS.index(self.declared) < PATHS.index(self.computed)


def effective_rules(policy: Policy | None) -> dict[str, PathRule]:
    """The default rules, with every field the catalog's policy sets replaced.

    Examples
    --------
    >>> effective_rules(None)["minor"].max_tool_distance
    2
    >>> rule = effective_rules(Policy((("quick-hit", (("types", ("dashboard",)),)),)))["quick-hit"]
    >>> rule.types, rule.actions, rule.max_tool_distance
    (('dashboard',), ('modify',), 0)
    """
    return dict(DEFAULT_RULES) if policy is None else policy.rules()


def _named(assets: Sequence[str]) -> str:
    shown = ", ".join(assets[:SHOWN])
    return shown + (f" and {len(assets) - SHOWN} more" if len(assets) > SHOWN else "")


def _tools(n: int) -> str:
    return tools_away(n, same="0 tools away")


def breaches(
    rule: PathRule,
    catalog: Catalog,
    changed: Sequence[ChangedAsset],
    reaches: Sequence[Reach],
    fields: AssetFields | None = None,
    name: str = "quick-hit",
) -> list[str]:
    """Every way a change breaks ``rule``, one sentence per kind of breach (empty: it fits)."""
    found: list[str] = []
    if rule.actions is not None:
        by_action: dict[str, list[str]] = {}
        for c in changed:
            if c.action not in rule.actions:
                by_action.setdefault(c.action, []).append(c.asset)
        for action, assets in sorted(by_action.items()):
            found.append(f"{action} of {_named(assets)}; allowed actions: {', '.join(rule.actions) or 'none'}")
    if rule.types is not None:
        off = []
        for c in changed:
            asset = catalog.assets.get(c.asset)
            if asset is None:
                off.append(f"{c.asset} (new, type unknown)")
            elif asset.type not in rule.types:
                off.append(f"{c.asset} (type {asset.type})")
        if off:
            found.append(f"changes {_named(off)}; allowed asset types: {', '.join(rule.types) or 'none'}")
    if not rule.allow_critical_changed:
        critical = [c.asset for c in changed if c.asset in catalog.assets and catalog.assets[c.asset].critical]
        if critical:
            found.append(f"changes critical {_named(critical)}")
    if not rule.allow_critical_impacted:
        is_critical = (fields or AssetFields(catalog)).is_critical
        critical = [f"{r.asset} ({_tools(r.tool_distance)})" for r in reaches if is_critical(r.asset)]
        if critical:
            found.append(f"impacts critical {_named(critical)}")
    found += _reach_breaches(rule, reaches, name)
    return found


def _reach_breaches(rule: PathRule, reaches: Sequence[Reach], name: str) -> list[str]:
    """How far and how wide the change reaches, against the rule (the width said only when the distance is not)."""
    if rule.max_tool_distance is not None:
        far = [r for r in reaches if r.tool_distance > rule.max_tool_distance]
        if far:
            farthest = max(r.tool_distance for r in far)
            examples = [r.asset for r in far if r.tool_distance == farthest]
            return [
                f"impact reaches {_tools(farthest)} ({_named(examples)}); allowed: at most "
                f"{_tools(rule.max_tool_distance)}"
            ]
    if rule.max_impacted is not None and len(reaches) > rule.max_impacted:
        return [_too_many(rule, name, reaches)]
    return []


PLURALS = {"quick-hit": "quick hits", "minor": "minor releases"}


def _too_many(rule: PathRule, name: str, reaches: Sequence[Reach]) -> str:
    """``reaches 250 assets in the same tool; quick hits reach none``.

    >>> from impact.graph.trees import ShortestPathTree
    >>> tree = ShortestPathTree({}, {}, 1, {}, False)
    >>> _too_many(PathRule(max_impacted=0), "quick-hit", [Reach("sf:a", 0, 1, tree), Reach("sf:b", 0, 2, tree)])
    'reaches 2 assets in the same tool; quick hits reach none'
    >>> _too_many(PathRule(max_impacted=1), "minor", [Reach("sf:a", 0, 1, tree), Reach("mkto:b", 1, 2, tree)])
    'reaches 2 assets, up to 1 tool away; minor releases reach at most 1'
    """
    n, farthest = len(reaches), max(r.tool_distance for r in reaches)
    where = " in the same tool" if farthest == 0 else f", up to {tools_away(farthest)}"
    limit = "none" if rule.max_impacted == 0 else f"at most {rule.max_impacted}"
    return f"reaches {n} asset{'s' if n != 1 else ''}{where}; {PLURALS.get(name, name)} reach {limit}"


def compute_release_path(
    catalog: Catalog,
    graph: DependencyGraph,
    changed: Sequence[ChangedAsset],
    declared: str | None = None,
    *,
    known: tuple[int, Sequence[Reach]] | None = None,
    fields: AssetFields | None = None,
) -> ReleasePath:
    """The lightest path whose rules the change meets, with the reasons it is not lighter.

    ``known`` is a downstream search already made, with the tool distance it
    went to: when it went at least as far as the rules need, it is reused
    (filtered) instead of searching again. Shortest paths within a distance
    never leave it, so the answer is the same.

    Examples
    --------
    >>> from impact.core.catalog import Asset, Catalog, Dependency
    >>> assets = {a: Asset(a, a.split(":")[0], a.split(":")[1], "x", "t")
    ...           for a in ["web:f", "mkto:s"]}
    >>> catalog = Catalog("c", {}, {}, assets, [Dependency("web:f", "mkto:s")], {})
    >>> graph = DependencyGraph(catalog)
    >>> rp = compute_release_path(catalog, graph, [ChangedAsset("web:f", "web", "modify", None, "web:f")], "quick-hit")
    >>> rp.computed, rp.too_light
    ('minor', True)
    >>> rp.reasons
    ('not quick-hit: impact reaches 1 tool away (mkto:s); allowed: at most 0 tools away', 'meets every minor rule')
    """
    rules = effective_rules(catalog.policy)
    reach_tools = max([SEARCH_TOOLS, *((r.max_tool_distance or 0) + 1 for r in rules.values())])
    if known is not None and known[0] == reach_tools:
        reaches = known[1]  # every one is within reach_tools
    elif known is not None and known[0] > reach_tools:
        reaches = [r for r in known[1] if r.tool_distance <= reach_tools]
    else:
        reaches = graph.impact_of({c.asset: c.aspects for c in changed if c.in_catalog}, reach_tools)
    reasons: list[str] = []
    fields = fields or AssetFields(catalog)
    for name in ("quick-hit", "minor"):
        broken = breaches(rules[name], catalog, changed, reaches, fields, name)
        if not broken:
            reasons.append(f"meets every {name} rule")
            return ReleasePath(declared, name, tuple(reasons))
        reasons.extend(f"not {name}: {text}" for text in broken)
    return ReleasePath(declared, "major", tuple(reasons))
