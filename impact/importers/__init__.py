"""Importers: start or refresh a catalog from inventories teams already have.

Each reader turns a foreign format (a spreadsheet export, a sitemap, a
Salesforce dependency export) into an :class:`~impact.importers.merge.Imported`;
:func:`~impact.importers.merge.merge_into_file` then adds it to a
catalog file without touching what people wrote by hand.
"""
