"""Where a catalog file's definitions stand, read precisely: ``'<kind>:<id>'`` → the (line, col) of its key.

A record read by the fast reader keeps no places (line 0); a message about one
of its definitions finds the place here, or from the file's outline
(:mod:`impact.read.outline_places`), which gives the same answer or declines.
"""

from __future__ import annotations

from typing import Any


def definition_path(key: str) -> tuple[str, ...]:
    """Where in its file the definition ``'<kind>:<id>'`` is (the path of its key).

    Examples
    --------
    >>> definition_path("asset:web:/products/"), definition_path("team:web"), definition_path("policy")
    (('systems', 'web', 'assets', '/products/'), ('teams', 'web'), ('policy',))
    """
    kind, _, ident = key.partition(":")
    if kind == "asset":
        system, _, asset_key = ident.partition(":")
        return ("systems", system, "assets", asset_key)
    if kind == "policy":
        return ("policy",)
    return (f"{kind}s", ident)


def definition_places(raw: bytes, name: str) -> dict[str, tuple[int, int]]:
    """Where each definition of a valid file stands: ``'<kind>:<id>'`` → ``(line, col)`` of its key.

    Reads the file precisely (the fast reader keeps no places). Raises
    :class:`~impact.core.errors.ImpactError` if it does not parse.
    """
    from impact.read.yamlio import YMap, parse_yaml  # PyYAML only when a place is asked for (start-up time)

    doc = parse_yaml(raw, name)
    data = doc.data
    found: dict[str, tuple[int, int]] = {}

    def section(name: str) -> Any:
        value = data.get(name) if isinstance(data, YMap) else None
        return value if isinstance(value, YMap) else None

    for kind in ("team", "system", "test"):
        entries = section(kind + "s")
        if entries is not None:
            found.update((f"{kind}:{ident}", entries.key_marks[ident]) for ident in entries)
    systems = section("systems")
    for sid, system in (systems or {}).items():
        assets = system.get("assets") if isinstance(system, YMap) else None
        if isinstance(assets, YMap):
            found.update((f"asset:{sid}:{key}", assets.key_marks[key]) for key in assets)
    if isinstance(data, YMap) and "policy" in data:
        found["policy"] = data.key_marks["policy"]
    return found
