"""Command line: argument parsing, progress display, exit codes; each command calls one API function."""
