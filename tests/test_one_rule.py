"""Each rule is written once: the binding threshold, the burn, the target units, the reference case.

A second copy of a rule drifts silently; these tests change or read the one
copy and check that every user follows it, and scan the package for the
shapes a second copy would take.
"""

from __future__ import annotations

import re
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
import yaml
from conftest import PROJECT
from test_targets_analysis import share_system

from energy_model import vocabulary as n
from energy_model.analysis.target_test import run_target_test
from energy_model.engine import measures
from energy_model.engine.extract import burn
from energy_model.io.changes import reference_changes
from energy_model.output.i18n import Lang, Names
from energy_model.output.sweep_numbers import target_summary
from energy_model.output.target_notes import note_texts
from energy_model.output.verdicts import binding_sentences, verdict_class

PACKAGE = PROJECT / "energy_model"


def _sources() -> dict[str, str]:
    return {str(p.relative_to(PACKAGE)): p.read_text(encoding="utf-8") for p in PACKAGE.rglob("*.py")}


def test_one_binding_threshold_decides_extraction_table_and_verdict(monkeypatch: pytest.MonkeyPatch):
    """The share system's 25 % target has a dual of 30 CNY/MWh: it binds at the default threshold and not
    above 30, in the Results, the target table and the verdict alike."""
    row = {"mode": n.ENFORCE, "met": True, "met_without_enforcement": False, "shortfall": 0.0, "shadow_price": 30.0}
    test = run_target_test(share_system(0.25))
    assert test.enforced is not None and bool(test.enforced["target_binding"].sel({n.TARGET: "re"}))
    assert test.table.set_index("target").loc["re", "binding"]
    assert verdict_class(row) == "cost"
    monkeypatch.setattr(measures, "BINDING_PRICE", 50.0)
    test = run_target_test(share_system(0.25))
    assert test.enforced is not None and not bool(test.enforced["target_binding"].sel({n.TARGET: "re"}))
    assert float(test.enforced["target_shadow_price"].sel({n.TARGET: "re"})) == 0.0  # noise, by this threshold
    assert not test.table.set_index("target").loc["re", "binding"]
    assert verdict_class(row) == "consequence"


def test_the_sweep_counts_binding_variants_by_the_same_threshold(monkeypatch: pytest.MonkeyPatch):
    table = pd.DataFrame({"status": ["optimal"] * 3, "objective_cny_per_yr": [1.0, 2.0, 3.0],
                          "target_value.re": [0.3, 0.3, 0.3],
                          "target_shadow_price.re": [0.0, 5.0, 30.0]})
    assert target_summary(table).loc["re", "binding"] == 2
    monkeypatch.setattr(measures, "BINDING_PRICE", 10.0)
    assert target_summary(table).loc["re", "binding"] == 1


def test_no_second_binding_threshold_in_the_package():
    """A shadow price compared with a literal, or a threshold constant, outside engine/measures.py."""
    shape = re.compile(r"(price|shadow)[^\n#]*[<>]=?\s*\d(\.\d+)?e-\d|BINDING_(PRICE|TOL)\s*=")
    found = [name for name, text in _sources().items() if shape.search(text) and name != "engine/measures.py"]
    assert not found, found


def test_burn_is_output_over_efficiency_for_the_carriers_plants_only():
    data = SimpleNamespace(techs=["coal_a", "gas_b", "pv", "coal_chp"],
                           kind={"coal_a": n.THERMAL, "gas_b": n.THERMAL, "pv": n.VARIABLE, "coal_chp": n.CHP},
                           fuel_of={"coal_a": "coal", "gas_b": "natural_gas", "pv": "", "coal_chp": "coal"},
                           efficiency={"coal_a": 0.4, "gas_b": 0.5, "pv": 1.0, "coal_chp": 0.25})
    disp = np.array([[100.0, 40.0], [10.0, 0.0], [5.0, 5.0], [50.0, 25.0]])
    drawn = burn(data, disp, "coal")  # type: ignore[arg-type]
    assert list(drawn) == ["coal_a", "coal_chp"]
    assert drawn["coal_a"] == pytest.approx([250.0, 100.0]) and drawn["coal_chp"] == pytest.approx([200.0, 100.0])
    # the extraction divides by efficiency in one place (checks.py recomputes on purpose, model.fuels is the LP)
    assert _sources()["engine/extract.py"].count("/ data.efficiency") == 1


