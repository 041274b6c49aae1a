"""Former home of the run orchestrator, kept so that users' code importing it still works.

The run is orchestrated in :mod:`energy_model.workflows.run`; import from
there (or from :mod:`energy_model.api`). Nothing in the package imports this
module.
"""

from __future__ import annotations

from energy_model.workflows.run import HOURLY_DECIMALS, RunOutcome, hourly_table, run_scenario, versions

__all__ = ["RunOutcome", "run_scenario", "hourly_table", "versions", "HOURLY_DECIMALS"]
