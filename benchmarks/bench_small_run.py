"""Where the time of a small run goes: imports, inputs, build, compile, solve, write, report [s].

Runs one scenario (default ``scenarios/plan_year_typical_days.yaml``) end to
end in this process, as ``python run.py run`` does, into a temporary folder,
and prints one line per phase:

- ``imports``: importing the run workflow and what it pulls in (this process starts cold);
- ``inputs``, ``build`` (model build and in-place updates), ``compile``,
  ``solve`` (summed over the solves), ``extract+check``: the run's own timings;
- ``write``: every file of the run folder but ``report.html`` (NetCDF, CSV,
  JSON, the workbook; includes waiting for the process writing the workbook);
- ``report``: ``report.html`` (includes waiting for the chart processes);
- ``publish``: the staging folder's checksums, the manifest and the rename;
- ``total``: the whole process from its first line.

Then the five slowest files. Usage::

    python benchmarks/bench_small_run.py [scenario.yaml]

Not run by pytest; figures depend on the machine (note its cores and load).
"""

from __future__ import annotations

import time

T_START = time.perf_counter()

import sys  # noqa: E402
import tempfile  # noqa: E402
from collections.abc import Callable  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main(argv: list[str]) -> int:
    """Run the scenario and print its phase timings [s]."""
    scenario = Path(argv[0]) if argv else ROOT / "scenarios" / "plan_year_typical_days.yaml"
    t0 = time.perf_counter()
    import energy_model.workflows.run as run_workflow

    t_imports = time.perf_counter() - t0
    file_s: dict[str, float] = {}
    original = run_workflow._writers

    def timed_writers(*args: Any, **kwargs: Any) -> tuple[dict[str, Callable[[Path], None]], Any]:
        t = time.perf_counter()
        writers, jobs = original(*args, **kwargs)
        file_s["(preparing the writers)"] = time.perf_counter() - t

        def wrap(name: str, write: Callable[[Path], None]) -> Callable[[Path], None]:
            def run(path: Path) -> None:
                t1 = time.perf_counter()
                write(path)
                file_s[name] = time.perf_counter() - t1
            return run

        return {name: wrap(name, w) for name, w in writers.items()}, jobs

    run_workflow._writers = timed_writers  # type: ignore[assignment]
    with tempfile.TemporaryDirectory(prefix="bench_small_run_") as out:
        outcome = run_workflow.run_scenario(scenario, out)
    t = outcome.timings
    report = file_s.get("report.html", 0.0)
    write = sum(v for k, v in file_s.items() if k != "report.html")
    rows = [
        ("imports", t_imports),
        ("inputs", t["inputs_s"]),
        ("build", t["build_s"] + t["update_s"]),
        ("compile", t["compile_s"]),
        (f"solve ({t['solves']} solves)", t["solve_s"]),
        ("extract+check", t["extract_s"] + t["check_s"]),
        ("write", write),
        ("report", report),
        ("publish", t["write_s"] - write - report),
        ("total", time.perf_counter() - T_START),
    ]
    print(f"{scenario.name}: phase timings [s]")
    for name, sec in rows:
        print(f"  {name:<22}{sec:7.2f}")
    print("slowest files [s]: " + ", ".join(f"{k} {v:.2f}" for k, v in
                                              sorted(file_s.items(), key=lambda kv: -kv[1])[:5]))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
