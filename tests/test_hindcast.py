"""Hindcast 2022: the published fleet with no new build reproduces the city's published new-energy share."""

from __future__ import annotations

from pathlib import Path

import pytest

from energy_model.io.scenario_file import load_scenario

SCENARIO = Path(__file__).resolve().parents[1] / "scenarios" / "hindcast_2022.yaml"

#: New-energy generation / city consumption published for 2022 (data.md section 1.1): 60 % (Sept 2022,
#: Guoxin Binhai project start), 67.6 % (H1 figure of the city, reported in 2023).
PUBLISHED_2022 = (0.60, 0.68)


def test_hindcast_scenario_builds_nothing() -> None:
    """Every generator is capped at what stood in 2022."""
    scen = load_scenario(SCENARIO).scenario
    assert scen.cost_year == 2022
    over = scen.overrides
    for tech in ("offshore_wind", "onshore_wind", "utility_pv", "rooftop_pv", "biomass", "coal_existing",
                 "gas_chp", "gas_boiler"):
        assert over[f"technologies.{tech}.max_mw"] == over[f"technologies.{tech}.existing_mw"], tech
    for tech in ("coal_usc", "ccgt_lng", "ocgt", "battery"):
        assert over[f"technologies.{tech}.max_mw"] == 0, tech
    assert all(t.mode == "report" for t in scen.targets.values())


@pytest.mark.slow
def test_hindcast_2022_new_energy_share_in_published_range(hindcast_summary: dict) -> None:
    """``run_scenario(SCENARIO, write=False)``, run in a subprocess started after collection (conftest)."""
    ref = hindcast_summary["reference"]
    share = ref["new_energy_share"]
    low, high = PUBLISHED_2022
    assert low <= share <= high, f"modelled 2022 new-energy share {share:.1%} outside the published {low:.0%}-{high:.0%}"
    assert ref["unserved_mwh_per_yr"] < 1.0
    assert sum(ref["new_capacity_mw"].values()) < 1e-3  # nothing was built
    assert ref["consumption_mwh_per_yr"] == pytest.approx(43e6, rel=1e-6)
