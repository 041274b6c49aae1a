"""The report and the comparison, loaded in a real headless Chromium like a reader's browser.

No console errors or page errors; every chart has a non-zero size in the
language shown; both languages render (switched with the page's own
buttons and with ``#en``); every table has a header row. Uses Playwright
driving the system's Chromium (Debian package ``chromium``; nothing is
downloaded). Skipped, with the reason, only when no browser binary exists.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from energy_model.cli.main import main

CANDIDATES = (os.environ.get("CHROMIUM"), "/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome")
BROWSER = next((p for p in CANDIDATES if p and Path(p).is_file()), None) or shutil.which("chromium")

pytestmark = pytest.mark.skipif(BROWSER is None, reason="no Chromium binary on this machine (apt-get install chromium)")


@pytest.fixture(scope="module")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is a test dependency (pip install -e .[test])")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=BROWSER, args=["--no-sandbox", "--disable-gpu"])
        yield b
        b.close()


def open_page(browser, path: Path, suffix: str = ""):
    page = browser.new_page(viewport={"width": 1100, "height": 900})
    problems: list[str] = []
    page.on("console", lambda msg: problems.append(f"console {msg.type}: {msg.text}") if msg.type == "error" else None)
    page.on("pageerror", lambda exc: problems.append(f"page error: {exc}"))
    page.on("requestfailed", lambda req: problems.append(f"request failed: {req.url}"))
    page.goto(path.resolve().as_uri() + suffix)
    page.wait_for_load_state("load")
    return page, problems


def visible_charts(page) -> list[dict]:
    return page.eval_on_selector_all(
        "svg.chart", "els => els.filter(e => getComputedStyle(e.closest('.lang')).display !== 'none').map(e => {"
                     "const r = e.getBoundingClientRect(); return {id: e.id, w: r.width, h: r.height}; })")


def check_tables(page) -> None:
    tables = page.eval_on_selector_all(
        ".lang-zh table, .lang-en table",
        "els => els.map(t => ({head: t.querySelectorAll('thead th').length, rows: t.querySelectorAll('tbody tr').length}))")
    assert tables and all(t["head"] > 0 for t in tables), tables


def test_report_in_both_languages(browser, quick_week_run: Path):
    page, problems = open_page(browser, quick_week_run / "report.html")
    assert page.evaluate("document.documentElement.lang") == "zh-CN"
    charts = visible_charts(page)
    assert len(charts) == 9 and all(c["id"].endswith("-zh") for c in charts)
    assert all(c["w"] > 300 and c["h"] > 100 for c in charts), charts
    zh_text = page.inner_text("body")
    assert "结论" in zh_text and "风电装机容量" in zh_text and "The answer" not in zh_text
    page.click("label[for=lang-en]")
    assert page.evaluate("document.documentElement.lang") == "en"
    charts = visible_charts(page)
    assert len(charts) == 9 and all(c["id"].endswith("-en") and c["w"] > 300 and c["h"] > 100 for c in charts)
    en_text = page.inner_text("body")
    assert "The answer" in en_text and "Wind capacity" in en_text and "结论" not in en_text.replace("中文", "")
    check_tables(page)
    assert not problems, problems
    page.close()


def test_report_opens_in_english_from_its_address(browser, quick_week_run: Path):
    page, problems = open_page(browser, quick_week_run / "report.html", "#en")
    assert page.evaluate("document.documentElement.lang") == "en"
    assert all(c["id"].endswith("-en") for c in visible_charts(page))
    assert page.is_visible("text=This run covers only 336 h")
    assert not problems, problems
    page.close()


def test_report_shows_analyses_and_prints_to_a4(browser, quick_week_run: Path, tmp_path: Path):
    """A copied run folder with a frontier added: the re-rendered report shows its chart, in a printable page."""
    folder = tmp_path / "out" / "quick_week"
    shutil.copytree(quick_week_run, folder)
    scen = quick_week_run.parent.parent / "scenarios" / "quick_week.yaml"
    assert main(["--quiet", "frontier", str(scen), "--target", "wind_capacity", "--levels", "6000", "6500",
                 "--out", str(tmp_path / "out")]) == 0
    page, problems = open_page(browser, folder / "report.html")
    assert page.is_visible("#chart-frontier-wind_capacity-zh")
    page.emulate_media(media="print")
    pdf = page.pdf(format="A4")
    assert pdf.startswith(b"%PDF") and len(pdf) > 10_000
    assert not problems, problems
    page.close()


def test_comparison_in_both_languages(browser, quick_week_run: Path, tmp_path: Path):
    other = tmp_path / "other" / "quick_week"
    shutil.copytree(quick_week_run, other)
    assert main(["--quiet", "compare", str(quick_week_run), str(other), "--out", str(tmp_path / "cmp")]) == 0
    page, problems = open_page(browser, tmp_path / "cmp" / "compare.html")
    charts = visible_charts(page)
    assert len(charts) == 2 and all(c["w"] > 300 and c["h"] > 100 for c in charts)
    assert "情景对比" in page.inner_text("body")
    page.click("label[for=lang-en]")
    assert "Scenario comparison" in page.inner_text("body")
    check_tables(page)
    assert not problems, problems
    page.close()
