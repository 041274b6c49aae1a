"""Hourly electricity and heat demand: calibration statistics and totals."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import BASE_YAML

from energy_model.errors import InputError
from energy_model.inputs.load import build_model_inputs
from energy_model.io.tables import read_demand_shape, read_heat_shape
from energy_model.profiles.demand import (
    DemandShape,
    electricity_demand,
    heat_demand,
    spring_festival_factor,
    synthetic_daily_temperature,
)

INPUTS = Path(__file__).resolve().parents[1] / "inputs"
ANNUAL_MWH = 43.0e6  # Yancheng 2022 estimate [MWh/yr]


@pytest.fixture(scope="module")
def shape() -> DemandShape:
    return read_demand_shape(INPUTS / "demand_shape.csv")


@pytest.fixture(scope="module")
def heat_shape():
    return read_heat_shape(INPUTS / "heat_demand_shape.csv")


def year_hours(year: int) -> pd.DatetimeIndex:
    return pd.date_range(f"{year}-01-01", f"{year}-12-31 23:00", freq="h")


def statistics(load: pd.Series) -> dict[str, float]:
    """Calibration statistics of one year of hourly load."""
    days = load.groupby(load.index.normalize()).agg(["min", "max"])
    winter = days.index.month.isin([12, 1])
    return {
        "load_factor": load.mean() / load.max(),
        "winter_ratio": days["max"][winter].max() / load.max(),
        "daily_min_max": (days["min"] / days["max"]).mean(),
        "peak_month": load.idxmax().month,
        "min_time": load.idxmin(),
    }


def in_spring_festival(stamp: pd.Timestamp, shape: DemandShape) -> bool:
    lny = next(d for d in shape.spring_festival_dates if d.year == stamp.year)
    offset = (stamp.normalize() - pd.Timestamp(lny)).days
    return shape.spring_festival_offset_days[0] <= offset <= shape.spring_festival_offset_days[-1]


@pytest.fixture(scope="module")
def year_stats(shape: DemandShape) -> dict[int, dict[str, float]]:
    out = {}
    for year in range(2015, 2036):
        time = year_hours(year)
        out[year] = statistics(pd.Series(electricity_demand(time, ANNUAL_MWH, shape), index=time))
    return out


@pytest.mark.parametrize("year", [2018, 2022, 2024])
def test_calibration_targets(year: int, year_stats: dict, shape: DemandShape) -> None:
    s = year_stats[year]
    assert s["load_factor"] == pytest.approx(0.66, abs=0.02)
    assert s["peak_month"] in (7, 8)
    assert 0.85 <= s["winter_ratio"] <= 0.92
    assert 0.75 <= s["daily_min_max"] <= 0.83
    assert in_spring_festival(s["min_time"], shape)


def test_calibration_holds_for_every_year(year_stats: dict, shape: DemandShape) -> None:
    """Single-day extremes vary with weekday and holiday alignment, within bounds."""
    lf = np.array([s["load_factor"] for s in year_stats.values()])
    winter = np.array([s["winter_ratio"] for s in year_stats.values()])
    assert np.median(lf) == pytest.approx(0.66, abs=0.01)
    assert 0.86 <= np.median(winter) <= 0.91
    assert lf.min() >= 0.635 and lf.max() <= 0.685
    assert winter.min() >= 0.84 and winter.max() <= 0.93
    for s in year_stats.values():
        assert s["peak_month"] in (7, 8)
        assert 0.75 <= s["daily_min_max"] <= 0.83
        assert in_spring_festival(s["min_time"], shape)


def test_monthly_means_follow_jiangsu_2018(shape: DemandShape) -> None:
    time = year_hours(2018)
    load = pd.Series(electricity_demand(time, ANNUAL_MWH, shape), index=time)
    monthly = load.groupby(time.month).mean() / load.mean()
    np.testing.assert_allclose(monthly.to_numpy(), shape.month_factor, atol=0.02)


@pytest.mark.parametrize("year", [2018, 2020])
def test_annual_total_exact(year: int, shape: DemandShape) -> None:
    time = year_hours(year)
    total = electricity_demand(time, ANNUAL_MWH, shape).sum()
    assert total == pytest.approx(ANNUAL_MWH * len(time) / 8760, rel=1e-12)


def test_several_years_each_get_annual_total(shape: DemandShape) -> None:
    time = pd.date_range("2019-01-01", "2021-12-31 23:00", freq="h")
    load = pd.Series(electricity_demand(time, ANNUAL_MWH, shape), index=time)
    assert load.sum() == pytest.approx(ANNUAL_MWH * len(time) / 8760, rel=1e-12)
    assert load["2019"].sum() == pytest.approx(ANNUAL_MWH, rel=1e-12)
    assert load["2020"].sum() == pytest.approx(ANNUAL_MWH * 8784 / 8760, rel=1e-12)


@pytest.mark.parametrize("start,hours", [("2018-07-30", 24), ("2018-02-10", 336), ("2024-02-28", 72)])
def test_slice_equals_whole_year_values(shape: DemandShape, start: str, hours: int) -> None:
    time = pd.date_range(start, periods=hours, freq="h")
    whole = pd.Series(electricity_demand(year_hours(time[0].year), ANNUAL_MWH, shape),
                      index=year_hours(time[0].year))
    np.testing.assert_allclose(electricity_demand(time, ANNUAL_MWH, shape), whole[time].to_numpy())


def test_tz_aware_time_is_converted(shape: DemandShape) -> None:
    naive = pd.date_range("2018-08-01", periods=48, freq="h")
    aware = naive.tz_localize("Asia/Shanghai").tz_convert("UTC")
    np.testing.assert_allclose(electricity_demand(aware, ANNUAL_MWH, shape),
                               electricity_demand(naive, ANNUAL_MWH, shape))


def test_summer_peak_is_in_the_afternoon(shape: DemandShape) -> None:
    time = pd.date_range("2018-08-01", periods=24 * 14, freq="h")
    load = pd.Series(electricity_demand(time, ANNUAL_MWH, shape), index=time)
    assert 10 <= load.groupby(time.hour).mean().idxmax() <= 16


def test_hot_days_raise_and_cold_days_raise_load(shape: DemandShape) -> None:
    time = pd.date_range("2018-08-06", periods=24, freq="h")
    normal = electricity_demand(time, ANNUAL_MWH, shape, temperature_c=np.full(24, 27.0))
    hot = electricity_demand(time, ANNUAL_MWH, shape, temperature_c=np.full(24, 33.0))
    assert hot.max() > normal.max() * 1.05
    winter = pd.date_range("2018-01-10", periods=24, freq="h")
    mild = electricity_demand(winter, ANNUAL_MWH, shape, temperature_c=np.full(24, 2.0))
    cold = electricity_demand(winter, ANNUAL_MWH, shape, temperature_c=np.full(24, -6.0))
    assert cold[19] > mild[19] * 1.05  # the evening rises most
    assert cold[19] / mild[19] > cold[4] / mild[4]


def test_full_year_temperature_keeps_total(shape: DemandShape) -> None:
    time = year_hours(2021)
    temperature = np.repeat(synthetic_daily_temperature(2021, shape), 24) + 1.5
    load = electricity_demand(time, ANNUAL_MWH, shape, temperature_c=temperature)
    assert load.sum() == pytest.approx(ANNUAL_MWH, rel=1e-12)


def test_synthetic_weather_is_deterministic(shape: DemandShape) -> None:
    a = synthetic_daily_temperature(2030, shape)
    np.testing.assert_array_equal(a, synthetic_daily_temperature(2030, shape))
    other = dataclasses.replace(shape, seed=shape.seed + 1)
    assert not np.allclose(a, synthetic_daily_temperature(2030, other))
    assert a.mean() == pytest.approx(np.mean(shape.normal_temperature_c), abs=0.5)


def test_bad_arguments(shape: DemandShape) -> None:
    time = pd.date_range("2018-01-01", periods=24, freq="h")
    with pytest.raises(ValueError, match="annual_mwh"):
        electricity_demand(time, -1.0, shape)
    with pytest.raises(ValueError, match="temperature_c"):
        electricity_demand(time, 1.0, shape, temperature_c=np.zeros(5))
    with pytest.raises(InputError, match="holidays.csv"):
        electricity_demand(pd.date_range("2040-01-01", periods=24, freq="h"), 1.0, shape)


def test_spring_festival_factor_interpolates(shape: DemandShape) -> None:
    days = pd.date_range("2018-02-10", "2018-02-20", freq="D")
    factor = spring_festival_factor(days, shape.spring_festival_dates, (-2, 0, 2), (1.0, 0.5, 1.0))
    expected = np.array([1, 1, 1, 1, 1, 0.75, 0.5, 0.75, 1, 1, 1])
    np.testing.assert_allclose(factor, expected)


def test_heat_demand_total_and_shape(heat_shape) -> None:
    time = year_hours(2019)
    heat = pd.Series(heat_demand(time, 5.0e6, heat_shape), index=time)
    assert heat.sum() == pytest.approx(5.0e6, rel=1e-12)
    assert heat.mean() / heat.max() > 0.6  # fairly flat
    monthly = heat.groupby(time.month).mean()
    assert monthly[1] > monthly[7]  # mild seasonality
    assert in_spring_festival(heat.idxmin(), heat_shape)
    weekday = heat["2019-03-04":"2019-03-08"].mean()
    sunday = heat["2019-03-10"].mean()
    assert sunday < weekday


def test_heat_demand_slice(heat_shape) -> None:
    time = pd.date_range("2019-06-01", periods=168, freq="h")
    whole = pd.Series(heat_demand(year_hours(2019), 5.0e6, heat_shape), index=year_hours(2019))
    np.testing.assert_allclose(heat_demand(time, 5.0e6, heat_shape), whole[time].to_numpy())


@pytest.mark.parametrize("with_feb29", [True, False], ids=["full_calendar", "without_29_february"])
def test_demand_file_fits_a_synthetic_leap_year_horizon_across_29_february(project, with_feb29):
    """Synthetic 2020 weather has no 29 February: a demand file with or without that day fits the horizon."""
    start = (31 + 27) * 24  # 2020-02-28 00:00
    stamps = pd.date_range("2020-02-28 00:00", periods=96, freq="h")
    mw = 4000.0 + np.arange(96)
    keep = np.ones(96, dtype=bool) if with_feb29 else stamps.day != 29
    project.data("demand.csv", "time,demand_mw\n" + "".join(
        f"{t:%Y-%m-%d %H:%M},{v:.1f}\n" for t, v in zip(stamps[keep], mw[keep])))
    text = (BASE_YAML.replace("years: [2021]", "years: [2020]").replace("start_hour: 0", f"start_hour: {start}")
            .replace("hours: 48", "hours: 72").replace("  annual_twh: 38.0\n", "  file: ../data/demand.csv\n"))
    ds = build_model_inputs(project.scenario(text))
    time = pd.DatetimeIndex(ds["time"].values)
    assert time[23] == pd.Timestamp("2020-02-28 23:00") and time[24] == pd.Timestamp("2020-03-01 00:00")
    np.testing.assert_allclose(ds["demand_mw"].values, mw[stamps.day != 29], rtol=1e-9)
