"""Reading and validating inputs: safe YAML, scenario schema, CSV tables, paths, and the one place changes are applied."""
