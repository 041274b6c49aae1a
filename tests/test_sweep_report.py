"""The sweep report (sweep.html): its numbers, charts, escaping and offline page, from tables built by hand.

Every table here has a known answer: objectives are exact linear functions of
the swept values, so heatmap cells, tornado swings, parameter effects and the
share of variants in which a target binds are known before the report is drawn.
"""

from __future__ import annotations

import functools
import os
import re
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from energy_model.engine.measures import BINDING_PRICE
from energy_model.output.sweep_numbers import (
    capacity_summary,
    heatmap_data,
    influence,
    target_summary,
    tornado_data,
    verification_data,
)
from energy_model.output.sweep_report import sweep_report_html, write_sweep_report

A = "technologies.offshore_wind.capex_cny_per_kw"
B = "fuels.lng.price_cny_per_unit"
C = "economics.carbon_price_cny_per_t"
#: The parameters in words, as the page shows them (no technology or fuel names in these tables' metadata: ids).
WORDS = {A: "offshore_wind — Capital cost", B: "lng — Price", C: "Carbon price"}
UNITS = {f"param.{A}": "CNY/kW", f"param.{B}": "CNY/t", f"param.{C}": "CNY/t"}
EVIL = "<script>alert('x')</script>"
CANDIDATES = (os.environ.get("CHROMIUM"), "/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome")
BROWSER = next((p for p in CANDIDATES if p and Path(p).is_file()), None) or shutil.which("chromium")


def grid_table(third: list[float] | None = None) -> pd.DataFrame:
    """Grid: A in {10, 20} x B in {1, 2, 3} (x C); objective = 1e9 + 1e7 A + 3e7 B + 1e8 C; (20, 3) failed."""
    rows = []
    for c in third or [0.0]:
        for a in (10.0, 20.0):
            for b in (1.0, 2.0, 3.0):
                rec = {"variant": f"g{int(a)}_{int(b)}_{int(c)}", f"param.{A}": a, f"param.{B}": b,
                       "objective_cny_per_yr": 1e9 + 1e7 * a + 3e7 * b + 1e8 * c, "status": "optimal",
                       "capacity_mw.offshore_wind": 100.0 * b, "capacity_mw.gas": 50.0 * a,
                       "target_shadow_price.wind_capacity": 0.0 if a == 10 else 25.0 * b,
                       "target_value.wind_capacity": 1000.0}
                if third is not None:
                    rec[f"param.{C}"] = c
                if (a, b) == (20.0, 3.0):
                    rec.update(status="infeasible", message=EVIL, objective_cny_per_yr=np.nan)
                rows.append(rec)
    return pd.DataFrame(rows).set_index("variant")


def grid_meta(params: list[str]) -> dict:
    return {"name": "grid_test", "scenario": "plan_year", "mode": "grid", "parameters": params,
            "base": {A: 10.0, B: 2.0, C: 0.0}, "units": UNITS, "target_kinds": {"wind_capacity": "min_capacity"}}


def oat_table() -> tuple[pd.DataFrame, dict]:
    """One at a time: B (listed first) swings 50 M CNY (both sides above base), A swings 150 M CNY."""
    base = {A: 10_000.0, B: 4_500.0}
    rows = [{"variant": "base", "oat_parameter": "", "oat_side": "base", **base, "objective_cny_per_yr": 1.0e9}]
    for p, side, value, obj in ((B, "low", 3_000.0, 1.02e9), (B, "high", 6_000.0, 1.05e9),
                                (A, "low", 8_000.0, 0.95e9), (A, "high", 12_000.0, 1.10e9)):
        rows.append({"variant": f"{side}_{p}", "oat_parameter": p, "oat_side": side, **base, p: value,
                     "objective_cny_per_yr": obj})
    table = pd.DataFrame(rows).rename(columns={A: f"param.{A}", B: f"param.{B}"}).set_index("variant")
    table["status"] = "optimal"
    table["target_shadow_price.solar_share"] = [0.0, 0.0, 0.0, 12.5, 0.0]
    meta = {"name": "oat_test", "scenario": "plan_year", "mode": "oat", "parameters": [B, A], "base": base,
            "units": UNITS | {"target_shadow_price.solar_share": "CNY/MWh"}}
    return table, meta


