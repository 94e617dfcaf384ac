"""Runs extraction (and other work on untrusted files) in a forked child with memory, CPU and
wall-clock limits.

A PyMuPDF segfault or hang, or a decompression bomb, kills only the child. The child is forked
from a process that has already imported the extractors, so it does not pay their import again.

A worker process keeps a few children between jobs (`helpers_keep`): a child forked per document
cost a small document 15 to 25 ms, as much as PyMuPDF's own work on it (the fork of a 160 MB
process, then its memory pages copied on write while the child ran; `make bench`). Each job gets
its own limits. A child that crashes, hangs or fails a job is never used again, and one that has
grown or done HELPER_JOBS jobs retires, so a bad file still costs only the child it ran in. The
web process keeps none: each job there forks a child that ends with it.
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import multiprocessing
import os
import resource
import signal
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from multiprocessing.reduction import ForkingPickler
from typing import Any

from core.errors import PermanentError

HELPER_JOBS = 200
JOB, STARTED = "job", "started"  # a job is announced, and sent once the child answers
HELPER_PRIVATE_MB = 32  # a child holding more memory of its own retires (a big document leaves 15 to 20 MB)
IDLE_SECONDS = 0.05  # a child this long without a new job gives memory back
MB = 1024 * 1024


def virtual_memory_bytes() -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmSize:"):
                return int(line.split()[1]) * 1024
    return 0


def _private_bytes() -> int:
    """Memory only this process holds, not the pages it still shares with the worker."""
    total = 0
    with open("/proc/self/smaps_rollup") as rollup:
        for line in rollup:
            if line.startswith(("Private_Clean:", "Private_Dirty:")):
                total += int(line.split()[1]) * 1024
    return total


class ChildStopped(RuntimeError):
    """Transient: the actor's retry runs the job again."""


@dataclass
class _Child:
    process: BaseProcess
    connection: Connection


_idle: list[_Child] = []
_keep = 0
_lock = threading.Lock()
_fork_lock = threading.Lock()


def helpers_keep(count: int) -> None:
    """This process keeps up to `count` idle children for its next jobs (the worker does)."""
    global _keep
    _keep = count


def helpers_start() -> None:
    """Forks the children to keep now (at worker boot, after the warm-up they inherit)."""
    with _lock:
        missing = _keep - len(_idle)
    for _ in range(missing):
        child = _fork()
        with _lock:
            _idle.append(child)


def helpers_stop() -> None:
    """Ends this process's idle children (new ones are forked for the next jobs)."""
    with _lock:
        children = _idle[:]
        _idle.clear()
    for child in children:
        child.process.kill()
        child.connection.close()
        threading.Thread(target=_reap, args=(child.process, 0), daemon=True).start()


def _fork() -> _Child:
    context = multiprocessing.get_context("fork")
    # One fork at a time: a child forked while another's end of its pipe is still open here would
    # keep that end open for its whole life, and a crash of the other would no longer read as one.
    with _fork_lock:
        ours, theirs = context.Pipe()
        process = context.Process(target=_serve, args=(theirs, os.getpid()), daemon=True)
        process.start()
        theirs.close()
    return _Child(process, ours)


def _take() -> _Child | None:
    with _lock:
        while _idle:
            child = _idle.pop()
            if child.process.is_alive():
                return child
            child.connection.close()
    return None


def _give_back(child: _Child, retiring: bool) -> None:
    with _lock:
        if not retiring and len(_idle) < _keep:
            _idle.append(child)
            return
    if not retiring:  # a retiring child exits by itself
        with contextlib.suppress(OSError):
            child.connection.send(None)  # "no more jobs"
    child.connection.close()
    threading.Thread(target=_reap, args=(child.process,), daemon=True).start()


# --- in the child ---------------------------------------------------------------------------------


def _serve(connection: Connection, parent: int) -> None:
    # The objects inherited from the worker are not the child's garbage: a collection walking them
    # would touch (and so copy) their memory pages for nothing.
    gc.freeze()
    # Not the worker's handlers: a SIGTERM ends the child at once (its job is retried, see
    # _crash_error); Ctrl-C reaches the worker, which ends its children (helpers_stop). The children
    # of a killed worker follow it (_exit_with).
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    threading.Thread(target=_exit_with, args=(parent,), name="guard-parent", daemon=True).start()
    for jobs in range(1, HELPER_JOBS + 1):
        try:
            if connection.recv() != JOB:
                return  # None: no more jobs
            connection.send(STARTED)
            func, args, memory_mb, cpu_seconds = connection.recv()
        except EOFError:
            return
        _limit(virtual_memory_bytes() + memory_mb * MB, cpu_seconds)
        status, payload = _outcome(func, args, memory_mb)
        retiring = status == "error" or jobs == HELPER_JOBS
        try:
            connection.send((status, payload, retiring))
        except MemoryError:
            connection.send(("error", ("extraction_too_big", "result too large"), True))
        del payload
        if retiring:
            return
        if not connection.poll(IDLE_SECONDS):  # between documents, not while the next one waits
            _release_caches()
            if _private_bytes() > HELPER_PRIVATE_MB * MB:
                return  # a grown child is found gone when it is next taken, and replaced


