"""The slow outputs of a run, drawn in forked processes while the run goes on.

Drawing the charts of each language and writing ``results.xlsx`` (its hourly
sheet has 8,760 rows) are CPU work that does not depend on the other files.
The charts need only the enforced and reference results, so :class:`ChartJobs`
can start them, chart by chart, on a pool of two processes as soon as those
two solves are done: on a two-core machine they then draw while the run
solves each target alone (one core) and writes its NetCDF and CSV files.
:class:`OutputJobs` adds the workbook, once the run document exists, and
the writers of ``report.html`` and ``results.xlsx`` only collect the results.
Without ``fork`` the same work runs in the calling process when it is collected.
"""

from __future__ import annotations

import multiprocessing
import shutil
import tempfile
import weakref
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path
from typing import Any

import pandas as pd
import xarray as xr

from energy_model.output.chart_data import collect
from energy_model.output.charts import CHARTS, render_chart
from energy_model.output.i18n import LANGS, Lang, Names
from energy_model.output.workbook import write_run_workbook

#: What the forked chart workers read (set just before their pool forks, so nothing large is pickled).
_CHARTS: dict[str, Any] = {}
#: What the forked workbook worker reads (likewise).
_PAYLOAD: dict[str, Any] = {}


def _chart(name: str, code: str) -> str:
    return render_chart(name, _CHARTS["charts"], Lang(code), _CHARTS["names"])


def _workbook(path: str) -> str:
    p = _PAYLOAD
    write_run_workbook(Path(path), p["doc"], p["results"], p["reference"], p["inputs"], p["assumptions"], p["hourly"])
    return path


def _pool(workers: int) -> ProcessPoolExecutor | None:
    """A pool of forked processes, or None where there is no ``fork`` or no process to be had."""
    if "fork" not in multiprocessing.get_all_start_methods():
        return None
    try:
        return ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("fork"))
    except OSError:
        return None


class ChartJobs:
    """Every chart of both languages of one run, drawn in the background from the moment it is made.

    Parameters
    ----------
    results, reference, inputs : xarray.Dataset
        Enforced and reference Results, and the ModelInputs (not changed afterwards
        in anything a chart shows).
    """

    def __init__(self, results: xr.Dataset, reference: xr.Dataset, inputs: xr.Dataset) -> None:
        _CHARTS.clear()
        _CHARTS.update(names=Names(inputs), charts=collect(results, reference, inputs))
        self._futures: dict[str, Future[str]] = {}
        self._pool = _pool(2)
        if self._pool is not None:
            try:
                for code in LANGS:  # chart by chart, so the two processes share the work evenly
                    for name in CHARTS:
                        self._futures[f"{name}-{code}"] = self._pool.submit(_chart, name, code)
            except OSError:  # no processes to be had: everything runs here when collected
                self.close()

    def charts(self) -> dict[str, dict[str, str]]:
        """Every chart of every language (waits for the drawing processes)."""
        out: dict[str, dict[str, str]] = {}
        for code in LANGS:
            out[code] = {}
            for name in CHARTS:
                future = self._futures.get(f"{name}-{code}")
                out[code][name] = future.result() if future is not None else _chart(name, code)
        self.close()
        return out

    def close(self) -> None:
        """Stop the workers (charts not drawn yet are then drawn here when collected)."""
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
        self._futures = {k: f for k, f in self._futures.items() if f.done() and not f.cancelled()}


class OutputJobs:
    """Charts of both languages and ``results.xlsx`` of one run, computed in the background.

    Parameters
    ----------
    doc : dict
        The run document (``summary.json``).
    results, reference, inputs : xarray.Dataset
        Enforced and reference Results, and the ModelInputs.
    assumptions, hourly : pandas.DataFrame
        The assumptions table and the hourly table of the run.
    charts : ChartJobs, optional
        The charts, if already started (else they are started here).
    """

    def __init__(self, doc: dict[str, Any], results: xr.Dataset, reference: xr.Dataset, inputs: xr.Dataset,
                 assumptions: pd.DataFrame, hourly: pd.DataFrame, charts: ChartJobs | None = None) -> None:
        self._tmp = Path(tempfile.mkdtemp(prefix="energy_model_outputs_"))
        weakref.finalize(self, shutil.rmtree, self._tmp, True)
        _PAYLOAD.clear()
        _PAYLOAD.update(doc=doc, results=results, reference=reference, inputs=inputs, assumptions=assumptions,
                        hourly=hourly)
        self._workbook: Future[str] | None = None
        self._pool = _pool(1)
        if self._pool is not None:
            try:
                self._workbook = self._pool.submit(_workbook, str(self._tmp / "results.xlsx"))
            except OSError:
                self._pool.shutdown(wait=False)
                self._pool = None
        self._charts = charts if charts is not None else ChartJobs(results, reference, inputs)

    def charts(self) -> dict[str, dict[str, str]]:
        """Every chart of every language (waits for the drawing processes)."""
        return self._charts.charts()

    def write_workbook(self, path: Path) -> None:
        """Put ``results.xlsx`` at ``path`` (waits for the process writing it)."""
        future = self._workbook
        made = Path(future.result()) if future is not None else Path(_workbook(str(self._tmp / "results.xlsx")))
        shutil.move(str(made), str(path))
        if self._pool is not None:
            self._pool.shutdown(wait=True)
            self._pool = None

    def close(self) -> None:
        """Stop the workers and remove the temporary folder (also done when the object is collected)."""
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
        self._charts.close()
        shutil.rmtree(self._tmp, ignore_errors=True)
