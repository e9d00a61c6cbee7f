"""Work spread over processes: how many, and how the paths are shared among them.

Where processes can be forked (Linux), ``jobs - 1`` workers are forked from this process,
which works too: each process takes the next few paths from a counter they share until none is
left (a busy core only slows its own process), and each worker hands all its results back
once, at its end, through a pipe. Nothing runs in threads and nothing crosses a pipe per path.
(multiprocessing's pool fed and drained chunks of paths from three threads of this process,
which competed with the workers for the cores: 0.36 s of CPU for 16,667 files with ``-j2``.)
Elsewhere, multiprocessing's pool with ``jobs`` workers, started the platform's way. What only
several processes need is imported when they are started (a one-file check has no use for it).
"""

from __future__ import annotations

import os
import sys
from typing import Any, Callable, List, NoReturn, Optional, Sequence, Tuple, TypeVar

T = TypeVar("T")


def job_count(requested: Optional[int], files: int) -> int:
    """Processes for ``files`` files: as requested (default: one per core), but never more
    than the files or the cores (``--jobs 1500`` must not fork 1,500 processes)."""
    cores = usable_cores()
    return max(1, min(cores if requested is None else min(requested, cores), files))


def usable_cores() -> int:
    """The cores this process may run on (its CPU affinity where the platform tells)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))  # type: ignore[attr-defined]
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def can_fork() -> bool:
    return sys.platform.startswith("linux") and hasattr(os, "fork")


def map_in_workers(function: Callable[[str], T], paths: Sequence[str], jobs: int,
                   initializer: Callable[..., None], initargs: Tuple[Any, ...],
                   finish: Optional[Callable[[], None]] = None) -> Optional[List[T]]:
    """``function`` of every path, in ``jobs`` processes, in no particular order; None when
    the processes cannot be started (no semaphores: the caller works in this process alone).
    ``initializer(*initargs)`` prepares a process to call ``function``; ``finish()`` runs in
    each forked worker after its last path (what the process learned, stored)."""
    if can_fork():
        return _forked(function, paths, jobs, initializer, initargs, finish)
    return _pooled(function, paths, jobs, initializer, initargs)


def _forked(function: Callable[[str], T], paths: Sequence[str], jobs: int,
            initializer: Callable[..., None], initargs: Tuple[Any, ...],
            finish: Optional[Callable[[], None]]) -> Optional[List[T]]:
    import multiprocessing  # only for a run in several processes

    context = multiprocessing.get_context("fork")
    try:
        taken, lock = context.RawValue("q", 0), context.Lock()
    except (OSError, ImportError):  # no semaphores here (no /dev/shm)
        return None
    size = max(1, min(16, len(paths) // (jobs * 32)))

    def work() -> List[T]:
        done: List[T] = []
        while True:
            with lock:
                start = taken.value
                taken.value = start + size
            if start >= len(paths):
                return done
            done.extend(map(function, paths[start:start + size]))

    initializer(*initargs)
    for stream in (sys.stdout, sys.stderr):  # nothing buffered is written twice
        stream.flush()
    workers: List[Tuple[int, int]] = []
    try:
        for _ in range(jobs - 1):
            read, write = os.pipe()
            try:
                pid = os.fork()
            except OSError:  # no more processes: the ones started share the rest
                os.close(read)
                os.close(write)
                break
            if pid == 0:
                os.close(read)
                _work_in_child(work, write, finish)
            os.close(write)
            workers.append((pid, read))
        done = work()
        while workers:
            pid, read = workers[0]
            done.extend(_collect(pid, read))
            workers.pop(0)
        return done
    finally:
        _stop(workers)


def _work_in_child(work: Callable[[], List[Any]], write: int,
                   finish: Optional[Callable[[], None]]) -> NoReturn:
    """A forked worker's whole life: its share, then its results down the pipe."""
    import pickle

    status = 1
    try:
        try:
            result: Tuple[str, Any] = ("done", work())
            if finish is not None:
                finish()
        except BaseException as error:  # KeyboardInterrupt too: the parent says what it was
            result = ("failed", f"{type(error).__name__}: {error}")
        with os.fdopen(write, "wb") as pipe:
            pipe.write(pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL))
        status = 0 if result[0] == "done" else 1
    finally:
        os._exit(status)  # never this process's exit handlers: they are the parent's


def _collect(pid: int, read: int) -> List[Any]:
    """A worker's results, once it has written them all and ended."""
    import pickle

    with os.fdopen(read, "rb") as pipe:
        data = pipe.read()
    os.waitpid(pid, 0)
    try:
        kind, value = pickle.loads(data)
    except Exception:  # noqa: BLE001 - it died before writing (killed, out of memory)
        raise RuntimeError(f"flake8-ddd: worker process {pid} ended without its results") from None
    if kind != "done":
        raise RuntimeError(f"flake8-ddd: worker process {pid} failed: {value}")
    return value


def _stop(workers: List[Tuple[int, int]]) -> None:
    """End the workers not collected (this process failed or was interrupted)."""
    import signal

    for pid, read in workers:
        try:
            os.kill(pid, signal.SIGTERM)
        except OSError:
            pass
        try:
            os.close(read)
        except OSError:
            pass
        try:
            os.waitpid(pid, 0)
        except OSError:
            pass


def _pooled(function: Callable[[str], T], paths: Sequence[str], jobs: int,
            initializer: Callable[..., None], initargs: Tuple[Any, ...]) -> Optional[List[T]]:
    import multiprocessing  # only for a run in several processes

    chunk = max(1, min(64, len(paths) // (jobs * 8)))
    try:
        pool = multiprocessing.get_context().Pool(jobs, initializer=initializer, initargs=initargs)
    except OSError:
        return None
    try:
        done = list(pool.imap_unordered(function, paths, chunksize=chunk))
    except BaseException:
        pool.terminate()
        pool.join()
        raise
    pool.close()
    pool.join()
    return done
