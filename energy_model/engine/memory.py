"""Keep the resident memory of a process low: hand freed heap back, run a memory-hungry step in a fork.

Why. A solver process is forked from the process that built and compiled
the model, and every page resident in that process at the fork counts again
in the child's resident memory. So what the compile leaves behind (freed
heap the allocator keeps, and Python's small-object arenas pinned by a few
survivors) would be paid once more in each solver process, on top of what
HiGHS needs there.
"""

from __future__ import annotations

import ctypes
import gc
import multiprocessing as mp
import os
import sys
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")


def release_memory(collect: bool = True) -> None:
    """Collect garbage, then return freed heap to the operating system (glibc's ``malloc_trim``).

    Every page resident in a process when it forks counts again in the
    child's resident memory, and the allocator keeps freed heap until told
    otherwise; so the engine calls this before forking the solver processes
    and in a solver process before HiGHS runs. Elsewhere than on Linux with
    glibc only the garbage is collected. Values and results are untouched.

    Parameters
    ----------
    collect : bool
        Run the garbage collector first. A forked child passes False: the
        collector would write to every object it inherited and so copy the
        parent's pages.
    """
    if collect:
        gc.collect()
    if not sys.platform.startswith("linux"):
        return
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):  # not glibc (e.g. musl): nothing to trim
        pass


#: ``mallopt`` parameter of glibc's most malloc arenas (``M_ARENA_MAX``).
M_ARENA_MAX = -8


def one_malloc_arena() -> None:
    """Let every thread of this process allocate from glibc's main malloc arena (``M_ARENA_MAX`` = 1).

    HiGHS solves in a worker thread of its own; in an arena of its own that
    thread's allocations peaked 65 MB higher on the plan year (a solver
    process: 0.98 GB against 0.91 GB, benchmarks/bench_memory.py). Called in
    the forked solver processes only, whose one solving thread has no
    competitor for the arena. Nothing happens elsewhere than on Linux with glibc.
    """
    if not sys.platform.startswith("linux"):
        return
    try:
        ctypes.CDLL("libc.so.6").mallopt(M_ARENA_MAX, 1)
    except (OSError, AttributeError):  # not glibc
        pass


def _child(fn: Callable[..., Any], args: tuple[Any, ...], conn: Any) -> None:
    """Run ``fn(*args)`` in the forked process and send ``("ok", result)``, or ``("error",)``."""
    try:
        conn.send(("ok", fn(*args)))
    except BaseException:  # noqa: BLE001 - the parent runs it again itself to raise the same error
        conn.send(("error",))
    finally:
        conn.close()
        os._exit(0)


def in_forked_process(fn: Callable[..., T], *args: Any) -> T:
    """``fn(*args)``, computed in a forked copy of this process; its result comes back pickled.

    The memory the call allocates, transient or left fragmented, goes with
    the forked process. ``fn`` sees this process as it is (the same objects,
    at the same ``id``), but what it changes stays in the fork: use it for
    pure computations with a picklable result. Where ``fork`` is not
    available, in a daemon process (which may not have children), or when
    the call fails there, ``fn`` runs here, so an error is raised as usual.
    """
    if "fork" not in mp.get_all_start_methods() or mp.current_process().daemon:
        return fn(*args)
    ctx = mp.get_context("fork")
    receive, send = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_child, args=(fn, args, send), daemon=True)
    message: tuple[Any, ...] = ("error",)
    try:
        proc.start()
        send.close()
        message = receive.recv()
        proc.join()
    except (EOFError, OSError):  # no fork (out of memory) or no answer (killed): computed here instead
        pass
    finally:
        send.close()
        receive.close()
        if proc.is_alive():  # interrupted (Ctrl-C) while waiting
            proc.terminate()
            proc.join()
    return message[1] if message[0] == "ok" else fn(*args)
