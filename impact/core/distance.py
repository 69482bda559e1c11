"""How far a change reaches, counted in tools, and how that distance is said.

The rule: walking the dependencies from a changed asset, each step into an
asset of another system (tool) adds one; steps inside a tool add nothing.
The searches that apply it are in :mod:`impact.graph.depgraph`.
"""

from __future__ import annotations

DEFAULT_MAX_TOOLS = 5
"""How many tools away impact is followed unless asked otherwise (``--max-tools``)."""


def tools_away(distance: int, same: str = "same tool") -> str:
    """A tool distance in words; ``same`` for a distance of 0.

    Examples
    --------
    >>> tools_away(0), tools_away(1), tools_away(3), tools_away(0, same="in the same tool")
    ('same tool', '1 tool away', '3 tools away', 'in the same tool')
    """
    if distance == 0:
        return same
    return f"{distance} tool{'s' if distance != 1 else ''} away"


def tools_away_between(near: int, far: int) -> str:
    """A span of tool distances in words.

    >>> tools_away_between(2, 2), tools_away_between(1, 3)
    ('2 tools away', '1 to 3 tools away')
    """
    return tools_away(near) if near == far else f"{near} to {far} tools away"
