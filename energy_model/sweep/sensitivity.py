"""Sensitivity indices of a finished saltelli or morris sweep, or why there are none (failed variants).

Indices need the output of every variant of the design: a Saltelli design
loses its A/AB/B structure and a Morris trajectory its steps when one is
missing. A sweep with any variant that did not solve to optimality gets no
indices, and a message listing those variants.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pandas as pd

from energy_model.sweep.indices import sensitivity_indices, sensitivity_outputs
from energy_model.sweep.sampling import SENSITIVITY_MODES

#: Status of a variant solved to a proven optimum.
OPTIMAL = "optimal"
#: Failed variants named in the message at most.
MAX_LISTED = 20


@dataclass(frozen=True)
class SweepIndices:
    """The indices of a sweep, or why it has none.

    Attributes
    ----------
    indices : pandas.DataFrame or None
        Tidy indices (:func:`energy_model.sweep.indices.sensitivity_indices`);
        None when the mode has none or a variant failed.
    failed : list of str
        Ids of the variants that did not solve to optimality.
    """

    indices: pd.DataFrame | None
    failed: list[str]

    def message(self) -> str:
        """One line for the console when indices were not computed because variants failed ('' otherwise)."""
        if not self.failed:
            return ""
        listed = ", ".join(self.failed[:MAX_LISTED]) + (f" and {len(self.failed) - MAX_LISTED} more"
                                                       if len(self.failed) > MAX_LISTED else "")
        return (f"no sensitivity indices: they need every variant solved to optimality, and "
                f"{len(self.failed)} did not ({listed}); sensitivity.csv was not written")


def sweep_indices(table: pd.DataFrame, mode: str, dims: Sequence[Sequence[str]],
                  bounds: Mapping[str, tuple[float, float]], target_kinds: Mapping[str, str], *,
                  seed: int, levels: int) -> SweepIndices:
    """Sensitivity indices of a sweep table in expansion order.

    Parameters
    ----------
    table : pandas.DataFrame
        One row per variant in the order of the design: ``variant``,
        ``status``, ``param.<path>`` (user units) and the outputs.
    mode : str
        The sweep's mode; only ``saltelli`` and ``morris`` get indices.
    dims : sequence of sequence of str
        The sweep's independent dimensions; a paired group is one factor,
        named by its first path.
    bounds : mapping of str to (float, float)
        Each path's ``(low, high)``.
    target_kinds : mapping of str to str
        Kind of every target (the ``min_share`` ones are the new-energy share).
    seed, levels : int
        The sweep file's ``seed`` (also of the bootstrap intervals) and Morris ``levels``.
    """
    if mode not in SENSITIVITY_MODES:
        return SweepIndices(None, [])
    status = table["status"].astype(str) if "status" in table.columns else pd.Series("", index=table.index)
    failed = table.loc[status != OPTIMAL, "variant"].astype(str).tolist()
    if failed:
        return SweepIndices(None, list(dict.fromkeys(failed)))
    leads = [str(d[0]) for d in dims]
    samples = pd.DataFrame({p: pd.to_numeric(table[f"param.{p}"]).to_numpy(float) for p in leads})
    outputs = table[sensitivity_outputs(list(table.columns), target_kinds)].apply(pd.to_numeric)
    return SweepIndices(sensitivity_indices(mode, samples, outputs, {p: bounds[p] for p in leads},
                                            seed=seed, levels=levels), [])
