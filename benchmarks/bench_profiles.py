"""Time the weather -> capacity-factor stage (not run by pytest).

Usage: ``python benchmarks/bench_profiles.py``. Reports the best of 3 runs for
one site-year (each technology alone and all four) and for 3 years x 4
technologies on the shipped 2 sites, plus 3 years x 8 profiles on 4 sites.
Target: 3 years x 4 technologies under 5 s.
"""

from __future__ import annotations

import os
import sys
import time
import warnings
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
warnings.filterwarnings("ignore")
os.environ["ENERGY_MODEL_CACHE"] = "off"  # time the computation, not a read of the results kept on disk

from energy_model.io.memo import clear_caches  # noqa: E402
from energy_model.profiles import capacity_factors, read_plants  # noqa: E402
from energy_model.profiles.plants import pv_plant, turbine, wind_plant  # noqa: E402
from energy_model.profiles.pv import pv_capacity_factor  # noqa: E402
from energy_model.profiles.wind import wind_capacity_factor  # noqa: E402
from energy_model.weather import WeatherSpec, load_weather, read_sites  # noqa: E402

INPUTS = Path(__file__).resolve().parents[1] / "inputs"


def best(fn, n: int = 3) -> float:
    """Best wall time of ``n`` runs [s]."""
    times = []
    for _ in range(n):
        clear_caches()  # time the computation, not a copy of its cached result
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def main() -> None:
    sites = read_sites(INPUTS / "sites.csv")
    pv, wind = read_plants(INPUTS / "pv_plants.csv", INPUTS / "wind_plants.csv")
    rows = []

    def full(years, s=sites, p=pv, w=wind):
        weather = load_weather(WeatherSpec(years=years), s, INPUTS)
        return capacity_factors(weather, s, p, w)

    w1 = load_weather(WeatherSpec(years=[2021]), sites, INPUTS)
    site = sites.iloc[0]
    rows.append(("synthetic weather, 2 sites x 1 year", best(lambda: load_weather(WeatherSpec(years=[2021]),
                                                                                    sites, INPUTS))))
    rows.append(("utility PV, 1 site-year", best(lambda: pv_capacity_factor(
        w1[site["site"]], pv_plant(pv.iloc[0]), latitude=site["latitude_deg"], longitude=site["longitude_deg"]))))
    wrow = wind.iloc[0]
    rows.append(("onshore wind farm, 1 site-year", best(lambda: wind_capacity_factor(
        w1[wrow["site"]], turbine(wrow), wind_plant(wrow)))))
    rows.append(("weather + 4 technologies, 1 year", best(lambda: full([2021]))))
    rows.append(("weather + 4 technologies, 3 years", best(lambda: full([2019, 2020, 2021]))))

    more = pd.concat([sites, sites.assign(site=sites["site"] + "_b", latitude_deg=sites["latitude_deg"] + 0.3)],
                     ignore_index=True)
    pv8 = pd.concat([pv, pv.assign(profile=pv["profile"] + "_b", site=pv["site"] + "_b")], ignore_index=True)
    wind8 = pd.concat([wind, wind.assign(profile=wind["profile"] + "_b", site=wind["site"] + "_b")],
                      ignore_index=True)
    rows.append(("weather + 8 profiles on 4 sites, 3 years",
                 best(lambda: full([2019, 2020, 2021], more, pv8, wind8))))

    print(f"weather -> capacity factors (best of 3; {os.cpu_count()} CPUs)")
    for name, t in rows:
        print(f"  {name:<45} {t:7.3f} s")
    ok = rows[4][1] < 5.0
    print(f"target 3 years x 4 technologies < 5 s: {'met' if ok else 'MISSED'}")


if __name__ == "__main__":
    main()
