"""Command line: argument parsing, progress display, scorecard printing and exit codes only.

``python run.py`` runs the plan-year scenario. See ``python run.py --help``.
Exit codes are documented in :mod:`energy_model.errors` and README.md.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
import time
import traceback
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TextIO

from energy_model.errors import EnergyModelError, InputError, InputNote, InterruptedRun, SolveFailure

PROJECT = Path(__file__).resolve().parents[2]  # energy_model/cli/main.py -> the project folder
DEFAULT_SCENARIO = PROJECT / "scenarios" / "plan_year.yaml"


class Progress:
    """Prints stage lines with elapsed time; while a stage runs long, ticks every 15 s on a terminal."""

    def __init__(self, stream: TextIO, quiet: bool = False):
        self.stream = stream
        self.quiet = quiet
        self.t0 = time.perf_counter()
        self._stop = threading.Event()
        self._stage = ""
        self._thread: threading.Thread | None = None
        if not quiet and stream.isatty():
            self._thread = threading.Thread(target=self._tick, daemon=True)
            self._thread.start()

    def __call__(self, message: str) -> None:
        self._stage = message
        self._stage_t = time.perf_counter()
        if not self.quiet:
            print(f"[{time.perf_counter() - self.t0:7.1f} s] {message}", file=self.stream, flush=True)

    def _tick(self) -> None:
        while not self._stop.wait(15.0):
            if self._stage:
                running = time.perf_counter() - self._stage_t
                print(f"[{time.perf_counter() - self.t0:7.1f} s]   ... still {self._stage} ({running:.0f} s)",
                      file=self.stream, flush=True)

    def close(self) -> None:
        self._stop.set()


def print_scorecard(doc: dict[str, Any], folder: Path | None, out: TextIO | None = None, lang: str = "en") -> None:
    """Print the readable scorecard of a run in ``lang`` (``zh`` or ``en``)."""
    from energy_model.output.i18n import Lang
    from energy_model.output.scorecard import format_scorecard

    print(format_scorecard(doc, folder, Lang(lang)), file=out or sys.stdout)


def _is_pathway(path: Path) -> bool:
    """Whether ``path`` is a pathway scenario file (a ``pathway:`` block)."""
    from energy_model.io.pathway_file import is_pathway_file
    from energy_model.io.yaml_safe import load_yaml

    return path.is_file() and path.suffix.lower() in (".yaml", ".yml") and is_pathway_file(load_yaml(path)[0])


def _cmd_run(args: argparse.Namespace, progress: Progress) -> int:
    from energy_model.workflows.run import run_scenario

    if _is_pathway(Path(args.scenario)):
        return _run_pathway(args, progress)
    outcome = run_scenario(Path(args.scenario), args.out, progress=progress,
                           each_target=True if getattr(args, "each_target", False) else None,
                           check_full=bool(getattr(args, "check_full", False)))
    print_scorecard(outcome.summary, outcome.folder, lang=args.lang)
    for note in outcome.notes:
        print(f"Note: {note}")
    return 0


def _run_pathway(args: argparse.Namespace, progress: Progress) -> int:
    """``run`` of a pathway file: every period solved as one plan (or one after another), one run folder."""
    from energy_model.output.i18n import Lang, Names
    from energy_model.output.pathway_text import pathway_scorecard
    from energy_model.workflows.pathway import run_pathway

    if getattr(args, "each_target", False):
        progress("note: --each-target applies to single-year scenarios; a pathway reports what all its targets "
                 "cost together")
    period = getattr(args, "check_period", None)
    check: bool | int = period if period is not None else bool(getattr(args, "check_full", False))
    outcome = run_pathway(Path(args.scenario), args.out, progress=progress, check_full=check)
    names = Names(outcome.result.by_period[0][1])
    print(pathway_scorecard(outcome.summary, names, outcome.folder, Lang(args.lang)))
    return 0


def _cmd_validate(args: argparse.Namespace, progress: Progress) -> int:
    from energy_model.inputs.load import build_model_inputs
    from energy_model.io.pathway_file import is_pathway_file
    from energy_model.io.sweep_file import is_sweep_file
    from energy_model.io.yaml_safe import load_yaml

    path = Path(args.scenario)
    if path.is_file() and path.suffix.lower() in (".yaml", ".yml"):
        data = load_yaml(path)[0]
        if is_sweep_file(data):
            return _validate_sweep(path)
        if is_pathway_file(data):
            return _validate_pathway(path)
    ds = build_model_inputs(Path(args.scenario))
    method = str(ds.attrs.get("aggregation_method", "none"))
    span = (f"{ds.sizes['time']:,} hours" if method == "none" else
            f"{ds.sizes['time']:,} steps: {method} over {int(ds.attrs['horizon_hours']):,} hours")
    print(f"{args.scenario}: valid ({span}, {ds.sizes['technology']} technologies, "
          f"{ds.sizes['target']} targets; input hash {ds.attrs['input_hash'][:12]})")
    return 0


def _validate_pathway(path: Path) -> int:
    """``validate`` of a pathway file: every period's inputs, the fleet and the commitments, without solving."""
    from energy_model.inputs.pathway_load import load_pathway

    p = load_pathway(path)
    committed = ", ".join(f"{g} {mw:,.0f} MW in {y}" for (g, y), mw in p.committed_mw.items()) or "none"
    print(f"{path}: valid pathway file (periods {', '.join(map(str, p.periods))}, years "
          f"{', '.join(map(str, p.years))}, {p.foresight} foresight; committed: {committed})")
    return 0


