"""Which dependencies carry a change: what a change touches, what a dependency uses.

The rule (the public contract of ``aspects:`` on change items and ``uses:``
on dependencies; see :data:`~impact.core.vocabulary.ASPECTS`):

- a change item touches the aspects it lists; without ``aspects``, a
  ``rename`` touches ``name`` and every other action touches every aspect.
  Several items on one asset add up; a system target gives each of its
  assets the item's aspects;
- a dependency uses the aspects it lists; without ``uses``, every aspect;
- a **changed** asset passes its change along a dependency when the
  dependency uses at least one aspect its own items touch (whatever reaches
  it from another changed asset);
- **every other reached asset** passes the change along a dependency that
  uses ``data``: what it produces may now differ.

Whether a dependency carries the change depends only on the dependency and
on whether its upstream asset is changed, never on the path taken, so the
shortest-path search stays exact with the rule as an edge filter
(:func:`impact.graph.aspects.carries`). Catalogs and change files that write neither key carry
every change along every dependency, as before.

Examples
--------
>>> touched("rename", None), sorted(touched("modify", ["content"]))
(frozenset({'name'}), ['content'])
>>> passes(frozenset({"name"}), frozenset({"name", "data"}))   # a changed asset's rename, a dependency on its name
True
>>> passes(None, frozenset({"content"}))                      # a reached asset, a dependency on its content only
False
"""

from __future__ import annotations

from collections.abc import Iterable

from impact.core.vocabulary import ASPECTS

EVERY = frozenset(ASPECTS)
"""Every aspect: what a dependency without ``uses`` uses, and what most actions touch."""

PRODUCED = frozenset({"data"})
"""What a reached (not changed) asset passes on: what it produces may now differ."""


def touched(action: str, aspects: Iterable[str] | None) -> frozenset[str]:
    """What one change item touches: its ``aspects``, or by default ``name`` for a rename, else every aspect."""
    if aspects is not None:
        return frozenset(aspects)
    return frozenset({"name"}) if action == "rename" else EVERY


def passes(changed_aspects: frozenset[str] | None, uses: frozenset[str] | None) -> bool:
    """Whether a dependency carries the change out of its upstream asset.

    ``changed_aspects``: what the upstream asset's own change items touch, or
    None if it is not a changed asset (it then passes on ``data``).
    ``uses``: what the dependency uses, None for every aspect.
    """
    if uses is None:
        return True
    return not uses.isdisjoint(PRODUCED if changed_aspects is None else changed_aspects)


def merge_uses(first: frozenset[str] | None, second: frozenset[str] | None) -> frozenset[str] | None:
    """What a dependency declared twice (``depends_on`` and ``feeds``) uses: what either says; None (every aspect) wins.

    >>> sorted(merge_uses(frozenset({"name"}), frozenset({"data"}))), merge_uses(frozenset({"name"}), None)
    (['data', 'name'], None)
    """
    if first is None or second is None:
        return None
    return first | second
