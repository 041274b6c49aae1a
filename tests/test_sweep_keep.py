"""``keep: results``: each variant's full Results kept as ``variants/<id>.nc``, complete or absent, once per variant."""

from __future__ import annotations

import json

import pytest

from energy_model import vocabulary as n
from energy_model.errors import InputError
from energy_model.output.writers import open_netcdf
from energy_model.sweep import records
from energy_model.sweep.run import run_sweep
from tests.test_sweep import SWEEP
from tests.test_sweep_pathway import SWEEP as PATHWAY_SWEEP
from tests.test_sweep_pathway import pathway_project  # noqa: F401 - the fixture

KEEP = SWEEP + "keep: results\n"
#: Two variants of the tiny sweep, kept.
PAIR = KEEP.replace("mode: grid", "mode: list").replace("{start: 8000, stop: 12000, num: 2}", "[8000, 12000]")


def _records(vdir):
    return {p.stem: json.loads(p.read_text()) for p in vdir.glob("*.json")}


def _same_as_record(ds, rec):
    assert ds.attrs["objective_cny_per_yr"] == pytest.approx(rec["objective_cny_per_yr"], rel=1e-12)
    for g, v in ds["capacity_mw"].to_series().items():
        assert float(v) == pytest.approx(rec[f"capacity_mw.{g}"], rel=1e-12, abs=1e-12)


def test_kept_results_equal_the_records_and_the_manifest_says_so(project):
    table = run_sweep(project.scenario(KEEP, "tiny_sweep.yaml"), project.out)
    assert len(table) == 4 and set(table["status"]) == {"optimal"}
    vdir = project.out / "tiny_sweep" / "variants"
    recs = _records(vdir)
    assert sorted(p.name for p in vdir.glob("*.nc")) == sorted(f"{vid}.nc" for vid in recs)
    assert not [p for p in vdir.iterdir() if ".tmp-" in p.name]
    for vid, rec in recs.items():
        ds = open_netcdf(vdir / f"{vid}.nc")
        assert ds["dispatch_mw"].sizes == {n.TECH: 14, "time": 48}  # the full Results, hourly, not the record
        _same_as_record(ds, rec)
    manifest = json.loads((project.out / "tiny_sweep" / "manifest.json").read_text())
    assert manifest["keep"] == "results" and manifest["kept_files"] == ["variants/<variant>.nc"]


def test_without_keep_no_results_are_kept(project):
    run_sweep(project.scenario(SWEEP, "tiny_sweep.yaml"), project.out)
    vdir = project.out / "tiny_sweep" / "variants"
    assert len(list(vdir.glob("*.json"))) == 4 and not list(vdir.glob("*.nc"))
    manifest = json.loads((project.out / "tiny_sweep" / "manifest.json").read_text())
    assert manifest["keep"] is None and manifest["kept_files"] == []


@pytest.mark.parametrize("value", ["all", "true", "[results]"])
def test_a_bad_keep_value_is_an_input_error_and_writes_nothing(project, no_solver, value):
    sweep = project.scenario(SWEEP + f"keep: {value}\n", "tiny_sweep.yaml")
    with pytest.raises(InputError) as err:
        run_sweep(sweep, project.out)
    text = err.value.issues[0].format()
    assert text.startswith("tiny_sweep.yaml:8: keep: expected results (keep each variant's results as "
                           "variants/<id>.nc) or no keep key (keep only the records)"), text
    assert not project.out.exists()


def test_keep_on_a_dask_cluster_is_an_input_error_and_writes_nothing(project, no_solver):
    with pytest.raises(InputError) as err:
        run_sweep(project.scenario(KEEP, "tiny_sweep.yaml"), project.out, scheduler="local")
    assert err.value.issues[0].format().startswith("tiny_sweep.yaml:8: keep: keep: results runs on the local worker "
                                                   "pool")
    assert not project.out.exists()


