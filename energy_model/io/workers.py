"""Worker counts: the one rule for how many processes a sweep may use, and the memory cap of local workers.

A worker count is typed in three places: the sweep file's ``workers``, the
command line's ``--workers`` and :func:`energy_model.sweep.run.run_sweep`'s
``workers``. All three are held to :data:`MIN_WORKERS`..:data:`MAX_WORKERS`
here. On this machine the count actually started is further capped by the
number of variants and by the memory available (:func:`local_workers`).
"""

from __future__ import annotations

import os
from typing import cast

from energy_model.errors import InputError, InputIssue

#: Fewest and most worker processes a sweep may ask for.
MIN_WORKERS = 1
MAX_WORKERS = 64
#: What a worker count must be, for messages.
EXPECTED = f"a whole number of worker processes from {MIN_WORKERS} to {MAX_WORKERS}"
#: Memory of one worker process besides its model [bytes]: Python, Pyomo, HiGHS, the case.
WORKER_BASE_BYTES = 300 * 1024**2
#: Memory of one worker per model hour [bytes]: the plan year (8,760 h) peaks at 1.4 GB (README, benchmarks).
WORKER_BYTES_PER_HOUR = 130 * 1024


def workers_problem(value: object) -> str | None:
    """What is wrong with ``value`` as a worker count (None when it is a whole number in range)."""
    if isinstance(value, bool) or not isinstance(value, int) or not MIN_WORKERS <= value <= MAX_WORKERS:
        return f"expected {EXPECTED}"
    return None


def check_workers(value: object, where: str, key: str = "", line: int | None = None) -> int:
    """Return ``value`` as a worker count, or refuse it.

    Parameters
    ----------
    value : object
        The count as typed.
    where : str
        File or flag it was typed in (``sweep.yaml``, ``--workers``), for the message.
    key, line : optional
        Key path and line in that file.

    Raises
    ------
    InputError
        ``value`` is not a whole number from :data:`MIN_WORKERS` to :data:`MAX_WORKERS`.
    """
    problem = workers_problem(value)
    if problem is not None:
        raise InputError(InputIssue(where, key, problem, value=value, line=line))
    return cast(int, value)


def worker_bytes(hours: int) -> int:
    """Estimated peak memory of one worker solving a model of ``hours`` hours [bytes]."""
    return WORKER_BASE_BYTES + WORKER_BYTES_PER_HOUR * max(0, int(hours))


def available_memory() -> int | None:
    """Memory this machine can still give to new processes [bytes], or None when it cannot be told."""
    try:
        import psutil

        return int(psutil.virtual_memory().available)
    except ImportError:
        pass
    try:
        return int(os.sysconf("SC_AVPHYS_PAGES")) * int(os.sysconf("SC_PAGE_SIZE"))
    except (AttributeError, OSError, ValueError):
        return None


def local_workers(requested: int, variants: int, hours: int,
                  available: int | None = None) -> tuple[int, str]:
    """How many local worker processes to start, and a one-line note when fewer than requested.

    Parameters
    ----------
    requested : int
        Workers asked for (already checked by :func:`check_workers`).
    variants : int
        Variants to solve: more workers than variants would have nothing to do.
    hours : int
        Model hours of the scenario (full horizon), for the per-worker memory estimate.
    available : int, optional
        Available memory [bytes] (default: :func:`available_memory`).

    Returns
    -------
    tuple of (int, str)
        The count, at least 1, and ``""`` or the note saying why it is lower.
    """
    count = max(1, min(requested, variants))
    reasons = []
    if count < requested:
        reasons.append(f"{variants} variant{'s' if variants != 1 else ''} to solve")
    free = available_memory() if available is None else available
    per = worker_bytes(hours)
    if free is not None:
        fit = max(1, free // per)
        if fit < count:
            count = int(fit)
            reasons.append(f"{free / 1024**3:.1f} GiB of memory available, about {per / 1024**3:.1f} GiB "
                           f"per worker for {hours:,} hours")
    if count >= requested:
        return count, ""
    return count, f"using {count} of the {requested} workers asked for: " + "; ".join(reasons)
