"""The synthetic default weather: deterministic, on target, realistic structure."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from scipy import stats
from weather_fixtures import WARNING_FILTERS

from energy_model.errors import InputError
from energy_model.weather import COLUMNS, WeatherSpec, load_weather, read_sites
from energy_model.weather.synthetic_params import read_synthetic_parameters

pytestmark = [pytest.mark.filterwarnings(f) for f in WARNING_FILTERS]

INPUTS = Path(__file__).resolve().parents[1] / "inputs"


@pytest.fixture(scope="module")
def two_years():
    sites = read_sites(INPUTS / "sites.csv")
    return load_weather(WeatherSpec(years=[2020, 2021], seed=1), sites, INPUTS)


def test_shape_labels_and_leap_day_dropped(two_years):
    assert set(two_years) == {"yancheng_coast", "yancheng_offshore"}
    w = two_years["yancheng_coast"]
    assert list(w.columns) == list(COLUMNS)
    assert len(w) == 2 * 8760 and str(w.index.tz) == "Asia/Shanghai"
    assert not ((w.index.month == 2) & (w.index.day == 29)).any()
    assert w.notna().all().all()


def test_first_year_on_target(two_years):
    p = read_synthetic_parameters()
    w = two_years["yancheng_coast"].loc["2020"]
    assert w["ghi"].sum() / 1000 == pytest.approx(p.solar.annual_ghi_kwh_per_m2, rel=1e-3)
    monthly_t = w["temp_air"].groupby(w.index.month).mean().to_numpy()
    np.testing.assert_allclose(monthly_t, p.temperature.monthly_mean_c, atol=1e-6)
    for site, surface in (("yancheng_coast", "onshore"), ("yancheng_offshore", "offshore")):
        v = two_years[site].loc["2020", "wind_speed_100"]
        assert v.mean() == pytest.approx(p.surfaces[surface].mean_speed_100_m_s, rel=0.01)
        k = stats.weibull_min.fit(v.to_numpy(), floc=0)[0]
        assert k == pytest.approx(p.surfaces[surface].weibull_k, abs=0.25)


def test_structure(two_years):
    on = two_years["yancheng_coast"].loc["2020"]
    off = two_years["yancheng_offshore"].loc["2020"]
    v = off["wind_speed_100"]
    acf1 = v.autocorr(1)
    acf24 = v.autocorr(24)
    assert 0.9 < acf1 < 0.99 and 0.2 < acf24 < 0.6           # hour-to-hour persistence
    assert 0.75 < np.corrcoef(on["wind_speed_100"], v)[0, 1] < 0.92
    mon = v.groupby(v.index.month).mean()
    assert mon[[12, 1, 2]].mean() > 1.1 * mon[[7, 8]].mean()   # winter-monsoon maximum
    hourly = on["wind_speed_100"].groupby(on.index.hour).mean()
    assert hourly[[0, 1, 2, 3]].mean() > hourly[[13, 14, 15]].mean()  # nocturnal hub-height maximum
    t = on["temp_air"].groupby(on.index.hour).mean()
    assert t.idxmax() in (13, 14, 15) and t.idxmin() in range(0, 8)
    g = on["ghi"]
    assert (g[on.index.hour.isin([0, 1, 2, 22, 23])] == 0).all()
    assert g.groupby(g.index.month).sum()[[4, 5]].mean() > 1.5 * g.groupby(g.index.month).sum()[[1, 12]].mean()
    assert 0.85 < g.autocorr(1) < 0.97
    assert (on["dhi"] <= on["ghi"] + 1e-6).all()


def test_deterministic_and_interannual_spread(two_years):
    sites = read_sites(INPUTS / "sites.csv")
    again = load_weather(WeatherSpec(years=[2020], seed=1), sites, INPUTS)
    np.testing.assert_array_equal(again["yancheng_coast"].to_numpy(),
                                  two_years["yancheng_coast"].loc["2020"].to_numpy())
    other = load_weather(WeatherSpec(years=[2020], seed=2), sites, INPUTS)["yancheng_coast"]
    assert not np.allclose(other["wind_speed_100"], two_years["yancheng_coast"].loc["2020", "wind_speed_100"])
    # the typical year is pinned whatever the seed
    assert other["ghi"].sum() == pytest.approx(two_years["yancheng_coast"].loc["2020", "ghi"].sum(), rel=1e-6)
    # the second year differs in annual totals, but not wildly
    y1 = two_years["yancheng_offshore"].loc["2020", "wind_speed_100"].mean()
    y2 = two_years["yancheng_offshore"].loc["2021", "wind_speed_100"].mean()
    assert y1 != y2 and abs(y2 / y1 - 1) < 0.2


def test_bad_parameter_file(tmp_path):
    bad = tmp_path / "p.yaml"
    bad.write_text((INPUTS / "synthetic_weather.yaml").read_text().replace("weibull_k: 2.0", "weibull_k: -1"))
    sites = read_sites(INPUTS / "sites.csv")
    with pytest.raises(InputError) as err:
        load_weather(WeatherSpec(synthetic_parameters="p.yaml"), sites, tmp_path)
    assert "p.yaml: surfaces.onshore.weibull_k" in err.value.issues[0].format()
