"""City power-system capacity-expansion and dispatch optimizer.

Weather -> hourly wind/PV capacity factors (pvlib, windpowerlib) -> least-cost
Pyomo LP solved with HiGHS -> results, target scorecard and report.
"""

__version__ = "0.1.0"
