"""Run the city energy-system optimizer. ``python run.py --help`` lists the commands."""

import atexit
import os
import sys
import threading

from energy_model.cli.main import main


def _exit(code: str | int | None) -> None:
    """End the process with ``code`` once every exit handler has run and the output is flushed.

    The interpreter's own teardown (freeing the model's objects one by one,
    about 1 s after a run) is skipped: the operating system frees the memory.
    While a thread that the interpreter would wait for still runs (a pool not
    shut down), the process ends the ordinary way instead. ``code`` is what
    :func:`sys.exit` takes (None, an int, or a message).
    """
    if any(t.is_alive() and not t.daemon and t is not threading.main_thread() for t in threading.enumerate()):
        sys.exit(code)
    if code is not None and not isinstance(code, int):
        print(code, file=sys.stderr)
        code = 1
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass
    os._exit(code or 0)


if __name__ == "__main__":
    try:
        status: str | int | None = main(sys.argv[1:])
    except SystemExit as exc:  # argparse: --help, usage errors
        status = exc.code if isinstance(exc.code, (str, int)) or exc.code is None else str(exc.code)
    _exit(status)
