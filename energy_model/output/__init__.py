"""Everything that writes files: run folders (atomic publish, lock, manifest), tables, report."""
