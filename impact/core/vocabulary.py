"""Words of the catalog language that code outside the schema needs, without pydantic.

:mod:`impact.read.schema` builds pydantic models, which takes about 0.2 s
to import; code on the path of every ``impact check`` (the release path
rules) needs only these tuples. ``tests/test_cache_imports.py`` checks that
they are the schema's own.

Examples
--------
>>> PATHS.index("minor") < PATHS.index("major")
True
"""

ACTIONS = ("modify", "rename", "delete", "create", "deprecate")
"""What a change item may do to its target, as ``schema.ACTIONS``."""

PATHS = ("quick-hit", "minor", "major")
"""Release paths, lightest first, as ``schema.PATHS``."""
