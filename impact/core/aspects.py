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

Values (``values:`` on change items and on dependencies) narrow the
``values`` aspect, and only it:

- a change item may name the values it adds, removes or renames; an item
  that names values and lists no ``aspects`` touches ``values`` only. Items
  on one asset add up their values; one that touches ``values`` without
  naming any touches every value;
- a dependency may name the values it tests (``ISPICKVAL(Status, 'Closed')``);
  without ``values`` it reads every value;
- a changed asset passes its change along a dependency that shares an
  aspect other than ``values`` with it, as before; when ``values`` is the
  only aspect they share, it passes it when either side names no values or
  they name one value in common (the change to ``In Progress`` reaches the
  flow that tests ``In Progress``, not the one that tests ``Closed``).

Inside impact both sides carry their values in the same set as their
aspects, each value marked with a leading ``=`` (:func:`pack`,
:func:`unpack`): no aspect starts with it, and the cache, its patches and
the search keep one set per dependency, as they did for aspects alone.

Whether a dependency carries the change depends only on the dependency and
on whether its upstream asset is changed, never on the path taken, so the
shortest-path search stays exact with the rule as an edge filter
(:func:`impact.graph.aspects.carries`). Catalogs and change files that write neither key carry
every change along every dependency, as before.

A change that names values and touches nothing else (:func:`only_values`)
goes further: what tests the field only for other values is left out on
every path (:func:`scoped_out`), and what reads the value whole carries the
values on, not new data (:func:`reads_whole`, :func:`carried_step`). Then
what a dependency carries depends on how its upstream asset was reached,
and the search runs over (asset, state) pairs
(:mod:`impact.graph.values_reach`).

