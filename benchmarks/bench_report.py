"""What the report, the workbook and the new CSVs add to a run: time and size (not run by pytest).

Usage::

    python benchmarks/bench_report.py                       # results/plan_year (runs the plan year first if absent)
    python benchmarks/bench_report.py results/today         # any published run folder
    python benchmarks/bench_report.py --repeat 3            # best of 3

It re-creates, from the run folder's Results, every output this module
family adds to a run, timing each step: the assumptions table, the hourly
table and its CSV, ``results.xlsx``, and ``report.html`` (chart data, the
charts of both languages, drawn in two processes, and the page). Loading the
NetCDF files is timed apart: a run has them in memory already.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import tempfile
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent


def _ensure_run(folder: Path) -> Path:
    if (folder / "manifest.json").is_file():
        return folder
    from energy_model.pipeline import run_scenario

    print(f"{folder} has no run: running scenarios/{folder.name}.yaml first (about 1.5 min for the plan year)")
    outcome = run_scenario(PROJECT / "scenarios" / f"{folder.name}.yaml", folder.parent)
    assert outcome.folder is not None
    return outcome.folder


def bench(folder: Path, repeat: int) -> dict[str, float]:
    """Best-of-``repeat`` seconds of each step and the sizes of the files [s, bytes]."""
    t0 = time.perf_counter()
    from energy_model.output.assumptions import assumptions_table, read_sources
    from energy_model.output.chart_data import collect
    from energy_model.output.charts import render_all_languages
    from energy_model.output.i18n import Names
    from energy_model.output.report import render_report
    from energy_model.output.workbook import write_run_workbook
    from energy_model.output.writers import open_netcdf, write_csv
    from energy_model.pipeline import HOURLY_DECIMALS, hourly_table

    out: dict[str, float] = {"import_s": time.perf_counter() - t0}
    t0 = time.perf_counter()
    doc = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
    res, ref, inp = (open_netcdf(folder / f) for f in ("results.nc", "reference.nc", "inputs.nc"))
    out["load_netcdf_s"] = time.perf_counter() - t0
    best: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for _ in range(repeat):
            step: dict[str, float] = {}
            t = time.perf_counter()
            assumptions = assumptions_table(inp, res, read_sources(PROJECT / "inputs" / "sources.csv"), {})
            write_csv(assumptions, Path(tmp) / "assumptions.csv", index=False)
            step["assumptions_s"] = time.perf_counter() - t
            t = time.perf_counter()
            hourly = hourly_table(res, inp)
            write_csv(hourly, Path(tmp) / "hourly.csv",
                      decimals={c: HOURLY_DECIMALS for c in hourly.columns if c.endswith(("_mw", "_mw_th"))})
            step["hourly_csv_s"] = time.perf_counter() - t
            t = time.perf_counter()
            write_run_workbook(Path(tmp) / "results.xlsx", doc, res, ref, inp, assumptions, hourly)
            step["workbook_s"] = time.perf_counter() - t
            t = time.perf_counter()
            data = collect(res, ref, inp)
            step["chart_data_s"] = time.perf_counter() - t
            t = time.perf_counter()
            render_all_languages(data, Names(inp), parallel=False)
            step["charts_serial_s"] = time.perf_counter() - t
            t = time.perf_counter()
            html = render_report(doc, res, inp, reference=ref, assumptions=assumptions)
            (Path(tmp) / "report.html").write_text(html, encoding="utf-8")
            step["report_s"] = time.perf_counter() - t
            for k, v in step.items():
                best[k] = min(best.get(k, float("inf")), v)
        for name in ("report.html", "results.xlsx", "assumptions.csv", "hourly.csv"):
            best[f"{name}_bytes"] = float((Path(tmp) / name).stat().st_size)
    out |= best
    out["added_s"] = out["assumptions_s"] + out["workbook_s"] + out["report_s"]
    out["added_bytes"] = out["report.html_bytes"] + out["results.xlsx_bytes"] + out["assumptions.csv_bytes"]
    return out


def main() -> None:
    """Print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", nargs="?", type=Path, default=PROJECT / "results" / "plan_year")
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()
    folder = _ensure_run(args.folder)
    figures = bench(folder, args.repeat)
    print(f"run folder {folder}  ({platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
          f"load average {os.getloadavg()[0]:.1f})")
    for key in ("import_s", "load_netcdf_s", "assumptions_s", "hourly_csv_s", "workbook_s", "chart_data_s",
                "charts_serial_s", "report_s", "added_s"):
        print(f"  {key:<22} {figures[key]:8.2f} s")
    for key in ("report.html_bytes", "results.xlsx_bytes", "assumptions.csv_bytes", "hourly.csv_bytes",
                "added_bytes"):
        print(f"  {key:<22} {figures[key] / 1e6:8.2f} MB")
    print("  (added = assumptions + workbook + report, both languages, charts drawn in two processes; "
          "hourly.csv was written before too)")


if __name__ == "__main__":
    main()
