"""Hostile input (issue 10): no data lost, no hang, no crash from the cache, no silent fallback.

Each test is one case a hostile (or merely unlucky) user found, driving the real ``flake8-ddd``
command and the real flake8 in bounded subprocesses (:mod:`hostile_support`). Output and docs
cases: ``test_hostile_output.py``.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from harness import clean_env, findings_of, make_project
from hostile_support import (
    COMMIT_IN_CRUD, assert_no_traceback, check, ddd, flake8, run_bounded, sample_project)

LAYER_NAMES = ("routes", "services", "crud", "schemas", "models", "dependencies", "exceptions",
               "tasks", "core", "apis")


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return sample_project(tmp_path)


# --- 1. clean never deletes what flake8-ddd did not write ----------------------------------------

def test_clean_keeps_foreign_files_in_a_shared_cache_directory(project, tmp_path):
    shared = tmp_path / "shared"
    (shared / "keep").mkdir(parents=True)
    (shared / "notes.txt").write_text("mine\n")
    (shared / "keep" / "data.json").write_text('{"format": 1}\n')
    env = {**clean_env(), "FLAKE8_DDD_CACHE_DIR": str(shared)}
    assert check([], project, env=env).returncode == 1
    cleaned = ddd(["clean"], project, env=env)
    assert cleaned.returncode == 0, cleaned.stderr
    assert (shared / "notes.txt").read_text() == "mine\n"
    assert (shared / "keep" / "data.json").read_text() == '{"format": 1}\n'
    left = sorted(str(p.relative_to(shared)) for p in shared.rglob("*") if p.is_file())
    assert left == [os.path.join("keep", "data.json"), "notes.txt"]  # ours gone, theirs kept


def test_clean_never_removes_a_directory_it_did_not_create(project, tmp_path):
    shared = tmp_path / "empty-but-mine"
    shared.mkdir()
    env = {**clean_env(), "FLAKE8_DDD_CACHE_DIR": str(shared)}
    assert check([], project, env=env).returncode == 1
    assert ddd(["clean"], project, env=env).returncode == 0
    assert shared.is_dir() and not any(shared.iterdir())


def test_clean_removes_a_cache_directory_it_created(project, tmp_path):
    fresh = tmp_path / "fresh-cache"
    env = {**clean_env(), "FLAKE8_DDD_CACHE_DIR": str(fresh)}
    assert check([], project, env=env).returncode == 1
    assert fresh.is_dir()
    assert ddd(["clean"], project, env=env).returncode == 0
    assert not fresh.exists()


CLEAN_KEYS = {"directory", "removed", "kept", "removed_directory"}


def test_clean_json_lists_what_it_removed_and_kept(project, tmp_path):
    shared = tmp_path / "shared"
    (shared / "keep").mkdir(parents=True)
    (shared / "notes.txt").write_text("mine\n")
    env = {**clean_env(), "FLAKE8_DDD_CACHE_DIR": str(shared)}
    assert check([], project, env=env).returncode == 1
    result = ddd(["clean", "--output-format", "json"], project, env=env)
    assert result.returncode == 0 and result.stderr == "", result.stderr
    cleaned = json.loads(result.stdout)
    assert set(cleaned) == CLEAN_KEYS
    assert cleaned["directory"] == str(shared) and cleaned["removed_directory"] is False
    assert cleaned["kept"] == ["keep", "notes.txt"]
    run_file, index = cleaned["removed"]  # <version>/<run key>.json, the project index
    assert re.fullmatch(r"[^/]+/[0-9a-f]{32}\.json", run_file) and index.startswith("index-")


def test_clean_json_removes_a_directory_it_created_then_finds_nothing(project, tmp_path):
    fresh = tmp_path / "fresh-cache"
    env = {**clean_env(), "FLAKE8_DDD_CACHE_DIR": str(fresh)}
    assert check([], project, env=env).returncode == 1
    cleaned = json.loads(ddd(["clean", "--output-format", "json"], project, env=env).stdout)
    assert cleaned["removed_directory"] is True and cleaned["kept"] == []
    assert {".gitignore", "CACHEDIR.TAG"} <= set(cleaned["removed"]) and not fresh.exists()
    again = json.loads(ddd(["clean", "--output-format", "json"], project, env=env).stdout)
    assert again == {"directory": str(fresh), "removed": [], "kept": [], "removed_directory": False}


# --- 2. a corrupt cache is a miss, never a crash and never a changed result ----------------------

def _corrupt_entry(kind: str, entry: list) -> object:
    key, rows = entry
    if kind == "object-where-list":
        return {"0": key, "1": rows}
    row = list(rows[0])
    if kind == "absurd-line":
        row[0] = 10 ** 30
    elif kind == "negative-column":
        row[1] = -5
    elif kind == "dict-as-message":
        row[3] = {"text": "not a message"}
    elif kind == "code-not-a-code":
        row[2] = "rm -rf /"
    return [key, [row] + rows[1:]]


@pytest.mark.parametrize("kind", ["object-where-list", "deeply-nested", "absurd-line",
                                  "negative-column", "dict-as-message", "code-not-a-code"])
def test_corrupt_cache_entry_is_a_miss(project, tmp_path, kind):
    cache_dir = tmp_path / "cache"
    env = {**clean_env(), "FLAKE8_DDD_CACHE_DIR": str(cache_dir)}
    expected = check(["--no-cache"], project, env=env)
    assert expected.returncode == 1 and "DDD001" in expected.stdout
    assert check([], project, env=env).stdout == expected.stdout  # fills the cache
    [cache_file] = list(cache_dir.glob("*/*.json"))  # <version>/<run key>.json
    if kind == "deeply-nested":
        cache_file.write_text("[" * 100_000)
    else:
        document = json.loads(cache_file.read_text())
        [shown] = document["entries"]
        document["entries"][shown] = _corrupt_entry(kind, document["entries"][shown])
        cache_file.write_text(json.dumps(document))
    for _ in range(2):  # the corrupt run, then the run after it (the entry was rewritten)
        result = check([], project, env=env)
        assert_no_traceback(result)
        assert (result.returncode, result.stdout) == (expected.returncode, expected.stdout)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes on this platform")
def test_named_pipe_in_place_of_the_cache_file_is_a_miss(project, tmp_path):
    env = {**clean_env(), "FLAKE8_DDD_CACHE_DIR": str(tmp_path / "cache")}
    expected = check([], project, env=env)
    [cache_file] = list((tmp_path / "cache").glob("*/*.json"))
    cache_file.unlink()
    os.mkfifo(cache_file)
    result = check([], project, env=env, timeout=60)
    assert (result.returncode, result.stdout) == (expected.returncode, expected.stdout)


# --- 3. configuration errors are errors -----------------------------------------------------------

DUPLICATE_KEY = "[flake8]\nextend-select = DDD\nextend-select = DDD1\n"


def test_duplicate_key_in_setup_cfg_is_an_error_naming_file_and_key(tmp_path):
    root = make_project(tmp_path / "proj", {"app/user/crud/item.py": COMMIT_IN_CRUD},
                        setup_cfg=DUPLICATE_KEY)
    result = check(["--no-cache"], root)
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert "setup.cfg" in result.stderr and "extend-select" in result.stderr
    assert_no_traceback(result)


def test_duplicate_key_in_an_explicit_config_is_an_error_naming_file_and_key(tmp_path):
    root = make_project(tmp_path / "proj", {"app/user/crud/item.py": COMMIT_IN_CRUD})
    (root / "dup.cfg").write_text(DUPLICATE_KEY)
    result = check(["--no-cache", "--config", "dup.cfg"], root)
    assert result.returncode == 2
    assert "dup.cfg" in result.stderr and "extend-select" in result.stderr
    assert "no [flake8] section" not in result.stderr


def _pin_project(tmp_path: Path, pin: str) -> Path:
    return make_project(tmp_path / "proj", {"app/user/helpers.py": f'"""Helpers."""\n{pin}\nVALUE = 1\n'},
                        setup_cfg="[flake8]\nextend-select = DDD\n")


@pytest.mark.parametrize("pin", ["# ddd: layer=crd", "# ddd: layer=crud+none", "# ddd: layer=crud+"])
@pytest.mark.parametrize("program", ["check", "flake8"])
def test_unknown_layer_in_pin_is_ddd600_at_the_pin(tmp_path, pin, program):
    root = _pin_project(tmp_path, pin)
    if program == "check":
        result = check(["--no-cache"], root)
    else:
        result = flake8(["--select=DDD", "app"], root)
    found = [f for f in findings_of(result.stdout) if f[3] == "DDD600"]
    assert [(f[0], f[1], f[2]) for f in found] == [(os.path.join("app", "user", "helpers.py"), 2, 1)], \
        (result.stdout, result.stderr)
    text = found[0][4]
    assert all(name in text for name in LAYER_NAMES + ("none",)), text


@pytest.mark.parametrize("pin", ["# ddd: layer=crud", "# ddd: layer = Models+schemas",
                                 "# ddd: layer=none", "# ddd: layer=services  ", "# ddd:layer=core"])
def test_valid_pins_are_not_ddd600(tmp_path, pin):
    result = check(["--no-cache", "--select=DDD600"], _pin_project(tmp_path, pin))
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("option,value", [("ddd-layer-paths", "app/[*.py=crud"),
                                          ("ddd-layer-exclude", "app/[*.py")])
@pytest.mark.parametrize("program", ["check", "flake8"])
def test_malformed_glob_in_layer_options_is_rejected_naming_the_option(tmp_path, option, value, program):
    root = make_project(tmp_path / "proj", {"app/user/crud/item.py": COMMIT_IN_CRUD},
                        setup_cfg=f"[flake8]\nextend-select = DDD\n{option} = {value}\n")
    result = check(["--no-cache"], root) if program == "check" else flake8(["app"], root)
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert option in result.stderr and "DDD001" not in result.stdout
    assert_no_traceback(result)


def test_unknown_ddd_option_under_flake8_warns_once(tmp_path):
    files = {f"app/f{i}/crud/item.py": COMMIT_IN_CRUD for i in range(4)}
    root = make_project(tmp_path / "proj", files,
                        setup_cfg="[flake8]\nextend-select = DDD\nddd-layer-segmentz = handlers=routes\n")
    result = flake8(["-j2", "app"], root)
    assert result.returncode == 1
    assert result.stderr.count("ddd-layer-segmentz") == 1, result.stderr
    assert "ddd-layer-segments" in result.stderr  # the known spelling is suggested


# --- 4. hangs and blow-ups ----------------------------------------------------------------------

@pytest.fixture
def fifo_project(project):
    if not hasattr(os, "mkfifo"):
        pytest.skip("no named pipes on this platform")
    os.mkfifo(project / "app" / "pipe.py")
    return project


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_fifo_found_by_directory_walk_never_hangs(fifo_project, jobs):
    result = check(["--no-cache", "-j", jobs], fifo_project, timeout=60)
    assert_no_traceback(result)
    assert "DDD001" in result.stdout  # the other files are still checked
    assert "pipe.py" in result.stdout + result.stderr  # an E902, or a note that it was skipped


def test_fifo_named_on_the_command_line_is_e902(fifo_project):
    result = check(["--no-cache", os.path.join("app", "pipe.py")], fifo_project, timeout=60)
    assert result.returncode == 1
    assert re.search(r"^app/pipe\.py:1:1: E902 .*regular file", result.stdout, re.M), result.stdout


RAISES_IMPORTED_CLASS = "from app.user.exceptions import NotFound\n\n\ndef find():\n    raise NotFound()\n"
NOT_FOUND_ERROR = ("from fastapi import HTTPException\n\n\n"
                   "class NotFound(HTTPException):\n    pass\n")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes on this platform")
@pytest.mark.parametrize("program", ["check", "flake8"])
def test_fifo_the_project_index_would_read_never_hangs(tmp_path, program):
    root = make_project(tmp_path / "proj", {"app/user/services/finder.py": RAISES_IMPORTED_CLASS})
    os.mkfifo(root / "app" / "user" / "exceptions.py")
    target = os.path.join("app", "user", "services", "finder.py")
    result = (check(["--no-cache", target], root, timeout=60) if program == "check"
              else flake8(["--select=DDD", target], root, timeout=60))
    assert_no_traceback(result)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("corruption", ["[" * 100_000, '{"format": 2, "files": {"x": 1}}', "\0\0"])
def test_corrupt_project_index_file_is_a_miss(tmp_path, corruption):
    root = make_project(tmp_path / "proj", {"app/user/services/finder.py": RAISES_IMPORTED_CLASS,
                                            "app/user/exceptions.py": NOT_FOUND_ERROR})
    env = {**clean_env(), "FLAKE8_DDD_CACHE_DIR": str(tmp_path / "cache")}
    expected = check([], root, env=env)
    assert "DDD002" in expected.stdout
    [index_file] = list((tmp_path / "cache").glob("index-*.json"))
    index_file.write_text(corruption)
    result = check(["--no-cache"], root, env=env)
    assert_no_traceback(result)
    assert (result.returncode, result.stdout) == (expected.returncode, expected.stdout)


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="no /dev/zero")
def test_device_is_e902_not_read_without_bound(project):
    result = check(["--no-cache", "/dev/zero"], project, timeout=60)
    assert result.returncode == 1, result.stderr[-2000:]
    assert result.stdout.startswith("/dev/zero:1:1: E902 "), result.stdout


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="no /dev/zero")
def test_endless_standard_input_is_e902_not_read_without_bound(project):
    with open("/dev/zero", "rb") as zeros:
        result = check(["--no-cache", "--stdin-filename", "app/user/crud/x.py", "-"], project,
                       timeout=60, stdin=zeros)
    assert result.returncode == 1, result.stderr[-2000:]
    assert "E902" in result.stdout and "larger than" in result.stdout, result.stdout


def test_file_over_the_size_limit_is_e902(project):
    big = project / "app" / "generated.py"
    with open(big, "wb") as handle:  # a 40 MiB comment: far above the limit
        handle.write(b"# " + b"a" * (40 << 20) + b"\n")
    result = check(["--no-cache", os.path.join("app", "generated.py")], project, timeout=120)
    assert result.returncode == 1
    assert re.search(r"^app/generated\.py:1:1: E902 .*larger than", result.stdout, re.M), result.stdout


SLOW_PIN = '"""Module."""\n# ddd: layer=a' + " " * 200_000 + "!\nVALUE = 1\n"


LINT_IN_PLUGIN_PATH = ("import sys; from flake8_ddd.engine import lint_source; "
                       "print(len(lint_source(open(sys.argv[1]).read(), sys.argv[1])))")


@pytest.mark.parametrize("program", ["check", "plugin"])
def test_pin_followed_by_a_long_run_of_spaces_is_linear(tmp_path, program):
    """200,000 spaces: the quadratic pattern took well over a minute; linear parsing, well
    under a second. 20 s is generous for any machine.

    The plugin's path is driven without flake8 itself: flake8's own ``# flake8: noqa`` pattern
    is quadratic on such a line (6 s for 50,000 spaces), which no plugin can change."""
    root = make_project(tmp_path / "proj", {"app/user/helpers.py": SLOW_PIN})
    if program == "check":
        result = check(["--no-cache"], root, timeout=20)
    else:
        result = run_bounded(["-c", LINT_IN_PLUGIN_PATH, "app/user/helpers.py"], root, timeout=20)
    assert_no_traceback(result)
    assert result.returncode in (0, 1)


def test_jobs_are_capped_at_files_and_cores():
    from flake8_ddd.processes import job_count

    cores = os.cpu_count() or 1
    assert job_count(1500, 1500) <= cores
    assert job_count(1500, 3) <= 3
    assert job_count(None, 1) == 1
    assert job_count(1, 100) == 1


# --- 5. nothing skipped silently ------------------------------------------------------------------

def _drop_file_permission_override() -> None:
    """In the child: give up root's power to read any directory (CAP_DAC_OVERRIDE and
    CAP_DAC_READ_SEARCH leave the bounding set, so the program runs without them)."""
    libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
    pr_capbset_drop = 24
    for capability in (1, 2):  # CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH
        if libc.prctl(pr_capbset_drop, capability, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP)")


def test_unreadable_directory_is_reported(project):
    secret = project / "app" / "secret"
    secret.mkdir()
    (secret / "hidden.py").write_text(COMMIT_IN_CRUD)
    preexec = None
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        if not sys.platform.startswith("linux"):
            pytest.skip("root reads every directory; dropping that right needs Linux")
        preexec = _drop_file_permission_override
    secret.chmod(0)
    try:
        try:
            result = check(["--no-cache", "-j1"], project, preexec=preexec)
        except subprocess.SubprocessError as error:  # pragma: no cover - prctl refused
            pytest.skip(f"cannot drop root's read-anything capability here: {error}")
    finally:
        secret.chmod(0o755)
    assert_no_traceback(result)
    assert result.returncode == 1
    assert "DDD001" in result.stdout
    assert re.search(r"^app/secret:1:1: E902 ", result.stdout, re.M), (result.stdout, result.stderr)


def test_zero_files_checked_is_said_out_loud_when_excludes_leave_nothing(tmp_path):
    root = make_project(tmp_path / "proj", {"app/user/crud/item.py": COMMIT_IN_CRUD},
                        flake8="[flake8]\nexclude = .git,*.py,build\n")
    result = check(["--no-cache"], root)
    assert result.returncode == 0
    assert "0 files checked" in result.stderr, result.stderr


def test_zero_files_checked_is_said_out_loud_when_paths_hold_no_python(tmp_path):
    root = make_project(tmp_path / "proj", {"docs/readme.txt": "hello\n"})
    result = check(["--no-cache", "docs"], root)
    assert result.returncode == 0
    assert "0 files checked" in result.stderr, result.stderr


@pytest.mark.parametrize("line, names, problem", [
    ("# ddd: layer=crud", ("crud",), None),
    ("x = 1  # ddd:layer = Models + schemas  ", ("models", "schemas"), None),
    ("# ddd: layer=none", (), None),
    ("# ddd: layer=crd", (), "names the unknown layer 'crd'"),
    ("# ddd: layer=crud+none", (), "joins 'none' with a layer"),
    ("# ddd: layer=crud,", (), "has a dangling separator in 'crud,'"),
    ("# ddd: layer=", (), "names no layer"),
    ("# ddd: layer=crud # why", (), "has '#', which is not a layer name"),
])
def test_pin_parser(line, names, problem):
    from flake8_ddd.layers import Layer
    from flake8_ddd.pins import find_pin

    pin = find_pin(['"""Doc."""\n', line + "\n"], [layer.value for layer in Layer])
    assert pin is not None and pin.line == 2 and line[pin.col] == "#"
    assert (pin.names, pin.problem) == (names, problem)


def test_pin_syntax_shown_in_a_docstring_is_no_pin():
    from flake8_ddd.pins import find_pin

    lines = ['"""Pin a layer with `# ddd: layer=...`, for instance\n', '# ddd: layer=crd\n',
             '"""\n', "# ddd: layer=crud\n"]
    assert find_pin(lines, ["crud"]) == find_pin(lines[3:], ["crud"])._replace(line=4)
    long_docstring = ['"""A docstring longer than ten lines\n'] + ["text # ddd: layer=crd\n"] * 11
    assert find_pin(long_docstring, ["crud"]) is None
