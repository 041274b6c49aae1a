"""A batch of cases that differ only in target modes is compiled once and gives what separate compiles give.

The system is the change-path system (``test_change_path.build``) with a
target in every mode: the solar share soft, the pv capacity and the reserve
margin enforced, CO2, imports, net export and local supply only reported.
The batch is a target test's: the reference (every target reported), the
scenario's modes, and each active target alone. Each case solved on its own
(``Study.changed`` + ``Study.solve``, one compile each) is the answer the
shared compile must reproduce: objective to 1e-9 relative, capacities,
target values and shadow prices.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from test_change_path import build

from energy_model.engine.study import Study

SYSTEM: dict[str, Any] = {
    "demand": [30.0, 45.0, 60.0, 40.0, 20.0, 35.0], "cf": [0.0, 0.5, 1.0, 0.8, 0.2, 0.0],
    "pv_capex": 900.0, "pv_max": None, "gas_capex": 1200.0, "gas_vom": 30.0, "gas_eff": 0.5, "coal_mw": 15.0,
    "coal_vom": 20.0, "import_mw": 20.0, "import_price": 400.0, "fuel_price": 40.0, "fuel_yr": None,
    "battery_capex": 600.0, "battery_kwh": 1000.0, "share": 0.3, "share_mode": "soft", "pv_cap": 25.0,
    "cap_mode": "enforce", "cap_penalty": 500.0, "carbon": 80.0, "import_cap": 60.0, "net_export_cap": 0.0,
    "exchange_mode": "enforce", "local_share": 0.5, "margin": 0.15, "margin_mode": "report",
}
ACTIVE = {"solar_share": "soft", "pv_capacity": "enforce", "imports": "enforce", "net_export": "enforce"}
CASES: list[tuple[str, dict[str, Any]]] = (
    [("reference", {f"targets.{k}.mode": "report" for k in ACTIVE}), ("as in the scenario", {})]
    + [(f"{k} alone", {f"targets.{j}.mode": (mode if j == k else "report") for j in ACTIVE})
       for k, mode in ACTIVE.items()]
)


def separately(study: Study) -> list[Any]:
    """Each case with its own compile."""
    out = []
    for label, changes in CASES:
        with study.changed(changes):
            out.append(study.solve(label))
    return out


@pytest.mark.parametrize("parallel", [False, True])
def test_one_compile_gives_the_separate_answers(parallel: bool) -> None:
    study = Study(build(SYSTEM))
    assert study.target_modes()["co2"] == "report" and study.target_modes()["solar_share"] == "soft"
    alone = separately(study)
    compiles = study.timings.compiles
    assert compiles == len(CASES)  # one each
    batch = study.solve_many(CASES, parallel=parallel)
    assert study.timings.compiles == compiles + 1
    entries = study.timings.log[-len(CASES):]
    assert [e["compile"] for e in entries] == ["shared"] + ["shared with 'reference'"] * (len(CASES) - 1)
    assert sum(e["compile_s"] > 0 for e in entries) == 1
    costs = [a.attrs["objective_cny_per_yr"] for a in alone]
    assert len(set(np.round(costs, 3))) >= 3  # the modes matter: not the same LP five times
    for (label, _), a, b in zip(CASES, alone, batch):
        assert not isinstance(b, Exception), label
        assert b.attrs["objective_cny_per_yr"] == pytest.approx(a.attrs["objective_cny_per_yr"], rel=1e-9), label
        for var in ("capacity_mw", "target_value", "target_shadow_price", "target_shortfall"):
            if var in a:
                np.testing.assert_allclose(b[var].values, a[var].values, rtol=1e-7, atol=1e-6, err_msg=f"{label} {var}")
    # the study is back at its scenario state, compiled on its own again
    assert study.target_modes()["pv_capacity"] == "enforce"
    assert study.solve().attrs["objective_cny_per_yr"] == pytest.approx(costs[1], rel=1e-9)


def test_a_level_change_compiles_each_case() -> None:
    """Cases that differ in more than modes (a target level) are compiled one by one."""
    study = Study(build(SYSTEM))
    cases = [("25 MW", {}), ("30 MW", {"targets.pv_capacity.level": 30.0})]
    out = study.solve_many(cases, parallel=False)
    assert study.timings.compiles == 2
    assert "compile" not in study.timings.log[-1]
    with study.changed(cases[1][1]):
        expected = study.solve().attrs["objective_cny_per_yr"]
    assert out[1].attrs["objective_cny_per_yr"] == pytest.approx(expected, rel=1e-9)
