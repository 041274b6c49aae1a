"""Aggregated against full horizon: the error of every figure a reader quotes, per scenario and aggregation.

For each scenario it solves the enforced case on the full horizon once
(cached in the temporary folder by the scenario's content, so a second run
does not solve it again), then under each aggregation, and prints one row
per scenario and aggregation: LP steps, seconds (aggregation + assembly +
build + solve + extract + checks), and the relative error against the full
horizon of the objective, the new-energy share (difference in points), CO2
on both ledgers, imports, exports, curtailment and the largest fuel error,
each as :func:`energy_model.analysis.aggregation_check.compare_to_full`
computes it for ``--check-full`` (annual figures relative to
max(|full|, floor); the floors are 1 % of consumption and 1 % of the larger
CO2 ledger). A ``*`` marks a figure above 3 %; the last column names the
largest capacity error. ``--json FILE`` also writes every comparison.

Usage::

    python benchmarks/bench_aggregation.py [scenario.yaml ...] [--configs td:16:peak_demand+min_wind_day ...]

Each config is ``method:periods[:extreme+extreme][:nolink]`` (``td`` and
``seg`` abbreviate ``typical_days`` and ``segments``). Not run by pytest;
figures depend on the machine (note its cores and load).

Measured 2026-12-07 (2 cores shared with other jobs, load average 6-10, so seconds are inflated; highspy,
full horizons solved once each); errors in % (share: points; ``*`` above 3 %):

    scenario               aggregation                              steps    sec     obj   share co2 prod co2 cons imports exports curtail fuel max  largest capacity error
    plan_year              full horizon                              8760  202.3
    plan_year              td:16:peak_demand+min_wind_day             432    6.9   +0.1    +0.0    +22.4*    +4.5*  -22.4*   -3.6*   -0.1   +26.0*  battery -0.0
    plan_year              td:24:peak_demand+min_wind_day             624    6.9   -0.0    +0.0     +3.3*    -0.6   -10.8*  -36.6*   -0.1    +3.9*  battery -0.0
    plan_year              td:32:peak_demand+min_wind_day             816   13.5   -0.0    +0.0     +5.4*    +0.2   -10.4*  -24.6*   -0.1    +6.3*  battery -0.0
    plan_year              td:48:peak_demand+min_wind_day            1200   23.6   -0.1    +0.0    +10.8*    +2.3   -10.3*   +0.8    -0.1   +12.6*  battery -0.0
    plan_year              td:32:peak_demand+min_wind_day:nolink      816    6.9   -0.0    +0.0     +5.4*    +0.2   -10.4*  -24.6*   -0.1    +6.3*  battery -0.0
    plan_year              td:32:peak_demand+min_wind_day+min_solar_day   840   10.0   -0.0    +0.0     +5.6*    +0.3   -10.5*  -24.5*   -0.1    +6.6*  battery -0.0
    plan_year              seg:1000                                  1000   40.5   -0.1    +0.0     -4.5*    -1.3    +2.2   -10.3*   -0.1    -5.2*  battery -0.0
    today                  full horizon                              8760  493.4
    today                  td:16:peak_demand+min_wind_day             432    7.8   -2.4    -0.0     +1.2     -0.6   -24.2*   -1.7   -36.0*   +1.3   biomass -1.9
    today                  td:24:peak_demand+min_wind_day             624   16.9   -1.5    -0.0     +3.4*    +0.8   -23.3*   +0.6   -21.8*   +3.6*  biomass -1.0
    today                  td:32:peak_demand+min_wind_day             816   22.9   -0.0    -0.0     +3.4*    +1.0   -19.9*   +0.9    +5.5*   +3.6*  biomass -0.3
    today                  td:48:peak_demand+min_wind_day            1200   46.2   +0.4    -0.0     +4.6*    +2.0   -15.9*   +2.5   +16.3*   +4.9*  offshore_wind +0.4
    today                  td:32:peak_demand+min_wind_day:nolink      816   12.8   -0.0    -0.0     +3.4*    +1.0   -20.0*   +0.9    +5.5*   +3.6*  biomass -0.3
    today                  td:32:peak_demand+min_wind_day+min_solar_day   840   18.8   -0.0    -0.0     +3.3*    +1.0   -19.6*   +0.9    +5.1*   +3.5*  biomass -0.3
    today                  seg:1000                                  1000   38.9   -0.9    -0.0     -0.2     -0.8   -13.0*   -1.9   -13.5*   -0.2   biomass -1.0
    today_boundary_limits  full horizon                              8760  578.3
    today_boundary_limits  td:16:peak_demand+min_wind_day             432    6.4   -2.2    -0.0     -0.0     +0.5    +0.9    +0.9   -35.6*   -0.0   biomass -2.3
    today_boundary_limits  td:24:peak_demand+min_wind_day             624   15.2   -1.4    -0.0     -0.0     -0.0    -0.0    -0.0   -21.2*   -0.0   biomass -1.4
    today_boundary_limits  td:32:peak_demand+min_wind_day             816   44.3   -0.2    -0.0     +0.0     +0.3    +0.5    +0.5    +6.1*   +0.0   biomass -0.5
    today_boundary_limits  td:48:peak_demand+min_wind_day            1200  103.3   +0.4    -0.0     +0.1     +3.7*   +5.9*   +5.9*  +14.4*   +0.1   offshore_wind +0.4
    today_boundary_limits  td:32:peak_demand+min_wind_day:nolink      816   33.0   -0.2    +0.0     +0.0     +0.2    +0.4    +0.4    +6.1*   +0.1   biomass -0.5
    today_boundary_limits  td:32:peak_demand+min_wind_day+min_solar_day   840   22.6   -0.2    -0.0     +0.0     +0.5    +0.7    +0.7    +5.8*   +0.0   biomass -0.5
    today_boundary_limits  seg:1000                                  1000   29.3   -0.8    -0.0     -0.2     -2.8    -4.4*   -4.4*  -11.6*   -0.4   ocgt +0.3
    hindcast_2022          full horizon                              8760  112.9
    hindcast_2022          td:16:peak_demand+min_wind_day             432    2.0   -0.0    +0.0     -8.8*    -3.8*   +1.6   -13.3*   -0.0    -9.8*   +0.0
    hindcast_2022          td:24:peak_demand+min_wind_day             624    3.4   +0.1    +0.0    -29.8*    -9.4*  +28.8*  -20.5*   -0.0   -33.3*   +0.0
    hindcast_2022          td:32:peak_demand+min_wind_day             816    6.4   +0.1    +0.0    -14.3*    -4.7*  +12.0*  -11.7*   -0.0   -16.0*   +0.0
    hindcast_2022          td:48:peak_demand+min_wind_day            1200    4.6   -0.1    +0.0     -7.8*    -2.8    +5.2*   -7.8*   -0.0    -8.7*   +0.0
    hindcast_2022          td:32:peak_demand+min_wind_day:nolink      816    3.2   +0.1    +0.0    -14.3*    -4.7*  +12.0*  -11.7*   -0.0   -16.0*   +0.0
    hindcast_2022          td:32:peak_demand+min_wind_day+min_solar_day   840    3.1   +0.1    +0.0    -14.9*    -5.0*  +12.4*  -12.4*   -0.0   -16.7*   +0.0
    hindcast_2022          seg:1000                                  1000   17.4   -0.3    +0.0     +1.3     -0.2    -5.1*   -3.2*   -0.0    +1.5    +0.0

    Over the four scenarios (annual figures: CO2 x2, imports, exports, curtailment, every fuel):
    aggregation                                  worst |error|  figures > 3 %  mean |error|  seconds (sum)
    td:16:peak_demand+min_wind_day                   36.0 %          12           6.1 %          23
    td:24:peak_demand+min_wind_day                   36.6 %          14           7.0 %          42
    td:32:peak_demand+min_wind_day                   24.6 %          14           4.1 %          87
    td:48:peak_demand+min_wind_day                   16.3 %          15           4.1 %         178
    td:32:peak_demand+min_wind_day:nolink            24.6 %          14           4.1 %          56
    td:32:peak_demand+min_wind_day+min_solar_day     24.5 %          14           4.2 %          55
    seg:1000                                         13.5 %          10           2.5 %         126
    full horizons                                        -            -             -          1,387

"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import pickle
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SCENARIOS = ["plan_year.yaml", "today.yaml", "today_boundary_limits.yaml", "hindcast_2022.yaml"]
DEFAULT_CONFIGS = [
    "td:16:peak_demand+min_wind_day",
    "td:24:peak_demand+min_wind_day",
    "td:32:peak_demand+min_wind_day",
    "td:48:peak_demand+min_wind_day",
    "td:32:peak_demand+min_wind_day:nolink",
    "td:32:peak_demand+min_wind_day+min_solar_day",
    "seg:1000",
]
#: Figures flagged above this relative error (as --check-full) [-].
FLAG = 0.03


def parse(config: str) -> dict[str, Any]:
    """``method:periods[:extremes][:nolink]`` -> change path values."""
    parts = config.split(":")
    method = {"td": "typical_days", "seg": "segments"}.get(parts[0], parts[0])
    out: dict[str, Any] = {"aggregation.method": method, "aggregation.periods": int(parts[1]),
                           "aggregation.extremes": []}
    for extra in parts[2:]:
        if extra == "nolink":
            out["aggregation.link_storage"] = False
        elif extra:
            out["aggregation.extremes"] = extra.split("+")
    return out


def solve(case: Any) -> tuple[Any, Any, float]:
    """Results, ModelInputs and seconds of the case's enforced solve."""
    from energy_model.engine.study import Study
    from energy_model.inputs.aggregate import time_structure

    t0 = time.perf_counter()
    time_structure(case)
    study = Study(case)
    res = study.solve("bench")
    return res, study.inputs, time.perf_counter() - t0


