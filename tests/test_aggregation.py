"""Time aggregation: hand-solved typical days with and without storage linking, exact segments, errors."""

from __future__ import annotations

import numpy as np
import pytest
from tiny import SIMPLEX, system, tech

from energy_model.engine.checks import check_results
from energy_model.engine.extract import extract_results
from energy_model.engine.highs import solve_model
from energy_model.engine.study import Study
from energy_model.errors import InputError
from energy_model.inputs.assemble import assemble_case
from energy_model.io.changes import Origin, apply_changes
from energy_model.model import build_model

SUN = [1.0] * 24
DARK = [0.0] * 24


def shifting_case(**agg: object):
    """Four days: two sunny (PV cf 1 all day), two dark; demand 1 MW throughout.

    PV 48 CNY/kW-yr, battery energy 1 CNY/kWh-yr (power free, lossless), gas
    100 CNY/MWh (1 MW existing). Hours stand for 8760 / 96 = 91.25 h/yr.

    - Storage carried from the sunny days to the dark ones: PV 2 MW (1 MW
      for the sunny days' demand, 1 MW to fill 48 MWh), battery 48 MWh:
      2 x 48,000 + 48 x 1,000 = 144,000 CNY/yr; shifting costs 2,000 CNY per
      annual MWh against 9,125 for gas, so no gas.
    - Each day cyclic (no carrying): PV 1 MW (48,000) and gas for the dark
      days, 48 MWh x 91.25 x 100 = 438,000: 486,000 CNY/yr.
    """
    case = system(
        [tech("pv", "variable", profile="pv", capex_cny_per_kw=48),
         tech("gas", "thermal", fuel="natural_gas", efficiency=1.0, vom_cny_per_mwh=100, existing_mw=1, max_mw=1),
         tech("bat", "storage", capex_cny_per_kwh=1, charge_efficiency=1.0, discharge_efficiency=1.0)],
        [1.0] * 96, cf={"pv": SUN + SUN + DARK + DARK},
    )
    return apply_changes(case, {f"aggregation.{k}": v for k, v in agg.items()}) if agg else case


def solve(case):
    ds = assemble_case(case)
    m = build_model(ds)
    res = extract_results(m, solve_model(m, SIMPLEX), ds)
    check_results(res, ds)
    return res, ds


def test_full_horizon_shifts_between_days():
    res, _ = solve(shifting_case())
    assert res.attrs["objective_cny_per_yr"] == pytest.approx(144_000.0, rel=1e-9)
    assert res["capacity_mw"].sel(technology="pv").item() == pytest.approx(2.0, abs=1e-7)
    assert res["energy_capacity_mwh"].sel(technology="bat").item() == pytest.approx(48.0, abs=1e-6)


def test_two_typical_days_weights_and_linked_storage():
    """Two representative days of weight 2 x 91.25 = 182.5 h/yr each; linking gives the full answer exactly."""
    res, ds = solve(shifting_case(method="typical_days", periods=2))
    np.testing.assert_allclose(ds["time_weight"].values, 182.5)
    assert ds.sizes["time"] == 48
    assert list(ds["period_sequence"].values) == [0, 0, 1, 1]
    assert float(ds["demand_mw"].values @ ds["time_weight"].values) == pytest.approx(8760.0)
    assert res.attrs["objective_cny_per_yr"] == pytest.approx(144_000.0, rel=1e-9)
    assert res["capacity_mw"].sel(technology="pv").item() == pytest.approx(2.0, abs=1e-7)
    assert res["energy_capacity_mwh"].sel(technology="bat").item() == pytest.approx(48.0, abs=1e-6)
    # state at the start of each of the four days: empty, half full, full, half full
    np.testing.assert_allclose(res["storage_day_start_mwh"].sel(technology="bat").values, [0, 24, 48, 24],
                               atol=1e-6)
    # the reported level of the sunny representative (day 1) rises from 0 to 24 MWh
    level = res["storage_level_mwh"].sel(technology="bat").values
    np.testing.assert_allclose(level[:24], np.arange(1, 25), atol=1e-6)


def test_two_typical_days_without_linking_cannot_shift():
    res, _ = solve(shifting_case(method="typical_days", periods=2, link_storage=False))
    assert res.attrs["objective_cny_per_yr"] == pytest.approx(486_000.0, rel=1e-9)
    assert res["capacity_mw"].sel(technology="pv").item() == pytest.approx(1.0, abs=1e-7)
    assert res["energy_capacity_mwh"].sel(technology="bat").item() == pytest.approx(0.0, abs=1e-6)


