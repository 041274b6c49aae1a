"""``run.py compare`` says why: the inputs that differ come first, in words, with each run's value and unit."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import BASE_YAML, copy_project
from openpyxl import load_workbook

from energy_model.cli.main import main


@pytest.fixture(scope="module")
def two_runs(tmp_path_factory: pytest.TempPathFactory, tiny_plan_run: Path) -> tuple[Path, Path]:
    """The 48-hour base run and one with offshore wind at 12,000 CNY/kW (default 10,000) and carbon at 200 CNY/t.

    Made once for this module and only read by its tests. The base run is a
    copy of the session's :func:`conftest.tiny_plan_run` (the same scenario on
    the same input bytes), so only the dearer run is solved here.
    """
    project = copy_project(tmp_path_factory.mktemp("compare_inputs"))
    other = BASE_YAML.replace("name: tiny_plan", "name: tiny_dear").replace(
        "carbon_price_cny_per_t: 55", "carbon_price_cny_per_t: 200")
    other += "overrides:\n  technologies.offshore_wind.capex_cny_per_kw: 12000\n"
    shutil.copytree(tiny_plan_run, project.out / "tiny_plan")
    assert main(["--quiet", "run", str(project.scenario(other, "tiny_dear.yaml")), "--out", str(project.out)]) == 0
    return project.out / "tiny_plan", project.out / "tiny_dear"


def test_compare_lists_exactly_the_inputs_that_differ(two_runs: tuple[Path, Path], tmp_path: Path,
                                                      capsys: pytest.CaptureFixture[str]):
    a, b = two_runs
    assert main(["--quiet", "compare", str(a), str(b), "--out", str(tmp_path / "cmp")]) == 0
    printed = capsys.readouterr().out
    lines = printed.splitlines()
    start = lines.index("Inputs that differ between the runs:")
    assert lines[start + 1] == "  Carbon price: tiny_plan 55 CNY/t | tiny_dear 200 CNY/t"
    assert lines[start + 2] == "  Offshore wind — Capital cost: tiny_plan 10000 CNY/kW | tiny_dear 12000 CNY/kW"
    equal = lines[start + 3]
    assert equal.startswith("  ") and equal.endswith("other inputs are equal in every run (2 differ, listed above).")
    n_equal = int(equal.split()[0].replace(",", ""))
    assert n_equal > 100  # every documented input-table row, the horizon, weather, targets, solver settings

    html = (tmp_path / "cmp" / "compare.html").read_text(encoding="utf-8")
    first = html.index("Inputs that differ between the runs")
    assert first < html.index("Key numbers (with targets)")  # the inputs come before the outputs
    part = html[first:html.index("Key numbers (with targets)")]
    assert part.index("Carbon price") < part.index("Offshore wind — Capital cost")
    for text in (">55<", ">200<", "10,000", "12,000", "CNY/t", "CNY/kW", f"{n_equal:,} other inputs are equal"):
        assert text in part, text
    zh = html[html.index("输入差异（各方案不同的输入）"):]
    assert "碳价" in zh and "海上风电 — 投资成本" in zh and "元/千瓦" in zh and "项输入在各方案中相同" in zh

    book = load_workbook(tmp_path / "cmp" / "compare.xlsx", read_only=True)
    assert book.sheetnames[:3] == ["runs", "inputs", "key_numbers"]
    rows = [r for r in book["inputs"].iter_rows(values_only=True)]
    body = [r for r in rows[2:] if len(r) > 1 and r[1] is not None]
    assert [(r[0], r[1], r[3], r[4], r[5], r[6]) for r in body] == [
        ("碳价", "Carbon price", "CNY/t", 55, 200, 145),
        ("海上风电 — 投资成本", "Offshore wind — Capital cost", "CNY/kW", 10000, 12000, 2000)]
    assert rows[2 + len(body)][0].startswith("其余") and isinstance(rows[2 + len(body)][0], str)
    assert rows[3 + len(body)][0] == f"{n_equal:,} other inputs are equal in every run (2 differ, listed above)."


def test_identical_runs_list_no_input(two_runs: tuple[Path, Path], tmp_path: Path,
                                      capsys: pytest.CaptureFixture[str]):
    a, _b = two_runs
    import shutil

    twin = tmp_path / "again" / "tiny_plan"
    shutil.copytree(a, twin)
    assert main(["--quiet", "compare", str(a), str(twin), "--out", str(tmp_path / "cmp")]) == 0
    lines = capsys.readouterr().out.splitlines()
    start = lines.index("Inputs that differ between the runs:")
    assert lines[start + 1].endswith("other inputs are equal in every run (0 differ, listed above).")