def _scenario_chain(path: Path) -> list[Path]:
    """The scenario file and the files it extends (``base:``), nearest first."""
    import yaml

    out = [path.resolve()]
    while True:
        base = (yaml.safe_load(out[-1].read_text(encoding="utf-8")) or {}).get("base")
        if not base or len(out) > 10:
            return out
        out.append((out[-1].parent / str(base)).resolve())


def full_solve(path: Path, base: Any, cache: Path) -> tuple[Any, Any, float]:
    """The full horizon's answer, from the cache when the scenario, its bases and the input tables are unchanged.

    (Weather and code changes are not seen: delete the ``bench_aggregation_full_*`` files to solve again.)
    """
    h = hashlib.sha256()
    for p in _scenario_chain(path) + sorted((ROOT / "inputs").rglob("*.csv")):
        h.update(p.read_bytes())
    file = cache / f"bench_aggregation_full_{path.stem}_{h.hexdigest()[:16]}.pkl"
    if file.exists():
        with file.open("rb") as f:
            return pickle.load(f)
    out = solve(base)
    tmp = file.with_suffix(".tmp")
    with tmp.open("wb") as f:
        pickle.dump(out, f)
    tmp.replace(file)
    return out


def _cell(err: float, points: bool = False) -> str:
    if math.isnan(err):
        return f"{'n/a':>7s}"
    mark = "*" if not points and abs(err) > FLAG else " "
    return f"{err * 100:+6.1f}{mark}"