def sample_table() -> tuple[pd.DataFrame, dict]:
    """20 LHS-like samples of A, B, C; objective exactly linear; the last variant failed; some verified."""
    rng = np.random.default_rng(7)
    k = 20
    a = (rng.permutation(k) + rng.uniform(size=k)) / k * 4000 + 8000  # stratified like an LHS
    b = (rng.permutation(k) + rng.uniform(size=k)) / k * 3000 + 3000
    c = (rng.permutation(k) + rng.uniform(size=k)) / k * 200
    obj = 2e9 + 5e4 * a - 1e4 * b + 5e5 * c
    table = pd.DataFrame({f"param.{A}": a, f"param.{B}": b, f"param.{C}": c, "objective_cny_per_yr": obj,
                          "status": "optimal", "capacity_mw.wind": 1000 + 0.1 * b, "capacity_mw.gas": 500.0,
                          # binds where the capex is high: exactly the variants with A > 10,000
                          "target_shadow_price.wind_capacity": np.where(a > 10_000, (a - 10_000) / 10, 0.0),
                          # below the tolerance everywhere but in variant 3
                          "target_shadow_price.share": np.where(np.arange(k) == 3, 2 * BINDING_PRICE, BINDING_PRICE / 2),
                          "target_value.share": 0.25, "verified": False},
                         index=pd.Index([f"s{i:02d}" for i in range(k)], name="variant"))
    table.loc["s19", ["status", "objective_cny_per_yr"]] = ["time_limit", np.nan]
    table.loc["s19", "message"] = "HiGHS stopped at its time limit"
    for v, scale in (("s00", 1.01), ("s01", 0.98)):
        table.loc[v, "verified"] = True
        table.loc[v, "full.objective_cny_per_yr"] = table.loc[v, "objective_cny_per_yr"] / scale
        table.loc[v, "full.capacity_mw.wind"] = table.loc[v, "capacity_mw.wind"] - 40.0
        table.loc[v, "full.capacity_mw.gas"] = 400.0
    meta = {"name": "lhs_test", "scenario": "plan_year", "mode": "lhs", "parameters": [A, B, C],
            "base": {A: 10_000.0, B: 4_500.0, C: 100.0}, "units": UNITS,
            "target_kinds": {"wind_capacity": "min_capacity", "share": "min_share"}}
    return table, meta


@functools.cache
def default_page(kind: str) -> str:
    """The page of the unchanged ``grid`` (A x B), ``oat`` or ``sample`` table, rendered once per session.

    The tables are built afresh from fixed numbers, so every test that reads one of
    these pages reads exactly the page of its inputs; only the rendering (matplotlib,
    seconds a page) is not repeated.
    """
    table, meta = {"grid": lambda: (grid_table(), grid_meta([A, B])), "oat": oat_table, "sample": sample_table}[kind]()
    return sweep_report_html(table, meta)


def english(html: str) -> str:
    """The English half of the page."""
    return html[html.index('<div class="lang lang-en"'):]


def chinese(html: str) -> str:
    return html[html.index('<div class="lang lang-zh"'):html.index('<div class="lang lang-en"')]


def svg(html: str, chart_id: str) -> str:
    start = html.index(f'id="{chart_id}"')
    return html[start:html.index("</svg>", start)]


def svg_texts(html: str, chart_id: str) -> list[str]:
    """Text drawn in one chart (matplotlib writes SVG text as text)."""
    return [t.strip() for t in re.findall(r"<text[^>]*>([^<]*)</text>", svg(html, chart_id))]


def row_cells(html: str, table_id: str) -> list[list[str]]:
    start = html.index(f'id="{table_id}"')
    body = html[start:html.index("</table>", start)]
    return [re.findall(r"<td[^>]*>(.*?)</td>", r, re.S) for r in re.findall(r"<tr>(.*?)</tr>", body, re.S)
            if "<td" in r]


# -- numbers --------------------------------------------------------------------------------------------------


