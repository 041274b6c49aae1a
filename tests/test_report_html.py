"""The report's HTML and CSS as a browser reads them (no browser): unique ids, links that resolve, print rules that win."""

from __future__ import annotations

import re
import shutil
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path

from energy_model.cli.main import main

CSS = Path(__file__).resolve().parent.parent / "energy_model" / "output" / "templates" / "base.css"


class _Ids(HTMLParser):
    """Every id and every in-page reference (``href="#x"``, ``url(#x)``) of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.ids: list[str] = []
        self.refs: list[str] = []
        self.unit_cells: list[str] = []
        self._in_unit = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if value is None:
                continue
            if name == "id":
                self.ids.append(value)
            elif name in ("href", "xlink:href") and value.startswith("#") and len(value) > 1:
                self.refs.append(value[1:])
            self.refs += re.findall(r"url\(#([^)]+)\)", value)
        self._in_unit = tag == "td" and ("class", "unit") in attrs

    def handle_data(self, data: str) -> None:
        if self._in_unit:
            self.unit_cells.append(data)
            self._in_unit = False


def parse(path: Path) -> _Ids:
    page = _Ids()
    page.feed(path.read_text(encoding="utf-8"))
    return page


def test_report_has_no_duplicate_id_and_every_link_resolves(quick_week_run: Path):
    page = parse(quick_week_run / "report.html")
    duplicates = {k: v for k, v in Counter(page.ids).items() if v > 1}
    assert duplicates == {}
    assert len(page.ids) > 1000  # the charts' own ids are kept (prefixed), not dropped
    assert "chart-capacity-zh" in page.ids and "table-technologies-en" in page.ids and "table-targets-zh" in page.ids
    assert any(i.startswith("capacity-zh-") for i in page.ids) and any(i.startswith("capacity-en-") for i in page.ids)
    assert page.refs and set(page.refs) <= set(page.ids)  # clip paths, glyphs and the table of contents


def test_comparison_has_no_duplicate_id_and_units_do_not_wrap(quick_week_run: Path, tmp_path: Path):
    other = tmp_path / "other" / "quick_week"
    shutil.copytree(quick_week_run, other)
    assert main(["--quiet", "compare", str(quick_week_run), str(other), "--out", str(tmp_path / "cmp")]) == 0
    page = parse(tmp_path / "cmp" / "compare.html")
    assert {k: v for k, v in Counter(page.ids).items() if v > 1} == {}
    assert set(page.refs) <= set(page.ids)
    assert {"MW", "GWh/yr", "CNY/kW/yr", "M CNY/yr"} <= set(page.unit_cells)
    rules = css_rules(CSS.read_text(encoding="utf-8"))
    assert value(rules, ".unit", "white-space", print_=False) == "nowrap"
    assert value(rules, "body.compare", "max-width", print_=False) == "1600px"  # not the report's 1000 px
    assert value(rules, ".compare td:first-child", "white-space", print_=False) == "normal"


# --- the stylesheet ----------------------------------------------------------------------------------------


def css_rules(text: str) -> list[tuple[bool, str, dict[str, str]]]:
    """``(in @media print, selector, declarations)`` in file order (one selector per entry)."""
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    out: list[tuple[bool, str, dict[str, str]]] = []

    def rules(body: str, print_: bool) -> None:
        i = 0
        while i < len(body):
            brace = body.find("{", i)
            if brace < 0:
                return
            head = body[i:brace].strip()
            depth, j = 1, brace + 1
            while depth:
                depth += {"{": 1, "}": -1}.get(body[j], 0)
                j += 1
            inner = body[brace + 1:j - 1]
            if head.startswith("@media"):
                rules(inner, print_ or "print" in head)
            elif not head.startswith("@"):
                decls = dict((k.strip(), v.strip()) for k, _, v in (d.partition(":") for d in inner.split(";"))
                             if k.strip())
                for selector in head.split(","):
                    out.append((print_, selector.strip(), decls))
            i = j

    rules(text, False)
    return out


def value(rules: list[tuple[bool, str, dict[str, str]]], selector: str, prop: str, *, print_: bool) -> str | None:
    """The last value of ``prop`` for exactly ``selector`` on screen or in print (same specificity: order wins)."""
    found = None
    for in_print, sel, decls in rules:
        if sel == selector and (print_ or not in_print):
            for key in (prop, "overflow") if prop.startswith("overflow-") else (prop,):
                if key in decls:
                    found = decls[key]
    return found


def test_print_rules_win_over_the_screen_rules():
    """In print the scroll containers are not clipped: the screen's overflow-x:auto comes before the print rule."""
    rules = css_rules(CSS.read_text(encoding="utf-8"))
    assert value(rules, ".scroll", "overflow-x", print_=False) == "auto"
    assert value(rules, ".scroll", "overflow-x", print_=True) == "visible"
    last_print = max(i for i, r in enumerate(rules) if r[0])
    assert all(r[0] or i < last_print for i, r in enumerate(rules)), "a screen rule after the print rules"
    # every column fits: headers and first columns wrap, nothing nowrap but numbers and units
    for selector in ("th", "th.n", "td:first-child", ".appendix th"):
        assert value(rules, selector, "white-space", print_=True) == "normal", selector
    assert value(rules, ".switch", "display", print_=True) == "none"
    assert value(rules, ".appendix tr.at-default", "display", print_=True) == "none"
    assert value(rules, ".print-only", "display", print_=True) == "block"
    assert value(rules, ".print-only", "display", print_=False) == "none"


def test_css_parser_sees_the_old_order_as_clipped():
    """The check above fails on the stylesheet as it was (overflow-x:auto after the print block)."""
    old = "@media print{.switch{display:none} .scroll{overflow:visible}table{font-size:.72em}}\n.scroll{overflow-x:auto}"
    assert value(css_rules(old), ".scroll", "overflow-x", print_=True) == "auto"


def test_printed_appendix_says_where_the_rest_is(quick_week_run: Path):
    html = (quick_week_run / "report.html").read_text(encoding="utf-8")
    at_default = len(re.findall(r'<tr class="at-default">', html))
    assert at_default > 100  # the long inputs table: only what the scenario changed is printed
    count = at_default // 2
    assert f"The {count} inputs at their defaults (with their sources) are not printed; the full list is in " \
           "results.xlsx (sheet assumptions), assumptions.csv and inputs.nc" in html
    assert f"取默认值的 {count} 项" in html
    assert len(re.findall(r'<tr><td title="technologies\.', html)) > 0  # the changed inputs are printed

