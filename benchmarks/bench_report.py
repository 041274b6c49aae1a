"""What the report, the workbook and the new CSVs add to a run: time and size (not run by pytest).

Usage::

    python benchmarks/bench_report.py                       # results/plan_year (runs the plan year first if absent)
    python benchmarks/bench_report.py results/today         # any published run folder
    python benchmarks/bench_report.py --repeat 3            # best of 3

It re-creates, from the run folder's Results, every output this module
family adds to a run, timing each step: the assumptions table, the hourly
table and its CSV, and ``results.xlsx`` with ``report.html`` as a run makes
them (charts of both languages and the workbook in two processes, then the
page), plus each of those alone. Loading the NetCDF files is timed apart: a
run has them in memory already. Wall and CPU seconds are both printed.
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
    from energy_model.workflows.run import run_scenario

    print(f"{folder} has no run: running scenarios/{folder.name}.yaml first (about 1.5 min for the plan year)")
    outcome = run_scenario(PROJECT / "scenarios" / f"{folder.name}.yaml", folder.parent)
    assert outcome.folder is not None
    return outcome.folder


def _cpu() -> float:
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def bench(folder: Path, repeat: int) -> dict[str, float]:
    """Best-of-``repeat`` wall and CPU seconds of each step and the sizes of the files [s, bytes].

    CPU seconds (this process and its children) are what an idle machine's wall time would be for the
    serial steps: on a shared, loaded machine wall times stretch, CPU times hardly.
    """
    t0 = time.perf_counter()
    from energy_model.output.assumptions import assumptions_table, read_sources
    from energy_model.output.chart_data import collect
    from energy_model.output.charts import render_charts
    from energy_model.output.i18n import Lang, Names
    from energy_model.output.jobs import OutputJobs
    from energy_model.output.report import render_report
    from energy_model.output.workbook import write_run_workbook
    from energy_model.output.writers import open_netcdf, write_csv
    from energy_model.workflows.run import HOURLY_DECIMALS, hourly_table

    out: dict[str, float] = {"import_s": time.perf_counter() - t0}
    t0 = time.perf_counter()
    doc = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
    res, ref, inp = (open_netcdf(folder / f) for f in ("results.nc", "reference.nc", "inputs.nc"))
    out["load_netcdf_s"] = time.perf_counter() - t0
    best: dict[str, float] = {}

    def keep(name: str, wall0: float, cpu0: float) -> None:
        for key, value in ((f"{name}_s", time.perf_counter() - wall0), (f"{name}_cpu_s", _cpu() - cpu0)):
            best[key] = min(best.get(key, float("inf")), value)

    with tempfile.TemporaryDirectory() as tmp:
        for _ in range(repeat):
            w, c = time.perf_counter(), _cpu()
            assumptions = assumptions_table(inp, res, read_sources(PROJECT / "inputs" / "sources.csv"), {})
            write_csv(assumptions, Path(tmp) / "assumptions.csv", index=False)
            keep("assumptions", w, c)
            w, c = time.perf_counter(), _cpu()
            hourly = hourly_table(res, inp)
            write_csv(hourly, Path(tmp) / "hourly.csv",
                      decimals={k: HOURLY_DECIMALS for k in hourly.columns if k.endswith(("_mw", "_mw_th"))})
            keep("hourly_csv", w, c)
            w, c = time.perf_counter(), _cpu()
            jobs = OutputJobs(doc, res, ref, inp, assumptions, hourly)
            jobs.write_workbook(Path(tmp) / "results.xlsx")
            html = render_report(doc, res, inp, reference=ref, assumptions=assumptions, charts=jobs.charts())
            (Path(tmp) / "report.html").write_text(html, encoding="utf-8")
            jobs.close()
            keep("report_and_workbook", w, c)
            w, c = time.perf_counter(), _cpu()
            write_run_workbook(Path(tmp) / "serial.xlsx", doc, res, ref, inp, assumptions, hourly)
            keep("workbook_alone", w, c)
            names = Names(inp)
            w, c = time.perf_counter(), _cpu()
            data = collect(res, ref, inp)
            keep("chart_data", w, c)
            for code in ("zh", "en"):
                w, c = time.perf_counter(), _cpu()
                render_charts(data, Lang(code), names)
                keep(f"charts_{code}", w, c)
        for name in ("report.html", "results.xlsx", "assumptions.csv", "hourly.csv"):
            best[f"{name}_bytes"] = float((Path(tmp) / name).stat().st_size)
    out |= best
    out["added_s"] = out["assumptions_s"] + out["report_and_workbook_s"]
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
    print(f"  {'step':<26} {'wall':>8} {'CPU':>8}")
    for key in ("import", "load_netcdf"):
        print(f"  {key:<26} {figures[key + '_s']:8.2f}")
    for key in ("assumptions", "hourly_csv", "report_and_workbook", "workbook_alone", "chart_data", "charts_zh",
                "charts_en"):
        print(f"  {key:<26} {figures[key + '_s']:8.2f} {figures[key + '_cpu_s']:8.2f}")
    print(f"  {'added (assumptions + report and workbook)':<26} {figures['added_s']:8.2f} s wall")
    for key in ("report.html_bytes", "results.xlsx_bytes", "assumptions.csv_bytes", "hourly.csv_bytes",
                "added_bytes"):
        print(f"  {key:<22} {figures[key] / 1e6:8.2f} MB")
    print("  (report_and_workbook: charts of both languages and results.xlsx in two processes, then the page; "
          "hourly.csv was written before this work too)")


if __name__ == "__main__":
    main()
