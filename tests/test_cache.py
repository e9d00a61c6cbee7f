"""The result cache of ``flake8-ddd check`` (flake8_ddd/cache.py): what it keeps, what invalidates
it, and that concurrent or broken caches never change what a run shows."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Dict, List

import pytest

from flake8_ddd import cache as cache_module
from flake8_ddd import cli, runner
from flake8_ddd.cache import canonical, file_key
from flake8_ddd.cache_store import CACHE_DIR_NAME, ENV_CACHE_DIR

CRUD = "async def save(session):\n    await session.commit()\n"
SERVICE = textwrap.dedent("""\
    from fastapi import HTTPException


    async def find(order_id: int):
        raise HTTPException(status_code=404, detail="missing")
""")
ROUTE = textwrap.dedent("""\
    from fastapi import APIRouter

    router = APIRouter()


    @router.get("/x")
    def read():
        return {}
""")
CLEAN = "VALUE = 1\n"


def make(root: Path, files: Dict[str, str], setup_cfg: str = "[flake8]\nmax-line-length = 110\n") -> None:
    (root / "setup.cfg").write_text(setup_cfg, encoding="utf-8")
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "proj"
    root.mkdir()
    make(root, {
        "app/orders/crud/order.py": CRUD,
        "app/orders/services/order.py": SERVICE,
        "app/orders/routes/order.py": ROUTE,
        "app/orders/schemas/order.py": CLEAN,
        "app/main.py": CLEAN,
    })
    monkeypatch.chdir(root)
    monkeypatch.delenv(ENV_CACHE_DIR, raising=False)
    return root


@pytest.fixture
def linted(monkeypatch: pytest.MonkeyPatch) -> List[str]:
    """Paths that were linted afresh (not served from the cache) by in-process runs."""
    seen: List[str] = []
    original = runner.check_source

    def spy(path: str, data: bytes, job: runner.Job) -> List[runner.Reported]:
        seen.append(path)
        return original(path, data, job)

    monkeypatch.setattr(runner, "check_source", spy)
    return seen


def run(capsys: pytest.CaptureFixture, *args: str) -> str:
    """One in-process ``flake8-ddd check --jobs 1`` run; its output (exit status checked)."""
    status = cli.main(["check", "--jobs", "1", *args])
    out = capsys.readouterr().out
    assert status == (1 if out else 0), out
    return out


def cache_files(root: Path) -> List[Path]:
    """The result cache's run files (``<version>/<key>.json``; the project index beside them
    is another store)."""
    return sorted((root / CACHE_DIR_NAME).glob("*/*.json"))


# --- the command ---------------------------------------------------------------------------

def test_warm_run_shows_the_same_and_lints_nothing(project, capsys, linted):
    cold = run(capsys)
    assert {"DDD001", "DDD002", "DDD501"} <= {line.split()[1] for line in cold.splitlines()}
    assert len(linted) == 5
    linted.clear()
    warm = run(capsys)
    assert warm == cold
    assert linted == []
    for output_format in ("json", "full", "github"):  # every format renders from cached findings
        assert cli.main(["check", "--jobs", "1", "--no-cache", "--output-format", output_format]) == 1
        fresh = capsys.readouterr().out
        assert cli.main(["check", "--jobs", "1", "--output-format", output_format]) == 1
        assert capsys.readouterr().out == fresh


def test_cache_directory_is_tagged_and_ignored(project, capsys):
    run(capsys)
    root = project / CACHE_DIR_NAME
    assert (root / "CACHEDIR.TAG").read_text().startswith("Signature: 8a477f597d28d172789f06886806bc55")
    assert "*" in (root / ".gitignore").read_text().splitlines()
    assert len(cache_files(project)) == 1
    # The cache's own files are never checked.
    assert CACHE_DIR_NAME not in run(capsys, "--no-cache")


def test_edited_file_is_relinted_and_only_it(project, capsys, linted):
    run(capsys)
    linted.clear()
    crud = project / "app/orders/crud/order.py"
    crud.write_text(CRUD.replace("commit", "flush"), encoding="utf-8")
    out = run(capsys)
    assert linted == [os.path.join("app", "orders", "crud", "order.py")]
    assert "DDD001" not in out and "DDD002" in out
    linted.clear()
    crud.write_text(CRUD, encoding="utf-8")  # back to the first content: that entry is gone
    assert "DDD001" in run(capsys)
    assert len(linted) == 1


def test_new_and_deleted_files(project, capsys, linted):
    run(capsys)
    linted.clear()
    (project / "app/orders/crud/extra.py").write_text(CRUD, encoding="utf-8")
    out = run(capsys)
    assert linted == [os.path.join("app", "orders", "crud", "extra.py")]
    assert out.count("DDD001") == 2
    (project / "app/orders/crud/extra.py").unlink()
    linted.clear()
    assert run(capsys).count("DDD001") == 1
    assert linted == []
    entries = json.loads(cache_files(project)[0].read_text())["entries"]
    assert os.path.join("app", "orders", "crud", "extra.py") not in entries


@pytest.mark.parametrize("setup_cfg, gone", [
    ("[flake8]\nextend-ignore = DDD002\n", "DDD002"),
    ("[flake8]\nper-file-ignores = app/orders/crud/*:DDD001\n", "DDD001"),
    ("[flake8]\nddd-layer-exclude = app/orders/crud/*\n", "DDD001"),
    ("[flake8]\nddd-layer-segments = crud=none\n", "DDD001"),
])
def test_changed_configuration_invalidates(project, capsys, linted, setup_cfg, gone):
    assert gone in run(capsys)
    linted.clear()
    (project / "setup.cfg").write_text(setup_cfg, encoding="utf-8")
    out = run(capsys)
    assert gone not in out
    assert len(linted) == 5
    assert len(cache_files(project)) == 2  # one file per effective configuration


def test_command_line_selection_invalidates(project, capsys, linted):
    run(capsys)
    linted.clear()
    out = run(capsys, "--select", "DDD001")
    assert out.splitlines() and all(" DDD001 " in line for line in out.splitlines())
    assert len(linted) == 5


def test_new_version_invalidates(project, capsys, linted, monkeypatch):
    cold = run(capsys)
    linted.clear()
    monkeypatch.setattr(cache_module, "__version__", "99.0.0")  # what the cache was written by
    assert run(capsys) == cold
    assert len(linted) == 5
    assert (project / CACHE_DIR_NAME / "99.0.0").is_dir()
    linted.clear()
    assert run(capsys) == cold
    assert linted == []


def test_no_cache_writes_nothing_and_reads_nothing(project, capsys, linted):
    out = run(capsys, "--no-cache")
    assert not (project / CACHE_DIR_NAME).exists()
    assert len(linted) == 5
    run(capsys)
    linted.clear()
    assert run(capsys, "--no-cache") == out
    assert len(linted) == 5


def test_clean_removes_the_directory(project, capsys):
    run(capsys)
    assert (project / CACHE_DIR_NAME).is_dir()
    assert cli.main(["clean"]) == 0
    assert not (project / CACHE_DIR_NAME).exists()
    assert cli.main(["clean"]) == 0  # nothing to clean is fine
    capsys.readouterr()


def test_cache_sits_next_to_the_configuration(project, capsys, monkeypatch):
    monkeypatch.chdir(project / "app")
    assert "DDD001" in run(capsys)
    assert (project / CACHE_DIR_NAME).is_dir()
    assert not (project / "app" / CACHE_DIR_NAME).exists()
    assert cli.main(["clean"]) == 0
    assert not (project / CACHE_DIR_NAME).exists()


def test_environment_variable_moves_the_cache(project, capsys, monkeypatch, tmp_path):
    elsewhere = tmp_path / "elsewhere" / CACHE_DIR_NAME
    monkeypatch.setenv(ENV_CACHE_DIR, str(elsewhere))
    run(capsys)
    assert elsewhere.is_dir() and not (project / CACHE_DIR_NAME).exists()


@pytest.mark.parametrize("damage", [
    b"", b"{", b"\x00\xff garbage", b'{"format": 1, "entries": []}',
    b'{"format": 1, "entries": {"app/main.py": 5}}',
])
def test_corrupt_cache_is_a_miss(project, capsys, linted, damage):
    cold = run(capsys)
    [path] = cache_files(project)
    text = path.read_bytes()
    path.write_bytes(damage if damage else text[: len(text) // 2])  # b"": a truncated file
    linted.clear()
    assert run(capsys) == cold
    assert linted  # re-linted...
    linted.clear()
    assert run(capsys) == cold
    assert linted == []  # ...and repaired


def test_malformed_entry_is_a_miss(project, capsys, linted):
    cold = run(capsys)
    [path] = cache_files(project)
    document = json.loads(path.read_text())
    crud = os.path.join("app", "orders", "crud", "order.py")
    key = document["entries"][crud][0]
    document["entries"][crud] = [key, [["not", "a", "row"]]]
    path.write_text(json.dumps(document))
    linted.clear()
    assert run(capsys) == cold
    assert linted == [crud]


def test_directory_rule_is_never_served_stale(project, capsys, linted):
    for name in ("app/__init__.py", "app/orders/__init__.py", "app/orders/crud/__init__.py"):
        (project / name).write_text("", encoding="utf-8")
    (project / "setup.cfg").write_text("[flake8]\nextend-select = DDD605\n", encoding="utf-8")
    assert "DDD605" in run(capsys)
    linted.clear()
    assert "DDD605" in run(capsys)
    assert linted == []  # nothing changed around the __init__.py files: served from the cache
    (project / "app/orders/tests").mkdir()
    assert "DDD605" not in run(capsys)
    assert os.path.join("app", "orders", "__init__.py") in linted
    (project / "app/orders/tests").rmdir()
    assert "DDD605" in run(capsys)


def test_parallel_run_fills_and_reads_the_cache(project, capsys, linted):
    for index in range(12):
        (project / f"app/orders/crud/extra{index}.py").write_text(CRUD, encoding="utf-8")
    assert cli.main(["check", "--jobs", "2"]) == 1
    cold = capsys.readouterr().out
    assert cold.count("DDD001") == 13
    linted.clear()
    assert cli.main(["check", "--jobs", "2"]) == 1
    assert capsys.readouterr().out == cold
    assert linted == []  # no worker was even needed for a fully cached run


def test_two_concurrent_runs_do_not_corrupt_the_cache(project, capsys, linted):
    for index in range(40):
        (project / f"app/orders/crud/extra{index}.py").write_text(CRUD, encoding="utf-8")
        (project / f"app/orders/services/extra{index}.py").write_text(SERVICE, encoding="utf-8")
    expected = run(capsys, "--no-cache")
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))
    for round_number in range(3):
        processes = [subprocess.Popen([sys.executable, "-m", "flake8_ddd", "check", "--jobs", "1"],
                                      cwd=str(project), stdout=subprocess.PIPE,
                                      stderr=subprocess.PIPE, text=True, env=env)
                     for _ in range(2)]
        results = [process.communicate(timeout=600) for process in processes]
        for out, err in results:
            assert out == expected and err == ""
        for path in cache_files(project):
            json.loads(path.read_text())  # always a whole document
        changed = CRUD + "\n" * (round_number + 1)
        (project / "app/orders/crud/extra0.py").write_text(changed, encoding="utf-8")
        expected = run(capsys, "--no-cache")
    assert not [p for p in (project / CACHE_DIR_NAME).rglob(".tmp-*")]
    linted.clear()
    assert run(capsys) == expected
    assert linted == [os.path.join("app", "orders", "crud", "extra0.py")]


# --- the keys ------------------------------------------------------------------------------

def test_file_key_follows_content_and_module_path(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "setup.cfg").write_text("[flake8]\n")
    target = tmp_path / "src" / "app" / "orders" / "crud" / "order.py"
    target.parent.mkdir(parents=True)
    target.write_text(CRUD)
    relative = os.path.relpath(target)
    before = file_key(relative, target.read_bytes())
    assert file_key(relative, target.read_bytes()) == before
    assert file_key(relative, target.read_bytes() + b"\n") != before
    for package in ("src/app", "src/app/orders", "src/app/orders/crud"):
        (tmp_path / package / "__init__.py").write_text("")
    # the layer resolution notices the new packages by itself (its memos follow the
    # directories' status); the cache's per-directory memo lives for one run
    cache_module._DIRECTORY_PARTS.clear()  # a run assumes the tree does not change under it
    assert file_key(relative, target.read_bytes()) != before  # module root moved: app.orders...


def test_canonical_is_order_stable():
    first = canonical({"b": frozenset({"x", "y", "z"}), "a": (1, 2)})
    second = canonical({"a": (1, 2), "b": frozenset({"z", "y", "x"})})
    assert json.dumps(first) == json.dumps(second)


@pytest.mark.parametrize("extra_imports", [
    "", "import flake8_ddd.plugin, flake8_ddd.docs, flake8_ddd.output;"])
def test_run_key_is_stable_across_processes(project, extra_imports):
    """Hash seeds and whatever else a process imported must not change the key."""
    script = (extra_imports + "from flake8_ddd import runner, cache; "
              "from flake8_ddd.config_files import load_settings; "
              "print(runner.open_cache(runner.make_job(load_settings())).key)")
    keys = {subprocess.run([sys.executable, "-c", script], cwd=str(project), capture_output=True,
                           text=True, check=True, env=dict(os.environ, PYTHONHASHSEED=str(seed))
                           ).stdout for seed in (1, 2, 3)}
    from flake8_ddd.config_files import load_settings

    keys.add(runner.open_cache(runner.make_job(load_settings())).key + "\n")  # and this test process
    assert len(keys) == 1, keys


def test_run_key_follows_rule_sources(project, monkeypatch):
    from flake8_ddd.config_files import load_settings

    job = runner.make_job(load_settings())
    before = runner.open_cache(job).key
    real_stat = os.stat
    rule_file = sys.modules["flake8_ddd.rules.ddd001_commit_in_crud"].__file__

    def touched(path, *args, **kwargs):
        result = real_stat(path, *args, **kwargs)
        if path == rule_file:
            values = list(result)
            values[8] += 1  # st_mtime
            return os.stat_result(values, {"st_mtime_ns": result.st_mtime_ns + 1})
        return result

    monkeypatch.setattr(cache_module.os, "stat", touched)
    assert runner.open_cache(job).key != before


def test_unwritable_cache_only_warns(project, capsys, monkeypatch):
    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(cache_module, "write_atomic", refuse)
    status = cli.main(["check", "--jobs", "1"])
    captured = capsys.readouterr()
    assert status == 1 and "DDD001" in captured.out
    assert "cannot write the cache" in captured.err and "Traceback" not in captured.err


def test_result_cache_unit_round_trip(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "setup.cfg").write_text("[flake8]\n")
    target = tmp_path / "app" / "orders" / "crud" / "order.py"
    target.parent.mkdir(parents=True)
    target.write_text(CRUD)
    from flake8_ddd.config_files import load_settings

    job = runner.make_job(load_settings())
    path = os.path.join("app", "orders", "crud", "order.py")
    first = runner.open_cache(job)
    found, entry = runner.check_cached(path, job, first)
    assert [f.code for f in found] == ["DDD001"] and entry is not None and entry[2] is not None
    first.record(entry)
    assert first.save() is True
    second = runner.open_cache(job)
    again, entry = runner.check_cached(path, job, second)
    assert again == found and entry is not None and entry[2] is None
    second.record(entry)
    assert second.hits == 1 and second.save() is False
