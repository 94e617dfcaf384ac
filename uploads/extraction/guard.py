"""Runs extraction in a forked child with memory, CPU and wall-clock limits.

A PyMuPDF segfault or hang, or a decompression bomb, kills only the child. The child is forked
from a process that has already imported the extractors, so it does not pay their import again.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import resource
import threading
from collections.abc import Callable
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import Any

from uploads.errors import PermanentError


def virtual_memory_bytes() -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmSize:"):
                return int(line.split()[1]) * 1024
    return 0


def _child(writer: Connection, func: Callable[..., Any], args: tuple, memory_mb: int, cpu_seconds: int) -> None:
    # The objects inherited from the worker are not the child's garbage: a collection walking them
    # would touch (and so copy) their memory pages for nothing.
    gc.freeze()
    # The limit is on top of what the forked process already maps (threads' stacks and arenas).
    limit = virtual_memory_bytes() + memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + 1))
    try:
        outcome: tuple[str, Any] = ("ok", func(*args))
    except PermanentError as exc:
        outcome = ("error", (exc.code, exc.detail))
    except MemoryError:
        outcome = ("error", ("extraction_too_big", f"over {memory_mb} MB"))
    except Exception as exc:  # noqa: BLE001 - reported to the parent, which decides
        outcome = ("error", ("processing_failed", f"{type(exc).__name__}: {exc}"[:500]))
    try:
        writer.send(outcome)
    except MemoryError:
        writer.send(("error", ("extraction_too_big", "result too large")))
    writer.close()


def _reap(process: BaseProcess, grace: float = 10) -> None:
    process.join(grace)
    if process.is_alive():
        process.kill()
    process.join(10)


def run_guarded(func: Callable[..., Any], *args: Any, timeout: float, memory_mb: int) -> Any:
    context = multiprocessing.get_context("fork")
    reader, writer = context.Pipe(duplex=False)
    process = context.Process(target=_child, args=(writer, func, args, memory_mb, int(timeout) + 1), daemon=True)
    process.start()
    writer.close()
    outcome: tuple[str, Any] | None = None
    answered = False
    try:
        if reader.poll(timeout):
            try:
                outcome = reader.recv()
                answered = True
            except EOFError:
                outcome = None
        else:
            outcome = ("error", ("extraction_timeout", f"no result after {timeout} s"))
    finally:
        reader.close()
        if answered:
            # The child has sent its result and is exiting; waiting for its memory to be unmapped
            # would add milliseconds to every upload, so a thread reaps it.
            threading.Thread(target=_reap, args=(process,), daemon=True).start()
        else:
            _reap(process, grace=0 if outcome else 1)  # a crashed child gets a moment to report its signal
    if outcome is None:
        code = process.exitcode
        if code == -24:  # SIGXCPU: the CPU limit
            raise PermanentError("extraction_timeout", "CPU limit reached")
        if code == -9:  # SIGKILL from the kernel's OOM killer
            raise PermanentError("extraction_too_big", "child killed by SIGKILL")
        raise PermanentError("extraction_crashed", f"child exit code {code} (pid {os.getpid()} survived)")
    status, payload = outcome
    if status == "error":
        raise PermanentError(*payload)
    return payload