def test_target_units_come_from_the_vocabulary_registry():
    """Every kind has a level and a price unit; the report's English price unit and the Results' attribute say the same."""
    assert set(n.TARGET_LEVEL_UNIT) == set(n.TARGET_PRICE_UNIT) == set(n.TARGET_FAMILY)
    assert n.TARGET_PRICE_UNIT[n.MIN_CAPACITY] == "CNY/kW/yr" and n.TARGET_LEVEL_UNIT[n.MIN_SHARE] == (
        "fraction of consumption")
    shown = yaml.safe_load((PACKAGE / "output" / "messages.yaml").read_text(encoding="utf-8"))["messages"]
    assert {k: shown[f"price_unit.{k}"]["en"] for k in n.TARGET_FAMILY} == n.TARGET_PRICE_UNIT
    test = run_target_test(share_system(0.25))
    assert test.table.set_index("target").loc["re", ["unit", "shadow_price_unit"]].tolist() == [
        "fraction of consumption", "CNY/MWh"]
    assert test.enforced is not None
    assert test.enforced["target_shadow_price"].attrs["units"] == "CNY/kW/yr | CNY/MWh | CNY/t (by target kind)"


#: Modules still writing the reference case's changes themselves, each with why.
REFERENCE_ELSEWHERE: dict[str, str] = {}


def test_the_reference_case_is_written_once():
    assert reference_changes(["a", "b"]) == {"targets.a.mode": n.REPORT, "targets.b.mode": n.REPORT}
    assert reference_changes(["a", "b"], keep={"b": n.SOFT}) == {"targets.a.mode": n.REPORT,
                                                                 "targets.b.mode": n.SOFT}
    shape = re.compile(r"\.mode\": *\(?[^\n]*n\.REPORT\)? for ")
    found = {name for name, text in _sources().items() if shape.search(text)} - {"io/changes.py"}
    assert found == set(REFERENCE_ELSEWHERE)


def test_binding_limits_are_facts_and_their_words_are_in_output():
    """analysis/binding_limits returns limit, name and value; the sentences (both languages) are output's."""
    source = _sources()["analysis/binding_limits.py"]
    assert '"text"' not in source and " MW" not in source
    fact = {"limit": "unserved", "name": "demand", "value": 3}
    study = share_system(0.25)
    results = study.solve()
    en, zh = (binding_sentences(results, study.inputs, Names(study.inputs), Lang(code), [fact]) for code in ("en", "zh"))
    assert en[0].startswith("demand not fully served in 3 h") and zh[0].startswith("有3小时负荷未能完全满足")


def test_target_test_notes_are_facts_worded_by_output_in_both_languages():
    """A soft share target 5 points short: the analysis gives the numbers, output words them (en, zh)."""
    note = {"note": "soft_shortfall", "target": "re", "kind": n.MIN_SHARE, "shortfall": 0.05,
            "penalty_paid_cny_per_yr": 2.5e6, "shadow_price": 12.5}
    en, zh = (note_texts([note], Lang(code), consumption_mwh=2e6)[0] for code in ("en", "zh"))
    assert en == ("soft target 're' falls short by 5.0 % of consumption (100.0 GWh/yr); penalty paid 2.5 M CNY/yr "
                  "at 12.50 CNY/MWh, less than meeting it would cost")
    assert zh.startswith("软目标“re”差用电量的5.0%") and "元/兆瓦时" in zh
    source = _sources()["analysis/target_test.py"]
    assert "falls short by" not in source and "M CNY/yr against" not in source and "--each-target\")" not in source
