"""What a pathway is: several validated periods, their weights, the fleet's vintages and the foresight.

A pathway strings plain scenarios (one :class:`~energy_model.io.case.Case` per
period) into one plan. Each period's Case is complete and validated on its own
(demand, heat, cost year, build limits, targets, carbon price of that period);
what ties them together lives here:

- ``existing`` capacity in each period's Case is the *starting fleet still in
  service* in that period (retirements applied), never what history later built;
- ``committed`` plants are builds the model must make in the period that
  contains their commissioning year (their capital cost is counted, so a
  lock-in study sees it);
- capacity the model builds in period ``v`` (a vintage) serves every period
  ``p`` with ``year[v] <= year[p] < year[v] + lifetime`` (PyPSA's
  ``build_year`` + ``lifetime`` semantics) and its annualised capital cost,
  at period ``v``'s cost year, is paid in each of those periods;
- period ``p`` stands for ``years[p]`` calendar years; its annual cost is
  weighted by ``W[p] = sum_{k < years[p]} (1 + r) ** -(year[p] + k - year[0])``
  and the LP minimises ``sum_p W[p] / W[0] * cost[p]`` (one period: exactly the
  plain scenario's objective).

This module holds the data classes only; the scenario reader is
:mod:`energy_model.io.pathway_file`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from energy_model.io.case import Case

#: The foresight modes: one LP over all periods, or one LP per period in order.
FORESIGHT = ("perfect", "myopic")


@dataclass(frozen=True)
class Pathway:
    """A validated pathway.

    Attributes
    ----------
    periods : tuple of int
        The periods' years, increasing (e.g. 2020, 2025, 2030).
    years : tuple of int
        Calendar years each period represents [yr] (weights of its annual cost).
    foresight : str
        ``perfect`` or ``myopic`` (:data:`FORESIGHT`).
    discount_rate : float
        Real rate discounting costs between periods to ``periods[0]`` [1/yr].
    cases : tuple of Case
        One validated plain case per period; its ``existing_mw`` /
        ``existing_mwh`` are the starting fleet in service in that period.
    lifetime : mapping of str to float
        Life of newly built capacity per technology [yr].
    committed_mw, committed_mwh : mapping of (str, int) to float
        Builds the model must make: (technology, period year) -> power [MW] /
        storage energy [MWh], summed over the committed plants whose
        commissioning year falls in that period.
    file : str
        The pathway scenario file, for messages.
    attrs : mapping
        Metadata carried into results (scenario name, title, sources...).
    """

    periods: tuple[int, ...]
    years: tuple[int, ...]
    foresight: str
    discount_rate: float
    cases: tuple[Case, ...]
    lifetime: Mapping[str, float]
    committed_mw: Mapping[tuple[str, int], float] = field(default_factory=dict)
    committed_mwh: Mapping[tuple[str, int], float] = field(default_factory=dict)
    file: str = "pathway"
    attrs: Mapping[str, object] = field(default_factory=dict)

    def weights(self) -> tuple[float, ...]:
        """Discounted year weights ``W[p]`` of each period's annual cost [yr].

        Examples
        --------
        >>> p = Pathway((2020, 2025), (5, 5), "perfect", 0.0, (), {})
        >>> p.weights()
        (5.0, 5.0)
        """
        r, y0 = self.discount_rate, self.periods[0]
        return tuple(sum((1.0 + r) ** -(y + k - y0) for k in range(n)) for y, n in zip(self.periods, self.years))

    def alive(self, tech: str, built: int, year: int) -> bool:
        """Whether capacity of ``tech`` built in period year ``built`` serves period year ``year``.

        Examples
        --------
        >>> p = Pathway((2020, 2025), (5, 5), "perfect", 0.0, (), {"wind": 5.0})
        >>> p.alive("wind", 2020, 2020), p.alive("wind", 2020, 2025)
        (True, False)
        """
        return built <= year < built + self.lifetime[tech]