HEAD = (f"{'scenario':22s} {'aggregation':40s} {'steps':>5s} {'sec':>6s} {'obj':>7s} {'share':>7s} "
        f"{'co2 prod':>8s} {'co2 cons':>8s} {'imports':>7s} {'exports':>7s} {'curtail':>7s} {'fuel max':>7s}  "
        f"largest capacity error")


def row(scenario: str, config: str, steps: int, seconds: float, cmp: dict[str, Any] | None) -> str:
    """One line of the table (``cmp`` None: the full horizon itself)."""
    if cmp is None:
        return f"{scenario:22s} {config:40s} {steps:5d} {seconds:6.1f}"
    ann = {k: v["relative_error"] for k, v in cmp["annual"].items()}
    fuels = [v for k, v in ann.items() if k.startswith("fuel.")]
    fuel = max(fuels, key=abs) if fuels else 0.0
    cells = [cmp["objective"]["relative_error"], cmp["new_energy_share"]["difference"]]
    text = _cell(cells[0]) + " " + _cell(cells[1], points=True)
    for k in ("co2_production", "co2_consumption", "imports", "exports", "curtailment"):
        text += " " + (f"{_cell(ann[k]):>8s}" if k.startswith("co2") else _cell(ann[k]))
    text += " " + _cell(fuel)
    cap = cmp["max_capacity_error"]
    return (f"{scenario:22s} {config:40s} {steps:5d} {seconds:6.1f} {text}  "
            f"{cap['technology']} {cap['relative_error'] * 100:+.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("scenarios", nargs="*", default=[str(ROOT / "scenarios" / s) for s in SCENARIOS])
    parser.add_argument("--configs", nargs="*", default=DEFAULT_CONFIGS)
    parser.add_argument("--cache", default=tempfile.gettempdir(), help="folder of the cached full-horizon answers")
    parser.add_argument("--json", default=None, help="write every comparison to this file")
    args = parser.parse_args()

    from energy_model.analysis.aggregation_check import compare_to_full
    from energy_model.inputs.load import load_case
    from energy_model.io.changes import apply_changes

    print(f"machine: {os.cpu_count()} logical cores; load average {os.getloadavg()[0]:.2f}")
    print(HEAD, flush=True)
    rows = []
    for scenario in args.scenarios:
        path = Path(scenario)
        base = apply_changes(load_case(path), {"aggregation.method": "none"})
        full, full_inputs, t_full = full_solve(path, base, Path(args.cache))
        print(row(path.stem, "full horizon", int(full_inputs.sizes["time"]), t_full, None), flush=True)
        for config in args.configs:
            case = apply_changes(base, parse(config))
            res, inputs, t_agg = solve(case)
            cmp = compare_to_full(res, inputs, full, full_inputs)
            cmp.update({"scenario": path.stem, "config": config, "steps": int(inputs.sizes["time"]),
                        "seconds": t_agg, "full_seconds": t_full})
            rows.append(cmp)
            print(row(path.stem, config, cmp["steps"], t_agg, cmp), flush=True)
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=1, default=float), encoding="utf-8")


if __name__ == "__main__":
    main()
