"""Reading and validating inputs: safe YAML, scenario schema, CSV tables, paths, the Case, and the one place changes are applied."""
