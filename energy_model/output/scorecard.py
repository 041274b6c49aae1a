"""The scorecard printed after a run, in Chinese or English (``--lang zh|en``).

Columns are padded by display width (a Chinese character takes two
terminal columns), and labels are never cut.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from energy_model import vocabulary as n
from energy_model.output.aggregation_text import annual_sentence
from energy_model.output.glossary import scenario_text, target_label
from energy_model.output.i18n import Lang, Names, display_width, pad
from energy_model.output.target_notes import note_texts
from energy_model.output.verdicts import status_text
from energy_model.output.writers import open_netcdf


def _level(lang: Lang, kind: str, value: float | None) -> str:
    if value is None or not math.isfinite(float(value)):
        return lang.num(value)
    family = n.target_family(kind)
    if family in (n.SHARE, n.MARGIN):
        return f"{float(value):.1%}"
    if family == n.CAPACITY:
        return f"{lang.num(value)} MW"
    if family == n.ENERGY:
        return f"{lang.num(float(value) / 1e6, 2)} TWh"
    return f"{lang.num(float(value) / 1e6, 2)} Mt"


def _names(folder: Path | None) -> Names | None:
    if folder is None or not (folder / "inputs.nc").is_file():
        return None
    try:
        return Names(open_netcdf(folder / "inputs.nc"))
    except (OSError, ValueError, KeyError):
        return None


def _binding(folder: Path | None, names: Names, lang: Lang) -> list[str]:
    """Binding limits in ``lang``, recomputed from the run folder's Results."""
    from energy_model.output.verdicts import binding_sentences

    assert folder is not None
    return binding_sentences(open_netcdf(folder / "results.nc"), open_netcdf(folder / "inputs.nc"), names, lang)


def _notes(doc: dict[str, Any], lang: Lang) -> list[str]:
    """The run's notes in ``lang``: the pre-check's findings, then the target test's notes worded from their facts.

    A summary.json without ``notes`` (an earlier version) shows its ``messages`` as written.
    """
    messages, notes = list(doc.get("messages", [])), doc.get("notes")
    if notes is None:
        return messages
    cons = (doc.get("enforced") or {}).get("consumption_mwh_per_yr")
    return messages[:len(messages) - len(notes)] + note_texts(notes, lang, cons)


def _table(rows: list[list[str]], right: list[bool]) -> list[str]:
    widths = [max(display_width(r[i]) for r in rows) for i in range(len(rows[0]))]
    return ["  ".join(pad(cell, widths[i], right[i]) for i, cell in enumerate(r)).rstrip() for r in rows]


