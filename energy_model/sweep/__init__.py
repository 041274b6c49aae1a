"""Sweep building blocks: sensitivity sampling and indices, and the dry-run plan of a sweep file."""
