"""Data safety and faults (issue 8, item 5): nothing of the user's is deleted or read by accident.

- a run replaces or writes into only folders its own manifests mark as runs (or sweeps) of this tool;
- a symbolic link under ``inputs_dir`` is confined like every other path, and no message quotes a file outside;
- disk full while writing sweep variants, ``sweep.csv`` or ``sweep.nc``: exit 7, no partial file, earlier files kept;
- pathologically nested YAML is an input error, quickly;
- a killed sweep worker costs one variant (exit 10 at worst); a killed sweep leaves no worker behind;
- a scenario whose demand nothing can serve is refused before solving;
- a leap-year horizon runs with real (CSV) weather; a leap day that the weather lacks is named;
- weather in the wrong units (kW/m2, km/h, knots, kelvin, Fahrenheit) is refused by its annual mean,
  unless ``weather.accept_implausible: true``.

Every case goes through the command line (``energy_model.cli.main.main``) and asserts the exit code, the
file and key in the message, no traceback and nothing written.
"""

from __future__ import annotations

import errno
import io
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
from conftest import BASE_YAML, PROJECT, TmpProject, demand_csv, weather_csv

from energy_model.cli.main import main
from energy_model.errors import OutputError
from energy_model.output.run_folder import MANIFEST, TOOL, publish, verify_run
from energy_model.sweep import records as sweep_mod
from energy_model.sweep import run as sweep_run

SCENARIO = "tiny_plan.yaml"
ALL_TECHNOLOGIES = ("onshore_wind, offshore_wind, utility_pv, rooftop_pv, coal_existing, coal_usc, gas_chp, ccgt_lng, "
                    "ocgt, biomass, gas_boiler, battery, grid_import, grid_export")
SWEEP = """\
name: tiny_sweep
scenario: tiny_plan.yaml
mode: grid
parameters:
  economics.carbon_price_cny_per_t: [0, 100, 200]
workers: 1
"""


def sub(old: str, new: str, text: str = BASE_YAML) -> str:
    assert text.count(old) == 1, old
    return text.replace(old, new)


def cli(*args: str) -> int:
    return main(["--quiet", *args])


def run(p: TmpProject, scenario: Path | None = None) -> int:
    return cli("run", str(scenario or p.root / "scenarios" / SCENARIO), "--out", str(p.out))