def rich_case(**agg: object):
    """Two days with every time-coupled family: ramps, minimum load, start-ups, a lossy battery, heat."""
    hours = 48
    t = np.arange(hours)
    demand = 60 + 25 * np.sin((t - 8) / 24 * 2 * np.pi) + 5 * np.cos(t / 5.0)
    pv = np.clip(np.sin((t % 24 - 6) / 12 * np.pi), 0, None) * (0.8 + 0.2 * (t >= 24))
    case = system(
        [tech("pv", "variable", profile="pv", capex_cny_per_kw=300),
         tech("coal", "thermal", fuel="natural_gas", efficiency=0.4, vom_cny_per_mwh=20, existing_mw=40,
              max_mw=40, min_stable_load=0.5, ramp_rate_per_h=0.2, startup_cost_cny_per_mw=50),
         tech("gas", "thermal", fuel="natural_gas", efficiency=0.5, vom_cny_per_mwh=80, capex_cny_per_kw=200,
              ramp_rate_per_h=0.5),
         tech("chp", "chp", fuel="natural_gas", efficiency=0.35, heat_to_power=1.2, existing_mw=10, max_mw=10),
         tech("boiler", "boiler", fuel="natural_gas", efficiency=0.9, existing_mw=30, max_mw=30),
         tech("bat", "storage", capex_cny_per_kw=50, capex_cny_per_kwh=30, charge_efficiency=0.95,
              discharge_efficiency=0.95, self_discharge_per_h=0.001)],
        demand.tolist(), heat=(10 + 5 * np.cos(t / 24 * 2 * np.pi)).tolist(), cf={"pv": pv.tolist()},
    )
    fuels = case.fuels.copy()
    fuels.loc[fuels.index[0], "price_cny_per_unit"] = 150.0
    case = case.evolve(fuels=fuels)
    return apply_changes(case, {f"aggregation.{k}": v for k, v in agg.items()}) if agg else case


def test_segments_of_one_hour_reproduce_the_full_horizon_exactly():
    full, _ = solve(rich_case())
    seg, ds = solve(rich_case(method="segments", periods=48))
    assert ds.attrs["aggregation_method"] == "segments"
    assert seg.attrs["objective_cny_per_yr"] == pytest.approx(full.attrs["objective_cny_per_yr"], rel=1e-9)
    np.testing.assert_allclose(seg["capacity_mw"].values, full["capacity_mw"].values, rtol=1e-7, atol=1e-6)
    np.testing.assert_allclose(seg["cost_cny_per_yr"].values, full["cost_cny_per_yr"].values, rtol=1e-7, atol=1e-3)


def test_segments_keep_annual_energy_and_use_durations():
    case = rich_case(method="segments", periods=12)
    ds = assemble_case(case)
    full = assemble_case(rich_case())
    assert ds.sizes["time"] == 12
    assert float(ds["step_hours"].sum()) == 48.0
    np.testing.assert_allclose(ds["time_weight"].values, ds["step_hours"].values * 8760 / 48)
    for name in ("demand_mw", "heat_demand_mw"):
        assert float(ds[name].values @ ds["time_weight"].values) == pytest.approx(
            float(full[name].values.sum()) * 8760 / 48, rel=1e-12)
    res, _ = solve(case)  # solves and passes every check (balance, limits, continuity with durations)
    assert res.attrs["objective_cny_per_yr"] > 0


def test_typical_days_rich_case_solves_and_checks():
    res, ds = solve(rich_case(method="typical_days", periods=1))
    assert ds.sizes["time"] == 24
    np.testing.assert_allclose(ds["time_weight"].values, 2 * 8760 / 48)
    assert res.attrs["objective_cny_per_yr"] > 0


def test_study_changes_aggregation_like_a_fresh_build():
    """Setting the aggregation on a built Study rebuilds it and gives the fresh build's optimum."""
    study = Study(shifting_case())
    base = study.solve().attrs["objective_cny_per_yr"]
    action = study.apply({"aggregation.method": "typical_days", "aggregation.periods": 2,
                          "aggregation.link_storage": False})
    changed = study.solve().attrs["objective_cny_per_yr"]
    fresh, _ = solve(shifting_case(method="typical_days", periods=2, link_storage=False))
    assert changed == pytest.approx(fresh.attrs["objective_cny_per_yr"], rel=1e-12)
    assert changed == pytest.approx(486_000.0, rel=1e-9)
    assert base == pytest.approx(144_000.0, rel=1e-9)
    assert action == "rebuild"


