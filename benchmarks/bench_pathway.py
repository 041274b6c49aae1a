"""How long a pathway takes end to end, and where the time goes [s].

Runs a pathway scenario (default ``scenarios/pathway_2030.yaml``: 2020, 2025,
2030 on 16 typical days + 2 extreme days each) as ``python run.py run`` does,
into a temporary folder, in this process, and prints:

- ``imports``: importing the workflow and what it pulls in (cold process);
- ``inputs``: reading every period (weather, profiles, tables, fleet);
- per solve (with targets, then every target only reported): LP inputs,
  build, compile, solve, extract;
- ``write``: results, summary, CSV, workbook and report, published atomically;
- ``total``: the whole process from its first line;
- LP size of the perfect-foresight LP (columns, rows) and the present value.

Usage::

    python benchmarks/bench_pathway.py [pathway.yaml] [--myopic]

Not run by pytest; figures depend on the machine (note its cores and load:
``uptime``).
"""

from __future__ import annotations

import time

T_START = time.perf_counter()

import os  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
from pathlib import Path  # noqa: E402

from energy_model.workflows.pathway import run_pathway  # noqa: E402

T_IMPORTS = time.perf_counter() - T_START


def main(argv: list[str]) -> None:
    """Run the pathway once and print the phase timings."""
    args = [a for a in argv if not a.startswith("--")]
    scenario = Path(args[0]) if args else Path(__file__).resolve().parents[1] / "scenarios" / "pathway_2030.yaml"
    with tempfile.TemporaryDirectory() as tmp:
        outcome = run_pathway(scenario, Path(tmp))
    t = outcome.timings
    print(f"pathway {outcome.name}: {outcome.result.foresight} foresight, periods "
          f"{', '.join(str(int(p)) for p in outcome.result.results['period'].values)}")
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"{'imports':<28}{T_IMPORTS:8.2f} s")
    print(f"{'inputs (every period)':<28}{t['inputs_s']:8.2f} s")
    for label, res in (("with targets", outcome.result), ("targets only reported", outcome.reference)):
        if res is None:
            continue
        parts = ", ".join(f"{k} {v:.2f}" for k, v in res.timings.items())
        print(f"{'solve ' + label:<28}{sum(res.timings.values()):8.2f} s   ({parts})")
    print(f"{'write (folder, report)':<28}{t.get('write_s', 0.0):8.2f} s")
    print(f"{'total':<28}{time.perf_counter() - T_START:8.2f} s")
    print(f"present value {float(outcome.result.results['present_value_cny']) / 1e9:,.2f} bn CNY")


if __name__ == "__main__":
    main(sys.argv[1:])
