"""Render the target-feasibility report (one self-contained HTML file).

No calculations here beyond formatting and chart geometry: numbers come from
the run document (:func:`energy_model.pipeline.run_scenario`) and the Results.
Jinja2 autoescaping is on, so text from scenario files cannot inject markup.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import xarray as xr
from jinja2 import Environment, PackageLoader

from energy_model import vocabulary as n
from energy_model.output.formatting import fmt_number
from energy_model.analysis.metrics import monthly_generation

_ENV = Environment(loader=PackageLoader("energy_model.output", "templates"), autoescape=True)


def _level(kind: str, value: float | None) -> str:
    if value is None or value != value:
        return "n/a"
    if kind == n.MIN_SHARE:
        return f"{value:.1%}"
    if kind == n.MIN_CAPACITY:
        return f"{value:,.0f} MW"
    return f"{value / 1e6:,.2f} Mt/yr"


_num = fmt_number


def _bars(items: list[tuple[str, float, float]], width: int = 560) -> dict[str, Any]:
    """Horizontal bar geometry: (label, existing, total) -> rectangles in px."""
    top = max([t for _, _, t in items] + [1.0])
    rows = []
    for i, (label, existing, total) in enumerate(items):
        rows.append({"label": label, "y": 22 * i, "w_exist": width * existing / top,
                     "w_new": width * max(total - existing, 0) / top, "total": total})
    return {"rows": rows, "height": 22 * len(items) + 4, "width": width}


def _duration_curve(price: np.ndarray, width: int = 560, height: int = 160) -> dict[str, Any]:
    values = np.sort(price)[::-1]
    cap = float(np.percentile(values, 99.5)) if values.size else 1.0
    top = max(cap, 1.0)
    step = max(1, values.size // 400)
    pts = [(width * i / max(values.size - 1, 1), height - height * min(max(v, 0.0), top) / top)
           for i, v in enumerate(values[::step])]
    return {"points": " ".join(f"{x:.1f},{y:.1f}" for x, y in pts), "top": top, "width": width, "height": height}


#: Colours of carriers in the charts.
COLOURS = {"wind": "#2f7ebc", "solar": "#f2b701", "biomass": "#5b8c2a", "coal": "#555555", "gas": "#d9812b",
           "imports": "#9b59b6", "storage": "#17a2b8", "exports": "#c9b3d9", "tidal": "#1abc9c"}


def _monthly_bars(monthly: Any, width: int = 620, height: int = 220) -> dict[str, Any]:
    """Stacked monthly bars (positive supply up, exports down) and the demand line, as SVG geometry."""
    carriers = [c for c in monthly.columns if c != "demand"]
    pos = monthly[carriers].clip(lower=0)
    neg = monthly[carriers].clip(upper=0)
    top = float(max(pos.sum(axis=1).max(), monthly["demand"].max(), 1e-9))
    bottom = float(-neg.sum(axis=1).min())
    scale = height / (top + bottom)
    zero = top * scale
    bw = width / max(len(monthly), 1)
    rects, labels, demand = [], [], []
    for i, (month, row) in enumerate(monthly.iterrows()):
        up, down = zero, zero
        for c in carriers:
            v = float(row[c])
            if v > 0:
                h = v * scale
                up -= h
                rects.append({"x": i * bw + 4, "y": up, "w": bw - 8, "h": h, "fill": COLOURS.get(c, "#999")})
            elif v < 0:
                h = -v * scale
                rects.append({"x": i * bw + 4, "y": down, "w": bw - 8, "h": h, "fill": COLOURS.get(c, "#999")})
                down += h
        labels.append({"x": i * bw + bw / 2, "text": str(month)[5:]})
        demand.append(f"{i * bw + bw / 2:.1f},{zero - float(row['demand']) * scale:.1f}")
    legend = [{"name": c, "fill": COLOURS.get(c, "#999")} for c in carriers]
    return {"rects": rects, "labels": labels, "demand": " ".join(demand), "width": width, "height": height,
            "legend": legend, "top": top}


def render_report(doc: dict[str, Any], results: xr.Dataset, inputs: xr.Dataset) -> str:
    """Return the HTML report for a run.

    Parameters
    ----------
    doc : dict
        The run document written to ``summary.json``.
    results, inputs : xarray.Dataset
        The enforced Results and their ModelInputs.
    """
    e = doc["enforced"]
    techs = list(e["capacity_mw"])
    existing = dict(zip(inputs[n.TECH].values.astype(str), inputs["existing_mw"].values))
    bars = _bars([(g, float(existing.get(g, 0.0)), float(e["capacity_mw"][g])) for g in techs])
    ids = inputs[n.TECH].values.astype(str)
    labels = {g: " ".join(str(x) for x in (name, zh) if str(x) not in ("", "nan"))
              for g, name, zh in zip(ids, inputs["name"].values, inputs["name_zh"].values)}
    targets = [t | {"level_txt": _level(t["kind"], t["level"]), "ref_txt": _level(t["kind"], t["reference_value"]),
                    "value_txt": _level(t["kind"], t["value"]), "price_txt": _num(t["shadow_price"], ",.1f"),
                    "cost_txt": _num((t["cost_alone_cny_per_yr"] or 0) / 1e6, ",.1f")}
               for t in doc["targets"]]
    return _ENV.get_template("report.html").render(
        doc=doc, e=e, r=doc["reference"], targets=targets, bars=bars,
        price=_duration_curve(results["price_cny_per_mwh"].values), num=_num,
        monthly=_monthly_bars(monthly_generation(results, inputs)), labels=labels,
    )
