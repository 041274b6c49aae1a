"""Text a user wrote is stored as text in ``results.xlsx`` and ``compare.xlsx``: never a live formula."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import BASE_YAML, copy_project
from openpyxl import load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.workbook import Workbook

from energy_model.cli.main import main
from energy_model.output.xlsx_text import append_row

TITLE = '=HYPERLINK("http://x","y")'
LABELS = ["+1+2", "-3", "@SUM(A1)"]


def _scenario(name: str) -> str:
    text = BASE_YAML.replace("name: tiny_plan", f"name: {name}")
    text = text.replace('title: "Two January days"', "title: '" + TITLE + "'")
    text = text.replace('label: "Wind capacity 6 GW"', f'label: "{LABELS[0]}"')
    text = text.replace('label: "New-energy share 25 %"', f'label: "{LABELS[1]}"')
    return text.replace("solver:", f'  co2_cap:\n    kind: max_emissions\n    mode: report\n    label: "{LABELS[2]}"\n'
                        "    value_t: 1000000000\nsolver:")


@pytest.fixture(scope="module")
def books(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """results.xlsx of a tiny run with formula-like title and labels, and compare.xlsx of two such runs."""
    proj = copy_project(tmp_path_factory.mktemp("formula_text"), _scenario("tiny_a"))
    second = proj.scenario(_scenario("tiny_b").replace("carbon_price_cny_per_t: 55", "carbon_price_cny_per_t: 90"),
                           "tiny_b.yaml")
    for scen in (proj.root / "scenarios" / "tiny_plan.yaml", second):
        assert main(["--quiet", "run", str(scen), "--out", str(proj.out)]) == 0
    assert main(["--quiet", "compare", str(proj.out / "tiny_a"), str(proj.out / "tiny_b"),
                 "--out", str(proj.out / "cmp")]) == 0
    return {"results": proj.out / "tiny_a" / "results.xlsx", "compare": proj.out / "cmp" / "compare.xlsx"}


@pytest.mark.parametrize("which", ["results", "compare"])
def test_formula_like_text_is_stored_as_text(books: dict[str, Path], which: str):
    book = load_workbook(books[which])
    cells = [c for ws in book.worksheets for row in ws.iter_rows() for c in row if c.value is not None]
    formulas = [(c.parent.title, c.coordinate, c.value) for c in cells if c.data_type == "f"]
    assert formulas == []
    found = {c.value: c.data_type for c in cells if c.value in [TITLE, *LABELS]}
    expected = [TITLE, *LABELS] if which == "results" else [TITLE]  # compare names targets by what they measure
    assert found == {text: "s" for text in expected}


def test_append_row_keeps_text_and_drops_what_a_sheet_cannot_hold(tmp_path: Path):
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("t")
    head = WriteOnlyCell(ws, value="=1+1")
    append_row(ws, [head, "#N/A", "bell \x07 red \x1b[31m", "a\nb\tc", 3.5, None])
    wb.save(tmp_path / "t.xlsx")
    row = next(load_workbook(tmp_path / "t.xlsx")["t"].iter_rows())
    assert [c.value for c in row[:5]] == ["=1+1", "#N/A", "bell  red [31m", "a\nb\tc", 3.5]
    assert [c.data_type for c in row[:5]] == ["s", "s", "s", "s", "n"]
