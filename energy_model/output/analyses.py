"""Frontier and break-even results in a run folder: their file names, and how the report shows them.

``python run.py frontier`` writes ``frontier_<target>.csv`` and ``python run.py
breakeven`` writes ``breakeven_<parameter>_<target>.json``, so analyses of
different targets and parameters sit side by side instead of overwriting
each other. The run's report shows every one present: the frontier curve
with the marginal cost of each step, and the break-even sentence.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import xarray as xr

from energy_model import vocabulary as n
from energy_model.output.assumptions import describe
from energy_model.output.i18n import LANGS, Lang, Names
from energy_model.output.run_folder import ANALYSIS_GLOBS
from energy_model.output.verdicts import level_text, target_name

FRONTIER_GLOB, BREAKEVEN_GLOB = ANALYSIS_GLOBS


def _safe(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", text).strip("._") or "x"


def frontier_filename(target: str) -> str:
    """File name of a target's frontier: ``frontier_<target>.csv``."""
    return f"frontier_{_safe(target)}.csv"


def breakeven_filename(param: str, target: str) -> str:
    """File name of a break-even search: ``breakeven_<parameter path>_<target>.json``."""
    return f"breakeven_{_safe(param)}_{_safe(target)}.json"


@dataclass
class Frontier:
    """A frontier table read from a run folder."""

    file: str
    target: str
    kind: str
    table: pd.DataFrame


@dataclass
class Breakeven:
    """A break-even result read from a run folder."""

    file: str
    result: dict[str, Any]


def read_analyses(folder: Path, inputs: xr.Dataset) -> tuple[list[Frontier], list[Breakeven]]:
    """Every frontier and break-even file of a run folder whose target the run knows."""
    manifest_path = folder / "manifest.json"
    analyses = json.loads(manifest_path.read_text(encoding="utf-8")).get("analyses", {}) \
        if manifest_path.is_file() else {}
    known = set(inputs[n.TARGET].values.astype(str))
    frontiers = []
    for path in sorted(folder.glob(FRONTIER_GLOB)):
        target = str(analyses.get(path.name, {}).get("target") or path.stem.removeprefix("frontier_"))
        if target not in known:
            continue
        kind = str(inputs["target_kind"].sel({n.TARGET: target}).item())
        frontiers.append(Frontier(path.name, target, kind, pd.read_csv(path, encoding="utf-8-sig")))
    breakevens = []
    for path in sorted(folder.glob(BREAKEVEN_GLOB)):
        result = json.loads(path.read_text(encoding="utf-8"))
        if str(result.get("target")) in known:
            breakevens.append(Breakeven(path.name, result))
    return frontiers, breakevens


def _money_step(lang: Lang, kind: str, value: float) -> str:
    if n.target_family(kind) == n.EMISSIONS:
        return f"{lang.num(value, 1)} {lang('unit.cny_per_t')}"
    return lang.q("money", value, per="yr")


def frontier_sentence(f: Frontier, inputs: xr.Dataset, names: Names, lang: Lang) -> str:
    """What each step along a frontier costs, in words."""
    ok = f.table[f.table["status"] == "optimal"]
    steps = ok["marginal_cost"].dropna()
    name = target_name(inputs, f.target, names, lang)
    if steps.empty or ok.empty:
        return lang("frontier.none", name=name)
    lo, hi = float(ok["level"].iloc[0]), float(ok["level"].iloc[-1])
    first, last = float(steps.iloc[0]), float(steps.iloc[-1])
    text = lang(f"frontier.step.{f.kind}", name=name, lo=level_text(f.kind, lo, lang),
                hi=level_text(f.kind, hi, lang), first=_money_step(lang, f.kind, first))
    if len(steps) > 1 and not math.isclose(first, last, rel_tol=1e-3):
        text += lang("frontier.rising", last=_money_step(lang, f.kind, last))
    bad = f.table[f.table["status"] != "optimal"]
    if not bad.empty:
        text += lang("frontier.infeasible",
                     levels=lang("common.list_sep").join(level_text(f.kind, float(x), lang) for x in bad["level"]))
    return text + lang("common.period")


def frontier_rows(f: Frontier, lang: Lang) -> list[dict[str, str]]:
    """The frontier table formatted for the report (level, achieved, cost increase, marginal cost, price)."""
    out = []
    for r in f.table.itertuples(index=False):
        ok = r.status == "optimal"
        out.append({"level": level_text(f.kind, float(r.level), lang),
                    "value": level_text(f.kind, float(r.value), lang) if ok else lang("common.infeasible"),
                    "increase": lang.q("money", float(r.cost_increase_cny_per_yr), per="yr") if ok else "",
                    "marginal": _money_step(lang, f.kind, float(r.marginal_cost))
                    if ok and math.isfinite(float(r.marginal_cost)) else "",
                    "price": f"{lang.num(float(r.shadow_price), 1)} {lang(f'price_unit.{f.kind}')}" if ok else ""})
    return out


def breakeven_sentence(b: Breakeven, inputs: xr.Dataset, names: Names, lang: Lang) -> str:
    """The break-even finding in words."""
    r = b.result
    kind = str(inputs["target_kind"].sel({n.TARGET: r["target"]}).item())
    unit = str(r.get("unit", ""))

    def val(x: Any) -> str:
        return f"{lang.num(float(x), 0 if abs(float(x)) >= 100 else 2)} {unit}" if x is not None else lang("common.na")

    values = {"param": describe(str(r["parameter"]), names, lang), "target": target_name(inputs, r["target"], names,
                                                                                          lang),
              "value": val(r.get("value")), "current": val(r.get("current_value")),
              "price": f"{lang.num(r.get('dual_at_current'), 1)} {lang(f'price_unit.{kind}')}",
              "lo": val((r.get("bracket") or {}).get("lo")), "hi": val((r.get("bracket") or {}).get("hi"))}
    status = str(r.get("status"))
    if status == "found":
        return lang(f"breakeven.found.{r.get('direction', 'fall')}", **values)
    return lang(f"breakeven.{status}", **values)


def bilingual_sentences(frontiers: list[Frontier], breakevens: list[Breakeven], inputs: xr.Dataset,
                        names: Names) -> dict[str, list[str]]:
    """Every analysis sentence per language (for the workbook and tests)."""
    return {code: [frontier_sentence(f, inputs, names, Lang(code)) for f in frontiers]
            + [breakeven_sentence(b, inputs, names, Lang(code)) for b in breakevens] for code in LANGS}