def test_grid_heatmap_cells_and_labels():
    table, meta = grid_table(), grid_meta([A, B])
    hm = heatmap_data(table, meta)
    assert hm is not None and (hm.x, hm.y) == (A, B) and hm.fixed == {}
    assert list(hm.values.columns) == [10.0, 20.0] and list(hm.values.index) == [1.0, 2.0, 3.0]
    expected = np.array([[1.13e9, 1.23e9], [1.16e9, 1.26e9], [1.19e9, np.nan]])
    np.testing.assert_allclose(hm.values.to_numpy(), expected)
    assert hm.failed.to_numpy().tolist() == [[False, False], [False, False], [False, True]]
    html = default_page("grid")
    # cells labelled: M CNY/yr in English (0 decimals for a 130 M spread), 亿元/年 in Chinese (2 decimals)
    en_cells = svg_texts(html, "chart-sweep-heatmap-en")
    for label in ("1,130", "1,230", "1,160", "1,260", "1,190", "failed"):
        assert label in en_cells, (label, en_cells)
    zh_cells = svg_texts(html, "chart-sweep-heatmap-zh")
    for label in ("11.30", "12.30", "11.60", "12.60", "11.90", "失败"):
        assert label in zh_cells, (label, zh_cells)
    assert "chart-sweep-scatter-en" not in html and "chart-sweep-tornado-en" not in html
    assert "Grey cells are variants that failed." in english(html)


def test_grid_with_a_third_parameter_holds_it_at_its_first_value():
    table, meta = grid_table(third=[0.0, 1.0]), grid_meta([A, B, C])
    hm = heatmap_data(table, meta)
    assert hm is not None and hm.fixed == {C: 0.0}
    assert float(hm.values.loc[2.0, 20.0]) == pytest.approx(1.26e9)  # C = 1 would add 100 M CNY
    en = english(sweep_report_html(table, meta))
    assert f"held at their first value: {WORDS[C]} = 0 CNY/t" in en


def test_grid_effects_are_not_biased_by_the_failed_cell():
    """Additive fit: A moves the cost 100 M CNY (1e7 x 10), B 60 M CNY (3e7 x 2); plain means would give A 85 M."""
    table, meta = grid_table(), grid_meta([A, B])
    eff = influence(table, meta)
    assert eff.attrs["method"] == "grid" and list(eff.index) == [A, B]
    assert eff.loc[A, "effect_cny_per_yr"] == pytest.approx(1e8, rel=1e-9)
    assert eff.loc[B, "effect_cny_per_yr"] == pytest.approx(6e7, rel=1e-9)
    en = english(default_page("grid"))
    assert "6 variants (grid, every combination): 5 solved to a proven optimum, 1 failed." in en
    assert f"The parameter that moves the cost most is {WORDS[A]}" in en and "moves by 100.0 M CNY/yr" in en
    assert "from 1.13 bn CNY/yr (variant g10_1_0) to 1.26 bn CNY/yr (variant g20_2_0)" in en


def test_oat_tornado_sorted_by_swing():
    table, meta = oat_table()
    tor = tornado_data(table, meta)
    assert tor is not None and list(tor.index) == [A, B]  # B is listed first but swings less
    assert tor.loc[A, "swing"] == pytest.approx(1.5e8) and tor.loc[B, "swing"] == pytest.approx(5e7)
    assert tor.loc[A, "low_delta"] == pytest.approx(-5e7) and tor.loc[A, "high_delta"] == pytest.approx(1e8)
    assert tor.loc[B, "low_delta"] == pytest.approx(2e7) and tor.loc[B, "high_delta"] == pytest.approx(5e7)
    assert tor.loc[A, "low_value"] == 8000 and tor.loc[B, "high_value"] == 6000
    eff = influence(table, meta)
    assert eff.attrs["method"] == "oat" and eff.loc[A, "effect_cny_per_yr"] == pytest.approx(1.5e8)
    html = default_page("oat")
    rows = row_cells(english(html), "sweep-tornado-en")
    assert [r[0] for r in rows] == [WORDS[A], WORDS[B]]
    assert rows[0][2:] == ["10,000", "8,000", "12,000", "-50.0 M CNY/yr", "+100.0 M CNY/yr", "150.0 M CNY/yr"]
    assert rows[1][5:] == ["+20.0 M CNY/yr", "+50.0 M CNY/yr", "50.0 M CNY/yr"]
    labels = svg_texts(html, "chart-sweep-tornado-en")
    assert "-50 (8,000)" in labels and "100 (12,000)" in labels and "20 (3,000)" in labels
    # y ticks are written in the order of the table (A at the top, y = 1; then B, y = 0)
    ticks = [t for t in labels if t.startswith(("offshore_wind", "lng"))]
    assert ticks[0].startswith("offshore_wind") and ticks[-1].startswith("lng")
    assert "chart-sweep-heatmap-en" not in html and "chart-sweep-scatter-en" not in html