Examples
--------
>>> touched("rename", None), sorted(touched("modify", ["content"]))
(frozenset({'name'}), ['content'])
>>> passes(frozenset({"name"}), frozenset({"name", "data"}))   # a changed asset's rename, a dependency on its name
True
>>> passes(None, frozenset({"content"}))                      # a reached asset, a dependency on its content only
False
>>> one = touched("modify", None, ["In Progress"])              # a change to one picklist value
>>> sorted(one), unpack(one)
(['=In Progress', 'values'], (frozenset({'values'}), ('In Progress',)))
>>> passes(one, pack(["values"], ["Closed"])), passes(one, pack(["values"], ["Closed", "In Progress"]))
(False, True)
>>> passes(one, pack(["values", "logic"], None)), passes(touched("modify", ["values"]), pack(["values"], ["Closed"]))
(True, True)
"""

from __future__ import annotations

from collections.abc import Iterable

from impact.core.vocabulary import ASPECTS

EVERY = frozenset(ASPECTS)
"""Every aspect: what a dependency without ``uses`` uses, and what most actions touch."""

PRODUCED = frozenset({"data"})
"""What a reached (not changed) asset passes on: what it produces may now differ."""


VALUES = "values"
"""The aspect that values narrow."""

MARK = "="
"""What starts a value in a packed set (no aspect does)."""

_OTHERS = EVERY - {VALUES}


def pack(aspects: Iterable[str] | None, values: Iterable[str] | None) -> frozenset[str] | None:
    """Aspects and values in one set, each value marked (None aspects: every aspect; None or no values: every value).

    >>> sorted(pack(["values"], ["Closed"])), pack(None, None), len(pack(None, ["New"]))
    (['=Closed', 'values'], None, 8)
    """
    named = frozenset(MARK + v for v in values or ())
    if aspects is None:
        return EVERY | named if named else None
    return frozenset(aspects) | named


def unpack(packed: frozenset[str] | None) -> tuple[frozenset[str] | None, tuple[str, ...] | None]:
    """The aspects and the sorted values of a packed set (None values: it names none).

    >>> unpack(frozenset({"values", "=New", "=Closed"}))
    (frozenset({'values'}), ('Closed', 'New'))
    """
    if packed is None:
        return None, None
    values = sorted(a[1:] for a in packed if a.startswith(MARK))
    return (packed - {MARK + v for v in values} if values else packed), (tuple(values) if values else None)


def touched(action: str, aspects: Iterable[str] | None, values: Iterable[str] | None = None) -> frozenset[str]:
    """What one change item touches, packed (:func:`pack`).

    Its ``aspects``; by default ``values`` for an item that names values,
    ``name`` for a rename, else every aspect. Its values count only when it
    touches ``values``.
    """
    named = tuple(values or ())
    if aspects is not None:
        said = frozenset(aspects)
    elif named:
        said = frozenset({VALUES})
    else:
        said = frozenset({"name"}) if action == "rename" else EVERY
    return said | frozenset(MARK + v for v in named) if named and VALUES in said else said


def add_up(first: frozenset[str], second: frozenset[str]) -> frozenset[str]:
    """What two change items on one asset touch together: an item touching every value wins over named ones.

    >>> sorted(add_up(touched("modify", None, ["A"]), touched("modify", None, ["B"])))
    ['=A', '=B', 'values']
    >>> sorted(add_up(touched("modify", None, ["A"]), touched("modify", ["values"])))
    ['values']
    """
    both = first | second
    if _every_value(first) or _every_value(second):
        return frozenset(a for a in both if not a.startswith(MARK))
    return both


def _every_value(packed: frozenset[str]) -> bool:
    return VALUES in packed and not names_values(packed)


def passes(changed_aspects: frozenset[str] | None, uses: frozenset[str] | None) -> bool:
    """Whether a dependency carries the change out of its upstream asset.

    ``changed_aspects``: what the upstream asset's own change items touch
    (packed, with the values they name), or None if it is not a changed
    asset (it then passes on ``data``).
    ``uses``: what the dependency uses (packed, with the values it tests),
    None for every aspect.
    """
    if uses is None:
        return True
    if changed_aspects is None:
        return "data" in uses
    if uses.isdisjoint(changed_aspects):  # most dependencies, at no cost
        return False
    hit = uses & changed_aspects
    if VALUES not in hit or not hit.isdisjoint(_OTHERS):
        return not hit.isdisjoint(EVERY)
    # values is the only aspect both sides share: narrowed when both name values
    if len(hit) > 1:
        return True  # a value in common
    return not names_values(uses) or not names_values(changed_aspects)


def names_values(packed: frozenset[str] | None) -> bool:
    """Whether a packed set names values (``=Closed``)."""
    return packed is not None and any(a.startswith(MARK) for a in packed)


def only_values(changed_aspects: frozenset[str]) -> bool:
    """Whether a change touches named values and no other aspect: a value-level change (issue #29).

    >>> only_values(touched("modify", None, ["New"])), only_values(touched("modify", ["values", "name"], ["New"]))
    (True, False)
    >>> only_values(touched("modify", ["values"]))   # every value: not narrowed
    False
    """
    return names_values(changed_aspects) and not any(a in changed_aspects for a in _OTHERS)


def scoped_out(changed_aspects: frozenset[str], uses: frozenset[str] | None) -> bool:
    """Whether a dependency on a value-level change tests the field only for values the change does not name.

    Such a downstream asset handles only the records whose value it tests
    (a flow that starts on ``Status = 'Closed'``, a rule whose criteria
    say ``equals Closed``); the change is about records with other values,
    so it is left out of the answer however else the change would reach it
    (see :func:`impact.graph.values_reach.reach_values`).

    >>> scoped_out(touched("modify", None, ["New"]), pack(["values"], ["Closed"]))
    True
    >>> scoped_out(touched("modify", None, ["New"]), pack(None, ["New", "Closed"])), scoped_out(
    ...     touched("modify", None, ["New"]), None)
    (False, False)
    """
    return (
        only_values(changed_aspects)
        and uses is not None
        and VALUES in uses
        and names_values(uses)
        and not passes(changed_aspects, uses)
    )


def reads_whole(changed_aspects: frozenset[str], uses: frozenset[str] | None) -> bool:
    """Whether a dependency carries a value-level change as a whole-value read: it passes it and tests no value.

    What such a downstream asset does with the value (copy it, pass it on,
    show it) carries the changed values on and changes nothing else, so it
    passes the change on as those values (:func:`carried_step`), not as new data.

    >>> one = touched("modify", None, ["New"])
    >>> reads_whole(one, None), reads_whole(one, pack(["values"], ["New"])), reads_whole(one, pack(["name"], None))
    (True, False, False)
    """
    return only_values(changed_aspects) and passes(changed_aspects, uses) and not names_values(uses)


def carried_step(carried: frozenset[str], uses: frozenset[str] | None) -> bool | None:
    """How a dependency on an asset that carries changed values on (``carried``: the marked values) passes them.

    None: it does not (it reads no data of it, or tests other values only);
    True: it carries them on in turn (it reads the whole value);
    False: it tests one of them, so what it produces may now differ (new data).

    >>> new = frozenset({"=New"})
    >>> carried_step(new, None), carried_step(new, pack(None, ["New"])), carried_step(new, pack(None, ["Closed"]))
    (True, False, None)
    >>> carried_step(new, pack(["name", "schema"], None)) is None   # a writer's dependency on the field's name
    True
    """
    if uses is None:
        return True
    if "data" not in uses:  # a writer's literal, a field's name: about the carrying asset itself, not what it holds
        return None
    if not names_values(uses):
        return True
    return False if not uses.isdisjoint(carried) else None


def ordered(packed: frozenset[str]) -> tuple[str, ...]:
    """A packed set as the cache keeps it: aspects in their order, then the marked values sorted.

    >>> ordered(frozenset({"=New", "data", "values", "=Closed"}))
    ('values', 'data', '=Closed', '=New')
    """
    return tuple(a for a in ASPECTS if a in packed) + tuple(sorted(a for a in packed if a.startswith(MARK)))


def common_values(changed_aspects: frozenset[str] | None, uses: frozenset[str] | None) -> tuple[str, ...]:
    """The values a dependency tests that the change names, sorted (what the why line shows).

    >>> common_values(touched("modify", None, ["In Progress"]), pack(["values"], ["Closed", "In Progress"]))
    ('In Progress',)
    """
    if not changed_aspects or not uses or VALUES not in changed_aspects:
        return ()
    return tuple(sorted(a[1:] for a in uses & changed_aspects if a.startswith(MARK)))


def merge_uses(first: frozenset[str] | None, second: frozenset[str] | None) -> frozenset[str] | None:
    """What a dependency declared twice (``depends_on`` and ``feeds``) uses: what either says; None (every aspect) wins.

    >>> sorted(merge_uses(frozenset({"name"}), frozenset({"data"}))), merge_uses(frozenset({"name"}), None)
    (['data', 'name'], None)
    """
    if first is None or second is None:
        return None
    return add_up(first, second)
