"""Wind capacity factors reproduce windpowerlib; turbines are checked."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from weather_fixtures import WARNING_FILTERS
from windpowerlib import WindTurbine

from energy_model.errors import InputError
from energy_model.profiles import read_plants
from energy_model.profiles.turbines import (
    BANNED_TURBINES,
    BETZ_LIMIT,
    generic_power_curve,
    implied_cp_max,
    make_turbine,
)
from energy_model.profiles.wind import WindPlant, wind_capacity_factor, windpowerlib_weather

pytestmark = [pytest.mark.filterwarnings(f) for f in WARNING_FILTERS]


def _weather(n: int = 500, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    idx = pd.date_range("2021-01-01", periods=n, freq="h", tz="Asia/Shanghai")
    v100 = rng.weibull(2.0, n) * 8.0
    return pd.DataFrame({"ghi": 0.0, "dni": np.nan, "dhi": np.nan, "temp_air": 10.0, "wind_speed_10": v100 * 0.7,
                         "wind_speed_100": v100, "pressure": 101325.0, "roughness_length": 0.05}, index=idx)


def test_flat_power_curve_gives_its_level():
    curve = pd.DataFrame({"wind_speed": [0.0, 40.0], "value": [1.5e6, 1.5e6]})
    t = WindTurbine(hub_height=100, nominal_power=3e6, rotor_diameter=120, power_curve=curve)
    cf = wind_capacity_factor(_weather(), t, WindPlant(n_turbines=1, wake_model="none", smoothing=False,
                                                       losses_pct=0))
    np.testing.assert_allclose(cf.to_numpy(), 0.5)
    cf_loss = wind_capacity_factor(_weather(), t, WindPlant(n_turbines=3, wake_model="none", smoothing=False,
                                                            losses_pct=10))
    np.testing.assert_allclose(cf_loss.to_numpy(), 0.45)


def test_single_turbine_at_data_height_is_power_curve_lookup():
    w = _weather()
    t = make_turbine("E-141/4200", 100)
    cf = wind_capacity_factor(w, t, WindPlant(n_turbines=1, wake_model="none", smoothing=False, losses_pct=0))
    pc = t.power_curve
    expected = np.interp(w["wind_speed_100"], pc["wind_speed"], pc["value"], left=0, right=0) / 4.2e6
    np.testing.assert_allclose(cf.to_numpy(), expected, atol=1e-9)


def test_wakes_smoothing_and_hub_extrapolation():
    w = _weather(2000)
    t = make_turbine("E-141/4200", 100)
    base = wind_capacity_factor(w, t, WindPlant(n_turbines=20, wake_model="none", smoothing=False, losses_pct=0))
    wake = wind_capacity_factor(w, t, WindPlant(n_turbines=20, wake_model="dena_mean", smoothing=False, losses_pct=0))
    assert 0.85 < wake.mean() / base.mean() < 0.97        # dena_mean ~ -7 %
    high = wind_capacity_factor(w, make_turbine("E-141/4200", 140),
                                WindPlant(n_turbines=1, wake_model="none", smoothing=False, losses_pct=0))
    assert high.mean() > base.mean()                       # log-law: more wind at 140 m
    # only a 10 m station: logarithmic profile with z0
    w10 = w.assign(wind_speed_100=np.nan)
    assert set(windpowerlib_weather(w10)["wind_speed"].columns) == {10}
    cf10 = wind_capacity_factor(w10, t, WindPlant(n_turbines=1, wake_model="none", smoothing=False, losses_pct=0))
    assert 0 < cf10.mean() < 1 and cf10.notna().all()


def test_weather_adapter_units():
    w = _weather(5)
    ww = windpowerlib_weather(w)
    assert ww[("temperature", 2)].iloc[0] == pytest.approx(283.15)
    assert ww[("pressure", 0)].iloc[0] == 101325.0


def test_betz_and_banned_turbines():
    for name in sorted(BANNED_TURBINES):
        t = WindTurbine(turbine_type=name, hub_height=150)
        assert implied_cp_max(t.power_curve["wind_speed"], t.power_curve["value"], t.rotor_diameter) > BETZ_LIMIT
        with pytest.raises(InputError, match=name.replace("/", ".")):
            make_turbine(name, 150)
    curve = generic_power_curve(8e6, 175)
    assert implied_cp_max(curve["wind_speed"], curve["value"], 175) == pytest.approx(0.45, rel=1e-6)
    with pytest.raises(InputError, match="unknown turbine type"):
        make_turbine("X-999/1", 100)
    with pytest.raises(InputError, match="half the rotor diameter"):
        make_turbine("generic", 60, rated_power_mw=8, rotor_diameter_m=175)


def test_read_plants_reports_file_line_column(tmp_path):
    inputs = __import__("pathlib").Path(__file__).resolve().parents[1] / "inputs"
    pv, wind = read_plants(inputs / "pv_plants.csv", inputs / "wind_plants.csv")
    assert set(pv["profile"]) | set(wind["profile"]) == {"utility_pv", "rooftop_pv", "onshore_wind", "offshore_wind"}
    bad_wind = tmp_path / "wind_plants.csv"
    text = (inputs / "wind_plants.csv").read_text().replace("V164/9500", "V164/8000")
    bad_wind.write_text(text)
    with pytest.raises(InputError) as err:
        read_plants(inputs / "pv_plants.csv", bad_wind)
    issue = err.value.issues[0]
    assert issue.file == "wind_plants.csv" and issue.key_path == "turbine_type" and "Betz" in issue.message
    assert text.splitlines()[issue.line - 1].startswith("offshore_wind")
    bad_pv = tmp_path / "pv_plants.csv"
    bad_pv.write_text((inputs / "pv_plants.csv").read_text().replace(",open_rack,", ",on_a_pole,")
                      .replace(",25,180,", ",95,180,"))
    with pytest.raises(InputError) as err:
        read_plants(bad_pv, inputs / "wind_plants.csv")
    keys = {(i.key_path, i.file) for i in err.value.issues}
    assert ("mount", "pv_plants.csv") in keys and ("tilt_deg", "pv_plants.csv") in keys