def test_oat_with_a_failed_side_and_a_failed_base():
    table, meta = oat_table()
    table.loc[f"high_{A}", ["status", "objective_cny_per_yr"]] = ["infeasible", np.nan]
    tor = tornado_data(table, meta)
    assert bool(tor.loc[A, "high_failed"]) and np.isnan(tor.loc[A, "high_delta"])
    assert tor.loc[A, "swing"] == pytest.approx(5e7)  # only the low side: 0 to -50 M
    table.loc["base", "status"] = "error"
    tor = tornado_data(table, meta)
    assert tor["swing"].isna().all()
    assert "The base variant failed" in english(sweep_report_html(table, meta))


def test_samples_linear_effects_and_binding_shares():
    table, meta = sample_table()
    eff = influence(table, meta)
    ok = table[table["status"] == "optimal"]
    span = {p: float(np.ptp(ok[f"param.{p}"])) for p in (A, B, C)}
    assert eff.attrs["method"] == "linear" and eff.attrs["r2"] == pytest.approx(1.0)
    assert eff.loc[A, "effect_cny_per_yr"] == pytest.approx(5e4 * span[A], rel=1e-6)
    assert eff.loc[B, "effect_cny_per_yr"] == pytest.approx(1e4 * span[B], rel=1e-6)
    assert eff.loc[C, "effect_cny_per_yr"] == pytest.approx(5e5 * span[C], rel=1e-6)
    assert list(eff.index) == [A, C, B]
    targets = target_summary(table)
    binding = int((ok[f"param.{A}"] > 10_000).sum())
    assert targets.loc["wind_capacity", "variants"] == 19 and targets.loc["wind_capacity", "binding"] == binding
    assert targets.loc["wind_capacity", "share"] == pytest.approx(binding / 19)
    assert targets.loc["wind_capacity", "price_max"] == pytest.approx((ok[f"param.{A}"].max() - 10_000) / 10)
    assert targets.loc["share", "binding"] == 1  # 2x the tolerance binds, half of it does not
    html = default_page("sample")
    rows = {r[0]: r for r in row_cells(english(html), "sweep-targets-en")}
    assert rows["wind_capacity"][1] == f"{100 * binding / 19:.1f} %"
    assert rows["wind_capacity"][2] == f"{binding} of 19" and rows["wind_capacity"][6] == "CNY/kW/yr"
    assert rows["share"][1] == "5.3 %" and rows["share"][7] == "25.0 %" and rows["share"][5] == "2e-06"
    zh_rows = {r[0]: r for r in row_cells(chinese(html), "sweep-targets-zh")}
    assert zh_rows["share"][1] == "5.3%" and zh_rows["wind_capacity"][6] == "元/千瓦·年"
    assert "chart-sweep-scatter-en" in html and "chart-sweep-prices-en" in html
    assert "The linear fit explains R² = 1.00" in english(html)
    table["co2_t_per_yr"] = np.linspace(1.0e6, 2.9e6, 20)
    table["solve_s"] = 2.0
    table.loc["s00", "solve_s"] = 10.0
    en = english(sweep_report_html(table, meta))
    assert "Direct CO2 emissions range from 1.00 Mt/yr to 2.80 Mt/yr." in en  # s19 (2.9 Mt) failed
    assert "Solving took 48.0 s in all (2.0 s per variant, median)." in en


def test_list_mode_does_not_name_a_winner():
    table, meta = sample_table()
    table[f"param.{B}"] = table[f"param.{A}"] / 2  # list: values move together
    en = english(sweep_report_html(table, meta | {"mode": "list"}))
    assert "their separate effects on the cost cannot be told apart" in en
    assert "The parameter that moves the cost most" not in en and "the parameter that moves the cost most" not in en
    assert f"shadow price against {WORDS[A]} (in a list sweep" in en