@pytest.mark.parametrize(("changes", "where", "words"), [
    ({"aggregation.method": "typical_days", "aggregation.periods": 4}, "aggregation.periods", "fewer than"),
    ({"aggregation.method": "weekly"}, "aggregation.method", "typical_days"),
    ({"aggregation.method": "segments", "aggregation.extremes": ["peak_demand"]}, "aggregation", "extremes"),
    ({"aggregation.method": "typical_days", "aggregation.periods": 2, "aggregation.extremes": ["peak_heat"]},
     "aggregation.extremes", "no such demand"),
    ({"aggregation.periods": 0}, "aggregation.periods", ""),
])
def test_bad_aggregation_is_an_input_error(changes, where, words):
    with pytest.raises(InputError) as err:
        assemble_case(apply_changes(shifting_case(), changes, Origin("s.yaml", "", {})))
    text = str(err.value)
    assert where in text and words in text


def test_check_full_reports_the_errors_of_an_aggregated_run(tmp_path):
    """quick_week (14 days) as 4 typical days + the peak day, checked against its full 336 hours."""
    import dataclasses
    import json
    from pathlib import Path

    from energy_model.io.scenario_file import load_scenario
    from energy_model.io.schema import AggregationSpec
    from energy_model.workflows.run import run_scenario

    root = Path(__file__).resolve().parent.parent
    loaded = load_scenario(root / "scenarios" / "quick_week.yaml")
    spec = AggregationSpec(method="typical_days", periods=4, extremes=["peak_demand"])
    loaded = dataclasses.replace(loaded, scenario=loaded.scenario.model_copy(update={"aggregation": spec}),
                                 raw=loaded.raw | {"aggregation": spec.model_dump()})
    said: list[str] = []
    import energy_model.workflows.run as run_workflow

    solved: list[tuple] = []  # (aggregated, its inputs, full, its inputs) of the enforced case, then the reference

    def spy(*args, **kw):
        solved.append(args)
        return compare(*args, **kw)

    compare = run_workflow.compare_to_full
    pytest.MonkeyPatch.setattr(mp := pytest.MonkeyPatch(), run_workflow, "compare_to_full", spy)
    try:
        outcome = run_scenario(loaded, tmp_path, check_full=True, progress=said.append)
    finally:
        mp.undo()
    doc = json.loads((outcome.folder / "summary.json").read_text(encoding="utf-8"))
    # progress names the LP's steps and the hours they stand for, not "336 hours" for a 120-step LP
    assert any(m.startswith("building the LP (336 hours aggregated by typical_days, ") for m in said), said
    assert "LP built over 120 steps standing for 336 hours" in said
    agg = doc["aggregation"]
    assert agg["method"] == "typical_days" and agg["steps"] == 5 * 24 and agg["horizon_hours"] == 336
    check = agg["check_full"]
    enforced = outcome.test.enforced
    assert check["objective"]["aggregated_cny_per_yr"] == pytest.approx(enforced.attrs["objective_cny_per_yr"])
    full_obj = check["objective"]["full_cny_per_yr"]
    assert check["objective"]["relative_error"] == pytest.approx(
        (enforced.attrs["objective_cny_per_yr"] - full_obj) / full_obj)
    for g, c in check["capacity_mw"].items():
        assert c["aggregated"] == pytest.approx(float(enforced["capacity_mw"].sel(technology=g)))
        assert c["difference"] == pytest.approx(c["aggregated"] - c["full"])
    assert set(check["targets"]) == set(str(k) for k in enforced["target"].values)
    # the annual figures a reader quotes, recomputed from the two results
    agg_res, agg_in, full_res, full_in = solved[0]
    assert agg_res is enforced
    w_a, w_f = agg_in["time_weight"].values, full_in["time_weight"].values
    consumption = float(full_in["demand_mw"].values @ w_f)
    kind = full_in["kind"].values.astype(str)

    def annual(res, w):
        gen = res["generation_mwh_per_yr"].values
        curt = np.nan_to_num(res["curtailment_mw"].values) @ w
        return {"co2_production": float(res["co2_production_t_per_yr"]),
                "co2_consumption": float(res["co2_consumption_t_per_yr"]),
                "imports": float(gen[kind == "import"].sum()), "exports": float(gen[kind == "export"].sum()),
                "curtailment": float(curt[kind == "variable"].sum()),
                **{f"fuel.{f}": float(v) for f, v in res["fuel_use_units_per_yr"].to_series().items()}}

    a, f = annual(agg_res, w_a), annual(full_res, w_f)
    assert set(check["annual"]) == set(f) and {"co2_production", "co2_consumption", "imports", "exports",
                                                "curtailment"} <= set(f)
    co2_floor = max(0.01 * max(abs(f["co2_production"]), abs(f["co2_consumption"])), 1.0)
    assert check["energy_floor_mwh"] == pytest.approx(0.01 * consumption)
    assert check["co2_floor_t"] == pytest.approx(co2_floor)
    per_unit = full_in["energy_mwh_per_unit"].to_series()
    for k, c in check["annual"].items():
        floor = co2_floor if k.startswith("co2_") else (
            0.01 * consumption / float(per_unit[k.removeprefix("fuel.")]) if k.startswith("fuel.") else
            0.01 * consumption)
        assert c["aggregated"] == pytest.approx(a[k], rel=1e-9, abs=1e-6), k
        assert c["full"] == pytest.approx(f[k], rel=1e-9, abs=1e-6), k
        assert c["relative_error"] == pytest.approx((a[k] - f[k]) / max(abs(f[k]), floor), rel=1e-6, abs=1e-9), k
    errors = {k: c["relative_error"] for k, c in check["annual"].items()}
    worst = max(errors, key=lambda k: abs(errors[k]))
    assert check["largest_annual_error"] == {"quantity": worst, "relative_error": errors[worst]}
    assert check["flagged"] == sorted((k for k in errors if abs(errors[k]) > 0.03), key=lambda k: -abs(errors[k]))
    html = (outcome.folder / "report.html").read_text(encoding="utf-8")
    assert "What the time aggregation cost" in html and "时间聚合的误差" in html
    assert "typical days" in html  # the notice on the first screen
    section = {code: html.split(f'<section id="aggregation-{code}">')[1].split("</section>")[0] for code in ("en", "zh")}
    for en, zh in [("CO2, production ledger (direct)", "二氧化碳排放（生产口径）"),
                   ("CO2, consumption ledger", "二氧化碳排放（消费口径）"), ("Imports from the grid", "省网购电量"),
                   ("Exports to the grid", "外送电量"), ("Curtailed energy", "弃风弃光电量")]:
        assert en in section["en"] and zh in section["zh"], en
    assert "1 % of the annual consumption" in section["en"] and "全年用电量的1%" in section["zh"]
    if check["flagged"]:
        assert "These figures differ by more than 3% from the full horizon: " in section["en"]
        assert "以下数字与逐时求解相差超过3%：" in section["zh"]
    else:
        assert "are all within 3% of the full horizon" in section["en"] and "均未超过3%" in section["zh"]
    from energy_model.output.i18n import Lang
    from energy_model.output.scorecard import format_scorecard

    for code, words in (("en", ("from the full horizon: ", "are all within 3% of the full horizon")),
                        ("zh", ("以下数字与逐时求解相差超过3%", "均未超过3%"))):
        card = format_scorecard(doc, outcome.folder, Lang(code))
        assert (words[0] if check["flagged"] else words[1]) in card, card


