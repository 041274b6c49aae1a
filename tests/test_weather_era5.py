"""ERA5 NetCDF reader: round trips on files written here, and every bad-input case."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pvlib
import pytest
from weather_fixtures import (
    ONSHORE,
    WARNING_FILTERS,
    era5_dataset,
    sites_frame,
    true_ghi,
    write_era5_legacy,
    write_era5_new,
    year_utc_stamps,
)

from energy_model.errors import InputError
from energy_model.weather import COLUMNS, WeatherSpec, load_weather

pytestmark = [pytest.mark.filterwarnings(f) for f in WARNING_FILTERS]

YEAR = 2021


@pytest.fixture(scope="module")
def full_year_ds():
    return era5_dataset(year_utc_stamps(YEAR), gradient=0.2)


def _load(tmp_path, files, sites=None, **kw):
    spec = WeatherSpec(source="era5", years=[YEAR], files=[f.name for f in files], **kw)
    return load_weather(spec, sites if sites is not None else sites_frame(), tmp_path)


def _issues(err: pytest.ExceptionInfo) -> str:
    return "\n".join(i.format() for i in err.value.issues)


@pytest.mark.parametrize("layout", ["new_zip", "new_files", "legacy_int16"])
def test_round_trip_ghi_and_labels(tmp_path, full_year_ds, layout):
    ds = full_year_ds
    if layout == "new_zip":
        files = write_era5_new(ds, tmp_path)
    elif layout == "new_files":
        files = write_era5_new(ds, tmp_path, zip_name=None)
    else:
        files = [write_era5_legacy(ds, tmp_path / "legacy.nc")]
    sites = sites_frame([("coast", 33.5, 120.5, 3.0, "onshore", 0.05)])  # on a grid node
    out = _load(tmp_path, files, sites)["coast"]
    assert list(out.columns) == list(COLUMNS)
    assert len(out) == 8760
    assert str(out.index.tz) == "Asia/Shanghai"
    assert out.index[0] == pd.Timestamp(f"{YEAR}-01-01 00:00", tz="Asia/Shanghai")
    truth = true_ghi(out.index.tz_convert("UTC"), *ONSHORE)
    assert np.max(np.abs(out["ghi"].to_numpy() - truth.to_numpy())) < 0.1  # W/m2
    # diurnal peak within 1 h of local solar noon (hour centre = label + 30 min)
    mean_by_hour = out["ghi"].groupby(out.index.hour).mean()
    peak_centre = mean_by_hour.idxmax() + 0.5
    noon = pvlib.solarposition.sun_rise_set_transit_spa(
        pd.DatetimeIndex([pd.Timestamp(f"{YEAR}-06-21", tz="Asia/Shanghai")]), 33.5, 120.5)["transit"].iloc[0]
    assert abs(peak_centre - (noon.hour + noon.minute / 60)) <= 1.0
    # units: K -> degC, Pa kept, speeds from components
    assert out["temp_air"].mean() == pytest.approx(15.0, abs=0.3)
    assert out["pressure"].iloc[0] == pytest.approx(101000.0, abs=5)
    assert out["wind_speed_10"].min() > 3.0
    # fdir is horizontal direct: dhi = ghi - bhi = 0.4 ghi (where the sun is up)
    day = out["ghi"] > 200
    assert np.allclose(out.loc[day, "dhi"], 0.4 * out.loc[day, "ghi"], rtol=0.02, atol=0.5)


def test_descending_latitude_bilinear_vs_nearest(tmp_path, full_year_ds):
    files = write_era5_new(full_year_ds, tmp_path)
    sites = sites_frame([("mid", 33.6, 120.6, 0.0, "onshore", 0.05)])
    bil = _load(tmp_path, files, sites, era5_interpolation="bilinear")["mid"]
    near = _load(tmp_path, files, sites)["mid"]
    truth = true_ghi(bil.index.tz_convert("UTC"), *ONSHORE).to_numpy()
    # ssrd scales with 1 + 0.2 (lat - 33.5): bilinear reproduces it at 33.6, nearest takes 33.5
    assert np.max(np.abs(bil["ghi"].to_numpy() - truth * 1.02)) < 0.1
    assert np.max(np.abs(near["ghi"].to_numpy() - truth * 1.00)) < 0.1


def _short(n: int = 48) -> pd.DatetimeIndex:
    return pd.date_range("2021-06-01 00:00", periods=n, freq="h", tz="UTC")


def test_missing_variable_named(tmp_path):
    ds = era5_dataset(_short()).drop_vars("t2m")
    f = write_era5_legacy(ds, tmp_path / "no_t2m.nc")
    with pytest.raises(InputError) as err:
        _load(tmp_path, [f])
    assert "t2m" in _issues(err) and "no_t2m.nc" in _issues(err) and "missing" in _issues(err)


def test_wrong_units_named(tmp_path):
    ds = era5_dataset(_short())
    ds["t2m"] = ds["t2m"] - 273.15
    ds["t2m"].attrs["units"] = "degC"
    ds["sp"] = ds["sp"] / 100.0  # hPa, units attribute still claims Pa
    f = write_era5_legacy(ds, tmp_path / "units.nc")
    with pytest.raises(InputError) as err:
        _load(tmp_path, [f])
    text = _issues(err)
    assert "units.nc: t2m: wrong units" in text
    assert "units.nc: sp" in text and "wrong units" in text


def test_nan_reported_not_filled(tmp_path):
    ds = era5_dataset(_short())
    ds["u100"][5, :, :] = np.nan
    f = tmp_path / "nan.nc"
    ds.to_netcdf(f)
    with pytest.raises(InputError) as err:
        _load(tmp_path, [f])
    assert "nan.nc: u100: 1 NaN" in _issues(err)


def test_site_outside_grid(tmp_path):
    f = tmp_path / "grid.nc"
    era5_dataset(_short()).to_netcdf(f)
    sites = sites_frame([("far", 31.0, 120.5, 0.0, "onshore", 0.05)])
    with pytest.raises(InputError) as err:
        _load(tmp_path, [f], sites)
    assert "outside the NetCDF grid" in _issues(err) and "grid.nc" in _issues(err)
    edge = sites_frame([("edge", 33.1, 121.3, 0.0, "offshore", 0.0002)])  # inside half a cell: nearest ok,
    with pytest.raises(InputError) as err:                                # bilinear not
        _load(tmp_path, [f], edge, era5_interpolation="bilinear")
    assert "outside the NetCDF grid" in _issues(err)


def test_duplicate_and_unordered_timestamps(tmp_path):
    t = _short()
    ds = era5_dataset(t)
    a, b = tmp_path / "a.nc", tmp_path / "b.nc"
    ds.to_netcdf(a)
    ds.isel(time=slice(10, 20)).to_netcdf(b)  # overlaps a
    with pytest.raises(InputError) as err:
        _load(tmp_path, [a, b])
    assert "duplicate time stamps" in _issues(err)
    c = tmp_path / "c.nc"
    ds.isel(time=[0, 2, 1, 3]).to_netcdf(c)
    with pytest.raises(InputError) as err:
        _load(tmp_path, [c])
    assert "c.nc: time: time stamps are not in increasing order" in _issues(err)


def test_gap_and_wrong_length(tmp_path):
    t = year_utc_stamps(YEAR)
    ds = era5_dataset(t)
    f = tmp_path / "gap.nc"
    ds.isel(time=np.r_[0:100, 110:len(t)]).to_netcdf(f)
    with pytest.raises(InputError) as err:
        _load(tmp_path, [f])
    assert "gap.nc: time: 1 gap(s)" in _issues(err)
    g = tmp_path / "short.nc"
    ds.isel(time=slice(0, 4000)).to_netcdf(g)
    with pytest.raises(InputError) as err:
        _load(tmp_path, [g])
    assert "wrong length: year 2021 needs 8760" in _issues(err)
