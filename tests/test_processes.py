"""Work spread over processes (flake8_ddd.processes): real forks, every path once, failures told."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from typing import List, Tuple

import pytest

from flake8_ddd import processes

PATHS = [f"app/feature_{n}/services/module_{n}.py" for n in range(203)]
_PREFIX: List[str] = []


def _prepare(prefix: str) -> None:
    _PREFIX[:] = [prefix]


def _label(path: str) -> Tuple[str, int]:
    time.sleep(0.002)  # work long enough that every process gets a share
    return _PREFIX[0] + path, os.getpid()


def _fail_in_a_worker(path: str) -> Tuple[str, int]:
    time.sleep(0.002)
    if os.getpid() != PARENT:
        raise ValueError("a rule's bug")
    return path, os.getpid()


PARENT = os.getpid()


@pytest.mark.parametrize("jobs", [2, 3, 8])
def test_every_path_once_in_several_processes_this_one_working_too(jobs):
    done = processes.map_in_workers(_label, PATHS, jobs, _prepare, ("checked:",))
    assert done is not None
    assert sorted(label for label, _ in done) == sorted("checked:" + path for path in PATHS)
    workers = {pid for _, pid in done}
    assert os.getpid() in workers and len(workers) > 1


def test_a_failing_worker_fails_the_run_with_its_error():
    with pytest.raises(processes.WorkerFailed, match="ValueError: a rule's bug"):
        processes.map_in_workers(_fail_in_a_worker, PATHS, 2, _prepare, ("",))


def test_without_fork_a_pool_does_the_same_work(monkeypatch):
    monkeypatch.setattr(processes, "can_fork", lambda: False)
    done = processes.map_in_workers(_label, PATHS, 2, _prepare, ("pooled:",))
    assert done is not None and sorted(label for label, _ in done) == sorted(
        "pooled:" + path for path in PATHS)


def test_when_no_process_can_be_forked_this_one_does_it_all(monkeypatch):
    def no_more(*args):
        raise OSError("Resource temporarily unavailable")

    monkeypatch.setattr(os, "fork", no_more)
    done = processes.map_in_workers(_label, PATHS, 4, _prepare, ("alone:",))
    assert done is not None and {pid for _, pid in done} == {os.getpid()}
    assert len(done) == len(PATHS)


def test_finish_runs_in_each_worker_after_its_share(tmp_path):
    marks = tmp_path / "finished"
    marks.mkdir()
    done = processes.map_in_workers(_label, PATHS, 3, _prepare, ("",),
                                    finish=lambda: (marks / str(os.getpid())).touch())
    assert done is not None
    finished = {int(name) for name in os.listdir(marks)}
    assert {pid for _, pid in done} - {os.getpid()} <= finished
    assert len(finished) == 2 and os.getpid() not in finished


# A worker killed from outside (here: by this process, as the OOM killer would) while the
# others go on. Run in a process of its own so that a regression fails on its timeout instead
# of hanging the suite.
KILLED_FROM_OUTSIDE = """
import os, signal
from flake8_ddd import processes

PARENT = os.getpid()
started_read, started_write = os.pipe()
never_read, never_write = os.pipe()

def label(path):
    if os.getpid() != PARENT:  # a worker tells it has a path, then waits to be killed
        os.write(started_write, os.getpid().to_bytes(4, "little"))
        os.read(never_read, 1)
    elif not label.killed:  # this process's first path: it kills the worker
        label.killed = True
        os.kill(int.from_bytes(os.read(started_read, 4), "little"), signal.SIGKILL)
    return path

label.killed = False
try:
    processes.map_in_workers(label, [f"m{n}.py" for n in range(400)], 2, lambda: None, ())
except processes.WorkerFailed as error:
    print(error)
else:
    print("no error")
"""

# A worker that kills itself at its second path, in the middle of its first chunk (of 4).
KILLS_ITSELF = """
import os, signal
from flake8_ddd import processes

PARENT = os.getpid()
met_read, met_write = os.pipe()

def label(path):
    if os.getpid() != PARENT:
        if label.count == 1:
            os.kill(os.getpid(), signal.SIGKILL)
        os.write(met_write, b"x")
        label.count += 1
    elif label.count == 0:  # this process waits until a worker has a chunk
        os.read(met_read, 1)
        label.count = 1
    return path

label.count = 0
try:
    processes.map_in_workers(label, [f"m{n}.py" for n in range(400)], 3, lambda: None, ())
except processes.WorkerFailed as error:
    print(error)
else:
    print("no error")
"""


@pytest.mark.parametrize("scenario", [KILLED_FROM_OUTSIDE, KILLS_ITSELF],
                         ids=["killed from outside", "kills itself"])
def test_a_killed_worker_fails_the_run_promptly_saying_how_it_ended(scenario):
    assert processes.chunk_size(400, 3) == 4
    ran = subprocess.run([sys.executable, "-c", scenario], capture_output=True,
                         text=True, timeout=60)
    assert ran.returncode == 0, ran.stderr
    lines = ran.stdout.splitlines()
    assert len(lines) == 1 and "was killed by SIGKILL before handing back its results" in lines[0]


def _same(path: str) -> str:
    return path


@pytest.mark.parametrize("jobs", [1, 2, 3, 5])
@pytest.mark.parametrize("count", [0, 1, 2, 4, "chunks' end", 16 * 1024 + 1, 40_000])
def test_every_path_exactly_once_whatever_the_counts(jobs, count):
    if count == "chunks' end":  # the last chunk as full as the others
        count = 1000 - 1000 % processes.chunk_size(1000, jobs)
        assert count % processes.chunk_size(count, jobs) == 0
    paths = [f"m{n}.py" for n in range(count)]
    done = processes.map_in_workers(_same, paths, jobs, _prepare, ("",))
    assert done is not None and sorted(done) == sorted(paths)


@pytest.mark.parametrize("count", [1, 1023, 1024 * 16, 1024 * 16 + 1, 40_000, 10 ** 7])
@pytest.mark.parametrize("jobs", [2, 8])
def test_the_chunks_records_always_fit_the_claims_pipe(count, jobs):
    size = processes.chunk_size(count, jobs)
    assert size >= 1 and -(-count // size) * 4 <= 4096


def test_no_descriptor_is_left_open_whether_the_run_succeeds_or_fails():
    before = sorted(os.listdir("/proc/self/fd"))
    processes.map_in_workers(_label, PATHS, 3, _prepare, ("",))
    with pytest.raises(processes.WorkerFailed):
        processes.map_in_workers(_fail_in_a_worker, PATHS, 2, _prepare, ("",))
    assert sorted(os.listdir("/proc/self/fd")) == before
