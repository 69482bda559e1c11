"""The dependency graph of a catalog and the searches over it."""