def test_capacities_and_verification():
    table, meta = sample_table()
    caps = capacity_summary(table)
    ok = table[table["status"] == "optimal"]
    assert caps.loc["wind", "min"] == pytest.approx(ok["capacity_mw.wind"].min())
    assert caps.loc["wind", "median"] == pytest.approx(ok["capacity_mw.wind"].median())
    assert caps.loc["gas"].tolist() == [500.0, 500.0, 500.0]
    per_variant, per_tech = verification_data(table)
    assert list(per_variant.index) == ["s00", "s01"]
    assert per_variant.loc["s00", "error"] == pytest.approx(0.01) and per_variant.loc["s01", "error"] == \
        pytest.approx(-0.02)
    assert per_variant.loc["s00", "worst_technology"] == "gas" and per_variant.loc["s00", "worst_error_mw"] == 100
    assert per_tech.loc["wind", "largest_error_mw"] == pytest.approx(40.0)
    assert per_tech.loc["gas", "largest_error"] == pytest.approx(0.25)
    html = default_page("sample")
    rows = row_cells(english(html), "sweep-verify-en")
    assert rows[0][0] == "s00" and rows[0][3] == "+1.00 %" and rows[0][4:] == ["gas", "100.0", "+25.00 %"]
    assert rows[1][3] == "-2.00 %"
    named = sweep_report_html(table, meta | {"tech_names": {"gas": {"en": "Gas CCGT", "zh": "燃气联合循环"}}})
    assert row_cells(english(named), "sweep-verify-en")[0][4] == "Gas CCGT"
    assert ["燃气联合循环", "500", "500", "500"] in row_cells(chinese(named), "sweep-capacity-zh")
    table.loc["s01", "full.status"] = "infeasible"  # the full-year solve of s01 failed: no error is made up
    table.loc["s00", "full.status"] = "optimal"
    per_variant, per_tech = verification_data(table)
    assert per_variant.loc["s01", "full_status"] == "infeasible" and np.isnan(per_variant.loc["s01", "error"])
    assert per_tech.loc["gas", "largest_error_mw"] == pytest.approx(100.0)
    rows = row_cells(english(sweep_report_html(table, meta)), "sweep-verify-en")
    assert rows[1][2] == "failed (infeasible)" and rows[1][3] == "n/a"
    assert verification_data(table.drop(columns=["verified"])) is None
    assert "sweep-verify-en" not in sweep_report_html(table.drop(columns=["verified"]), meta)


def test_failed_variants_listed_and_escaped(tmp_path: Path):
    table, meta = grid_table(), grid_meta([A, B])
    table = table.rename(index={"g20_3_0": "<b>bad</b>"})
    path = tmp_path / "sweep.html"
    write_sweep_report(table, meta, path)
    html = path.read_text(encoding="utf-8")
    assert EVIL not in html and "<b>bad</b>" not in html
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in html and "&lt;b&gt;bad&lt;/b&gt;" in html
    rows = row_cells(english(html), "sweep-failed-en")
    assert rows == [["&lt;b&gt;bad&lt;/b&gt;", "infeasible", "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"]]
    assert not list(tmp_path.glob(".*tmp*"))
    # a target named with markup and math text: escaped in the table and in the chart, drawn as typed
    odd = "<i>$x$</i>"
    html = sweep_report_html(table.rename(columns={"target_shadow_price.wind_capacity": f"target_shadow_price.{odd}"}),
                             meta)
    assert odd not in html and "&lt;i&gt;$x$&lt;/i&gt;" in html
    assert "&lt;i&gt;$x$&lt;/i&gt;" in " ".join(svg_texts(html, "chart-sweep-prices-en"))


def test_page_is_offline_and_bilingual():
    for kind in ("grid", "oat", "sample"):
        html = default_page(kind)
        refs = re.findall(r"""(?:src|href)\s*=\s*["']?\s*([^"'\s>]+)""", html, re.I)
        assert refs and all(not r.lower().startswith(("http:", "https:", "//")) for r in refs), refs
        assert "url(http" not in html and "@import" not in html
        assert 'class="lang lang-zh"' in html and 'class="lang lang-en"' in html
        assert "参数扫描报告" in chinese(html) and "Parameter sweep report" in english(html)


def test_no_optimal_variant_shows_no_numbers():
    table, meta = grid_table(), grid_meta([A, B])
    table["status"] = "infeasible"
    en = english(sweep_report_html(table, meta))
    assert "No variant was solved to optimality" in en and "bn CNY" not in en


