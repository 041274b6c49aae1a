"""A later batch of the same LP in other target modes takes the earlier batch's compile.

A target test solves the reference and the enforced case in one batch, then
each missed target alone in another: the same model and LP data but for
target modes, so one compile serves both batches. The answers must be those
of separate compiles (``test_compile_once.separately``); a batch after a
change of anything else (the carbon price) compiles again, and so does a
batch compiled at other penalties.
"""

from __future__ import annotations

import numpy as np
import pytest
from test_change_path import build
from test_compile_once import CASES, SYSTEM, separately

from energy_model.engine.study import Study


def test_a_second_batch_of_modes_reuses_the_compile() -> None:
    study = Study(build(SYSTEM))
    alone = separately(study)
    compiles = study.timings.compiles
    first = study.solve_many(CASES[:2], parallel=False)
    second = study.solve_many(CASES[2:], parallel=False)
    assert study.timings.compiles == compiles + 1
    entries = study.timings.log[-len(CASES):]
    assert [e["compile_s"] > 0 for e in entries] == [True] + [False] * (len(CASES) - 1)
    assert [e["compile"] for e in entries] == ["shared"] + ["shared with 'reference'"] * (len(CASES) - 1)
    for (label, _), a, b in zip(CASES, alone, first + second):
        assert not isinstance(b, Exception), label
        assert b.attrs["objective_cny_per_yr"] == pytest.approx(a.attrs["objective_cny_per_yr"], rel=1e-9), label
        for var in ("capacity_mw", "target_value", "target_shadow_price", "target_shortfall"):
            np.testing.assert_allclose(b[var].values, a[var].values, rtol=1e-7, atol=1e-6, err_msg=f"{label} {var}")


def test_another_change_compiles_again() -> None:
    study = Study(build(SYSTEM))
    study.solve_many(CASES[:2], parallel=False)
    study.apply({"economics.carbon_price_cny_per_t": 150.0})
    out = study.solve_many(CASES[2:], parallel=False)
    assert study.timings.compiles == 2
    assert study.timings.log[-len(CASES[2:])]["compile"] == "shared"
    with study.changed(CASES[2][1]):
        expected = study.solve().attrs["objective_cny_per_yr"]
    assert out[0].attrs["objective_cny_per_yr"] == pytest.approx(expected, rel=1e-9)
    # soft at another penalty: a shortfall column priced differently, so a compile of its own
    study.apply({"targets.solar_share.penalty": 77.0})
    study.solve_many(CASES[:2], parallel=False)
    assert study.timings.compiles == 4  # 2 + the separate solve above + this batch
    assert study.timings.log[-2]["compile"] == "shared"
