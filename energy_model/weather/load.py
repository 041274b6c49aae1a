"""Dispatch a :class:`WeatherSpec` to its reader and validate the result."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from energy_model.errors import InputError, InputIssue
from energy_model.io.weather_spec import WeatherSpec
from energy_model.weather.canonical import (
    COLUMNS,
    check_annual_means,
    check_index,
    check_solar_timing,
    check_values,
    select_years,
)
from energy_model.weather.csvfile import read_weather_csv
from energy_model.weather.epw import read_station_file
from energy_model.weather.era5 import read_era5
from energy_model.weather.plausibility import check_coast_wind, check_night_irradiance
from energy_model.weather.synthetic import synthetic_weather
from energy_model.weather.synthetic_params import read_synthetic_parameters


def _site_files(spec: WeatherSpec, sites: pd.DataFrame) -> tuple[dict[str, list[str]], list[InputIssue]]:
    issues: list[InputIssue] = []
    if not isinstance(spec.files, dict):
        return {}, [InputIssue("scenario", "weather.files",
                               f"source '{spec.source}' needs a mapping site -> list of files")]
    names = set(sites["site"])
    for s in sorted(set(spec.files) - names):
        issues.append(InputIssue("scenario", f"weather.files.{s}", "unknown site (not in sites.csv)"))
    for s in sites["site"]:
        if not spec.files.get(s):
            issues.append(InputIssue("scenario", f"weather.files.{s}", "no weather file given for this site"))
    return spec.files, issues


def load_weather(spec: WeatherSpec, sites: pd.DataFrame, base_dir: Path) -> dict[str, pd.DataFrame]:
    """Load hourly weather for every site, in the canonical form.

    Parameters
    ----------
    spec : WeatherSpec
        Where the weather comes from (the scenario's ``weather:`` block).
    sites : pandas.DataFrame
        Validated sites table (:func:`energy_model.weather.read_sites`).
    base_dir : pathlib.Path
        Folder that relative paths in ``spec.files`` refer to.

    Returns
    -------
    dict of str to pandas.DataFrame
        One frame per site name. Index: hourly, tz-aware ``Asia/Shanghai``,
        labels at the START of each hour (values are means over
        ``[label, label + 1 h)``); the years of ``spec.years`` follow each
        other. Columns ``ghi``, ``dni``, ``dhi`` [W/m2], ``temp_air`` [degC],
        ``wind_speed_10``, ``wind_speed_100`` [m/s], ``pressure`` [Pa],
        ``roughness_length`` [m]. A column the source lacks is all-NaN
        (``dni``/``dhi``: GHI is decomposed later; one wind height: the other
        is extrapolated later); no column has partial NaNs. Synthetic years
        and typical-year files have 8,760 h per year (no 29 February); real
        leap-year data keep 8,784 h.

    Raises
    ------
    InputError
        Every problem found (missing file or variable, wrong units, NaN, gaps,
        duplicate or unordered stamps, wrong length, naive stamps without a
        declared time zone, site outside the grid), naming file and variable.
    """
    base_dir = Path(base_dir)
    years = list(spec.years)
    if spec.source == "synthetic":
        ppath = base_dir / spec.synthetic_parameters if spec.synthetic_parameters else None
        params = read_synthetic_parameters(ppath)
        return synthetic_weather(sites, years, params, seed=spec.seed)

    issues: list[InputIssue] = []
    out: dict[str, pd.DataFrame] = {}
    if spec.source == "era5":
        if not isinstance(spec.files, list) or not spec.files:
            raise InputError(InputIssue("scenario", "weather.files", "source 'era5' needs a list of NetCDF/zip files"))
        frames, names = read_era5([base_dir / f for f in spec.files], sites, interpolation=spec.era5_interpolation)
        label = ", ".join(Path(f).name for f in spec.files)
        for site, frame in frames.items():
            cut, found = select_years(frame, years, label)
            issues += found
            if not found:
                issues += _judge(cut, label, sites.loc[sites["site"] == site].iloc[0], spec, names)
                out[site] = cut
    else:
        files, issues = _site_files(spec, sites)
        if issues:
            raise InputError(issues)
        for row in sites.itertuples(index=False):
            site = sites.loc[sites["site"] == row.site].iloc[0]
            paths = [base_dir / f for f in files[row.site]]
            missing = [p for p in paths if not p.is_file()]
            if missing:
                issues += [InputIssue(p.name, "", f"weather file not found: {p}") for p in missing]
                continue
            try:
                if spec.source == "csv":
                    frame = _read_csvs(paths, site, spec)
                    label = ", ".join(p.name for p in paths)
                    cut, found = select_years(frame, years, label)
                else:
                    cut, found, label = _read_station(paths, site, spec, years)
            except InputError as err:
                issues += err.issues
                continue
            issues += found
            if not found:
                issues += _judge(cut, label, site, spec)
                out[row.site] = cut
    if issues:
        raise InputError(issues)
    return {s: f[list(COLUMNS)].astype("float64") for s, f in out.items()}


def _judge(frame: pd.DataFrame, label: str, site: pd.Series, spec: WeatherSpec,
           names: dict[str, str] | None = None) -> list[InputIssue]:
    """Value ranges, annual means and wind for this coast (unless ``spec.accept_implausible``), and solar timing.

    Solar timing: the GHI-weighted mean hour near solar noon
    (:func:`~energy_model.weather.canonical.check_solar_timing`) and no
    irradiance with the sun below the horizon
    (:func:`~energy_model.weather.plausibility.check_night_irradiance`).
    """
    issues = check_values(frame, label, names=names)
    if not spec.accept_implausible:
        issues += check_annual_means(frame, label, names=names)
        issues += check_coast_wind(frame, label, str(site.get("surface", "")), names=names)
    lat, lon = float(site["latitude_deg"]), float(site["longitude_deg"])
    timing = check_solar_timing(frame, label, lon)
    return issues + (timing or check_night_irradiance(frame, label, lat, lon))


def _read_csvs(paths: list[Path], site: pd.Series, spec: WeatherSpec) -> pd.DataFrame:
    frames = [read_weather_csv(p, site, timezone=spec.timezone, time_label=spec.csv_time_label) for p in paths]
    frame = pd.concat(frames)
    if len(paths) > 1:
        found = check_index(frame.index, ", ".join(p.name for p in paths))
        found = [i for i in found if "gap" not in i.message]  # gaps between files: judged per year below
        if found:
            raise InputError(found)
    return frame


def _read_station(paths: list[Path], site: pd.Series, spec: WeatherSpec,
                  years: list[int]) -> tuple[pd.DataFrame, list[InputIssue], str]:
    if len(paths) not in (1, len(years)):
        raise InputError(InputIssue("scenario", f"weather.files.{site['site']}",
                                    f"give one file (typical year, reused) or one per year ({len(years)})"))
    parts, issues = [], []
    for k, year in enumerate(years):
        path = paths[0] if len(paths) == 1 else paths[k]
        frame = read_station_file(path, spec.source, site, year, max_distance_km=spec.max_station_distance_km)
        cut, found = select_years(frame, [year], path.name, keep_feb29=len(frame) > 8760)
        issues += found
        parts.append(cut)
    label = ", ".join(p.name for p in paths)
    return pd.concat(parts), issues, label
