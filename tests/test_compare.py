"""``python run.py compare``: side by side with differences, both languages, and refusals (exit code 2)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from openpyxl import load_workbook

from energy_model.cli.main import main
from energy_model.output.writers import open_netcdf


@pytest.fixture(scope="module")
def pair(quick_week_run: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The quick_week run and a second run of it with a dearer carbon price."""
    root = quick_week_run.parent.parent
    text = (root / "scenarios" / "quick_week.yaml").read_text(encoding="utf-8")
    scen = root / "scenarios" / "quick_week_co2.yaml"
    scen.write_text(text.replace("name: quick_week", "name: quick_week_co2")
                    + "economics:\n  carbon_price_cny_per_t: 200\n", encoding="utf-8")
    out = tmp_path_factory.mktemp("second")
    assert main(["--quiet", "run", str(scen), "--out", str(out)]) == 0
    return quick_week_run, out / "quick_week_co2"


def test_compare_writes_both_files_with_differences(pair: tuple[Path, Path], tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]):
    a, b = pair
    assert main(["--quiet", "compare", str(a), str(b), "--out", str(tmp_path / "cmp")]) == 0
    assert "compare.html" in capsys.readouterr().out
    html = (tmp_path / "cmp" / "compare.html").read_text(encoding="utf-8")
    assert "情景对比" in html and "Scenario comparison" in html and "quick_week_co2 − quick_week" in html
    book = load_workbook(tmp_path / "cmp" / "compare.xlsx", read_only=True)
    assert book.sheetnames == ["runs", "inputs", "key_numbers", "targets", "costs", "capacity", "generation", "emissions",
                               "fuels"]
    costs = list(book["costs"].iter_rows(values_only=True))
    head = costs[1]
    assert head[4:7] == ("quick_week", "quick_week_co2", "quick_week_co2 − quick_week")
    total = next(r for r in costs if r[1] == "Total")
    cost_a = open_netcdf(a / "results.nc").attrs["objective_cny_per_yr"]  # the workbook holds CNY/yr
    cost_b = open_netcdf(b / "results.nc").attrs["objective_cny_per_yr"]
    assert total[4] == pytest.approx(cost_a, rel=1e-7) and total[5] == pytest.approx(cost_b, rel=1e-7)
    assert total[6] == pytest.approx(cost_b - cost_a, rel=1e-6) and total[6] > 0
    carbon = next(r for r in costs if r[0] == "碳价")
    assert carbon[5] > carbon[4]
    capacity = list(book["capacity"].iter_rows(values_only=True))
    assert any(r[0] == "海上风电" and r[1] == "Offshore wind" for r in capacity)
    assert all(isinstance(r[4], (int, float)) for r in capacity[2:])
    manifest = json.loads((tmp_path / "cmp" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["kind"] == "comparison"


def test_compare_refuses_folders_that_are_not_runs(pair: tuple[Path, Path], tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]):
    a, _b = pair
    (tmp_path / "notes").mkdir()
    code = main(["--quiet", "compare", str(a), str(tmp_path / "notes"), str(tmp_path / "absent")])
    err = capsys.readouterr().err
    assert code == 2
    assert "not a run folder of this tool" in err and "notes" in err and "absent" in err and "not a folder" in err
    assert not list(tmp_path.glob("compare_*"))


def test_compare_refuses_a_tampered_or_unfinished_run(pair: tuple[Path, Path], tmp_path: Path,
                                                      capsys: pytest.CaptureFixture[str]):
    a, b = pair
    copy = tmp_path / "copy" / "quick_week"
    shutil.copytree(a, copy)
    (copy / "summary.json").write_text("{}", encoding="utf-8")
    assert main(["--quiet", "compare", str(b), str(copy)]) == 2
    assert "checksum" in capsys.readouterr().err
    assert main(["--quiet", "compare", str(a)]) == 2
    assert "at least two run folders" in capsys.readouterr().err
    comparison = tmp_path / "cmp"
    assert main(["--quiet", "compare", str(a), str(b), "--out", str(comparison)]) == 0
    assert main(["--quiet", "compare", str(a), str(comparison)]) == 2  # a comparison is not a run
    assert "not a run folder of this tool" in capsys.readouterr().err


def tree(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` with its bytes, and every folder (as b'<dir>')."""
    return {str(x.relative_to(folder)): (x.read_bytes() if x.is_file() else b"<dir>")
            for x in sorted(folder.rglob("*"))}


def test_compare_refuses_an_out_that_is_or_is_inside_a_run_folder(pair: tuple[Path, Path], tmp_path: Path,
                                                                    capsys: pytest.CaptureFixture[str]):
    """--out A used to replace run folder A by the comparison; --out A/cmp was deleted by A's next run."""
    a, b = pair
    copy = tmp_path / "runs" / "quick_week"
    shutil.copytree(a, copy)
    before = tree(copy.parent)
    for out, needle in ((copy, "is a run folder of this tool"), (copy / "cmp", f"is inside the run folder {copy}"),
                        (copy / "deeper" / "cmp", f"is inside the run folder {copy}")):
        assert main(["--quiet", "compare", str(copy), str(b), "--out", str(out)]) == 2
        err = capsys.readouterr().err
        assert "Traceback" not in err and needle in err and f"{out}: --out: cannot hold the comparison" in err, err
        assert tree(copy.parent) == before
    users = tmp_path / "mine"
    users.mkdir()
    (users / "thesis.docx").write_bytes(b"years of work")
    assert main(["--quiet", "compare", str(copy), str(b), "--out", str(users)]) == 2
    assert "is not a comparison of this tool" in capsys.readouterr().err
    assert tree(users) == {"thesis.docx": b"years of work"}


def test_compare_replaces_only_an_earlier_comparison_or_an_empty_folder(pair: tuple[Path, Path], tmp_path: Path,
                                                                        capsys: pytest.CaptureFixture[str]):
    a, b = pair
    empty = tmp_path / "cmp"
    empty.mkdir()
    assert main(["--quiet", "compare", str(a), str(b), "--out", str(empty)]) == 0
    assert sorted(tree(empty)) == ["compare.html", "compare.xlsx", "manifest.json"]
    assert main(["--quiet", "compare", str(b), str(a), "--out", str(empty)]) == 0  # an earlier comparison: replaced
    assert json.loads((empty / "manifest.json").read_text(encoding="utf-8"))["runs"] == [str(b), str(a)]
    (empty / "notes.txt").write_text("mine", encoding="utf-8")
    before = tree(empty)
    assert main(["--quiet", "compare", str(a), str(b), "--out", str(empty)]) == 2
    err = capsys.readouterr().err
    assert "also holds notes.txt, which this tool did not write" in err
    assert tree(empty) == before


def test_compare_on_a_truncated_summary_is_exit_2(pair: tuple[Path, Path], tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]):
    """A summary.json cut short (with a matching checksum) was a JSON traceback and exit 1."""
    from energy_model.output.run_folder import sha256

    a, b = pair
    copy = tmp_path / "copy" / "quick_week"
    shutil.copytree(a, copy)
    summary = copy / "summary.json"
    summary.write_bytes(summary.read_bytes()[:500])
    manifest = json.loads((copy / "manifest.json").read_text(encoding="utf-8"))
    manifest["files"]["summary.json"] = sha256(summary)
    (copy / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    assert main(["--quiet", "compare", str(b), str(copy), "--out", str(tmp_path / "cmp")]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and "internal error" not in err
    line = next(x for x in err.splitlines() if "summary.json" in x)
    assert line.strip().startswith(f"{summary}: cannot be read as JSON (Unterminated string") and "truncated" in line
    assert not (tmp_path / "cmp").exists()
