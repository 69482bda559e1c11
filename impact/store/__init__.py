"""The cache: entries by digest, column views of a stored catalog, atomic file writing."""
