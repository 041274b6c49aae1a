"""The engine: Study (build once, change, update or rebuild, re-solve), HiGHS hand-off, extraction, checks, parallel solves."""