@pytest.mark.parametrize("agg", [{"method": "typical_days", "periods": 1}, {"method": "segments", "periods": 7}])
def test_charts_see_an_aggregated_run_over_the_horizons_hours(agg):
    """The chart view lays the steps out over the original hours; annual sums are the aggregated run's."""
    from energy_model.output.chart_data import hourly_view

    case = rich_case(**agg)
    res, ds = solve(case)
    view_in, view_res = hourly_view(ds, ds), hourly_view(res, ds)
    assert view_in.sizes["time"] == 48
    np.testing.assert_array_equal(view_in["time"].values, case.time.values)
    w = ds["time_weight"].values
    assert float(view_in["demand_mw"].sum()) * 8760 / 48 == pytest.approx(float(ds["demand_mw"].values @ w))
    gen = view_res["dispatch_mw"].values.sum(axis=1) * 8760 / 48
    np.testing.assert_allclose(gen, res["generation_mwh_per_yr"].values, rtol=1e-9, atol=1e-6)


def test_linked_days_when_the_horizon_does_not_start_at_midnight():
    """Days are 24-hour blocks from the first hour: a 06:00 start gives the same answer and levels."""
    import pandas as pd

    base = shifting_case()
    shifted = base.evolve(time=base.time + pd.Timedelta(hours=6))
    res, _ = solve(apply_changes(shifted, {"aggregation.method": "typical_days", "aggregation.periods": 2}))
    assert res.attrs["objective_cny_per_yr"] == pytest.approx(144_000.0, rel=1e-9)
    level = res["storage_level_mwh"].sel(technology="bat").values
    np.testing.assert_allclose(level[:24], np.arange(1, 25), atol=1e-6)  # sunny representative: day 1, from 0
    np.testing.assert_allclose(level[24:], np.arange(47, 23, -1), atol=1e-6)  # dark one: day 3, from 48


