"""Default profiles: contract, calibration against published full-load hours, offline."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from weather_fixtures import WARNING_FILTERS, sockets_blocked

from energy_model.cli.profiles import print_calibration_table
from energy_model.profiles import capacity_factors, default_profiles, read_plants
from energy_model.weather import WeatherSpec, load_weather, read_sites

pytestmark = [pytest.mark.filterwarnings(f) for f in WARNING_FILTERS]

INPUTS = Path(__file__).resolve().parents[1] / "inputs"
#: Published Jiangsu full-load hours (inputs/sources.csv) [h/yr].
PUBLISHED = {"offshore_wind": 2800.0, "onshore_wind": 2200.0, "utility_pv": 1150.0, "rooftop_pv": 1050.0}


@pytest.fixture(scope="module")
def cf():
    return default_profiles()


def test_contract(cf):
    assert cf.name == "capacity_factor" and cf.dims == ("profile", "time")
    assert cf.attrs["units"] == "1"
    assert sorted(cf["profile"].values.tolist()) == sorted(PUBLISHED)
    assert cf.sizes["time"] == 8760
    assert cf["time"].dtype.kind == "M" and cf["time"].attrs["timezone"] == "Asia/Shanghai"
    assert str(cf["time"].values[0]) .startswith("2020-01-01T00:00")
    assert float(cf.min()) >= 0.0 and float(cf.max()) <= 1.0 and not np.isnan(cf.values).any()
    a = default_profiles()
    a[:] = 0.0  # callers get a copy, not the cache
    assert float(default_profiles().sum()) > 0


@pytest.mark.parametrize("profile", sorted(PUBLISHED))
def test_full_load_hours_within_10_percent(cf, profile):
    flh = float(cf.sel(profile=profile).mean()) * 8760.0
    assert flh == pytest.approx(PUBLISHED[profile], rel=0.10)


def test_monthly_patterns(cf):
    m = cf.groupby("time.month").mean()
    for wind in ("onshore_wind", "offshore_wind"):
        w = m.sel(profile=wind)
        assert float(w.sel(month=[12, 1, 2]).mean()) > 1.25 * float(w.sel(month=[7, 8]).mean())
        assert int(w.idxmax("month")) in (12, 1, 2)
    for pv in ("utility_pv", "rooftop_pv"):
        p = m.sel(profile=pv)
        assert float(p.sel(month=[4, 5, 6, 7]).mean()) > 1.3 * float(p.sel(month=[11, 12, 1]).mean())
        assert int(p.idxmax("month")) in (4, 5, 6, 7, 8, 9)
    # PV is zero at night; offshore beats onshore every month
    night = cf.sel(profile="utility_pv").where(cf["time"].dt.hour.isin([0, 1, 2, 3, 22, 23]), drop=True)
    assert float(night.max()) == 0.0
    assert (m.sel(profile="offshore_wind") > m.sel(profile="onshore_wind")).all()


def test_three_years_interannual_spread():
    cf3 = default_profiles(years=[2019, 2020, 2021])
    assert cf3.sizes["time"] == 3 * 8760
    flh = cf3.groupby("time.year").mean() * 8760
    wind = flh.sel(profile="offshore_wind").values
    assert np.ptp(wind) / wind.mean() > 0.02          # years differ ...
    assert np.all(np.abs(wind / 2800 - 1) < 0.2)      # ... within a realistic band


def test_pipeline_runs_with_sockets_blocked():
    with sockets_blocked() as attempts:
        sites = read_sites(INPUTS / "sites.csv")
        pv, wind = read_plants(INPUTS / "pv_plants.csv", INPUTS / "wind_plants.csv")
        weather = load_weather(WeatherSpec(years=[2021], seed=3), sites, INPUTS)
        out = capacity_factors(weather, sites, pv, wind)
    assert attempts == []
    assert out.sizes["profile"] == 4 and float(out.mean()) > 0.1


def test_calibration_table_printed():
    buf = io.StringIO()
    table = print_calibration_table(file=buf)
    text = buf.getvalue()
    for name in PUBLISHED:
        assert name in text
    assert "Jan" in text and "target h" in text
    assert (table["deviation_pct"].abs() < 10).all()