def _validate_sweep(path: Path) -> int:
    """``validate`` of a sweep file: the file, its scenario and every variant's values, without solving."""
    from energy_model.sweep.run import prepare_sweep

    prep = prepare_sweep(path)
    verify = "" if prep.full is None else ", verified on the full horizon"
    if prep.pathway is not None:
        verify = f", each a pathway of periods {', '.join(map(str, prep.pathway.periods))}"
    print(f"{path}: valid sweep file ({len(prep.keyed):,} variants, mode {prep.spec.mode}, "
          f"{len(prep.spec.parameters)} parameters of {prep.scenario.name}{verify}; {prep.spec.workers} "
          f"worker{'s' if prep.spec.workers != 1 else ''})")
    return 0


def _cmd_profiles(args: argparse.Namespace, progress: Progress) -> int:
    from energy_model.cli.profiles import print_calibration_table

    print_calibration_table(years=args.years, seed=args.seed)
    return 0


def _cmd_sweep(args: argparse.Namespace, progress: Progress) -> int:
    from energy_model.io.workers import check_workers
    from energy_model.sweep.run import run_sweep

    if args.workers is not None:  # the sweep file's rule for workers, before anything is read
        check_workers(args.workers, "--workers")
    if args.plan:  # a dry run: everything checked, the variant table written and printed, nothing solved
        from energy_model.output.i18n import Lang
        from energy_model.output.sweep_console import format_plan_table
        from energy_model.sweep.plan import plan_sweep

        plan, file = plan_sweep(Path(args.sweep), args.out)
        print(format_plan_table(plan, file, Lang(args.lang)))
        return 0
    table = run_sweep(Path(args.sweep), args.out, workers=args.workers, progress=progress,
                      scheduler=args.scheduler)
    from energy_model.output.i18n import Lang
    from energy_model.output.sweep_console import format_sweep_table

    folder = table.attrs.get("folder")
    print(format_sweep_table(table, Path(folder) if folder else None, Lang(args.lang)))
    return 0