def test_extreme_days_are_kept_as_they_are_and_the_others_scaled():
    """An extreme day keeps its own hours; the other steps are scaled so the annual total stays exact."""
    case = rich_case(method="typical_days", periods=1, extremes=["peak_demand"])
    ds = assemble_case(case)
    full = assemble_case(rich_case())
    assert ds.sizes["time"] == 48  # 1 typical day + the peak day
    peak_day = int(np.argmax(full["demand_mw"].values)) // 24
    kept = ds["time"].values[ds["step_period"].values == 1] if peak_day == 1 else \
        ds["time"].values[ds["step_period"].values == 0]
    day_values = full["demand_mw"].sel(time=kept).values
    np.testing.assert_allclose(ds["demand_mw"].sel(time=kept).values, day_values, rtol=1e-12)
    assert float(ds["demand_mw"].values @ ds["time_weight"].values) == pytest.approx(
        float(full["demand_mw"].values.sum()) * 8760 / 48, rel=1e-12)


def test_capped_capacity_factors_keep_their_annual_energy():
    """Scaled above 1, a capacity factor is capped and the energy put back on the steps below the cap."""
    from energy_model.inputs.aggregate import TimeStructure, aggregate_series

    ts = TimeStructure("typical_days", np.array([0, 1]), np.array([1, 1]), np.ones(2), np.array([2.0, 1.0]),
                       np.array([0, 1]), np.array([0, 0, 1]), {}, {"cf:x": 1.5}, np.zeros(2, dtype=bool))
    out = aggregate_series(ts, "cf:x", np.array([0.8, 0.4]), cap=1.0)
    np.testing.assert_allclose(out, [1.0, 1.0])  # 1.2 -> 1.0 (cap); 0.6 -> 1.0 takes the 0.4 lost above it
    assert float(out @ ts.weight) == pytest.approx(3.0)  # = (0.8 x 2 + 0.4 x 1) x 1.5



@pytest.mark.parametrize("tech, expected", [
    ("", "Checked against the full horizon (--check-full, 12 s): objective -0.30%; every technology's capacity "
         "is the same in both."),
    ("offshore_wind", "Checked against the full horizon (--check-full, 12 s): objective -0.30%, largest capacity "
                      "error +2.5% (offshore_wind)."),
])
def test_check_full_line_names_a_technology_or_says_none_differs(quick_week_run, tech: str, expected: str):
    """The scorecard never prints '+0.0% ()': with no technology differing it says so."""
    import json

    from energy_model.output.i18n import Lang
    from energy_model.output.scorecard import format_scorecard

    doc = json.loads((quick_week_run / "summary.json").read_text(encoding="utf-8"))
    doc["aggregation"] = {"method": "typical_days", "periods": 4, "steps": 120, "horizon_hours": 336,
                          "check_full": {"objective": {"relative_error": -0.003}, "seconds": 12.0,
                                         "max_capacity_error": {"technology": tech,
                                                                "relative_error": 0.025 if tech else 0.0}}}
    lines = format_scorecard(doc, None, Lang("en")).splitlines()
    assert expected in lines
    assert not any("()" in line for line in lines)


