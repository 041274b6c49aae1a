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


def render_charts(data: ChartData, lang: Lang, names: Names) -> dict[str, str]:
    """Every chart of :data:`CHARTS` as inline SVG in ``lang``."""
    return {
        "capacity": system.capacity(data.capacity, lang, names),
        "monthly": system.monthly_supply(data.monthly, lang, names),
        "dispatch_peak_demand": system.dispatch_week(data.weeks["peak_demand"], "peak_demand", lang, names),
        "dispatch_low_wind": system.dispatch_week(data.weeks["low_wind"], "low_wind", lang, names),
        "price": economics.price_duration(data.price, data.hours, lang),
        "cost": economics.cost_breakdown(data.costs, lang),
        "emissions": economics.emissions(data.emissions, lang, names),
        "fuel": economics.fuel_limits(data.fuels, lang, names),
        "curtailment": system.curtailment(data.curtailment, lang, names),
    }


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