COMMANDS: dict[str, Callable[[argparse.Namespace, Progress], int]] = {
    "run": _cmd_run,
    "validate": _cmd_validate,
    "profiles": _cmd_profiles,
    "sweep": _cmd_sweep,
}


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (also used by the tests and README)."""
    parser = argparse.ArgumentParser(
        prog="run.py",
        description="Least-cost capacity and dispatch of Yancheng's power system, with a target-feasibility test. "
                    "Without a command, runs scenarios/plan_year.yaml into results/.",
        epilog="Exit codes: 0 ok, 2 input error, 3 infeasible, 4 unbounded, 5 limit reached, "
               "6 numerical trouble, 7 output error, 10 partial sweep failure, 130 interrupted.",
    )
    parser.add_argument("--debug", action="store_true", help="show tracebacks for every error")
    parser.add_argument("--quiet", action="store_true", help="no progress lines")
    parser.add_argument("--lang", choices=["zh", "en"], default="en",
                        help="language of the printed scorecard: zh (简体中文) or en (default)")
    sub = parser.add_subparsers(dest="command")
    p = sub.add_parser("run", help="run a scenario end to end (target test, results, report)")
    p.add_argument("scenario", help="scenario YAML file, e.g. scenarios/today.yaml")
    p.add_argument("--out", type=Path, default=None, help="parent folder for the run folder (default: results/)")
    p.add_argument("--each-target", action="store_true",
                   help="also cost each unmet target on its own (one more solve each; automatic for short horizons)")
    p.add_argument("--check-full", action="store_true",
                   help="aggregated scenario: also solve the full horizon and report the aggregation's errors "
                        "(a pathway: its last period)")
    p.add_argument("--check-period", type=int, default=None, metavar="YEAR",
                   help="pathway: the period --check-full solves on its full year (implies --check-full)")
    p = sub.add_parser("validate", help="check a scenario and every input it uses, or a sweep file and every "
                                        "value it sweeps, without solving")
    p.add_argument("scenario")
    p = sub.add_parser("profiles", help="print the wind/PV full-load-hours calibration table")
    p.add_argument("--years", type=int, nargs="+", default=None)
    p.add_argument("--seed", type=int, default=1)
    p = sub.add_parser("sweep", help="run (or resume) a parameter sweep file; one model build per worker")
    p.add_argument("sweep", help="sweep YAML file, e.g. scenarios/sweeps/offshore_capex_week.yaml")
    p.add_argument("--out", type=Path, default=None, help="parent folder of the sweep folder (default: results/)")
    p.add_argument("--workers", type=int, default=None,
                   help="worker processes, here or in a '--scheduler local' cluster (default: from the file)")
    p.add_argument("--scheduler", default=None, metavar="local|tcp://HOST:PORT",
                   help="solve on a Dask cluster: 'local' starts one on 127.0.0.1 (--workers processes, "
                        "one thread each), or the address of a running 'dask scheduler' (default: local pool)")
    p.add_argument("--plan", action="store_true",
                   help="dry run: check everything, write <out>/<sweep name>/plan.csv (variant ids and values) "
                        "and print it, without solving")
    for register in _extensions():
        register(sub, COMMANDS)
    return parser


def _extensions() -> list[Callable[[Any, dict[str, Any]], None]]:
    """Sub-commands contributed by other modules (frontier, breakeven, sweep)."""
    out = []
    for mod in ("energy_model.cli.analysis", "energy_model.cli.compare"):
        try:
            out.append(__import__(mod, fromlist=["register"]).register)
        except ImportError:
            continue
    return out


def _show_notes() -> None:
    """Print :class:`~energy_model.errors.InputNote` warnings as one line ``note: ...`` on stderr."""
    shown = warnings.showwarning
    if getattr(shown, "notes", False):
        return

    def show(message: Warning | str, category: type[Warning], filename: str, lineno: int,
             file: TextIO | None = None, line: str | None = None) -> None:
        if issubclass(category, InputNote):
            print(f"note: {message}", file=file or sys.stderr, flush=True)
        else:
            shown(message, category, filename, lineno, file, line)

    show.notes = True  # type: ignore[attr-defined]
    warnings.showwarning = show


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point: returns the process exit code."""
    parser = build_parser()
    given = list(sys.argv[1:] if argv is None else argv)
    args = parser.parse_args(given)
    if args.command is None:  # global options (--quiet, --lang ...) go before the implied command
        args = parser.parse_args([*given, "run", str(DEFAULT_SCENARIO)])
    progress = Progress(sys.stderr, quiet=args.quiet)
    _show_notes()

    def on_sigint(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGINT, on_sigint)
    try:
        return COMMANDS[args.command](args, progress)
    except InputError as exc:
        print(f"error: {exc.format()}", file=sys.stderr)
        print("nothing was solved or written.", file=sys.stderr)
        if args.debug:
            traceback.print_exc()
        return exc.exit_code
    except SolveFailure as exc:
        print(f"{exc.status.replace('_', ' ')}: {exc}", file=sys.stderr)
        print("no results were written.", file=sys.stderr)
        if args.debug:
            traceback.print_exc()
        return exc.exit_code
    except EnergyModelError as exc:
        print(f"error: {exc}", file=sys.stderr)
        if args.debug:
            traceback.print_exc()
        return exc.exit_code
    except KeyboardInterrupt:
        if args.command == "sweep":
            print("interrupted; the variants committed so far are kept (variants/): run the same command "
                  "again to resume.", file=sys.stderr)
        else:
            print("interrupted; no results were written.", file=sys.stderr)
        return InterruptedRun.exit_code
    except Exception:  # noqa: BLE001 - a bug: show it
        traceback.print_exc()
        print("internal error: this is a bug in the tool; please report it with the traceback above.",
              file=sys.stderr)
        return 1
    finally:
        progress.close()
