"""Words of the catalog language that code outside the schema needs, without pydantic.

:mod:`impact.read.schema` builds pydantic models, which takes about 0.2 s
to import; code on the path of every ``impact check`` (the release path
rules) needs only these tuples. The schema's models take their words from
here (``Action``, ``Aspect``, ``ReleasePath``): each word is written once.

Examples
--------
>>> PATHS.index("minor") < PATHS.index("major")
True
"""

ACTIONS = ("modify", "rename", "delete", "create", "deprecate")
"""What a change item may do to its target (``schema.Action``)."""

PATHS = ("quick-hit", "minor", "major")
"""Release paths, lightest first (``schema.ReleasePath``)."""

ASPECTS = ("name", "content", "values", "logic", "schema", "data", "availability")
"""What a change may touch of an asset, and what a dependency may use of its upstream asset.

``name`` (id, API name, URL path), ``content`` (copy, labels, design),
``values`` (allowed values, picklist entries), ``logic`` (rules, criteria,
filters, schedules), ``schema`` (type, format, required fields), ``data``
(the records, members, events or rows it holds or produces),
``availability`` (exists and is active). ``schema.Aspect``.
"""
