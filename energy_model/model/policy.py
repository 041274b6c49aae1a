"""Dispatch rules set by policy: minimum (guaranteed, must-run) and maximum annual full-load hours.

A technology g may carry ``min_full_load_hours`` h_min[g] (priority dispatch:
straw biomass, guaranteed renewable hours) and ``max_full_load_hours``
h_max[g] (planned coal hours). With E[g] = sum_t w[t] * p[g,t] its annual
output [GWh/yr] and P[g] its capacity [GW]::

    flh_min[g]:  E[g] - h_min[g] * P[g] >= 0
    flh_max[g]:  E[g] - h_max[g] * P[g] <= 0

The duals are what the rule costs per MWh of output it forces in (or keeps
out) [MCNY/GWh = x1000 CNY/MWh], reported by
:mod:`energy_model.engine.extract`.
"""

from __future__ import annotations

import math

import pyomo.environ as pyo

from energy_model.inputs.lp_units import LPData


def add_full_load_hours(m: pyo.ConcreteModel, data: LPData) -> None:
    """Add ``flh_min`` and ``flh_max`` rows for the technologies that carry them (none otherwise)."""
    lows = [g for g in data.techs if g in m.D and data.flh_min[g] > 0]
    highs = [g for g in data.techs if g in m.D and math.isfinite(data.flh_max[g])]
    m.flh_min = pyo.Constraint(lows, rule=lambda m, g: m.energy[g] - data.flh_min[g] * m.P[g] >= 0)
    m.flh_max = pyo.Constraint(highs, rule=lambda m, g: m.energy[g] - data.flh_max[g] * m.P[g] <= 0)