def tree(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` with its bytes, and every folder (as b'<dir>')."""
    return {str(x.relative_to(folder)): (x.read_bytes() if x.is_file() else b"<dir>")
            for x in sorted(folder.rglob("*"))}


def assert_clean_error(err: str, *needles: str) -> None:
    assert "Traceback" not in err, err
    for needle in needles:
        assert needle in err, f"{needle!r} not in:\n{err}"


# -- 1. a run never replaces or writes into a folder it did not create -------------------------------------


def users_folder(p: TmpProject, name: str = "tiny_plan", files: dict[str, str] | None = None) -> Path:
    folder = p.out / name
    folder.mkdir(parents=True)
    for fname, text in (files if files is not None else {"notes.txt": "my notes", "sub/data.csv": "a,b\n1,2\n"}).items():
        (folder / fname).parent.mkdir(parents=True, exist_ok=True)
        (folder / fname).write_text(text)
    return folder


@pytest.mark.parametrize("files", [{"notes.txt": "my notes", "sub/data.csv": "a,b\n1,2\n"}, {},
                                   {MANIFEST: '{"name": "my own manifest"}', "x.txt": "x"},
                                   {MANIFEST: "not json at all"}],
                         ids=["user-files", "empty-folder", "foreign-manifest", "broken-manifest"])
def test_run_refuses_a_folder_it_did_not_create(project: TmpProject, no_solver, capsys, files):
    folder = users_folder(project, files=files)
    before = tree(project.out)
    assert run(project) == 7
    err = capsys.readouterr().err
    assert_clean_error(err, str(folder), "left untouched", "--out")
    assert tree(project.out) == before  # no lock, no staging folder, nothing inside changed
    assert no_solver == []


@pytest.mark.parametrize("kind", ["file", "symlink"])
def test_run_refuses_a_file_or_link_at_the_run_folder_name(project: TmpProject, no_solver, capsys, kind):
    project.out.mkdir()
    target = project.root / "elsewhere"
    target.mkdir()
    (target / "keep.txt").write_text("keep")
    if kind == "file":
        (project.out / "tiny_plan").write_text("a file")
    else:
        (project.out / "tiny_plan").symlink_to(target, target_is_directory=True)
    assert run(project) == 7
    assert_clean_error(capsys.readouterr().err, "tiny_plan", "left untouched")
    assert (target / "keep.txt").read_text() == "keep"
    assert sorted(x.name for x in project.out.iterdir()) == ["tiny_plan"]


def test_run_replaces_a_run_folder_of_an_earlier_version(project: TmpProject):
    """A manifest without the marker but with scenario/input_hash/status is a run of this tool; the new run
    replaces the folder and marks its own manifest (a run replacing a marked run: test_faults)."""
    users_folder(project, files={MANIFEST: json.dumps({"scenario": "tiny_plan", "input_hash": "0" * 64,
                                                       "status": "optimal"}), "hourly.csv": "old\n"})
    assert run(project) == 0
    manifest = json.loads((project.out / "tiny_plan" / MANIFEST).read_text())
    assert manifest["tool"] == TOOL and manifest["kind"] == "run" and manifest["input_hash"] != "0" * 64
    verify_run(project.out / "tiny_plan")
    assert sorted(x.name for x in project.out.iterdir()) == ["tiny_plan"]


def test_publish_and_add_to_run_folder_refuse_a_users_folder(tmp_path: Path):
    from energy_model.api import add_to_run_folder

    out = tmp_path / "out"
    folder = out / "study"
    folder.mkdir(parents=True)
    (folder / "thesis.docx").write_bytes(b"years of work")
    writers = {"frontier.csv": lambda p: p.write_text("level,cost\n")}
    with pytest.raises(OutputError, match="did not create"):
        publish(out, "study", writers, {"scenario": "study"})
    with pytest.raises(OutputError, match="did not create"):
        add_to_run_folder(out, "study", writers, {"input_hash": "abc"})
    assert tree(out) == {"study": b"<dir>", "study/thesis.docx": b"years of work"}


def test_analysis_is_added_to_a_run_folder_of_this_tool(tmp_path: Path):
    from energy_model.api import add_to_run_folder

    out = tmp_path / "out"
    folder, _ = add_to_run_folder(out, "study", {"a.csv": lambda p: p.write_text("x\n")}, {"input_hash": "h"})
    assert json.loads((folder / MANIFEST).read_text())["tool"] == TOOL
    folder, note = add_to_run_folder(out, "study", {"b.csv": lambda p: p.write_text("y\n")}, {"input_hash": "h"})
    assert sorted(json.loads((folder / MANIFEST).read_text())["files"]) == ["a.csv", "b.csv"] and note == ""
    verify_run(folder)


def test_sweep_refuses_a_folder_it_did_not_create(project: TmpProject, no_solver, capsys):
    sweep = project.scenario(SWEEP, "tiny_sweep.yaml")
    folder = users_folder(project, "tiny_sweep")
    before = tree(project.out)
    assert cli("sweep", str(sweep), "--out", str(project.out)) == 7
    assert_clean_error(capsys.readouterr().err, str(folder), "left untouched")
    assert tree(project.out) == before  # no variants/ folder was made inside it
    assert no_solver == []


def test_sweep_and_run_do_not_replace_each_other(project: TmpProject, no_solver, capsys):
    """A run folder is not a sweep folder: a sweep named like a run stops with exit 7 (and vice versa)."""
    publish(project.out, "tiny_plan", {"a.csv": lambda p: p.write_text("x\n")}, {"scenario": "tiny_plan"})
    before = tree(project.out)
    sweep = project.scenario(SWEEP.replace("name: tiny_sweep", "name: tiny_plan"), "tiny_sweep.yaml")
    assert cli("sweep", str(sweep), "--out", str(project.out)) == 7
    assert_clean_error(capsys.readouterr().err, "holds a run of this tool, not a sweep")
    assert tree(project.out) == before
    swept = project.out / "tiny_sweep"
    swept.mkdir()
    (swept / MANIFEST).write_text(json.dumps({"tool": TOOL, "kind": "sweep", "sweep": "tiny_sweep"}))
    with pytest.raises(OutputError, match="holds a sweep of this tool, not a run"):
        publish(project.out, "tiny_sweep", {"a.csv": lambda p: p.write_text("x\n")}, {"scenario": "tiny_sweep"})
    assert sorted(x.name for x in swept.iterdir()) == [MANIFEST]


def test_resumed_sweep_of_an_earlier_version_is_accepted(project: TmpProject):
    """A sweep killed before it wrote a manifest (earlier versions wrote it only at the end) resumes."""
    sweep = project.scenario(SWEEP, "tiny_sweep.yaml")
    assert cli("sweep", str(sweep), "--out", str(project.out)) == 0
    folder = project.out / "tiny_sweep"
    for name in (MANIFEST, "sweep.csv", "sweep.nc", "sweep.html"):  # earlier versions wrote none of these
        (folder / name).unlink(missing_ok=True)
    first = min((folder / "variants").glob("*.json"))
    first.unlink()
    assert cli("sweep", str(sweep), "--out", str(project.out)) == 0
    assert json.loads((folder / MANIFEST).read_text())["kind"] == "sweep"
    assert first.is_file()


def analysis_files(p: TmpProject, published: Path) -> tuple[Path, dict[str, bytes]]:
    """A run of tiny_plan (``published``: conftest's copy), a frontier of it (same inputs) and a break-even stub
    made from other inputs."""
    from energy_model.api import add_to_run_folder

    verify_run(published)
    scenario = str(p.root / "scenarios" / SCENARIO)
    assert cli("frontier", scenario, "--target", "wind_capacity", "--levels", "6000", "6500", "--out", str(p.out)) == 0
    doc = {"parameter": "technologies.battery.capex_cny_per_kw", "target": "elsewhere", "status": "found"}
    add_to_run_folder(p.out, "tiny_plan", {"breakeven_x_elsewhere.json": lambda path: path.write_text(json.dumps(doc))},
                      {"command": "breakeven", "input_hash": "f" * 64})
    folder = p.out / "tiny_plan"
    return folder, {f: (folder / f).read_bytes() for f in ("frontier_wind_capacity.csv", "breakeven_x_elsewhere.json")}


def test_rerun_keeps_frontier_and_breakeven_files(project: TmpProject, published: Path, capsys):
    """A new run of a scenario used to drop the analyses made for its run folder without a word."""
    folder, files = analysis_files(project, published)
    capsys.readouterr()
    assert cli("run", str(project.root / "scenarios" / SCENARIO), "--out", str(project.out)) == 0
    out = capsys.readouterr().out
    for fname, data in files.items():
        assert (folder / fname).read_bytes() == data
    manifest = verify_run(folder)  # the carried files are listed with their checksums
    assert set(files) <= set(manifest["files"])
    assert manifest["analyses"]["frontier_wind_capacity.csv"]["target"] == "wind_capacity"
    assert "note" not in manifest["analyses"]["frontier_wind_capacity.csv"]
    assert "other inputs" in manifest["analyses"]["breakeven_x_elsewhere.json"]["note"]
    assert (f"Note: kept 2 analysis files of the earlier run in {folder}: breakeven_x_elsewhere.json, "
            "frontier_wind_capacity.csv; breakeven_x_elsewhere.json was made from other inputs") in out
    report = (folder / "report.html").read_text(encoding="utf-8")
    assert "Frontier: Wind capacity" in report and "frontier_wind_capacity.csv" in report  # same inputs: shown
    assert sorted(x.name for x in project.out.iterdir()) == ["tiny_plan"]


@pytest.mark.parametrize("entry", ["notes.txt", "cmp/compare.html"])
def test_run_refuses_to_delete_what_it_did_not_write_in_its_folder(project: TmpProject, no_solver, capsys, entry):
    """A user's file, or a comparison written into the run folder, used to vanish with the next run."""
    folder = publish(project.out, "tiny_plan", {"summary.json": lambda p: p.write_text("{}")},
                     {"scenario": "tiny_plan", "input_hash": "0" * 64, "status": "optimal"})
    (folder / entry).parent.mkdir(exist_ok=True)
    (folder / entry).write_text("mine")
    before = tree(project.out)
    assert run(project) == 7
    name = entry.split("/")[0] + ("/" if "/" in entry else "")
    assert_clean_error(capsys.readouterr().err, f"{folder} holds {name}, which this tool did not write there",
                       "left untouched", "move them out")
    assert tree(project.out) == before
    assert no_solver == []  # refused before anything was solved


def test_publish_refuses_to_delete_what_it_did_not_write(tmp_path: Path):
    out = tmp_path / "out"
    publish(out, "study", {"a.csv": lambda p: p.write_text("x\n")}, {"scenario": "study"})
    (out / "study" / "thesis.docx").write_bytes(b"years of work")
    before = tree(out)
    with pytest.raises(OutputError, match="holds thesis.docx, which this tool did not write there"):
        publish(out, "study", {"a.csv": lambda p: p.write_text("y\n")}, {"scenario": "study"})
    assert tree(out) == before


# -- 2. symbolic links under inputs_dir are confined --------------------------------------------------------

SECRET = "SECRET-LINE-outside-the-project"


@pytest.mark.parametrize("link", ["technologies.csv", "holidays.csv", "extra/folder"])
def test_symlink_under_inputs_leading_outside_is_refused(project: TmpProject, no_solver, capsys, tmp_path_factory,
                                                         link):
    outside = tmp_path_factory.mktemp("outside")
    secret = outside / "secret.csv"
    secret.write_text(f"{SECRET},x\n{SECRET},y\n")
    path = project.inputs / link
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists():
        path.unlink()
    path.symlink_to(outside if link.endswith("folder") else secret)
    for command in ("validate", "run"):
        args = [command, str(project.root / "scenarios" / SCENARIO)] + (["--out", str(project.out)]
                                                                        if command == "run" else [])
        assert cli(*args) == 2
        err = capsys.readouterr().err
        assert_clean_error(err, SCENARIO, f": inputs_dir: {link} is a symbolic link", "outside the project folder")
        assert SECRET not in err and str(outside) not in err
    assert not project.out.exists()


def test_symlink_to_etc_passwd_is_refused_without_echoing_it(project: TmpProject, no_solver, capsys):
    (project.inputs / "technologies.csv").unlink()
    (project.inputs / "technologies.csv").symlink_to("/etc/passwd")
    assert cli("validate", str(project.root / "scenarios" / SCENARIO)) == 2
    err = capsys.readouterr().err
    assert_clean_error(err, "technologies.csv", "outside the project folder")
    assert "root:" not in err and "/bin/" not in err


def test_symlink_loop_under_inputs_is_an_input_error(project: TmpProject, no_solver, capsys):
    (project.inputs / "loop").symlink_to(project.inputs / "loop")
    assert cli("validate", str(project.root / "scenarios" / SCENARIO)) == 2
    assert_clean_error(capsys.readouterr().err, "inputs_dir: loop", "cannot be resolved")


def test_runaway_inputs_tree_is_an_input_error(project: TmpProject, no_solver, monkeypatch, capsys):
    from energy_model.io import paths

    monkeypatch.setattr(paths, "MAX_TREE_ENTRIES", 5)
    assert cli("validate", str(project.root / "scenarios" / SCENARIO)) == 2
    assert_clean_error(capsys.readouterr().err, "inputs_dir: the inputs folder holds more than 5 entries")


def test_symlink_inside_the_project_is_followed(project: TmpProject, capsys):
    real = project.root / "data" / "technologies.csv"
    real.parent.mkdir()
    (project.inputs / "technologies.csv").rename(real)
    (project.inputs / "technologies.csv").symlink_to(real)
    assert cli("validate", str(project.root / "scenarios" / SCENARIO)) == 0


# -- 3. disk full while writing a sweep ---------------------------------------------------------------------


def no_space(path: Path) -> None:
    path.write_bytes(b"half a fi")
    raise OSError(errno.ENOSPC, "No space left on device", str(path))


def finished_sweep(p: TmpProject) -> tuple[Path, Path, dict[str, bytes]]:
    sweep = p.scenario(SWEEP, "tiny_sweep.yaml")
    assert cli("sweep", str(sweep), "--out", str(p.out)) == 0
    folder = p.out / "tiny_sweep"
    return sweep, folder, tree(folder)


def leftovers(folder: Path) -> list[str]:
    return sorted(str(x.relative_to(folder)) for x in folder.rglob("*") if ".tmp" in x.name)


@pytest.mark.parametrize("workers", [1, 2])
def test_disk_full_committing_a_variant(project: TmpProject, monkeypatch, capsys, workers):
    """ENOSPC while a (worker) process commits a variant: exit 7 naming the file, nothing partial, earlier files kept."""
    sweep, folder, before = finished_sweep(project)
    victims = sorted((folder / "variants").glob("*.json"))[:2]
    for v in victims:
        v.unlink()
    real = sweep_mod.write_json

    def full(data, path):
        if path.name.startswith(f".{victims[-1].name}"):
            no_space(path)
        real(data, path)

    monkeypatch.setattr(sweep_mod, "write_json", full)  # forked workers inherit it
    assert cli("sweep", str(sweep), "--out", str(project.out), "--workers", str(workers)) == 7
    err = capsys.readouterr().err
    assert_clean_error(err, f"disk full while writing {victims[-1]}", "run the sweep again to resume")
    assert leftovers(project.out) == []
    after = tree(folder)
    for name in ("sweep.csv", "sweep.nc", MANIFEST):
        assert after[name] == before[name]
    assert f"variants/{victims[-1].name}" not in after
    assert sorted(project.out.iterdir()) == [folder]  # lock released


@pytest.mark.parametrize("target", ["sweep.csv", "sweep.nc"])
def test_disk_full_writing_the_sweep_table(project: TmpProject, monkeypatch, capsys, target):
    sweep, folder, before = finished_sweep(project)
    min((folder / "variants").glob("*.json")).unlink()
    name = {"sweep.csv": "write_csv", "sweep.nc": "write_netcdf"}[target]
    monkeypatch.setattr(sweep_run, name, lambda obj, path, *a, **k: no_space(path))
    assert cli("sweep", str(sweep), "--out", str(project.out)) == 7
    written = {"sweep.csv": "", "sweep.nc": "sweep.csv was written; "}[target]
    assert_clean_error(capsys.readouterr().err, f"disk full while writing {folder / target}; {written}{target}, ")
    assert leftovers(project.out) == []
    after = tree(folder)
    for fname in (target, MANIFEST):
        assert after[fname] == before[fname]


def test_disk_full_writing_the_sweep_page_says_what_was_written(project: TmpProject, monkeypatch, capsys):
    """sweep.html is written last: its message used to say 'nothing was published' after the table and manifest."""
    from energy_model.output import sweep_report

    sweep, folder, before = finished_sweep(project)
    min((folder / "variants").glob("*.json")).unlink()
    real = sweep_report.write_atomic
    monkeypatch.setattr(sweep_report, "write_atomic", lambda path, write, after: real(path, no_space, after))
    assert cli("sweep", str(sweep), "--out", str(project.out)) == 7
    err = capsys.readouterr().err
    assert_clean_error(err, f"disk full while writing {folder / 'sweep.html'}; sweep.csv, sweep.nc, manifest.json "
                            "(marked complete) were written; sweep.html was not written (any earlier copy is unchanged)")
    assert "nothing was published" not in err
    assert leftovers(project.out) == []
    after = tree(folder)
    assert after["sweep.html"] == before["sweep.html"]
    assert json.loads(after[MANIFEST])["status"] == "complete"
    assert pd.read_csv(folder / "sweep.csv")["status"].tolist() == ["optimal"] * 3


# -- 4. pathological YAML ---------------------------------------------------------------------------------------


DEEP = {
    "flow-lists-1000": "a: " + "[" * 1000 + "]" * 1000 + "\n",
    "flow-lists-400000": "a: " + "[" * 400_000 + "]" * 400_000 + "\n",
    "flow-maps-5000": "a: " + "{a: " * 5000 + "1" + "}" * 5000 + "\n",
    "block-maps-200": "".join("  " * i + "a:\n" for i in range(200)) + "  " * 200 + "1\n",
    "unclosed-lists": "a: " + "[" * 300_000 + "\n",
}


@pytest.mark.parametrize("case", list(DEEP))
def test_deeply_nested_scenario_is_an_input_error(project: TmpProject, no_solver, capsys, case):
    scenario = project.scenario(BASE_YAML + DEEP[case])
    t0 = time.perf_counter()
    assert cli("validate", str(scenario)) == 2
    assert time.perf_counter() - t0 < 10
    err = capsys.readouterr().err
    assert_clean_error(err, SCENARIO)
    assert "nested more than 50 levels" in err or (case == "unclosed-lists" and "YAML syntax error" in err)


def test_deeply_nested_sweep_and_weather_parameter_files(project: TmpProject, no_solver, capsys):
    sweep = project.scenario(SWEEP + "x: " + "[" * 2000 + "]" * 2000 + "\n", "tiny_sweep.yaml")
    assert cli("sweep", str(sweep), "--out", str(project.out)) == 2
    assert_clean_error(capsys.readouterr().err, "tiny_sweep.yaml", "nested more than 50 levels")
    params = project.data("params.yaml", "solar: " + "{a: " * 3000 + "1" + "}" * 3000 + "\n")
    scenario = project.scenario(sub("  seed: 1\n", f"  seed: 1\n  synthetic_parameters: ../data/{params.name}\n"))
    assert cli("validate", str(scenario)) == 2
    assert_clean_error(capsys.readouterr().err, "params.yaml", "nested more than 50 levels")
    assert not project.out.exists()


# -- 5. killed sweep processes ------------------------------------------------------------------------------


def test_worker_killed_while_solving_costs_one_variant(project: TmpProject, monkeypatch, capsys):
    """A worker dies by SIGKILL in the middle of one variant: recorded as worker_died, the others are solved by a
    fresh worker, exit 10, no traceback; a resume solves that variant again."""
    from energy_model.engine.study import Study

    real = Study.solve

    def dies_at_100(self, *args, **kwargs):
        if self.get("economics.carbon_price_cny_per_t") == 100:
            os.kill(os.getpid(), signal.SIGKILL)
        return real(self, *args, **kwargs)

    monkeypatch.setattr(Study, "solve", dies_at_100)  # forked workers inherit it
    sweep = project.scenario(SWEEP.replace("[0, 100, 200]", "[0, 100, 200, 300]").replace("workers: 1", "workers: 2"),
                             "tiny_sweep.yaml")
    assert cli("sweep", str(sweep), "--out", str(project.out)) == 10
    assert_clean_error(capsys.readouterr().err, "1 of 4 variants failed")
    table = pd.read_csv(project.out / "tiny_sweep" / "sweep.csv", encoding="utf-8-sig")
    died = table[table["status"] == sweep_mod.WORKER_DIED]
    assert len(table) == 4 and list(died["param.economics.carbon_price_cny_per_t"]) == [100]
    assert "killed by SIGKILL" in died["message"].iloc[0]
    assert set(table["status"]) == {"optimal", sweep_mod.WORKER_DIED}
    assert leftovers(project.out) == []
    monkeypatch.setattr(Study, "solve", real)
    assert cli("sweep", str(sweep), "--out", str(project.out)) == 0  # the resume retries it


def test_workers_dying_while_building_give_up_their_variants(project: TmpProject, monkeypatch, capsys):
    """Every worker dies before solving anything: after two tries per chunk the variants are recorded as failed."""
    from energy_model.engine.study import Study

    main_pid, real = os.getpid(), Study.__init__

    def dies_in_workers(*args, **kwargs):
        if os.getpid() != main_pid:
            os.kill(os.getpid(), signal.SIGKILL)
        return real(*args, **kwargs)

    # workers get the validated case and build their model from it: they die while building
    monkeypatch.setattr(Study, "__init__", dies_in_workers)  # forked workers inherit it
    sweep = project.scenario(SWEEP.replace("workers: 1", "workers: 2"), "tiny_sweep.yaml")
    assert cli("sweep", str(sweep), "--out", str(project.out)) == 10
    assert_clean_error(capsys.readouterr().err, "3 of 3 variants failed")
    table = pd.read_csv(project.out / "tiny_sweep" / "sweep.csv", encoding="utf-8-sig")
    assert set(table["status"]) == {sweep_mod.WORKER_DIED}
    assert table["message"].str.contains("2 times while building the model").all()


def children(pid: int) -> list[int]:
    """Live (not zombie) child processes of ``pid`` (Linux /proc)."""
    out = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2:].split()
        if int(fields[1]) == pid and fields[0] != "Z":
            out.append(int(entry.name))
    return out


def alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat[stat.rindex(")") + 2:].split()[0] != "Z"


def start_sweep(p: TmpProject, values: int, session: bool = False) -> tuple[subprocess.Popen[str], list[int]]:
    prices = ", ".join(str(10 * i) for i in range(values))
    sweep = p.scenario(SWEEP.replace("[0, 100, 200]", f"[{prices}]").replace("workers: 1", "workers: 2"),
                       "tiny_sweep.yaml")
    proc = subprocess.Popen([sys.executable, str(PROJECT / "run.py"), "sweep", str(sweep), "--out", str(p.out)],
                            cwd=PROJECT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "PYTHONPATH": str(PROJECT)}, start_new_session=session)
    deadline = time.monotonic() + 60
    workers: list[int] = []
    while len(workers) < 2 and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.05)
        workers = children(proc.pid)
    assert len(workers) == 2, "the sweep did not start two workers"
    return proc, workers


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs Linux /proc")
def test_sigkill_to_a_real_worker_process(project: TmpProject):
    proc, workers = start_sweep(project, 10)
    vdir = project.out / "tiny_sweep" / "variants"
    deadline = time.monotonic() + 60
    while not list(vdir.glob("*.json")) and time.monotonic() < deadline:  # the workers are solving
        time.sleep(0.05)
    try:
        os.kill(workers[0], signal.SIGKILL)
    except ProcessLookupError:  # it had already finished its variants
        pass
    _, err = proc.communicate(timeout=120)
    assert proc.returncode in (0, 10), err
    assert "Traceback" not in err
    table = pd.read_csv(project.out / "tiny_sweep" / "sweep.csv", encoding="utf-8-sig")
    assert len(table) == 10
    assert set(table["status"]) <= {"optimal", sweep_mod.WORKER_DIED}
    assert (proc.returncode == 10) == (sweep_mod.WORKER_DIED in set(table["status"]))
    assert leftovers(project.out) == []


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs Linux /proc")
def test_killing_the_sweep_leaves_no_worker_behind(project: TmpProject):
    proc, workers = start_sweep(project, 40)
    time.sleep(1.0)  # building or solving
    proc.kill()
    proc.wait(timeout=10)
    deadline = time.monotonic() + 5
    while any(alive(w) for w in workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    left = [w for w in workers if alive(w)]
    for w in left:
        os.kill(w, signal.SIGKILL)
    assert left == [], "sweep workers outlived their main process by more than 5 s"


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs Linux /proc")
def test_sigint_stops_the_sweep_and_its_workers(project: TmpProject):
    """Ctrl-C on a terminal (SIGINT to the whole process group): the workers ignore it, the main process stops
    them and exits with 130, no traceback, no temporary file left."""
    proc, workers = start_sweep(project, 40, session=True)
    time.sleep(1.0)
    os.killpg(proc.pid, signal.SIGINT)
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 130, err
    assert "Traceback" not in err and "interrupted" in err
    assert not any(alive(w) for w in workers)
    assert leftovers(project.out) == [] and not (project.out / ".tiny_sweep.lock").exists()


# -- 6. demand that nothing can serve ---------------------------------------------------------------------


SUPPLIERS = ("onshore_wind", "offshore_wind", "utility_pv", "rooftop_pv", "coal_existing", "coal_usc", "gas_chp",
             "ccgt_lng", "ocgt", "biomass", "grid_import")


def excluding(*names: str) -> str:
    return f"exclude_technologies: [{', '.join(names)}]\n"


UNSERVEABLE = {
    "everything-excluded": (f"exclude_technologies: [{ALL_TECHNOLOGIES}]\n", "exclude_technologies",
                            "no technology is left that can generate or import electricity"),
    "only-storage-boiler-export": (excluding(*SUPPLIERS), "exclude_technologies",
                                   "no technology is left that can generate or import"),
    "import-below-peak": (excluding(*SUPPLIERS[:-1], "battery"), "exclude_technologies",
                          "is above the most that the technologies could deliver"),
    "all-capped-at-zero": ("overrides:\n" + "".join(f"  technologies.{t}.max_mw: 0\n  technologies.{t}.existing_mw: 0\n"
                                                     for t in SUPPLIERS),
                           "demand.annual_twh", "no technology is left that can generate or import"),
    "no-heat-supply": ("exclude_technologies: [gas_chp, gas_boiler]\n", "exclude_technologies",
                       "no CHP or boiler is left to serve the heat demand"),
}


@pytest.mark.parametrize("case", list(UNSERVEABLE))
def test_demand_nothing_can_serve_is_an_input_error(project: TmpProject, no_solver, capsys, case):
    extra, key, text = UNSERVEABLE[case]
    body = BASE_YAML.split("targets:")[0] + extra + "solver:\n  method: simplex\n"
    assert cli("run", str(project.scenario(body)), "--out", str(project.out)) == 2
    err = capsys.readouterr().err
    assert_clean_error(err, f"{SCENARIO}:", f": {key}: ", text, "nothing was solved or written")
    assert not project.out.exists()


def test_servable_exclusions_still_pass(project: TmpProject, capsys):
    body = BASE_YAML.split("targets:")[0] + "exclude_technologies: [ocgt, coal_usc, battery]\nsolver:\n  method: simplex\n"
    assert cli("validate", str(project.scenario(body))) == 0


# -- 7. a leap-year horizon -----------------------------------------------------------------------------------

LEAP = """\
name: leap
inputs_dir: ../inputs
weather:
  source: {source}
  years: [2020]
{files}horizon: {{start_hour: {start}, hours: {hours}}}
demand:
  file: ../data/{demand}
heat_demand:
  annual_twh: 3.0
solver:
  method: simplex
"""
CSV_FILES = "  files:\n    yancheng_coast: [../data/coast.csv]\n    yancheng_offshore: [../data/sea.csv]\n"
FEB28 = (31 + 27) * 24  # first hour of 28 February


def leap_project(p: TmpProject, hours: int, source: str = "csv", start: int = FEB28, keep_feb29: bool = True,
                 extra: str = "") -> Path:
    if source == "csv":
        p.data("coast.csv", weather_csv(2020, keep_feb29=keep_feb29))
        p.data("sea.csv", weather_csv(2020, keep_feb29=keep_feb29, longitude=121.0))
    stamp = "2020-01-01 00:00" if start == 0 else "2020-02-28 00:00"
    p.data("demand.csv", demand_csv(hours, start=stamp))
    text = LEAP.format(source=source, files=CSV_FILES if source == "csv" else "", start=start, hours=hours,
                       demand="demand.csv") + extra
    return p.scenario(text, "leap.yaml")


def test_leap_day_runs_with_csv_weather_and_matching_demand(project: TmpProject, capsys):
    scenario = leap_project(project, 72)
    assert cli("run", str(scenario), "--out", str(project.out)) == 0
    hourly = pd.read_csv(project.out / "leap" / "hourly.csv", encoding="utf-8-sig")
    stamps = pd.to_datetime(hourly["time_cst"])
    assert str(stamps.iloc[0]) == "2020-02-28 00:00:00" and str(stamps.iloc[-1]) == "2020-03-01 23:00:00"
    assert (stamps.dt.day == 29).sum() == 24
    expected = pd.read_csv(project.root / "data" / "demand.csv")["demand_mw"].to_numpy()
    assert hourly["demand_mw"].to_numpy() == pytest.approx(expected, abs=0.01)


def test_leap_year_of_8784_hours_validates(project: TmpProject, capsys):
    scenario = leap_project(project, 8784, start=0)
    assert cli("validate", str(scenario)) == 0
    assert "8,784 hours" in capsys.readouterr().out


def test_leap_day_demand_against_synthetic_weather_is_named(project: TmpProject, no_solver, capsys):
    """The synthetic year has no 29 February: a demand file with it used to be read one day out of step."""
    scenario = leap_project(project, 72, source="synthetic")
    assert cli("validate", str(scenario)) == 2
    assert_clean_error(capsys.readouterr().err, "demand.csv", "2020-02-29", "the weather has no 29 February")


def test_weather_csv_without_its_leap_day_is_named(project: TmpProject, no_solver, capsys):
    scenario = leap_project(project, 72, keep_feb29=False)
    assert cli("validate", str(scenario)) == 2
    assert_clean_error(capsys.readouterr().err, "coast.csv: time: 29 February 2020 is missing")


# -- 8. weather in the wrong units ----------------------------------------------------------------------------


def scaled_weather(column: str, factor: float, offset: float = 0.0, year: int = 2021, longitude: float = 120.45) -> str:
    frame = pd.read_csv(io.StringIO(weather_csv(year, longitude=longitude)), dtype={"time": str})
    frame[column] = frame[column] * factor + offset
    return frame.to_csv(index=False, float_format="%.4f")


UNITS = {
    "ghi-in-kw-per-m2": ("ghi", 0.001, 0.0, "irradiance in kW/m2?"),
    "wind-10-in-km-per-h": ("wind_speed_10", 3.6, 0.0, "km/h or knots?"),
    "wind-100-in-knots": ("wind_speed_100", 1.943844, 0.0, "km/h or knots?"),
    "temperature-in-kelvin": ("temp_air", 1.0, 273.15, "kelvin"),
    "temperature-in-fahrenheit": ("temp_air", 1.8, 32.0, "kelvin or degrees Fahrenheit?"),
}


@pytest.mark.parametrize("case", list(UNITS))
def test_weather_in_wrong_units_is_refused_by_its_annual_mean(project: TmpProject, no_solver, capsys, case):
    column, factor, offset, hint = UNITS[case]
    project.data("coast.csv", scaled_weather(column, factor, offset))
    project.data("sea.csv", weather_csv(longitude=121.0))
    scenario = project.scenario(sub("  source: synthetic\n", "  source: csv\n" + CSV_FILES))
    assert cli("validate", str(scenario)) == 2
    err = capsys.readouterr().err
    assert_clean_error(err, f"coast.csv: {column}: {column} annual mean", "outside the plausible range", hint,
                       "weather.accept_implausible")
    assert "sea.csv" not in err


@pytest.mark.parametrize("case", ["ghi-in-kw-per-m2", "wind-100-in-knots"])
def test_implausible_weather_accepted_on_request(project: TmpProject, capsys, case):
    column, factor, offset, _ = UNITS[case]
    project.data("coast.csv", scaled_weather(column, factor, offset))
    project.data("sea.csv", weather_csv(longitude=121.0))
    scenario = project.scenario(sub("  source: synthetic\n", "  source: csv\n" + CSV_FILES
                                    + "  accept_implausible: true\n"))
    assert cli("validate", str(scenario)) == 0


@pytest.mark.parametrize("shift_h", [1, -1])
def test_weather_shifted_by_one_hour_is_refused(project: TmpProject, no_solver, capsys, shift_h):
    """docs/reliability.md: shifted stamps are caught; one hour is enough (irradiance peak and night-time GHI)."""
    project.data("coast.csv", weather_csv(shift_h=shift_h))
    project.data("sea.csv", weather_csv(longitude=121.0))
    scenario = project.scenario(sub("  source: synthetic\n", "  source: csv\n" + CSV_FILES))
    assert cli("validate", str(scenario)) == 2
    err = capsys.readouterr().err
    assert_clean_error(err, "coast.csv: ghi: irradiance peaks around", f"{shift_h:+.1f} h from solar noon",
                       "wrong time zone")
    assert "sea.csv" not in err


def test_irradiance_with_the_sun_down_is_refused():
    from energy_model.weather.plausibility import check_night_irradiance

    idx = pd.date_range("2021-01-01", periods=8760, freq="h", tz="Asia/Shanghai")
    frame = pd.read_csv(io.StringIO(weather_csv()), dtype={"time": str})
    frame.index = idx
    assert check_night_irradiance(frame, "coast.csv", 33.35, 120.45) == []
    frame.loc[frame.index.hour == 2, "ghi"] = 50.0  # every night at 02:00
    [issue] = check_night_irradiance(frame, "coast.csv", 33.35, 120.45)
    assert issue.value == 365 and issue.key_path == "ghi"
    assert "in 365 hours when the sun is below the horizon (first 2021-01-01 02:00 +0800): time stamps shifted" \
        in issue.message


@pytest.mark.parametrize("column, mean_m_s", [("wind_speed_100", 5.5), ("wind_speed_10", 4.0)])
def test_calm_coastal_wind_in_knots_is_refused(project: TmpProject, no_solver, capsys, column, mean_m_s):
    """A calm onshore site in knots stays inside the general 1-12 m/s range; this coast's bound catches it."""
    frame = pd.read_csv(io.StringIO(weather_csv()), dtype={"time": str})
    frame["wind_speed_10"] = frame["wind_speed_10"] * 4.0 / 6.0
    frame["wind_speed_100"] = frame["wind_speed_100"] * 5.5 / 8.4
    frame[column] *= 1.943844  # m/s -> knots
    project.data("coast.csv", frame.to_csv(index=False, float_format="%.4f"))
    project.data("sea.csv", weather_csv(longitude=121.0))
    scenario = project.scenario(sub("  source: synthetic\n", "  source: csv\n" + CSV_FILES))
    assert cli("validate", str(scenario)) == 2
    err = capsys.readouterr().err
    knots = mean_m_s * 1.943844
    assert_clean_error(err, f"coast.csv: {column}: {column} annual mean {knots:.3g} m/s is above",
                       "an onshore site of this coast: looks like knots or km/h")
    assert "sea.csv" not in err
