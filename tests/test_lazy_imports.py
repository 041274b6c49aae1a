"""Start-up imports only what a command needs: ``run.py --help`` loads no numerical library.

Run in a fresh interpreter (the test process has them all loaded already).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HEAVY = ("numpy", "pandas", "xarray", "pyomo", "scipy", "matplotlib", "openpyxl", "highspy", "pvlib", "windpowerlib",
         "dask", "netCDF4")

CODE = """
import atexit, json, runpy, sys
atexit.register(lambda: print(json.dumps(sorted({m.split('.')[0] for m in sys.modules}))))
sys.argv = ["run.py", "--help"]
runpy.run_path("run.py", run_name="__main__")
"""


def test_help_imports_no_numerical_library() -> None:
    proc = subprocess.run([sys.executable, "-c", CODE], cwd=ROOT, capture_output=True, text=True, timeout=120,
                          env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})
    assert proc.returncode == 0, proc.stderr
    loaded = set(json.loads(proc.stdout.strip().splitlines()[-1]))
    assert "energy_model" in loaded
    assert sorted(loaded & set(HEAVY)) == []


SOLVE = """
import json, sys
from test_change_path import build
from test_compile_once import SYSTEM
from energy_model.engine.study import Study
study = Study(build(SYSTEM))  # a case of tables and profiles: no weather to compute
res = study.solve()
loaded = [m for m in ("dask.array", "scipy.stats", "scipy.integrate", "scipy.spatial") if m in sys.modules]
import dask.array as da, scipy.stats, xarray as xr
x = xr.DataArray(da.ones(4, chunks=2))
print(json.dumps({"loaded": loaded, "objective": res.attrs["objective_cny_per_yr"], "chunks": list(x.chunks[0]),
                  "sum": float(x.sum()), "norm": float(scipy.stats.norm.cdf(0.0)), "sparse": "scipy.sparse" in sys.modules}))
"""


def test_a_solve_imports_neither_dask_arrays_nor_scipy_stats() -> None:
    """xarray's "is it a dask array?" and Pyomo's scipy callback no longer load dask.array and scipy.stats.

    Both cost 1-2 s of every run's start-up (energy_model/io/dask_probe.py,
    energy_model/engine/scipy_lean.py). Once a user imports them, dask arrays and
    scipy.stats work as before.
    """
    proc = subprocess.run([sys.executable, "-c", SOLVE], cwd=ROOT, capture_output=True, text=True,
                          timeout=300, env={"PYTHONPATH": f"{ROOT}:{ROOT / 'tests'}", "PATH": "/usr/bin:/bin",
                                            "ENERGY_MODEL_CACHE": "off"})
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    assert out["loaded"] == []
    assert out["sparse"] is True  # the compiler's matrices
    assert out["objective"] > 0
    assert out["chunks"] == [2, 2] and out["sum"] == 4.0  # a dask array is still one once dask.array is loaded
    assert out["norm"] == 0.5
