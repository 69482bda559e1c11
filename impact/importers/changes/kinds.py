"""The kinds of export ``impact changes`` reads: each kind's name and its snapshot reader.

A reader is ``snapshot(tree, system, only=None, options=None) -> Snapshot``
(see :mod:`impact.importers.changes.model`); a new kind is one module with
such a function and one line here. ``SOURCE_KINDS`` says which kind reads the
export of a catalog's ``sources:`` entry, and ``DEFAULT_SYSTEMS`` the system
its ids are prefixed with when the entry gives no ``--system``.

Examples
--------
>>> "salesforce" in KINDS
True
>>> DEFAULT_SYSTEMS["sitemap"]
'website'
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from impact.importers.changes import dbt, gtm, salesforce, sitemap
from impact.importers.changes.model import Snapshot, Tree

Reader = Callable[[Tree, str, "set[str] | None", "Mapping[str, object] | None"], Snapshot]

KINDS: dict[str, Reader] = {
    "salesforce": salesforce.snapshot,
    "dbt": dbt.snapshot,
    "gtm": gtm.snapshot,
    "sitemap": sitemap.snapshot,
}
"""Kind name → snapshot reader."""

SOURCE_KINDS = {"salesforce": "salesforce", "dbt": "dbt", "gtm": "gtm", "sitemap": "sitemap"}
"""A ``sources:`` entry's kind (the importer's name) → the kind of export it is here."""

PER_FILE = {"salesforce"}
"""Kinds whose every asset is read from its own file(s) alone: two exports are compared by reading only the files
whose bytes differ (the others give the same states). Other kinds read both exports whole; with ``--base``
every reader gets ``only``, the files git says changed."""

DEFAULT_SYSTEMS = {"salesforce": "salesforce", "dbt": "dbt", "gtm": "gtm", "sitemap": "website"}
"""The system ids the importers use when ``--system`` is not given."""
