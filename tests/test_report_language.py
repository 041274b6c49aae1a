"""The Chinese pages speak Chinese: the scenario's and the targets' own Chinese texts, one term per idea,
words instead of parameter paths, and period wording that follows the horizon."""

from __future__ import annotations

import re
from importlib import resources
from pathlib import Path

import pytest
import yaml

from energy_model.errors import InputError
from energy_model.io.scenario_file import load_scenario
from energy_model.output.glossary import names_from_meta, parameter_words, scenario_text, target_label
from energy_model.output.i18n import Lang

PROJECT = Path(__file__).resolve().parent.parent
#: Chinese terms the catalogue must not use, with the one it uses instead.
FORBIDDEN_ZH = {"满负荷小时数": "利用小时数", "元/MWh": "元/兆瓦时", "百万元": "亿元"}


def _zh_view(html: str) -> str:
    """The text of the Chinese half of a report (tags dropped)."""
    start = html.index('<div class="lang lang-zh"')
    end = html.index('<div class="lang lang-en"')
    return re.sub(r"<[^>]+>", " ", html[start:end])


def test_quick_week_chinese_report_has_the_scenarios_chinese_texts(quick_week_run: Path) -> None:
    scen = load_scenario(PROJECT / "scenarios" / "quick_week.yaml").scenario
    zh = _zh_view((quick_week_run / "report.html").read_text(encoding="utf-8"))
    assert scen.title_zh == "规划年，1月上旬两周（快速检查）" and scen.title_zh in zh
    assert scen.title not in zh
    assert scen.description_zh.split("：")[0] in zh
    assert len(scen.targets) == 4  # the three plan targets and the reported reserve margin
    for target in scen.targets.values():
        assert target.label_zh and target.label_zh in zh
        assert target.label not in zh, target.label  # no English target label in the Chinese view
    assert "Wind capacity" not in zh and "New-energy" not in zh and "〔未提供中文" not in zh


def test_label_zh_is_inherited_and_validated(tmp_path: Path) -> None:
    child = load_scenario(PROJECT / "scenarios" / "plan_year_today_costs.yaml").scenario
    assert child.targets["wind_capacity"].label_zh == "风电装机600万千瓦"  # from plan_year.yaml through base:
    assert child.title_zh.startswith("规划年（2020年）按2025年成本")
    (tmp_path / "scenarios").mkdir()
    bad = tmp_path / "scenarios" / "bad.yaml"
    bad.write_text("name: bad\ntitle_zh: 12\ndemand: {annual_twh: 1}\ntargets:\n  t:\n    kind: min_capacity\n"
                   "    technologies: [onshore_wind]\n    value_mw: 1\n    label_zh: '" + "长" * 201 + "'\n",
                   encoding="utf-8")
    with pytest.raises(InputError) as err:
        load_scenario(bad)
    text = str(err.value)
    assert "title_zh" in text and "targets.t.label_zh" in text and "200" in text


def test_english_only_texts_are_marked_in_chinese() -> None:
    zh, en = Lang("zh"), Lang("en")
    doc = {"scenario": "s", "title": "Only English", "title_zh": ""}
    assert scenario_text(doc, "title", zh) == "〔未提供中文，以下为英文原文〕Only English"
    assert scenario_text(doc, "title", en) == "Only English"
    assert scenario_text({"scenario": "s", "title": "", "title_zh": ""}, "title", zh) == "s"
    row = {"target": "co2_cap", "label": "CO2 cap", "label_zh": "排放上限"}
    assert target_label(row, zh) == "排放上限" and target_label(row, en) == "CO2 cap"
    assert target_label({"target": "x", "label": "x", "label_zh": ""}, zh) == "x"  # a label of the id: the id


def test_messages_use_one_chinese_term_per_idea() -> None:
    text = resources.files("energy_model.output").joinpath("messages.yaml").read_text(encoding="utf-8")
    messages = yaml.safe_load(text)["messages"]
    for key, entry in messages.items():
        for bad, good in FORBIDDEN_ZH.items():
            assert bad not in entry["zh"], f"{key}: '{bad}' (use '{good}')"
    assert "利用小时数" in messages["col.full_load_hours"]["zh"]
    assert messages["unit.money_per_yr"]["zh"] == "亿元/年"


@pytest.mark.parametrize(("hours", "zh", "en"), [
    (336, "336小时（14天）", "336 h (14 days)"),
    (8760, "全年8,760小时", "the full year of 8,760 h"),
    (8784, "全年8,784小时", "the full year of 8,784 h"),
    (36, "36小时（1.5天）", "36 h (1.5 days)"),
])
def test_period_wording_follows_the_horizon(hours: int, zh: str, en: str) -> None:
    assert Lang("zh").period(hours) == zh and Lang("en").period(hours) == en


def test_aggregated_336_hour_notice_does_not_say_full_year() -> None:
    text = Lang("zh")("notice.aggregated_typical_days", period=Lang("zh").period(336), periods="4", steps="96",
                      extremes="-")
    assert "336小时（14天）" in text and "全年" not in text


def test_parameter_paths_in_words() -> None:
    name_of = names_from_meta({"offshore_wind": {"zh": "海上风电", "en": "Offshore wind"}},
                              {"lng": {"zh": "液化天然气", "en": "LNG"}})
    path = "technologies.offshore_wind.capex_cny_per_kw"
    assert parameter_words(path, Lang("zh"), name_of) == "海上风电 — 投资成本（元/千瓦）"
    assert parameter_words(path, Lang("en"), name_of) == "Offshore wind — Capital cost (CNY/kW)"
    assert parameter_words("fuels.lng.price_cny_per_unit", Lang("zh"), name_of) == "液化天然气 — 价格（元/单位）"
    assert parameter_words("economics.carbon_price_cny_per_t", Lang("zh"), name_of) == "碳价（元/吨）"
    assert parameter_words("economics.carbon_price_cny_per_t", Lang("en"), name_of, unit=False) == "Carbon price"
