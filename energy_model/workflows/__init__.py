"""Thin orchestration of runs, analyses, sweeps and pathways: calls the layers in order, owns no rule."""