@pytest.mark.skipif(BROWSER is None, reason="no Chromium binary on this machine (apt-get install chromium)")
def test_pages_in_a_browser(tmp_path: Path):
    """Each kind of page in headless Chromium: no errors, no request, the charts of the shown language drawn."""
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is a test dependency (pip install -e .[test])")
    pages = {"grid": (grid_table(third=[0.0, 1.0]), grid_meta([A, B, C]), {"heatmap", "prices"}),
             "oat": (*oat_table(), {"tornado", "prices"}), "lhs": (*sample_table(), {"scatter", "prices"})}
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=BROWSER, args=["--no-sandbox", "--disable-gpu"])
        for name, (table, meta, charts) in pages.items():
            path = tmp_path / f"{name}.html"
            write_sweep_report(table, meta, path)
            page = browser.new_page(viewport={"width": 1100, "height": 900})
            problems: list[str] = []
            page.on("console", lambda m, out=problems: out.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e, out=problems: out.append(str(e)))
            page.on("request", lambda r, out=problems: None if r.url.startswith("file:") else out.append(r.url))
            page.goto(path.resolve().as_uri())
            page.wait_for_load_state("load")
            for code in ("zh", "en"):
                if code == "en":
                    page.click("label[for=lang-en]")
                shown = page.eval_on_selector_all(
                    "svg.chart", "els => els.filter(e => getComputedStyle(e.closest('.lang')).display !== 'none')"
                                 ".map(e => { const r = e.getBoundingClientRect(); return [e.id, r.width, r.height]; })")
                assert {i.removeprefix("chart-sweep-").removesuffix(f"-{code}") for i, _, _ in shown} == charts
                assert all(w > 500 and h > 150 for _, w, h in shown), shown
            assert page.evaluate("document.documentElement.lang") == "en"
            assert "Parameter sweep report" in page.inner_text("body")
            assert not problems, problems
            page.close()
        browser.close()


def test_paired_paths_are_one_dimension():
    """A paired group (A with B) is one axis of the heatmap, one bar of the tornado, one regressor of a fit."""
    rows = []
    for a, b in ((8.0, 3.0), (10.0, 4.0), (12.0, 5.0)):
        for c in (0.0, 1.0):
            rows.append({"variant": f"v{int(a)}_{int(c)}", f"param.{A}": a, f"param.{B}": b, f"param.{C}": c,
                         "objective_cny_per_yr": 1e9 + 1e7 * a + 2e8 * c, "status": "optimal"})
    grid = pd.DataFrame(rows).set_index("variant")
    meta = grid_meta([A, B, C])
    hm = heatmap_data(grid, meta)
    assert hm is not None and (hm.x, hm.y) == (A, C) and hm.fixed == {}
    assert hm.values.shape == (2, 3) and float(hm.values.loc[1.0, 12.0]) == pytest.approx(1.32e9)
    eff = influence(grid, meta)
    assert list(eff.index) == [C, A, B] and eff.loc[C, "effect_cny_per_yr"] == pytest.approx(2e8)
    assert eff.loc[A, "effect_cny_per_yr"] == pytest.approx(4e7) == eff.loc[B, "effect_cny_per_yr"]
    assert eff.loc[B, "dimension"] == A
    # the sweep's own dimensions win over what the table suggests
    assert heatmap_data(grid, meta | {"dimensions": [[A], [B], [C]]}).y == B
    en = english(sweep_report_html(grid, meta))
    assert f"{WORDS[A]} (moves with {WORDS[B]}) across and {WORDS[C]} up." in en and "Grey cells" not in en

    oat, oat_meta = oat_table()
    oat[f"param.{C}"] = 50.0
    oat.loc[f"low_{A}", f"param.{C}"] = 10.0
    oat.loc[f"high_{A}", f"param.{C}"] = 90.0
    tor = tornado_data(oat, oat_meta | {"parameters": [B, A, C]})
    assert list(tor.index) == [A, B] and tor.loc[A, "paired"] == [C]
    assert tor.loc[A, "swing"] == pytest.approx(1.5e8)

    samples, s_meta = sample_table()
    samples[f"param.{B}"] = 3000 + (samples[f"param.{A}"] - 8000) * 0.75  # paired: the same coordinate
    samples["objective_cny_per_yr"] = 2e9 + 5e4 * samples[f"param.{A}"] + 5e5 * samples[f"param.{C}"]
    samples.loc["s19", "objective_cny_per_yr"] = np.nan
    eff = influence(samples, s_meta)
    ok = samples[samples["status"] == "optimal"]
    assert eff.attrs["method"] == "linear" and eff.attrs["r2"] == pytest.approx(1.0)
    assert eff.loc[A, "effect_cny_per_yr"] == pytest.approx(5e4 * np.ptp(ok[f"param.{A}"]), rel=1e-6)
    assert eff.loc[B, "dimension"] == A


