"""A sweep of a pathway scenario: each variant solved as a pathway, recorded per period; checked before solving."""

from __future__ import annotations

import pandas as pd
import pytest
import xarray as xr

from energy_model.cli.main import main
from energy_model.engine.pathway import solve_pathway
from energy_model.errors import InputError
from energy_model.inputs.pathway_load import apply_pathway_changes, load_pathway
from energy_model.output.glossary import names_from_meta, parameter_words
from energy_model.output.i18n import Lang
from energy_model.output.sweep_console import format_sweep_table
from energy_model.sweep.run import run_sweep
from tests.test_pathway_run import PATHWAY

CAPEX = "technologies.offshore_wind.capex_cny_per_kw"
#: Two variants: the 2025 offshore capex at two values, and the carbon price of every period with it.
SWEEP = f"""\
name: tiny_pathway_sweep
scenario: tiny_pathway.yaml
mode: list
parameters:
  periods.2025.{CAPEX}: [7000, 12000]
  economics.carbon_price_cny_per_t: [50, 150]
"""


@pytest.fixture
def pathway_project(project):
    """The tiny project with the 2-period pathway (perfect foresight) beside its base scenario."""
    project.scenario(PATHWAY.replace("FORESIGHT", "perfect"), "tiny_pathway.yaml")
    return project


@pytest.fixture
def no_sweep_solve(monkeypatch: pytest.MonkeyPatch, no_solver: list[str]) -> list[str]:
    """Fail if the sweep hands any variant to a worker or solves a pathway."""
    import energy_model.sweep.pathways as pathways
    import energy_model.sweep.pools as pools

    def tripwire(*args: object, **kwargs: object) -> None:
        no_solver.append("sweep solve")
        raise AssertionError("a variant was solved")

    monkeypatch.setattr(pools, "solve_chunk", tripwire)
    monkeypatch.setattr(pools, "run_workers", tripwire)
    monkeypatch.setattr(pathways, "solve_pathway", tripwire)
    return no_solver


def test_a_variant_is_the_pathway_with_its_changes(pathway_project):
    proj = pathway_project
    sweep = proj.scenario(SWEEP + "workers: 2\n", "tiny_pathway_sweep.yaml")  # one worker process per variant
    table = run_sweep(sweep, proj.out)
    assert list(table["status"]) == ["optimal", "optimal"]
    path = proj.root / "scenarios" / "tiny_pathway.yaml"
    row = table.iloc[1]
    changes = {f"periods.2025.{CAPEX}": 12000.0, "economics.carbon_price_cny_per_t": 150.0}
    fresh = solve_pathway(apply_pathway_changes(load_pathway(path), changes))
    pv = float(fresh.results["present_value_cny"])
    cap = float(fresh.results["capacity_mw"].sel(period=2025, technology="offshore_wind"))
    assert row["present_value_cny"] == pytest.approx(pv, rel=1e-9)
    assert row["objective_cny"] == pytest.approx(fresh.objective, rel=1e-9)
    assert row["capacity_mw.offshore_wind.2025"] == pytest.approx(cap, rel=1e-9, abs=1e-6)
    for year in (2020, 2025):
        assert row[f"annual_cost_cny_per_yr.{year}"] == pytest.approx(
            float(fresh.results["cost_by_period"].sel(period=year)), rel=1e-9)
        assert row[f"new_build_mw.onshore_wind.{year}"] == pytest.approx(
            float(fresh.results["new_build_mw"].sel(period=year, technology="onshore_wind")), rel=1e-9, abs=1e-6)
        for col in ("new_energy_share", "co2_production_t_per_yr", "co2_consumption_t_per_yr",
                    "imported_electricity_mwh_per_yr", "exported_electricity_mwh_per_yr"):
            assert f"{col}.{year}" in table.columns
    # the same edit written into the pathway file: the same answer
    text = PATHWAY.replace("FORESIGHT", "perfect").replace(
        "      demand: {annual_twh: 45.0}\n",
        "      demand: {annual_twh: 45.0}\n      overrides: {" + CAPEX + ": 12000}\n")
    text = text.replace("aggregation: {method: none}\n", "aggregation: {method: none}\neconomics: {carbon_price_cny_per_t: 150}\n")
    edited = solve_pathway(load_pathway(proj.scenario(text, "tiny_pathway_edited.yaml")))
    assert row["present_value_cny"] == pytest.approx(float(edited.results["present_value_cny"]), rel=1e-9)
    assert row["capacity_mw.offshore_wind.2025"] == pytest.approx(
        float(edited.results["capacity_mw"].sel(period=2025, technology="offshore_wind")), rel=1e-9, abs=1e-6)
    # the cheaper offshore variant is cheaper over the pathway (and has the lower carbon price)
    assert table.iloc[0]["present_value_cny"] < row["present_value_cny"]
    folder = proj.out / "tiny_pathway_sweep"
    with xr.open_dataset(folder / "sweep.nc") as ds:
        assert ds["present_value_cny"].attrs["units"] == "CNY"
        assert ds["capacity_mw"].dims == ("sample", "technology", "period")
        assert float(ds["capacity_mw"].sel(sample=1, technology="offshore_wind", period=2025)) == \
            pytest.approx(cap, rel=1e-9, abs=1e-6)
        assert ds["annual_cost_cny_per_yr"].dims == ("sample", "period")
    csv = pd.read_csv(folder / "sweep.csv", encoding="utf-8-sig", index_col="variant")
    assert csv["present_value_cny"].tolist() == pytest.approx(table["present_value_cny"].tolist(), rel=1e-9)
    html = (folder / "sweep.html").read_text(encoding="utf-8")
    assert "present value" in html.lower() and "现值" in html
    printed = format_sweep_table(table, None).splitlines()
    assert printed[0].endswith("present value [M CNY]")
    assert printed[2].split()[-1] == f"{row['present_value_cny'] / 1e6:,.1f}"


