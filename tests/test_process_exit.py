"""``python run.py`` ends without the interpreter's teardown, yet keeps its exit code, output and exit handlers.

The process ends with ``os._exit`` once the exit handlers have run and the
output is flushed (the teardown of a run's objects took about 1 s); run in
a fresh interpreter with an exit handler of its own.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

CODE = """
import atexit, runpy, sys
class Torn:
    def __del__(self):
        print("torn down")
torn = Torn()  # freed only by the interpreter's teardown
atexit.register(lambda: print("exit handler ran"))
sys.argv = ["run.py"] + sys.argv[1:]
runpy.run_path("run.py", run_name="__main__")
print("not reached")
"""


@pytest.mark.parametrize(("args", "code", "out"), [
    (["validate", "scenarios/quick_week.yaml"], 0, "scenarios/quick_week.yaml: valid (336 hours"),
    (["validate", "scenarios/no_such_file.yaml"], 2, ""),
    (["--help"], 0, "usage: run.py"),
    (["no_such_command"], 2, ""),
])
def test_exit_code_output_and_handlers_are_kept(args: list[str], code: int, out: str) -> None:
    proc = subprocess.run([sys.executable, "-c", CODE, *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=300, env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})
    assert proc.returncode == code, proc.stderr
    assert out in proc.stdout
    assert proc.stdout.rstrip().endswith("exit handler ran") and "not reached" not in proc.stdout
    assert "torn down" not in proc.stdout  # no teardown


def test_a_running_thread_is_waited_for() -> None:
    """A thread the interpreter waits for (a pool not shut down) still ends its work: the ordinary exit."""
    code = CODE.replace('atexit.register(lambda: print("exit handler ran"))', """atexit.register(lambda: print("exit handler ran"))
import threading, time
threading.Thread(target=lambda: (time.sleep(0.5), print("thread finished"))).start()""")
    proc = subprocess.run([sys.executable, "-c", code, "--help"], cwd=ROOT, capture_output=True, text=True,
                          timeout=300, env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})
    assert proc.returncode == 0, proc.stderr
    assert "thread finished" in proc.stdout and "exit handler ran" in proc.stdout