def test_a_resumed_sweep_keeps_each_variants_results_once(project, monkeypatch):
    sweep = project.scenario(PAIR, "tiny_sweep.yaml")
    vdir = project.out / "tiny_sweep" / "variants"
    real_commit = records.commit

    def stop_at_second(folder, rec):  # killed after the second variant's results, before its record
        if list(folder.glob("*.json")):
            raise KeyboardInterrupt
        real_commit(folder, rec)

    monkeypatch.setattr(records, "commit", stop_at_second)
    with pytest.raises(KeyboardInterrupt):
        run_sweep(sweep, project.out)
    monkeypatch.setattr(records, "commit", real_commit)
    (first,) = [p.stem for p in vdir.glob("*.json")]
    assert len(list(vdir.glob("*.nc"))) == 2  # the second's results are complete, its record is not there
    stamp = (vdir / f"{first}.nc").stat().st_mtime_ns
    table = run_sweep(sweep, project.out)
    assert list(table["status"]) == ["optimal", "optimal"]
    recs = _records(vdir)
    assert sorted(p.name for p in vdir.iterdir()) == sorted([*(f"{v}.json" for v in recs), *(f"{v}.nc" for v in recs)])
    assert (vdir / f"{first}.nc").stat().st_mtime_ns == stamp  # the finished variant was not solved again
    for vid, rec in recs.items():
        _same_as_record(open_netcdf(vdir / f"{vid}.nc"), rec)


def test_keep_added_on_resume_solves_the_variants_without_results_again(project):
    run_sweep(project.scenario(PAIR.replace("keep: results\n", ""), "tiny_sweep.yaml"), project.out)
    vdir = project.out / "tiny_sweep" / "variants"
    assert not list(vdir.glob("*.nc"))
    run_sweep(project.scenario(PAIR, "tiny_sweep.yaml"), project.out)
    recs = _records(vdir)
    assert sorted(p.stem for p in vdir.glob("*.nc")) == sorted(recs)
    for vid, rec in recs.items():
        _same_as_record(open_netcdf(vdir / f"{vid}.nc"), rec)


def test_a_pathway_sweep_keeps_the_pathway_results_with_their_periods(pathway_project):  # noqa: F811
    proj = pathway_project
    table = run_sweep(proj.scenario(PATHWAY_SWEEP + "keep: results\ncase: both\nworkers: 2\n", "tiny_pathway_sweep.yaml"),
                      proj.out)
    assert list(table["status"]) == ["optimal", "optimal"]
    vdir = proj.out / "tiny_pathway_sweep" / "variants"
    for vid, rec in _records(vdir).items():
        for ending, prefix in ((".nc", ""), (".reference.nc", "reference.")):
            ds = open_netcdf(vdir / f"{vid}{ending}")
            assert float(ds["present_value_cny"]) == pytest.approx(rec[f"{prefix}present_value_cny"], rel=1e-12)
            for year in ds[n.PERIOD].values.astype(int):
                for g, v in ds["capacity_mw"].sel({n.PERIOD: year}).to_series().items():
                    assert float(v) == pytest.approx(rec[f"{prefix}capacity_mw.{g}.{year}"], rel=1e-12, abs=1e-12)


def test_a_failed_variant_keeps_no_results_and_is_not_solved_again(project):
    from energy_model.errors import PartialSweepError

    text = KEEP.replace("""  economics.carbon_price_cny_per_t: [0, 200]
  technologies.offshore_wind.capex_cny_per_kw: {start: 8000, stop: 12000, num: 2}""",
                        "  targets.wind_capacity.level: [6000, 100000]")
    sweep = project.scenario(text, "tiny_sweep.yaml")
    with pytest.raises(PartialSweepError):
        run_sweep(sweep, project.out)
    vdir = project.out / "tiny_sweep" / "variants"
    status = {vid: rec["status"] for vid, rec in _records(vdir).items()}
    assert sorted(status.values()) == ["infeasible", "optimal"]
    assert [p.stem for p in vdir.glob("*.nc")] == [v for v, s in status.items() if s == "optimal"]
    assert records.committed(vdir, records.kept_endings("enforced")) == set(status)  # a resume solves nothing
