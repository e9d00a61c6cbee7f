"""Work spread over processes (flake8_ddd.processes): real forks, every path once, failures told."""

from __future__ import annotations

import os
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
    with pytest.raises(RuntimeError, match="ValueError: a rule's bug"):
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
