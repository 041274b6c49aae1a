"""The report's charts: matplotlib drawn to inline SVG, one function per chart.

:func:`render_charts` draws every chart of a run in one language from the
data collected once by :func:`energy_model.output.chart_data.collect`.
"""

from __future__ import annotations

import multiprocessing
from concurrent.futures import ProcessPoolExecutor

from energy_model.output.chart_data import ChartData
from energy_model.output.charts import economics, system
from energy_model.output.i18n import LANGS, Lang, Names

#: Charts of a run, in the order of the report.
CHARTS = ("capacity", "monthly", "dispatch_peak_demand", "dispatch_low_wind", "price", "cost", "emissions", "fuel",
          "curtailment")


def render_chart(name: str, data: ChartData, lang: Lang, names: Names) -> str:
    """One chart of :data:`CHARTS` as inline SVG in ``lang``."""
    if name == "capacity":
        return system.capacity(data.capacity, lang, names)
    if name == "monthly":
        return system.monthly_supply(data.monthly, lang, names)
    if name.startswith("dispatch_"):
        which = name.removeprefix("dispatch_")
        return system.dispatch_week(data.weeks[which], which, lang, names)
    if name == "price":
        return economics.price_duration(data.price, data.hours, lang)
    if name == "cost":
        return economics.cost_breakdown(data.costs, lang)
    if name == "emissions":
        return economics.emissions(data.emissions, lang, names)
    if name == "fuel":
        return economics.fuel_limits(data.fuels, lang, names)
    if name == "curtailment":
        return system.curtailment(data.curtailment, lang, names)
    raise KeyError(name)


def render_charts(data: ChartData, lang: Lang, names: Names) -> dict[str, str]:
    """Every chart of :data:`CHARTS` as inline SVG in ``lang``."""
    return {name: render_chart(name, data, lang, names) for name in CHARTS}


def _render(data: ChartData, code: str, names: Names) -> dict[str, str]:
    return render_charts(data, Lang(code), names)


def render_all_languages(data: ChartData, names: Names, parallel: bool = True) -> dict[str, dict[str, str]]:
    """Every chart in every language; the languages are drawn in parallel processes where fork exists.

    Matplotlib draws in one thread, so two forked processes halve the time on
    two cores (drawing is most of the report's cost). Without ``fork`` (or
    with ``parallel=False``) the languages are drawn one after the other.
    """
    if parallel and "fork" in multiprocessing.get_all_start_methods():
        try:
            with ProcessPoolExecutor(max_workers=len(LANGS), mp_context=multiprocessing.get_context("fork")) as pool:
                futures = {code: pool.submit(_render, data, code, names) for code in LANGS}
                return {code: f.result() for code, f in futures.items()}
        except OSError:  # no processes to be had: draw here
            pass
    return {code: _render(data, code, names) for code in LANGS}
