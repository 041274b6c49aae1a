"""Assembling ModelInputs: validated case -> xarray Dataset (user units) -> LP data (the one unit conversion)."""
