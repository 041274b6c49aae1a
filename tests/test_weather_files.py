"""EPW, TMY3 (pvlib's shipped file) and CSV readers, and their bad-input cases."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pvlib
import pytest
from pydantic import ValidationError
from weather_fixtures import WARNING_FILTERS, simple_weather, sites_frame, write_epw, write_weather_csv

from energy_model.errors import InputError
from energy_model.weather import WeatherSpec, load_weather, read_sites

pytestmark = [pytest.mark.filterwarnings(f) for f in WARNING_FILTERS]

TMY3 = Path(pvlib.__file__).parent / "data" / "723170TYA.CSV"


def _issues(err) -> str:
    return "\n".join(i.format() for i in err.value.issues)


def _one_site():
    return sites_frame([("coast", 33.77, 120.25, 5.0, "onshore", 0.05)])


# ---------------------------------------------------------------- EPW
def test_epw_values_and_labels(tmp_path):
    _, truth = write_epw(tmp_path / "sheyang.epw", 2019)
    spec = WeatherSpec(source="epw", years=[2019], files={"coast": ["sheyang.epw"]})
    out = load_weather(spec, _one_site(), tmp_path)["coast"]
    assert len(out) == 8760 and str(out.index.tz) == "Asia/Shanghai"
    assert out.index[0] == pd.Timestamp("2019-01-01 00:00", tz="Asia/Shanghai")
    for col in ("ghi", "dni", "dhi", "temp_air", "wind_speed_10"):
        np.testing.assert_allclose(out[col].to_numpy(), truth[col].to_numpy())
    assert out["pressure"].iloc[0] == 101000.0
    assert out["wind_speed_100"].isna().all()  # a station has no 100 m wind
    assert (out["roughness_length"] == 0.05).all()


def test_epw_typical_year_on_leap_year_and_two_years(tmp_path):
    write_epw(tmp_path / "tmy.epw", 2019)
    spec = WeatherSpec(source="epw", years=[2019, 2020], files={"coast": ["tmy.epw"]})
    out = load_weather(spec, _one_site(), tmp_path)["coast"]
    assert len(out) == 2 * 8760  # the typical-year file has no 29 February
    assert not ((out.index.month == 2) & (out.index.day == 29)).any()
    assert out.index.is_monotonic_increasing


def test_epw_real_leap_year_keeps_8784_hours(tmp_path):
    write_epw(tmp_path / "amy2020.epw", 2020)
    spec = WeatherSpec(source="epw", years=[2020], files={"coast": ["amy2020.epw"]})
    out = load_weather(spec, _one_site(), tmp_path)["coast"]
    assert len(out) == 8784
    assert ((out.index.month == 2) & (out.index.day == 29)).sum() == 24


def test_epw_missing_code_and_far_station(tmp_path):
    write_epw(tmp_path / "bad.epw", 2019, bad_temp_row=100)
    spec = WeatherSpec(source="epw", years=[2019], files={"coast": ["bad.epw"]})
    with pytest.raises(InputError) as err:
        load_weather(spec, _one_site(), tmp_path)
    assert "bad.epw: temp_air: 1 missing value(s)" in _issues(err)
    write_epw(tmp_path / "far.epw", 2019, lat=40.0, lon=116.0)
    spec = WeatherSpec(source="epw", years=[2019], files={"coast": ["far.epw"]})
    with pytest.raises(InputError) as err:
        load_weather(spec, _one_site(), tmp_path)
    assert "far.epw: location" in _issues(err)


# ---------------------------------------------------------------- TMY3
def test_tmy3_shipped_file(tmp_path):
    raw, meta = pvlib.iotools.read_tmy3(TMY3, coerce_year=2019, map_variables=True)
    sites = sites_frame([("greensboro", meta["latitude"], meta["longitude"], meta["altitude"], "onshore", 0.1)])
    spec = WeatherSpec(source="tmy3", years=[2019], files={"greensboro": [str(TMY3)]})
    out = load_weather(spec, sites, Path("/"))["greensboro"]
    assert len(out) == 8760 and str(out.index.tz) == "Asia/Shanghai"
    # annual totals preserved (relabelling and wrapping move hours, they never drop them)
    assert out["ghi"].sum() == pytest.approx(raw["ghi"].sum())
    assert out["ghi"].sum() / 1000 == pytest.approx(1566, rel=0.01)  # kWh/m2 (documented for this file)
    assert out["pressure"].mean() == pytest.approx(raw["pressure"].mean() * 100)  # mbar -> Pa
    # end-of-hour label 1990-01-01 12:00 EST covers 11:00-12:00 EST = 00:00-01:00 CST next day
    first_noon = raw.index[11]  # label 12:00 local (UTC-5)
    start_cst = (first_noon - pd.Timedelta("1h")).tz_convert("Asia/Shanghai")
    assert out.loc[start_cst, "ghi"] == raw["ghi"].iloc[11]


# ---------------------------------------------------------------- CSV
def _csv_spec(name="w.csv", **kw):
    return WeatherSpec(source="csv", years=[2021], files={"coast": [name]}, **kw)


def _idx(year=2021):
    return pd.date_range(f"{year}-01-01", f"{year}-12-31 23:00", freq="h", tz="Asia/Shanghai")


def test_csv_round_trip_utc_offsets_and_end_labels(tmp_path):
    idx = _idx()
    cols = simple_weather(idx)
    write_weather_csv(tmp_path / "w.csv", idx.tz_convert("UTC"), **cols)
    out = load_weather(_csv_spec(), _one_site(), tmp_path)["coast"]
    np.testing.assert_allclose(out["ghi"].to_numpy(), cols["ghi"])
    assert out["dni"].isna().all() and out["dhi"].isna().all()  # not given: decomposed later
    write_weather_csv(tmp_path / "e.csv", idx + pd.Timedelta("1h"), **cols)
    out_end = load_weather(_csv_spec("e.csv", csv_time_label="end"), _one_site(), tmp_path)["coast"]
    np.testing.assert_allclose(out_end["ghi"].to_numpy(), cols["ghi"])


def test_csv_naive_needs_timezone(tmp_path):
    idx = _idx()
    write_weather_csv(tmp_path / "w.csv", idx, naive=True, **simple_weather(idx))
    with pytest.raises(InputError) as err:
        load_weather(_csv_spec(), _one_site(), tmp_path)
    assert "w.csv:2: time: naive time stamp without a declared time zone" in _issues(err)
    out = load_weather(_csv_spec(timezone="Asia/Shanghai"), _one_site(), tmp_path)["coast"]
    assert len(out) == 8760


@pytest.mark.parametrize("case,expected", [
    ("nan", "w.csv: ghi: 1 missing value(s)"),
    ("kelvin", "w.csv: temp_air: value outside the plausible range"),
    ("hpa", "w.csv: pressure: value outside the plausible range"),
    ("duplicate", "w.csv: time: 1 duplicate time stamp(s)"),
    ("unordered", "w.csv: time: time stamps are not in increasing order"),
    ("gap", "w.csv: time: 1 gap(s)"),
    ("short", "wrong length: year 2021 needs 8760"),
    ("no_column", "w.csv: temp_air: missing column"),
])
def test_csv_bad_input(tmp_path, case, expected):
    idx = _idx()
    cols = simple_weather(idx)
    if case == "nan":
        cols["ghi"][4000] = np.nan
    elif case == "kelvin":
        cols["temp_air"] = cols["temp_air"] + 273.15
    elif case == "hpa":
        cols["pressure"] = cols["pressure"] / 100
    elif case == "duplicate":
        idx = idx.insert(50, idx[50])
        cols = simple_weather(idx)
    elif case == "unordered":
        idx = idx[[1, 0] + list(range(2, len(idx)))]
    elif case == "gap":
        idx = idx.delete(range(100, 103))
        cols = simple_weather(idx)
    elif case == "short":
        idx = idx[:5000]
        cols = simple_weather(idx)
    elif case == "no_column":
        cols.pop("temp_air")
    write_weather_csv(tmp_path / "w.csv", idx, **cols)
    with pytest.raises(InputError) as err:
        load_weather(_csv_spec(), _one_site(), tmp_path)
    assert expected in _issues(err)


def test_csv_leap_year_keeps_feb29(tmp_path):
    idx = _idx(2020)
    write_weather_csv(tmp_path / "w.csv", idx, **simple_weather(idx))
    spec = WeatherSpec(source="csv", years=[2020], files={"coast": ["w.csv"]})
    assert len(load_weather(spec, _one_site(), tmp_path)["coast"]) == 8784


def test_spec_errors_collected(tmp_path):
    spec = WeatherSpec(source="csv", years=[2021], files={"nowhere": ["x.csv"]})
    with pytest.raises(InputError) as err:
        load_weather(spec, _one_site(), tmp_path)
    text = _issues(err)
    assert "weather.files.nowhere: unknown site" in text and "weather.files.coast: no weather file" in text
    with pytest.raises(ValidationError):
        WeatherSpec(source="csv", bogus=1)
    with pytest.raises(ValidationError):
        WeatherSpec(timezone="Mars/Olympus")


def test_read_sites_shipped_and_bad(tmp_path):
    shipped = read_sites(Path(__file__).resolve().parents[1] / "inputs" / "sites.csv")
    assert set(shipped["surface"]) == {"onshore", "offshore"}
    off = shipped[shipped["surface"] == "offshore"].iloc[0]
    assert off["latitude_deg"] == pytest.approx(33.6, abs=0.2) and off["longitude_deg"] == pytest.approx(121.0, abs=0.2)
    bad = tmp_path / "sites.csv"
    bad.write_text("site,latitude_deg,longitude_deg,altitude_m,surface,roughness_length_m\n"
                   "a,95,120,0,onshore,0.05\na,33,120,0,lake,-1\n")
    with pytest.raises(InputError) as err:
        read_sites(bad)
    text = _issues(err)
    assert "sites.csv:2: latitude_deg" in text and "sites.csv:3: surface" in text
    assert "sites.csv:3: site: duplicate" in text and "sites.csv:3: roughness_length_m" in text


def test_shipped_example_csv_parses():
    from energy_model.weather.canonical import check_values
    from energy_model.weather.csvfile import read_weather_csv

    path = Path(__file__).resolve().parents[1] / "weather" / "example_weather.csv"
    frame = read_weather_csv(path, _one_site().iloc[0])
    assert len(frame) == 48 and str(frame.index.tz) == "Asia/Shanghai"
    assert check_values(frame, path.name) == []
