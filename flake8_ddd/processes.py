"""Work spread over processes: how many, and how the paths are shared among them.

Where processes can be forked (Linux), ``jobs - 1`` workers are forked from this process,
which works too: each process claims the next chunk of paths until none is left (a busy core
only slows its own process), and each worker hands all its results back once, at its end,
through a pipe. Nothing runs in threads and nothing crosses a pipe per path.
(multiprocessing's pool fed and drained chunks of paths from three threads of this process,
which competed with the workers for the cores: 0.36 s of CPU for 16,667 files with ``-j2``.)
The chunks are claimed without a lock, so a process killed from outside (the OOM killer,
SIGKILL) holds nothing the others wait for: before forking, one pipe is filled with a 4-byte
record per chunk (its first index) and its write end closed; a process claims a chunk by
reading one record (the kernel hands each record to one reader) and is done at end of file.
The records fit in 4,096 bytes, one atomic write (PIPE_BUF) that no Linux pipe is too small
for; more chunks would not fit, so a long list has larger chunks. A worker that ends without
its results (killed, out of memory) fails the run with how it ended: its files were not
checked. Elsewhere, multiprocessing's pool with ``jobs`` workers, started the platform's way.
What only several processes need is imported when they are started (a one-file check has no
use for it).
"""

from __future__ import annotations

import os
import sys
from typing import Any, Callable, List, NoReturn, Optional, Sequence, Tuple, TypeVar

T = TypeVar("T")


class WorkerFailed(RuntimeError):
    """A forked worker failed or ended without its results: the run cannot be complete."""


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
    the processes cannot be started (no pipe, no semaphores: the caller works alone).
    ``initializer(*initargs)`` prepares a process to call ``function``; ``finish()`` runs in
    each forked worker after its last path (what the process learned, stored). A worker that
    fails, or ends without its results, raises :class:`WorkerFailed` saying how."""
    if can_fork():
        return _forked(function, paths, jobs, initializer, initargs, finish)
    return _pooled(function, paths, jobs, initializer, initargs)


#: Bytes of one claimed chunk's record (its first index), and all records' room in the pipe.
_RECORD = 4
_CLAIMS_ROOM = 4096  # PIPE_BUF: written whole or not at all, and every Linux pipe holds a page


def _forked(function: Callable[[str], T], paths: Sequence[str], jobs: int,
            initializer: Callable[..., None], initargs: Tuple[Any, ...],
            finish: Optional[Callable[[], None]]) -> Optional[List[T]]:
    size = chunk_size(len(paths), jobs)
    claims = _claims(len(paths), size)
    if claims is None:  # no pipe (no file descriptors left)
        return None

    def work() -> List[T]:
        done: List[T] = []
        while True:
            record = os.read(claims, _RECORD)
            if len(record) < _RECORD:  # end of file: every chunk is claimed
                return done
            start = int.from_bytes(record, "little")
            done.extend(map(function, paths[start:start + size]))

    workers: List[Tuple[int, int]] = []
    try:
        initializer(*initargs)
        for stream in (sys.stdout, sys.stderr):  # nothing buffered is written twice
            stream.flush()
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
            done.extend(_collect(workers))
        return done
    finally:
        _stop(workers)
        os.close(claims)


def chunk_size(count: int, jobs: int) -> int:
    """Paths per claimed chunk: a few, so that the processes end together, but never so few
    that the chunks' records overflow the claims pipe."""
    size = max(1, min(16, count // (jobs * 32)))
    most = _CLAIMS_ROOM // _RECORD
    return max(size, -(-count // most))


def _claims(count: int, size: int) -> Optional[int]:
    """The read end of a pipe holding one record per chunk of ``size`` of ``count`` paths, its
    write end closed (a read past the last record is end of file); None without a pipe."""
    records = b"".join(start.to_bytes(_RECORD, "little") for start in range(0, count, size))
    try:  # never blocking: a write that does not fit fails instead of waiting for ever
        read, write = os.pipe2(os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError:
        return None
    try:
        written = os.write(write, records) if records else 0
    except OSError:
        written = -1
    os.close(write)
    if written != len(records):
        os.close(read)
        return None
    return read


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


def _collect(workers: List[Tuple[int, int]]) -> List[Any]:
    """The first worker's results, once it has written them all and ended; it leaves the list
    when reaped (its pid may then be another process's: never to be signalled)."""
    import pickle

    pid, read = workers[0]
    workers[0] = (pid, -1)  # its pipe is closed here, whatever happens
    with os.fdopen(read, "rb") as pipe:
        data = pipe.read()
    _, status = os.waitpid(pid, 0)
    del workers[0]
    try:
        kind, value = pickle.loads(data)
    except Exception:  # noqa: BLE001 - it died before writing all (killed, out of memory)
        raise WorkerFailed(f"worker process {pid} {_ending(status)} before handing back its "
                           "results; the files it took were not checked") from None
    if kind != "done":
        raise WorkerFailed(f"worker process {pid} failed: {value}")
    return value


def _ending(status: int) -> str:
    """How a process ended, from its wait status: 'was killed by SIGKILL', 'exited with status 3'."""
    import signal

    code = os.waitstatus_to_exitcode(status)
    if code >= 0:
        return f"exited with status {code}"
    try:
        return f"was killed by {signal.Signals(-code).name}"
    except ValueError:
        return f"was killed by signal {-code}"


def _stop(workers: List[Tuple[int, int]]) -> None:
    """End the workers not collected (this process failed or was interrupted)."""
    import signal

    for pid, read in workers:
        try:
            os.kill(pid, signal.SIGTERM)
        except OSError:
            pass
        try:
            if read >= 0:
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