def test_a_period_parameter_in_words():
    names = names_from_meta({"offshore_wind": {"en": "Offshore wind", "zh": "海上风电"}})
    assert parameter_words(f"periods.2030.{CAPEX}", Lang("en"), names) == "Offshore wind — Capital cost (CNY/kW), 2030"
    assert parameter_words(f"periods.2030.{CAPEX}", Lang("zh"), names).startswith("2030年：海上风电")


def test_an_unknown_period_is_an_input_error_with_nothing_written(pathway_project, no_sweep_solve, capsys):
    proj = pathway_project
    text = SWEEP.replace(f"periods.2025.{CAPEX}: [7000, 12000]",
                         f"periods.2031.{CAPEX}: [7000, 12000]\n  fuels.coal.price_cny_per_unit: [-5, 600]")
    sweep = proj.scenario(text, "tiny_pathway_sweep.yaml")
    with pytest.raises(InputError) as err:
        run_sweep(sweep, proj.out)
    issues = {i.key_path: i for i in err.value.issues}
    bad = issues[f"parameters.periods.2031.{CAPEX}"]
    assert bad.file == "tiny_pathway_sweep.yaml" and bad.line == 5 and "2020, 2025" in bad.message
    assert "parameters.fuels.coal.price_cny_per_unit" in issues  # every problem at once
    assert main(["--quiet", "validate", str(sweep)]) == 2
    assert "tiny_pathway_sweep.yaml:5: parameters.periods.2031" in capsys.readouterr().err
    assert not proj.out.exists()
    assert no_sweep_solve == []


def test_plan_and_validate_list_the_pathway_variants(pathway_project, no_sweep_solve, capsys):
    proj = pathway_project
    sweep = proj.scenario(SWEEP, "tiny_pathway_sweep.yaml")
    assert main(["validate", str(sweep)]) == 0
    assert "2 variants" in capsys.readouterr().out
    assert main(["sweep", str(sweep), "--out", str(proj.out), "--plan"]) == 0
    plan = pd.read_csv(proj.out / "tiny_pathway_sweep" / "plan.csv", encoding="utf-8-sig", index_col="variant")
    assert plan[f"param.periods.2025.{CAPEX}"].tolist() == [7000, 12000]
    assert plan["param.economics.carbon_price_cny_per_t"].tolist() == [50, 150]
    assert no_sweep_solve == []


def test_oat_starts_from_each_period_value(pathway_project, no_sweep_solve):
    proj = pathway_project
    text = f"""\
name: tiny_pathway_oat
scenario: tiny_pathway.yaml
mode: oat
parameters:
  periods.2025.{CAPEX}: {{low: 5000, high: 15000}}
"""
    sweep = proj.scenario(text, "tiny_pathway_oat.yaml")
    assert main(["--quiet", "sweep", str(sweep), "--out", str(proj.out), "--plan"]) == 0
    plan = pd.read_csv(proj.out / "tiny_pathway_oat" / "plan.csv", encoding="utf-8-sig", index_col="variant")
    base = load_pathway(proj.root / "scenarios" / "tiny_pathway.yaml").cases[1].technologies.loc["offshore_wind",
                                                                                                   "capex_cny_per_kw"]
    assert plan[f"param.periods.2025.{CAPEX}"].tolist() == [base, 5000, 15000]
    assert no_sweep_solve == []


def test_verify_and_dask_are_refused_for_a_pathway(pathway_project, no_sweep_solve):
    proj = pathway_project
    sweep = proj.scenario(SWEEP + "verify: all\n", "tiny_pathway_sweep.yaml")
    with pytest.raises(InputError) as err:
        run_sweep(sweep, proj.out)
    assert [(i.key_path, i.line) for i in err.value.issues] == [("verify", 7)]
    assert "pathway" in str(err.value)
    sweep = proj.scenario(SWEEP, "tiny_pathway_sweep.yaml")
    with pytest.raises(InputError, match="local worker pool"):
        run_sweep(sweep, proj.out, scheduler="local")
    assert not proj.out.exists()


def test_the_shipped_pathway_sweep_is_valid(capsys):
    from conftest import PROJECT

    path = PROJECT / "scenarios" / "sweeps" / "pathway_offshore_capex_2030.yaml"
    assert main(["validate", str(path)]) == 0
    out = capsys.readouterr().out
    assert "5 variants" in out and "pathway_2030.yaml" in out and "each a pathway of periods 2020, 2025, 2030" in out
