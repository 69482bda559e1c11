"""A folder to a Catalog: catalog files, linking and reference checks, change and release files."""
