"""Nouns and rules, no I/O: catalog, change and release types, problems, ids."""
