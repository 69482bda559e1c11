"""Which of the catalog's extra asset fields the outputs show: the one place they are listed.

A field declared on the asset model beyond the base ones (``read/schema.py``,
``AssetSpec``) reaches every :class:`~impact.core.catalog.Asset` as
``Asset.extra``. Named here, it is shown in the JSON answer (each changed and
impacted asset) and in the report's data, under its own name; the report's
template (``render/templates/report.html.j2``) says where a person sees it.

Examples
--------
>>> from impact.core.catalog import Asset
>>> a = Asset("crm:q", "crm", "q", "queue", "ops", extra=(("sla_hours", 4),))
>>> shown_fields(a, ("sla_hours", "tier")), shown_fields(None, ("sla_hours",)), shown_fields(a, ())
({'sla_hours': 4, 'tier': None}, {'sla_hours': None}, {})
"""

from __future__ import annotations

from typing import Any

from impact.core.catalog import Asset

ASSET_FIELDS_SHOWN: tuple[str, ...] = ()
"""The extra asset fields every output shows, in this order (none yet: the JSON keys stay as they are)."""


def shown_fields(asset: Asset | None, names: tuple[str, ...] | None = None) -> dict[str, Any]:
    """``{field: value}`` of the shown fields of an asset (None where it gives none, or is not in the catalog)."""
    return {
        name: asset.field(name) if asset is not None else None
        for name in (ASSET_FIELDS_SHOWN if names is None else names)
    }
