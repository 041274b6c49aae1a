"""Gathering and assembling inputs: a scenario's Case (io readers + weather + profiles) -> ModelInputs Dataset -> LP data (the one unit conversion)."""
