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
