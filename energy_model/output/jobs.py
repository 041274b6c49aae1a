"""The slow outputs of a run, started together in forked processes while the other files are written.

Drawing the charts of each language and writing ``results.xlsx`` (its hourly
sheet has 8,760 rows) are CPU work that does not depend on the other files.
:class:`OutputJobs` submits them at once, chart by chart, to a pool of two
processes, so on a two-core machine they overlap with each other and with the
NetCDF and CSV files the parent writes meanwhile; the writers of ``report.html`` and
``results.xlsx`` then only collect the results. Without ``fork`` the same
work runs in the calling process when it is collected.
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

#: What the forked workers read (set just before the pool forks, so nothing large is pickled).
_PAYLOAD: dict[str, Any] = {}


def _chart(name: str, code: str) -> str:
    return render_chart(name, _PAYLOAD["charts"], Lang(code), _PAYLOAD["names"])


def _workbook(path: str) -> str:
    p = _PAYLOAD
    write_run_workbook(Path(path), p["doc"], p["results"], p["reference"], p["inputs"], p["assumptions"], p["hourly"])
    return path


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
    """

    def __init__(self, doc: dict[str, Any], results: xr.Dataset, reference: xr.Dataset, inputs: xr.Dataset,
                 assumptions: pd.DataFrame, hourly: pd.DataFrame) -> None:
        self._args = (doc, results, reference, inputs, assumptions, hourly)
        self._tmp = Path(tempfile.mkdtemp(prefix="energy_model_outputs_"))
        weakref.finalize(self, shutil.rmtree, self._tmp, True)
        self._pool: ProcessPoolExecutor | None = None
        self._futures: dict[str, Future[Any]] = {}
        names = Names(inputs)
        _PAYLOAD.clear()
        _PAYLOAD.update(doc=doc, results=results, reference=reference, inputs=inputs, assumptions=assumptions,
                        hourly=hourly, names=names, charts=collect(results, reference, inputs))
        if "fork" in multiprocessing.get_all_start_methods():
            try:
                self._pool = ProcessPoolExecutor(max_workers=2, mp_context=multiprocessing.get_context("fork"))
                self._futures["workbook"] = self._pool.submit(_workbook, str(self._tmp / "results.xlsx"))
                for code in LANGS:  # chart by chart, so the two processes share the work evenly
                    for name in CHARTS:
                        self._futures[f"{name}-{code}"] = self._pool.submit(_chart, name, code)
            except OSError:  # no processes to be had: everything runs here when collected
                self._pool = None
                self._futures.clear()

    def charts(self) -> dict[str, dict[str, str]]:
        """Every chart of every language (waits for the drawing processes)."""
        out: dict[str, dict[str, str]] = {}
        for code in LANGS:
            out[code] = {}
            for name in CHARTS:
                future = self._futures.get(f"{name}-{code}")
                out[code][name] = future.result() if future is not None else _chart(name, code)
        self._finish_if_done()
        return out

    def write_workbook(self, path: Path) -> None:
        """Put ``results.xlsx`` at ``path`` (waits for the process writing it)."""
        future = self._futures.get("workbook")
        made = Path(future.result()) if future is not None else Path(_workbook(str(self._tmp / "results.xlsx")))
        shutil.move(str(made), str(path))
        self._finish_if_done()

    def _finish_if_done(self) -> None:
        if self._pool is not None and all(f.done() for f in self._futures.values()):
            self._pool.shutdown(wait=True)
            self._pool = None

    def close(self) -> None:
        """Stop the workers and remove the temporary folder (also done when the object is collected)."""
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
        shutil.rmtree(self._tmp, ignore_errors=True)
