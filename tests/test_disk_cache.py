"""Weather, capacity factors and typical days are kept between runs on disk, and the cache changes no number.

Each kept result read back is bit-identical to the computed one (values,
dtypes, index with its time zone and frequency, coordinates, attributes);
another input, other code or another library version is another file; a
damaged file is computed again; ``ENERGY_MODEL_CACHE=off`` keeps nothing.
The folder is a temporary one here (``ENERGY_MODEL_CACHE``).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from conftest import PROJECT

from energy_model.inputs import aggregate
from energy_model.inputs.load import load_case
from energy_model.io import disk_cache
from energy_model.io.memo import ContentCache, clear_caches, frame_digest
from energy_model.profiles import assemble
from energy_model.profiles.plants import read_plants
from energy_model.weather import read_sites, synthetic
from energy_model.weather.synthetic_params import read_synthetic_parameters

INPUTS = PROJECT / "inputs"


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv(disk_cache.ENV, str(tmp_path / "cache"))
    clear_caches()
    aggregate._CACHE.clear()
    yield tmp_path / "cache"
    clear_caches()
    aggregate._CACHE.clear()


def _weather() -> tuple:
    sites = read_sites(INPUTS / "sites.csv")
    pv, wind = read_plants(INPUTS / "pv_plants.csv", INPUTS / "wind_plants.csv")
    return sites, pv, wind, read_synthetic_parameters(INPUTS / "synthetic_weather.yaml")


def _refuse(*args: object, **kwargs: object) -> None:
    raise AssertionError("computed although kept on disk")


def test_weather_and_capacity_factors_come_back_bit_identical(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    sites, pv, wind, params = _weather()
    weather = synthetic.synthetic_weather(sites, [2021], params, seed=1)
    cf = assemble.capacity_factors(weather, sites, pv, wind)
    assert sorted(p.name.split("-")[0] for p in folder.glob("*.npz")) == ["capacity_factors", "weather"]
    clear_caches()  # a new process: nothing in memory
    monkeypatch.setattr(synthetic, "_generate", _refuse)
    monkeypatch.setattr(assemble, "_compute", _refuse)
    again = synthetic.synthetic_weather(sites, [2021], params, seed=1)
    assert list(again) == list(weather)
    for site, frame in weather.items():
        assert frame_digest(again[site]) == frame_digest(frame)  # labels, dtypes, index (tz, freq), bits
        assert again[site].index.freqstr == frame.index.freqstr and str(again[site].index.dtype) == str(frame.index.dtype)
    cf_again = assemble.capacity_factors(again, sites, pv, wind)
    assert cf_again.identical(cf) and list(cf_again.coords) == list(cf.coords)
    assert cf_again["time"].attrs == cf["time"].attrs and cf_again.dtype == cf.dtype
    # another seed is another file: computed (and refused here)
    with pytest.raises(AssertionError, match="computed although kept"):
        synthetic.synthetic_weather(sites, [2021], params, seed=2)


def test_typical_days_come_back_and_assemble_the_same_inputs(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    case = load_case(PROJECT / "scenarios" / "plan_year_typical_days.yaml")
    first = aggregate.time_structure(case)
    assert len(list(folder.glob("time_structure-*.npz"))) == 1
    aggregate._CACHE.clear()
    monkeypatch.setattr(aggregate, "_typical_days", _refuse)
    again = aggregate.time_structure(case)
    assert again.method == first.method and again.extremes == first.extremes and again.scale == first.scale
    for name in aggregate._ARRAYS:
        a, b = getattr(again, name), getattr(first, name)
        assert a.dtype == b.dtype and np.array_equal(a, b), name


def test_other_code_or_versions_are_other_files(folder: Path) -> None:
    layer = disk_cache.DiskLayer("x", lambda v: ({"v": np.asarray(v)}, {}), lambda a, h: a["v"],
                                 modules=("energy_model.io.memo",), packages=("numpy",))
    other_code = disk_cache.DiskLayer("x", layer.encode, layer.decode, modules=("energy_model.io.changes",),
                                      packages=("numpy",))
    other_lib = disk_cache.DiskLayer("x", layer.encode, layer.decode, modules=("energy_model.io.memo",),
                                     packages=("numpy", "pandas"))
    paths = {layer.path("k"), other_code.path("k"), other_lib.path("k"), layer.path("k2")}
    assert len(paths) == 4
    layer.save("k", [1.0, 2.0])
    assert layer.load("k").tolist() == [1.0, 2.0] and other_code.load("k") is None
    path = layer.path("k")
    assert path is not None
    path.write_bytes(b"not a zip file")  # damaged: computed again, no error
    cache: ContentCache[object] = ContentCache(disk=layer)
    assert cache.get("k", lambda: np.asarray([3.0])).tolist() == [3.0]
    assert layer.load("k").tolist() == [3.0]


def test_off_keeps_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(disk_cache.ENV, "off")
    assert disk_cache.cache_folder() is None
    layer = disk_cache.DiskLayer("x", lambda v: ({"v": np.asarray(v)}, {}), lambda a, h: a["v"], (), ())
    layer.save("k", [1.0])
    assert layer.load("k") is None
    monkeypatch.delenv(disk_cache.ENV)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert disk_cache.cache_folder() == tmp_path / "xdg" / "energy_model"
