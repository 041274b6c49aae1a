"""Security items (reliability.md S-xx): untrusted scenario folders cannot run code, read or write
outside the project, steer the solver into writing files, or inject markup or spreadsheet formulas."""

from __future__ import annotations

import os
import re
import time
from pathlib import Path

import pandas as pd
import pytest
from conftest import BASE_YAML, PROJECT, TmpProject

from energy_model.cli import main as cli
from energy_model.engine.highs import _options
from energy_model.errors import InputError
from energy_model.inputs.load import build_model_inputs
from energy_model.io.scenario_file import load_scenario
from energy_model.io.schema import SolverSpec
from energy_model.output.run_folder import write_csv

PACKAGE = PROJECT / "energy_model"
SOURCES = sorted(PACKAGE.rglob("*.py"))


def sub(old: str, new: str, text: str = BASE_YAML) -> str:
    assert text.count(old) == 1, old
    return text.replace(old, new)


# -- S-01, S-03, S-04: no unsafe deserialisation or evaluation of user data -------------------------

UNSAFE = {
    r"\byaml\.(unsafe_load|full_load)\(": "unsafe YAML loader",
    r"Loader\s*=\s*yaml\.(Loader|FullLoader|UnsafeLoader)": "unsafe YAML loader",
    r"\bpickle\.loads?\(|\bdill\.|\bjoblib\.load\(|read_pickle\(": "pickle-family load",
    r"allow_pickle\s*=\s*True": "numpy pickle load",
    r"(?<![\w.])eval\(|(?<![\w.])exec\(|pd\.eval\(|\.query\(": "eval on strings",
}


@pytest.mark.parametrize("pattern", list(UNSAFE), ids=list(UNSAFE.values()))
def test_no_unsafe_loading_or_eval_in_the_package(pattern):
    hits = [f"{p.relative_to(PROJECT)}:{i}" for p in SOURCES
            for i, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
            if re.search(pattern, line) and not line.lstrip().startswith("#")]
    assert hits == []


def test_every_yaml_load_uses_the_safe_loader():
    for p in SOURCES:
        for line in p.read_text(encoding="utf-8").splitlines():
            if re.search(r"\byaml\.load\(", line):
                assert "SafeLoader" in line, f"{p.name}: {line.strip()}"


def test_python_tag_refused_without_side_effect(project: TmpProject):
    marker = project.root / "pwned"
    text = BASE_YAML + f'description: !!python/object/apply:os.system ["touch {marker}"]\n'
    with pytest.raises(InputError) as info:
        load_scenario(project.scenario(text))
    assert "tags" in info.value.format()
    assert not marker.exists()


@pytest.mark.parametrize("tag", ["!!python/name:os.system", "!!python/object:collections.OrderedDict {}",
                                 "!!binary aGVsbG8=", "!custom value"])
def test_other_tags_refused(project: TmpProject, tag: str):
    with pytest.raises(InputError):
        load_scenario(project.scenario(BASE_YAML + f"description: {tag}\n"))


def test_alias_bomb_refused_quickly(project: TmpProject):
    """Nine levels of nine aliases (9**9 nodes once expanded) are refused in well under a second."""
    bomb = "name: bomb\na0: &a0 [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]\n" for i in range(1, 10))
    t0 = time.perf_counter()
    with pytest.raises(InputError) as info:
        load_scenario(project.scenario(bomb))
    assert time.perf_counter() - t0 < 1.0
    assert "aliases" in info.value.format()


# -- S-05, S-06: every path field confined to the project, no URLs ------------------------------------

ESCAPES = ["../../etc/passwd", "/etc/passwd", "../../../../../../etc/passwd", "http://127.0.0.1:8000/x.csv",
           "https://example.org/x.csv", "s3://bucket/x.nc", "file:///etc/passwd", "//server/share/x.csv"]
FIELDS = {
    "inputs_dir": lambda v: sub("inputs_dir: ../inputs", f"inputs_dir: '{v}'"),
    "demand.file": lambda v: sub("  annual_twh: 38.0\n", f"  file: '{v}'\n"),
    "weather.files (csv)": lambda v: sub("  source: synthetic\n",
                                         f"  source: csv\n  files:\n    yancheng_coast: ['{v}']\n"
                                         "    yancheng_offshore: ['{v}']\n"),
    "weather.files (era5)": lambda v: sub("  source: synthetic\n", f"  source: era5\n  files: ['{v}']\n"),
    "weather.synthetic_parameters": lambda v: sub("  seed: 1\n", f"  seed: 1\n  synthetic_parameters: '{v}'\n"),
    "base": lambda v: BASE_YAML + f"base: '{v}'\n",
}


@pytest.mark.parametrize("value", ESCAPES)
@pytest.mark.parametrize("field", list(FIELDS))
def test_path_fields_are_confined(project: TmpProject, no_solver, field: str, value: str):
    key = field.split(" ")[0]
    with pytest.raises(InputError) as info:
        build_model_inputs(project.scenario(FIELDS[field](value)))
    assert any(i.key_path.startswith(key) for i in info.value.issues), info.value.format()
    assert re.search("URL|leaves the project|inside the project", info.value.format())


def test_symlink_escaping_the_project_is_refused(project: TmpProject, no_solver):
    outside = project.root.parent / f"outside-{os.getpid()}.csv"
    outside.write_text("time,demand_mw\n")
    link = project.root / "data" / "demand.csv"
    link.parent.mkdir()
    link.symlink_to(outside)
    try:
        with pytest.raises(InputError) as info:
            build_model_inputs(project.scenario(sub("  annual_twh: 38.0\n", "  file: ../data/demand.csv\n")))
        assert info.value.issues[0].key_path == "demand.file"
    finally:
        outside.unlink()