def test_every_variant_failed_still_gives_a_page():
    """A sweep whose variants all failed has no objective column; the page lists the failures."""
    import pandas as pd

    from energy_model.output.sweep_report import sweep_report_html

    table = pd.DataFrame({"param.fuels.lng.price_cny_per_unit": [3000.0, 6000.0], "status": ["infeasible"] * 2,
                          "message": ["no dispatch satisfies every limit", "no dispatch satisfies every limit"]},
                         index=pd.Index(["a1", "b2"], name="variant"))
    html = sweep_report_html(table, {"name": "all_failed", "scenario": "s", "mode": "grid",
                                     "parameters": ["fuels.lng.price_cny_per_unit"], "base": {}, "units": {}})
    assert "a1" in html and "b2" in html and "no dispatch satisfies every limit" in html


def test_verification_names_no_technology_when_capacities_agree():
    """Every capacity equal to the full year's: no 'largest error' technology is named (it would mislead)."""
    table, meta = sample_table()
    for c in [c for c in table.columns if c.startswith("capacity_mw.")]:
        table[f"full.{c}"] = table[c]
    per_variant, _ = verification_data(table)
    assert list(per_variant["worst_technology"]) == ["", ""]
    assert list(per_variant["worst_error_mw"]) == [0.0, 0.0]
    rows = row_cells(english(sweep_report_html(table, meta)), "sweep-verify-en")
    assert rows[0][4:] == ["—", "0.0", "0.00 %"]


def test_verification_keeps_the_sign_of_the_largest_error():
    """A capacity built 2.84 % too small by the aggregated solve reads −2.84 %, not +2.84 % (nor |2.84| with a +)."""
    table, meta = sample_table()
    table.loc["s00", "full.capacity_mw.gas"] = 500.0
    table.loc["s01", "full.capacity_mw.gas"] = 514.62  # aggregated 500: 14.62 MW (2.84 %) too small
    _, per_tech = verification_data(table)
    assert per_tech.loc["gas", "largest_error_mw"] == pytest.approx(-14.62)
    assert per_tech.loc["gas", "largest_error"] == pytest.approx(-14.62 / 514.62)
    rows = {r[0]: r[1:] for r in row_cells(english(sweep_report_html(table, meta)), "sweep-verify-tech-en")}
    assert rows["gas"] == ["-14.6", "-7.3", "-2.84 %"]
    assert rows["wind"][:2] == ["+40.0", "+40.0"] and rows["wind"][2].startswith("+")
    heads = english(sweep_report_html(table, meta))
    assert "Largest relative error, signed" in heads and "Largest relative |error|" not in heads


def test_sweep_console_table_has_plain_numbers_and_the_folder(tmp_path: Path):
    from energy_model.output.i18n import Lang
    from energy_model.output.sweep_console import format_sweep_table

    table = pd.DataFrame({"param.technologies.offshore_wind.capex_cny_per_kw": [12_000.0, 14_500.5],
                          "status": ["optimal", "time_limit"], "objective_cny_per_yr": [1.52125e10, np.nan]},
                         index=pd.Index(["v000", "v001"], name="variant"))
    text = format_sweep_table(table, tmp_path / "offshore_capex", Lang("en"))
    lines = text.splitlines()
    assert "e+" not in text and "e-" not in text.replace("time_limit", "")
    assert lines[0].split() == ["variant", "technologies.offshore_wind.capex_cny_per_kw", "status", "objective",
                                "[M", "CNY/yr]"]
    assert lines[1].split() == ["v000", "12,000", "optimal", "15,212.5"]
    assert lines[2].split() == ["v001", "14,500.5", "time_limit", "n/a"]
    assert lines[-1] == f"Results: {tmp_path / 'offshore_capex'}"
    assert len({len(line) for line in lines[:3]}) == 1  # aligned columns