def format_scorecard(doc: dict[str, Any], folder: Path | None, lang: Lang) -> str:
    """The scorecard of a run document (``summary.json``) as text in ``lang``."""
    e, r = doc["enforced"], doc["reference"]
    out = ["", f"== {scenario_text(doc, 'title', lang)} ==", lang("score.outcome", status=status_text(doc, lang)), ""]
    rows = [[lang("score.target"), lang("score.level"), lang("score.no_policy"), lang("score.met"),
             lang("score.enforced"), lang("score.shadow_price"), lang("score.cost")]]
    for t in doc["targets"]:
        cost = t.get("cost_alone_cny_per_yr")
        rows.append([target_label(t, lang), _level(lang, t["kind"], t["level"]), _level(lang, t["kind"], t["reference_value"]),
                     lang("common.yes") if t["met_without_enforcement"] else lang("common.no"),
                     _level(lang, t["kind"], t["value"]),
                     f"{lang.num(t['shadow_price'], 1)} {lang('price_unit.' + t['kind'])}",
                     lang.num(float(cost) / lang.scale("money") if cost is not None else float("nan"),
                              2 if lang.code == "zh" else 1)])  # nan: n/a; 亿元 or M CNY
    out += _table(rows, [False, True, True, True, True, True, True])
    out.append("")
    cost, ref_cost, cons = e["total_cost_cny_per_yr"], r["total_cost_cny_per_yr"], e["consumption_mwh_per_yr"]
    out.append(lang("score.total_cost", total=lang.q("money", cost, "yr"), per_mwh=lang.q("price", cost / cons),
                    ref=lang.q("money", ref_cost, "yr"), delta=lang.q("money", cost - ref_cost, "yr"),
                    delta_per_mwh=lang.q("price", (cost - ref_cost) / cons)))
    out.append(lang("score.consumption", consumption=lang.q("energy", cons, "yr"), peak=lang.q("power", e["peak_demand_mw"]),
                    share=lang.q("share", e["new_energy_share"]), share_ref=lang.q("share", r["new_energy_share"])))
    out.append("")
    names = _names(folder)
    rows = [[lang("score.technology"), lang("score.capacity"), lang("score.new"), lang("score.output"),
             lang("score.curtailed")]]
    for g, cap in e["capacity_mw"].items():
        curt = e["curtailment_share"].get(g)
        rows.append([names.technology(g, lang) if names else g, lang.num(cap), lang.num(e["new_capacity_mw"][g]),
                     "" if e.get("kind", {}).get(g) == "boiler" else lang.num(e["generation_mwh_per_yr"][g] / 1e3),
                     "" if curt is None else lang.q("share", curt)])
    out += _table(rows, [False, True, True, True, True])
    out.append("")
    em = e["emissions_t_per_yr"]
    out.append(lang("score.emissions", co2=lang.q("mass", em.get("co2", 0.0), "yr"),
                    imported=lang.q("mass", e["imported_co2_t_per_yr"], "yr"), so2=lang.q("mass", em.get("so2", 0.0)),
                    nox=lang.q("mass", em.get("nox", 0.0)), pm=lang.q("mass", em.get("pm", 0.0))))
    ledgers = e.get("co2_ledgers_t_per_yr") or {}
    if "consumption" in ledgers:
        out.append(lang("score.co2_ledgers", production=lang.q("mass", ledgers["production"], "yr"),
                        consumption=lang.q("mass", ledgers["consumption"], "yr"),
                        per_mwh=lang.num(ledgers["consumption"] / cons if cons else float("nan"), 3)))
    for f, row in e["fuels"].items():
        fuel = names.fuel_name(f, lang) if names else f
        lim = row.get("limit_per_yr")
        use = lang.fuel_amount(row["use_per_yr"], row["unit"], "yr")
        if lim is not None and math.isfinite(float(lim)):
            out.append(lang("score.fuel_limited", fuel=fuel, use=use, limit=lang.fuel_amount(lim, row["unit"], "yr"),
                            share=lang.q("share", row["use_per_yr"] / lim if lim else math.nan),
                            peak=lang.fuel_amount(row["peak_use_per_h"], row["unit"], "h"),
                            limit_h=lang.fuel_amount(row.get("limit_per_h"), row["unit"], "h")))
        else:
            out.append(lang("score.fuel_free", fuel=fuel, use=use))
    if e["unserved_hours"] > 0:
        out.append(lang("score.unserved", energy=lang.q("energy", e["unserved_mwh_per_yr"], "yr"),
                        hours=lang.num(e["unserved_hours"])))
    binding = _binding(folder, names, lang) if names is not None else doc["binding_limits"]
    if binding:
        out.append(lang("score.binding", limits=lang("common.list_sep").join(binding)))
    for m in _notes(doc, lang):
        out.append(lang("score.note", text=m))
    agg = doc.get("aggregation") or {}
    if agg.get("method", "none") != "none":
        out.append(lang("score.aggregated", method=lang(f"aggregation.method.{agg['method']}"),
                        periods=lang.num(agg["periods"]), steps=lang.num(agg["steps"]),
                        period=lang.period(agg["horizon_hours"])))
        check = agg.get("check_full")
        if check:
            cap = check["max_capacity_error"]
            objective = f"{check['objective']['relative_error']:+.2%}"
            if cap.get("technology"):
                out.append(lang("score.check_full", objective=objective, capacity=f"{cap['relative_error']:+.1%}",
                                tech=cap["technology"], seconds=lang.num(check["seconds"], 0)))
            else:  # no technology differs: a "+0.0% ()" would name nothing
                out.append(lang("score.check_full_same", objective=objective, seconds=lang.num(check["seconds"], 0)))
            annual = annual_sentence(check, names, lang)
            if annual:
                out.append(annual)
    out.append(timings_line(doc["timings_s"], lang))
    if folder is not None:
        out.append(lang("score.results", folder=folder))
    return "\n".join(out)


def timings_line(t: dict[str, Any], lang: Lang) -> str:
    """The "Timings:" line: each phase once [s]; the solve sum says when it is over parallel processes.

    ``update`` is the time spent putting the model in each case's state
    (target modes, changed inputs), between the build and the solves.
    """
    parallel = (lang("score.timings_parallel", wall=lang.num(t.get("solve_wall_s", t["solve_s"]), 1))
                if t.get("parallel_solves") else "")
    return lang("score.timings", inputs=lang.num(t["inputs_s"], 1), build=lang.num(t["build_s"], 1),
                update=lang.num(t.get("update_s", 0.0), 1),
                compile=lang.num(t["compile_s"], 1), compiles=t.get("compiles", t["solves"]),
                solve=lang.num(t["solve_s"], 1), solves=t["solves"], parallel=parallel,
                results=lang.num(t.get("extract_s", 0.0) + t.get("check_s", 0.0), 1),
                write=lang.num(t.get("write_s", 0.0), 1),
                total=lang.num(t.get("total_s", t.get("wall_s", 0.0)), 1))


def report_timings(t: dict[str, Any], lang: Lang) -> str:
    """The report's sentence on solves and times [s]: the solves' elapsed time, never a sum over processes."""
    return lang("report.timings", solves=t["solves"], build=lang.num(t["build_s"], 1),
                solve=lang.num(t.get("solve_wall_s", t["solve_s"]), 1))