def test_scenario_name_cannot_become_a_path(project: TmpProject, no_solver):
    for bad in ("../../x", "CON", "a/b", "x" * 65):
        with pytest.raises(InputError) as info:
            load_scenario(project.scenario(sub("name: tiny_plan", f"name: '{bad}'")))
        assert info.value.issues[0].key_path == "name"


def test_error_messages_name_files_not_machine_paths(project: TmpProject, no_solver, capsys):
    project.edit_csv("technologies.csv", ",0.455,", ",45.5,")
    assert cli.main(["--quiet", "run", str(project.root / "scenarios" / "tiny_plan.yaml"),
                     "--out", str(project.out)]) == 2
    err = capsys.readouterr().err
    assert "technologies.csv" in err and str(project.root) not in err


# -- S-13: solver options only from the allowlist --------------------------------------------------------

FILE_OPTIONS = ["log_file", "solution_file", "write_solution_to_file", "write_model_file", "write_model_to_file",
                "write_iis_model_file", "options_file", "read_solution_file", "read_basis_file", "write_basis_file"]


@pytest.mark.parametrize("option", FILE_OPTIONS)
def test_file_writing_solver_options_rejected(project: TmpProject, no_solver, option: str):
    text = sub("  time_limit_s: 60\n", f"  time_limit_s: 60\n  {option}: ../../pwned\n")
    with pytest.raises(InputError) as info:
        load_scenario(project.scenario(text))
    assert info.value.issues[0].key_path == f"solver.{option}"
    assert "unknown key" in info.value.issues[0].message


def test_solver_spec_is_an_allowlist():
    allowed = {"method", "time_limit_s", "threads", "presolve", "primal_feasibility_tolerance",
               "dual_feasibility_tolerance", "ipm_optimality_tolerance", "simplex_iteration_limit", "random_seed",
               "log_to_console", "crossover", "split_dense_columns", "warm_start"}
    assert set(SolverSpec.model_fields) == allowed
    assert SolverSpec.model_config.get("extra") == "forbid"
    for method in ("simplex", "hipo"):
        sent = set(_options(SolverSpec(simplex_iteration_limit=5), method))
        assert not sent & set(FILE_OPTIONS), sent
        assert not any("file" in k for k in sent)


# -- S-09, S-10: HTML autoescaping and CSV formula injection ----------------------------------------------

SCRIPT = "<script>alert(1)</script>"
FORMULA = "=cmd|' /C calc'!A0"


def test_report_and_csv_exports_are_safe(project: TmpProject):
    text = sub('title: "Two January days"', f'title: "{SCRIPT}"')
    text = sub('label: "Wind capacity 6 GW"', f'label: "{FORMULA} {SCRIPT}"', text)
    text = text + 'description: "\\"><img src=x onerror=alert(2)>"\n'
    scenario = project.scenario(text)
    assert cli.main(["--quiet", "run", str(scenario), "--out", str(project.out)]) == 0
    folder = project.out / "tiny_plan"
    html = (folder / "report.html").read_text(encoding="utf-8")
    assert SCRIPT not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    targets = (folder / "targets.csv").read_text(encoding="utf-8")
    assert f",{FORMULA}" not in targets and "'=cmd" in targets
    frame = pd.read_csv(folder / "targets.csv")
    assert not frame["label"].astype(str).str.match(r"^[=+\-@]").any()


@pytest.mark.parametrize("cell", [FORMULA, "+SUM(A1:A9)", "-2+3+cmd|' /C calc'!A0", "@SUM(1+1)",
                                  "\t=1+1", "=HYPERLINK(\"http://x\",\"y\")"])
def test_formula_cells_neutralised(tmp_path: Path, cell: str):
    write_csv(pd.DataFrame({"name": [cell], "value": [-12.5]}), tmp_path / "x.csv", index=False)
    back = pd.read_csv(tmp_path / "x.csv", dtype={"name": str})
    assert back["name"].iloc[0].startswith("'")
    assert back["value"].iloc[0] == -12.5  # numbers are never touched


def test_numeric_looking_text_and_index_kept(tmp_path: Path):
    frame = pd.DataFrame({"v": ["-12.5", "+3", "1e3"]}, index=pd.Index(["=evil", "ok", "-1"], name="id"))
    write_csv(frame, tmp_path / "y.csv")
    back = pd.read_csv(tmp_path / "y.csv", dtype=str)
    assert list(back["v"]) == ["-12.5", "+3", "1e3"]
    assert list(back["id"]) == ["'=evil", "ok", "-1"]


# -- S-12: no Dask cluster is started by the tool ----------------------------------------------------------


def test_no_network_cluster_is_started_by_the_package():
    """Only the opt-in Dask runner starts a cluster, and only on 127.0.0.1; nothing else listens on a socket.

    (``sweep/dask_pool.py``: ``--scheduler local`` starts a LocalCluster bound to 127.0.0.1; ``--scheduler
    tcp://...`` connects to a cluster the user runs. Its behaviour is tested in test_sweep_dask.py.)
    """
    for p in SOURCES:
        text = p.read_text(encoding="utf-8")
        assert not re.search(r"\.bind\(|0\.0\.0\.0", text), p.name
        if p.name == "dask_pool.py":
            clusters = re.findall(r"LocalCluster\((.*?)\)\n", text, flags=re.S)
            assert clusters and all('host="127.0.0.1"' in c for c in clusters), "LocalCluster not on 127.0.0.1"
            continue
        assert not re.search(r"LocalCluster\(|distributed\.Client\(", text), p.name
