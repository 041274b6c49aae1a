"""Wind turbines: windpowerlib's shipped library or a generic power curve (pure).

Only the LOCAL turbine library of windpowerlib is used (its ``*_oedb``
download functions are never called). Curves that imply a power coefficient
above the Betz limit are rejected.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from windpowerlib import WindTurbine, get_turbine_types

from energy_model.errors import InputError, InputIssue

#: Betz limit of the power coefficient [-].
BETZ_LIMIT = 16.0 / 27.0
#: Air density of the standard power curve [kg/m3].
RHO_STANDARD = 1.225
#: Library turbines whose published curves are physically impossible (Cp > Betz).
BANNED_TURBINES = frozenset({"V164/8000", "S152/6330", "E-101/3050"})


def implied_cp_max(wind_speed: np.ndarray, power_w: np.ndarray, rotor_diameter_m: float,
                   v_min: float = 3.0) -> float:
    """Largest power coefficient implied by a power curve.

    Parameters
    ----------
    wind_speed : numpy.ndarray
        Wind speeds of the curve [m/s].
    power_w : numpy.ndarray
        Electrical power [W].
    rotor_diameter_m : float
        Rotor diameter [m].
    v_min : float, default 3
        Ignore points below this speed [m/s] (rounding noise near cut-in).

    Returns
    -------
    float
        ``max P / (0.5 rho A v^3)`` at standard density [-].
    """
    v = np.asarray(wind_speed, dtype=float)
    p = np.asarray(power_w, dtype=float)
    sel = v >= v_min
    if not sel.any():
        return 0.0
    area = np.pi * rotor_diameter_m**2 / 4.0
    return float(np.max(p[sel] / (0.5 * RHO_STANDARD * area * v[sel] ** 3)))


def generic_power_curve(rated_power_w: float, rotor_diameter_m: float, *, cp: float = 0.45,
                        cut_in: float = 3.0, cut_out: float = 25.0, step: float = 0.5) -> pd.DataFrame:
    """Generic power curve from rated power and rotor diameter.

    ``P(v) = min(0.5 rho A cp v^3, P_rated)`` between cut-in and cut-out, zero
    elsewhere, at standard density.

    Parameters
    ----------
    rated_power_w : float
        Rated power [W].
    rotor_diameter_m : float
        Rotor diameter [m].
    cp : float, default 0.45
        Power coefficient below rated [-].
    cut_in, cut_out : float
        Cut-in and cut-out wind speeds [m/s].
    step : float, default 0.5
        Wind-speed step of the table [m/s].

    Returns
    -------
    pandas.DataFrame
        Columns ``wind_speed`` [m/s] and ``value`` [W], as windpowerlib expects.
    """
    v = np.arange(0.0, cut_out + step / 2, step)
    area = np.pi * rotor_diameter_m**2 / 4.0
    p = np.minimum(0.5 * RHO_STANDARD * area * cp * v**3, rated_power_w)
    p[(v < cut_in)] = 0.0
    v = np.append(v, cut_out + 0.01)
    p = np.append(p, 0.0)
    return pd.DataFrame({"wind_speed": v, "value": p})


def library_turbine_types() -> list[str]:
    """Names of the turbines with a power curve in windpowerlib's shipped library."""
    df = get_turbine_types(turbine_library="local", print_out=False, filter_=True)
    return sorted(df["turbine_type"].astype(str))


def make_turbine(turbine_type: str, hub_height_m: float, *, rated_power_mw: float | None = None,
                 rotor_diameter_m: float | None = None, file: str = "wind_plants.csv",
                 where: str = "turbine_type", line: int | None = None) -> WindTurbine:
    """Build a windpowerlib turbine, checking it is physically possible.

    Parameters
    ----------
    turbine_type : str
        A type of windpowerlib's shipped library (e.g. ``"E-141/4200"``) or
        ``"generic"`` (curve from ``rated_power_mw`` and ``rotor_diameter_m``).
    hub_height_m : float
        Hub height [m].
    rated_power_mw : float, optional
        Rated power [MW] (generic turbines).
    rotor_diameter_m : float, optional
        Rotor diameter [m] (generic turbines).
    file, where, line : optional
        Location used in error messages.

    Returns
    -------
    windpowerlib.WindTurbine

    Raises
    ------
    InputError
        Unknown or banned type, missing generic parameters, hub height not
        above the blade tip radius, or a curve above the Betz limit.
    """
    def fail(msg: str, value: object = None) -> InputError:
        return InputError(InputIssue(file, where, msg, value=value, line=line))

    if turbine_type in BANNED_TURBINES:
        raise fail(f"turbine {turbine_type} is not allowed: its library power curve exceeds the Betz limit "
                   f"(Cp > {BETZ_LIMIT:.3f})", turbine_type)
    if turbine_type == "generic":
        if not rated_power_mw or not rotor_diameter_m or rated_power_mw <= 0 or rotor_diameter_m <= 0:
            raise fail("a generic turbine needs rated_power_mw > 0 and rotor_diameter_m > 0",
                       (rated_power_mw, rotor_diameter_m))
        curve = generic_power_curve(rated_power_mw * 1e6, rotor_diameter_m)
        nominal, rotor = rated_power_mw * 1e6, rotor_diameter_m
        kwargs = dict(nominal_power=nominal, rotor_diameter=rotor, power_curve=curve)
    else:
        known = library_turbine_types()
        if turbine_type not in known:
            close = [k for k in known if k.split("/")[0] == str(turbine_type).split("/")[0]][:6]
            raise fail(f"unknown turbine type (not in windpowerlib's shipped library with a power curve); "
                       f"similar: {close or known[:6]}; or use 'generic'", turbine_type)
        kwargs = dict(turbine_type=turbine_type)
    if hub_height_m is None or not np.isfinite(hub_height_m):
        raise fail("hub height missing", hub_height_m)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            turbine = WindTurbine(hub_height=float(hub_height_m), **kwargs)
    except ValueError as exc:  # windpowerlib rejects hub_height <= rotor_diameter / 2
        raise fail(f"hub height must exceed half the rotor diameter ({exc})", hub_height_m) from None
    cp = implied_cp_max(turbine.power_curve["wind_speed"], turbine.power_curve["value"], turbine.rotor_diameter)
    if cp > BETZ_LIMIT:
        raise fail(f"power curve of turbine {turbine_type} implies Cp = {cp:.2f}, above the Betz limit "
                   f"{BETZ_LIMIT:.3f}: physically impossible", turbine_type)
    return turbine
