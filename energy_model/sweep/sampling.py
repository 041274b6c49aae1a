"""Unit-cube samples for sensitivity sweeps: Saltelli (Sobol' indices) and Morris trajectories, via SALib.

Both designs are drawn in ``[0, 1]^D``, one coordinate per independent
dimension of the sweep (a paired group is one factor); the sweep maps each
coordinate linearly onto every path's own ``[low, high]``, as for lhs.
"""

from __future__ import annotations

import numpy as np

#: Modes whose variants follow a sensitivity design and get indices after the sweep.
SENSITIVITY_MODES = ("saltelli", "morris")


def _problem(d: int) -> dict[str, object]:
    """A SALib problem of ``d`` factors on the unit interval."""
    return {"num_vars": d, "names": [f"x{i}" for i in range(d)], "bounds": [[0.0, 1.0]] * d}


def saltelli_count(samples: int, d: int) -> int:
    """Variants of a Saltelli design without second-order terms: ``samples * (d + 2)``.

    Parameters
    ----------
    samples : int
        Base samples N (a power of two).
    d : int
        Independent factors (a paired group counts once).
    """
    return samples * (d + 2)


def morris_count(trajectories: int, d: int) -> int:
    """Variants of a Morris design: ``trajectories * (d + 1)`` (one step per factor along each trajectory)."""
    return trajectories * (d + 1)


def saltelli_unit(d: int, samples: int, seed: int) -> np.ndarray:
    """Saltelli's design for first- and total-order Sobol' indices in ``[0, 1)^d``.

    SALib's ``sobol.sample`` with ``calc_second_order=False`` (scrambled
    Sobol' sequence, seeded): for each of ``samples`` base points the rows
    A, AB_1 ... AB_d, B, so ``samples * (d + 2)`` rows in the order
    :func:`SALib.analyze.sobol.analyze` expects.
    """
    from SALib.sample import sobol

    if samples & (samples - 1) or samples < 1:
        raise ValueError(f"saltelli needs a power of two of base samples, not {samples}")
    return np.asarray(sobol.sample(_problem(d), samples, calc_second_order=False, scramble=True, seed=seed))


def morris_unit(d: int, trajectories: int, levels: int, seed: int) -> np.ndarray:
    """Morris trajectories on a ``levels``-level grid of ``[0, 1]^d`` (SALib ``morris.sample``, seeded).

    Each trajectory is ``d + 1`` points, each next point moving one factor by
    ``levels / (2 (levels - 1))`` of its range.
    """
    from SALib.sample import morris

    return np.asarray(morris.sample(_problem(d), trajectories, num_levels=levels, seed=seed))
