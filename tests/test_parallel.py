"""Several cases solved in forked processes give exactly what one-by-one solves give."""

from __future__ import annotations

import pytest
from tiny import system, tech

from energy_model.engine.study import Study
from energy_model.errors import InfeasibleError
from energy_model.io.schema import TargetSpec


def share_study() -> Study:
    """R-05 system: PV 60 MW (cf [1, 0], 70 CNY/MWh) and gas (50 CNY/MWh), demand 100 MW for 2 h."""
    ds = system(
        [tech("pv", "variable", profile="pv", carrier="solar", vom_cny_per_mwh=70, existing_mw=60, max_mw=60),
         tech("gas", "thermal", fuel="natural_gas", efficiency=1.0, vom_cny_per_mwh=50)],
        [100, 100], cf={"pv": [1, 0]}, hour_weight=1.0,
        targets={"re": TargetSpec(kind="min_share", carriers=["solar"], share=0.25)},
    )
    return Study(ds)


CASES = [
    ("reference", {"targets.re.mode": "report"}),
    ("25 %", {}),
    ("30 %", {"targets.re.level": 0.30}),
    ("31 % (above the 30 % maximum)", {"targets.re.level": 0.31}),
]


@pytest.mark.parametrize("parallel", [True, False])
def test_solve_many_matches_hand_optima(parallel):
    study = share_study()
    out = study.solve_many(CASES, parallel=parallel)
    costs = [r.attrs["objective_cny_per_yr"] for r in out[:3]]
    assert costs == pytest.approx([10_000.0, 11_000.0, 11_200.0])
    assert isinstance(out[3], InfeasibleError)
    assert out[1]["target_shadow_price"].item() == pytest.approx(20.0)
    # the changes were undone: the study is back at its scenario state
    assert study.get("targets.re.level") == 0.25 and study.get("targets.re.mode") == "enforce"
    assert study.solve().attrs["objective_cny_per_yr"] == pytest.approx(11_000.0)
    assert study.timings.solves == 5