def _limit(memory_bytes: int, cpu_seconds: int) -> None:
    """This job's limits: memory on top of what the child maps now (threads' stacks, arenas, what
    earlier jobs left mapped), CPU seconds on top of what it has used. Soft limits, so the next job
    can set its own."""
    resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, resource.getrlimit(resource.RLIMIT_AS)[1]))
    used = sum(os.times()[:2])
    resource.setrlimit(resource.RLIMIT_CPU, (int(used) + cpu_seconds, resource.getrlimit(resource.RLIMIT_CPU)[1]))


def _outcome(func: Callable[..., Any], args: tuple, memory_mb: int) -> tuple[str, Any]:
    try:
        return "ok", func(*args)
    except PermanentError as exc:
        return "error", (exc.code, exc.detail)
    except MemoryError:
        return "error", ("extraction_too_big", f"over {memory_mb} MB")
    except Exception as exc:  # noqa: BLE001 - reported to the parent, which decides
        return "error", ("processing_failed", f"{type(exc).__name__}: {exc}"[:500])


def _release_caches() -> None:
    # MuPDF keeps fonts and images of the last document in its store (up to 256 MB) for the next
    # one; a child serving many documents gives that memory back instead.
    pymupdf = sys.modules.get("pymupdf")
    if pymupdf is not None:
        pymupdf.TOOLS.store_shrink(100)
    gc.collect()
    _malloc_trim(0)


def _malloc_trim(pad: int) -> None:
    """glibc keeps freed memory for the next allocations; a child waiting for its next document
    gives it back (about 8 MB of what a 300-page PDF and an 800k-character DOCX left behind)."""
    with contextlib.suppress(OSError, AttributeError):  # not glibc: nothing to do
        ctypes.CDLL("libc.so.6").malloc_trim(pad)


def _exit_with(parent: int) -> None:
    """A child whose worker was killed (SIGKILL, OOM) would wait for work forever: it follows."""
    while os.getppid() == parent:
        time.sleep(1)
    os._exit(0)


# --- in the worker or web process -----------------------------------------------------------------


def _reap(process: BaseProcess, grace: float = 10) -> None:
    process.join(grace)
    if process.is_alive():
        process.kill()
    process.join(10)


def _send(func: Callable[..., Any], args: tuple, timeout: float, memory_mb: int) -> _Child:
    job = bytes(ForkingPickler.dumps((func, args, memory_mb, int(timeout) + 1)))  # before a child is taken
    child = _take()
    if child is not None and not _started(child, wait=5):
        _end(child, grace=0)  # it died or hangs while it waited: not this job's doing, a new one
        child = None
    if child is None:
        child = _fork()
        if not _started(child, wait=timeout):
            _end(child, grace=1)
            raise _crash_error(child.process.exitcode)
    try:
        child.connection.send_bytes(job)  # it is reading: a big job does not block on a full pipe
    except OSError:
        _end(child, grace=1)
        raise _crash_error(child.process.exitcode) from None
    return child


def _started(child: _Child, wait: float) -> bool:
    """Whether the child takes a job: it answers STARTED to JOB before the job itself is sent."""
    try:
        child.connection.send(JOB)
        return child.connection.poll(wait) and child.connection.recv() == STARTED
    except (OSError, EOFError):
        return False


def run_guarded(func: Callable[..., Any], *args: Any, timeout: float, memory_mb: int) -> Any:
    """`func(*args)` in a child with `memory_mb` more memory, `timeout` seconds; its result, a
    PermanentError (extraction_crashed, extraction_timeout, extraction_too_big, its own) or
    ChildStopped."""
    child = _send(func, args, timeout, memory_mb)
    if not child.connection.poll(timeout):
        _end(child, grace=0)
        raise PermanentError("extraction_timeout", f"no result after {timeout} s")
    try:
        status, payload, retiring = child.connection.recv()
    except EOFError:  # it died
        _end(child, grace=1)  # a moment to report its signal
        raise _crash_error(child.process.exitcode) from None
    # It goes back to the idle ones, or a thread waits for its exit (waiting here for its memory
    # to be unmapped would add milliseconds to every upload).
    _give_back(child, retiring)
    if status == "error":
        raise PermanentError(*payload)
    return payload


def _end(child: _Child, grace: float) -> None:
    child.connection.close()
    _reap(child.process, grace)


def _crash_error(code: int | None) -> Exception:
    if code == -signal.SIGTERM:  # a restart's SIGTERM to the worker's process group: not the file's fault
        return ChildStopped("the child was stopped (SIGTERM); the job is to be retried")
    if code == -signal.SIGXCPU:  # the CPU limit
        return PermanentError("extraction_timeout", "CPU limit reached")
    if code == -signal.SIGKILL:  # the kernel's OOM killer
        return PermanentError("extraction_too_big", "child killed by SIGKILL")
    return PermanentError("extraction_crashed", f"child exit code {code} (pid {os.getpid()} survived)")
