"""The Pyomo LP: one module per constraint family, assembled by :func:`build_model`.

No file I/O and no technology names here: technologies are grouped by kind.
"""

from energy_model.inputs.lp_units import LPData, lp_data
from energy_model.model.build import build_model
from energy_model.model.targets import set_target_mode

__all__ = ["LPData", "build_model", "lp_data", "set_target_mode"]
