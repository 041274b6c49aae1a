"""Writing a run's files stays quick: NetCDF without importing ``distributed``, the message catalogue via libyaml."""

from __future__ import annotations

import subprocess
import sys
from importlib import resources

import numpy as np
import pytest
import xarray as xr
import yaml

from energy_model.output import i18n
from energy_model.output.writers import open_netcdf, write_netcdf

PROBE = """
import sys
import numpy as np, xarray as xr
from energy_model.output.writers import write_netcdf
write_netcdf(xr.Dataset({"a": ("t", np.arange(3.0))}), sys.argv[1])
print("distributed" in sys.modules)
"""


def test_netcdf_write_does_not_import_distributed(tmp_path) -> None:
    path = tmp_path / "a.nc"
    done = subprocess.run([sys.executable, "-c", PROBE, str(path)], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"
    assert open_netcdf(path)["a"].values.tolist() == [0.0, 1.0, 2.0]


def test_scheduler_answer_is_xarrays(tmp_path) -> None:
    dask = pytest.importorskip("dask")
    from xarray.backends import locks, writers

    assert locks.get_dask_scheduler is writers.get_dask_scheduler
    assert locks.get_dask_scheduler() == "threaded"
    with dask.config.set(scheduler="synchronous"):  # a configured scheduler: xarray's own lookup answers
        assert locks.get_dask_scheduler() == "threaded"
        write_netcdf(xr.Dataset({"b": ("t", np.ones(2))}), tmp_path / "b.nc")
    assert open_netcdf(tmp_path / "b.nc")["b"].values.tolist() == [1.0, 1.0]


def test_catalogue_is_read_by_libyaml_with_the_same_result() -> None:
    if getattr(yaml, "__with_libyaml__", False):
        assert i18n._SafeLoader is yaml.CSafeLoader
    text = resources.files("energy_model.output").joinpath("messages.yaml").read_text(encoding="utf-8")
    assert yaml.load(text, Loader=i18n._SafeLoader) == yaml.safe_load(text)
    assert i18n.catalogue()["messages"]["score.timings"]["en"].startswith("Timings:")
