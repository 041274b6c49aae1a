"""Synthetic weather and capacity factors are computed once per process, and the cache changes no number.

Each cached result is compared bit for bit with a fresh computation; a
changed input (seed, years, a parameter, one plant value, one ulp of
weather) misses the cache; a caller that edits what it got does not edit
what the next caller gets.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from conftest import PROJECT

from energy_model.io.memo import ContentCache, frame_digest
from energy_model.profiles import assemble
from energy_model.profiles.plants import read_plants
from energy_model.weather import read_sites, synthetic
from energy_model.weather.synthetic_params import read_synthetic_parameters

INPUTS = PROJECT / "inputs"


@pytest.fixture(scope="module")
def tables():
    sites = read_sites(INPUTS / "sites.csv")
    pv, wind = read_plants(INPUTS / "pv_plants.csv", INPUTS / "wind_plants.csv")
    return sites, pv, wind, read_synthetic_parameters(INPUTS / "synthetic_weather.yaml")


def _same_weather(a: dict[str, pd.DataFrame], b: dict[str, pd.DataFrame]) -> None:
    assert list(a) == list(b)
    for site in a:
        assert a[site].index.equals(b[site].index) and str(a[site].index.tz) == "Asia/Shanghai"
        assert list(a[site].columns) == list(b[site].columns)
        np.testing.assert_array_equal(a[site].to_numpy(), b[site].to_numpy())  # bit-identical, NaN == NaN


def test_synthetic_weather_is_generated_once_and_bit_identical(tables):
    sites, _, _, params = tables
    synthetic._CACHE.clear()
    first = synthetic.synthetic_weather(sites, [2021, 2022], params, seed=3)
    second = synthetic.synthetic_weather(sites, [2021, 2022], params, seed=3)
    assert (synthetic._CACHE.misses, synthetic._CACHE.hits) == (1, 1)
    fresh = synthetic._generate(sites, [2021, 2022], params, seed=3)
    _same_weather(first, fresh)
    _same_weather(second, fresh)
    assert len(second["yancheng_coast"]) == 2 * 8760


def test_an_edited_copy_does_not_reach_the_next_caller(tables):
    sites, _, _, params = tables
    synthetic._CACHE.clear()
    got = synthetic.synthetic_weather(sites, [2021], params, seed=1)
    site = next(iter(got))
    before = float(got[site]["ghi"].iloc[12])
    assert before > 0  # noon, 1 January
    got[site]["ghi"] = -1.0
    again = synthetic.synthetic_weather(sites, [2021], params, seed=1)
    assert float(again[site]["ghi"].iloc[12]) == before
    assert synthetic._CACHE.hits == 1


def test_another_seed_year_or_parameter_misses(tables):
    sites, _, _, params = tables
    synthetic._CACHE.clear()
    base = synthetic.synthetic_weather(sites, [2021], params, seed=1)
    seed2 = synthetic.synthetic_weather(sites, [2021], params, seed=2)
    year = synthetic.synthetic_weather(sites, [2022], params, seed=1)
    windier = params.model_copy(deep=True)
    windier.surfaces["offshore"].mean_speed_100_m_s += 0.5
    more = synthetic.synthetic_weather(sites, [2021], windier, seed=1)
    assert (synthetic._CACHE.misses, synthetic._CACHE.hits) == (4, 0)
    site = "yancheng_coast"
    assert not np.array_equal(base[site]["ghi"].to_numpy(), seed2[site]["ghi"].to_numpy())
    assert year[site].index[0] == pd.Timestamp("2022-01-01 00:00", tz="Asia/Shanghai")
    offshore = sites.loc[sites["surface"] == "offshore", "site"].iloc[0]
    assert more[offshore]["wind_speed_100"].mean() > base[offshore]["wind_speed_100"].mean() + 0.4


def test_capacity_factors_are_computed_once_and_bit_identical(tables):
    sites, pv, wind, params = tables
    weather = synthetic.synthetic_weather(sites, [2021], params, seed=1)
    assemble._CACHE.clear()
    first = assemble.capacity_factors(weather, sites, pv, wind)
    first.values[:] = 2.0  # a caller's edit stays with the caller
    second = assemble.capacity_factors(weather, sites, pv, wind)
    assert (assemble._CACHE.misses, assemble._CACHE.hits) == (1, 1)
    fresh = assemble._compute(weather, sites, pv, wind)
    np.testing.assert_array_equal(second.values, fresh.values)
    assert list(second["profile"].values) == list(fresh["profile"].values)
    assert second["time"].attrs["timezone"] == "Asia/Shanghai" and second.attrs == fresh.attrs
    assert 0.0 <= float(second.min()) and float(second.max()) <= 1.0


def test_one_changed_plant_value_or_weather_ulp_misses(tables):
    sites, pv, wind, params = tables
    weather = synthetic.synthetic_weather(sites, [2021], params, seed=1)
    assemble._CACHE.clear()
    base = assemble.capacity_factors(weather, sites, pv, wind)
    bigger = wind.copy()
    bigger.loc[bigger.index[0], "hub_height_m"] = float(bigger.iloc[0]["hub_height_m"]) + 20.0
    taller = assemble.capacity_factors(weather, sites, pv, bigger)
    nudged = {s: f.copy() for s, f in weather.items()}
    site = str(wind.iloc[0]["site"])
    col = nudged[site]["wind_speed_100"].to_numpy().copy()
    col[100] = np.nextafter(col[100], np.inf)
    nudged[site]["wind_speed_100"] = col
    assemble.capacity_factors(nudged, sites, pv, wind)
    assert (assemble._CACHE.misses, assemble._CACHE.hits) == (3, 0)
    profile = str(wind.iloc[0]["profile"])
    assert float(taller.sel(profile=profile).mean()) > float(base.sel(profile=profile).mean())
    np.testing.assert_array_equal(taller.values, assemble._compute(weather, sites, pv, bigger).values)


def test_frame_digest_sees_every_bit_label_and_dtype():
    frame = pd.DataFrame({"a": [1.0, 2.0], "b": ["x", "y"]}, index=pd.Index([10, 20]))
    same = pd.DataFrame({"a": [1.0, 2.0], "b": ["x", "y"]}, index=pd.Index([10, 20]))
    assert frame_digest(frame) == frame_digest(same)
    ulp = frame.copy()
    ulp.loc[20, "a"] = np.nextafter(2.0, 3.0)
    renamed = frame.rename(columns={"b": "c"})
    as_int = frame.assign(a=[1, 2])
    reindexed = frame.set_axis([10, 21])
    text = frame.assign(b=["x", "z"])
    digests = {frame_digest(f) for f in (frame, ulp, renamed, as_int, reindexed, text)}
    assert len(digests) == 6


def test_content_cache_keeps_the_most_recent_and_stores_nothing_on_error():
    cache: ContentCache[list[int]] = ContentCache(maxsize=2)
    assert cache.get("a", lambda: [1]) == [1]
    assert cache.get("b", lambda: [2]) == [2]
    assert cache.get("a", lambda: [0]) == [1]  # hit: "b" is now the oldest
    assert cache.get("c", lambda: [3]) == [3]  # "b" goes
    assert cache.get("b", lambda: [20]) == [20]

    def boom() -> list[int]:
        raise ValueError("bad input")

    with pytest.raises(ValueError, match="bad input"):
        cache.get("d", boom)
    assert cache.get("d", lambda: [4]) == [4]
    assert (cache.hits, cache.misses) == (1, 5)


def test_clear_caches_empties_every_cache(tables):
    from energy_model.io.memo import clear_caches

    sites, pv, wind, params = tables
    weather = synthetic.synthetic_weather(sites, [2021], params, seed=1)
    assemble.capacity_factors(weather, sites, pv, wind)
    mine: ContentCache[int] = ContentCache()
    mine.get("k", lambda: 1)
    clear_caches()
    assert mine.get("k", lambda: 2) == 2
    synthetic._CACHE.hits = assemble._CACHE.hits = 0
    synthetic.synthetic_weather(sites, [2021], params, seed=1)
    assemble.capacity_factors(weather, sites, pv, wind)
    assert (synthetic._CACHE.hits, assemble._CACHE.hits) == (0, 0)  # computed afresh
