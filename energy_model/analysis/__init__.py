"""Analyses on a Study or on results: target test, frontier, break-even, sweeps, binding limits, metrics."""
