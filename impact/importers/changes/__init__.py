"""Change requests read from two versions of an export (``impact changes``).

Each kind of export has a *snapshot* reader (``snapshot_<kind>``) that turns a
:class:`~impact.importers.changes.model.Tree` into a
:data:`~impact.importers.changes.model.Snapshot`: every asset's id (the same
canonical ids the importers write) and its *facets*, the parts of it that can
change, each tagged with the aspect a change to it touches. Comparing two
snapshots gives the change items.
"""
