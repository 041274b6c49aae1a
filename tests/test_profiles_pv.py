"""PV capacity factors reproduce pvlib computed step by step."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pvlib
import pytest
from weather_fixtures import WARNING_FILTERS

from energy_model.profiles.pv import PVPlant, pv_capacity_factor

pytestmark = [pytest.mark.filterwarnings(f) for f in WARNING_FILTERS]

LAT, LON, ALT = 33.35, 120.45, 3.0


def _clear_day(date: str = "2021-06-21") -> pd.DataFrame:
    idx = pd.date_range(f"{date} 00:00", periods=24, freq="h", tz="Asia/Shanghai")
    loc = pvlib.location.Location(LAT, LON, tz="Asia/Shanghai", altitude=ALT)
    cs = loc.get_clearsky(idx + pd.Timedelta("30min")).set_axis(idx)
    return pd.DataFrame({"ghi": cs["ghi"], "dni": cs["dni"], "dhi": cs["dhi"], "temp_air": 25.0,
                         "wind_speed_10": 1.0, "wind_speed_100": 5.0, "pressure": 101325.0,
                         "roughness_length": 0.05}, index=idx)


def test_clear_sky_noon_matches_pvlib_by_hand():
    w = _clear_day()
    plant = PVPlant(tilt_deg=0.0, mount="open_rack", dc_ac_ratio=1.25, inverter_efficiency=0.97,
                    losses_pct=9.0, gamma_pdc_per_c=-0.0034)
    cf = pv_capacity_factor(w, plant, latitude=LAT, longitude=LON, altitude=ALT)
    t = w.index[11]  # 11:00-12:00 CST, the hour containing solar noon
    mid = pd.DatetimeIndex([t + pd.Timedelta("30min")])
    sp = pvlib.solarposition.get_solarposition(mid, LAT, LON, altitude=ALT)
    zen = float(sp["zenith"].iloc[0])
    ghi, dni, dhi = (float(w.loc[t, c]) for c in ("ghi", "dni", "dhi"))
    # horizontal array: Perez sky diffuse = DHI, no ground term, AOI = zenith
    iam = float(pvlib.iam.physical(zen))
    eff = dni * np.cos(np.radians(zen)) * iam + dhi
    poa = dni * np.cos(np.radians(zen)) + dhi
    p = pvlib.temperature.TEMPERATURE_MODEL_PARAMETERS["sapm"]["open_rack_glass_glass"]
    tcell = float(pvlib.temperature.sapm_cell(poa, 25.0, 1.0, **p))
    dc = float(pvlib.pvsystem.pvwatts_dc(eff, tcell, 1.0, -0.0034)) * (1 - 0.09)
    ac = float(pvlib.inverter.pvwatts(dc, 1 / 1.25 / 0.97, eta_inv_nom=0.97))
    assert cf[t] == pytest.approx(ac, rel=1e-4)
    assert 0.70 < cf[t] < 0.80                    # ~950 W/m2 at 25 C air -> ~0.75 per W_dc
    assert (cf[w.index.hour.isin([0, 1, 2, 3, 21, 22, 23])] == 0).all()


def test_clipping_at_ac_rating():
    w = _clear_day()
    w["ghi"] *= 1.4
    w["dni"] *= 1.4
    w["dhi"] *= 1.4
    w["temp_air"] = -10.0
    cf = pv_capacity_factor(w, PVPlant(tilt_deg=25, dc_ac_ratio=1.5, losses_pct=0), latitude=LAT, longitude=LON)
    assert cf.max() == pytest.approx(1 / 1.5, rel=1e-6)  # AC limit per W_dc


def test_decomposition_when_dni_dhi_missing():
    w = _clear_day()
    full = pv_capacity_factor(w, PVPlant(), latitude=LAT, longitude=LON)
    w_ghi_only = w.assign(dni=np.nan, dhi=np.nan)
    erbs = pv_capacity_factor(w_ghi_only, PVPlant(), latitude=LAT, longitude=LON)
    assert erbs.sum() == pytest.approx(full.sum(), rel=0.06)  # Erbs vs clear-sky split: close, not equal
    assert erbs.sum() != full.sum()


def test_rooftop_close_mount_runs_hotter():
    w = _clear_day()
    kw = dict(tilt_deg=10, dc_ac_ratio=1.15, losses_pct=10)
    open_ = pv_capacity_factor(w, PVPlant(mount="open_rack", **kw), latitude=LAT, longitude=LON).sum()
    close = pv_capacity_factor(w, PVPlant(mount="close_mount", **kw), latitude=LAT, longitude=LON).sum()
    assert 0.94 < close / open_ < 0.995
