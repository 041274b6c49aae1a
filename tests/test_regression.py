"""Stored answers for ``quick_week``: a drift of the formulation or the data by a fraction of a percent fails.

The stored values (``tests/data/regression_quick_week.json``) are the
objective with and without the targets, every technology's capacity and every
target's value and shadow price. When a change is *meant* to move them
(new data, a corrected equation), regenerate the file and say why in the
commit::

    python tests/test_regression.py --update
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest

HERE = Path(__file__).parent
PROJECT = HERE.parent
STORED = HERE / "data" / "regression_quick_week.json"
SCENARIO = PROJECT / "scenarios" / "quick_week.yaml"


def answers() -> dict[str, Any]:
    """The quick_week answers that are stored: reference and enforced case, solved here."""
    from energy_model.analysis.target_test import run_target_test
    from energy_model.api import open_study

    test = run_target_test(open_study(SCENARIO))
    assert test.reference is not None and test.enforced is not None
    return answers_of(test.reference, test.enforced)


def answers_from(folder: Path) -> dict[str, Any]:
    """The same answers read from a published quick_week run folder (``reference.nc``, ``results.nc``)."""
    from energy_model.output.run_folder import open_netcdf

    return answers_of(open_netcdf(folder / "reference.nc"), open_netcdf(folder / "results.nc"))


def answers_of(reference: Any, enforced: Any) -> dict[str, Any]:
    """The stored fields of the reference and enforced Results (xarray Datasets)."""
    out: dict[str, Any] = {}
    for case, res in (("reference", reference), ("enforced", enforced)):
        out[case] = {
            "objective_cny_per_yr": float(res.attrs["objective_cny_per_yr"]),
            "capacity_mw": {str(g): round(float(v), 3) for g, v in res["capacity_mw"].to_series().items()},
            "target_value": {str(k): float(v) for k, v in res["target_value"].to_series().items()},
            "target_shadow_price": {str(k): round(float(v), 4)
                                    for k, v in res["target_shadow_price"].to_series().items()},
        }
    return out


def test_quick_week_answers_are_the_stored_ones(quick_week_run: Path):
    """The session's quick_week run (the same scenario and inputs, solved once per session) against the file."""
    stored = json.loads(STORED.read_text(encoding="utf-8"))
    now = answers_from(quick_week_run)
    for case in ("reference", "enforced"):
        s, n = stored[case], now[case]
        assert n["objective_cny_per_yr"] == pytest.approx(s["objective_cny_per_yr"], rel=1e-5), case
        assert n["capacity_mw"].keys() == s["capacity_mw"].keys()
        for g, mw in s["capacity_mw"].items():
            assert n["capacity_mw"][g] == pytest.approx(mw, rel=1e-3, abs=1.0), f"{case} capacity {g}"
        for k, v in s["target_value"].items():
            assert n["target_value"][k] == pytest.approx(v, rel=1e-3, abs=1e-6), f"{case} target {k}"
        for k, v in s["target_shadow_price"].items():
            assert n["target_shadow_price"][k] == pytest.approx(v, rel=1e-3, abs=0.05), f"{case} dual {k}"


if __name__ == "__main__":
    if "--update" in sys.argv:
        sys.path.insert(0, str(PROJECT))
        STORED.parent.mkdir(exist_ok=True)
        STORED.write_text(json.dumps(answers(), indent=2, sort_keys=True) + "\n", encoding="utf-8")
        print(f"wrote {STORED}")