def test_annual_figures_off_by_more_than_3_percent_are_flagged():
    """Hand numbers: exports +5 % is flagged, imports +1 % is not; the floor keeps a tiny curtailment quiet."""
    from energy_model.analysis.aggregation_check import annual_errors, annual_floors, flagged, largest
    from energy_model.output.aggregation_text import annual_sentence
    from energy_model.output.i18n import Lang

    full = {"co2_production": 1000.0, "co2_consumption": 0.5, "imports": 100_000.0, "exports": 200_000.0,
            "curtailment": 10.0, "fuel.coal": 0.0}
    agg = {"co2_production": 1010.0, "co2_consumption": 0.6, "imports": 101_000.0, "exports": 210_000.0,
           "curtailment": 60.0, "fuel.coal": 2.0}
    floors = annual_floors(full, consumption=1_000_000.0, mwh_per_unit={"coal": 5.0})
    # energies: 1 % of 1,000,000 MWh; coal: the same 10,000 MWh_th at 5 MWh_th/t; CO2: 1 % of 1,000 t, at least 1 t
    assert floors == {"co2_production": 10.0, "co2_consumption": 10.0, "imports": 10_000.0, "exports": 10_000.0,
                      "curtailment": 10_000.0, "fuel.coal": 2_000.0}
    errors = annual_errors(agg, full, floors)
    rel = {k: e["relative_error"] for k, e in errors.items()}
    assert rel == pytest.approx({"co2_production": 0.01, "co2_consumption": 0.01, "imports": 0.01, "exports": 0.05,
                                 "curtailment": 0.005, "fuel.coal": 0.001})
    assert flagged(rel) == ["exports"]
    assert largest(rel) == ("exports", pytest.approx(0.05))
    check = {"annual": errors, "flag_above": 0.03, "flagged": flagged(rel),
             "largest_annual_error": {"quantity": "exports", "relative_error": 0.05}}
    assert annual_sentence(check, None, Lang("en")) == \
        "These figures differ by more than 3% from the full horizon: Exports to the grid +5.0%."
    assert annual_sentence(check, None, Lang("zh")) == "以下数字与逐时求解相差超过3%：外送电量（+5.0%）。"
    calm = dict(check, flagged=[], largest_annual_error={"quantity": "imports", "relative_error": 0.01})
    assert annual_sentence(calm, None, Lang("en")) == ("The annual figures (CO2, imports, exports, curtailment, fuels) "
                                                       "are all within 3% of the full horizon; the largest error: "
                                                       "Imports from the grid +1.0%.")
    assert annual_sentence(calm, None, Lang("zh")) == \
        "年度数字（碳排放、购电、外送、弃电、燃料）中误差最大的是省网购电量（+1.0%），均未超过3%。"


def test_check_full_progress_line_names_the_figures_above_3_percent():
    """The --check-full line on the terminal lists the flagged annual figures, largest first, or the largest error."""
    from energy_model.analysis.aggregation_check import annual_progress

    annual = {"imports": {"relative_error": -0.242}, "co2_production": {"relative_error": 0.046},
              "exports": {"relative_error": 0.01}}
    section = {"annual": annual, "flag_above": 0.03, "flagged": ["imports", "co2_production"],
               "largest_annual_error": {"quantity": "imports", "relative_error": -0.242}}
    assert annual_progress(section) == "annual figures off by more than 3%: imports -24.2%, co2_production +4.6%"
    calm = dict(section, flagged=[], largest_annual_error={"quantity": "exports", "relative_error": 0.01})
    assert annual_progress(calm) == "every annual figure within 3% (largest: exports +1.0%)"
    assert annual_progress(dict(calm, largest_annual_error={})) == "every annual figure within 3%"


def test_default_typical_days_is_one_setting_the_shipped_scenarios_follow():
    """The default (16 typical days + peak demand + least wind, docs/aggregation.md) is set in the schema once:
    the typical-day scenarios and the per-target estimates take it from there."""
    from pathlib import Path

    from energy_model.analysis.target_test import ESTIMATE_CHANGES
    from energy_model.io.scenario_file import load_scenario
    from energy_model.io.schema import DEFAULT_EXTREMES, DEFAULT_TYPICAL_DAYS, AggregationSpec

    assert DEFAULT_TYPICAL_DAYS == 16 and DEFAULT_EXTREMES == ("peak_demand", "min_wind_day")
    assert AggregationSpec(method="typical_days").periods == DEFAULT_TYPICAL_DAYS
    assert ESTIMATE_CHANGES["aggregation.periods"] == 16
    assert ESTIMATE_CHANGES["aggregation.extremes"] == ["peak_demand", "min_wind_day"]
    root = Path(__file__).resolve().parent.parent / "scenarios"
    for name in ("plan_year_typical_days.yaml", "today_boundary_limits.yaml"):
        spec = load_scenario(root / name).scenario.aggregation
        assert (spec.method, spec.periods, tuple(spec.extremes)) == ("typical_days", 16, DEFAULT_EXTREMES)
        assert "periods" not in spec.model_fields_set  # follows the default
