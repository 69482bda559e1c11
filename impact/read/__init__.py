"""One file to validated data: the precise and the fast YAML readers, the schema, JSON Schemas."""
