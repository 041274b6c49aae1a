"""One exception hierarchy for the whole tool, each class tied to an exit code.

The command line maps these classes to exit codes (see :data:`EXIT_CODES`);
nothing else in the package calls ``sys.exit``. User mistakes are
:class:`InputError` and carry every problem found in a file together, each
as an :class:`InputIssue` naming the file, the line (when known), the key
path, the bad value and what was expected.

Exit codes (the documented contract, also in README.md):

====  =====================================================================
code  meaning
====  =====================================================================
0     every requested run ended in a proven optimum that passed the checks
1     internal error (a bug); traceback shown
2     input or validation error; nothing was solved, nothing written
3     infeasible; a diagnosis in plain words is printed, no results written
4     unbounded (or infeasible-or-unbounded)
5     a limit was reached (time, iteration, memory) without a proven optimum
6     numerical trouble: unknown solver status, or a post-solve check failed
7     I/O error: output not writable, disk full, output folder locked
10    sweep finished with some variants failed (see the sweep manifest)
130   interrupted (Ctrl-C)
====  =====================================================================
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

#: Maximum number of issues reported for one file.
MAX_ISSUES = 50


@dataclass(frozen=True)
class InputIssue:
    """One problem found in an input file.

    Parameters
    ----------
    file : str
        File the problem is in, relative to the project or scenario folder.
    key_path : str
        Key path (``targets.wind.min_mw``), column (``technologies.csv:capex_cny_per_kw``)
        or timestamp locating the bad value; empty when the whole file is at fault.
    message : str
        What is wrong and what was expected, in plain words.
    value : Any, optional
        The offending value, shown with ``repr``.
    line : int, optional
        1-based line number in the file, when known.
    """

    file: str
    key_path: str
    message: str
    value: Any = None
    line: int | None = None

    def format(self) -> str:
        """Return the one-line form ``file:line: key.path: message (got value)``."""
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        parts = [where]
        if self.key_path:
            parts.append(self.key_path)
        text = ": ".join(parts) + ": " + self.message
        if self.value is not None:
            shown = repr(self.value)
            if len(shown) > 80:
                shown = shown[:77] + "..."
            text += f" (got {shown})"
        return text


class EnergyModelError(Exception):
    """Base class of every error the tool raises on purpose."""

    exit_code: int = 1
    status: str = "error"


class InputError(EnergyModelError):
    """Bad input: one or more :class:`InputIssue`, reported together (exit 2)."""

    exit_code = 2
    status = "input_error"

    def __init__(self, issues: list[InputIssue] | InputIssue):
        if isinstance(issues, InputIssue):
            issues = [issues]
        self.issues: list[InputIssue] = list(issues)[:MAX_ISSUES]
        super().__init__(self.format())

    def format(self) -> str:
        """Return all issues, one per line."""
        n = len(self.issues)
        head = f"{n} input error{'s' if n != 1 else ''}:"
        return "\n".join([head] + ["  " + i.format() for i in self.issues])


class SolverUnavailableError(EnergyModelError):
    """The solver or a requested solver feature cannot be used (exit 2)."""

    exit_code = 2
    status = "solver_unavailable"


@dataclass
class SolveFailure(EnergyModelError):
    """The solver did not prove an optimum. Subclasses name the outcome.

    Parameters
    ----------
    message : str
        Plain-words explanation for the user.
    termination : str
        Solver outcome in the tool's vocabulary (``infeasible``, ``time_limit`` ...).
    diagnosis : list of str
        Further lines (infeasibility explanation, limits hit).
    """

    message: str
    termination: str = "unknown"
    diagnosis: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        super().__init__(self.message)

    def __str__(self) -> str:
        return "\n".join([self.message] + ["  " + d for d in self.diagnosis])


class InfeasibleError(SolveFailure):
    """The LP has no feasible point (exit 3)."""

    exit_code = 3
    status = "infeasible"


class UnboundedError(SolveFailure):
    """The LP is unbounded or infeasible-or-unbounded (exit 4)."""

    exit_code = 4
    status = "unbounded"


class LimitReachedError(SolveFailure):
    """A time, iteration or memory limit stopped the solver (exit 5)."""

    exit_code = 5
    status = "limit_reached"


class NumericalError(SolveFailure):
    """Unknown solver status or a failed post-solve invariant (exit 6)."""

    exit_code = 6
    status = "numerical_trouble"


class OutputError(EnergyModelError):
    """Results cannot be written: permissions, disk full, folder locked (exit 7)."""

    exit_code = 7
    status = "io_error"


class PartialSweepError(EnergyModelError):
    """A sweep finished but some variants failed (exit 10)."""

    exit_code = 10
    status = "partial_failure"


class InterruptedRun(SolveFailure):
    """The run was interrupted by the user (exit 130)."""

    exit_code = 130
    status = "interrupted"


#: Exit code per error class, for documentation and tests.
EXIT_CODES: dict[str, int] = {
    "ok": 0,
    "internal_error": 1,
    "input_error": InputError.exit_code,
    "infeasible": InfeasibleError.exit_code,
    "unbounded": UnboundedError.exit_code,
    "limit_reached": LimitReachedError.exit_code,
    "numerical_trouble": NumericalError.exit_code,
    "io_error": OutputError.exit_code,
    "partial_failure": PartialSweepError.exit_code,
    "interrupted": InterruptedRun.exit_code,
}


class InputNote(UserWarning):
    """A note about the inputs that is not an error (e.g. an inherited value dropped); shown as ``note: ...``.

    Raised with :func:`warnings.warn`; the command line prints it as one line.
    """
