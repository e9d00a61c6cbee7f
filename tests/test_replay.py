"""Replaying an unchanged run of ``flake8-ddd check`` (flake8_ddd/replay.py): the same output and
exit status without checking anything, and a full run as soon as anything the output depends
on changes — even an edit that keeps a file's size and mtime."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Callable, Dict, Optional, Tuple

import pytest

from harness import clean_env, make_project

#: A probe around the real command: it tells (on the last line of standard error) whether the
#: engine was imported, i.e. whether the run checked files or replayed a record.
PROBE = ("import sys\n"
         "from flake8_ddd.cli import main\n"
         "status = main(sys.argv[1:])\n"
         "sys.stderr.write('[full]\\n' if 'flake8_ddd.engine' in sys.modules else '[replayed]\\n')\n"
         "sys.exit(status)\n")

FILES = {
    "app/__init__.py": "",
    "app/orders/__init__.py": "",
    "app/orders/crud/__init__.py": "",
    "app/orders/crud/order.py": "async def save(session):\n    await session.commit()\n",
    "app/orders/exceptions.py": "class OrderMissing(Exception):\n    pass\n",
    "app/orders/services/__init__.py": "",
    "app/orders/services/order.py": (
        "from app.orders.exceptions import OrderMissing\n\n\n"
        "async def find(order_id: int):\n    raise OrderMissing()\n"),
}
SETUP_CFG = "[flake8]\nmax-line-length = 110\n"


def run(root: Path, *args: str, replay: bool = True,
        env: Optional[Dict[str, str]] = None) -> Tuple[str, str, int, str]:
    env = {**clean_env(), **(env or {})}
    env.pop("FLAKE8_DDD_NO_REPLAY", None)
    if not replay:
        env["FLAKE8_DDD_NO_REPLAY"] = "1"
    done = subprocess.run([sys.executable, "-c", PROBE, "check", "--jobs", "1", *args],
                          cwd=str(root), capture_output=True, text=True, timeout=300, env=env)
    *stderr, how = done.stderr.splitlines(keepends=True)
    return done.stdout, "".join(stderr), done.returncode, how.strip()


def keep_times(path: Path, change: Callable[[Path], None]) -> None:
    """``change`` the file, then set its mtime back: only its ctime tells."""
    before = path.stat()
    change(path)
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))


def same_size_edit(old: str, new: str) -> Callable[[Path], None]:
    assert len(old) == len(new)
    return lambda path: path.write_text(path.read_text().replace(old, new))


CHANGES: Dict[str, Callable[[Path], None]] = {
    "checked file edited, same size and mtime": lambda root: keep_times(
        root / "app/orders/crud/order.py", same_size_edit("session.commit()", "session.flush() ")),
    "new module in a checked package": lambda root: (root / "app/orders/crud/more.py").write_text(
        "async def save(session):\n    await session.commit()\n"),
    "new package with a module": lambda root: (
        (root / "app/orders/routes").mkdir(),
        (root / "app/orders/routes/order.py").write_text("from app.orders.crud.order import save\n")),
    "configuration edited, same size and mtime": lambda root: keep_times(
        root / "setup.cfg", same_size_edit("max-line-length = 110", "extend-ignore =DDD001")),
    "new pyproject.toml, which comes first": lambda root: (root / "pyproject.toml").write_text(
        '[tool.flake8-ddd]\nextend-ignore = ["DDD001"]\n'),
    "module not checked, read through the project index": lambda root: keep_times(
        root / "app/orders/exceptions.py", lambda path: path.write_text(
            "from fastapi import HTTPException\n\n\nclass OrderMissing(HTTPException):\n    pass\n")),
}


@pytest.fixture(scope="module")
def settled(tmp_path_factory: pytest.TempPathFactory) -> Dict[str, Path]:
    """One project per case, checked once (which creates its cache directory), then left to
    settle: a run records only when what it watched last changed more than two seconds before
    it began."""
    roots = {}
    for name in ["unchanged", "json", "no cache", "clean", "corrupt", "cache inside", "bad coding",
                 *CHANGES]:
        if name == "bad coding":  # E902 for the file's own bytes: a lasting error, replayed
            files = {**FILES, "app/orders/legacy.py": "# -*- coding: uft-8 -*-\nVALUE = 1\n"}
        else:
            files = FILES
        root = tmp_path_factory.mktemp("replay") / "proj"
        roots[name] = make_project(root, files, setup_cfg=SETUP_CFG)
        assert run(root, replay=False)[3] == "[full]"
    time.sleep(2.2)
    return roots


def test_an_unchanged_run_is_replayed_with_the_same_output_and_status(settled):
    root = settled["unchanged"]
    first = run(root)
    assert first[3] == "[full]" and first[2] == 1 and "DDD001" in first[0]
    again = run(root)
    assert again[3] == "[replayed]"
    assert again[:3] == first[:3]
    assert run(root, "--exit-zero")[3] == "[full]"  # other arguments: another record
    assert list((root / ".flake8_ddd_cache").glob("replay-*.json"))


def test_json_output_is_replayed_as_written(settled):
    root = settled["json"]
    first = run(root, "--output-format", "json")
    again = run(root, "--output-format", "json")
    assert (first[3], again[3]) == ("[full]", "[replayed]")
    assert again[:3] == first[:3]


@pytest.mark.parametrize("change", list(CHANGES))
def test_any_change_the_output_depends_on_means_a_full_run(settled, change):
    root = settled[change]
    args = ("app/orders/services", "app/orders/crud") if "index" in change else ()
    before = run(root, *args)
    assert run(root, *args)[3] == "[replayed]"
    CHANGES[change](root)
    after = run(root, *args)
    assert after[3] == "[full]"
    assert after[:3] == run(root, "--no-cache", *args, replay=False)[:3]
    assert after[0] != before[0]  # each change changes the findings


def test_runs_that_are_never_replayed(settled):
    root = settled["no cache"]
    assert [run(root, "--no-cache")[3] for _ in range(2)] == ["[full]", "[full]"]
    assert [run(root, replay=False)[3] for _ in range(2)] == ["[full]", "[full]"]


def test_a_run_right_after_an_edit_records_nothing(tmp_path):
    root = make_project(tmp_path / "proj", FILES, setup_cfg=SETUP_CFG)
    assert [run(root)[3] for _ in range(2)] == ["[full]", "[full]"]
    assert not list((root / ".flake8_ddd_cache").glob("replay-*.json"))


def test_clean_removes_the_records(settled):
    root = settled["clean"]
    run(root)
    assert list((root / ".flake8_ddd_cache").glob("replay-*.json"))
    subprocess.run([sys.executable, "-m", "flake8_ddd", "clean"], cwd=str(root), check=True,
                   env=clean_env(), capture_output=True)
    assert not (root / ".flake8_ddd_cache").exists()
    assert run(root)[3] == "[full]"


@pytest.mark.parametrize("garbage", [b"", b"{", b"[" * 100_000, b'{"format": 1}', None])
def test_a_corrupt_record_is_no_record(settled, garbage):
    root = settled["corrupt"]
    first = run(root)
    again = run(root)
    assert again[3] == "[replayed]"
    record = next((root / ".flake8_ddd_cache").glob("replay-*.json"))
    keep = record.read_bytes()
    record.unlink()
    if garbage is None:
        os.mkfifo(record)  # a pipe in its place must not hang the run
    else:
        record.write_bytes(garbage)
    try:
        broken = run(root)
    finally:
        record.unlink()
        record.write_bytes(keep)
    assert broken[3] == "[full]"
    assert broken[:3] == first[:3]


def test_a_cache_directory_inside_the_tree_is_not_watched(settled):
    """FLAKE8_DDD_CACHE_DIR in a directory the run walks: the run's own writes there do not
    count as changes (else no run would ever be replayed); paths given are replayed too."""
    root = settled["cache inside"]
    env = {"FLAKE8_DDD_CACHE_DIR": str(root / "app" / "cache")}
    (root / "app" / "cache").mkdir()
    run(root, "app", env=env, replay=False)  # the cache directory gets its files
    time.sleep(2.2)
    first = run(root, "app", env=env)
    again = run(root, "app", env=env)
    assert (first[3], again[3]) == ("[full]", "[replayed]")
    assert again[:3] == first[:3]
    assert list((root / "app" / "cache").glob("replay-*.json"))


def test_a_read_error_of_the_file_itself_is_replayed(settled):
    root = settled["bad coding"]
    first = run(root)
    assert "E902 SyntaxError: unknown encoding: uft-8" in first[0]
    again = run(root)
    assert again[3] == "[replayed]" and again[:3] == first[:3]


def test_read_errors_that_may_pass_keep_a_run_from_recording():
    from flake8_ddd.replay import LASTING_READ_ERRORS

    assert "SyntaxError: unknown encoding: uft-8".startswith(LASTING_READ_ERRORS)
    assert "OSError: not a regular file (a named pipe); it was not read".startswith(LASTING_READ_ERRORS)
    for passing in ("PermissionError: Permission denied", "OSError: Input/output error",
                    "OSError: Too many open files"):
        assert not passing.startswith(LASTING_READ_ERRORS)
